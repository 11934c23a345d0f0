"""Subject access export and erasure of a volunteer's record, by staff and by the volunteer."""

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from placebase.accounts.roles import Role
from placebase.core.models import AuditEvent
from placebase.factories import OrganisationFactory, UserFactory
from placebase.places.models import LocatedPoint
from placebase.testing.auth import sign_in_client
from placebase.volunteering import selectors, services
from placebase.volunteering.errors import NotHost, VolunteeringInvalid
from placebase.volunteering.models import (
    HoursEntry,
    HoursStatus,
    Pledge,
    PledgeStatus,
    Volunteer,
    VolunteerStatus,
)

from .conftest import TODAY, make_volunteer, soon

pytestmark = pytest.mark.django_db

ANSWERS = {"life_satisfaction": 6, "worthwhile": 7, "happiness": 5, "anxiety": 3}


@pytest.fixture
def full_record(coordinator, volunteer, reading, micro, badges):
    """A volunteer with something in every part of the record."""
    services.safeguarding_check_record(
        actor=coordinator,
        volunteer=volunteer,
        level=4,
        certificate_date=dt.date(2025, 6, 1),
        today=TODAY,
    )
    pledge = services.pledge_make(opportunity=reading, volunteer=volunteer, today=TODAY)
    services.pledge_confirm(actor=coordinator, pledge=pledge, today=TODAY)
    services.pledge_make(opportunity=micro, volunteer=volunteer)
    services.hours_enter_by_staff(
        actor=coordinator,
        volunteer=volunteer,
        opportunity=reading,
        worked_on=dt.date(2026, 2, 1),
        minutes=90,
        note="Read with year 2",
        today=TODAY,
    )
    services.hours_log(
        volunteer=volunteer,
        opportunity=reading,
        worked_on=dt.date(2026, 2, 8),
        minutes=60,
        note="Waiting",
        today=TODAY,
    )
    services.thank_you_send(actor=coordinator, volunteer=volunteer, message="Thank you, Sam!")
    services.wellbeing_record(
        actor=volunteer.user, volunteer=volunteer, answers=ANSWERS, today=TODAY
    )
    event = services.celebration_event_create(
        actor=coordinator, title="Volunteers' evening", venue="Town hall", starts_at=soon(20)
    )
    services.celebration_invite(actor=coordinator, event=event)
    return volunteer


def test_export_holds_everything_about_the_volunteer(coordinator, full_record):
    data = selectors.volunteer_export_for_manager(user=coordinator, volunteer_id=full_record.pk)
    text = json.dumps(data)  # plain data: serialisable as it is
    assert data["profile"]["email"] == "sam@example.org"
    assert data["profile"]["date_of_birth"] == "1990-05-01"
    assert data["profile"]["skills"] == ["Reading with children"]
    assert {p["opportunity"] for p in data["pledges"]} == {
        "Hear children read",
        "Check on a neighbour",
    }
    assert sorted(h["minutes"] for h in data["hours"]) == [60, 90]
    assert "Read with year 2" in text
    check = data["safeguarding_checks"][0]
    assert check["certificate_date"] == "2025-06-01" and check["renewal_due_on"] == "2028-06-01"
    assert [m["message"] for m in data["messages"]] == ["Thank you, Sam!"]
    assert data["badges"][0]["badge"] == "First hour"
    assert data["invitations"][0]["event"] == "Volunteers' evening"
    assert data["wellbeing"][0]["life_satisfaction"] == 6
    audit = AuditEvent.objects.filter(verb="volunteer.exported").get()
    assert audit.personal_data and audit.actor == coordinator
    assert "sam" not in json.dumps(audit.payload).lower()


def test_staff_of_another_organisation_cannot_export(full_record):
    stranger = UserFactory(role=Role.VOLUNTEER_COORDINATOR, organisation=OrganisationFactory())
    from placebase.core.errors import NotFound

    with pytest.raises(NotFound):
        selectors.volunteer_export_for_manager(user=stranger, volunteer_id=full_record.pk)
    assert not AuditEvent.objects.filter(verb="volunteer.exported").exists()


def test_volunteer_downloads_their_own_export(client, full_record):
    sign_in_client(client, full_record.user)
    response = client.get(reverse("volunteering:me_export"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert str(full_record.pk) in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["first_name"] == "Sam" and len(data["hours"]) == 2


def test_staff_export_view_is_scoped(client, coordinator, full_record):
    url = reverse("volunteering:manage_volunteer_export", args=[full_record.pk])
    other = make_volunteer(email="other@example.org")
    sign_in_client(client, coordinator)
    assert client.get(url).status_code == 200
    # A volunteer who never came near this organisation is "not found".
    missing = reverse("volunteering:manage_volunteer_export", args=[other.pk])
    assert client.get(missing).status_code == 404
    sign_in_client(client, full_record.user)
    assert client.get(url).status_code == 403


def test_erasure_anonymises_but_keeps_verified_hours_so_the_value_is_unchanged(
    coordinator, full_record, reading
):
    before = selectors.volunteer_hours_value(organisation=coordinator.organisation)
    user_id = full_record.user_id
    assert LocatedPoint.objects.filter(record_id=full_record.pk).exists()
    services.volunteer_erase(
        actor=coordinator, volunteer=full_record, reason="The volunteer asked us to (SAR-12)"
    )
    volunteer = Volunteer.objects.get(pk=full_record.pk)
    assert volunteer.status == VolunteerStatus.ERASED
    assert volunteer.erasure_reason == "The volunteer asked us to (SAR-12)"
    assert volunteer.erased_at is not None
    assert (volunteer.first_name, volunteer.email, volunteer.phone, volunteer.postcode) == (
        "Erased",
        "",
        "",
        "",
    )
    assert volunteer.date_of_birth == dt.date(1990, 1, 1)
    assert volunteer.user_id is None and not volunteer.skills.exists()
    for related in ("safeguarding_checks", "wellbeing", "thanks", "badges", "invitations"):
        assert not getattr(volunteer, related).exists(), related
    # Only verified time is kept, without notes; the unverified hour has gone.
    entries = list(HoursEntry.objects.filter(volunteer=volunteer))
    assert [(e.minutes, e.status, e.note) for e in entries] == [(90, HoursStatus.VERIFIED, "")]
    after = selectors.volunteer_hours_value(organisation=coordinator.organisation)
    assert (after.minutes, after.volunteers, after.low, after.central) == (
        before.minutes,
        before.volunteers,
        before.low,
        before.central,
    )
    # Places to come are given up; the account cannot sign in; home is forgotten.
    assert set(Pledge.objects.filter(volunteer=volunteer).values_list("status", flat=True)) == {
        PledgeStatus.WITHDRAWN
    }
    user = get_user_model().objects.get(pk=user_id)
    assert not user.is_active and not user.has_usable_password() and user.email == ""
    assert "sam" not in user.username
    assert not LocatedPoint.objects.filter(record_id=volunteer.pk).exists()
    audit = AuditEvent.objects.get(verb="volunteer.erased")
    assert audit.actor == coordinator and audit.payload["verified_hours_entries_kept"] == 1
    assert "SAR-12" not in json.dumps(audit.payload)


def test_erasure_needs_a_reason_and_loses_nothing_without_one(coordinator, full_record):
    with pytest.raises(VolunteeringInvalid) as caught:
        services.volunteer_erase(actor=coordinator, volunteer=full_record, reason="  ")
    assert caught.value.details["field"] == "reason"
    volunteer = Volunteer.objects.get(pk=full_record.pk)
    assert volunteer.email == "sam@example.org" and volunteer.safeguarding_checks.exists()


def test_erasure_is_refused_to_other_organisations_and_twice(coordinator, full_record):
    stranger = UserFactory(role=Role.VOLUNTEER_COORDINATOR, organisation=OrganisationFactory())
    with pytest.raises(NotHost):
        services.volunteer_erase(actor=stranger, volunteer=full_record, reason="Asked")
    services.volunteer_erase(actor=coordinator, volunteer=full_record, reason="Asked")
    with pytest.raises(VolunteeringInvalid):
        services.volunteer_erase(actor=coordinator, volunteer=full_record, reason="Again")


def test_staff_erase_page_shows_errors_then_erases(client, coordinator, full_record):
    url = reverse("volunteering:manage_volunteer_erase", args=[full_record.pk])
    sign_in_client(client, coordinator)
    assert "cannot be undone" in client.get(url).content.decode()
    response = client.post(url, {"reason": ""})
    body = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in body
    assert "Give the reason for erasure" in body
    assert "Confirm that you understand" in body
    assert Volunteer.objects.get(pk=full_record.pk).status == VolunteerStatus.ACTIVE
    response = client.post(url, {"reason": "Asked by email", "confirm": "on"})
    assert response.status_code == 302
    assert Volunteer.objects.get(pk=full_record.pk).status == VolunteerStatus.ERASED
    page = client.get(response["Location"]).content.decode()
    assert "This record was erased" in page and "sam@example.org" not in page


def test_volunteer_closes_their_own_account(client, full_record):
    sign_in_client(client, full_record.user)
    url = reverse("volunteering:me_erase")
    response = client.post(url, {"reason": "I am moving away", "confirm": "on"})
    assert response.status_code == 200 and "Your account is closed" in response.content.decode()
    volunteer = Volunteer.objects.get(pk=full_record.pk)
    assert volunteer.status == VolunteerStatus.ERASED
    assert volunteer.erasure_reason == "I am moving away"
    assert AuditEvent.objects.get(verb="volunteer.erased").payload["by_volunteer"] is True
    # Signed out: the volunteer pages now ask to sign in.
    assert client.get(reverse("volunteering:me")).status_code == 302


def test_nothing_new_is_recorded_against_an_erased_record(coordinator, full_record, reading):
    services.volunteer_erase(actor=coordinator, volunteer=full_record, reason="Asked")
    volunteer = Volunteer.objects.get(pk=full_record.pk)
    attempts = [
        lambda: services.safeguarding_check_record(
            actor=coordinator, volunteer=volunteer, level=1, certificate_date=TODAY, today=TODAY
        ),
        lambda: services.thank_you_send(actor=coordinator, volunteer=volunteer, message="Hi"),
        lambda: services.hours_enter_by_staff(
            actor=coordinator,
            volunteer=volunteer,
            opportunity=reading,
            worked_on=TODAY,
            minutes=30,
            today=TODAY,
        ),
        lambda: services.pledge_make(opportunity=reading, volunteer=volunteer),
    ]
    for attempt in attempts:
        with pytest.raises(VolunteeringInvalid):
            attempt()
    assert not volunteer.safeguarding_checks.exists() and not volunteer.thanks.exists()
    assert volunteer.hours.count() == 1
