"""Discounting, uprating, WELLBYs, optimism bias and volunteer time, checked by hand."""

import json
from decimal import Decimal

import pytest

from placebase.core.money import Money
from placebase.evidence.services import STARTER_PARAMETERS
from placebase.evidence.valuation import (
    GREEN_BOOK_SCHEDULE,
    DiscountSchedule,
    FirstYear,
    ParametersInvalid,
    PriceIndex,
    green_book_year,
    optimism_bias_adjust,
    parameters_from_dict,
    volunteer_time_value,
    wellby_value,
)

D = Decimal
TOLERANCE = D("1e-24")


def close(a: Decimal, b: Decimal, tolerance: Decimal = TOLERANCE) -> bool:
    return abs(a - b) <= tolerance * max(abs(b), D(1))


def test_year_zero_is_undiscounted_and_year_one_is_divided_once():
    assert GREEN_BOOK_SCHEDULE.factor(0) == 1
    assert close(GREEN_BOOK_SCHEDULE.factor(1), 1 / D("1.035"))


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (30, D("1.035") ** -30),
        (31, D("1.035") ** -30 / D("1.03")),
        (75, D("1.035") ** -30 * D("1.03") ** -45),
        (76, D("1.035") ** -30 * D("1.03") ** -45 / D("1.025")),
        (125, D("1.035") ** -30 * D("1.03") ** -45 * D("1.025") ** -50),
        (126, D("1.035") ** -30 * D("1.03") ** -45 * D("1.025") ** -50 / D("1.02")),
        (200, D("1.035") ** -30 * D("1.03") ** -45 * D("1.025") ** -50 * D("1.02") ** -75),
        (
            201,
            D("1.035") ** -30
            * D("1.03") ** -45
            * D("1.025") ** -50
            * D("1.02") ** -75
            / D("1.015"),
        ),
        (
            300,
            D("1.035") ** -30
            * D("1.03") ** -45
            * D("1.025") ** -50
            * D("1.02") ** -75
            * D("1.015") ** -100,
        ),
        (
            301,
            D("1.035") ** -30
            * D("1.03") ** -45
            * D("1.025") ** -50
            * D("1.02") ** -75
            * D("1.015") ** -100
            / D("1.01"),
        ),
    ],
)
def test_green_book_factor_at_each_breakpoint_keeps_earlier_years_at_their_own_rate(year, expected):
    assert close(GREEN_BOOK_SCHEDULE.factor(year), expected, D("1e-20"))


def test_breakpoint_values_match_known_figures():
    # 1.035^30 = 2.806794...: the well-known 30-year factor of 0.3563.
    assert GREEN_BOOK_SCHEDULE.factor(30).quantize(D("0.000001")) == D("0.356278")
    # Year 31 uses 3.0%, not 3.5% re-applied from year 0.
    assert GREEN_BOOK_SCHEDULE.factor(31) > D("1.035") ** -31


def test_flat_rate_including_zero():
    assert close(DiscountSchedule.flat(D("0.1")).factor(3), 1 / D("1.331"))
    assert DiscountSchedule.flat(D(0)).factor(50) == 1
    with pytest.raises(ValueError):
        DiscountSchedule.flat(D("-0.01"))
    with pytest.raises(ValueError):
        GREEN_BOOK_SCHEDULE.factor(-1)


def test_first_year_conventions_map_sroi_years_to_green_book_years():
    assert green_book_year(1, FirstYear.DISCOUNTED) == 1
    assert green_book_year(1, FirstYear.UNDISCOUNTED) == 0
    assert green_book_year(4, FirstYear.UNDISCOUNTED) == 3


def test_uprating_with_the_deflator():
    index = PriceIndex({2019: D(80), 2024: D(100)}, base_year=2024)
    assert index.uprate(Money(D(400), 2019), to_year=2024) == Money(D(500), 2024)
    with pytest.raises(ValueError):
        index.uprate(Money(D(400), 2018), to_year=2024)


def test_wellby_value_of_half_a_point_for_ten_people():
    central = Money(D(13000), 2019)
    assert wellby_value(points=D("0.5"), people=10, value_per_wellby=central) == Money(
        D(65000), 2019
    )
    index = PriceIndex({2019: D(80), 2024: D(100)}, base_year=2024)
    uprated = wellby_value(
        points=D("0.5"), people=10, value_per_wellby=central, to_year=2024, deflator=index
    )
    assert uprated == Money(D(81250), 2024)  # 65,000 x 100 / 80
    assert wellby_value(points=D("0.5"), people=10, years=2, value_per_wellby=central).amount == D(
        130000
    )
    with pytest.raises(ValueError):
        wellby_value(points=D(1), people=1, value_per_wellby=central, to_year=2024)


def test_wellby_with_the_shipped_parameters_uses_their_deflator():
    parameters = parameters_from_dict(json.loads(STARTER_PARAMETERS.read_text()))
    value = wellby_value(
        points=D("0.5"),
        people=10,
        value_per_wellby=parameters.wellby.money(),
        to_year=2024,
        deflator=parameters.deflator,
    )
    index = parameters.deflator.values
    assert value.amount == D(65000) * (index[2024] / index[2019])
    assert parameters.wellby.money("low").amount == 10000
    assert parameters.wellby.money("high").amount == 16000


def test_optimism_bias_reduces_a_benefit_by_its_grade():
    table = {1: D(0), 3: D("0.10"), 6: D("0.40")}
    assert optimism_bias_adjust(Money(D(1000), 2022), grade=3, table=table).amount == 900
    assert optimism_bias_adjust(Money(D(1000), 2022), grade=6, table=table).amount == 600
    assert optimism_bias_adjust(Money(D(1000), 2022), grade=1, table=table).amount == 1000
    with pytest.raises(ValueError):
        optimism_bias_adjust(Money(D(1000), 2022), grade=2, table=table)


def test_volunteer_time_is_a_low_and_central_range():
    parameters = parameters_from_dict(json.loads(STARTER_PARAMETERS.read_text()))
    low, central = volunteer_time_value(hours=100, rates=parameters.volunteer_rates)
    assert low.amount == 100 * parameters.volunteer_rates.low.amount
    assert central.amount == 100 * parameters.volunteer_rates.central.amount
    assert low.amount < central.amount


def test_shipped_parameters_are_complete_and_cited():
    doc = json.loads(STARTER_PARAMETERS.read_text())
    parameters = parameters_from_dict(doc)
    assert [(b.first_year, b.last_year, b.rate) for b in parameters.discount.bands] == [
        (1, 30, D("0.035")),
        (31, 75, D("0.030")),
        (76, 125, D("0.025")),
        (126, 200, D("0.020")),
        (201, 300, D("0.015")),
        (301, None, D("0.010")),
    ]
    assert set(range(2015, 2026)) <= set(parameters.deflator.values)
    assert parameters.deflator.release and parameters.deflator.source
    assert parameters.wellby.central == 13000 and parameters.wellby.price_year == 2019
    assert sorted(parameters.optimism_bias) == [1, 2, 3, 4, 5, 6]
    for key in ("discount", "deflator", "wellby", "optimism_bias"):
        assert doc[key]["source"]
    assert parameters.volunteer_rates.low.basis.startswith("National Living Wage")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["discount"]["bands"].pop(0),
        lambda d: d["discount"]["bands"][0].update(rate="0.5x"),
        lambda d: d["deflator"]["values"].update({"2019": "-1"}),
        lambda d: d["wellby"].update(low="20000"),
        lambda d: d["optimism_bias"]["by_grade"].pop("6"),
        lambda d: d.pop("first_year"),
    ],
)
def test_bad_parameter_documents_are_refused(mutate):
    doc = json.loads(STARTER_PARAMETERS.read_text())
    mutate(doc)
    with pytest.raises(ParametersInvalid):
        parameters_from_dict(doc)
