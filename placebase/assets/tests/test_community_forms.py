"""Staff entry forms for the ABCD side (gifts, connectors, visioning exercises, projects and
their grants) and the public 'offer a skill' form with its moderation: what they save, what
they refuse, and who may use them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from placebase.accounts.roles import Role
from placebase.assets import models as m
from placebase.assets import selectors, services
from placebase.core.models import AuditEvent
from placebase.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor_and_fresh_cache(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    cache.clear()
    yield
    cache.clear()


def signed_in(role, **kwargs):
    client = Client()
    user = UserFactory(role=role, **kwargs)
    client.force_login(user)
    return client, user


OFFER = {
    "person_name": "Doreen Example",
    "contact": "doreen@example.org",
    "postcode": "sm6 7ly",
    "kind": "skill",
    "description": "I can fix bikes and teach children to ride",
    "show_publicly": "on",
    "consent": "on",
    "website": "",
}


# --- the public offer ------------------------------------------------------------------------


def test_a_resident_offers_a_skill_which_waits_for_staff_then_shows_only_a_ward(client, place):
    page = client.get(reverse("assets:gift_offer"))
    assert page.status_code == 200
    assert "never your name" in page.content.decode()
    response = client.post(reverse("assets:gift_offer"), OFFER)
    assert response.status_code == 302
    assert response["Location"] == reverse("assets:gift_offer_thanks")
    gift = m.Gift.objects.get()
    assert gift.moderation == m.GiftModeration.PENDING and gift.offered_online
    assert gift.postcode == "SM6 7LY" and gift.ward_name == "Wallington North"
    assert gift.recorded_by is None and "withdraw" in gift.consent_statement
    assert AuditEvent.objects.filter(verb="gift.offered", personal_data=True).count() == 1
    # Not shown until a member of staff approves it.
    assert selectors.gift_list_public() == []
    assert "fix bikes" not in client.get(reverse("assets:gifts")).content.decode()

    connector, user = signed_in(Role.CONNECTOR)
    queue = connector.get(reverse("assets:gifts_manage")).content.decode()
    assert "Offers waiting for review (1)" in queue and "doreen@example.org" in queue
    assert AuditEvent.objects.filter(verb="gift.list_viewed", actor=user).exists()
    connector.post(reverse("assets:gift_review", args=[gift.id]), {"decision": "approve"})
    gift.refresh_from_db()
    assert gift.moderation == m.GiftModeration.APPROVED and gift.moderated_by == user
    public = client.get(reverse("assets:gifts")).content.decode()
    assert "fix bikes" in public and "Someone in Wallington North" in public
    assert "Doreen" not in public and "doreen@" not in public and "SM6" not in public
    # Reviewing twice does nothing more.
    again = connector.post(
        reverse("assets:gift_review", args=[gift.id]), {"decision": "reject"}, follow=True
    )
    assert "already been reviewed" in again.content.decode()
    gift.refresh_from_db()
    assert gift.moderation == m.GiftModeration.APPROVED


def test_a_rejected_or_private_offer_is_never_shown(client, place, staff):
    client.post(reverse("assets:gift_offer"), OFFER)
    private = dict(OFFER, description="I bake bread", show_publicly="")
    client.post(reverse("assets:gift_offer"), private)
    rejected, kept = m.Gift.objects.order_by("created_at")
    services.gift_moderate(actor=staff, gift_id=rejected.id, approve=False)
    services.gift_moderate(actor=staff, gift_id=kept.id, approve=True)
    assert selectors.gift_list_public() == []
    with pytest.raises(services.GiftNotPending):
        services.gift_moderate(actor=staff, gift_id=rejected.id, approve=True)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"consent": ""}, "consent", "Tick the box"),
        ({"postcode": "SM6 7L"}, "postcode", "full UK postcode"),
        ({"postcode": ""}, "postcode", "Enter your postcode"),
        ({"contact": ""}, "contact", "Enter your email address or phone number"),
        ({"description": ""}, "description", "Tell us what you could share"),
        ({"kind": "money"}, "kind", "Select what you are offering"),
        ({"person_name": "x" * 201}, "person_name", "at most 200"),
    ],
)
def test_a_bad_offer_is_refused_with_an_error_summary_and_nothing_kept(
    client, place, change, field, message
):
    response = client.post(reverse("assets:gift_offer"), OFFER | change)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "<title>Error:" in html
    assert f'href="#id_{field}' in html
    assert message.lower() in html.lower()
    assert not m.Gift.objects.exists()


def test_an_unknown_postcode_loses_nothing_and_says_so(client, place):
    html = client.post(reverse("assets:gift_offer"), OFFER | {"postcode": "SM9 9ZZ"}).content
    assert b"SM9 9ZZ is not a known postcode" in html
    assert not m.Gift.objects.exists()
    # What the person typed is still there to correct.
    assert b"I can fix bikes" in html


def test_robots_and_floods_are_refused(client, place):
    trapped = client.post(reverse("assets:gift_offer"), OFFER | {"website": "http://spam"})
    assert trapped.status_code == 429 and not m.Gift.objects.exists()
    for _ in range(services.OFFERS_PER_HOUR):
        assert client.post(reverse("assets:gift_offer"), OFFER).status_code == 302
    flooded = client.post(reverse("assets:gift_offer"), OFFER)
    assert flooded.status_code == 429
    assert "try again later" in flooded.content.decode()
    assert m.Gift.objects.count() == services.OFFERS_PER_HOUR
    # Someone else (another address) is not held up by it.
    other = Client(REMOTE_ADDR="192.0.2.55")
    assert other.post(reverse("assets:gift_offer"), OFFER).status_code == 302


def test_the_review_queue_is_for_staff_who_may_see_personal_data(client, place):
    client.post(reverse("assets:gift_offer"), OFFER)
    gift = m.Gift.objects.get()
    url = reverse("assets:gift_review", args=[gift.id])
    assert client.post(url, {"decision": "approve"}).status_code == 302  # to sign in
    for role in (Role.PROVIDER_EDITOR, Role.COUNCILLOR, Role.ANALYST, Role.VOLUNTEER):
        other, _ = signed_in(role)
        assert other.get(reverse("assets:gifts_manage")).status_code == 403
        assert other.post(url, {"decision": "approve"}).status_code == 403
    gift.refresh_from_db()
    assert gift.moderation == m.GiftModeration.PENDING
    connector, _ = signed_in(Role.CONNECTOR)
    connector.post(url, {"decision": "maybe"})
    gift.refresh_from_db()
    assert gift.moderation == m.GiftModeration.PENDING


# --- staff: gifts --------------------------------------------------------------------------


def test_a_connector_records_a_gift_with_consent(place, categories):
    connector, user = signed_in(Role.CONNECTOR)
    response = connector.post(
        reverse("assets:gift_new"),
        {
            "person_name": "Ray",
            "contact": "07700 900456",
            "postcode": "SM1 1EA",
            "kind": "passion",
            "description": "Loves growing vegetables",
            "term": str(categories.food.id),
            "consent_statement": "Happy to be listed and contacted by connectors",
            "show_publicly": "on",
        },
    )
    assert response.status_code == 302
    gift = m.Gift.objects.get()
    assert gift.recorded_by == user and gift.moderation == m.GiftModeration.APPROVED
    assert gift.ward_name == "Sutton Central" and list(gift.terms.all()) == [categories.food]
    assert [g.where for g in selectors.gift_list_public()] == ["Someone in Sutton Central"]


def test_a_gift_without_consent_or_with_a_bad_postcode_is_refused(place):
    connector, _ = signed_in(Role.CONNECTOR)
    base = {"person_name": "Ray", "kind": "skill", "description": "Bikes"}
    no_consent = connector.post(reverse("assets:gift_new"), base | {"consent_statement": " "})
    assert "There is a problem" in no_consent.content.decode()
    unknown = connector.post(
        reverse("assets:gift_new"),
        base | {"consent_statement": "Agreed", "postcode": "SM9 9ZZ"},
    )
    assert "SM9 9ZZ is not a known postcode" in unknown.content.decode()
    assert not m.Gift.objects.exists()
    viewer, _ = signed_in(Role.VOLUNTEER_COORDINATOR)  # may view personal data, not edit
    assert viewer.get(reverse("assets:gift_new")).status_code == 403
    assert viewer.get(reverse("assets:gifts_manage")).status_code == 200


# --- staff: connectors, visioning, projects, grants ---------------------------------------


def test_connector_visioning_and_project_forms_build_a_project_history():
    coordinator, user = signed_in(Role.COORDINATOR)
    assert coordinator.get(reverse("assets:connector_new")).status_code == 200
    response = coordinator.post(
        reverse("assets:connector_new"),
        {"display_name": "Amina (Roundshaw)", "area_code": "e05000555", "since": "2025-06-01"},
    )
    assert response.status_code == 302
    connector = m.Connector.objects.get()
    assert connector.area_code == "E05000555" and connector.since == dt.date(2025, 6, 1)

    response = coordinator.post(
        reverse("assets:visioning_new"),
        {
            "title": "Roundshaw summer gathering",
            "held_on": "2026-07-04",
            "facilitator": str(connector.id),
            "participants": "34",
            "notes": "A fridge, a choir and a repair cafe",
        },
    )
    assert response.status_code == 302
    exercise = m.VisioningExercise.objects.get()
    assert exercise.facilitator == connector and exercise.participants == 34

    response = coordinator.post(
        reverse("assets:project_new"),
        {
            "name": "Roundshaw community fridge",
            "description": "Surplus food shared",
            "area_code": "E05000555",
            "area_name": "Roundshaw",
            "connector": str(connector.id),
            "visioning_exercise": str(exercise.id),
            "people_involved": "6",
        },
    )
    project = m.CommunityProject.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assets:project", args=[project.id])
    assert project.connector == connector and project.visioning_exercise == exercise
    assert project.people_involved == 6 and project.stage == m.ProjectStage.IDEA
    assert project.stage_changes.count() == 1

    grant_url = reverse("assets:project_grant", args=[project.id])
    assert coordinator.get(grant_url).status_code == 200
    response = coordinator.post(
        grant_url,
        {
            "funder": "Sutton Community Fund",
            "amount": "£1,250.50",
            "price_year": "2026",
            "awarded_on": "2026-08-01",
            "purpose": "A fridge",
        },
    )
    assert response.status_code == 302
    grant = project.grants.get()
    assert grant.amount == Decimal("1250.50") and grant.price_year == 2026
    html = coordinator.get(reverse("assets:project", args=[project.id])).content.decode()
    assert "£1250.50 from Sutton Community Fund" in html and "2026 prices" in html
    verbs = set(AuditEvent.objects.filter(actor=user).values_list("verb", flat=True))
    assert {
        "connector.created",
        "visioning_exercise.recorded",
        "project.created",
        "project.grant_recorded",
    } <= verbs


@pytest.mark.parametrize(
    ("url_name", "data", "field"),
    [
        ("connector_new", {"display_name": "", "area_code": ""}, "display_name"),
        ("connector_new", {"display_name": "Amina", "area_code": "Roundshaw"}, "area_code"),
        ("connector_new", {"display_name": "Amina", "since": "2999-01-01"}, "since"),
        ("connector_new", {"display_name": "Amina", "since": "next week"}, "since"),
        (
            "visioning_new",
            {"title": "Gathering", "held_on": "2999-01-01", "participants": "3"},
            "held_on",
        ),
        (
            "visioning_new",
            {"title": "Gathering", "held_on": "2026-01-01", "participants": "-3"},
            "participants",
        ),
        (
            "visioning_new",
            {
                "title": "Gathering",
                "held_on": "2026-01-01",
                "participants": "3",
                "facilitator": "00000000-0000-0000-0000-000000000000",
            },
            "facilitator",
        ),
        ("project_new", {"name": "", "people_involved": "0"}, "name"),
        (
            "project_new",
            {"name": "Fridge", "people_involved": "0", "connector": "not-a-uuid"},
            "connector",
        ),
        (
            "project_new",
            {"name": "Fridge", "people_involved": "0", "area_code": "E0500055"},
            "area_code",
        ),
    ],
)
def test_bad_entries_are_refused_with_an_error_summary(url_name, data, field):
    coordinator, _ = signed_in(Role.COORDINATOR)
    response = coordinator.post(reverse(f"assets:{url_name}"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and f'href="#id_{field}"' in html
    assert not m.Connector.objects.exists()
    assert not m.VisioningExercise.objects.exists()
    assert not m.CommunityProject.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "lots"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"price_year": "1066"}, "price_year"),
        ({"awarded_on": "2999-01-01"}, "awarded_on"),
        ({"funder": ""}, "funder"),
    ],
)
def test_a_bad_grant_is_refused_and_nothing_is_recorded(staff, change, field):
    project = services.project_create(actor=staff, name="Fridge")
    coordinator, _ = signed_in(Role.COORDINATOR)
    good = {
        "funder": "Fund",
        "amount": "100",
        "price_year": str(timezone.localdate().year),
        "awarded_on": "2026-01-01",
    }
    response = coordinator.post(reverse("assets:project_grant", args=[project.id]), good | change)
    html = response.content.decode()
    assert "There is a problem" in html and f'href="#id_{field}"' in html
    assert not project.grants.exists()


def test_project_forms_need_permission_to_edit_personal_data(staff):
    project = services.project_create(actor=staff, name="Fridge")
    for role in (Role.ANALYST, Role.COUNCILLOR, Role.PROVIDER_EDITOR, Role.VOLUNTEER_COORDINATOR):
        other, _ = signed_in(role)
        for url in (
            reverse("assets:project_new"),
            reverse("assets:connector_new"),
            reverse("assets:visioning_new"),
            reverse("assets:project_grant", args=[project.id]),
        ):
            assert other.get(url).status_code == 403, (role, url)
            assert other.post(url, {"name": "X"}).status_code == 403
    assert m.CommunityProject.objects.count() == 1
    coordinator, _ = signed_in(Role.COORDINATOR)
    missing = "00000000-0000-0000-0000-000000000000"
    assert coordinator.get(f"/directory/projects/{missing}/grant/").status_code == 404
