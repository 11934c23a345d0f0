"""Display formats for evidence figures. Figures are Decimal; they are rounded only here."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from placebase.evidence.sroi import FRACTIONS, LABELS

register = template.Library()


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


@register.filter
def pounds(value: object) -> str:
    """£1,234.56 (negative as -£1,234.56)."""
    amount = _decimal(value)
    if amount is None:
        return ""
    rounded = amount.quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{'-' if rounded < 0 else ''}£{abs(rounded):,.2f}"


@register.filter
def ratio(value: object) -> str:
    amount = _decimal(value)
    return "" if amount is None else f"{amount.quantize(Decimal('0.01'), ROUND_HALF_UP)}"


@register.filter
def percent(value: object) -> str:
    amount = _decimal(value)
    return "" if amount is None else f"{(amount * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


@register.filter
def estimate(value: object, name: str) -> str:
    """A fraction as a percentage, a financial proxy in pounds, a quantity as a number."""
    amount = _decimal(value)
    if amount is None:
        return ""
    if name in FRACTIONS:
        return f"{(amount * 100).quantize(Decimal('0.01'), ROUND_HALF_UP).normalize():f}%"
    if name == "financial_proxy":
        return pounds(amount)
    return f"{amount.quantize(Decimal('0.01'), ROUND_HALF_UP).normalize():,f}"


@register.filter
def estimate_label(name: str) -> str:
    label = LABELS.get(name, name)
    return label[:1].upper() + label[1:]
