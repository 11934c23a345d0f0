import datetime as dt
from decimal import Decimal

import pytest

from placebase.accounts.roles import Role
from placebase.core.errors import ValidationFailed
from placebase.evidence.selectors import parameters_current
from placebase.factories import OrganisationFactory, UserFactory
from placebase.volunteering import availability as slots
from placebase.volunteering import selectors, services
from placebase.volunteering.models import OpportunityKind

from .conftest import SUTTON, TODAY, WALLINGTON, make_volunteer

pytestmark = pytest.mark.django_db


def _rates():
    rates = parameters_current().parameters.volunteer_rates
    return rates.low, rates.central


def test_only_verified_hours_are_valued_as_a_range_with_basis(
    coordinator, volunteer, reading, skills
):
    services.hours_enter_by_staff(
        actor=coordinator,
        volunteer=volunteer,
        opportunity=reading,
        worked_on=TODAY,
        minutes=90,
        today=TODAY,
    )
    services.pledge_make(opportunity=reading, volunteer=volunteer)
    # Logged but never verified: must not count.
    other = make_volunteer(email="o@example.org")
    services.hours_enter_by_staff(
        actor=coordinator,
        volunteer=other,
        opportunity=reading,
        worked_on=TODAY,
        minutes=30,
        today=TODAY,
    )
    from placebase.volunteering.models import HoursEntry, HoursSource, HoursStatus

    HoursEntry.objects.create(
        volunteer=volunteer,
        opportunity=reading,
        worked_on=TODAY,
        minutes=600,
        source=HoursSource.VOLUNTEER,
        status=HoursStatus.LOGGED,
    )
    value = selectors.volunteer_hours_value(organisation=coordinator.organisation)
    low, central = _rates()
    assert value.minutes == 120 and value.hours == Decimal("2.00")
    assert value.volunteers == 2 and value.entries == 2
    assert value.staff_entered_minutes == 120
    assert value.low.amount == (2 * low.amount).quantize(Decimal("0.01"))
    assert value.low.price_year == low.year
    assert value.central.amount == (2 * central.amount).quantize(Decimal("0.01"))
    assert value.central.price_year == central.year
    assert value.low.amount < value.central.amount
    assert "Living Wage" in value.low_rate.basis
    assert "median" in value.central_rate.basis.lower()


def test_value_filters_by_period_opportunity_and_area(coordinator, volunteer, reading, micro):
    services.hours_enter_by_staff(
        actor=coordinator,
        volunteer=volunteer,
        opportunity=reading,
        worked_on=dt.date(2026, 1, 10),
        minutes=60,
        today=TODAY,
    )
    services.hours_enter_by_staff(
        actor=coordinator,
        volunteer=volunteer,
        opportunity=micro,
        worked_on=dt.date(2026, 2, 10),
        minutes=15,
        today=TODAY,
    )
    feb = selectors.volunteer_hours_value(
        period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 2, 28)
    )
    assert feb.minutes == 15
    assert selectors.volunteer_hours_value(opportunity=reading).minutes == 60
    assert selectors.volunteer_hours_value(opportunity=reading.pk).minutes == 60
    other_org = OrganisationFactory()
    assert selectors.volunteer_hours_value(organisation=other_org).minutes == 0
    assert selectors.volunteer_hours_value(area="E05999999").minutes == 0
    reading.ward_code = "E05000555"
    reading.save(update_fields=["ward_code"])
    assert selectors.volunteer_hours_value(area="E05000555").minutes == 60


def test_value_refuses_a_period_that_ends_before_it_starts():
    with pytest.raises(ValidationFailed) as caught:
        selectors.volunteer_hours_value(
            period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 1, 1)
        )
    assert caught.value.code == "volunteering.period_invalid"


def test_value_of_nothing_is_zero_with_the_basis_still_stated(db):
    value = selectors.volunteer_hours_value()
    assert value.minutes == 0 and value.low.amount == 0 and value.central.amount == 0
    assert value.low_rate.basis and value.central_rate.basis


def test_breakdown_by_month_is_for_the_users_organisation_only(coordinator, volunteer, reading):
    services.hours_enter_by_staff(
        actor=coordinator,
        volunteer=volunteer,
        opportunity=reading,
        worked_on=dt.date(2026, 1, 10),
        minutes=60,
        today=TODAY,
    )
    rows = selectors.volunteer_hours_value_breakdown(user=coordinator, by="month")
    assert [(r.label, r.minutes, r.volunteers) for r in rows] == [("2026-01", 60, 1)]
    outsider = UserFactory(role=Role.VOLUNTEER_COORDINATOR, organisation=OrganisationFactory())
    assert selectors.volunteer_hours_value_breakdown(user=outsider, by="month") == []
    with pytest.raises(ValidationFailed):
        selectors.volunteer_hours_value_breakdown(user=coordinator, by="colour")


# --- availability and matching ----------------------------------------------------------------


def test_availability_masks_round_trip_and_fit():
    mask = slots.mask_from_codes(["mon-morning", "sat-evening"])
    assert slots.codes_from_mask(mask) == ["mon-morning", "sat-evening"]
    assert slots.fits(mask, slots.mask_from_codes(["sat-evening"]))
    assert not slots.fits(mask, slots.mask_from_codes(["tue-morning"]))
    assert slots.fits(0, mask)
    with pytest.raises(ValueError):
        slots.mask_from_codes(["someday"])


def test_volunteer_suggestions_rank_skills_then_nearness_and_respect_time(coordinator, skills):
    saturday = slots.mask_from_codes(["sat-morning"])
    volunteer = make_volunteer(
        skills=["reading-with-children"], availability=saturday, travel_km=10
    )
    reading = services.opportunity_create(
        actor=coordinator,
        title="Reading",
        summary="s",
        kind=OpportunityKind.PLACEMENT,
        postcode=WALLINGTON,
        skills=["reading-with-children"],
        availability=saturday,
    )
    near = services.opportunity_create(
        actor=coordinator,
        title="Gardening",
        summary="s",
        kind=OpportunityKind.ONE_OFF,
        postcode=SUTTON,
        skills=["gardening"],
    )
    services.opportunity_create(
        actor=coordinator,
        title="Weekday only",
        summary="s",
        kind=OpportunityKind.ONE_OFF,
        postcode=SUTTON,
        availability=slots.mask_from_codes(["tue-morning"]),
    )
    services.opportunity_create(
        actor=coordinator,
        title="Far away",
        summary="s",
        kind=OpportunityKind.ONE_OFF,
        postcode="M1 1AE",
    )
    found = selectors.suggestions_for_volunteer(volunteer=volunteer, today=TODAY)
    titles = [s.title for s in found]
    assert titles[:2] == ["Reading", "Gardening"]
    assert "Weekday only" not in titles and "Far away" not in titles
    assert found[0].skills_matched == 1 and found[0].record_id == reading.pk
    assert found[1].record_id == near.pk
    young = make_volunteer(
        email="young@example.org",
        dob=dt.date(2010, 1, 1),
        guardian_name="P",
        guardian_email="p@example.org",
    )
    services.opportunity_create(
        actor=coordinator,
        title="Adults only",
        summary="s",
        kind=OpportunityKind.ONE_OFF,
        postcode=SUTTON,
        minimum_age=18,
    )
    young_titles = [
        s.title for s in selectors.suggestions_for_volunteer(volunteer=young, today=TODAY)
    ]
    assert "Gardening" in young_titles and "Adults only" not in young_titles


def test_opportunity_suggestions_respect_travel_distance_consent_and_pledges(coordinator, skills):
    reading = services.opportunity_create(
        actor=coordinator,
        title="Reading",
        summary="s",
        kind=OpportunityKind.PLACEMENT,
        postcode=SUTTON,
        skills=["reading-with-children"],
    )
    keen = make_volunteer(email="keen@example.org", skills=["reading-with-children"])
    other = make_volunteer(email="other@example.org", skills=["gardening"])
    shy = make_volunteer(email="shy@example.org", skills=["reading-with-children"])
    shy.may_be_suggested = False
    shy.save()
    homebody = make_volunteer(email="home@example.org", postcode=WALLINGTON, travel_km=1)
    pledged = make_volunteer(email="pledged@example.org", skills=["reading-with-children"])
    services.pledge_make(opportunity=reading, volunteer=pledged)
    ids = [s.record_id for s in selectors.suggestions_for_opportunity(opportunity=reading)]
    assert ids == [keen.pk, other.pk]
    assert homebody.pk not in ids


def test_public_search_lists_nearest_first_and_rejects_bad_postcodes(coordinator):
    far = services.opportunity_create(
        actor=coordinator,
        title="Far",
        summary="s",
        kind=OpportunityKind.ONE_OFF,
        postcode=WALLINGTON,
    )
    near = services.opportunity_create(
        actor=coordinator,
        title="Near",
        summary="s",
        kind=OpportunityKind.MICRO,
        duration_minutes=15,
        postcode=SUTTON,
    )
    point, found = selectors.opportunity_search(postcode="sm11ea")
    assert point.postcode == SUTTON
    assert [f.opportunity for f in found] == [near, far]
    assert found[0].distance_km < found[1].distance_km
    _, micro_only = selectors.opportunity_search(postcode=SUTTON, kind=OpportunityKind.MICRO)
    assert [f.opportunity for f in micro_only] == [near]
    with pytest.raises(ValidationFailed):
        selectors.opportunity_search(postcode="12345")
