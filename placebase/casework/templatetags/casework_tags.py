"""Template helpers for case work pages."""

from typing import Any

from django import forms, template

register = template.Library()


@register.filter
def widget_kind(field: Any) -> str:
    """Which GOV.UK component renders this form field."""
    widget = field.field.widget
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


@register.filter
def is_selected(value: Any, current: Any) -> bool:
    """Is `value` among the field's current value(s)? Compares as text."""
    if current is None:
        return False
    if isinstance(current, list | tuple):
        return str(value) in {str(c) for c in current}
    return str(value) == str(current)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
