"""Reads for engagement: activities, breadth metrics for any scope, reach, maps, and the
councillor ward view.

The breadth figures are worked out in two steps: the database groups participations down to
one row per participant (an indexed GROUP BY, the same on SQLite and PostgreSQL), and the pure
`metrics` module does the arithmetic. Anything shown to someone who may not see individual
records passes through `placebase.core.disclosure`.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum

from placebase.accounts.permissions import Action, can
from placebase.accounts.roles import Role
from placebase.core.audit import audit_record
from placebase.core.disclosure import (
    SUPPRESSED,
    Shown,
    disclose_count,
    disclose_rate,
    disclose_series,
    disclose_table,
)
from placebase.core.errors import NotFound, PermissionDenied

from . import metrics, summary
from .errors import AreaUnknown, PeriodInvalid
from .models import (
    ACTIVITY_RECORD_TYPE,
    Activity,
    ActivityKind,
    Contribution,
    CouncillorWard,
    Participant,
    Participation,
)

NOT_AVAILABLE = "not available yet"

# ---------------------------------------------------------------------------- scope


@dataclass(frozen=True)
class Scope:
    """Which participations count: one activity, or the activities held in an area (at any
    level, through the places membership table), within an optional period (inclusive)."""

    activity_id: uuid.UUID | None = None
    area_id: uuid.UUID | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise PeriodInvalid("The start of the period must be before its end.")


def scope_activities(*, scope: Scope) -> QuerySet[Activity]:
    activities = Activity.objects.all()
    if scope.activity_id is not None:
        activities = activities.filter(pk=scope.activity_id)
    if scope.area_id is not None:
        from placebase.places.models import AreaMembership

        located = AreaMembership.objects.filter(
            area_id=scope.area_id, record_type=ACTIVITY_RECORD_TYPE
        ).values("record_id")
        activities = activities.filter(Q(area_id=scope.area_id) | Q(pk__in=located))
    if scope.start:
        activities = activities.filter(held_on__gte=scope.start)
    if scope.end:
        activities = activities.filter(held_on__lte=scope.end)
    return activities


@dataclass
class ParticipantRows:
    """One entry per participant in the scope (equal-length arrays)."""

    participations: np.ndarray
    contributions: np.ndarray
    first_time: np.ndarray
    age_bands: list[str]
    quintiles: list[int | None]


def _raw_rows_sql(*, scope: Scope) -> tuple[str, list[Any]]:
    """Per participation in the scope: participant_id, n (1), c, f, age_band, q."""
    activities_sql, activities_params = (
        scope_activities(scope=scope).values("pk").query.sql_with_params()
    )
    where = [f"activity_id IN ({activities_sql})"]
    params: list[Any] = list(activities_params)
    for op, day in ((">=", scope.start), ("<=", scope.end)):
        if day:
            where.append(f"held_on {op} %s")
            params.append(connection.ops.adapt_datefield_value(day))
    table = Participation._meta.db_table
    sql = (
        "SELECT participant_id, 1 AS n, contributions AS c,"  # noqa: S608
        " CASE WHEN is_first THEN 1 ELSE 0 END AS f, age_band,"
        f" deprivation_quintile AS q FROM {table} WHERE {' AND '.join(where)}"
    )
    return sql, params


def _summary_split(*, scope: Scope, use_summary: bool | None) -> summary.Split | None:
    """How the summary answers for the scope, or None when participations must: one
    activity, a period without a whole month, or (unless told) a summary not current."""
    if scope.activity_id is not None or use_summary is False:
        return None
    split = summary.period_split(scope.start, scope.end)
    if split is None or use_summary or summary.summary_usable(area_id=scope.area_id):
        return split
    return None


def participant_rows(*, scope: Scope, use_summary: bool | None = None) -> ParticipantRows:
    """One entry per participant in the scope.

    From the summary when it can answer: the blocks of the period's whole months and of the
    days either side, grouped by participant in numpy. Otherwise from participations, grouped
    in the database twice (per participant, then into a histogram of identical participants,
    so only a few hundred rows travel to Python); the arrays are rebuilt from it.

    `use_summary` is for tests and the benchmark: False reads participations alone, True
    uses the summary without checking it is current; None (the product) decides."""
    split = _summary_split(scope=scope, use_summary=use_summary)
    if split is not None:
        merged = summary.read(area_id=scope.area_id, split=split)
        bands = np.array(["", *summary.AGE_CODES], dtype=object)
        return ParticipantRows(
            participations=merged["n"].astype(np.int64),
            contributions=merged["c"].astype(np.int64),
            first_time=merged["f"].astype(bool),
            age_bands=bands[merged["age"].astype(np.int64) + 1].tolist(),
            quintiles=[q or None for q in merged["q"].tolist()],
        )
    rows_sql, params = _raw_rows_sql(scope=scope)
    sql = (
        "SELECT c, n, first_time, age_band, quintile, COUNT(*) FROM ("  # noqa: S608
        " SELECT participant_id, SUM(n) AS n, SUM(c) AS c, MAX(f) AS first_time,"
        " MAX(age_band) AS age_band, MAX(q) AS quintile"
        f" FROM ({rows_sql}) rows_in_scope GROUP BY participant_id"
        ") per GROUP BY c, n, first_time, age_band, quintile"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A big area with no summary groups ~100,000 participants: hash them in memory
            # rather than spill to disk (this transaction only).
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        histogram = cursor.fetchall()
    repeat = np.array([row[5] for row in histogram], dtype=np.int64)
    return ParticipantRows(
        participations=np.repeat(np.array([r[1] for r in histogram], dtype=np.int64), repeat),
        contributions=np.repeat(np.array([r[0] or 0 for r in histogram], dtype=np.int64), repeat),
        first_time=np.repeat(np.array([bool(r[2]) for r in histogram], dtype=bool), repeat),
        age_bands=[r[3] for r, k in zip(histogram, repeat.tolist(), strict=True) for _ in range(k)],
        quintiles=[r[4] for r, k in zip(histogram, repeat.tolist(), strict=True) for _ in range(k)],
    )


# ---------------------------------------------------------------------------- population


@dataclass
class Population:
    total: float | None
    by_age_band: dict[str, float]
    by_quintile: dict[int, float]


def _lsoa_values(lsoa_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, float]]:
    from placebase.places.models import AreaAttribute

    keys = ["population_total", "imd_decile"] + [f"population_{c}" for c, _ in metrics.AGE_BANDS]
    values: dict[uuid.UUID, dict[str, float]] = defaultdict(dict)
    for area_id, key, value in AreaAttribute.objects.filter(
        area_id__in=list(lsoa_ids), key__in=keys
    ).values_list("area_id", "key", "value"):
        values[area_id][key] = value
    return values


def area_population(*, area_id: uuid.UUID) -> Population:
    """Residents of an area by Census 2021 age band and by IoD 2025 quintile of their LSOA.

    An LSOA answers from its own figures; a larger area from the LSOAs (2021) overlapping it,
    each weighted by the share of the LSOA inside it, so wards, patches and neighbourhoods
    work the same way. Areas with no LSOA figures get an empty population.
    """
    from placebase.places.models import Area, AreaOverlap

    area = (
        Area.objects.filter(pk=area_id)
        .select_related("boundary_set")
        .only("id", "boundary_set__level")
        .first()
    )
    if area is None:
        raise AreaUnknown("No such area.")
    if area.boundary_set.level == "lsoa":
        weights = {area.pk: 1.0}
    else:
        weights = dict(
            AreaOverlap.objects.filter(
                other_id=area_id,
                area__boundary_set__level="lsoa",
                area__boundary_set__vintage__gte=2021,
                area_share__gt=0.001,
            ).values_list("area_id", "area_share")
        )
    by_age = {code: 0.0 for code, _ in metrics.AGE_BANDS}
    by_quintile = {q: 0.0 for q, _ in metrics.QUINTILES}
    total = 0.0
    for lsoa_id, values in _lsoa_values(weights).items():
        weight = weights[lsoa_id]
        pop = values.get("population_total", 0.0) * weight
        total += pop
        for code in by_age:
            by_age[code] += values.get(f"population_{code}", 0.0) * weight
        if "imd_decile" in values:
            by_quintile[metrics.quintile_from_decile(int(values["imd_decile"]))] += pop
    return Population(total=total or None, by_age_band=by_age, by_quintile=by_quintile)


# ---------------------------------------------------------------------------- breadth


def breadth_compute_for(
    *, scope: Scope, population: Population | None = None, use_summary: bool | None = None
) -> metrics.Breadth:
    """The breadth figures for a scope, unrounded. For trusted callers (services, the
    benchmark, and the selectors below, which apply disclosure control before showing)."""
    rows = participant_rows(scope=scope, use_summary=use_summary)
    if population is None:
        area_id = scope.area_id
        if area_id is None and scope.activity_id is not None:
            area_id = (
                Activity.objects.filter(pk=scope.activity_id)
                .values_list("area_id", flat=True)
                .first()
            )
        population = area_population(area_id=area_id) if area_id else Population(None, {}, {})
    return metrics.breadth_compute(
        participations=rows.participations,
        contributions=rows.contributions,
        first_time=rows.first_time,
        age_bands=rows.age_bands,
        quintiles=rows.quintiles,
        population=population.total,
        population_by_age_band=population.by_age_band,
        population_by_quintile=population.by_quintile,
    )


@dataclass
class GroupRow:
    code: str
    label: str
    participants: Shown
    participant_share: float | str | None
    population: float | None
    population_share: float | None
    ratio: float | str | None


@dataclass
class BreadthView:
    """Breadth as one user may see it: rounded and suppressed when `disclosed`."""

    disclosed: bool
    participants: Shown
    participations: Shown
    contributions: Shown
    population: float | None
    per_thousand: float | str | None
    top_share: float | str | None
    gini: float | str | None
    repeat_rate: float | str | None
    first_timer_share: float | str | None
    by_age_band: list[GroupRow]
    by_quintile: list[GroupRow]
    alerts: list[metrics.Alert]


def _share_hidden(shown: Shown) -> bool:
    return shown == SUPPRESSED


def _groups(
    counts: dict[Any, int],
    labels: list[tuple[Any, str]],
    population: dict[Any, float],
    ratios: dict[Any, float | None],
    *,
    disclosed: bool,
) -> list[GroupRow]:
    total = sum(counts.values())
    pop_total = sum(population.values())
    shown: dict[Any, Shown]
    if disclosed:
        shown, _ = disclose_series({key: counts.get(key, 0) for key, _ in labels})
    else:
        shown = {key: counts.get(key, 0) for key, _ in labels}
    rows = []
    for key, label in labels:
        hidden = _share_hidden(shown[key])
        pop = population.get(key) or 0.0
        rows.append(
            GroupRow(
                code=str(key),
                label=label,
                participants=shown[key],
                participant_share=SUPPRESSED
                if hidden
                else (counts.get(key, 0) / total if total else None),
                population=round(pop) if pop else None,
                population_share=(pop / pop_total) if pop_total else None,
                ratio=SUPPRESSED if hidden else ratios.get(key),
            )
        )
    return rows


def breadth_view(*, breadth: metrics.Breadth, disclosed: bool) -> BreadthView:
    """Apply disclosure control: counts 1–7 as "*", others rounded to 5; every derived rate is
    hidden when the count it is built on is, so none can give a hidden count back."""
    b = breadth
    if not disclosed:
        return BreadthView(
            disclosed=False,
            participants=b.participants,
            participations=b.participations,
            contributions=b.contributions,
            population=b.population,
            per_thousand=b.per_thousand,
            top_share=b.top_share,
            gini=b.gini,
            repeat_rate=b.repeat_rate,
            first_timer_share=b.first_timer_share,
            by_age_band=_groups(
                b.by_age_band,
                metrics.AGE_BANDS,
                b.population_by_age_band,
                b.age_band_ratios,
                disclosed=False,
            ),
            by_quintile=_groups(
                b.by_quintile,
                metrics.QUINTILES,
                b.population_by_quintile,
                b.quintile_ratios,
                disclosed=False,
            ),
            alerts=b.alerts,
        )
    few = _share_hidden(disclose_count(b.participants))
    top_hidden = few or _share_hidden(disclose_count(b.top_contributions))

    def rate(numerator: int, value: float | None) -> float | str | None:
        if value is None:
            return None
        return SUPPRESSED if few or _share_hidden(disclose_count(numerator)) else value

    return BreadthView(
        disclosed=True,
        participants=disclose_count(b.participants),
        participations=disclose_count(b.participations),
        contributions=disclose_count(b.contributions),
        population=round(b.population, -1) if b.population else None,
        per_thousand=(
            disclose_rate(b.participants, int(b.population), per=1000) if b.population else None
        ),
        top_share=SUPPRESSED if top_hidden and b.top_share is not None else b.top_share,
        # The Gini coefficient says how unequal, not how many: hidden only with few people.
        gini=SUPPRESSED if few and b.gini is not None else b.gini,
        repeat_rate=rate(b.repeaters, b.repeat_rate),
        first_timer_share=rate(b.first_timers, b.first_timer_share),
        by_age_band=_groups(
            b.by_age_band,
            metrics.AGE_BANDS,
            b.population_by_age_band,
            b.age_band_ratios,
            disclosed=True,
        ),
        by_quintile=_groups(
            b.by_quintile,
            metrics.QUINTILES,
            b.population_by_quintile,
            b.quintile_ratios,
            disclosed=True,
        ),
        # Alerts quote figures, so with few participants they would leak them.
        alerts=[] if few else b.alerts,
    )


def _must_disclose(user: Any) -> bool:
    return not can(user, Action.VIEW_PERSONAL_DATA)


def breadth_for_user(*, user: Any, scope: Scope) -> BreadthView:
    if not (can(user, Action.VIEW_ENGAGEMENT) or can(user, Action.VIEW_WARD_AGGREGATES)):
        raise PermissionDenied("You cannot see engagement figures.")
    return breadth_view(breadth=breadth_compute_for(scope=scope), disclosed=_must_disclose(user))


# ---------------------------------------------------------------------------- activities


def activity_list(
    *, user: Any, area_id: uuid.UUID | None = None, kind: str = "", limit: int = 200
) -> list[Activity]:
    if not can(user, Action.VIEW_ENGAGEMENT):
        raise PermissionDenied("You cannot see engagement activities.")
    qs = Activity.objects.annotate(n_participants=Count("participations"))
    if area_id:
        qs = qs.filter(area_id=area_id)
    if kind in ActivityKind.values:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("-held_on", "title")[:limit])


def activity_get(*, user: Any, activity_id: uuid.UUID | str) -> Activity:
    if not can(user, Action.VIEW_ENGAGEMENT):
        raise NotFound("No such activity.")
    try:
        return Activity.objects.select_related("organiser").get(pk=activity_id)
    except (Activity.DoesNotExist, ValueError) as error:
        raise NotFound("No such activity.") from error


@dataclass
class ParticipationLine:
    reference: str
    age_band: str
    postcode_district: str
    known: bool
    contributions: int


def activity_participants(*, user: Any, activity: Activity) -> list[ParticipationLine]:
    """Who took part, for people who may see records: references, never names."""
    if not can(user, Action.VIEW_PERSONAL_DATA) or not can(user, Action.VIEW_ENGAGEMENT):
        return []
    lines = [
        ParticipationLine(
            reference=p.participant.reference,
            age_band=p.participant.get_age_band_display(),
            # The outward code is enough to see the spread; the full postcode stays put.
            postcode_district=(p.participant.home_postcode or "").split(" ")[0],
            known=p.participant.person_id is not None,
            contributions=p.contributions,
        )
        for p in activity.participations.select_related("participant").order_by(
            "participant__reference"
        )
    ]
    audit_record(
        actor=user,
        verb="engagement.activity.participants_read",
        target=activity,
        personal_data=True,
        payload={"count": len(lines)},
    )
    return lines


def activity_contributions(*, user: Any, activity: Activity) -> list[Contribution]:
    if not can(user, Action.VIEW_ENGAGEMENT):
        return []
    return list(
        Contribution.objects.filter(participation__activity=activity).order_by("kind", "created_at")
    )


def participant_find(*, user: Any, reference: str) -> Participant:
    if not can(user, Action.MANAGE_ENGAGEMENT):
        raise NotFound("No such participant.")
    found = Participant.objects.filter(reference=reference.strip().upper()).first()
    if found is None:
        raise NotFound("No such participant.")
    return found


def participation_get(*, user: Any, participation_id: int | str) -> Participation:
    if not can(user, Action.MANAGE_ENGAGEMENT):
        raise NotFound("No such participation.")
    try:
        return Participation.objects.select_related("activity", "participant").get(
            pk=participation_id
        )
    except (Participation.DoesNotExist, ValueError) as error:
        raise NotFound("No such participation.") from error


def contribution_get(*, user: Any, contribution_id: uuid.UUID | str) -> Contribution:
    if not can(user, Action.MANAGE_ENGAGEMENT):
        raise NotFound("No such contribution.")
    try:
        return Contribution.objects.select_related("participation__activity").get(
            pk=contribution_id
        )
    except (Contribution.DoesNotExist, ValueError) as error:
        raise NotFound("No such contribution.") from error


# ---------------------------------------------------------------------------- maps


@dataclass
class MapRow:
    area_id: uuid.UUID
    code: str
    name: str
    participants: Shown
    population: float | None
    per_thousand: float | str | None


@dataclass
class ChoroplethData:
    level: str
    rows: list[MapRow]
    total: Shown
    disclosed: bool


def choropleth(
    *,
    user: Any,
    level: str = "ward",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    area_ids: list[uuid.UUID] | None = None,
    disclosed: bool | None = None,
) -> ChoroplethData:
    """Participants per 1,000 residents by where they live (ward or LSOA), for a period."""
    from placebase.places.models import Area, AreaAttribute

    if not (can(user, Action.VIEW_ENGAGEMENT) or can(user, Action.VIEW_WARD_AGGREGATES)):
        raise PermissionDenied("You cannot see engagement figures.")
    if level not in ("ward", "lsoa"):
        raise AreaUnknown("Maps are by ward or by LSOA.")
    column = "home_ward_code" if level == "ward" else "home_lsoa_code"
    parts = Participation.objects.all()
    if start:
        parts = parts.filter(held_on__gte=start)
    if end:
        parts = parts.filter(held_on__lte=end)
    counts = dict(
        parts.values_list(f"participant__{column}")
        .annotate(n=Count("participant_id", distinct=True))
        .order_by()
        .values_list(f"participant__{column}", "n")
    )
    areas = Area.objects.filter(boundary_set__level=level, boundary_set__is_active=True)
    if area_ids is not None:
        areas = areas.filter(pk__in=area_ids)
    elif level == "lsoa":
        areas = areas.filter(code__in=[c for c in counts if c])
    area_rows = list(areas.order_by("name").values_list("id", "code", "name"))
    pops = dict(
        AreaAttribute.objects.filter(
            area_id__in=[a[0] for a in area_rows], key="population_total"
        ).values_list("area_id", "value")
    )
    if disclosed is None:
        disclosed = _must_disclose(user)
    raw = {a[1]: counts.get(a[1], 0) for a in area_rows}
    shown, total = disclose_series(raw) if disclosed else (raw, sum(raw.values()))
    rows = []
    for area_id, code, name in area_rows:
        pop = pops.get(area_id)
        if disclosed:
            rate = disclose_rate(raw[code], int(pop), per=1000) if pop else None
        else:
            rate = metrics.per_thousand(raw[code], pop)
        rows.append(MapRow(area_id, code, name, shown[code], round(pop) if pop else None, rate))
    return ChoroplethData(level=level, rows=rows, total=total, disclosed=disclosed)


def boundaries_geojson(*, area_ids: list[uuid.UUID]) -> dict[str, Any]:
    """Boundaries to draw under the map's figures (public geography, no personal data)."""
    import json

    from placebase.places.models import Area

    features = [
        {
            "type": "Feature",
            "id": str(area_id),
            "properties": {"code": code, "name": name},
            "geometry": json.loads(geometry),
        }
        for area_id, code, name, geometry in Area.objects.filter(pk__in=area_ids).values_list(
            "id", "code", "name", "geometry"
        )
    ]
    return {"type": "FeatureCollection", "features": features}


# ---------------------------------------------------------------------------- reach


@dataclass
class Reach:
    people_involved: Shown
    connectors: Shown | str
    projects_started: Shown | str
    projects_active: Shown | str
    groups_supporting: Shown | str
    volunteer_hours: float | str | None


# An area counts as inside a larger one when at least this share of it lies within.
INSIDE_SHARE = 0.5


def _area_codes(area_id: uuid.UUID) -> list[str]:
    """The area's own code and the codes of the areas (of any level) mostly inside it, so a
    neighbourhood or the whole borough counts the projects, connectors and groups recorded
    against its wards."""
    from placebase.places.models import Area, AreaOverlap

    code = Area.objects.filter(pk=area_id).values_list("code", flat=True).first()
    if not code:
        return []
    inside = AreaOverlap.objects.filter(other_id=area_id, area_share__gte=INSIDE_SHARE).values_list(
        "area__code", flat=True
    )
    return list(dict.fromkeys([code, *inside]))


def reach_headline(
    *, user: Any, scope: Scope, disclosed: bool | None = None, people: int | None = None
) -> Reach:
    """People involved, connectors, projects started and active, groups and associations
    supporting, volunteer hours: for an area and period. `people` is the scope's participant
    count when the caller already has it (the breadth figures), saving a second count."""
    if disclosed is None:
        disclosed = _must_disclose(user)
    show = disclose_count if disclosed else (lambda n: n)
    if people is None:
        people = breadth_compute_for(scope=scope, population=Population(None, {}, {})).participants
    codes = _area_codes(scope.area_id) if scope.area_id else []
    reach = Reach(
        show(people), NOT_AVAILABLE, NOT_AVAILABLE, NOT_AVAILABLE, NOT_AVAILABLE, NOT_AVAILABLE
    )
    try:
        from placebase.assets.models import (
            Asset,
            AssetKind,
            AssetStatus,
            CommunityProject,
            Connector,
            ProjectStage,
        )
    except ImportError:  # pragma: no cover - assets is part of the product
        return reach
    projects = CommunityProject.objects.all()
    connectors = Connector.objects.filter(is_active=True)
    groups = Asset.objects.filter(kind=AssetKind.GROUP, status=AssetStatus.ACTIVE)
    if codes:
        projects = projects.filter(area_code__in=codes)
        connectors = connectors.filter(area_code__in=codes)
        groups = groups.filter(service_at_locations__location__ward_code__in=codes).distinct()
    started = projects
    if scope.start:
        started = started.filter(started_on__gte=scope.start)
    if scope.end:
        started = started.filter(started_on__lte=scope.end)
    active = projects.filter(
        stage__in=[
            ProjectStage.FIRST_GATHERING,
            ProjectStage.MEETING_REGULARLY,
            ProjectStage.SELF_SUSTAINING,
        ]
    )
    reach.connectors = show(connectors.count())
    reach.projects_started = show(started.filter(started_on__isnull=False).count())
    reach.projects_active = show(active.count())
    reach.groups_supporting = show(groups.count())
    reach.volunteer_hours = _volunteer_hours(codes=codes, scope=scope, disclosed=disclosed)
    return reach


def _volunteer_hours(*, codes: list[str], scope: Scope, disclosed: bool) -> float | str | None:
    try:
        from placebase.volunteering.models import HoursEntry
    except ImportError:
        return NOT_AVAILABLE
    if not hasattr(HoursEntry, "hours") or not _has_table(HoursEntry):
        return NOT_AVAILABLE
    entries = HoursEntry.objects.filter(status="verified")
    if codes:
        entries = entries.filter(opportunity__ward_code__in=codes)
    if scope.start:
        entries = entries.filter(worked_on__gte=scope.start)
    if scope.end:
        entries = entries.filter(worked_on__lte=scope.end)
    agg = entries.aggregate(
        n=Count("id"), hours=Sum("hours"), people=Count("volunteer", distinct=True)
    )
    if disclosed and _share_hidden(disclose_count(agg["people"] or 0)):
        return SUPPRESSED
    hours = float(agg["hours"] or 0)
    return round(hours / 5) * 5 if disclosed else hours


def _has_table(model: Any) -> bool:
    from django.db import connection

    return model._meta.db_table in connection.introspection.table_names()


# ---------------------------------------------------------------------------- ward view


def councillor_wards(*, user: Any) -> list[CouncillorWard]:
    return list(CouncillorWard.objects.filter(user=user).order_by("area_name"))


@dataclass
class WardRef:
    area_id: uuid.UUID
    code: str
    name: str


def wards_for_view(*, user: Any, area_ids: list[uuid.UUID] | None = None) -> list[WardRef]:
    """The wards a user's ward view covers: a councillor's own wards only; staff who may see
    ward views may pick any active ward."""
    if not can(user, Action.VIEW_WARD_AGGREGATES):
        raise PermissionDenied("The ward view is for councillors.")
    if user.role == Role.COUNCILLOR:
        wards = [WardRef(w.area_id, w.area_code, w.area_name) for w in councillor_wards(user=user)]
        if area_ids:
            wards = [w for w in wards if w.area_id in set(area_ids)]
        return wards
    from placebase.places.models import Area

    qs = Area.objects.filter(boundary_set__level="ward", boundary_set__is_active=True)
    # Staff see a ward only once they pick one: the page never lists every ward at once.
    qs = qs.filter(pk__in=area_ids) if area_ids else qs.none()
    return [WardRef(a, c, n) for a, c, n in qs.order_by("name").values_list("id", "code", "name")]


def ward_choices() -> list[tuple[str, str]]:
    from placebase.places.models import Area

    return [
        (str(a), n)
        for a, n in Area.objects.filter(boundary_set__level="ward", boundary_set__is_active=True)
        .order_by("name")
        .values_list("id", "name")
    ]


@dataclass
class Table:
    """A disclosure-controlled table: rows (wards or periods) by columns, with totals."""

    caption: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[Shown]]
    row_totals: list[Shown]
    column_totals: list[Shown]
    total: Shown

    @property
    def rows_with_totals(self) -> list[tuple[str, list[Shown], Shown]]:
        return list(zip(self.row_labels, self.cells, self.row_totals, strict=True))


def table_disclosed(
    *, caption: str, row_labels: list[str], column_labels: list[str], counts: list[list[int]]
) -> Table:
    result = disclose_table(counts)
    return Table(
        caption=caption,
        row_labels=row_labels,
        column_labels=column_labels,
        cells=result.cells,
        row_totals=result.row_totals,
        column_totals=result.column_totals,
        total=result.total,
    )


@dataclass
class WardBreadth:
    ward: WardRef
    breadth: BreadthView
    reach: Reach


@dataclass
class Section:
    title: str
    tables: list[Table] = field(default_factory=list)
    unavailable: str = ""


@dataclass
class WardView:
    wards: list[WardRef]
    start: datetime.date
    end: datetime.date
    breadth: list[WardBreadth]
    sections: list[Section]
    trend: Table | None


def _quarter_starts(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    first = datetime.date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    out = []
    while first <= end:
        out.append(first)
        month = first.month + 3
        first = datetime.date(first.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return out[-8:]


def _quarter_label(day: datetime.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def _count_matrix(
    wards: list[WardRef], columns: list[Any], pairs: Iterable[tuple[Any, Any, int]]
) -> list[list[int]]:
    index = {w.code: i for i, w in enumerate(wards)}
    col_index = {c: j for j, c in enumerate(columns)}
    grid = [[0] * len(columns) for _ in wards]
    for ward_code, column, n in pairs:
        if ward_code in index and column in col_index:
            grid[index[ward_code]][col_index[column]] += n
    return grid


def _engagement_section(wards: list[WardRef], start: datetime.date, end: datetime.date) -> Section:
    """Participants by age band and by deprivation quintile, ward by ward (home ward)."""
    parts = Participation.objects.filter(held_on__gte=start, held_on__lte=end)
    codes = [w.code for w in wards]
    age_pairs = (
        parts.filter(participant__home_ward_code__in=codes)
        .values_list("participant__home_ward_code", "participant__age_band")
        .annotate(n=Count("participant_id", distinct=True))
        .order_by()
    )
    q_pairs = (
        parts.filter(participant__home_ward_code__in=codes)
        .values_list("participant__home_ward_code", "participant__deprivation_quintile")
        .annotate(n=Count("participant_id", distinct=True))
        .order_by()
    )
    labels = [w.name for w in wards]
    return Section(
        title="Who takes part, by where they live",
        tables=[
            table_disclosed(
                caption="Residents taking part, by age band (Census 2021 bands)",
                row_labels=labels,
                column_labels=[label for _, label in metrics.AGE_BANDS],
                counts=_count_matrix(wards, [c for c, _ in metrics.AGE_BANDS], age_pairs),
            ),
            table_disclosed(
                caption="Residents taking part, by deprivation quintile of their "
                "neighbourhood (IoD 2025; 1 is the most deprived fifth)",
                row_labels=labels,
                column_labels=[label for _, label in metrics.QUINTILES],
                counts=_count_matrix(wards, [q for q, _ in metrics.QUINTILES], q_pairs),
            ),
        ],
    )


def _casework_section(wards: list[WardRef], start: datetime.date, end: datetime.date) -> Section:
    """Introductions and connections by ward (the person's home ward, via places).

    Case work has no aggregate-by-ward selector for councillors, so this counts against its
    models directly; only counts leave this function.
    """
    title = "Introductions and connections (Local Area Coordination)"
    try:
        from placebase.casework.models import Connection, ConnectionStatus, Introduction
        from placebase.casework.selectors import PERSON_RECORD_TYPE
    except ImportError:
        return Section(title, unavailable=NOT_AVAILABLE)
    if not _has_table(Introduction):
        return Section(title, unavailable=NOT_AVAILABLE)
    from placebase.places.models import AreaMembership

    ward_of: dict[Any, str] = {}
    code_of = {w.area_id: w.code for w in wards}
    for record_id, area_id in AreaMembership.objects.filter(
        record_type=PERSON_RECORD_TYPE, area_id__in=list(code_of)
    ).values_list("record_id", "area_id"):
        ward_of[record_id] = code_of[area_id]
    intro_counts: dict[str, int] = defaultdict(int)
    for (person_id,) in Introduction.objects.filter(
        person_id__in=list(ward_of), introduced_on__gte=start, introduced_on__lte=end
    ).values_list("person_id"):
        intro_counts[ward_of[person_id]] += 1
    statuses = list(ConnectionStatus)
    conn_pairs: list[tuple[str, str, int]] = []
    for person_id, status, n in (
        Connection.objects.filter(
            person_id__in=list(ward_of), suggested_on__gte=start, suggested_on__lte=end
        )
        .values_list("person_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        conn_pairs.append((ward_of[person_id], status, n))
    labels = [w.name for w in wards]
    return Section(
        title=title,
        tables=[
            table_disclosed(
                caption="Introductions to a local area coordinator",
                row_labels=labels,
                column_labels=["Introductions"],
                counts=[[intro_counts.get(w.code, 0)] for w in wards],
            ),
            table_disclosed(
                caption="Connections to community, by how far they have got",
                row_labels=labels,
                column_labels=[s.label for s in statuses],
                counts=_count_matrix(wards, [s.value for s in statuses], conn_pairs),
            ),
        ],
    )


def _assets_section(wards: list[WardRef]) -> Section:
    title = "Community assets, gaps and projects"
    try:
        from placebase.assets.models import (
            Asset,
            AssetKind,
            AssetStatus,
            CommunityProject,
            ProjectStage,
            UnmetNeed,
        )
    except ImportError:
        return Section(title, unavailable=NOT_AVAILABLE)
    if not _has_table(Asset):
        return Section(title, unavailable=NOT_AVAILABLE)
    codes = [w.code for w in wards]
    labels = [w.name for w in wards]
    kinds = list(AssetKind)
    asset_pairs = (
        Asset.objects.filter(
            status=AssetStatus.ACTIVE, service_at_locations__location__ward_code__in=codes
        )
        .values_list("service_at_locations__location__ward_code", "kind")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    stages = list(ProjectStage)
    project_pairs = (
        CommunityProject.objects.filter(area_code__in=codes)
        .values_list("area_code", "stage")
        .annotate(n=Count("id"))
        .order_by()
    )
    gaps = dict(
        UnmetNeed.objects.filter(area_code__in=codes, met_at__isnull=True)
        .values_list("area_code")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("area_code", "n")
    )
    return Section(
        title=title,
        tables=[
            table_disclosed(
                caption="Community assets by kind (active listings with a place in the ward)",
                row_labels=labels,
                column_labels=[k.label for k in kinds],
                counts=_count_matrix(wards, [k.value for k in kinds], asset_pairs),
            ),
            table_disclosed(
                caption="Gaps: needs recorded that no local asset meets yet",
                row_labels=labels,
                column_labels=["Unmet needs"],
                counts=[[gaps.get(w.code, 0)] for w in wards],
            ),
            table_disclosed(
                caption="Community projects by stage",
                row_labels=labels,
                column_labels=[s.label for s in stages],
                counts=_count_matrix(wards, [s.value for s in stages], project_pairs),
            ),
        ],
    )


def _volunteering_section(
    wards: list[WardRef], start: datetime.date, end: datetime.date
) -> Section:
    title = "Volunteering"
    try:
        from placebase.volunteering.models import HoursEntry, Volunteer
    except ImportError:
        return Section(title, unavailable=NOT_AVAILABLE)
    if not _has_table(Volunteer) or not _has_table(HoursEntry):
        return Section(title, unavailable=NOT_AVAILABLE)
    codes = [w.code for w in wards]
    volunteers = dict(
        Volunteer.objects.filter(ward_code__in=codes)
        .values_list("ward_code")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("ward_code", "n")
    )
    active = dict(
        HoursEntry.objects.filter(
            volunteer__ward_code__in=codes, worked_on__gte=start, worked_on__lte=end
        )
        .values_list("volunteer__ward_code")
        .annotate(n=Count("volunteer_id", distinct=True))
        .order_by()
        .values_list("volunteer__ward_code", "n")
    )
    labels = [w.name for w in wards]
    return Section(
        title=title,
        tables=[
            table_disclosed(
                caption="Volunteers living in the ward",
                row_labels=labels,
                column_labels=["Registered volunteers", "Gave time in the period"],
                counts=[[volunteers.get(w.code, 0), active.get(w.code, 0)] for w in wards],
            )
        ],
    )


def _trend(wards: list[WardRef], start: datetime.date, end: datetime.date) -> Table | None:
    quarters = _quarter_starts(start, end)
    if not quarters:
        return None
    codes = [w.code for w in wards]
    ward_ids = [w.area_id for w in wards]
    activities = Activity.objects.filter(
        area_id__in=ward_ids, held_on__gte=quarters[0], held_on__lte=end
    )
    grid = [[0] * len(quarters) for _ in wards]
    index = {w.area_id: i for i, w in enumerate(wards)}
    for area_id, held_on, n in (
        Participation.objects.filter(activity__in=activities)
        .values_list("activity__area_id", "held_on")
        .annotate(n=Count("id"))
        .order_by()
    ):
        q = max(i for i, s in enumerate(quarters) if s <= held_on)
        grid[index[area_id]][q] += n
    del codes
    return table_disclosed(
        caption="Attendances at engagement activities held in the ward, by quarter",
        row_labels=[w.name for w in wards],
        column_labels=[_quarter_label(q) for q in quarters],
        counts=grid,
    )


def ward_view(
    *,
    user: Any,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    area_ids: list[uuid.UUID] | None = None,
) -> WardView:
    """Everything the councillor ward view shows, aggregates only, all disclosure-controlled
    whatever the user's role (the page is built for councillors)."""
    end = end or datetime.date.today()
    start = start or (end - datetime.timedelta(days=365))
    if start > end:
        raise PeriodInvalid("The start of the period must be before its end.")
    wards = wards_for_view(user=user, area_ids=area_ids)
    breadth = []
    for ward in wards:
        scope = Scope(area_id=ward.area_id, start=start, end=end)
        computed = breadth_compute_for(scope=scope)
        breadth.append(
            WardBreadth(
                ward=ward,
                breadth=breadth_view(breadth=computed, disclosed=True),
                reach=reach_headline(
                    user=user, scope=scope, disclosed=True, people=computed.participants
                ),
            )
        )
    sections = []
    if wards:
        sections = [
            _engagement_section(wards, start, end),
            _casework_section(wards, start, end),
            _assets_section(wards),
            _volunteering_section(wards, start, end),
        ]
    audit_record(
        actor=user,
        verb="engagement.ward_view.read",
        target_type="places.area",
        payload={"wards": [w.code for w in wards], "start": str(start), "end": str(end)},
    )
    return WardView(
        wards=wards,
        start=start,
        end=end,
        breadth=breadth,
        sections=sections,
        trend=_trend(wards, start, end) if wards else None,
    )


# ---------------------------------------------------------------------------- admin choices


def councillor_user_choices(*, user: Any) -> list[tuple[str, str]]:
    from placebase.accounts.models import User

    if not can(user, Action.MANAGE_COUNCILLOR_WARDS):
        return []
    return [
        (str(pk), name or username)
        for pk, username, name in User.objects.filter(role=Role.COUNCILLOR, is_active=True)
        .order_by("last_name", "username")
        .values_list("id", "username", "last_name")
    ]


def councillor_ward_list_all(*, user: Any) -> list[CouncillorWard]:
    if not can(user, Action.MANAGE_COUNCILLOR_WARDS):
        raise PermissionDenied("Only administrators manage councillors' wards.")
    return list(
        CouncillorWard.objects.select_related("user").order_by("user__username", "area_name")
    )


def councillor_ward_get(*, user: Any, ward_id: uuid.UUID | str) -> CouncillorWard:
    if not can(user, Action.MANAGE_COUNCILLOR_WARDS):
        raise NotFound("No such ward assignment.")
    try:
        return CouncillorWard.objects.get(pk=ward_id)
    except (CouncillorWard.DoesNotExist, ValueError) as error:
        raise NotFound("No such ward assignment.") from error


def project_choices() -> list[tuple[str, str]]:
    try:
        from placebase.assets.models import CommunityProject
    except ImportError:  # pragma: no cover - assets is part of the product
        return []
    if not _has_table(CommunityProject):
        return []
    return [
        (str(pk), name)
        for pk, name in CommunityProject.objects.order_by("name").values_list("id", "name")[:500]
    ]
