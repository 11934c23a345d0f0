"""The participation summary: participations per participant, area and calendar month.

The breadth metrics need one row per participant in scope (how often they came and how much
they said). Read straight from participations, the whole borough over a year is a GROUP BY
of hundreds of thousands of rows; read from this summary it is one row per participant and
month, found by one index range on (area, month). Days at either end of a period that do not
make a whole month are still read from participations, so any period gives exactly the
figures participations alone would (the tests compare the two).

Writes: `summary_refresh` rebuilds one participant's rows (the participation services call
it inside their transaction), `summary_rebuild` rebuilds everything (after a bulk load: the
demo loader, `manage.py engagement-summary-rebuild`). `summary_usable` tells the breadth
query whether an area's rows still match where places says its activities are.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Sum

from .models import (
    ACTIVITY_RECORD_TYPE,
    ALL_AREAS,
    Activity,
    Participant,
    Participation,
    ParticipationMonth,
    ParticipationMonthArea,
)

logger = logging.getLogger(__name__)

CHUNK = 500


def _uuid(value: uuid.UUID) -> Any:
    """A UUID as the database stores it (hex text on SQLite, uuid on PostgreSQL)."""
    field = ParticipationMonth._meta.get_field("area_id")
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


def _insert(participant_filter: str, params: list[Any], activity_filter: str = "") -> None:
    table = ParticipationMonth._meta.db_table
    parts = Participation._meta.db_table
    month = month_sql("p.held_on")
    sql = (
        f"INSERT INTO {table} (area_id, month, participant_id, participations, contributions,"  # noqa: S608
        " firsts, age_band, deprivation_quintile)"
        f" SELECT pa.area_id, {month}, p.participant_id, COUNT(*), SUM(p.contributions),"
        " MAX(CASE WHEN p.is_first THEN 1 ELSE 0 END), MAX(p.age_band),"
        " MAX(p.deprivation_quintile)"
        f" FROM {parts} p JOIN ({_pairs_sql(activity_filter)}) pa"
        " ON pa.activity_id = p.activity_id"
        f" WHERE {participant_filter}"
        f" GROUP BY pa.area_id, {month}, p.participant_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ACTIVITY_RECORD_TYPE, _uuid(ALL_AREAS), *params])


@transaction.atomic
def summary_refresh(*, participant_ids: Iterable[int]) -> None:
    """Rebuild the summary rows of these participants from their participations (called by
    the services after every change to a participation, in the same transaction)."""
    ids = sorted(set(participant_ids))
    parts = Participation._meta.db_table
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        # One writer per participant at a time: the rows are deleted and written again.
        list(Participant.objects.select_for_update().filter(pk__in=chunk).values_list("pk"))
        ParticipationMonth.objects.filter(participant_id__in=chunk).delete()
        marks = ", ".join(["%s"] * len(chunk))
        _insert(
            f"p.participant_id IN ({marks})",
            chunk,
            activity_filter=(
                f"{{col}} IN (SELECT activity_id FROM {parts}"  # noqa: S608
                f" WHERE participant_id IN ({', '.join(str(int(i)) for i in chunk)}))"
            ),
        )


@transaction.atomic
def summary_rebuild() -> dict[str, int]:
    """Rebuild the whole summary and the record of each area's activities."""
    ParticipationMonth.objects.all().delete()
    ParticipationMonthArea.objects.all().delete()
    _insert("1 = 1", [])
    states = [
        ParticipationMonthArea(
            area_id=fp.area_id,
            activities=fp.activities,
            membership_id_sum=fp.id_sum,
            membership_id_max=fp.id_max,
        )
        for fp in _fingerprints()
    ]
    states.append(ParticipationMonthArea(area_id=ALL_AREAS, activities=0))
    ParticipationMonthArea.objects.bulk_create(states, batch_size=5000)
    return {"rows": ParticipationMonth.objects.count(), "areas": len(states)}


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
    would: it has been built, and places still puts the same activities in the area."""
    states = {
        s.area_id: s
        for s in ParticipationMonthArea.objects.filter(
            area_id__in=[ALL_AREAS] if area_id is None else [ALL_AREAS, area_id]
        )
    }
    if ALL_AREAS not in states:
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


def month_rows_sql(*, area_id: uuid.UUID | None, split: Split) -> tuple[str, list[Any]]:
    """Per participant and month: participant_id, n, c, f, age_band, q (the summary side)."""
    table = ParticipationMonth._meta.db_table
    where = ["area_id = %s"]
    params: list[Any] = [_uuid(area_id or ALL_AREAS)]
    if split.first_month is not None:
        where.append("month >= %s")
        params.append(connection.ops.adapt_datefield_value(split.first_month))
    if split.last_month is not None:
        where.append("month <= %s")
        params.append(connection.ops.adapt_datefield_value(split.last_month))
    sql = (
        "SELECT participant_id, participations AS n, contributions AS c, firsts AS f,"  # noqa: S608
        f" age_band, deprivation_quintile AS q FROM {table} WHERE {' AND '.join(where)}"
    )
    return sql, params
