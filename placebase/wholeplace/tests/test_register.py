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


def test_coverage_counts_the_services_covering_each_ward(world, geography):
    services.register_entry_save(
        agency=world.council,
        service_name="LAC",
        approach=Approach.LOCAL_AREA_COORDINATION,
        areas=[geography.wards[0]],
    )
    # A patch (the LSOA) lying half in ward A and half in ward B.
    services.register_entry_save(
        agency=world.housing_dept,
        service_name="Tenancy sustainment",
        approach=Approach.WHOLE_PLACE,
        areas=[geography.lsoa],
    )
    coverage = {ward.code: count for ward, count in consistency_gaps().coverage}
    assert coverage == {"E05000001": 2, "E05000002": 1, "E05000003": 0}


def test_dashboard_shows_each_gap_with_a_map_and_table(world, geography, client):
    from django.urls import reverse

    from placebase.accounts.roles import Role
    from placebase.factories import UserFactory
    from placebase.testing.auth import sign_in_client

    services.register_entry_save(
        agency=world.council,
        service_name="Adult social care",
        approach=Approach.LOCAL_AREA_COORDINATION,
        themes=[world.themes["housing"]],
        areas=[geography.wards[0]],
        staff_total=40,
        staff_trained=10,
    )
    sign_in_client(client, UserFactory(role=Role.PARTNER_VIEWER))
    response = client.get(reverse("wholeplace:consistency"))
    assert response.status_code == 200
    content = response.content.decode()
    rows = {}
    for row in content.split('<div class="govuk-summary-list__row">')[1:]:
        key = row.split('<dt class="govuk-summary-list__key">')[1].split("</dt>")[0]
        rows[key] = row.split('<dd class="govuk-summary-list__value">')[1].split("</dd>")[0]
    assert rows["Departments not involved"] == "Sutton Housing"
    assert rows["Themes no department works on"] == "Community safety, Health"
    assert rows["Themes left to one department"] == "Housing"
    assert rows["Departments on fewer than half the themes"] == "Sutton Council (1 of 3)"
    assert rows["Wards with no coverage"] == "2 of 3 wards of Sutton: Ward B, Ward C"
    assert rows["Services with under half their staff trained"] == (
        "Adult social care (Sutton Council, 25%)"
    )
    # The map: one shape a ward, the uncovered ones marked; the table says the same.
    assert content.count('class="pb-wp-covered"') == 1
    assert content.count('class="pb-wp-uncovered"') == 2
    assert "Ward B: no service covers it" in content
    assert response.context["gaps"].coverage[0][1] == 1
    # Partners see the dashboard but cannot add to the register.
    assert "Add a service to the register" not in content
