"""Each located record's combination of areas: kept in step with its membership rows, and
counted once for every level by `area_rollup_levels`."""

import importlib
import random
import uuid
from collections import Counter

import pytest
import shapely
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from placebase.places import selectors, services
from placebase.places.errors import CoordinatesInvalid
from placebase.places.models import (
    Area,
    AreaCombination,
    AreaMembership,
    BoundarySet,
    LocatedPoint,
    combination_key,
)

from .factories import EAST, WEST, UserFactory, import_set, square

pytestmark = pytest.mark.django_db

IN_WEST = (51.365, -0.195)
IN_EAST = (51.365, -0.185)
NOWHERE = (53.0, -2.0)
TYPE = "assets.location"


def _assign(point, record_id=None, record_type=TYPE):
    record_id = record_id or uuid.uuid4()
    services.located_point_assign(
        record_type=record_type, record_id=record_id, lat=point[0], lon=point[1]
    )
    return record_id


def _combination_codes(record_id):
    point = LocatedPoint.objects.select_related("combination").get(record_id=record_id)
    assert point.combination is not None
    return sorted(
        Area.objects.filter(id__in=point.combination.area_ids).values_list("code", flat=True)
    )


def _member_codes(record_id):
    return sorted(
        AreaMembership.objects.filter(record_id=record_id).values_list("area__code", flat=True)
    )


def _membership_counts(record_type, record_ids=None):
    """The ground truth, straight from the membership rows: {column: {area_id: n}}."""
    qs = AreaMembership.objects.filter(
        record_type=record_type, boundary_set__is_active=True
    ).select_related("boundary_set")
    if record_ids is not None:
        qs = qs.filter(record_id__in=record_ids)
    out: dict[str, Counter] = {}
    for row in qs:
        out.setdefault(row.boundary_set.column_name, Counter())[row.area_id] += 1
    return out


def _assert_levels_match(record_type, record_ids=None, user=None):
    levels = selectors.area_rollup_levels(record_type=record_type, record_ids=record_ids, user=user)
    truth = _membership_counts(record_type, record_ids)
    assert set(levels) == {s.column_name for s in BoundarySet.objects.filter(is_active=True)}
    for column, rollup in levels.items():
        level, vintage = column.rsplit("_", 1)
        one = selectors.area_rollup(
            record_type=record_type,
            level=level,
            vintage=int(vintage),
            record_ids=record_ids,
            user=user,
        )
        assert [(r.code, r.count) for r in rollup.rows] == [(r.code, r.count) for r in one.rows]
        assert (rollup.total, rollup.not_in_set, rollup.disclosure_applied) == (
            one.total,
            one.not_in_set,
            one.disclosure_applied,
        )
        if user is None:
            counted = {r.area_id: r.count for r in rollup.rows if r.count}
            assert counted == dict(truth.get(column, {}))
    return levels


def _random_geography(tmp_path):
    # Wards side by side, a district over part of them, an LSOA-like grid that does not nest
    # in the wards, and overlapping custom patches (a point can be in both).
    import_set(tmp_path, [WEST, EAST, ("X03", "North", square(-0.20, 51.37, 0.02))])
    import_set(tmp_path, [("D1", "District", square(-0.21, 51.355, 0.025))], level="district")
    grid = [
        (f"L{i}{j}", f"Grid {i}{j}", square(-0.2 + 0.007 * i, 51.36 + 0.007 * j, 0.007))
        for i in range(3)
        for j in range(3)
    ]
    import_set(tmp_path, grid, level="lsoa", vintage=2021)
    import_set(
        tmp_path,
        [("A", "Patch A", square(-0.2, 51.36, 0.015)), ("B", "Patch B", square(-0.19, 51.365))],
        level="patch",
        vintage=2026,
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_combination_counts_equal_the_per_level_counts_for_random_data(tmp_path, seed):
    _random_geography(tmp_path)
    rng = random.Random(seed)
    ids: dict[str, list[uuid.UUID]] = {TYPE: [], "casework.person": []}
    for _ in range(60):
        record_type = rng.choice(list(ids))
        point = (rng.uniform(51.355, 51.395), rng.uniform(-0.215, -0.175))
        ids[record_type].append(_assign(point, record_type=record_type))
    for record_type in ids:
        _assert_levels_match(record_type)
        _assert_levels_match(record_type, record_ids=ids[record_type][::3])
    _assert_levels_match(TYPE, user=UserFactory(role="councillor"))
    # Nearby points share combinations: far fewer combinations than records.
    assert AreaCombination.objects.count() < LocatedPoint.objects.count()


def test_records_with_the_same_areas_share_one_combination(tmp_path):
    import_set(tmp_path, [WEST, EAST])
    first = _assign(IN_WEST)
    second = _assign((IN_WEST[0] + 0.001, IN_WEST[1] + 0.001))
    points = LocatedPoint.objects.filter(record_id__in=[first, second])
    assert len({p.combination_id for p in points}) == 1
    combination = points[0].combination
    assert combination is not None
    key, area_ids = combination_key(
        AreaMembership.objects.filter(record_id=first).values_list("area_id", flat=True)
    )
    assert (combination.key, combination.area_ids) == (key, area_ids)


def test_the_combination_follows_relocation_and_removal(tmp_path):
    import_set(tmp_path, [WEST, EAST])
    import_set(tmp_path, [("D1", "District", square(-0.3, 51.3, 0.2))], level="district")
    moved, stays = _assign(IN_WEST), _assign(IN_WEST)
    assert _combination_codes(moved) == ["D1", "X01"] == _member_codes(moved)
    _assign(IN_EAST, moved)
    assert _combination_codes(moved) == ["D1", "X02"] == _member_codes(moved)
    wards = _assert_levels_match(TYPE)["ward_2025"]
    assert {r.code: r.count for r in wards.rows} == {"X01": 1, "X02": 1}

    _assign(NOWHERE, moved)
    point = LocatedPoint.objects.get(record_id=moved)
    assert point.outside and point.combination is not None and point.combination.area_ids == []
    levels = _assert_levels_match(TYPE)
    assert (levels["ward_2025"].total, levels["ward_2025"].not_in_set) == (1, 1)

    services.located_point_remove(record_type=TYPE, record_id=moved)
    levels = _assert_levels_match(TYPE)
    assert (levels["ward_2025"].total, levels["ward_2025"].not_in_set) == (1, 0)
    # Shared combinations outlive the records that used them.
    assert _combination_codes(stays) == ["D1", "X01"]


def test_a_new_boundary_set_is_added_to_existing_combinations(tmp_path):
    import_set(tmp_path, [WEST, EAST])
    west, east, nowhere = _assign(IN_WEST), _assign(IN_EAST), _assign(NOWHERE)
    district = import_set(
        tmp_path, [("D1", "District", square(-0.192, 51.3, 0.2))], level="district"
    )
    before = AreaCombination.objects.count()
    services.boundary_set_locate_existing(boundary_set=district)
    assert _combination_codes(west) == ["X01"]  # the district starts east of this point
    assert _combination_codes(east) == ["D1", "X02"] == _member_codes(east)
    assert _combination_codes(nowhere) == []
    _assert_levels_match(TYPE)
    # Running it again changes nothing.
    after = AreaCombination.objects.count()
    combos = dict(LocatedPoint.objects.values_list("record_id", "combination_id"))
    services.boundary_set_locate_existing(boundary_set=district)
    assert AreaCombination.objects.count() == after == before + 1
    assert dict(LocatedPoint.objects.values_list("record_id", "combination_id")) == combos


def test_a_custom_area_joins_and_leaves_the_combinations_as_it_is_drawn(tmp_path):
    import_set(tmp_path, [WEST, EAST])
    west, east = _assign(IN_WEST), _assign(IN_EAST)
    patch = services.custom_area_save(
        actor=None,
        name="Carshalton patch",
        geometry=shapely.to_geojson(shapely.box(-0.2, 51.36, -0.19, 51.37)),
        level="patch",
        vintage=2026,
    )
    services.boundary_set_locate_existing(boundary_set=patch.boundary_set)
    assert _combination_codes(west) == sorted([patch.code, "X01"]) == _member_codes(west)
    assert _combination_codes(east) == ["X02"]
    levels = _assert_levels_match(TYPE)
    assert {r.code: r.count for r in levels["patch_2026"].rows} == {patch.code: 1}

    # Redrawn over the east ward instead: the records swap.
    services.custom_area_save(
        actor=None,
        name="Carshalton patch",
        geometry=shapely.to_geojson(shapely.box(-0.19, 51.36, -0.18, 51.37)),
        area=patch,
    )
    patch.boundary_set.refresh_from_db()
    services.boundary_set_locate_existing(boundary_set=patch.boundary_set)
    assert _combination_codes(west) == ["X01"]
    assert _combination_codes(east) == sorted([patch.code, "X02"]) == _member_codes(east)
    _assert_levels_match(TYPE)


def test_deactivating_a_set_needs_no_rewrite_of_combinations(tmp_path):
    wards = import_set(tmp_path, [WEST, EAST])
    import_set(tmp_path, [("D1", "District", square(-0.3, 51.3, 0.2))], level="district")
    record = _assign(IN_WEST)
    services.boundary_set_activate(boundary_set=wards, is_active=False, actor=None)
    assert list(_assert_levels_match(TYPE)) == ["district_2025"]
    assert _combination_codes(record) == ["D1", "X01"]
    services.boundary_set_activate(boundary_set=wards, is_active=True, actor=None)
    assert _assert_levels_match(TYPE)["ward_2025"].total == 1


def _write_without_combination(record_id, area):
    LocatedPoint.objects.create(record_type=TYPE, record_id=record_id, lat=51.365, lon=-0.195)
    AreaMembership.objects.create(
        area=area, boundary_set=area.boundary_set, record_type=TYPE, record_id=record_id
    )


def test_points_written_without_a_combination_are_still_counted_and_can_be_filled(tmp_path):
    import_set(tmp_path, [WEST, EAST])
    west = Area.objects.get(code="X01")
    _assign(IN_EAST)
    raw = [uuid.uuid4() for _ in range(3)]
    for record_id in raw:
        _write_without_combination(record_id, west)
    levels = _assert_levels_match(TYPE)
    assert {r.code: r.count for r in levels["ward_2025"].rows} == {"X01": 3, "X02": 1}
    assert services.located_point_combinations_fill(record_type="other.type") == 0
    assert services.located_point_combinations_fill() == 3
    assert not LocatedPoint.objects.filter(combination__isnull=True).exists()
    assert _combination_codes(raw[0]) == ["X01"]
    assert selectors.area_rollup_levels(record_type=TYPE)["ward_2025"].total == 4


def test_the_migration_backfills_combinations_from_membership_rows(tmp_path):
    import_set(tmp_path, [WEST, EAST])
    import_set(tmp_path, [("D1", "District", square(-0.3, 51.3, 0.2))], level="district")
    ids = [_assign(IN_WEST), _assign(IN_WEST), _assign(IN_EAST), _assign(NOWHERE)]
    expected = {r: _combination_codes(r) for r in ids}
    LocatedPoint.objects.update(combination=None)
    migration = importlib.import_module(
        "placebase.places.migrations.0003_backfill_area_combinations"
    )
    migration.backfill(apps, None)
    assert {r: _combination_codes(r) for r in ids} == expected
    assert AreaCombination.objects.count() == 3  # west, east, and none


def test_bad_coordinates_create_no_combination(tmp_path):
    import_set(tmp_path, [WEST])
    with pytest.raises(CoordinatesInvalid):
        _assign((91, 0))
    assert not AreaCombination.objects.exists() and not LocatedPoint.objects.exists()


def test_a_committed_combination_is_reused_from_the_process_cache(
    tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    # A fresh cache, so ids from this (rolled-back) test never reach another test.
    monkeypatch.setattr(services, "_combination_cache", {})
    import_set(tmp_path, [WEST, EAST])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _assign(IN_WEST)
    assert services._combination_cache == {}  # not before the transaction commits
    for callback in callbacks:
        callback()
    assert len(services._combination_cache) == 1
    table = AreaCombination._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        record = _assign(IN_WEST)
    assert not [q for q in queries.captured_queries if table in q["sql"]]
    assert _combination_codes(record) == ["X01"]
