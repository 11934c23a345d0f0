"""The breadth metrics against small cases worked out by hand."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from placebase.engagement import metrics


def test_gini_hand_cases():
    # Sorted x = 1,2,3,4: 2·(1+4+9+16)/(4·10) − 5/4 = 1.5 − 1.25.
    assert metrics.gini([4, 1, 3, 2]) == pytest.approx(0.25)
    # One person made everything: (n−1)/n.
    assert metrics.gini([0, 0, 0, 10]) == pytest.approx(0.75)
    assert metrics.gini([5, 5, 5]) == pytest.approx(0.0)
    assert metrics.gini([0, 0]) is None
    assert metrics.gini([]) is None


def test_gini_rejects_negative_values():
    with pytest.raises(ValueError):
        metrics.gini([3, -1])


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=60)
@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=60))
def test_gini_stays_between_zero_and_its_maximum(values):
    g = metrics.gini(values)
    if sum(values) == 0:
        assert g is None
    else:
        n = len(values)
        assert -1e-9 <= g <= (n - 1) / n + 1e-9


def test_top_share_takes_the_top_tenth_rounded_up():
    # Ten participants: the top 10% is one person, who made 10 of 20.
    assert metrics.top_share([10, 1, 1, 1, 1, 1, 1, 1, 1, 2]) == pytest.approx(0.5)
    # Eleven participants: ⌈1.1⌉ = 2 people, who made 9 + 5 = 14 of 20.
    assert metrics.top_share([9, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0]) == pytest.approx(14 / 20)
    # Fewer than ten people: still the single most active one.
    assert metrics.top_share([3, 1]) == pytest.approx(0.75)
    assert metrics.top_share([0, 0, 0]) is None
    assert metrics.top_count(0) == 0
    assert metrics.top_count(20) == 2


def test_representation_ratio_is_share_over_share():
    participants = {1: 1, 2: 3, 3: 2, 4: 2, 5: 2}
    population = {1: 100.0, 2: 100.0, 3: 100.0, 4: 100.0, 5: 100.0}
    ratios = metrics.representation_ratios(participants, population)
    assert ratios[1] == pytest.approx(0.5)  # 10% of participants, 20% of residents
    assert ratios[2] == pytest.approx(1.5)
    # A group with no residents gets no ratio rather than a division by zero.
    assert metrics.representation_ratios({1: 2}, {1: 0.0, 2: 10.0}) == {1: None, 2: 0.0}
    assert metrics.representation_ratios({1: 0}, {1: 10.0}) == {1: None}


def test_quintile_from_decile():
    assert [metrics.quintile_from_decile(d) for d in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    with pytest.raises(ValueError):
        metrics.quintile_from_decile(0)


def test_breadth_compute_all_figures_and_alerts():
    b = metrics.breadth_compute(
        participations=[3, 1, 1, 2, 1],
        contributions=[8, 1, 0, 1, 0],
        first_time=[False, True, False, False, False],
        age_bands=["65_plus", "65_plus", "50_64", "16_24", None],
        quintiles=[5, 5, 4, 1, None],
        population=2500,
        population_by_age_band={"16_24": 500, "50_64": 500, "65_plus": 500, "25_34": 1000},
        population_by_quintile={1: 1000, 4: 500, 5: 1000},
    )
    assert b.participants == 5
    assert b.participations == 8
    assert b.contributions == 10
    assert b.per_thousand == pytest.approx(2.0)
    assert b.top_count == 1 and b.top_contributions == 8
    assert b.top_share == pytest.approx(0.8)
    # Sorted 0,0,1,1,8: 2·(3+4+40)/(5·10) − 6/5 = 1.88 − 1.2.
    assert b.gini == pytest.approx(0.68)
    assert b.repeaters == 2 and b.repeat_rate == pytest.approx(0.4)
    assert b.first_timers == 1 and b.first_timer_share == pytest.approx(0.2)
    assert b.by_age_band["65_plus"] == 2
    # 65+: 2 of 4 banded participants (50%) against 500 of 2500 residents (20%).
    assert b.age_band_ratios["65_plus"] == pytest.approx(2.5)
    # Most deprived quintile: 1 of 4 (25%) against 1000 of 2500 (40%).
    assert b.quintile_ratios[1] == pytest.approx(0.625)
    assert {a.code for a in b.alerts} == {
        "engagement.alert.top_share",
        "engagement.alert.most_deprived",
        "engagement.alert.first_timers",
    }


def test_no_alerts_at_the_thresholds_themselves():
    # Top 10% exactly half, first-timers exactly a quarter, most deprived ratio exactly 0.8.
    b = metrics.breadth_compute(
        participations=[1, 1, 1, 1],
        contributions=[3, 1, 1, 1],
        first_time=[True, False, False, False],
        quintiles=[1, 1, 1, 1],  # all in quintile 1 ...
        population_by_quintile={1: 1.0, 2: 0.25},  # ... against 0.8 of the population
    )
    assert b.top_share == pytest.approx(0.5)
    assert b.first_timer_share == pytest.approx(0.25)
    assert b.quintile_ratios[1] == pytest.approx(1.25)
    assert b.alerts == []
    assert metrics.breadth_compute(
        participations=[1, 1],
        contributions=[1, 1],
        first_time=[True, True],
        quintiles=[2, 2],
        population_by_quintile={1: 1.0, 2: 1.0},
    ).quintile_ratios[1] == pytest.approx(0.0)


def test_breadth_of_nobody_is_empty_not_an_error():
    b = metrics.breadth_compute(participations=[], contributions=[], first_time=[])
    assert b.participants == 0
    assert b.top_share is None and b.gini is None and b.repeat_rate is None
    assert b.per_thousand is None
    assert b.alerts == []


def test_arrays_must_match():
    with pytest.raises(ValueError):
        metrics.breadth_compute(participations=[1, 2], contributions=[1], first_time=[True])
