"""Footprints that are not coterminous with the council's, or with each other."""

import pytest

from placebase.wholeplace import services
from placebase.wholeplace.errors import AgencyInvalid
from placebase.wholeplace.selectors import footprint_report, footprint_share_inside

pytestmark = pytest.mark.django_db


def test_footprints_compared_with_the_lead_council(world, geography):
    report = footprint_report()
    assert report.lead == world.council
    rows = {r.agency.code: r for r in report.rows}
    assert rows["sutton-council"].coterminous is True
    # The ICB covers Sutton and Kingston: all of Sutton, and Sutton is 3/5 of it.
    icb = rows["swl-icb"]
    assert icb.lead_inside == pytest.approx(1.0)
    assert icb.inside_lead == pytest.approx(0.6)
    assert icb.coterminous is False
    assert icb.description == "Covers the council's area and more"
    police = rows["met"]
    assert police.inside_lead == pytest.approx(0.6)
    assert rows["sutton-housing"].coterminous is None
    assert rows["sutton-housing"].description == "No footprint recorded"


def test_partial_and_disjoint_footprints(world, geography):
    services.agency_footprint_set(agency=world.housing_dept, areas=geography.wards[:2])
    services.agency_footprint_set(agency=world.police, areas=[geography.other_district])
    rows = {r.agency.code: r for r in footprint_report().rows}
    housing = rows["sutton-housing"]
    assert housing.inside_lead == pytest.approx(1.0)
    assert housing.lead_inside == pytest.approx(2 / 3)
    assert housing.description == "Inside the council's area, covering part of it"
    assert rows["met"].inside_lead == 0
    assert rows["met"].description == "Does not overlap the council's area"


def test_pairs_lists_overlapping_footprints_that_differ(world, geography):
    pairs = {frozenset((a.code, b.code)): (ab, ba) for a, b, ab, ba in footprint_report().pairs}
    assert frozenset(("sutton-council", "swl-icb")) in pairs
    # The police footprint (Sutton + Kingston) and the ICB (both) are the same land.
    assert frozenset(("swl-icb", "met")) not in pairs


def test_share_of_an_empty_footprint_is_unknown(geography):
    assert footprint_share_inside(inner=set(), outer={geography.district.pk}) is None


def test_agency_codes_are_checked(world):
    from placebase.factories import OrganisationFactory

    with pytest.raises(AgencyInvalid):
        services.agency_create(
            organisation=OrganisationFactory(),
            code="Bad Code",
            sector="police",
            cost_bearer="police",
        )
    with pytest.raises(AgencyInvalid):
        services.agency_create(
            organisation=OrganisationFactory(), code="met", sector="police", cost_bearer="police"
        )
    with pytest.raises(AgencyInvalid):
        services.agency_create(
            organisation=OrganisationFactory(), code="x", sector="police", cost_bearer="nobody"
        )


def test_there_is_only_ever_one_lead_council(world):
    from django.db import IntegrityError, transaction

    from placebase.factories import OrganisationFactory
    from placebase.wholeplace.models import Agency

    # The service refuses a second lead; the database refuses one written around it.
    with pytest.raises(AgencyInvalid, match="already the lead council"):
        services.agency_create(
            organisation=OrganisationFactory(),
            code="kingston",
            sector="council",
            cost_bearer="council",
            is_lead_council=True,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(pk=world.housing_dept.pk).update(is_lead_council=True)
    assert list(Agency.objects.filter(is_lead_council=True)) == [world.council]


def test_a_footprint_naming_a_missing_area_changes_nothing(world, geography):
    import uuid

    from placebase.places.models import Area
    from placebase.wholeplace.errors import FootprintInvalid
    from placebase.wholeplace.models import Footprint

    gone = Area(pk=uuid.uuid4(), name="Gone", code="E05999999")
    with pytest.raises(FootprintInvalid):
        services.agency_footprint_set(agency=world.nhs, areas=[geography.district, gone])
    assert list(Footprint.objects.filter(agency=world.nhs).values_list("area", flat=True)) == [
        geography.icb.pk
    ]
