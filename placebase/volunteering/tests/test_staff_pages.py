"""Coordinators edit and close opportunities and manage sites and shifts; volunteers edit their
own details. Bad input gets a clear error and changes nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from placebase.accounts.roles import Role
from placebase.core.models import AuditEvent
from placebase.factories import OrganisationFactory, UserFactory
from placebase.testing.auth import sign_in_client
from placebase.volunteering import availability as slots
from placebase.volunteering import selectors, services
from placebase.volunteering.errors import EditedElsewhere, VolunteeringInvalid
from placebase.volunteering.models import (
    CheckLevel,
    Opportunity,
    OpportunityStatus,
    Pledge,
    PledgeStatus,
    Shift,
    Site,
    Volunteer,
)

from .conftest import SUTTON, TODAY, WALLINGTON, make_volunteer, soon

pytestmark = pytest.mark.django_db


def _opportunity_post(opportunity, **changes):
    data = {
        "title": opportunity.title,
        "summary": opportunity.summary,
        "description": opportunity.description,
        "kind": opportunity.kind,
        "duration_minutes": opportunity.duration_minutes or "",
        "host_name": opportunity.host_name,
        "postcode": opportunity.postcode,
        "skills": [s.slug for s in opportunity.skills.all()],
        "check_level": str(opportunity.check_level),
        "minimum_age": str(opportunity.minimum_age),
        "capacity": opportunity.capacity or "",
        "version": str(opportunity.version),
    }
    if opportunity.regulated_activity:
        data["regulated_activity"] = "on"
    data.update(changes)
    return data


def test_coordinator_edits_an_opportunity(client, coordinator, micro):
    sign_in_client(client, coordinator)
    url = reverse("volunteering:manage_opportunity_edit", args=[micro.pk])
    page = client.get(url).content.decode()
    assert 'value="Check on a neighbour"' in page and 'name="version"' in page
    response = client.post(
        url, _opportunity_post(micro, title="Check on two neighbours", postcode=WALLINGTON)
    )
    assert response.status_code == 302
    micro.refresh_from_db()
    assert micro.title == "Check on two neighbours"
    assert micro.postcode == WALLINGTON and micro.version == 2
    audit = AuditEvent.objects.get(verb="opportunity.updated")
    assert audit.payload["changed"] == ["postcode", "title"]


def test_editing_with_bad_input_shows_errors_and_changes_nothing(client, coordinator, micro):
    sign_in_client(client, coordinator)
    url = reverse("volunteering:manage_opportunity_edit", args=[micro.pk])
    response = client.post(url, _opportunity_post(micro, duration_minutes="500"))
    body = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in body
    assert "between 1 and 120 minutes" in body
    response = client.post(url, _opportunity_post(micro, postcode="ZZ99 9ZZ"))
    assert response.status_code == 400 and "postcode" in response.content.decode().lower()
    micro.refresh_from_db()
    assert micro.duration_minutes == 15 and micro.postcode == SUTTON and micro.version == 1


def test_an_edit_made_from_a_stale_page_is_refused(client, coordinator, micro):
    stale = _opportunity_post(micro)
    services.opportunity_update(
        actor=coordinator,
        opportunity=micro,
        version=micro.version,
        title="Newer title",
        summary=micro.summary,
        kind=micro.kind,
        duration_minutes=15,
        postcode=micro.postcode,
    )
    sign_in_client(client, coordinator)
    url = reverse("volunteering:manage_opportunity_edit", args=[micro.pk])
    response = client.post(url, stale | {"title": "Older title"})
    assert response.status_code == 409
    assert "Someone else changed this" in response.content.decode()
    assert Opportunity.objects.get(pk=micro.pk).title == "Newer title"


def test_edit_rules_that_protect_people_already_pledged(coordinator, reading, skills):
    first = make_volunteer(email="a@example.org")
    second = make_volunteer(email="b@example.org")
    for volunteer in (first, second):
        services.safeguarding_check_record(
            actor=coordinator,
            volunteer=volunteer,
            level=CheckLevel.ENHANCED_BARRED,
            certificate_date=dt.date(2025, 1, 1),
            today=TODAY,
        )
        pledge = services.pledge_make(opportunity=reading, volunteer=volunteer, today=TODAY)
        services.pledge_confirm(actor=coordinator, pledge=pledge, today=TODAY)
    base = {
        "actor": coordinator,
        "opportunity": reading,
        "version": None,
        "title": reading.title,
        "summary": reading.summary,
        "kind": reading.kind,
        "postcode": reading.postcode,
        "regulated_activity": True,
        "check_level": CheckLevel.ENHANCED_BARRED,
        "skills": ["reading-with-children"],
        "today": TODAY,
    }
    with pytest.raises(VolunteeringInvalid) as caught:
        services.opportunity_update(**base | {"capacity": 1})
    assert caught.value.details["field"] == "capacity"
    with pytest.raises(VolunteeringInvalid) as caught:
        services.opportunity_update(**base | {"kind": "one_off"})
    assert caught.value.details["field"] == "kind"
    with pytest.raises(EditedElsewhere):
        services.opportunity_update(**base | {"version": 99})
    updated = services.opportunity_update(**base | {"capacity": 5})
    assert updated.capacity == 5


def test_raising_the_check_level_is_refused_while_confirmed_volunteers_lack_it(coordinator, skills):
    task = services.opportunity_create(
        actor=coordinator,
        title="Drive to appointments",
        summary="Lifts for older people.",
        kind="one_off",
        postcode=SUTTON,
    )
    volunteer = make_volunteer()
    pledge = services.pledge_make(opportunity=task, volunteer=volunteer, today=TODAY)
    services.pledge_confirm(actor=coordinator, pledge=pledge, today=TODAY)
    with pytest.raises(VolunteeringInvalid) as caught:
        services.opportunity_update(
            actor=coordinator,
            opportunity=task,
            version=None,
            title=task.title,
            summary=task.summary,
            kind=task.kind,
            postcode=task.postcode,
            check_level=CheckLevel.ENHANCED,
            today=TODAY,
        )
    assert "1 confirmed volunteer" in caught.value.message
    assert Opportunity.objects.get(pk=task.pk).check_level == CheckLevel.NONE


def test_closing_hides_from_search_and_keeps_pledges(client, coordinator, micro):
    pledge = services.pledge_make(opportunity=micro, guest_name="Alex", guest_email="a@b.org")
    sign_in_client(client, coordinator)
    url = reverse("volunteering:manage_opportunity_status", args=[micro.pk])
    response = client.post(url, {"status": "closed"}, follow=True)
    assert "Opportunity closed" in response.content.decode()
    assert Opportunity.objects.get(pk=micro.pk).status == OpportunityStatus.CLOSED
    _, found = selectors.opportunity_search(postcode=SUTTON)
    assert micro.pk not in {r.opportunity.pk for r in found}
    assert client.get(reverse("volunteering:opportunity", args=[micro.pk])).status_code == 404
    assert Pledge.objects.get(pk=pledge.pk).status == PledgeStatus.PLEDGED
    client.post(url, {"status": "published"})
    _, found = selectors.opportunity_search(postcode=SUTTON)
    assert micro.pk in {r.opportunity.pk for r in found}
    assert client.post(url, {"status": "draft-ish"}).status_code == 404


def test_other_organisations_cannot_edit_or_close(client, micro):
    stranger = UserFactory(role=Role.VOLUNTEER_COORDINATOR, organisation=OrganisationFactory())
    sign_in_client(client, stranger)
    assert (
        client.get(reverse("volunteering:manage_opportunity_edit", args=[micro.pk])).status_code
        == 404
    )
    status = reverse("volunteering:manage_opportunity_status", args=[micro.pk])
    assert client.post(status, {"status": "closed"}).status_code == 404
    assert Opportunity.objects.get(pk=micro.pk).status == OpportunityStatus.PUBLISHED


def test_coordinator_adds_and_edits_a_site(client, coordinator, reading):
    sign_in_client(client, coordinator)
    new = reverse("volunteering:manage_site_new", args=[reading.pk])
    response = client.post(new, {"name": "", "postcode": "nonsense", "capacity": "0"})
    body = response.content.decode()
    assert response.status_code == 400 and "Enter the site&#x27;s name" in body
    assert not Site.objects.exists()
    response = client.post(new, {"name": "Avenue Primary", "postcode": "sm1 1ea", "capacity": "5"})
    assert response.status_code == 302
    site = Site.objects.get()
    assert (site.name, site.postcode, site.capacity) == ("Avenue Primary", SUTTON, 5)
    edit = reverse("volunteering:manage_site", args=[reading.pk, site.pk])
    assert 'value="Avenue Primary"' in client.get(edit).content.decode()
    response = client.post(edit, {"name": "Avenue Primary School", "postcode": SUTTON})
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.name == "Avenue Primary School" and site.capacity is None


def test_site_capacity_cannot_drop_below_the_places_taken(coordinator, reading, skills):
    site = services.site_add(
        actor=coordinator, opportunity=reading, name="Avenue Primary", postcode=SUTTON
    )
    for email in ("a@example.org", "b@example.org"):
        volunteer = make_volunteer(email=email)
        services.safeguarding_check_record(
            actor=coordinator,
            volunteer=volunteer,
            level=CheckLevel.ENHANCED_BARRED,
            certificate_date=dt.date(2025, 1, 1),
            today=TODAY,
        )
        pledge = services.pledge_make(opportunity=reading, volunteer=volunteer, site=site)
        services.pledge_confirm(actor=coordinator, pledge=pledge, today=TODAY)
    with pytest.raises(VolunteeringInvalid) as caught:
        services.site_update(
            actor=coordinator, site=site, name=site.name, postcode=SUTTON, capacity=1
        )
    assert "2 people already hold places" in caught.value.message
    assert Site.objects.get(pk=site.pk).capacity is None


def test_coordinator_adds_and_moves_a_shift(client, coordinator, micro):
    sign_in_client(client, coordinator)
    new = reverse("volunteering:manage_shift_new", args=[micro.pk])
    day = timezone.localdate() + dt.timedelta(days=10)
    parts = {"day_day": day.day, "day_month": day.month, "day_year": day.year}
    response = client.post(new, parts | {"starts": "14:00", "ends": "13:00"})
    assert response.status_code == 400
    assert "A shift must end after it starts" in response.content.decode()
    response = client.post(new, parts | {"starts": "2pm", "ends": "15:00"})
    assert "Start time must be a time like 09:30" in response.content.decode()
    past = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        new,
        {"day_day": past.day, "day_month": past.month, "day_year": past.year}
        | {"starts": "10:00", "ends": "11:00"},
    )
    assert "must start in the future" in response.content.decode()
    assert not Shift.objects.exists()

    response = client.post(new, parts | {"starts": "10:00", "ends": "11:30", "capacity": "3"})
    assert response.status_code == 302
    shift = Shift.objects.get()
    assert timezone.localtime(shift.starts_at).hour == 10 and shift.capacity == 3
    pledge = services.pledge_make(
        opportunity=micro, guest_name="Alex", guest_email="a@b.org", shift=shift
    )
    edit = reverse("volunteering:manage_shift", args=[micro.pk, shift.pk])
    assert 'value="10:00"' in client.get(edit).content.decode()
    response = client.post(edit, parts | {"starts": "12:00", "ends": "13:00", "capacity": "2"})
    assert response.status_code == 302
    shift.refresh_from_db()
    assert timezone.localtime(shift.starts_at).hour == 12
    assert Pledge.objects.get(pk=pledge.pk).shift_id == shift.pk  # the pledge moves with it


def test_shift_capacity_cannot_drop_below_pledges(coordinator, micro):
    shift = services.shift_add(
        actor=coordinator,
        opportunity=micro,
        starts_at=soon(),
        ends_at=soon() + dt.timedelta(hours=1),
    )
    for n in range(2):
        services.pledge_make(
            opportunity=micro, guest_name="G", guest_email=f"g{n}@example.org", shift=shift
        )
    with pytest.raises(VolunteeringInvalid) as caught:
        services.shift_update(
            actor=coordinator,
            shift=shift,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            capacity=1,
        )
    assert caught.value.details["field"] == "capacity"


def test_manage_opportunity_page_lists_sites_and_shifts_with_edit_links(
    client, coordinator, reading
):
    site = services.site_add(actor=coordinator, opportunity=reading, name="Avenue", postcode=SUTTON)
    shift = services.shift_add(
        actor=coordinator,
        opportunity=reading,
        starts_at=soon(),
        ends_at=soon() + dt.timedelta(hours=1),
        site=site,
    )
    sign_in_client(client, coordinator)
    page = client.get(reverse("volunteering:manage_opportunity", args=[reading.pk])).content
    body = page.decode()
    assert reverse("volunteering:manage_site", args=[reading.pk, site.pk]) in body
    assert reverse("volunteering:manage_shift", args=[reading.pk, shift.pk]) in body
    assert reverse("volunteering:manage_opportunity_edit", args=[reading.pk]) in body


def test_volunteer_edits_their_own_details(client, volunteer, skills):
    sign_in_client(client, volunteer.user)
    url = reverse("volunteering:me_profile")
    page = client.get(url).content.decode()
    assert 'value="reading-with-children" checked' in page
    response = client.post(
        url,
        {
            "postcode": WALLINGTON,
            "travel_km": "10",
            "skills": ["gardening", "befriending"],
            "availability": ["mon-morning", "sat-afternoon"],
            "interests": "Anything outdoors",
            "phone": "020 7946 0000",
            "version": "1",
        },
    )
    assert response.status_code == 302
    volunteer = Volunteer.objects.get(pk=volunteer.pk)
    assert volunteer.postcode == WALLINGTON and volunteer.travel_km == 10
    assert {s.slug for s in volunteer.skills.all()} == {"gardening", "befriending"}
    assert volunteer.availability == slots.mask_from_codes(["mon-morning", "sat-afternoon"])
    assert volunteer.interests == "Anything outdoors" and not volunteer.may_be_suggested
    audit = AuditEvent.objects.get(verb="volunteer.profile_updated")
    assert audit.payload["moved"] is True and "020" not in str(audit.payload)


def test_bad_profile_input_changes_nothing(client, volunteer):
    sign_in_client(client, volunteer.user)
    url = reverse("volunteering:me_profile")
    response = client.post(url, {"postcode": "ZZ1 1ZZ", "travel_km": "3", "version": "1"})
    body = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in body
    assert "Select a valid choice" in body or "Choose how far" in body
    response = client.post(url, {"postcode": "ZZ1 1ZZ", "travel_km": "5", "version": "1"})
    assert response.status_code == 400
    assert "ZZ1 1ZZ is not a known postcode" in response.content.decode()
    volunteer = Volunteer.objects.get(pk=volunteer.pk)
    assert volunteer.postcode == SUTTON and volunteer.version == 1
    assert volunteer.skills.count() == 1


def test_someone_else_cannot_edit_a_volunteers_details(volunteer, coordinator):
    from placebase.volunteering.errors import NotHost

    with pytest.raises(NotHost):
        services.volunteer_profile_update(
            actor=coordinator, volunteer=volunteer, version=None, postcode=SUTTON
        )


def test_volunteer_answers_the_wellbeing_questions(client, volunteer):
    sign_in_client(client, volunteer.user)
    url = reverse("volunteering:me_wellbeing")
    response = client.post(url, {"life_satisfaction": "12", "worthwhile": "x"})
    body = response.content.decode()
    assert response.status_code == 400 and "Answer with a number from 0 to 10" in body
    assert not volunteer.wellbeing.exists()
    response = client.post(
        url, {"life_satisfaction": "7", "worthwhile": "8", "happiness": "6", "anxiety": "2"}
    )
    assert response.status_code == 302
    answer = volunteer.wellbeing.get()
    assert (answer.life_satisfaction, answer.anxiety, answer.source) == (7, 2, "volunteer")


def test_an_error_on_a_group_of_radios_links_to_its_first_item(client, coordinator, micro):
    services.pledge_make(opportunity=micro, guest_name="Alex", guest_email="a@example.org")
    sign_in_client(client, coordinator)
    url = reverse("volunteering:manage_opportunity_edit", args=[micro.pk])
    response = client.post(url, _opportunity_post(micro, kind="one_off", duration_minutes=""))
    body = response.content.decode()
    assert response.status_code == 400 and "The kind cannot change" in body
    assert 'href="#id_kind"' in body and 'id="id_kind"' in body
    assert Opportunity.objects.get(pk=micro.pk).kind == "micro"
