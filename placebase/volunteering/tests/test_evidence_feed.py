"""What the evidence engine reads: verified hours and their value for an area of any level and
a period, and volunteers' own wellbeing change."""

import datetime as dt
from decimal import Decimal

import pytest

from placebase.places.models import Area
from placebase.places.tests.factories import import_set, square
from placebase.volunteering import selectors, services
from placebase.volunteering.models import OpportunityKind

from .conftest import SUTTON, TODAY, WALLINGTON, make_volunteer

pytestmark = pytest.mark.django_db

# SM1 1EA is at (51.3616, -0.1949); SM6 8DZ at (51.3691, -0.1425).
SUTTON_SQUARE = ("E09000029", "Sutton (test)", square(-0.20, 51.355, 0.02))
WALLINGTON_SQUARE = ("E01004100", "Wallington LSOA (test)", square(-0.15, 51.365, 0.01))
PATCH = ("north-sutton", "North Sutton patch", square(-0.21, 51.35, 0.1))


@pytest.fixture
def areas(tmp_path):
    import_set(tmp_path, [SUTTON_SQUARE], level="district", vintage=2024)
    import_set(tmp_path, [WALLINGTON_SQUARE], level="lsoa", vintage=2021)
    import_set(tmp_path, [PATCH], level="neighbourhood", vintage=2026)
    return {area.code: area for area in Area.objects.all()}


def _staff_hours(coordinator, volunteer, opportunity, day, minutes):
    return services.hours_enter_by_staff(
        actor=coordinator,
        volunteer=volunteer,
        opportunity=opportunity,
        worked_on=day,
        minutes=minutes,
        today=TODAY,
    )


def test_value_for_areas_of_any_level_and_a_period(areas, coordinator, skills):
    volunteer = make_volunteer()
    micro = services.opportunity_create(
        actor=coordinator,
        title="Check on a neighbour",
        summary="Say hello.",
        kind=OpportunityKind.MICRO,
        duration_minutes=15,
        postcode=SUTTON,
    )
    garden = services.opportunity_create(
        actor=coordinator,
        title="Garden",
        summary="Weeding.",
        kind=OpportunityKind.ONE_OFF,
        postcode=WALLINGTON,
    )
    _staff_hours(coordinator, volunteer, micro, dt.date(2026, 1, 5), 60)
    _staff_hours(coordinator, volunteer, garden, dt.date(2026, 1, 20), 120)
    _staff_hours(coordinator, volunteer, garden, dt.date(2025, 12, 20), 30)

    january = {"period_start": dt.date(2026, 1, 1), "period_end": dt.date(2026, 1, 31)}
    district = selectors.volunteer_hours_value(area=areas["E09000029"], **january)
    lsoa = selectors.volunteer_hours_value(area=areas["E01004100"], **january)
    patch = selectors.volunteer_hours_value(area=areas["north-sutton"], **january)
    assert (district.minutes, lsoa.minutes, patch.minutes) == (60, 120, 180)
    assert district.hours == Decimal("1.00") and district.volunteers == 1
    # An area code works as well as an Area; a period that takes in December adds its time.
    assert selectors.volunteer_hours_value(area="E01004100").minutes == 150
    # The range is stated with its basis: low below central.
    assert lsoa.low.amount < lsoa.central.amount
    assert lsoa.low_rate.basis and lsoa.central_rate.basis


def test_time_at_a_placement_site_counts_where_the_site_is(areas, coordinator, skills):
    volunteer = make_volunteer()
    placement = services.opportunity_create(
        actor=coordinator,
        title="Hear children read",
        summary="An hour a week.",
        kind=OpportunityKind.PLACEMENT,
        postcode=WALLINGTON,
    )
    school = services.site_add(
        actor=coordinator, opportunity=placement, name="Avenue Primary", postcode=SUTTON
    )
    pledge = services.pledge_make(opportunity=placement, volunteer=volunteer, site=school)
    services.pledge_confirm(actor=coordinator, pledge=pledge, today=TODAY)
    entry = services.hours_log(
        volunteer=volunteer, opportunity=placement, worked_on=TODAY, minutes=45, today=TODAY
    )
    services.hours_verify(actor=coordinator, entry=entry)
    # The school is in the Sutton square, not the Wallington LSOA where the host is.
    assert selectors.volunteer_hours_value(area=areas["E09000029"]).minutes == 45
    assert selectors.volunteer_hours_value(area=areas["E01004100"]).minutes == 0


def test_volunteers_wellbeing_change_for_an_area(areas, coordinator, skills):
    garden = services.opportunity_create(
        actor=coordinator,
        title="Garden",
        summary="Weeding.",
        kind=OpportunityKind.ONE_OFF,
        postcode=WALLINGTON,
    )
    alex, sam, kim = (make_volunteer(email=f"{n}@example.org") for n in ("alex", "sam", "kim"))
    for volunteer in (alex, sam, kim):
        _staff_hours(coordinator, volunteer, garden, dt.date(2026, 1, 10), 60)

    def answer(volunteer, day, score):
        services.wellbeing_record(
            actor=volunteer.user,
            volunteer=volunteer,
            answers={
                "life_satisfaction": score,
                "worthwhile": score,
                "happiness": score,
                "anxiety": 10 - score,
            },
            recorded_on=day,
            today=TODAY,
        )

    answer(alex, dt.date(2026, 1, 1), 5)
    answer(alex, dt.date(2026, 2, 1), 8)
    answer(sam, dt.date(2026, 1, 1), 6)
    answer(sam, dt.date(2026, 2, 1), 5)
    answer(kim, dt.date(2026, 1, 1), 7)  # once only: no change to report
    change = selectors.volunteer_wellbeing_change(
        area=areas["E01004100"], period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 2, 28)
    )
    assert change.volunteers == 3 and change.people == 2
    assert change.sums["life_satisfaction"] == 2.0  # +3 and -1
    assert change.sums_of_squares["life_satisfaction"] == 10.0
    assert change.mean() == 1.0
    assert change.sums["anxiety"] == -2.0
    # Answers after the period are not used; an area with no volunteering has nobody.
    early = selectors.volunteer_wellbeing_change(
        area=areas["E01004100"], period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31)
    )
    assert early.people == 0 and early.mean() is None
    assert selectors.volunteer_wellbeing_change(area="E99999999").volunteers == 0


def test_wellbeing_answers_out_of_range_are_refused_and_nothing_is_saved(volunteer):
    from placebase.volunteering.errors import VolunteeringInvalid

    with pytest.raises(VolunteeringInvalid) as caught:
        services.wellbeing_record(
            actor=volunteer.user,
            volunteer=volunteer,
            answers={"life_satisfaction": 11, "worthwhile": 5, "happiness": None, "anxiety": 2},
            today=TODAY,
        )
    problems = caught.value.details["problems"]
    assert set(problems) == {"life_satisfaction", "happiness"}
    assert not volunteer.wellbeing.exists()


def test_another_organisation_cannot_enter_a_volunteers_wellbeing(volunteer):
    from placebase.accounts.roles import Role
    from placebase.factories import OrganisationFactory, UserFactory
    from placebase.volunteering.errors import NotHost

    stranger = UserFactory(role=Role.VOLUNTEER_COORDINATOR, organisation=OrganisationFactory())
    with pytest.raises(NotHost):
        services.wellbeing_record(
            actor=stranger,
            volunteer=volunteer,
            answers=dict.fromkeys(("life_satisfaction", "worthwhile", "happiness", "anxiety"), 5),
            today=TODAY,
        )
