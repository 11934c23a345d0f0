"""Reads for places: postcodes, which areas a point is in, areas, rollups and overlaps."""

from __future__ import annotations

import copy
import logging
import re
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.db import connection
from django.db.models import Count, Q, QuerySet

from placebase.accounts.permissions import Action, can
from placebase.core.disclosure import Shown, disclose_count, disclose_series
from placebase.core.errors import NotFound

from . import geocoder
from .errors import CoordinatesInvalid, PostcodeMalformed, PostcodeTerminated, PostcodeUnknown
from .geo import GridIndex, to_bng
from .models import (
    LEVEL_RANK,
    Area,
    AreaAttribute,
    AreaCombination,
    AreaMembership,
    AreaOverlap,
    BoundarySet,
    ImportJob,
    Level,
    LocatedPoint,
    Postcode,
)

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------- postcodes

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


@dataclass(frozen=True)
class PostcodeLocation:
    postcode: str
    lat: float
    lon: float
    source: str
    lsoa_code: str | None  # LSOA 2011 code when the imported file carries one
    district_code: str | None = None
    ward_code: str | None = None


def postcode_normalise(raw: str) -> str:
    """ "sm11aa" -> "SM1 1AA". Raises PostcodeMalformed for anything that is not a postcode."""
    compact = re.sub(r"[^A-Za-z0-9]", "", raw or "").upper()
    match = _POSTCODE.match(compact)
    if not match:
        raise PostcodeMalformed(
            f"Enter a real postcode, like SM1 1AA ('{(raw or '')[:20]}' is not one)"
        )
    return f"{match.group(1)} {match.group(2)}"


_POSTCODE_SQL = (
    "SELECT lat, lon, terminated, lsoa11_code, district_code, ward_code, source "  # noqa: S608
    f"FROM {Postcode._meta.db_table} WHERE postcode = %s"
)


def postcode_lookup(postcode: str) -> PostcodeLocation:
    """An imported postcode file first (it knows terminations and LSOAs), then the embedded
    whole-UK geocoder. Raises PostcodeMalformed, PostcodeUnknown or PostcodeTerminated."""
    normal = postcode_normalise(postcode)
    # Raw SQL: this sits on the hot path of every postcode search.
    with connection.cursor() as cursor:
        cursor.execute(_POSTCODE_SQL, [normal])
        found_rows = cursor.fetchall()
    row = found_rows[0] if found_rows else None
    if row is not None:
        lat, lon, terminated, lsoa, district, ward, source = row
        if terminated:
            raise PostcodeTerminated(
                f"{normal} is no longer in use (terminated {terminated[:4]}-{terminated[4:]})",
                postcode=normal,
            )
        if lat is None or lon is None:
            raise PostcodeUnknown(f"{normal} has no grid reference", postcode=normal)
        return PostcodeLocation(
            postcode=normal,
            lat=lat,
            lon=lon,
            source=source or "imported",
            lsoa_code=lsoa or None,
            district_code=district or None,
            ward_code=ward or None,
        )
    found = geocoder.embedded_lookup(normal)
    if found is None:
        raise PostcodeUnknown(f"{normal} is not a known postcode", postcode=normal)
    if found.lat is None or found.lon is None:
        raise PostcodeUnknown(f"{normal} has no grid reference", postcode=normal)
    return PostcodeLocation(
        postcode=normal,
        lat=found.lat,
        lon=found.lon,
        source=geocoder.SOURCE,
        lsoa_code=None,
        district_code=found.district_code or None,
    )


# ---------------------------------------------------------------------------- the index cache


@dataclass
class SetIndex:
    set_id: uuid.UUID
    level: str
    vintage: int
    version: int
    index: GridIndex
    area_ids: list[uuid.UUID]
    codes: list[str]
    # Areas without their geometry, so answering a point needs no query beyond the check.
    areas: list[Area] = field(default_factory=list)

    @property
    def column(self) -> str:
        return f"{self.level}_{self.vintage}"

    @property
    def many(self) -> bool:
        """Custom areas may overlap: a point belongs to each one it is inside."""
        return self.level in {Level.PATCH, Level.NEIGHBOURHOOD}

    def locate(self, lon: float, lat: float) -> list[int]:
        found = self.index.locate_all(lon, lat)
        if len(found) > 1:
            if self.many:
                # Overlaps count for each; a point merely on an edge goes to the first.
                inside = [i for i in found if shapely.contains_xy(self.index.geoms[i], lon, lat)]
                return inside or found[:1]
            return found[:1]
        return found


_cache_lock = threading.Lock()
_cache: dict[uuid.UUID, SetIndex] = {}


def _active_versions() -> list[tuple[uuid.UUID, str, int, int]]:
    # Raw SQL: this runs on every locate, and the ORM would cost more than the lookup itself.
    table = BoundarySet._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, level, vintage, geometry_version FROM {table} "  # noqa: S608
            "WHERE is_active = %s ORDER BY level, vintage",
            [True],
        )
        rows = cursor.fetchall()
    out = []
    for set_id, level, vintage, version in rows:
        out.append(
            (
                set_id if isinstance(set_id, uuid.UUID) else uuid.UUID(str(set_id)),
                level,
                vintage,
                version,
            )
        )
    return out


def _build_set_index(set_id: uuid.UUID, level: str, vintage: int, version: int) -> SetIndex:
    rows = list(
        Area.objects.filter(boundary_set_id=set_id)
        .order_by("code")
        .values_list("id", "code", "geometry_wkb")
    )
    geoms = shapely.from_wkb([bytes(r[2]) for r in rows]) if rows else []
    areas = list(
        Area.objects.filter(boundary_set_id=set_id)
        .select_related("boundary_set")
        .defer("geometry", "geometry_wkb")
        .order_by("code")
    )
    return SetIndex(
        set_id=set_id,
        level=level,
        vintage=vintage,
        version=version,
        index=GridIndex(list(geoms)),
        area_ids=[r[0] for r in rows],
        codes=[r[1] for r in rows],
        areas=areas,
    )


def set_index_get(*, boundary_set: BoundarySet) -> SetIndex:
    """The index for one set (active or not), built on first use and kept per process."""
    cached = _cache.get(boundary_set.id)
    if cached is not None and cached.version == boundary_set.geometry_version:
        return cached
    built = _build_set_index(
        boundary_set.id, boundary_set.level, boundary_set.vintage, boundary_set.geometry_version
    )
    with _cache_lock:
        _cache[boundary_set.id] = built
    return built


def active_indexes() -> list[SetIndex]:
    """One index per active boundary set, rebuilt when a set's geometry_version moves."""
    out = []
    for set_id, level, vintage, version in _active_versions():
        cached = _cache.get(set_id)
        if cached is None or cached.version != version:
            cached = _build_set_index(set_id, level, vintage, version)
            with _cache_lock:
                _cache[set_id] = cached
        out.append(cached)
    return out


def _check_point(lat: float, lon: float) -> None:
    try:
        ok = -90 <= float(lat) <= 90 and -180 <= float(lon) <= 180
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise CoordinatesInvalid(
            "Latitude must be between -90 and 90 and longitude between -180 and 180"
        )


def area_ids_at_point(*, lat: float, lon: float, level: str | None = None) -> list[uuid.UUID]:
    _check_point(lat, lon)
    ids: list[uuid.UUID] = []
    for set_index in active_indexes():
        if level and set_index.level != level:
            continue
        ids.extend(set_index.area_ids[i] for i in set_index.locate(lon, lat))
    return ids


def area_codes_at_point(*, lat: float, lon: float) -> dict[str, list[str]]:
    """Codes by column (`lsoa_2011` etc.) for one point, straight from the index."""
    _check_point(lat, lon)
    return {s.column: [s.codes[i] for i in s.locate(lon, lat)] for s in active_indexes()}


def areas_at_point(*, lat: float, lon: float, level: str | None = None) -> list[Area]:
    """Every area of every active boundary set containing the point (one per set, except
    custom sets, whose areas may overlap). Ordered larger levels first. The areas come
    without their geometry (ask `area_get_by_id` for it)."""
    _check_point(lat, lon)
    found: list[Area] = []
    for set_index in active_indexes():
        if level and set_index.level != level:
            continue
        # Copies, so a caller changing one cannot change the process cache.
        found.extend(copy.copy(set_index.areas[i]) for i in set_index.locate(lon, lat))
    rank = LEVEL_RANK
    found.sort(key=lambda a: (rank.get(a.boundary_set.level, 99), -a.boundary_set.vintage, a.code))
    return found


@dataclass
class BulkLocation:
    """Area index per point for each set (-1 when outside), plus the sets' codes."""

    columns: dict[str, np.ndarray]
    codes: dict[str, list[str]]
    area_ids: dict[str, list[uuid.UUID]]


def points_locate_bulk(
    *,
    lat: Sequence[float] | np.ndarray,
    lon: Sequence[float] | np.ndarray,
    sets: Iterable[BoundarySet] | None = None,
) -> BulkLocation:
    """Locate many points at once against active sets (or the given ones)."""
    indexes = (
        [set_index_get(boundary_set=s) for s in sets] if sets is not None else active_indexes()
    )
    lat_a, lon_a = np.asarray(lat, float), np.asarray(lon, float)
    return BulkLocation(
        columns={s.column: s.index.locate_many(lon_a, lat_a) for s in indexes},
        codes={s.column: s.codes for s in indexes},
        area_ids={s.column: s.area_ids for s in indexes},
    )


# ---------------------------------------------------------------------------- areas and sets


def boundary_set_list(*, active_only: bool = False) -> QuerySet[BoundarySet]:
    qs = BoundarySet.objects.annotate(area_count=Count("areas"))
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("level", "-vintage")


def boundary_set_get(*, set_id: uuid.UUID | str) -> BoundarySet:
    found = BoundarySet.objects.filter(id=set_id).first()
    if found is None:
        raise NotFound("No such boundary set")
    return found


def boundary_set_for(
    *, level: str, vintage: int | None = None, active_only: bool = True
) -> BoundarySet:
    """The set for a level: the given vintage, or the latest active one."""
    qs = BoundarySet.objects.filter(level=level)
    if vintage is not None:
        qs = qs.filter(vintage=vintage)
    elif active_only:
        qs = qs.filter(is_active=True)
    found = qs.order_by("-vintage").first()
    if found is None:
        raise NotFound(f"No boundary set for {level}" + (f" {vintage}" if vintage else ""))
    return found


def area_get(*, code: str, level: str | None = None, vintage: int | None = None) -> Area:
    """An area by its code. Codes can repeat across vintages (an LSOA unchanged from 2011
    to 2021 keeps its code), so active sets and later vintages win."""
    qs = Area.objects.filter(code=code).select_related("boundary_set")
    if level:
        qs = qs.filter(boundary_set__level=level)
    if vintage:
        qs = qs.filter(boundary_set__vintage=vintage)
    found = qs.order_by("-boundary_set__is_active", "-boundary_set__vintage").first()
    if found is None:
        raise NotFound(f"No area with code {code}")
    return found


def area_get_by_id(*, area_id: uuid.UUID | str) -> Area:
    found = Area.objects.filter(id=area_id).select_related("boundary_set").first()
    if found is None:
        raise NotFound("No such area")
    return found


def area_list(*, boundary_set: BoundarySet, query: str = "") -> QuerySet[Area]:
    qs = Area.objects.filter(boundary_set=boundary_set).defer("geometry", "geometry_wkb")
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(code__iexact=query))
    return qs.order_by("name")


def area_attributes(*, area: Area) -> dict[str, float]:
    return dict(AreaAttribute.objects.filter(area=area).values_list("key", "value"))


AGE_BANDS = [
    ("population_0_15", "15 years and under"),
    ("population_16_24", "16 to 24 years"),
    ("population_25_34", "25 to 34 years"),
    ("population_35_49", "35 to 49 years"),
    ("population_50_64", "50 to 64 years"),
    ("population_65_plus", "65 years and over"),
]


@dataclass
class AreaProfile:
    population_by_age: list[tuple[str, int]]
    population_total: int | None
    population_estimated: bool
    imd_decile: int | None
    imd_rank: int | None
    # For areas bigger than an LSOA: how many of its LSOAs (best fit) sit in each decile.
    lsoa_deciles: list[tuple[int, int]] = field(default_factory=list)


def area_profile(*, area: Area) -> AreaProfile:
    attrs = area_attributes(area=area)
    bands = [(label, round(attrs[key])) for key, label in AGE_BANDS if key in attrs]
    total = attrs.get("population_total")
    deciles: dict[int, int] = defaultdict(int)
    if "imd_decile" not in attrs:
        children = AreaOverlap.objects.filter(
            other=area,
            area_share__gte=0.5,
            area__boundary_set__level=Level.LSOA,
            area__attributes__key="imd_decile",
        ).values_list("area__attributes__value", flat=True)
        for value in children:
            deciles[int(value)] += 1
    return AreaProfile(
        population_by_age=bands,
        population_total=round(total) if total is not None else None,
        population_estimated=bool(attrs.get("population_estimated")),
        imd_decile=int(attrs["imd_decile"]) if "imd_decile" in attrs else None,
        imd_rank=int(attrs["imd_rank"]) if "imd_rank" in attrs else None,
        lsoa_deciles=sorted(deciles.items()),
    )


@dataclass
class OverlapRow:
    area: Area
    area_share: float
    population_share: float | None


def area_overlaps(*, area: Area) -> dict[BoundarySet, list[OverlapRow]]:
    """Where this area lies, set by set: the share of it inside each overlapping area."""
    rows = (
        AreaOverlap.objects.filter(area=area, area_share__gt=0.001)
        .select_related("other__boundary_set")
        .defer("other__geometry", "other__geometry_wkb")
    )
    grouped: dict[BoundarySet, list[OverlapRow]] = defaultdict(list)
    for row in rows:
        grouped[row.other.boundary_set].append(
            OverlapRow(row.other, row.area_share, row.population_share)
        )
    rank = LEVEL_RANK
    return dict(sorted(grouped.items(), key=lambda kv: (rank.get(kv[0].level, 99), -kv[0].vintage)))


def area_children(*, area: Area) -> dict[BoundarySet, list[OverlapRow]]:
    """Areas of smaller levels whose best fit is this area (at least half inside it)."""
    rank = LEVEL_RANK
    own = rank.get(area.boundary_set.level, 99)
    rows = (
        AreaOverlap.objects.filter(other=area, area_share__gte=0.5)
        .select_related("area__boundary_set")
        .defer("area__geometry", "area__geometry_wkb")
        .order_by("area__name")
    )
    grouped: dict[BoundarySet, list[OverlapRow]] = defaultdict(list)
    for row in rows:
        if rank.get(row.area.boundary_set.level, 99) > own:
            grouped[row.area.boundary_set].append(
                OverlapRow(row.area, row.area_share, row.population_share)
            )
    return dict(sorted(grouped.items(), key=lambda kv: (rank.get(kv[0].level, 99), -kv[0].vintage)))


def population_estimate(*, geometry: Any) -> float | None:
    """People living inside a WGS84 geometry: each overlapping LSOA's Census 2021 population
    times the share of its area inside. None when no LSOA populations are loaded there."""
    lsoa_sets = BoundarySet.objects.filter(level=Level.LSOA, vintage__gte=2021)
    minx, miny, maxx, maxy = geometry.bounds
    rows = list(
        Area.objects.filter(
            boundary_set__in=lsoa_sets,
            attributes__key="population_total",
            min_lon__lte=maxx,
            max_lon__gte=minx,
            min_lat__lte=maxy,
            max_lat__gte=miny,
        ).values_list("geometry_wkb", "attributes__value")
    )
    if not rows:
        return None
    lsoas = shapely.from_wkb([bytes(r[0]) for r in rows])
    pops = np.array([r[1] for r in rows], float)
    shape = to_bng(geometry)
    lsoas_bng = to_bng(lsoas)
    inter = shapely.area(shapely.intersection(lsoas_bng, shape))
    whole = shapely.area(lsoas_bng)
    covered = inter.sum() / max(shapely.area(shape), 1e-9)
    if covered < 0.5:
        return None  # mostly outside the LSOAs we know: an estimate would mislead
    return float((pops * inter / np.maximum(whole, 1e-9)).sum())


# ---------------------------------------------------------------------------- rollups


@dataclass
class RollupRow:
    area_id: uuid.UUID
    code: str
    name: str
    count: Shown
    total: float | None = None  # a sum of the given weights, when asked for


@dataclass
class Rollup:
    boundary_set: BoundarySet
    rows: list[RollupRow]
    total: Shown
    not_in_set: Shown  # located records of this type that fall in no area of the set
    disclosure_applied: bool


def _may_see_records(user: Any) -> bool:
    return user is None or can(user, Action.VIEW_PERSONAL_DATA)


def _rollup(
    boundary_set: BoundarySet,
    counts: Mapping[uuid.UUID, int],
    sums: Mapping[uuid.UUID, float] | None,
    areas: list[tuple[uuid.UUID, str, str]],
    located: int,
    user: Any,
) -> Rollup:
    assigned = sum(counts.get(a[0], 0) for a in areas)
    not_in_set = max(located - assigned, 0)
    if _may_see_records(user):
        rows = [
            RollupRow(
                a[0],
                a[1],
                a[2],
                counts.get(a[0], 0),
                sums.get(a[0], 0.0) if sums is not None else None,
            )
            for a in areas
        ]
        return Rollup(boundary_set, rows, assigned, not_in_set, False)
    shown, total = disclose_series({a[0]: counts.get(a[0], 0) for a in areas})
    rows = [
        RollupRow(
            a[0],
            a[1],
            a[2],
            shown[a[0]],
            None if sums is None or shown[a[0]] == "*" else sums.get(a[0], 0.0),
        )
        for a in areas
    ]
    return Rollup(boundary_set, rows, total, disclose_count(not_in_set), True)


def _members_and_points(
    record_type: str, record_ids: Iterable[uuid.UUID] | QuerySet[Any] | None
) -> tuple[QuerySet[AreaMembership], QuerySet[LocatedPoint]]:
    members = AreaMembership.objects.filter(record_type=record_type)
    points = LocatedPoint.objects.filter(record_type=record_type)
    if record_ids is not None:
        ids = record_ids if isinstance(record_ids, QuerySet) else list(record_ids)
        members = members.filter(record_id__in=ids)
        points = points.filter(record_id__in=ids)
    return members, points


def _sums(
    members: QuerySet[AreaMembership], weights: Mapping[uuid.UUID, float] | None
) -> dict[uuid.UUID, float] | None:
    if weights is None:
        return None
    sums: dict[uuid.UUID, float] = defaultdict(float)
    for area_id, record_id in members.values_list("area_id", "record_id").iterator(5000):
        sums[area_id] += float(weights.get(record_id, 0) or 0)
    return sums


def area_rollup(
    *,
    record_type: str,
    level: str,
    vintage: int | None = None,
    record_ids: Iterable[uuid.UUID] | QuerySet[Any] | None = None,
    user: Any = None,
    weights: Mapping[uuid.UUID, float] | None = None,
) -> Rollup:
    """Count located records of one type by the areas of one level (every area, zeros too).

    `record_ids` narrows to some records (a list or a queryset of ids); `weights` adds a sum
    per area. `user=None` is a trusted internal caller. For a user who may not see individual
    records, counts pass through disclosure control (1-7 shown as *, others rounded to 5,
    secondary suppression) and sums are hidden where their count is.
    """
    boundary_set = boundary_set_for(level=level, vintage=vintage, active_only=vintage is None)
    members, points = _members_and_points(record_type, record_ids)
    members = members.filter(boundary_set=boundary_set)
    counts = dict(
        members.values_list("area_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("area_id", "n")
    )
    areas = list(
        Area.objects.filter(boundary_set=boundary_set)
        .order_by("name")
        .values_list("id", "code", "name")
    )
    return _rollup(boundary_set, counts, _sums(members, weights), areas, points.count(), user)


def _level_counts(members: QuerySet[AreaMembership], boundary_set: BoundarySet) -> dict[Any, int]:
    return dict(
        members.filter(boundary_set=boundary_set)
        .values_list("area_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("area_id", "n")
    )


def _combination_counts(
    points: QuerySet[LocatedPoint],
    members: QuerySet[AreaMembership],
    areas: Mapping[str, uuid.UUID],
) -> tuple[dict[uuid.UUID, int], int]:
    """Records per area for the given areas (str id -> id), and how many records in all,
    from one GROUP BY of the points by their combination of areas."""
    groups = list(
        points.values_list("combination_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("combination_id", "n")
    )
    area_lists: dict[int, list[str]] = {}
    ids = sorted(c for c, _n in groups if c is not None)
    for start in range(0, len(ids), 900):
        area_lists.update(
            AreaCombination.objects.filter(id__in=ids[start : start + 900]).values_list(
                "id", "area_ids"
            )
        )
    counts: dict[uuid.UUID, int] = defaultdict(int)
    located = 0
    uncombined = 0
    for combination_id, n in groups:
        located += n
        if combination_id is None:
            uncombined += n
            continue
        for key in area_lists.get(combination_id, ()):
            area_id = areas.get(key)
            if area_id is not None:
                counts[area_id] += n
    if uncombined:
        # Points written outside the services have no combination: count their rows. Rows
        # of inactive sets are counted too, harmlessly: no rollup reads their areas.
        rows = (
            members.filter(
                record_id__in=points.filter(combination__isnull=True).values("record_id")
            )
            .values_list("area_id")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("area_id", "n")
        )
        for area_id, n in rows:
            counts[area_id] += n
    return counts, located


def area_rollup_levels(
    *,
    record_type: str,
    record_ids: Iterable[uuid.UUID] | QuerySet[Any] | None = None,
    user: Any = None,
    weights: Mapping[uuid.UUID, float] | None = None,
) -> dict[str, Rollup]:
    """`area_rollup` for every active boundary set (keyed `<level>_<vintage>`).

    Without weights, one GROUP BY counts the records by their combination of areas (nearby
    records share the same areas at every level, so there are few), and each combination's
    count is spread to its areas here. With weights, each level is its own GROUP BY over
    one range of the (record_type, boundary_set, area) membership index."""
    sets = list(BoundarySet.objects.filter(is_active=True))
    members, points = _members_and_points(record_type, record_ids)
    by_set: dict[uuid.UUID, list[tuple[uuid.UUID, str, str]]] = defaultdict(list)
    for area_id, set_id, code, name in (
        Area.objects.filter(boundary_set__in=sets)
        .order_by("name")
        .values_list("id", "boundary_set_id", "code", "name")
    ):
        by_set[set_id].append((area_id, code, name))
    ordered = sorted(sets, key=lambda s: (LEVEL_RANK.get(s.level, 99), -s.vintage))
    if weights is None:
        areas = {str(a[0]): a[0] for rows in by_set.values() for a in rows}
        counts, located = _combination_counts(points, members, areas)
        return {
            s.column_name: _rollup(s, counts, None, by_set.get(s.id, []), located, user)
            for s in ordered
        }
    located = points.count()
    sums = _sums(members, weights)
    return {
        s.column_name: _rollup(
            s, _level_counts(members, s), sums, by_set.get(s.id, []), located, user
        )
        for s in ordered
    }


def area_record_counts(*, area: Area, user: Any = None) -> list[tuple[str, Shown]]:
    """How many located records of each type fall in this area (disclosure-controlled)."""
    counts: list[tuple[str, int]] = list(
        AreaMembership.objects.filter(area=area)
        .values_list("record_type")
        .annotate(n=Count("id"))
        .order_by("record_type")
        .values_list("record_type", "n")
    )
    if _may_see_records(user):
        return list(counts)
    return [(record_type, disclose_count(n)) for record_type, n in counts]


def located_point_outside_count(*, record_type: str | None = None) -> int:
    """Located records that fell outside every active area when they were last located."""
    qs = LocatedPoint.objects.filter(outside=True)
    if record_type:
        qs = qs.filter(record_type=record_type)
    return qs.count()


def membership_codes_for(*, record_type: str, record_id: uuid.UUID) -> dict[str, str]:
    """The areas one record is in, by column name, e.g. {"ward_2025": "E05013754"}."""
    rows = AreaMembership.objects.filter(record_type=record_type, record_id=record_id).values_list(
        "boundary_set__level", "boundary_set__vintage", "area__code"
    )
    return {f"{level}_{vintage}": code for level, vintage, code in rows}


# ---------------------------------------------------------------------------- the picker


@dataclass
class PlaceSearch:
    query: str
    areas: list[Area]
    postcode: PostcodeLocation | None = None
    error: str = ""


def place_search(*, query: str, limit: int = 50) -> PlaceSearch:
    """Find places by name, code or postcode: what the picker shows."""
    query = (query or "").strip()[:100]
    if not query:
        return PlaceSearch(query=query, areas=[])
    try:
        normal = postcode_normalise(query)
    except PostcodeMalformed:
        normal = ""
    if normal:
        try:
            location = postcode_lookup(normal)
        except (PostcodeUnknown, PostcodeTerminated) as error:
            return PlaceSearch(query=query, areas=[], error=error.message)
        return PlaceSearch(
            query=query, areas=areas_at_point(lat=location.lat, lon=location.lon), postcode=location
        )
    areas = list(
        Area.objects.filter(Q(name__icontains=query) | Q(code__iexact=query))
        .select_related("boundary_set")
        .defer("geometry", "geometry_wkb")
        .order_by("-boundary_set__is_active", "name", "-boundary_set__vintage")[:limit]
    )
    return PlaceSearch(query=query, areas=areas)


# ---------------------------------------------------------------------------- import jobs


def import_job_get(*, job_id: uuid.UUID | str, user: Any) -> ImportJob:
    """Jobs are seen by the people who may import places (they share the work)."""
    job = ImportJob.objects.filter(id=job_id).first()
    if job is None or not can(user, Action.IMPORT_PLACES):
        raise NotFound("No such import")
    return job


def import_job_list(*, user: Any, limit: int = 20) -> list[ImportJob]:
    if not can(user, Action.IMPORT_PLACES):
        return []
    return list(ImportJob.objects.all()[:limit])


def custom_area_list() -> QuerySet[Area]:
    return (
        Area.objects.filter(boundary_set__level__in=[Level.PATCH, Level.NEIGHBOURHOOD])
        .select_related("boundary_set")
        .defer("geometry_wkb")
        .order_by("name")
    )
