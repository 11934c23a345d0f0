"""Breadth and representativeness of engagement: pure arithmetic, no Django.

Selectors aggregate in the database down to one row per participant (how many times they
took part and how many contributions they made in the scope, whether the scope holds their
first ever participation, their age band and the deprivation quintile of their home LSOA) and
hand those arrays here. Keeping the maths pure lets tests check every figure against small
cases worked by hand, and lets the benchmark run the same code as the product.

Definitions (also in docs/how-to/engagement-and-councillors.md):

- participants per 1,000 residents = distinct participants / population × 1,000;
- top-10% share = contributions made by the ⌈10% × participants⌉ participants who contributed
  most, over all contributions (participants with no contribution count as participants);
- Gini coefficient of contributions per participant, 0 (everyone equal) to (n−1)/n (one
  person made every contribution): G = 2·Σ i·x₍ᵢ₎ / (n·Σx) − (n+1)/n with x sorted ascending;
- repeat-participation rate = participants who took part two or more times in the scope /
  participants;
- first-timer share = participants whose first recorded participation lies in the scope /
  participants;
- representation ratio of a group = its share of participants / its share of the population.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

# Alert thresholds from the issue.
TOP_SHARE_ALERT_ABOVE = 0.5
MOST_DEPRIVED_RATIO_ALERT_BELOW = 0.8
FIRST_TIMER_ALERT_BELOW = 0.25
TOP_FRACTION = 0.1

# Census 2021 age bands, as published for LSOAs (TS007A grouped into six bands).
AGE_BANDS: list[tuple[str, str]] = [
    ("0_15", "15 and under"),
    ("16_24", "16 to 24"),
    ("25_34", "25 to 34"),
    ("35_49", "35 to 49"),
    ("50_64", "50 to 64"),
    ("65_plus", "65 and over"),
]
# IoD 2025 quintiles of LSOAs in England: 1 is the most deprived fifth.
QUINTILES: list[tuple[int, str]] = [
    (1, "1 (most deprived)"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5 (least deprived)"),
]
MOST_DEPRIVED_QUINTILE = 1


def quintile_from_decile(decile: int) -> int:
    """IoD deciles 1–2 are quintile 1, 3–4 quintile 2, and so on."""
    if not 1 <= decile <= 10:
        raise ValueError(f"an IoD decile runs from 1 to 10, not {decile}")
    return (decile + 1) // 2


def per_thousand(count: int, population: float | None) -> float | None:
    if not population or population <= 0:
        return None
    return count * 1000 / population


def top_share(
    contributions: Sequence[int] | np.ndarray, fraction: float = TOP_FRACTION
) -> float | None:
    """Share of all contributions made by the top `fraction` of participants (at least one)."""
    values = np.asarray(contributions, dtype=np.int64)
    total = int(values.sum())
    if values.size == 0 or total == 0:
        return None
    k = max(1, math.ceil(fraction * values.size - 1e-9))
    # np.partition finds the k largest without a full sort: fast on large arrays.
    largest = np.partition(values, values.size - k)[values.size - k :]
    return int(largest.sum()) / total


def top_count(n_participants: int, fraction: float = TOP_FRACTION) -> int:
    return max(1, math.ceil(fraction * n_participants - 1e-9)) if n_participants else 0


def gini(values: Sequence[int] | np.ndarray) -> float | None:
    """Gini coefficient of non-negative values; None when there is nothing to share."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = x.size
    total = float(x.sum())
    if n == 0 or total == 0:
        return None
    if (x < 0).any():
        raise ValueError("contributions cannot be negative")
    ranks = np.arange(1, n + 1, dtype=np.float64)
    return float(2.0 * (ranks * x).sum() / (n * total) - (n + 1) / n)


def share(count: int, of: int) -> float | None:
    return count / of if of else None


def representation_ratios[K](
    participants: Mapping[K, int], population: Mapping[K, float]
) -> dict[K, float | None]:
    """Each group's share of participants over its share of the population.

    None for a group with no population (a ratio would be meaningless) or when nobody took
    part at all.
    """
    total_participants = sum(participants.values())
    total_population = sum(v for v in population.values() if v and v > 0)
    ratios: dict[K, float | None] = {}
    for key in population:
        pop = population.get(key) or 0
        if total_participants == 0 or total_population == 0 or pop <= 0:
            ratios[key] = None
            continue
        ratios[key] = (participants.get(key, 0) / total_participants) / (pop / total_population)
    return ratios


@dataclass(frozen=True)
class Alert:
    code: str
    message: str


@dataclass
class Breadth:
    """The breadth figures for one scope, with the counts they came from (for disclosure)."""

    participants: int
    participations: int
    contributions: int
    population: float | None
    per_thousand: float | None
    top_count: int
    top_contributions: int
    top_share: float | None
    gini: float | None
    repeaters: int
    repeat_rate: float | None
    first_timers: int
    first_timer_share: float | None
    by_age_band: dict[str, int] = field(default_factory=dict)
    population_by_age_band: dict[str, float] = field(default_factory=dict)
    age_band_ratios: dict[str, float | None] = field(default_factory=dict)
    by_quintile: dict[int, int] = field(default_factory=dict)
    population_by_quintile: dict[int, float] = field(default_factory=dict)
    quintile_ratios: dict[int, float | None] = field(default_factory=dict)
    alerts: list[Alert] = field(default_factory=list)


def breadth_compute(
    *,
    participations: Sequence[int] | np.ndarray,
    contributions: Sequence[int] | np.ndarray,
    first_time: Sequence[bool] | np.ndarray,
    age_bands: Iterable[str | None] = (),
    quintiles: Iterable[int | None] = (),
    population: float | None = None,
    population_by_age_band: Mapping[str, float] | None = None,
    population_by_quintile: Mapping[int, float] | None = None,
) -> Breadth:
    """All breadth figures from one row per participant (equal-length arrays)."""
    n_times = np.asarray(participations, dtype=np.int64)
    contrib = np.asarray(contributions, dtype=np.int64)
    first = np.asarray(first_time, dtype=bool)
    n = int(n_times.size)
    if contrib.size != n or first.size != n:
        raise ValueError("one value per participant is needed in every array")
    total_contrib = int(contrib.sum())
    k = top_count(n)
    top_contrib = int(np.partition(contrib, n - k)[n - k :].sum()) if n else 0
    repeaters = int((n_times >= 2).sum())
    first_timers = int(first.sum())

    by_age = {code: 0 for code, _ in AGE_BANDS}
    for band in age_bands:
        if band in by_age:
            by_age[band] += 1
    by_q = {q: 0 for q, _ in QUINTILES}
    for q in quintiles:
        if q in by_q:
            by_q[q] += 1
    pop_age = {code: float((population_by_age_band or {}).get(code, 0)) for code, _ in AGE_BANDS}
    pop_q = {q: float((population_by_quintile or {}).get(q, 0)) for q, _ in QUINTILES}
    result = Breadth(
        participants=n,
        participations=int(n_times.sum()),
        contributions=total_contrib,
        population=population,
        per_thousand=per_thousand(n, population),
        top_count=k,
        top_contributions=top_contrib,
        top_share=(top_contrib / total_contrib) if total_contrib else None,
        gini=gini(contrib),
        repeaters=repeaters,
        repeat_rate=share(repeaters, n),
        first_timers=first_timers,
        first_timer_share=share(first_timers, n),
        by_age_band=by_age,
        population_by_age_band=pop_age,
        age_band_ratios=representation_ratios(by_age, pop_age),
        by_quintile=by_q,
        population_by_quintile=pop_q,
        quintile_ratios=representation_ratios(by_q, pop_q),
    )
    result.alerts = alerts_for(result)
    return result


def alerts_for(breadth: Breadth) -> list[Alert]:
    """The warnings the issue asks for. A figure that cannot be worked out raises no alert."""
    alerts = []
    if breadth.top_share is not None and breadth.top_share > TOP_SHARE_ALERT_ABOVE:
        alerts.append(
            Alert(
                "engagement.alert.top_share",
                f"The most active 10% of participants made {breadth.top_share:.0%} of the "
                "contributions: more than half. Are the same few voices dominating?",
            )
        )
    ratio = breadth.quintile_ratios.get(MOST_DEPRIVED_QUINTILE)
    if ratio is not None and ratio < MOST_DEPRIVED_RATIO_ALERT_BELOW:
        alerts.append(
            Alert(
                "engagement.alert.most_deprived",
                f"People from the most deprived fifth of neighbourhoods took part at "
                f"{ratio:.2f} times their share of the population (below 0.8).",
            )
        )
    if (
        breadth.first_timer_share is not None
        and breadth.first_timer_share < FIRST_TIMER_ALERT_BELOW
    ):
        alerts.append(
            Alert(
                "engagement.alert.first_timers",
                f"Only {breadth.first_timer_share:.0%} of participants were taking part for the "
                "first time (below a quarter).",
            )
        )
    return alerts
