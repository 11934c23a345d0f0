"""Rollups by area (with disclosure control), overlaps between sets, and custom areas."""

import json
import uuid

import pytest
import shapely

from placebase.core.models import AuditEvent
from placebase.places import selectors, services
from placebase.places.errors import CustomAreaInvalid
from placebase.places.geo import to_bng
from placebase.places.models import Area, AreaAttribute, AreaOverlap, AreaVersion, BoundarySet

from .factories import EAST, WEST, UserFactory, import_set, square

pytestmark = pytest.mark.django_db


def _place(n, lat, lon, record_type="assets.location"):
    ids = [uuid.uuid4() for _ in range(n)]
    for record_id in ids:
        services.located_point_assign(
            record_type=record_type, record_id=record_id, lat=lat, lon=lon
        )
    return ids


def test_rollup_counts_every_area_including_zeros(tmp_path):
    import_set(tmp_path, [WEST, EAST, ("X03", "Empty", square(-0.18, 51.36))])
    _place(12, 51.365, -0.195)
    _place(3, 51.365, -0.185)
    _place(2, 53, -2)  # outside
    _place(4, 51.365, -0.195, record_type="casework.person")
    rollup = selectors.area_rollup(record_type="assets.location", level="ward")
    assert [(r.code, r.count) for r in rollup.rows] == [("X02", 3), ("X03", 0), ("X01", 12)]
    assert (rollup.total, rollup.not_in_set, rollup.disclosure_applied) == (15, 2, False)


def test_rollup_can_be_limited_to_some_records_and_sum_weights(tmp_path):
    import_set(tmp_path, [WEST, EAST])
    west = _place(3, 51.365, -0.195)
    east = _place(2, 51.365, -0.185)
    rollup = selectors.area_rollup(
        record_type="assets.location",
        level="ward",
        record_ids=[west[0], east[0], east[1]],
        weights={west[0]: 2.5, east[0]: 1, east[1]: 1},
    )
    assert {r.code: (r.count, r.total) for r in rollup.rows} == {"X01": (1, 2.5), "X02": (2, 2.0)}


def test_rollup_for_someone_who_may_not_see_records_is_disclosure_controlled(tmp_path):
    import_set(tmp_path, [WEST, EAST, ("X03", "Third", square(-0.18, 51.36))])
    _place(23, 51.365, -0.195)
    _place(3, 51.365, -0.185)
    _place(9, 51.365, -0.175)
    councillor = UserFactory(role="councillor")
    rollup = selectors.area_rollup(record_type="assets.location", level="ward", user=councillor)
    shown = {r.code: r.count for r in rollup.rows}
    assert rollup.disclosure_applied
    assert shown["X02"] == "*"  # 3 is suppressed
    assert shown["X01"] == 25  # 23 rounded to 5
    # 9 alone would let a reader work 3 out from the total: it is hidden too.
    assert shown["X03"] == "*"
    coordinator = UserFactory(role="coordinator")
    raw = selectors.area_rollup(record_type="assets.location", level="ward", user=coordinator)
    assert {r.code: r.count for r in raw.rows} == {"X01": 23, "X02": 3, "X03": 9}


def test_rollup_by_vintage_and_missing_level(tmp_path):
    from placebase.core.errors import NotFound

    import_set(tmp_path, [WEST], vintage=2022)
    import_set(tmp_path, [WEST, EAST], vintage=2025)
    _place(1, 51.365, -0.185)
    assert selectors.area_rollup(record_type="assets.location", level="ward").total == 1
    old = selectors.area_rollup(record_type="assets.location", level="ward", vintage=2022)
    assert (old.boundary_set.vintage, old.total, old.not_in_set) == (2022, 0, 1)
    with pytest.raises(NotFound):
        selectors.area_rollup(record_type="assets.location", level="msoa")


def test_overlaps_do_not_assume_nesting(tmp_path):
    # One "LSOA" straddles both wards 60:40; another sits wholly in the west ward.
    wards = import_set(tmp_path, [WEST, EAST])
    straddle = json.loads(shapely.to_geojson(shapely.box(-0.196, 51.36, -0.186, 51.365)))
    inside = json.loads(shapely.to_geojson(shapely.box(-0.2, 51.365, -0.19, 51.37)))
    lsoas = import_set(
        tmp_path,
        [("L1", "Straddle", straddle), ("L2", "Inside", inside)],
        level="lsoa",
        vintage=2021,
    )
    services.overlap_compute(from_set=lsoas, to_set=wards)
    share = {(o.area.code, o.other.code): o.area_share for o in AreaOverlap.objects.all()}
    assert share[("L1", "X01")] == pytest.approx(0.6, abs=0.01)
    assert share[("L1", "X02")] == pytest.approx(0.4, abs=0.01)
    assert share[("L2", "X01")] == pytest.approx(1.0)
    assert ("L2", "X02") not in share  # touching along an edge is not overlapping
    assert share[("X01", "L2")] == pytest.approx(0.5, abs=0.01)
    west = Area.objects.get(boundary_set=wards, code="X01")
    children = selectors.area_children(area=west)
    # Best-fit children: L1 counts under the west ward only, where most of it lies.
    assert sorted(row.area.code for row in children[lsoas]) == ["L1", "L2"]
    east = Area.objects.get(boundary_set=wards, code="X02")
    assert selectors.area_children(area=east) == {}
    assert [r.area.code for r in selectors.area_overlaps(area=east)[lsoas]] == ["L1"]
    # Recomputing gives the same rows, not duplicates.
    services.overlap_compute(from_set=lsoas, to_set=wards)
    assert AreaOverlap.objects.count() == len(share)


def test_population_weighted_overlap_uses_lsoa_populations(tmp_path):
    # Two LSOAs fill the west ward: 900 people in the north half, 100 in the south.
    north = json.loads(shapely.to_geojson(shapely.box(-0.2, 51.365, -0.19, 51.37)))
    south = json.loads(shapely.to_geojson(shapely.box(-0.2, 51.36, -0.19, 51.365)))
    lsoas = import_set(
        tmp_path, [("N", "North", north), ("S", "South", south)], level="lsoa", vintage=2021
    )
    for code, people in [("N", 900), ("S", 100)]:
        AreaAttribute.objects.create(
            area=Area.objects.get(code=code), key="population_total", value=people
        )
    wards = import_set(tmp_path, [WEST])
    # A service footprint covering the northern 3/4 of the ward.
    footprint = json.loads(shapely.to_geojson(shapely.box(-0.2, 51.3625, -0.19, 51.37)))
    nhs = import_set(tmp_path, [("S1", "Footprint", footprint)], level="sub_icb", vintage=2023)
    services.overlap_compute(from_set=wards, to_set=nhs)
    row = AreaOverlap.objects.get(area__boundary_set=wards)
    assert row.area_share == pytest.approx(0.75, abs=0.01)
    assert row.population_share == pytest.approx((900 + 50) / 1000, abs=0.01)
    assert services.population_estimates_refresh(boundary_set=wards) == 1
    west = Area.objects.get(boundary_set=wards)
    assert selectors.area_attributes(area=west)["population_total"] == pytest.approx(1000)
    assert lsoas.pk != wards.pk


def test_custom_area_is_versioned_with_a_population_estimate(tmp_path):
    lsoas = import_set(tmp_path, [WEST, EAST], level="lsoa", vintage=2021)
    for area in Area.objects.filter(boundary_set=lsoas):
        AreaAttribute.objects.create(area=area, key="population_total", value=1000)
    coordinator = UserFactory(role="coordinator")
    shape = json.dumps(
        {
            "type": "Feature",
            "properties": {},
            "geometry": json.loads(shapely.to_geojson(shapely.box(-0.195, 51.36, -0.185, 51.37))),
        }
    )
    area = services.custom_area_save(
        actor=coordinator, name="Roundshaw patch", geometry=shape, level="patch", vintage=2026
    )
    assert (area.code, area.version, area.boundary_set.level) == ("roundshaw-patch", 1, "patch")
    assert selectors.area_attributes(area=area)["population_total"] == pytest.approx(1000, rel=0.01)
    redrawn = services.custom_area_save(
        actor=coordinator,
        name="Roundshaw patch",
        area=area,
        geometry=shapely.to_geojson(shapely.box(-0.2, 51.36, -0.19, 51.37)),
    )
    assert redrawn.version == 2
    versions = list(
        AreaVersion.objects.filter(area=area)
        .order_by("version")
        .values_list("version", "population_estimate")
    )
    assert [v for v, _ in versions] == [1, 2]
    assert versions[1][1] == pytest.approx(1000, rel=0.01)
    assert AuditEvent.objects.filter(verb="places.custom_area_redrawn").count() == 1
    # Records are placed in custom areas like any other.
    record = uuid.uuid4()
    found = services.located_point_assign(record_type="x", record_id=record, lat=51.365, lon=-0.195)
    assert "roundshaw-patch" in [a.code for a in found]


def test_custom_area_accepts_bng_and_names_clash_safely(tmp_path):
    bng = shapely.to_geojson(to_bng(shapely.box(-0.2, 51.36, -0.19, 51.37)))
    first = services.custom_area_save(
        actor=None, name="Hackbridge", geometry=bng, level="neighbourhood", vintage=2026
    )
    second = services.custom_area_save(
        actor=None, name="Hackbridge", geometry=bng, level="neighbourhood", vintage=2026
    )
    assert (first.code, second.code) == ("hackbridge", "hackbridge-2")
    assert first.min_lon == pytest.approx(-0.2, abs=1e-4)
    assert selectors.area_attributes(area=first) == {}  # no LSOA data: no estimate


@pytest.mark.parametrize(
    ("name", "geometry", "message"),
    [
        ("A", "not json", "not valid GeoJSON"),
        ("A", json.dumps({"type": "Point", "coordinates": [0, 51]}), "cannot be used"),
        (
            "A",
            json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [[[0, 51], [0.00001, 51], [0, 51.00001], [0, 51]]],
                }
            ),
            "too small",
        ),
        ("", shapely.to_geojson(shapely.box(0, 51, 0.01, 51.01)), "Enter a name"),
    ],
)
def test_bad_custom_areas_are_refused_and_write_nothing(name, geometry, message):
    with pytest.raises(CustomAreaInvalid, match=message):
        services.custom_area_save(actor=None, name=name, geometry=geometry, level="patch")
    assert not Area.objects.exists() and not BoundarySet.objects.exists()


def test_rollup_to_every_level_at_once_matches_level_by_level(tmp_path):
    import_set(tmp_path, [WEST, EAST])
    import_set(tmp_path, [("P1", "Big", square(-0.3, 51.3, 0.2))], level="district", vintage=2024)
    _place(9, 51.365, -0.195)
    _place(2, 51.365, -0.185)
    _place(1, 53, -2)
    councillor = UserFactory(role="councillor")
    for user in (None, councillor):
        levels = selectors.area_rollup_levels(record_type="assets.location", user=user)
        assert list(levels) == ["district_2024", "ward_2025"]
        for column, rollup in levels.items():
            level, vintage = column.rsplit("_", 1)
            one = selectors.area_rollup(
                record_type="assets.location", level=level, vintage=int(vintage), user=user
            )
            assert [(r.code, r.count) for r in rollup.rows] == [(r.code, r.count) for r in one.rows]
            assert (rollup.total, rollup.not_in_set) == (one.total, one.not_in_set)
    assert selectors.area_rollup_levels(record_type="assets.location")["ward_2025"].total == 11
