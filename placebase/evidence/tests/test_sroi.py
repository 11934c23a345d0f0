"""The SROI calculator's arithmetic against figures worked out by hand, and its map parser."""

from decimal import Decimal

import pytest

from placebase.evidence import sroi
from placebase.evidence.sroi import Options, Outcome
from placebase.evidence.valuation import GREEN_BOOK_SCHEDULE, DiscountSchedule, FirstYear

D = Decimal
FLAT_10 = Options(discount=DiscountSchedule.flat(D("0.1")), first_year=FirstYear.DISCOUNTED)
FLAT_10_YEAR_0 = Options(
    discount=DiscountSchedule.flat(D("0.1")), first_year=FirstYear.UNDISCOUNTED
)
NO_DISCOUNT = Options(discount=DiscountSchedule.flat(D(0)))


def outcome(**kwargs) -> Outcome:
    values = {
        "outcome": "Fewer crises",
        "stakeholder": "Residents",
        "quantity": D(10),
        "financial_proxy": D(100),
        "line": 2,
    }
    values.update(kwargs)
    return Outcome(**values)


def close(a: Decimal, b: Decimal, tolerance: str = "1e-20") -> bool:
    return abs(a - b) <= D(tolerance) * max(abs(b), D(1))


def test_filters_multiply_in_sequence_not_add():
    o = outcome(
        quantity=D(100),
        financial_proxy=D(50),
        deadweight=D("0.2"),
        displacement=D("0.1"),
        attribution=D("0.25"),
    )
    # 100 x 50 x 0.8 x 0.9 x 0.75, not 5,000 x (1 - 0.55) = 2,250
    assert o.first_year_impact == D(2700)


def test_multi_year_present_value_with_the_first_year_discounted():
    result = sroi.calculate([outcome(duration_years=3)], inputs=D(1000), options=FLAT_10)
    expected = D(1000) / D("1.1") + D(1000) / D("1.21") + D(1000) / D("1.331")
    assert close(result.present_value, expected)
    assert result.present_value.quantize(D("0.01")) == D("2486.85")
    assert [y.year for y in result.by_year] == [1, 2, 3]
    assert all(y.value == 1000 for y in result.by_year)


def test_multi_year_present_value_with_the_first_year_undiscounted():
    result = sroi.calculate([outcome(duration_years=3)], inputs=D(1000), options=FLAT_10_YEAR_0)
    assert close(result.present_value, D(1000) + D(1000) / D("1.1") + D(1000) / D("1.21"))
    assert result.by_year[0].discount_factor == 1


def test_drop_off_compounds_from_the_second_year():
    result = sroi.calculate(
        [outcome(duration_years=4, drop_off=D("0.5"))], inputs=D(100), options=NO_DISCOUNT
    )
    assert [y.value for y in result.by_year] == [D(1000), D(500), D(250), D(125)]
    assert result.present_value == D(1875)


def test_an_outcome_starting_in_year_two_is_valued_from_year_two():
    o = outcome(duration_years=2, starts_year=2)
    result = sroi.calculate([o], inputs=D(1000), options=FLAT_10)
    assert [y.year for y in result.by_year] == [2, 3]
    assert close(result.present_value, D(1000) / D("1.21") + D(1000) / D("1.331"))
    undiscounted_first = sroi.calculate([o], inputs=D(1000), options=FLAT_10_YEAR_0)
    assert close(undiscounted_first.present_value, D(1000) / D("1.1") + D(1000) / D("1.21"))


def test_green_book_schedule_changes_rate_after_year_thirty():
    # One pound a year for 31 years, first year undiscounted: years 0..30.
    o = outcome(quantity=D(1), financial_proxy=D(1), duration_years=32)
    result = sroi.calculate(
        [o], inputs=D(1), options=Options(GREEN_BOOK_SCHEDULE, FirstYear.UNDISCOUNTED)
    )
    expected = sum((D("1.035") ** -t for t in range(31)), D(0)) + D("1.035") ** -30 / D("1.03")
    assert close(result.present_value, expected)


def test_ratio_net_ratio_npv_and_payback():
    o = outcome(quantity=D(120), financial_proxy=D(100))  # impact 12,000 in year 1 only
    result = sroi.calculate([o], inputs=D(6000), options=NO_DISCOUNT)
    assert result.present_value == 12000
    assert result.net_present_value == 6000
    assert result.ratio == 2
    assert result.net_ratio == 1
    assert result.payback_months == 6  # 6,000 / (12,000 / 12)


def test_payback_uses_every_outcomes_first_year_impact_and_is_none_without_impact():
    later = outcome(starts_year=2)
    result = sroi.calculate([later], inputs=D(500), options=NO_DISCOUNT)
    assert result.payback_months == 6  # 500 / (1,000 / 12)
    nothing = sroi.calculate([outcome(quantity=D(0))], inputs=D(500), options=NO_DISCOUNT)
    assert nothing.payback_months is None
    assert nothing.ratio == 0


def test_value_is_split_by_agency_and_sums_to_present_value():
    rows = [outcome(agency="nhs"), outcome(agency="police", quantity=D(30)), outcome()]
    result = sroi.calculate(rows, inputs=D(1000), options=NO_DISCOUNT)
    by_agency = {a.agency: a.present_value for a in result.by_agency}
    assert by_agency == {"police": D(3000), "nhs": D(1000), sroi.UNASSIGNED_AGENCY: D(1000)}
    assert sum(by_agency.values()) == result.present_value
    assert sum(a.share for a in result.by_agency) == 1
    assert result.by_agency[0].agency == "police"  # largest first


def test_inputs_must_be_positive():
    with pytest.raises(ValueError):
        sroi.calculate([outcome()], inputs=D(0))
    with pytest.raises(ValueError):
        sroi.calculate([], inputs=D(10))


# --- switching values -------------------------------------------------------------------------


def switching(rows, inputs, options=NO_DISCOUNT):
    return {
        (s.line, s.estimate): s.value
        for s in sroi.switching_values(rows, inputs=inputs, options=options)
    }


def test_switching_values_worked_by_hand():
    # PV 10,000 against inputs 5,000: the ratio halves when any one factor halves.
    found = switching([outcome(quantity=D(100), financial_proxy=D(100))], D(5000))
    assert found[(2, "quantity")] == 50
    assert found[(2, "financial_proxy")] == 50
    assert found[(2, "deadweight")] == D("0.5")
    assert found[(2, "displacement")] == D("0.5")
    assert found[(2, "attribution")] == D("0.5")
    assert found[(2, "drop_off")] is None  # a one-year outcome has no drop-off to move


def test_switching_drop_off_over_two_years():
    # 10,000 x (1 + (1 - d)) = 15,000 gives d = 0.5
    o = outcome(quantity=D(100), financial_proxy=D(100), duration_years=2)
    value = switching([o], D(15000))[(2, "drop_off")]
    assert abs(value - D("0.5")) < D("1e-15")


@pytest.mark.parametrize("options", [NO_DISCOUNT, FLAT_10, Options()])
def test_the_ratio_is_one_at_every_switching_value(options):
    rows = [
        outcome(
            line=2,
            quantity=D(40),
            financial_proxy=D(900),
            deadweight=D("0.3"),
            attribution=D("0.2"),
            drop_off=D("0.25"),
            duration_years=5,
        ),
        outcome(
            line=3,
            quantity=D(15),
            financial_proxy=D(2500),
            displacement=D("0.1"),
            drop_off=D("0.5"),
            duration_years=3,
            starts_year=2,
        ),
    ]
    inputs = D(100000)  # total PV is about 1.2 times this; neither outcome alone reaches it
    checked = 0
    for s in sroi.switching_values(rows, inputs=inputs, options=options):
        if s.value is None:
            continue
        changed = [
            r if r.line != s.line else Outcome(**{**r.__dict__, s.estimate: s.value}) for r in rows
        ]
        ratio = sroi.present_value(changed, options) / inputs
        assert abs(ratio - 1) < D("1e-12"), s
        checked += 1
    assert checked >= 8


def test_switching_value_is_none_when_no_value_in_range_reaches_one_to_one():
    # The second outcome alone is worth more than the inputs: nothing about the first can
    # bring the ratio down to 1.
    rows = [outcome(line=2), outcome(line=3, quantity=D(100))]
    found = switching(rows, D(5000))
    assert all(found[(2, name)] is None for name in sroi.ESTIMATES)


def test_switching_value_above_central_when_the_ratio_is_below_one():
    found = switching([outcome(quantity=D(10), financial_proxy=D(100))], D(4000))
    assert found[(2, "quantity")] == 40  # needs four times as many
    assert found[(2, "deadweight")] is None  # would need a negative deadweight


# --- ranges: Monte Carlo and tornado ---------------------------------------------------------


def ranged_map() -> list[Outcome]:
    return [
        outcome(
            line=2,
            quantity=D(100),
            financial_proxy=D(250),
            deadweight=D("0.2"),
            drop_off=D("0.3"),
            duration_years=3,
            ranges={"quantity": (D(80), D(130)), "deadweight": (D("0.1"), D("0.4"))},
        ),
        outcome(
            line=3,
            quantity=D(20),
            financial_proxy=D(3000),
            attribution=D("0.3"),
            ranges={"attribution": (D("0.2"), D("0.5"))},
        ),
    ]


def test_monte_carlo_is_reproducible_with_a_seed():
    first = sroi.simulate(ranged_map(), inputs=D(40000), draws=2000, seed=7)
    again = sroi.simulate(ranged_map(), inputs=D(40000), draws=2000, seed=7)
    other = sroi.simulate(ranged_map(), inputs=D(40000), draws=2000, seed=8)
    assert first == again
    assert first != other
    assert first.ratio.p5 < first.ratio.p50 < first.ratio.p95
    assert first.present_value.p5 < first.present_value.p95
    assert first.net_present_value.p50 == first.present_value.p50 - 40000


def test_monte_carlo_median_is_near_the_central_ratio_for_symmetric_ranges():
    rows = [outcome(quantity=D(100), financial_proxy=D(100), ranges={"quantity": (D(80), D(120))})]
    result = sroi.simulate(rows, inputs=D(5000), options=NO_DISCOUNT, draws=20000, seed=3)
    assert abs(result.ratio.p50 - 2) < D("0.02")
    assert D("1.6") <= result.ratio.p5 < 2 < result.ratio.p95 <= D("2.4")


def test_no_range_without_ranged_estimates_and_degenerate_ranges_are_fixed():
    assert sroi.simulate([outcome()], inputs=D(100)) is None
    fixed = [outcome(ranges={"quantity": (D(10), D(10))})]
    result = sroi.simulate(fixed, inputs=D(500), options=NO_DISCOUNT, draws=100, seed=1)
    assert result.ratio.p5 == result.ratio.p95 == 2


def test_simulation_agrees_with_the_exact_calculation_at_central_values():
    rows = [
        outcome(
            quantity=D(100),
            financial_proxy=D(250),
            deadweight=D("0.2"),
            drop_off=D("0.3"),
            duration_years=4,
            starts_year=2,
            ranges={"quantity": (D(100), D(100))},
        )
    ]
    pvs = sroi.simulate_present_values(rows, options=Options(), draws=5, seed=1)
    exact = sroi.present_value(rows, Options())
    assert all(abs(D(repr(float(v))) - exact) < D("0.000001") for v in pvs)


def test_draws_are_bounded():
    with pytest.raises(ValueError):
        sroi.simulate(ranged_map(), inputs=D(1), draws=0)
    with pytest.raises(ValueError):
        sroi.simulate(ranged_map(), inputs=D(1), draws=sroi.MAX_DRAWS + 1)


def test_tornado_gives_the_ratio_at_each_low_and_high_with_the_rest_central():
    rows = [
        outcome(
            quantity=D(100),
            financial_proxy=D(100),
            ranges={"quantity": (D(50), D(150)), "deadweight": (D(0), D("0.1"))},
        )
    ]
    bars = sroi.tornado(rows, inputs=D(5000), options=NO_DISCOUNT)
    assert [b.estimate for b in bars] == ["quantity", "deadweight"]  # biggest swing first
    assert (bars[0].ratio_at_low, bars[0].ratio_at_high) == (D(1), D(3))
    assert (bars[1].ratio_at_low, bars[1].ratio_at_high) == (D(2), D("1.8"))


def test_report_json_has_every_required_key():
    report = sroi.run(ranged_map(), inputs=D(40000), draws=500, seed=1)
    data = sroi.report_to_dict(report)
    for key in (
        "present_value",
        "net_present_value",
        "ratio",
        "net_ratio",
        "payback_months",
        "by_year",
        "by_outcome",
        "by_agency",
        "switching_values",
        "range",
        "tornado",
    ):
        assert key in data
    assert set(data["range"]["ratio"]) == {"p5", "p50", "p95"}
    assert len(data["switching_values"]) == 2 * len(sroi.ESTIMATES)
    assert data["present_value"] == float(report.result.present_value.quantize(D("0.01")))
    without = sroi.report_to_dict(sroi.run([outcome()], inputs=D(100)))
    assert "range" not in without and "tornado" not in without
    assert "SROI ratio" in sroi.report_to_text(report)


# --- reading a map ----------------------------------------------------------------------------

HEADER = (
    "outcome,stakeholder,quantity,financial_proxy,deadweight,displacement,attribution,"
    "drop_off,duration_years,starts_year"
)


def test_reads_a_map_with_agency_ranges_percentages_and_pounds():
    text = (
        HEADER + ",agency,low_deadweight,high_deadweight\n"
        'Fewer A&E visits,Residents,"1,200",£242,20%,0,0.1,0.5,3,1,nhs,0.1,0.3\n'
        "\n"
        "Less isolation,Residents,40,1000,0.3,0,0.2,0.25,2,2,,,\n"
    )
    rows = sroi.read_map_csv("\ufeff" + text)
    assert [r.line for r in rows] == [2, 4]
    assert rows[0].quantity == 1200 and rows[0].financial_proxy == 242
    assert rows[0].deadweight == D("0.2") and rows[0].agency == "nhs"
    assert rows[0].ranges == {"deadweight": (D("0.1"), D("0.3"))}
    assert rows[1].ranges == {} and rows[1].starts_year == 2


def problems_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(sroi.MapInvalid) as caught:
        sroi.read_map_csv(text)
    return [(p.line, p.message) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 1, "empty"),
        ("   \n", 1, "empty"),
        (HEADER + "\n", 2, "no rows"),
        ("outcome,stakeholder,quantity\nA,B,1\n", 1, "missing columns: financial_proxy"),
        (HEADER + "\nA,B,10,100,1.2,0,0,0,1,1\n", 2, "deadweight 1.2 is outside 0 to 1"),
        (HEADER + "\nA,B,-3,100,0,0,0,0,1,1\n", 2, "quantity -3 is negative"),
        (HEADER + "\nA,B,ten,100,0,0,0,0,1,1\n", 2, "quantity 'ten' is not a number"),
        (HEADER + "\nA,B,10,NaN,0,0,0,0,1,1\n", 2, "not a finite number"),
        (HEADER + "\nA,B,10,100,0,0,0,0,0,1\n", 2, "duration (years) must be a whole number"),
        (HEADER + "\nA,B,10,100,0,0,0,0,1,1.5\n", 2, "starts in year must be a whole number"),
        (HEADER + "\n,B,10,100,0,0,0,0,1,1\n", 2, "outcome is blank"),
        (HEADER + "\nA,B,10,,0,0,0,0,1,1\n", 2, "financial proxy is blank"),
        (HEADER + "\nA,B,10,100,0,0,0,0,1,1\nC,D,1,1,0,0,0,2,1,1\n", 3, "drop-off 2"),
        (HEADER + ",low_quantity\nA,B,10,100,0,0,0,0,1,1,5\n", 2, "give both"),
        (
            HEADER + ",low_quantity,high_quantity\nA,B,10,100,0,0,0,0,1,1,12,20\n",
            2,
            "low <= central <= high",
        ),
        (HEADER + ",low_colour\nA,B,10,100,0,0,0,0,1,1,5\n", 1, "unknown range column"),
        (HEADER + "\nA,B,10,100,0,0,0,0,1,1,extra\n", 2, "more cells"),
    ],
)
def test_bad_maps_are_refused_with_the_line_and_reason(text, line, fragment):
    problems = problems_of(text)
    assert any(found_line == line and fragment in message for found_line, message in problems), (
        problems
    )


def test_every_bad_row_is_reported_at_once():
    text = HEADER + "\nA,B,-1,100,0,0,0,0,1,1\nC,D,1,1,0,0,0,0,1,1\nE,F,1,x,0,0,0,0,1,1\n"
    assert [line for line, _ in problems_of(text)] == [2, 4]
