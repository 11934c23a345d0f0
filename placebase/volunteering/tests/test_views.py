import datetime as dt

import pytest
from django.urls import reverse

from placebase.accounts.roles import Role
from placebase.factories import UserFactory
from placebase.testing.auth import sign_in_client
from placebase.volunteering import services
from placebase.volunteering.models import Pledge, PledgeStatus, Volunteer

from .conftest import SUTTON, TODAY, make_volunteer

pytestmark = pytest.mark.django_db


def test_search_by_postcode_lists_opportunities_without_signing_in(client, micro):
    response = client.get(reverse("volunteering:index"), {"postcode": "sm1 1ea"})
    assert response.status_code == 200
    assert micro.title in response.content.decode()
    assert "within 10 km of SM1 1EA" in response.content.decode()
    assert "opportunity-points" in response.content.decode()


def test_bad_postcode_shows_an_error_summary(client, micro):
    response = client.get(reverse("volunteering:index"), {"postcode": "banana"})
    body = response.content.decode()
    assert "There is a problem" in body and "govuk-error-message" in body


def test_guest_pledges_fifteen_minutes_in_two_steps(client, micro):
    start = reverse("volunteering:pledge_start", args=[micro.pk])
    response = client.post(start, {"guest_name": "", "guest_email": "x"})
    assert "Enter your name" in response.content.decode()
    assert not Pledge.objects.exists()

    response = client.post(start, {"guest_name": "Alex", "guest_email": "alex@example.org"})
    assert response.status_code == 302
    check = reverse("volunteering:pledge_check", args=[micro.pk])
    assert response["Location"] == check
    page = client.get(check).content.decode()
    assert "Check your pledge" in page and "alex@example.org" in page
    assert not Pledge.objects.exists()  # nothing is written until step 2

    response = client.post(check)
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert pledge.status == PledgeStatus.PLEDGED and pledge.minutes == 15
    done = client.get(response["Location"]).content.decode()
    assert pledge.reference in done
    # The journey cannot be replayed by posting step 2 again.
    assert client.post(check).status_code == 302
    assert Pledge.objects.count() == 1


def test_anonymous_cannot_start_a_pledge_that_needs_a_volunteer_account(client, reading):
    response = client.get(reverse("volunteering:pledge_start", args=[reading.pk]))
    assert response.status_code == 302
    detail = client.get(reverse("volunteering:opportunity", args=[reading.pk])).content.decode()
    assert "Sign up as a volunteer" in detail


def test_unknown_opportunity_is_404(client, db):
    url = reverse("volunteering:opportunity", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404


def test_sign_up_page_creates_a_volunteer_and_signs_them_in(client, skills):
    response = client.post(
        reverse("volunteering:sign_up"),
        {
            "first_name": "Kim",
            "last_name": "Lee",
            "email": "kim@example.org",
            "date_of_birth_day": "3",
            "date_of_birth_month": "4",
            "date_of_birth_year": "1985",
            "postcode": SUTTON,
            "travel_km": "5",
            "skills": ["befriending"],
            "availability": ["sat-morning"],
            "password": "a-long-unusual-passphrase-91",
            "consent": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    volunteer = Volunteer.objects.get()
    assert volunteer.availability != 0
    page = client.get(reverse("volunteering:me"))
    assert page.status_code == 200
    assert "Your volunteering" in page.content.decode()


def test_bad_sign_up_shows_every_problem_and_writes_nothing(client, skills):
    response = client.post(
        reverse("volunteering:sign_up"),
        {
            "first_name": "",
            "date_of_birth_day": "31",
            "date_of_birth_month": "2",
            "date_of_birth_year": "1990",
            "postcode": "nope",
        },
    )
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Date of birth must be a real date" in body
    assert not Volunteer.objects.exists()


def test_guardian_approves_through_the_emailed_link(client, skills):
    young = make_volunteer(
        dob=dt.date(2010, 6, 1), guardian_name="Pat", guardian_email="pat@example.org"
    )
    url = reverse("volunteering:guardian", args=[services.guardian_token(young)])
    assert "Approve Sam" in client.get(url).content.decode()
    client.post(url, {"guardian_name": "Pat Jones", "confirm": "on"})
    young.refresh_from_db()
    assert young.guardian_approved_at is not None
    assert client.get(reverse("volunteering:guardian", args=["bad"])).status_code == 404


def test_own_page_needs_sign_in(client, db):
    response = client.get(reverse("volunteering:me"))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_volunteer_logs_hours_from_their_page(client, coordinator, micro, volunteer):
    services.pledge_make(opportunity=micro, volunteer=volunteer)
    sign_in_client(client, volunteer.user)
    response = client.post(
        reverse("volunteering:me"),
        {
            "opportunity": str(micro.pk),
            "worked_on_day": "1",
            "worked_on_month": "1",
            "worked_on_year": "2026",
            "minutes": "15",
        },
    )
    assert response.status_code == 302
    assert volunteer.hours.get().minutes == 15


def test_manage_pages_are_for_volunteer_coordinators(client, volunteer):
    sign_in_client(client, volunteer.user)
    assert client.get(reverse("volunteering:manage")).status_code == 403


def test_coordinator_sees_safeguarding_block_when_confirming(
    client, coordinator, reading, volunteer
):
    pledge = services.pledge_make(opportunity=reading, volunteer=volunteer)
    sign_in_client(client, coordinator)
    assert client.get(reverse("volunteering:manage")).status_code == 200
    response = client.post(
        reverse("volunteering:manage_pledge", args=[pledge.pk, "confirm"]), follow=True
    )
    assert "does not hold" in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.REQUESTED


def test_coordinator_records_a_check_and_then_confirms(client, coordinator, reading, volunteer):
    pledge = services.pledge_make(opportunity=reading, volunteer=volunteer)
    sign_in_client(client, coordinator)
    url = reverse("volunteering:manage_volunteer", args=[volunteer.pk])
    assert client.get(url).status_code == 200
    client.post(
        url,
        {
            "action": "check",
            "level": "4",
            "certificate_date_day": "1",
            "certificate_date_month": "1",
            "certificate_date_year": "2026",
        },
    )
    assert volunteer.safeguarding_checks.count() == 1
    client.post(reverse("volunteering:manage_pledge", args=[pledge.pk, "confirm"]))
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.CONFIRMED


def test_another_organisations_coordinator_gets_404_for_a_volunteer(client, volunteer, reading):
    services.pledge_make(opportunity=reading, volunteer=volunteer)
    outsider = UserFactory(role=Role.VOLUNTEER_COORDINATOR)
    sign_in_client(client, outsider)
    url = reverse("volunteering:manage_volunteer", args=[volunteer.pk])
    assert client.get(url).status_code == 404


def test_value_page_states_the_range_and_basis(client, coordinator, volunteer, reading):
    services.hours_enter_by_staff(
        actor=coordinator,
        volunteer=volunteer,
        opportunity=reading,
        worked_on=TODAY,
        minutes=120,
        today=TODAY,
    )
    sign_in_client(client, coordinator)
    body = client.get(reverse("volunteering:manage_value"), {"by": "month"}).content.decode()
    assert "2.00 verified hours" in body and "Living Wage" in body
    assert "2026-03" in body
    bad = client.get(
        reverse("volunteering:manage_value"),
        {"by": "month", "start": "2026-03-01", "end": "2026-01-01"},
    )
    assert "There is a problem" in bad.content.decode()


def test_under_18_is_told_their_micro_pledge_waits_for_approval(client, micro, skills):
    young = make_volunteer(
        dob=dt.date(2010, 6, 1), guardian_name="Pat", guardian_email="p@example.org"
    )
    sign_in_client(client, young.user)
    client.post(reverse("volunteering:pledge_start", args=[micro.pk]), {})
    check = reverse("volunteering:pledge_check", args=[micro.pk])
    assert "once your parent or guardian has approved" in client.get(check).content.decode()
    response = client.post(check)
    assert response.status_code == 302
    assert Pledge.objects.get().status == PledgeStatus.REQUESTED
