"""Privacy by design: audit of every read and write, subject access, erasure with a legal-hold
exception, retention, and no personal data where it should not be."""

import datetime
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from placebase.casework import selectors, services
from placebase.casework.models import (
    Connection,
    Contact,
    ErasureRecord,
    NetworkMember,
    Person,
    PersonStatus,
)
from placebase.core.audit import _FORBIDDEN_PAYLOAD_KEYS
from placebase.core.models import AuditEvent

from .conftest import days_ago, introduce

pytestmark = pytest.mark.django_db


def events(person, verb):
    return AuditEvent.objects.filter(target_id=str(person.id), verb=verb, personal_data=True)


def full_record(coordinator, person):
    pid = person.id
    services.contact_record(
        user=coordinator,
        person_id=pid,
        happened_on=days_ago(20),
        kind="conversation",
        duration_minutes=45,
        notes="Talked about her garden",
    )
    services.network_member_add(user=coordinator, person_id=pid, name="Jo", kind="family")
    services.connection_suggest(
        user=coordinator, person_id=pid, target_kind="person", target_name="Neighbour Sam"
    )
    services.service_use_record(
        user=coordinator,
        person_id=pid,
        service_type="gp_appointment",
        occurred_on=days_ago(100),
        source="records",
        note="Flu",
    )
    services.assessment_record(
        user=coordinator,
        person_id=pid,
        recorded_on=days_ago(20),
        answers={"life_satisfaction": 4, "worthwhile": 5, "happiness": 4, "anxiety": 7},
    )
    services.person_update(
        user=coordinator,
        person_id=pid,
        version=None,
        health_conditions="Type 2 diabetes",
        phone="020 8770 5000",
    )


def test_every_read_and_write_is_audited_without_personal_data(client_for, coordinator, person):
    full_record(coordinator, person)
    client_for(coordinator).get(reverse("casework:person", args=[person.id]))
    verbs = set(AuditEvent.objects.filter(target_id=str(person.id)).values_list("verb", flat=True))
    assert {
        "casework.person.introduced",
        "casework.contact.recorded",
        "casework.network.added",
        "casework.connection.suggested",
        "casework.service_use.recorded",
        "casework.assessment.recorded",
        "casework.person.updated",
        "casework.person.read",
    } <= verbs
    for event in AuditEvent.objects.filter(target_id=str(person.id)):
        assert event.personal_data
        assert not _FORBIDDEN_PAYLOAD_KEYS.intersection(event.payload)
        assert "Ada" not in json.dumps(event.payload) and "diabetes" not in json.dumps(
            event.payload
        )


def test_lists_and_the_home_page_are_audited_too(client_for, coordinator, person):
    client = client_for(coordinator)
    client.get(reverse("casework:home"))
    client.get(reverse("casework:people") + "?q=Ada")
    assert AuditEvent.objects.filter(verb="casework.home.read", actor=coordinator).exists()
    listed = AuditEvent.objects.get(verb="casework.person.list", actor=coordinator)
    assert listed.payload == {"count": 1, "searched": True}


def test_personal_pages_are_never_cached(client_for, coordinator, person):
    response = client_for(coordinator).get(reverse("casework:person", args=[person.id]))
    assert response["Cache-Control"] == "no-store"


def test_urls_carry_only_uuids(client_for, coordinator, person):
    body = client_for(coordinator).get(reverse("casework:home")).content.decode()
    assert f"/casework/people/{person.id}/" in body
    assert "Lovelace/" not in body and "?name=" not in body


def test_subject_access_export_holds_everything_and_is_audited(client_for, coordinator, person):
    full_record(coordinator, person)
    client = client_for(coordinator)
    response = client.get(reverse("casework:export_json", args=[person.id]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = response.json()
    assert data["person"]["first_name"] == "Ada"
    assert data["person"]["health_conditions"] == "Type 2 diabetes"
    assert "health_conditions" in data["special_category_fields"]
    assert data["contacts"][0]["notes"] == "Talked about her garden"
    assert data["support_network"][0]["name"] == "Jo"
    assert data["connections"][0]["target_name"] == "Neighbour Sam"
    assert data["service_use"][0]["service_type_label"] == "GP appointment"
    assert data["wellbeing"][0]["answers"]["anxiety"] == 7
    assert data["introductions"][0]["reason"].startswith("Lonely")
    assert any(row["verb"] == "casework.person.introduced" for row in data["access_log"])
    assert events(person, "casework.person.exported").count() == 1
    html = client.get(reverse("casework:export_html", args=[person.id]))
    assert html.status_code == 200
    text = html.content.decode()
    assert "Everything we hold about Ada Lovelace" in text and "Talked about her garden" in text
    assert events(person, "casework.person.exported").count() == 2


def test_erasure_removes_what_identifies_the_person_and_keeps_the_evidence(
    manager, coordinator, person
):
    full_record(coordinator, person)
    services.person_erase(user=manager, person_id=person.id, reason="Asked for erasure (art. 17)")
    person = Person.objects.get(pk=person.pk)
    assert person.status == PersonStatus.ANONYMISED
    assert person.first_name == person.last_name == person.phone == person.postcode == ""
    assert person.date_of_birth is None and person.health_conditions == ""
    assert Contact.objects.get(person=person).notes == ""
    assert not NetworkMember.objects.filter(person=person).exists()
    assert Connection.objects.get(person=person).target_name == "(removed)"
    assert person.consents.count() == 0
    # The evidence stays: dates, kinds and scores.
    assert person.service_use.count() == 1 and person.assessments.count() == 1
    record = ErasureRecord.objects.get(person=person)
    assert record.kind == "erasure" and record.by == manager
    assert events(person, "casework.person.erased").exists()
    # Nobody reaches it for editing any more; it stays out of lists.
    with pytest.raises(services.IntroductionState):
        services.contact_record(
            user=coordinator,
            person_id=person.id,
            happened_on=days_ago(1),
            kind="phone",
            duration_minutes=5,
        )
    assert person not in selectors.person_list(user=coordinator, include_closed=True)


def test_erasure_needs_a_reason_and_is_refused_under_legal_hold(client_for, manager, person):
    with pytest.raises(services.CaseworkInvalid):
        services.person_erase(user=manager, person_id=person.id, reason="  ")
    services.person_legal_hold_set(
        user=manager, person_id=person.id, hold=True, reason="Coroner's inquest"
    )
    response = client_for(manager).post(
        reverse("casework:erase", args=[person.id]), {"reason": "Asked"}
    )
    assert response.status_code == 409
    assert "legal hold" in response.content.decode()
    person.refresh_from_db()
    assert person.status == PersonStatus.ACTIVE and person.first_name == "Ada"


def close(person, coordinator, *, days_closed):
    services.introduction_close(
        user=coordinator, person_id=person.id, reason="goals_met", closed_on=days_ago(0)
    )
    Person.objects.filter(pk=person.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=days_closed)
    )


def test_retention_anonymises_only_old_closed_records_not_on_hold(
    settings, manager, coordinator, patch
):
    settings.PLACEBASE_RETENTION_DAYS = 365
    old = introduce(coordinator).person
    held = introduce(
        coordinator, first_name="Bea", last_name="Held", date_of_birth=None, postcode=""
    ).person
    recent = introduce(
        coordinator, first_name="Cy", last_name="Recent", date_of_birth=None, postcode=""
    ).person
    still_open = introduce(
        coordinator, first_name="Di", last_name="Open", date_of_birth=None, postcode=""
    ).person
    close(old, coordinator, days_closed=400)
    close(held, coordinator, days_closed=400)
    close(recent, coordinator, days_closed=30)
    services.person_legal_hold_set(user=manager, person_id=held.id, hold=True, reason="Claim")
    assert services.retention_apply(dry_run=True) == 1
    call_command("casework_retention")  # enqueues the task; the embedded backend runs it now
    statuses = dict(Person.objects.values_list("last_name", "status"))
    assert statuses == {"": "anonymised", "Held": "closed", "Recent": "closed", "Open": "active"}
    assert ErasureRecord.objects.get(person=old).kind == "retention"
    assert services.retention_apply() == 0  # idempotent
    assert still_open.status == "active"


def test_reminders_email_counts_and_a_link_never_names(coordinator, person):
    coordinator.email = "cora@example.org"
    coordinator.save()
    services.connection_suggest(
        user=coordinator,
        person_id=person.id,
        target_kind="other",
        target_name="Choir",
        suggested_on=days_ago(10),
        follow_up_on=days_ago(1),
    )
    call_command("casework_reminders")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cora@example.org"]
    assert "1 connection follow-up" in message.body
    assert "Ada" not in message.body and "Lovelace" not in message.body
