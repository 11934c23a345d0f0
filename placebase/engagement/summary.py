"""The participation summary: packed per-participant blocks by area and day or month.

The breadth metrics need one row per participant in scope (how often they came and how much
they said). Read straight from participations, a year of the whole borough is a GROUP BY of
hundreds of thousands of rows, which no index makes cheap. The summary keeps, for every area,
one packed array per calendar month and per day (`ParticipationBlock`): a period reads its
whole months and the days either side (at most a dozen months and sixty days), and numpy
groups the entries by participant. Any period gives exactly the figures participations alone
give (the tests compare the two).

Writes: `summary_refresh` rebuilds the blocks an activity's participations fall in (the
participation services call it inside their transaction); `summary_rebuild` rebuilds
everything (after a bulk load: the demo loader, `manage.py engagement-summary-rebuild`).
`summary_usable` tells the breadth query whether an area's blocks still match where places
says its activities are.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Case, Count, Max, Q, Sum, Value, When

from .metrics import AGE_BANDS
from .models import (
    ACTIVITY_RECORD_TYPE,
    ALL_AREAS,
    Activity,
    BlockGrain,
    Participation,
    ParticipationBlock,
    ParticipationMonthArea,
)

logger = logging.getLogger(__name__)


def _uuid(value: uuid.UUID) -> Any:
    """A UUID as the database stores it (hex text on SQLite, uuid on PostgreSQL)."""
    field = ParticipationBlock._meta.get_field("area_id")
    return field.get_db_prep_value(value, connection, prepared=False)


def month_sql(column: str) -> str:
    """SQL for the first day of the month of a date column."""
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _pairs_sql(activity_filter: str = "") -> str:
    """(activity_id, area_id) for every area an activity counts in, as the breadth scope
    reads them: its own area, every area places located it in, and ALL_AREAS. Takes two
    parameters (the record type, ALL_AREAS), each part filtered by `activity_filter` (SQL
    with a `{col}` placeholder for the activity id column, and no parameters)."""
    from placebase.places.models import AreaMembership

    activity = Activity._meta.db_table
    membership = AreaMembership._meta.db_table
    cast = "CAST(%s AS uuid)" if connection.vendor == "postgresql" else "%s"

    def where(col: str) -> str:
        return f" AND {activity_filter.format(col=col)}" if activity_filter else ""

    return (
        f"SELECT id AS activity_id, area_id FROM {activity} WHERE 1 = 1{where('id')}"  # noqa: S608
        f" UNION SELECT record_id, area_id FROM {membership}"
        f" WHERE record_type = %s{where('record_id')}"
        f" UNION SELECT id, {cast} FROM {activity} WHERE 1 = 1{where('id')}"
    )


# One entry per participant in a block; sorted by participant.
BLOCK = np.dtype(
    [("pid", "<i8"), ("n", "<i4"), ("c", "<i4"), ("f", "i1"), ("age", "i1"), ("q", "i1")]
)
AGE_CODES = [code for code, _ in AGE_BANDS]  # in the order MAX() of the text sorts them
_AGE_INDEX = {code: i for i, code in enumerate(AGE_CODES)}


def _grouped_sql(where: str, *, by_area_day: bool) -> str:
    """Participations grouped by (area, day,) participant, with the areas from `_pairs_sql`.
    Columns: [area_id, held_on,] participant_id, n, c, f, age_band, q."""
    parts = Participation._meta.db_table
    keys = "pa.area_id, p.held_on, p.participant_id" if by_area_day else "p.participant_id"
    return (
        f"SELECT {keys}, COUNT(*), SUM(p.contributions),"  # noqa: S608
        " MAX(CASE WHEN p.is_first THEN 1 ELSE 0 END), MAX(p.age_band),"
        " MAX(p.deprivation_quintile)"
        f" FROM {parts} p JOIN ({_pairs_sql()}) pa ON pa.activity_id = p.activity_id"
        f" WHERE {where} GROUP BY {keys} ORDER BY {keys}"
    )


def _pack(rows: list[tuple[Any, ...]]) -> np.ndarray:
    """Rows of (participant_id, n, c, f, age_band, q), sorted by participant, as a block."""
    block = np.empty(len(rows), dtype=BLOCK)
    if rows:
        block["pid"] = [r[0] for r in rows]
        block["n"] = [r[1] for r in rows]
        block["c"] = [r[2] or 0 for r in rows]
        block["f"] = [r[3] for r in rows]
        block["age"] = [_AGE_INDEX.get(r[4] or "", -1) for r in rows]
        block["q"] = [r[5] or 0 for r in rows]
    return block


def merge(blocks: list[np.ndarray]) -> np.ndarray:
    """Entries of several blocks grouped by participant: counts add up, flags and codes take
    the largest (as MAX() does in SQL)."""
    if not blocks:
        return np.empty(0, dtype=BLOCK)
    every = np.concatenate(blocks)
    pids, inverse = np.unique(every["pid"], return_inverse=True)
    k = pids.size
    out = np.empty(k, dtype=BLOCK)
    out["pid"] = pids
    out["n"] = np.bincount(inverse, weights=every["n"], minlength=k)
    out["c"] = np.bincount(inverse, weights=every["c"], minlength=k)
    out["f"] = np.bincount(inverse, weights=every["f"], minlength=k) > 0
    age = np.full(k, -1, dtype=np.int8)
    np.maximum.at(age, inverse, every["age"])
    out["age"] = age
    quintile = np.zeros(k, dtype=np.int8)
    np.maximum.at(quintile, inverse, every["q"])
    out["q"] = quintile
    return out


def _day(value: Any) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _area(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _save(area_id: uuid.UUID, grain: str, start: datetime.date, block: np.ndarray) -> None:
    if block.size:
        ParticipationBlock.objects.update_or_create(
            area_id=area_id,
            grain=grain,
            start=start,
            defaults={"entries": int(block.size), "data": block.tobytes()},
        )
    else:
        ParticipationBlock.objects.filter(area_id=area_id, grain=grain, start=start).delete()


def _block_for(area_id: uuid.UUID, lo: datetime.date, hi: datetime.date) -> np.ndarray:
    """One block from participations: activities in the area (as the breadth scope reads
    it) held from `lo` to `hi`, grouped by participant."""
    from placebase.places.models import AreaMembership

    activities = Activity.objects.filter(held_on__gte=lo, held_on__lte=hi)
    if area_id != ALL_AREAS:
        located = AreaMembership.objects.filter(
            area_id=area_id, record_type=ACTIVITY_RECORD_TYPE
        ).values("record_id")
        activities = activities.filter(Q(area_id=area_id) | Q(pk__in=located))
    rows = (
        Participation.objects.filter(
            activity_id__in=activities.values("pk"), held_on__gte=lo, held_on__lte=hi
        )
        .values("participant_id")
        .annotate(
            n=Count("*"),
            c=Sum("contributions"),
            f=Max(Case(When(is_first=True, then=Value(1)), default=Value(0))),
            age=Max("age_band"),
            q=Max("deprivation_quintile"),
        )
        .order_by("participant_id")
        .values_list("participant_id", "n", "c", "f", "age", "q")
    )
    return _pack(list(rows))


def _participation_id_max() -> int:
    return int(Participation.objects.aggregate(top=Max("id"))["top"] or 0)


@transaction.atomic
def summary_refresh(*, activity_ids: Iterable[uuid.UUID]) -> None:
    """Rebuild the day and month blocks these activities' participations fall in, in every
    area the activities count in (called by the services after a participation changes)."""
    activities = list(
        Activity.objects.filter(pk__in=set(activity_ids)).values_list("pk", "area_id", "held_on")
    )
    if not activities:
        return
    from placebase.places.models import AreaMembership

    areas_of: dict[Any, set[uuid.UUID]] = {a: {area, ALL_AREAS} for a, area, _ in activities}
    for record_id, area_id in AreaMembership.objects.filter(
        record_type=ACTIVITY_RECORD_TYPE, record_id__in=list(areas_of)
    ).values_list("record_id", "area_id"):
        areas_of[record_id].add(area_id)
    # One refresh at a time, so a block is never rebuilt from a view that misses another
    # transaction's participation: wait here, then read what it committed.
    built = ParticipationMonthArea.objects.select_for_update().filter(area_id=ALL_AREAS).first()
    done: set[tuple[uuid.UUID, str, datetime.date]] = set()
    for activity_id, _area_id, held_on in activities:
        month = held_on.replace(day=1)
        for area_id in areas_of[activity_id]:
            for grain, lo, hi in (
                (BlockGrain.DAY, held_on, held_on),
                (BlockGrain.MONTH, month, _next_month(month) - datetime.timedelta(days=1)),
            ):
                if (area_id, grain, lo) not in done:
                    done.add((area_id, grain, lo))
                    _save(area_id, grain, lo, _block_for(area_id, lo, hi))
    if built is not None:
        # Move the high-water mark on, unless participations of other activities arrived
        # since it was set without passing through here (a bulk load): those stay unread
        # until a rebuild, and the mark says so.
        strangers = Participation.objects.filter(id__gt=built.participation_id_max).exclude(
            activity_id__in=list(areas_of)
        )
        if not strangers.exists():
            built.participation_id_max = _participation_id_max()
            built.save(update_fields=["participation_id_max", "built_at"])


@transaction.atomic
def summary_rebuild() -> dict[str, int]:
    """Rebuild every block and the record of each area's activities."""
    ParticipationBlock.objects.all().delete()
    ParticipationMonthArea.objects.all().delete()
    sql = _grouped_sql("1 = 1", by_area_day=True)
    written = 0
    pending: list[ParticipationBlock] = []

    def flush(force: bool = False) -> None:
        nonlocal pending, written
        if pending and (force or len(pending) >= 2000):
            ParticipationBlock.objects.bulk_create(pending, batch_size=500)
            written += len(pending)
            pending = []

    def add(area_id: uuid.UUID, grain: str, start: datetime.date, block: np.ndarray) -> None:
        if block.size:
            pending.append(
                ParticipationBlock(
                    area_id=area_id,
                    grain=grain,
                    start=start,
                    entries=int(block.size),
                    data=block.tobytes(),
                )
            )
            flush()

    with connection.cursor() as cursor:
        cursor.execute(sql, [ACTIVITY_RECORD_TYPE, _uuid(ALL_AREAS)])
        key: tuple[Any, Any] | None = None
        day_rows: list[tuple[Any, ...]] = []
        month_blocks: list[np.ndarray] = []
        month_key: tuple[Any, Any] | None = None

        def close_day() -> None:
            if key is not None:
                block = _pack(day_rows)
                add(_area(key[0]), BlockGrain.DAY, _day(key[1]), block)
                month_blocks.append(block)

        def close_month() -> None:
            if month_key is not None:
                add(_area(month_key[0]), BlockGrain.MONTH, month_key[1], merge(month_blocks))

        while batch := cursor.fetchmany(20_000):
            for row in batch:
                if (row[0], row[1]) != key:
                    close_day()
                    day_rows = []
                    this_month = (row[0], _day(row[1]).replace(day=1))
                    if this_month != month_key:
                        close_month()
                        month_blocks = []
                        month_key = this_month
                    key = (row[0], row[1])
                day_rows.append(row[2:])
        close_day()
        close_month()
    flush(force=True)
    states = [
        ParticipationMonthArea(
            area_id=fp.area_id,
            activities=fp.activities,
            membership_id_sum=fp.id_sum,
            membership_id_max=fp.id_max,
        )
        for fp in _fingerprints()
    ]
    states.append(
        ParticipationMonthArea(
            area_id=ALL_AREAS, activities=0, participation_id_max=_participation_id_max()
        )
    )
    ParticipationMonthArea.objects.bulk_create(states, batch_size=5000)
    return {"rows": written, "areas": len(states)}


# ---------------------------------------------------------------------------- freshness


@dataclass(frozen=True)
class Fingerprint:
    area_id: uuid.UUID
    activities: int
    id_sum: int
    id_max: int


def _memberships() -> Any:
    from placebase.places.models import AreaMembership

    return AreaMembership.objects.filter(record_type=ACTIVITY_RECORD_TYPE)


def _fingerprints() -> list[Fingerprint]:
    """Every area holding an activity: its activity memberships (how many, the sum and the
    highest of their row ids). Areas known only as an activity's own area have none."""
    found = {
        area_id: Fingerprint(area_id, n, int(total or 0), int(top or 0))
        for area_id, n, total, top in _memberships()
        .values_list("area_id")
        .annotate(n=Count("*"), total=Sum("id"), top=Max("id"))
        .order_by()
        .values_list("area_id", "n", "total", "top")
    }
    for area_id in Activity.objects.values_list("area_id", flat=True).distinct().order_by():
        found.setdefault(area_id, Fingerprint(area_id, 0, 0, 0))
    return list(found.values())


def fingerprint(*, area_id: uuid.UUID, exclude: uuid.UUID | None = None) -> Fingerprint:
    members = _memberships().filter(area_id=area_id)
    if exclude is not None:
        members = members.exclude(record_id=exclude)
    got = members.aggregate(n=Count("*"), total=Sum("id"), top=Max("id"))
    return Fingerprint(area_id, got["n"] or 0, int(got["total"] or 0), int(got["top"] or 0))


def _matches(state: ParticipationMonthArea, fp: Fingerprint) -> bool:
    return (state.activities, state.membership_id_sum, state.membership_id_max) == (
        fp.activities,
        fp.id_sum,
        fp.id_max,
    )


def summary_usable(*, area_id: uuid.UUID | None) -> bool:
    """Whether the summary answers for this area (None: every activity) as participations
    would: it has been built, holds every participation (none was written outside the
    services since), and places still puts the same activities in the area."""
    states = {
        s.area_id: s
        for s in ParticipationMonthArea.objects.filter(
            area_id__in=[ALL_AREAS] if area_id is None else [ALL_AREAS, area_id]
        )
    }
    if ALL_AREAS not in states:
        return False
    if states[ALL_AREAS].participation_id_max != _participation_id_max():
        logger.warning(
            "engagement.summary_stale participations written outside the services:"
            " run manage.py engagement-summary-rebuild"
        )
        return False
    if area_id is None:
        return True
    state = states.get(area_id)
    if state is None:
        return False
    if not _matches(state, fingerprint(area_id=area_id)):
        logger.warning(
            "engagement.summary_stale area=%s: run manage.py engagement-summary-rebuild",
            area_id,
        )
        return False
    return True


def activity_located(*, activity: Activity) -> None:
    """A new activity was located: the areas it is in now hold one more activity. Their
    recorded fingerprints move on too, but only where they were current (a stale area stays
    stale until the summary is rebuilt). Called inside `activity_create`'s transaction."""
    if not ParticipationMonthArea.objects.filter(area_id=ALL_AREAS).exists():
        return
    area_ids = set(_memberships().filter(record_id=activity.id).values_list("area_id", flat=True))
    area_ids.add(activity.area_id)
    states = {
        s.area_id: s
        for s in ParticipationMonthArea.objects.select_for_update().filter(area_id__in=area_ids)
    }
    for area_id in area_ids:
        before = fingerprint(area_id=area_id, exclude=activity.id)
        after = fingerprint(area_id=area_id)
        state = states.get(area_id)
        if state is None:
            # A new area is current only if it held no activity before this one.
            if before.activities or (
                Activity.objects.filter(area_id=area_id).exclude(pk=activity.pk).exists()
            ):
                continue
            state = ParticipationMonthArea(area_id=area_id)
        elif not _matches(state, before):
            continue
        state.activities, state.membership_id_sum, state.membership_id_max = (
            after.activities,
            after.id_sum,
            after.id_max,
        )
        state.save()


# ---------------------------------------------------------------------------- periods


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class Split:
    """A period cut into whole calendar months (first days, inclusive; None is open) and the
    days either side that are not whole months."""

    first_month: datetime.date | None
    last_month: datetime.date | None
    edges: list[tuple[datetime.date, datetime.date]]


def period_split(start: datetime.date | None, end: datetime.date | None) -> Split | None:
    """None when the period holds no whole month (read it all from participations)."""
    first_month = None if start is None else (start if start.day == 1 else _next_month(start))
    last_month = None
    if end is not None:
        last_month = _month_start(end)
        if _next_month(end) != end + datetime.timedelta(days=1):  # end is not a month's last day
            last_month = _month_start(last_month - datetime.timedelta(days=1))
    if first_month is not None and last_month is not None and first_month > last_month:
        return None
    edges = []
    if start is not None and first_month != start:
        assert first_month is not None
        edges.append((start, first_month - datetime.timedelta(days=1)))
    if end is not None and last_month is not None and _next_month(last_month) <= end:
        edges.append((_next_month(last_month), end))
    return Split(first_month, last_month, edges)


def read(*, area_id: uuid.UUID | None, split: Split) -> np.ndarray:
    """The entries of the scope's whole months and edge days, grouped by participant."""
    months = Q(grain=BlockGrain.MONTH)
    if split.first_month is not None:
        months &= Q(start__gte=split.first_month)
    if split.last_month is not None:
        months &= Q(start__lte=split.last_month)
    wanted = months
    for lo, hi in split.edges:
        wanted |= Q(grain=BlockGrain.DAY, start__gte=lo, start__lte=hi)
    blobs = ParticipationBlock.objects.filter(Q(area_id=area_id or ALL_AREAS) & wanted)
    return merge(
        [np.frombuffer(bytes(data), dtype=BLOCK) for data in blobs.values_list("data", flat=True)]
    )
