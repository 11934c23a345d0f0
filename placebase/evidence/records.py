"""Evidence from the records: what case work shows for a place, period and programme, turned into
an impact map for the SROI calculator.

Reads only aggregates (counts by service type and month, sums of wellbeing change): no personal
data leaves this module. The method, in the order a report's method statement gives it:

- The cohort is everyone with an introduction in the period (their first in it), whose home is
  in the area, of the programme's organisation. People who had a first conversation are the
  people supported; the others (introduced, not yet supported) are the comparison.
- Crisis and statutory service use in the 12 months before introduction is set beside the rate
  after it (up to 12 months, to the day the records are read to), annualised over the
  person-months observed. The reduction, in events a year across the people supported, is the
  quantity of each fiscal outcome; its range is +-1.96 standard errors (events as Poisson counts).
- Deadweight is what the comparison group says would have happened anyway, matched on prior
  use: both groups are split by crisis use in the year before introduction (0, 1, 2-3, 4-7, 8
  or more events) and whether any fell in the last three months (introduced at a crisis), and
  in each stratum the supported people are given the comparison's rate of use after
  introduction. Deadweight is that expected fall over the actual one, pooled over all service
  types (per type, a small comparison is too noisy). When the comparison is small or matches
  under half the people supported, the stated assumption stands in. Attribution, displacement
  and drop-off are stated parameters.
- Each unit cost is uprated to the report's price year with the GDP deflator, split across the
  agencies that bear it, and reduced by the optimism-bias correction for its confidence grade.
- "Avoided or delayed" records count once each, and only where the person's before/after does
  not already cover that service type; their correction uses the worse of the record's and the
  cost's confidence grades.
- Wellbeing: the change in ONS4 life satisfaction from introduction to the latest assessment, in
  WELLBYs (one point for one person for one year), valued at the WELLBY value uprated. Its
  deadweight is the comparison's change, matched on the first score's ONS band (low 0-4,
  medium 5-6, high 7-8, very high 9-10), when the comparison has enough pairs of scores.
- Inputs: programme costs falling in the period (pro rata by day) and volunteer time at the
  central hourly rate. Volunteer time is an input and volunteers' wellbeing an outcome; they are
  never netted off. The net fiscal return compares fiscal outcomes with cash costs only.
"""

import datetime as dt
import hashlib
import json
import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Case, IntegerField, Max, Min, QuerySet, Value, When

from placebase.core.money import Money

from . import sroi
from .models import Agency, CostKind, Forecast, ProgrammeCost, UnitCost
from .valuation import Parameters

# Bumped when the method changes what the same records give: a report keeps the version it
# was made with, and a re-run under another version says so rather than "the records moved".
METHOD_VERSION = 2  # 2: deadweight from a comparison matched on prior use (1: pooled)
ZERO = Decimal(0)
ONE = Decimal(1)
Z95 = Decimal("1.96")
DAYS_PER_MONTH = 30.4375
WINDOW_DAYS = 365
MONTHS = 24  # months -12 .. 11 from introduction
EVENT_CHUNK = 200_000  # events streamed at a time on SQLite (see _read_events)
CRISIS_SHARE_WARNING = 0.4  # an even spread puts 3/12 = 0.25 of the year's use in its last 3 months
MIN_PEOPLE = 30
MIN_FOLLOW_UP_MONTHS = 6
RECENT_DAYS = 91  # "at a crisis": any use in the last three months before introduction
MIN_MATCHED_SHARE = 0.5  # below this share of people supported matched, deadweight is assumed
WELLBEING_AGENCY = "people"  # "agency" of a wellbeing outcome: whose lives are better
VOLUNTEER_AGENCY = "volunteers"
WELLBEING_AGENCIES = frozenset({WELLBEING_AGENCY, VOLUNTEER_AGENCY})
PERSON_RECORD_TYPE = "casework.person"
LIFE_SATISFACTION = "life_satisfaction"
PLACES = Decimal("0.0001")


class EvidenceUnavailable(ValueError):
    """The records cannot support a report as asked (no one in the cohort, no costs...)."""


def _d(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _q(value: Decimal) -> str:
    return str(value.quantize(PLACES, ROUND_HALF_UP))


@dataclass(frozen=True)
class Assumptions:
    """The stated parameters a report from records needs beyond the versioned ones."""

    attribution: Decimal = Decimal("0.25")
    attribution_low: Decimal = Decimal("0.10")
    attribution_high: Decimal = Decimal("0.40")
    deadweight: Decimal = Decimal("0.25")  # used when the comparison is too small
    deadweight_low: Decimal = Decimal("0.10")
    deadweight_high: Decimal = Decimal("0.40")
    displacement: Decimal = ZERO
    drop_off: Decimal = Decimal("0.50")
    drop_off_low: Decimal = Decimal("0.33")
    drop_off_high: Decimal = Decimal("0.75")
    duration_years: int = 1
    min_comparison: int = 20

    def __post_init__(self) -> None:
        for name in ("attribution", "deadweight", "drop_off"):
            low, central, high = (getattr(self, f"{name}{s}") for s in ("_low", "", "_high"))
            if not ZERO <= low <= central <= high <= ONE:
                raise ValueError(f"{name}: need 0 ≤ low ≤ central ≤ high ≤ 1")
        if not ZERO <= self.displacement <= ONE:
            raise ValueError("displacement must be from 0 to 1")
        if not 1 <= self.duration_years <= 10:
            raise ValueError("duration must be from 1 to 10 years")
        if self.min_comparison < 1:
            raise ValueError("the smallest comparison group must be at least 1")

    def to_dict(self) -> dict[str, str | int]:
        return {k: (v if isinstance(v, int) else str(v)) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> "Assumptions":
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in values:
                raw = values[f.name]
                kwargs[f.name] = int(raw) if f.type in (int, "int") else _d(raw)
        return cls(**kwargs)

    def range_of(self, name: str) -> tuple[Decimal, Decimal]:
        return getattr(self, f"{name}_low"), getattr(self, f"{name}_high")


@dataclass(frozen=True)
class CostUsed:
    """One unit-cost version a report values a service type with."""

    unit_cost_id: str
    code: str
    version: int
    service_type_id: str
    item: str
    value: Decimal
    price_year: int
    grade: int
    source: str
    shares: tuple[tuple[str, Decimal], ...]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["value"] = str(self.value)
        data["shares"] = [[a, str(s)] for a, s in self.shares]
        return data


def costs_used(unit_costs: Iterable[UnitCost]) -> dict[str, CostUsed]:
    """{service type id: cost} from unit-cost rows (with their shares prefetched)."""
    found = {}
    for cost in unit_costs:
        if cost.service_type_id is None:
            continue
        found[str(cost.service_type_id)] = CostUsed(
            unit_cost_id=str(cost.pk),
            code=cost.code,
            version=cost.version,
            service_type_id=str(cost.service_type_id),
            item=cost.item,
            value=cost.value,
            price_year=cost.value_price_year,
            grade=cost.confidence_grade,
            source=cost.source,
            shares=tuple((s.agency, s.share) for s in cost.shares.all()),
        )
    return found


# --- reading the records ----------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    area_id: Any  # a places Area id, or None for everywhere
    organisation_id: Any  # the programme's organisation, or None for all
    period_start: dt.date
    period_end: dt.date
    as_of: dt.date


def _cohort(scope: Scope) -> QuerySet[Any]:
    """(person_id, first_on, supported) for each person introduced in the period."""
    from placebase.casework.models import Introduction
    from placebase.places.models import AreaMembership

    intros = Introduction.objects.filter(
        introduced_on__gte=scope.period_start,
        introduced_on__lte=min(scope.period_end, scope.as_of),
    )
    if scope.organisation_id is not None:
        intros = intros.filter(organisation_id=scope.organisation_id)
    if scope.area_id is not None:
        intros = intros.filter(
            person_id__in=AreaMembership.objects.filter(
                record_type=PERSON_RECORD_TYPE, area_id=scope.area_id
            ).values("record_id")
        )
    return (
        intros.order_by()
        .values("person_id")
        .annotate(
            first_on=Min("introduced_on"),
            supported=Max(
                Case(
                    When(first_conversation_on__isnull=False, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            ),
        )
    )


def _windowed(cohort_sql: str) -> str:
    """The cohort with each person's windows worked out once, so the big tables are filtered
    by plain date comparisons on their indexes: `lo`/`hi` bound the year either side of
    introduction, `wb_lo` the first assessment (up to a month before), `r_lo` the last three
    months before introduction, and `jd` (SQLite) is the introduction day as a day number."""
    if connection.vendor == "postgresql":
        return (
            "SELECT person_id, supported, first_on, first_on - 365 AS lo, "  # noqa: S608
            f"first_on + 365 AS hi, first_on - 31 AS wb_lo, first_on - {RECENT_DAYS} AS r_lo "
            f"FROM ({cohort_sql}) cohort"
        )
    return (
        "SELECT person_id, supported, first_on, julianday(first_on) AS jd, "  # noqa: S608
        "date(first_on, '-365 days') AS lo, date(first_on, '+365 days') AS hi, "
        f"date(first_on, '-31 days') AS wb_lo, date(first_on, '-{RECENT_DAYS} days') AS r_lo "
        f"FROM ({cohort_sql}) cohort"
    )


def _month(day: str) -> str:
    """SQL for the month (-12 .. 11) from introduction that a day in the window falls in."""
    if connection.vendor == "postgresql":
        shifted = f"(({day} - c.first_on) + 365.25) / {DAYS_PER_MONTH}"
        return f"(CAST(FLOOR({shifted}) AS INTEGER) - 12)"
    shifted = f"(julianday({day}) - c.jd + 365.25) / {DAYS_PER_MONTH}"
    return f"(CAST({shifted} AS INTEGER) - 12)"  # non-negative, so truncation is floor


def _life_satisfaction(answers: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST({answers} ->> '{LIFE_SATISFACTION}' AS DOUBLE PRECISION)"
    return f"json_extract({answers}, '$.{LIFE_SATISFACTION}')"


def _date_param() -> str:
    """A date parameter's placeholder (PostgreSQL needs its type to compare it)."""
    return "CAST(%s AS DATE)" if connection.vendor == "postgresql" else "%s"


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


@dataclass
class RecordFigures:
    """Every figure a report takes from the records (aggregates only); hashed for reruns."""

    people: dict[int, int] = field(default_factory=dict)  # supported flag -> people
    follow_up_days: dict[int, int] = field(default_factory=dict)  # supported -> sum of days
    follow_up_months: dict[int, list[int]] = field(default_factory=dict)  # observed per month
    median_follow_up_days: int = 0
    # (supported, stratum, people, follow-up days, events before, events after): see _stratum
    strata: list[tuple[int, int, int, int, int, int]] = field(default_factory=list)
    events: list[tuple[str, int, int, int]] = field(default_factory=list)  # type, sup, m, n
    avoided: list[tuple[str, int, int]] = field(default_factory=list)  # type, grade, n
    wellbeing: dict[int, tuple[int, float, float]] = field(default_factory=dict)  # n, sum, sumsq
    # (supported, first score's ONS band, n, sum, sum of squares): see _read_wellbeing
    wellbeing_strata: list[tuple[int, int, int, float, float]] = field(default_factory=list)
    by_area: list[tuple[str, str, str, int]] = field(default_factory=list)  # id, code, name, n
    volunteer_minutes: int = 0
    volunteers: int = 0
    volunteer_wellbeing: tuple[int, float, float] = (0, 0.0, 0.0)  # n, sum, sum of squares

    def as_json(self) -> dict[str, Any]:
        return {
            "people": {str(k): v for k, v in sorted(self.people.items())},
            "follow_up_days": {str(k): v for k, v in sorted(self.follow_up_days.items())},
            "follow_up_months": {str(k): v for k, v in sorted(self.follow_up_months.items())},
            "median_follow_up_days": self.median_follow_up_days,
            "strata": sorted(self.strata),
            "events": sorted(self.events),
            "avoided": sorted(self.avoided),
            "wellbeing": {
                str(k): [n, round(s, 6), round(q, 6)] for k, (n, s, q) in self.wellbeing.items()
            },
            "wellbeing_strata": [
                [flag, band, n, round(total, 6), round(squares, 6)]
                for flag, band, n, total, squares in sorted(self.wellbeing_strata)
            ],
            "by_area": sorted(self.by_area),
            "volunteer_minutes": self.volunteer_minutes,
            "volunteers": self.volunteers,
            "volunteer_wellbeing": [
                self.volunteer_wellbeing[0],
                round(self.volunteer_wellbeing[1], 6),
                round(self.volunteer_wellbeing[2], 6),
            ],
        }

    def digest(self) -> str:
        text = json.dumps(self.as_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _id(value: Any) -> str:
    """A UUID as text, whether the database gave a UUID, 32 hex digits (SQLite) or text."""
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    # The SQL here is assembled from constants and Django's own SQL for the cohort; every value
    # travels as a parameter. Raw SQL because day arithmetic differs by database.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _follow_up_days(first_on: Any, as_of: dt.date) -> int:
    """Days a person is followed after introduction: to the day records are read to, at most a
    year (the introduction day included)."""
    day = first_on if isinstance(first_on, dt.date) else dt.date.fromisoformat(first_on)
    return min(WINDOW_DAYS, max(0, (as_of - day).days + 1))


def _stratum() -> str:
    """SQL for a person's prior-use stratum, which the comparison is matched on: crisis events
    in the year before introduction in five bands (0, 1, 2-3, 4-7, 8 or more) x 2 + 1 if any
    fell in the last three months (introduced at a crisis, so regression to the mean)."""
    band = (
        "CASE WHEN used_before >= 8 THEN 4 WHEN used_before >= 4 THEN 3 "
        "WHEN used_before >= 2 THEN 2 ELSE used_before END"
    )
    return f"({band}) * 2 + CASE WHEN used_recent > 0 THEN 1 ELSE 0 END"


def _read_cohort(figures: RecordFigures, cohort_sql: str, cohort_params: tuple, scope: Scope):
    """People by group, prior-use stratum and introduction day, with their events before and
    after. Each person's use is summed on the service-use index (three lookups a person), so
    the database returns a few thousand rows; follow-up is worked out from the day."""
    from placebase.casework.models import ServiceUseEvent

    events = _table(ServiceUseEvent)

    def used(since: str, until: str, also: str = "") -> str:
        return (
            f"(SELECT COALESCE(SUM(e.quantity), 0) FROM {events} e "  # noqa: S608
            f"WHERE e.person_id = c.person_id AND e.occurred_on >= {since} "
            f"AND e.occurred_on < {until}{also})"
        )

    per_person = (
        f"SELECT c.supported, c.first_on, {used('c.lo', 'c.first_on')} AS used_before, "  # noqa: S608
        f"{used('c.r_lo', 'c.first_on')} AS used_recent, "
        f"{used('c.first_on', 'c.hi', f' AND e.occurred_on <= {_date_param()}')} AS used_after "
        f"FROM ({_windowed(cohort_sql)}) c"
    )
    rows = _fetch(
        f"WITH p AS MATERIALIZED ({per_person}) "  # noqa: S608
        f"SELECT supported, {_stratum()} AS stratum, first_on, COUNT(*), SUM(used_before), "
        "SUM(used_after) FROM p GROUP BY supported, stratum, first_on",
        (scope.as_of, *cohort_params),
    )
    strata: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    by_flag: dict[int, list[tuple[int, int]]] = defaultdict(list)  # (follow-up days, people)
    for supported, stratum, first_on, people, before, after in rows:
        follow, people = _follow_up_days(first_on, scope.as_of), int(people)
        by_flag[int(supported)].append((follow, people))
        sums = strata[(int(supported), int(stratum))]
        for i, n in enumerate((people, follow * people, int(before), int(after))):
            sums[i] += n
    figures.strata = sorted(
        (flag, stratum, people, days, before, after)
        for (flag, stratum), (people, days, before, after) in strata.items()
    )
    for flag, spans in by_flag.items():
        figures.people[flag] = sum(n for _, n in spans)
        figures.follow_up_days[flag] = sum(d * n for d, n in spans)
        figures.follow_up_months[flag] = [
            sum(n for d, n in spans if d > k * DAYS_PER_MONTH) for k in range(12)
        ]
    supported = sorted(by_flag.get(1, []))
    middle, seen = figures.people.get(1, 0) // 2, 0
    for days, n in supported:  # the median person's follow-up
        seen += n
        if seen > middle:
            figures.median_follow_up_days = days
            break


def _event_key(types: Sequence[Any]) -> tuple[str, list[Any]]:
    """SQL for one small integer per (service type, group, month): type ordinal x 48 +
    supported x 24 + month + 12, with the type ids as parameters."""
    from placebase.evidence.models import ServiceType

    pk = ServiceType._meta.pk
    assert pk is not None
    whens = " ".join("WHEN %s THEN " + str(i) for i in range(len(types)))
    sql = (
        f"(CASE e.service_type_id {whens} END) * {2 * MONTHS} + c.supported * {MONTHS} "
        f"+ {_month('e.occurred_on')} + 12"
    )
    return sql, [pk.get_db_prep_value(t, connection) for t in types]


def _read_events(figures: RecordFigures, cohort_sql: str, cohort_params: tuple, scope: Scope):
    """Events by service type, group and month from introduction. PostgreSQL groups them itself
    (a hash aggregate); SQLite can only group by sorting, which for 2M events costs twice the
    join, so there the keys are streamed out and counted with numpy."""
    from placebase.evidence.models import ServiceType

    types = list(ServiceType.objects.order_by("pk").values_list("pk", flat=True))
    if not types:
        return
    summed = _event_sums_counted if connection.vendor == "sqlite" else _event_sums_grouped
    sums = summed(types, cohort_sql, cohort_params, scope)
    figures.events = [
        (str(types[key // (2 * MONTHS)]), key // MONTHS % 2, key % MONTHS - 12, n)
        for key, n in sorted(sums.items())
        if n
    ]


def _events_joined(select: str, cohort_sql: str) -> str:
    from placebase.casework.models import ServiceUseEvent

    return (
        f"SELECT {select} FROM ({_windowed(cohort_sql)}) c "  # noqa: S608
        f"JOIN {_table(ServiceUseEvent)} e ON e.person_id = c.person_id "
        "AND e.occurred_on >= c.lo AND e.occurred_on < c.hi "
        f"WHERE e.occurred_on <= {_date_param()}"
    )


def _event_sums_grouped(
    types: Sequence[Any], cohort_sql: str, cohort_params: tuple, scope: Scope
) -> dict[int, int]:
    key_sql, key_params = _event_key(types)
    sql = _events_joined(f"{key_sql} AS k, SUM(e.quantity)", cohort_sql) + " GROUP BY k"
    return {int(k): int(n) for k, n in _fetch(sql, (*key_params, *cohort_params, scope.as_of))}


def _event_sums_counted(
    types: Sequence[Any], cohort_sql: str, cohort_params: tuple, scope: Scope
) -> dict[int, int]:
    key_sql, key_params = _event_key(types)
    sql = _events_joined(f"{key_sql}, e.quantity", cohort_sql)
    totals = np.zeros(len(types) * 2 * MONTHS, dtype=np.int64)
    with connection.cursor() as cursor:
        cursor.execute(sql, (*key_params, *cohort_params, scope.as_of))
        while rows := cursor.fetchmany(EVENT_CHUNK):
            pairs = np.fromiter(chain.from_iterable(rows), dtype=np.int64).reshape(-1, 2)
            counted = np.bincount(pairs[:, 0], weights=pairs[:, 1], minlength=totals.size)
            totals += np.rint(counted).astype(np.int64)  # whole numbers, exact in a float
    return {k: int(n) for k, n in enumerate(totals) if n}


def _read_avoided(figures: RecordFigures, cohort_sql: str, cohort_params: tuple, scope: Scope):
    from placebase.casework.models import AvoidedDemand, ServiceUseEvent

    sql = (
        "SELECT a.service_type_id, a.confidence, COUNT(*) "  # noqa: S608
        f"FROM ({_windowed(cohort_sql)}) c "
        f"JOIN {_table(AvoidedDemand)} a ON a.person_id = c.person_id "
        "AND a.recorded_on >= c.first_on AND a.recorded_on < c.hi "
        f"WHERE c.supported = 1 AND a.recorded_on <= {_date_param()} "
        f"AND NOT EXISTS (SELECT 1 FROM {_table(ServiceUseEvent)} e "
        "WHERE e.person_id = a.person_id AND e.service_type_id = a.service_type_id "
        "AND e.occurred_on >= c.lo AND e.occurred_on < c.first_on) "
        "GROUP BY a.service_type_id, a.confidence"
    )
    rows = _fetch(sql, (*cohort_params, scope.as_of))
    figures.avoided = [(_id(t), int(g), int(n)) for t, g, n in rows]


def _read_wellbeing(figures: RecordFigures, cohort_sql: str, cohort_params: tuple, scope: Scope):
    """Life-satisfaction change from the first ONS4 score (from a month before introduction)
    to the latest within the year after, per person, summed by group and by the first score's
    band in the database (window functions, on SQLite and PostgreSQL alike). The bands are the
    ONS thresholds (low 0-4, medium 5-6, high 7-8, very high 9-10): low scores tend to rise
    anyway, so the comparison is matched on them. Only people with two or more scores count."""
    from placebase.casework.models import Assessment, Instrument, InstrumentVersion

    scores = (
        "SELECT a.person_id, c.supported, "  # noqa: S608
        f"{_life_satisfaction('a.answers')} AS score, a.recorded_on, a.created_at "
        f"FROM ({_windowed(cohort_sql)}) c "
        f"JOIN {_table(Assessment)} a ON a.person_id = c.person_id "
        "AND a.recorded_on >= c.wb_lo AND a.recorded_on < c.hi "
        f"JOIN {_table(InstrumentVersion)} v ON v.id = a.instrument_version_id "
        f"JOIN {_table(Instrument)} i ON i.id = v.instrument_id "
        f"WHERE i.code = %s AND a.recorded_on <= {_date_param()}"
    )
    per_person = (  # one window, so one sort: first and last score, position and count
        "SELECT supported, FIRST_VALUE(score) OVER person AS first_score, "  # noqa: S608
        "LAST_VALUE(score) OVER person - FIRST_VALUE(score) OVER person AS change, "
        "ROW_NUMBER() OVER person AS nth, COUNT(*) OVER person AS n "
        f"FROM ({scores}) s WHERE score IS NOT NULL "
        "WINDOW person AS (PARTITION BY person_id ORDER BY recorded_on, created_at "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
    )
    band = (
        "CASE WHEN first_score < 5 THEN 0 WHEN first_score < 7 THEN 1 "
        "WHEN first_score < 9 THEN 2 ELSE 3 END"
    )
    sql = (
        f"SELECT supported, {band} AS band, COUNT(*), SUM(change), "  # noqa: S608
        f"SUM(change * change) FROM ({per_person}) p WHERE nth = 1 AND n > 1 "
        "GROUP BY supported, band"
    )
    rows = _fetch(sql, (*cohort_params, "ons4", scope.as_of))
    figures.wellbeing_strata = sorted(  # sorted, so the totals add up in the same order
        (int(flag), int(band), int(n), float(total), float(squares))
        for flag, band, n, total, squares in rows
    )
    totals: dict[int, tuple[int, float, float]] = {}
    for flag, _, n, total, squares in figures.wellbeing_strata:
        had = totals.get(flag, (0, 0.0, 0.0))
        totals[flag] = (had[0] + n, had[1] + total, had[2] + squares)
    figures.wellbeing = totals


def _read_areas(figures: RecordFigures, cohort: QuerySet[Any]) -> None:
    """People supported by ward (active ward boundaries), for the report's map."""
    from django.db.models import Count

    from placebase.places.models import Area, AreaMembership, BoundarySet, Level

    ward_sets = BoundarySet.objects.filter(level=Level.WARD, is_active=True)
    members = AreaMembership.objects.filter(
        record_type=PERSON_RECORD_TYPE,
        boundary_set__in=ward_sets,
        record_id__in=cohort.filter(supported=1).values("person_id"),
    )
    counts = dict(members.values_list("area_id").annotate(n=Count("id")).order_by())
    areas = Area.objects.filter(pk__in=counts).values_list("pk", "code", "name")
    figures.by_area = [(str(pk), code, name, counts[pk]) for pk, code, name in areas]


def _read_volunteering(figures: RecordFigures, scope: Scope) -> None:
    """Verified volunteer time in the area and period (an input) and those volunteers' own
    life-satisfaction change (an outcome): the two are kept apart, never netted off."""
    from placebase.volunteering.selectors import (
        volunteer_hours_value,
        volunteer_wellbeing_change,
    )

    where = {
        "area": _area(scope.area_id),
        "period_start": scope.period_start,
        "period_end": scope.period_end,
    }
    value = volunteer_hours_value(**where)
    figures.volunteer_minutes = value.minutes
    figures.volunteers = value.volunteers
    change = volunteer_wellbeing_change(**where)
    figures.volunteer_wellbeing = (
        change.people,
        change.sums[LIFE_SATISFACTION],
        change.sums_of_squares[LIFE_SATISFACTION],
    )


def _area(area_id: Any) -> Any:
    if area_id is None:
        return None
    from placebase.places.models import Area

    return Area.objects.get(pk=area_id)


def read_figures(scope: Scope) -> RecordFigures:
    """Everything a report uses from the records, as aggregates."""
    cohort = _cohort(scope)
    cohort_sql, cohort_params = cohort.query.sql_with_params()
    figures = RecordFigures()
    _read_cohort(figures, cohort_sql, cohort_params, scope)
    _read_events(figures, cohort_sql, cohort_params, scope)
    _read_avoided(figures, cohort_sql, cohort_params, scope)
    _read_wellbeing(figures, cohort_sql, cohort_params, scope)
    _read_areas(figures, cohort)
    _read_volunteering(figures, scope)
    return figures


# --- valuing the figures ----------------------------------------------------------------------


@dataclass(frozen=True)
class InputLine:
    label: str
    kind: str
    amount: Decimal  # in the report's price year
    cash: bool  # public money (counts in the net fiscal return), not in kind


@dataclass(frozen=True)
class ServiceUseLine:
    service_type_id: str
    label: str
    before: int
    after: int
    after_annualised: Decimal
    reduction: Decimal
    reduction_low: Decimal
    reduction_high: Decimal
    deadweight: Decimal
    deadweight_basis: str


@dataclass
class Valuation:
    """An impact map built from records or a forecast, with its inputs and notes."""

    outcomes: list[sroi.Outcome] = field(default_factory=list)
    inputs: list[InputLine] = field(default_factory=list)
    service_use: list[ServiceUseLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def cash_inputs(self) -> Decimal:
        return sum((i.amount for i in self.inputs if i.cash), ZERO)

    @property
    def all_inputs(self) -> Decimal:
        return sum((i.amount for i in self.inputs), ZERO)


def uprate(amount: Decimal, *, from_year: int, to_year: int, parameters: Parameters) -> Decimal:
    return parameters.deflator.uprate(Money(amount, from_year), to_year=to_year).amount


def agency_label(code: str) -> str:
    if code == WELLBEING_AGENCY:
        return "People supported (wellbeing)"
    if code == VOLUNTEER_AGENCY:
        return "Volunteers (wellbeing)"
    return dict(Agency.choices).get(code, code)


def _fiscal_outcomes(
    *,
    name: str,
    cost: CostUsed,
    grade: int,
    quantity: Decimal,
    quantity_range: tuple[Decimal, Decimal] | None,
    deadweight: Decimal,
    deadweight_range: tuple[Decimal, Decimal],
    assumptions: Assumptions,
    parameters: Parameters,
    price_year: int,
    line: int,
) -> list[sroi.Outcome]:
    """One outcome per agency that bears the cost, its proxy = its share of the uprated cost
    less the optimism-bias correction for `grade`."""
    value = uprate(cost.value, from_year=cost.price_year, to_year=price_year, parameters=parameters)
    corrected = value * (ONE - parameters.optimism_bias[grade])
    outcomes = []
    for offset, (agency, share) in enumerate(cost.shares):
        ranges: dict[str, tuple[Decimal, Decimal]] = {
            "deadweight": deadweight_range,
            "attribution": assumptions.range_of("attribution"),
        }
        if quantity_range is not None:
            ranges["quantity"] = quantity_range
        if assumptions.duration_years > 1:
            ranges["drop_off"] = assumptions.range_of("drop_off")
        outcomes.append(
            sroi.Outcome(
                outcome=name,
                stakeholder=agency_label(agency),
                quantity=quantity,
                financial_proxy=(corrected * share).quantize(Decimal("0.01"), ROUND_HALF_UP),
                deadweight=deadweight,
                displacement=assumptions.displacement,
                attribution=assumptions.attribution,
                drop_off=assumptions.drop_off,
                duration_years=assumptions.duration_years,
                starts_year=1,
                agency=agency,
                line=line + offset,
                ranges=ranges,
            )
        )
    return outcomes


def _events_by_type(figures: RecordFigures) -> dict[str, dict[int, dict[int, int]]]:
    """{service type: {supported flag: {month: events}}}."""
    table: dict[str, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for type_id, supported, month, n in figures.events:
        table[type_id][supported][month] = table[type_id][supported].get(month, 0) + n
    return table


def _change(months: Mapping[int, int], people: int, follow_days: int) -> tuple[int, int, Decimal]:
    """(before, after, after annualised to every person for 12 months)."""
    before = sum(n for m, n in months.items() if m < 0)
    after = sum(n for m, n in months.items() if m >= 0)
    if follow_days <= 0:
        return before, after, ZERO
    scale = Decimal(people * WINDOW_DAYS) / Decimal(follow_days)
    return before, after, Decimal(after) * scale


def value_figures(
    *,
    figures: RecordFigures,
    costs: Mapping[str, CostUsed],
    labels: Mapping[str, str],
    parameters: Parameters,
    assumptions: Assumptions,
    price_year: int,
    inputs: list[InputLine],
) -> Valuation:
    """The impact map the records support, with its warnings."""
    valuation = Valuation(inputs=list(inputs))
    people = figures.people.get(1, 0)
    comparison = figures.people.get(0, 0)
    if people == 0:
        raise EvidenceUnavailable(
            "No one was introduced and supported in this area and period, so there is nothing "
            "to value. Choose a wider area or a longer period."
        )
    use_comparison = comparison >= assumptions.min_comparison
    if not use_comparison:
        valuation.warnings.append(
            f"The comparison group (people introduced but not yet supported) has {comparison} "
            f"people, fewer than {assumptions.min_comparison}: deadweight is the stated "
            f"assumption of {assumptions.deadweight}, not measured."
        )
    table = _events_by_type(figures)
    deadweight, dw_range, basis, why = _matched_deadweight(figures, assumptions, use_comparison)
    if why:
        (valuation.notes if basis != "assumed" else valuation.warnings).append(why)
    line = 1
    crisis_before = total_before = 0
    for type_id in sorted(table, key=lambda t: labels.get(t, t)):
        months = table[type_id]
        before, after, annualised = _change(
            months.get(1, {}), people, figures.follow_up_days.get(1, 0)
        )
        crisis_before += sum(n for m, n in months.get(1, {}).items() if -3 <= m < 0)
        total_before += before
        reduction = Decimal(before) - annualised
        scale = (
            Decimal(people * WINDOW_DAYS) / Decimal(figures.follow_up_days[1])
            if figures.follow_up_days.get(1)
            else ZERO
        )
        spread = Z95 * _d(math.sqrt(before + float(Decimal(after) * scale * scale)))
        label = labels.get(type_id, type_id)
        valuation.service_use.append(
            ServiceUseLine(
                type_id,
                label,
                before,
                after,
                annualised,
                reduction,
                reduction - spread,
                reduction + spread,
                deadweight,
                basis,
            )
        )
        cost = costs.get(type_id)
        if cost is None:
            valuation.warnings.append(f"{label}: no unit cost in the catalogue, so not valued.")
            continue
        made = _fiscal_outcomes(
            name=f"Change in {label.lower()}",
            cost=cost,
            grade=cost.grade,
            quantity=reduction,
            quantity_range=(reduction - spread, reduction + spread),
            deadweight=deadweight,
            deadweight_range=dw_range,
            assumptions=assumptions,
            parameters=parameters,
            price_year=price_year,
            line=line,
        )
        valuation.outcomes.extend(made)
        line += len(made)
    for type_id, grade, n in sorted(figures.avoided):
        cost = costs.get(type_id)
        label = labels.get(type_id, type_id)
        if cost is None:
            valuation.warnings.append(
                f"{n} avoided or delayed {label.lower()} record(s) have no unit cost: not valued."
            )
            continue
        made = _fiscal_outcomes(
            name=f"{label} avoided or delayed (grade {grade} evidence)",
            cost=cost,
            grade=max(grade, cost.grade),
            quantity=Decimal(n),
            quantity_range=None,
            deadweight=assumptions.deadweight,
            deadweight_range=assumptions.range_of("deadweight"),
            assumptions=assumptions,
            parameters=parameters,
            price_year=price_year,
            line=line,
        )
        valuation.outcomes.extend(made)
        line += len(made)
    line += _wellbeing_outcome(
        valuation,
        figures.wellbeing.get(1, (0, 0.0, 0.0)),
        _wellbeing_deadweight(figures, assumptions, valuation.notes),
        PEOPLE_SUPPORTED,
        parameters=parameters,
        assumptions=assumptions,
        price_year=price_year,
        line=line,
    )
    if figures.volunteers:
        _wellbeing_outcome(
            valuation,
            figures.volunteer_wellbeing,
            None,
            VOLUNTEERS,
            parameters=parameters,
            assumptions=assumptions,
            price_year=price_year,
            line=line,
        )
    _warn_thin(valuation, figures, people, crisis_before, total_before)
    return valuation


def _matched_deadweight(
    figures: RecordFigures, assumptions: Assumptions, use_comparison: bool
) -> tuple[Decimal, tuple[Decimal, Decimal], str, str]:
    """Deadweight: the share of the supported people's fall in crisis use that would have
    happened anyway, by the comparison group matched on prior use (`_stratum`). In each stratum
    holding both groups, what would have happened anyway is the comparison's rate of use after
    introduction (events a person-year) for as many people as were supported there; deadweight
    is that expected fall over the actual fall, summed over matched strata, within 0-1, with a
    range of +-0.1. Matching on crisis at introduction keeps regression to the mean out of it:
    people introduced at a crisis are set beside others introduced at a crisis. The stated
    assumption stands in when the comparison is small, under half the people supported can be
    matched, or the matched people's use did not fall. Returns (deadweight, range, basis, why)."""
    assumed = (assumptions.deadweight, assumptions.range_of("deadweight"), "assumed")
    if not use_comparison:
        return (*assumed, "")
    groups = {(flag, stratum): rest for flag, stratum, *rest in figures.strata}
    supported = figures.people.get(1, 0)
    expected_fall = actual_fall = ZERO
    matched = strata = 0
    for (flag, stratum), (people, days, before, after) in sorted(groups.items()):
        other = groups.get((0, stratum))
        if flag != 1 or other is None or days <= 0 or other[1] <= 0:
            continue
        _, c_days, _, c_after = other
        per_person_year = Decimal(c_after * WINDOW_DAYS) / Decimal(c_days)
        expected_fall += before - people * per_person_year
        actual_fall += before - Decimal(after * people * WINDOW_DAYS) / Decimal(days)
        matched, strata = matched + people, strata + 1
    if supported == 0 or matched / supported < MIN_MATCHED_SHARE:
        return (
            *assumed,
            f"Only {matched} of {supported} people supported have comparison people with "
            f"similar prior use: deadweight is the stated assumption of {assumptions.deadweight}.",
        )
    if actual_fall <= 0:
        return (*assumed, "The matched people's use did not fall: deadweight is as assumed.")
    measured = min(ONE, max(ZERO, expected_fall / actual_fall)).quantize(PLACES)
    tenth = Decimal("0.1")
    return (
        measured,
        (max(ZERO, measured - tenth), min(ONE, measured + tenth)),
        "matched comparison",
        f"Deadweight {measured} from the comparison group matched on prior use: {matched} of "
        f"{supported} people supported matched, in {strata} strata.",
    )


@dataclass(frozen=True)
class WellbeingGroup:
    """Whose life satisfaction a WELLBY outcome counts, and how the report names them."""

    agency: str
    outcome: str
    who: str  # "people supported", "volunteers"


PEOPLE_SUPPORTED = WellbeingGroup(
    WELLBEING_AGENCY, "Higher life satisfaction (WELLBYs)", "people supported"
)
VOLUNTEERS = WellbeingGroup(
    VOLUNTEER_AGENCY, "Volunteers' higher life satisfaction (WELLBYs)", "volunteers"
)


def _wellbeing_deadweight(
    figures: RecordFigures, assumptions: Assumptions, notes: list[str]
) -> tuple[Decimal, tuple[Decimal, Decimal]] | None:
    """Deadweight on the life-satisfaction change, from the comparison matched on the first
    score's band: in each band holding both groups, the supported people are given the
    comparison's mean change; deadweight is that expected change over the actual one. None
    (so the stated assumption) when the comparison has too few pairs of scores, under half the
    people supported match, or the matched change is not a rise."""
    if figures.wellbeing.get(0, (0, 0.0, 0.0))[0] < assumptions.min_comparison:
        return None
    groups = {(flag, band): (n, total) for flag, band, n, total, _ in figures.wellbeing_strata}
    expected = actual = 0.0
    matched = 0
    for (flag, band), (n, total) in sorted(groups.items()):
        other = groups.get((0, band))
        if flag != 1 or other is None:
            continue
        expected += n * other[1] / other[0]
        actual += total
        matched += n
    people = figures.wellbeing.get(1, (0, 0.0, 0.0))[0]
    if not people or matched / people < MIN_MATCHED_SHARE or actual <= 0:
        return None
    measured = min(ONE, max(ZERO, _d(round(expected / actual, 4))))
    notes.append(
        f"Wellbeing deadweight {measured} from the comparison matched on the first "
        f"life-satisfaction score: {matched} of {people} people supported matched."
    )
    tenth = Decimal("0.1")
    return measured, (max(ZERO, measured - tenth), min(ONE, measured + tenth))


def _wellbeing_outcome(
    valuation: Valuation,
    change: tuple[int, float, float],
    measured: tuple[Decimal, tuple[Decimal, Decimal]] | None,
    group: WellbeingGroup,
    *,
    parameters: Parameters,
    assumptions: Assumptions,
    price_year: int,
    line: int,
) -> int:
    """Add a WELLBY outcome from (people, sum of changes, sum of squared changes), with the
    deadweight measured against a comparison, or else the stated one. Returns lines added."""
    n, total, squares = change
    if n == 0:
        valuation.warnings.append(
            f"No {group.who} have two life-satisfaction scores yet: their wellbeing is not valued."
        )
        return 0
    mean = total / n
    sd = math.sqrt(max(0.0, squares / n - mean * mean))
    spread = _d(round(1.96 * sd * math.sqrt(n), 4))  # total change: n x mean, se = sd x sqrt(n)
    points = _d(round(total, 4))
    deadweight, dw_range = measured or (assumptions.deadweight, assumptions.range_of("deadweight"))
    wellby = parameters.wellby
    central, low, high = (
        uprate(v, from_year=wellby.price_year, to_year=price_year, parameters=parameters)
        for v in (wellby.central, wellby.low, wellby.high)
    )
    cents = Decimal("0.01")
    valuation.outcomes.append(
        sroi.Outcome(
            outcome=group.outcome,
            stakeholder=agency_label(group.agency),
            quantity=points,
            financial_proxy=central.quantize(cents),
            deadweight=deadweight,
            displacement=ZERO,
            attribution=assumptions.attribution,
            drop_off=assumptions.drop_off,
            duration_years=assumptions.duration_years,
            starts_year=1,
            agency=group.agency,
            line=line,
            ranges={
                "quantity": (points - spread, points + spread),
                "financial_proxy": (low.quantize(cents), high.quantize(cents)),
                "deadweight": dw_range,
                "attribution": assumptions.range_of("attribution"),
            },
        )
    )
    valuation.notes.append(
        f"{n} {group.who} have a start and a later life-satisfaction score; their mean "
        f"change is {mean:+.2f} points."
    )
    return 1


def _warn_thin(
    valuation: Valuation, figures: RecordFigures, people: int, crisis: int, before: int
) -> None:
    if people < MIN_PEOPLE:
        valuation.warnings.append(
            f"Only {people} people were supported: figures this small swing widely. "
            f"Read the range, not the central figure."
        )
    months = figures.median_follow_up_days / DAYS_PER_MONTH
    if months < MIN_FOLLOW_UP_MONTHS:
        valuation.warnings.append(
            f"Half the people supported have been followed for under {months:.1f} months: "
            "too short to show whether changes last."
        )
    if before and crisis / before > CRISIS_SHARE_WARNING:
        valuation.warnings.append(
            f"{crisis / before:.0%} of the year's crisis use before introduction fell in its last "
            "3 months: many people were introduced at a crisis, so some fall afterwards would "
            "have happened anyway (regression to the mean) and before/after flatters the effect."
        )


# --- inputs -----------------------------------------------------------------------------------


def programme_inputs(
    *,
    costs: Iterable[ProgrammeCost],
    start: dt.date,
    end: dt.date,
    price_year: int,
    parameters: Parameters,
) -> list[InputLine]:
    """Each cost's share that falls in [start, end], by day, uprated."""
    lines = []
    for cost in costs:
        overlap = (min(end, cost.ends_on) - max(start, cost.starts_on)).days + 1
        if overlap <= 0:
            continue
        span = (cost.ends_on - cost.starts_on).days + 1
        share = cost.amount * Decimal(overlap) / Decimal(span)
        amount = uprate(
            share, from_year=cost.amount_price_year, to_year=price_year, parameters=parameters
        ).quantize(Decimal("0.01"), ROUND_HALF_UP)
        lines.append(
            InputLine(
                cost.description, cost.get_kind_display(), amount, cost.kind != CostKind.IN_KIND
            )
        )
    return lines


def volunteer_input(
    *, minutes: int, parameters: Parameters, price_year: int
) -> tuple[InputLine, Decimal, Decimal] | None:
    """Volunteer time as an in-kind input at the central rate, with (low, central) values."""
    if minutes <= 0:
        return None
    hours = Decimal(minutes) / Decimal(60)
    rates = parameters.volunteer_rates
    low, central = (
        uprate(
            hours * r.amount, from_year=r.year, to_year=price_year, parameters=parameters
        ).quantize(Decimal("0.01"), ROUND_HALF_UP)
        for r in (rates.low, rates.central)
    )
    line = InputLine(
        f"Volunteer time: {hours:,.1f} verified hours at {rates.central.basis}",
        "Volunteer time (in kind)",
        central,
        False,
    )
    return line, low, central


# --- a forecast -------------------------------------------------------------------------------


def value_forecast(
    *,
    forecast: Forecast,
    costs: Mapping[str, CostUsed],
    labels: Mapping[str, str],
    parameters: Parameters,
    assumptions: Assumptions,
    price_year: int,
    inputs: list[InputLine],
) -> Valuation:
    """The impact map of planned activity: planned people x expected change per person."""
    valuation = Valuation(inputs=list(inputs))
    people = Decimal(forecast.people)
    line = 1
    for planned in forecast.lines.all():
        type_id = str(planned.service_type_id)
        label = labels.get(type_id, type_id)
        cost = costs.get(type_id)
        if cost is None:
            valuation.warnings.append(f"{label}: no unit cost in the catalogue, so not valued.")
            continue
        made = _fiscal_outcomes(
            name=f"Change in {label.lower()}",
            cost=cost,
            grade=cost.grade,
            quantity=people * planned.avoided_per_person,
            quantity_range=(people * planned.low, people * planned.high),
            deadweight=assumptions.deadweight,
            deadweight_range=assumptions.range_of("deadweight"),
            assumptions=assumptions,
            parameters=parameters,
            price_year=price_year,
            line=line,
        )
        valuation.outcomes.extend(made)
        line += len(made)
    if forecast.life_satisfaction_change:
        change = forecast.life_satisfaction_change
        _wellbeing_outcome(
            valuation,
            (forecast.people, float(people * change), float(people * change**2)),
            None,
            PEOPLE_SUPPORTED,
            parameters=parameters,
            assumptions=assumptions,
            price_year=price_year,
            line=line,
        )
    valuation.notes.append(
        "A forecast: quantities are planned people times the expected change per person, with "
        "deadweight as assumed; nothing here is measured yet."
    )
    return valuation


def forecast_digest(forecast: Forecast) -> str:
    """A hash of the planned activity a forecast report values."""
    plan = {
        "people": forecast.people,
        "life_satisfaction_change": str(forecast.life_satisfaction_change),
        "period": [forecast.period_start.isoformat(), forecast.period_end.isoformat()],
        "lines": sorted(
            [str(line.service_type_id), str(line.avoided_per_person), str(line.low), str(line.high)]
            for line in forecast.lines.all()
        ),
    }
    text = json.dumps(plan, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
