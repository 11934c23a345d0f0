"""Small helpers for rendering Django form fields as GOV.UK components."""

from typing import Any

from django import forms, template

register = template.Library()


@register.filter
def widget_kind(bound: Any) -> str:
    widget = bound.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "text"


@register.filter
def is_chosen(bound: Any, value: Any) -> bool:
    current = bound.value()
    if isinstance(current, list | tuple):
        return str(value) in {str(v) for v in current}
    return current is not None and str(current) == str(value)


@register.filter
def hours(minutes: int | None) -> str:
    minutes = minutes or 0
    whole, rest = divmod(int(minutes), 60)
    if not whole:
        return f"{rest} minutes"
    return f"{whole} h {rest:02d} min" if rest else f"{whole} h"


@register.filter
def date_parts(form: Any, prefix: str) -> list[Any]:
    return [form[f"{prefix}_{part}"] for part in ("day", "month", "year")]


@register.filter
def bound(form: Any, name: str) -> Any:
    return form[name]
