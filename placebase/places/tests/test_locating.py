"""Locating records at write time, and placing old records in new boundary sets."""

import csv
import logging
import uuid

import pytest
from django.core.management import call_command

from placebase.places import selectors, services
from placebase.places.errors import CoordinatesInvalid
from placebase.places.models import AreaMembership, LocatedPoint

from .factories import EAST, WEST, import_set, square

pytestmark = pytest.mark.django_db

IN_WEST = (51.365, -0.195)
IN_EAST = (51.365, -0.185)
ON_EDGE = (51.365, -0.19)
NOWHERE = (53.0, -2.0)


def _assign(point, record_id=None, record_type="assets.location"):
    lat, lon = point
    return services.located_point_assign(
        record_type=record_type, record_id=record_id or uuid.uuid4(), lat=lat, lon=lon
    )


def test_assign_puts_the_record_in_one_area_of_each_active_set(tmp_path):
    wards = import_set(tmp_path, [WEST, EAST], level="ward", vintage=2025)
    import_set(tmp_path, [("P1", "Big", square(-0.3, 51.3, 0.2))], level="district", vintage=2024)
    record = uuid.uuid4()
    areas = _assign(IN_EAST, record)
    assert sorted(a.code for a in areas) == ["P1", "X02"]
    assert AreaMembership.objects.filter(record_id=record).count() == 2
    member = AreaMembership.objects.get(record_id=record, boundary_set=wards)
    assert member.area.code == "X02" and member.record_type == "assets.location"
    assert selectors.membership_codes_for(record_type="assets.location", record_id=record) == {
        "ward_2025": "X02",
        "district_2024": "P1",
    }


def test_assign_again_replaces_the_earlier_rows(tmp_path):
    import_set(tmp_path, [WEST, EAST])
    record = uuid.uuid4()
    _assign(IN_WEST, record)
    _assign(IN_EAST, record)
    assert list(
        AreaMembership.objects.filter(record_id=record).values_list("area__code", flat=True)
    ) == ["X02"]
    point = LocatedPoint.objects.get(record_id=record)
    assert (point.lat, point.lon, point.outside) == (51.365, -0.185, False)


def test_point_on_a_shared_boundary_gets_one_deterministic_area(tmp_path):
    import_set(tmp_path, [EAST, WEST])  # file order must not matter
    for _ in range(3):
        assert [a.code for a in _assign(ON_EDGE)] == ["X01"]


def test_point_outside_every_area_is_kept_reported_and_counted(tmp_path, caplog):
    import_set(tmp_path, [WEST, EAST])
    record = uuid.uuid4()
    with caplog.at_level(logging.WARNING, logger="placebase.places.services"):
        assert _assign(NOWHERE, record) == []
    assert "point_outside_every_area record_type=assets.location" in caplog.text
    assert str(record) not in caplog.text  # no identifiers in logs
    assert LocatedPoint.objects.get(record_id=record).outside
    assert selectors.located_point_outside_count() == 1
    assert selectors.located_point_outside_count(record_type="casework.person") == 0


def test_inactive_sets_are_not_used(tmp_path):
    wards = import_set(tmp_path, [WEST, EAST])
    services.boundary_set_activate(boundary_set=wards, is_active=False, actor=None)
    assert _assign(IN_WEST) == []


def test_remove_forgets_the_record(tmp_path):
    import_set(tmp_path, [WEST, EAST])
    record = uuid.uuid4()
    _assign(IN_WEST, record)
    services.located_point_remove(record_type="assets.location", record_id=record)
    assert not AreaMembership.objects.filter(record_id=record).exists()
    assert not LocatedPoint.objects.filter(record_id=record).exists()


def test_bad_coordinates_are_refused_and_write_nothing(tmp_path):
    import_set(tmp_path, [WEST])
    for lat, lon in [(91, 0), (0, 181), ("north", 0), (None, None)]:
        with pytest.raises(CoordinatesInvalid):
            services.located_point_assign(record_type="x", record_id=uuid.uuid4(), lat=lat, lon=lon)
    assert not LocatedPoint.objects.exists()


def test_new_boundary_set_places_existing_records(tmp_path):
    import_set(tmp_path, [WEST], level="district", vintage=2024)
    inside, outside = uuid.uuid4(), uuid.uuid4()
    _assign(IN_EAST, inside)  # outside the district: kept, marked outside
    _assign(NOWHERE, outside)
    assert LocatedPoint.objects.filter(outside=True).count() == 2
    wards = import_set(tmp_path, [WEST, EAST])
    counts = services.boundary_set_locate_existing(boundary_set=wards)
    assert counts == {"records": 2, "located": 1, "outside": 1}
    assert AreaMembership.objects.get(record_id=inside).area.code == "X02"
    assert not LocatedPoint.objects.get(record_id=inside).outside
    assert LocatedPoint.objects.get(record_id=outside).outside
    # Running it again changes nothing.
    services.boundary_set_locate_existing(boundary_set=wards)
    assert AreaMembership.objects.filter(boundary_set=wards).count() == 1


def test_custom_areas_may_overlap_and_count_for_each(tmp_path):
    import_set(
        tmp_path,
        [("A", "Patch A", square(-0.2, 51.36, 0.02)), ("B", "Patch B", square(-0.19, 51.36, 0.02))],
        level="patch",
        vintage=2026,
    )
    assert sorted(a.code for a in _assign((51.365, -0.185))) == ["A", "B"]
    assert [a.code for a in _assign((51.365, -0.195))] == ["A"]


def test_areas_at_point_can_be_limited_to_a_level(tmp_path):
    import_set(tmp_path, [WEST, EAST])
    import_set(tmp_path, [("P1", "Big", square(-0.3, 51.3, 0.2))], level="district", vintage=2024)
    assert [a.code for a in selectors.areas_at_point(lat=IN_WEST[0], lon=IN_WEST[1])] == [
        "P1",
        "X01",
    ]
    assert [
        a.code for a in selectors.areas_at_point(lat=IN_WEST[0], lon=IN_WEST[1], level="ward")
    ] == ["X01"]


def test_the_index_notices_a_changed_boundary_set(tmp_path):
    import_set(tmp_path, [WEST])
    assert selectors.area_codes_at_point(lat=IN_EAST[0], lon=IN_EAST[1]) == {"ward_2025": []}
    import_set(tmp_path, [WEST, EAST])
    assert selectors.area_codes_at_point(lat=IN_EAST[0], lon=IN_EAST[1]) == {"ward_2025": ["X02"]}


def test_locate_command_adds_one_column_per_active_set(tmp_path):
    import_set(tmp_path, [WEST, EAST])
    import_set(tmp_path, [("P1", "Big", square(-0.3, 51.3, 0.2))], level="district", vintage=2024)
    source = tmp_path / "in.csv"
    source.write_text("name,lat,long\nwest,51.365,-0.195\neast,51.365,-0.185\nfar,53,-2\nblank,,\n")
    out = tmp_path / "out.csv"
    call_command(
        "locate", str(source), "--lat-field", "lat", "--lon-field", "long", "--out", str(out)
    )
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["name", "lat", "long", "district_2024", "ward_2025"]
    assert [(r["name"], r["ward_2025"], r["district_2024"]) for r in rows] == [
        ("west", "X01", "P1"),
        ("east", "X02", "P1"),
        ("far", "", ""),
        ("blank", "", ""),
    ]


def test_locate_command_needs_the_named_columns(tmp_path):
    from django.core.management import CommandError

    source = tmp_path / "in.csv"
    source.write_text("name,y,x\na,1,2\n")
    with pytest.raises(CommandError, match="no column 'lat'"):
        call_command("locate", str(source), "--out", str(tmp_path / "o.csv"))
