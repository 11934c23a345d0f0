"""The consistency register and the gaps it shows."""

from decimal import Decimal

import pytest

from placebase.wholeplace import services
from placebase.wholeplace.errors import RegisterEntryInvalid, RegisterEntryStale
from placebase.wholeplace.models import Approach, RegisterEntry
from placebase.wholeplace.selectors import consistency_gaps

pytestmark = pytest.mark.django_db


def test_gaps_show_departments_themes_areas_and_training(world, geography, manager):
    services.register_entry_save(
        agency=world.council,
        service_name="Adult social care",
        approach=Approach.LOCAL_AREA_COORDINATION,
        themes=[world.themes["housing"]],
        areas=[geography.wards[0]],
        staff_total=40,
        staff_trained=10,
        user=manager,
    )
    gaps = consistency_gaps()
    assert gaps.departments_not_involved == [world.housing_dept]
    assert [d.code for d, _ in gaps.matrix] == ["sutton-council"]
    assert {t.code for t in gaps.themes_uncovered} == {"health", "safety"}
    assert [t.code for t in gaps.themes_single_department] == ["housing"]
    assert [(d.code, n) for d, n in gaps.departments_cherry_picking] == [("sutton-council", 1)]
    assert gaps.area_parent == geography.district
    assert [a.code for a in gaps.areas_without_coverage] == ["E05000002", "E05000003"]
    assert gaps.areas_total == 3
    assert [(e.service_name, share) for e, share in gaps.under_trained] == [
        ("Adult social care", Decimal("0.25"))
    ]


def test_an_entry_for_the_whole_district_covers_every_ward(world, geography):
    services.register_entry_save(
        agency=world.housing_dept,
        service_name="Tenancy sustainment",
        approach=Approach.WHOLE_PLACE,
        areas=[geography.district],
    )
    assert consistency_gaps().areas_without_coverage == []


def test_a_patch_inside_a_ward_covers_it(world, geography):
    services.register_entry_save(
        agency=world.housing_dept,
        service_name="LAC",
        approach=Approach.LOCAL_AREA_COORDINATION,
        areas=[geography.lsoa],
    )
    assert [a.code for a in consistency_gaps().areas_without_coverage] == ["E05000003"]


def test_updates_use_optimistic_locking(world, manager):
    entry = services.register_entry_save(
        agency=world.council, service_name="Libraries", approach=Approach.ABCD, staff_total=5
    )
    updated = services.register_entry_save(
        agency=world.council,
        service_name="Libraries",
        approach=Approach.ABCD,
        staff_total=5,
        staff_trained=5,
        entry=entry,
        version=1,
        user=manager,
    )
    assert updated.version == 2 and updated.staff_trained == 5
    with pytest.raises(RegisterEntryStale):
        services.register_entry_save(
            agency=world.council,
            service_name="Libraries",
            approach=Approach.ABCD,
            staff_total=9,
            entry=entry,
            version=1,
        )
    assert RegisterEntry.objects.get().staff_total == 5


def test_bad_entries_write_nothing(world):
    with pytest.raises(RegisterEntryInvalid, match="more than the staff"):
        services.register_entry_save(
            agency=world.council,
            service_name="X",
            approach=Approach.ABCD,
            staff_total=1,
            staff_trained=2,
        )
    with pytest.raises(RegisterEntryInvalid):
        services.register_entry_save(agency=world.council, service_name="", approach="magic")
    assert not RegisterEntry.objects.exists()
