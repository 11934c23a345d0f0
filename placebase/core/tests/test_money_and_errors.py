"""Money keeps its price year; errors keep stable codes."""

from decimal import Decimal

import pytest

from placebase.core.errors import (
    Conflict,
    ImportRejected,
    NotFound,
    PermissionDenied,
    PlacebaseError,
    ValidationFailed,
)
from placebase.core.money import Money, PriceYearMismatch

DEFLATOR = {2019: Decimal("100"), 2024: Decimal("120")}


def test_money_adds_and_scales_in_one_price_year():
    total = Money(Decimal("100.10"), 2019) + Money(Decimal("0.20"), 2019)
    assert total == Money(Decimal("100.30"), 2019)
    assert (total - Money(Decimal("0.30"), 2019)).amount == Decimal("100.00")
    assert (2 * Money(Decimal("1.50"), 2024)).amount == Decimal("3.00")


def test_floats_become_exact_decimals():
    assert Money(0.1, 2024).amount == Decimal("0.1")  # type: ignore[arg-type]


def test_mixing_price_years_or_currencies_is_refused():
    with pytest.raises(PriceYearMismatch) as caught:
        Money(Decimal(1), 2019) + Money(Decimal(1), 2024)
    assert caught.value.code == "core.price_year_mismatch"
    with pytest.raises(PriceYearMismatch):
        Money(Decimal(1), 2019, "GBP") - Money(Decimal(1), 2019, "EUR")


def test_uprating_uses_the_index_and_needs_both_years():
    uprated = Money(Decimal("13000"), 2019).uprated(to_year=2024, index=DEFLATOR)
    assert uprated == Money(Decimal("15600"), 2024)
    with pytest.raises(PriceYearMismatch):
        Money(Decimal(1), 2019).uprated(to_year=2025, index=DEFLATOR)


@pytest.mark.parametrize("year", [1899, 2201])
def test_implausible_price_years_are_refused(year):
    with pytest.raises(ValueError):
        Money(Decimal(1), year)


def test_rounding_and_display():
    assert Money(Decimal("2.345"), 2024).rounded().amount == Decimal("2.35")
    assert str(Money(Decimal("800000"), 2024)) == "£800,000.00 (2024 prices)"


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (PlacebaseError, "placebase.error", 400),
        (ValidationFailed, "placebase.validation_failed", 400),
        (PermissionDenied, "placebase.permission_denied", 403),
        (NotFound, "placebase.not_found", 404),
        (Conflict, "placebase.conflict", 409),
        (ImportRejected, "placebase.import_rejected", 400),
    ],
)
def test_error_codes_are_stable(error, code, status):
    raised = error("Something went wrong.", row=3)
    assert raised.code == code and raised.http_status == status
    assert raised.message == "Something went wrong." and raised.details == {"row": 3}
    assert error().message == code  # a message is never empty


def test_a_code_can_be_given_per_raise_without_changing_the_class():
    raised = ValidationFailed("Bad", code="accounts.weak_password")
    assert raised.code == "accounts.weak_password"
    assert ValidationFailed.code == "placebase.validation_failed"
