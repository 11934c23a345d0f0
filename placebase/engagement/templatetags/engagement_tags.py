"""Formatting figures that may be hidden ("*") or not worked out (None)."""

from typing import Any

from django import template

from placebase.core.disclosure import SUPPRESSED

register = template.Library()
NONE_SHOWN = "–"


@register.filter
def pct(value: Any) -> str:
    if value == SUPPRESSED:
        return SUPPRESSED
    if value is None:
        return NONE_SHOWN
    return f"{100 * float(value):.0f}%"


@register.filter
def dec(value: Any, places: int = 2) -> str:
    if value == SUPPRESSED:
        return SUPPRESSED
    if value is None:
        return NONE_SHOWN
    return f"{float(value):,.{int(places)}f}"


@register.filter
def num(value: Any) -> str:
    if value == SUPPRESSED:
        return SUPPRESSED
    if value is None:
        return NONE_SHOWN
    if isinstance(value, str):
        return value
    return f"{value:,.0f}"
