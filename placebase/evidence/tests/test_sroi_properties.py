"""Properties of the calculator over wide input spaces (hypothesis)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from placebase.evidence import sroi
from placebase.evidence.sroi import Options, Outcome
from placebase.evidence.valuation import DiscountSchedule, FirstYear

fractions = st.decimals(min_value=0, max_value=1, places=3)
amounts = st.decimals(min_value=0, max_value=100_000, places=2)
options = st.builds(
    Options,
    discount=st.one_of(
        st.just(Options().discount),
        st.decimals(min_value=0, max_value="0.2", places=3).map(DiscountSchedule.flat),
    ),
    first_year=st.sampled_from(list(FirstYear)),
)
outcomes = st.builds(
    Outcome,
    outcome=st.just("Outcome"),
    stakeholder=st.just("Residents"),
    quantity=amounts,
    financial_proxy=amounts,
    deadweight=fractions,
    displacement=fractions,
    attribution=fractions,
    drop_off=fractions,
    duration_years=st.integers(min_value=1, max_value=40),
    starts_year=st.integers(min_value=1, max_value=3),
)
maps = st.lists(outcomes, min_size=1, max_size=4)


@settings(max_examples=100, deadline=None)
@given(
    maps,
    st.integers(min_value=0, max_value=3),
    st.sampled_from(sorted(sroi.FRACTIONS)),
    fractions,
    options,
)
def test_the_ratio_never_rises_when_a_reducing_factor_rises(rows, index, name, raised, opts):
    index = index % len(rows)
    before = rows[index]
    higher = max(getattr(before, name), raised)
    changed = list(rows)
    changed[index] = Outcome(**{**before.__dict__, name: higher})
    inputs = Decimal(1000)
    old = sroi.calculate(rows, inputs=inputs, options=opts).ratio
    new = sroi.calculate(changed, inputs=inputs, options=opts).ratio
    assert new <= old + Decimal("1e-18") * max(old, Decimal(1))


@settings(max_examples=100, deadline=None)
@given(
    outcomes,
    st.integers(min_value=0, max_value=50),
    st.sampled_from(["quantity", "financial_proxy"]),
    options,
)
def test_present_value_is_linear_in_quantity_and_proxy(row, factor, name, opts):
    scaled = Outcome(**{**row.__dict__, name: getattr(row, name) * factor})
    base = sroi.present_value([row], opts)
    assert abs(sroi.present_value([scaled], opts) - base * factor) <= Decimal("1e-18") * max(
        base * factor, Decimal(1)
    )


@settings(max_examples=100, deadline=None)
@given(maps, options)
def test_breakdowns_add_up_to_the_present_value(rows, opts):
    result = sroi.calculate(rows, inputs=Decimal(500), options=opts)
    tolerance = Decimal("1e-15") * max(result.present_value, Decimal(1))
    assert abs(sum(y.present_value for y in result.by_year) - result.present_value) <= tolerance
    assert abs(sum(a.present_value for a in result.by_agency) - result.present_value) <= tolerance
    assert result.present_value >= 0
