"""Small formatting filters for places pages."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """0.4567 -> "45.7%"; tiny shares say so rather than round to zero."""
    if value is None:
        return ""
    if 0 < value < 0.001:
        return "less than 0.1%"
    return f"{value * 100:.1f}%"


@register.filter
def km2(value: float | None) -> str:
    if not value:
        return "0"
    return f"{value / 1_000_000:,.2f}"


@register.filter
def plain(value: Any) -> str:
    """Lists as "1, 2, 3"; empty as "None"."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "None"
    if value is None or value == "":
        return "None"
    return str(value)
