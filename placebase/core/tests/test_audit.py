"""The audit entry point, request ids, and the audit-log page."""

import pytest
from django.urls import reverse

from placebase.accounts.roles import Role
from placebase.core.audit import audit_record
from placebase.core.middleware import current_request_id
from placebase.core.models import AuditEvent
from placebase.factories import DEFAULT_PASSWORD, OrganisationFactory, UserFactory
from placebase.testing.auth import sign_in_client

pytestmark = pytest.mark.django_db
AUDIT_LOG = reverse("core:audit_log")


def test_audit_record_stores_who_what_and_to_which_record():
    organisation = OrganisationFactory()
    actor = UserFactory(role=Role.COORDINATOR, organisation=organisation)
    target = UserFactory()

    event = audit_record(
        actor=actor,
        verb="person.viewed",
        target=target,
        personal_data=True,
        payload={"fields": ["role"]},
    )

    event.refresh_from_db()
    assert event.actor == actor and event.actor_label == actor.username
    assert event.organisation == organisation
    assert event.target_type == "accounts.user" and event.target_id == str(target.pk)
    assert event.personal_data and event.payload == {"fields": ["role"]}
    assert event.at is not None
    assert event.request_id == ""  # outside a request there is none


def test_anonymous_actors_are_recorded_as_such():
    from django.contrib.auth.models import AnonymousUser

    for actor in (None, AnonymousUser()):
        event = audit_record(actor=actor, verb="sign_in.failed", target_type="accounts.user")
        assert event.actor is None and event.actor_label == "anonymous"
        assert event.organisation is None


def test_explicit_target_type_and_id_are_kept():
    event = audit_record(
        actor=None, verb="import.run", target_type="places.boundaryset", target_id="abc"
    )
    assert (event.target_type, event.target_id) == ("places.boundaryset", "abc")


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "name",
        "first_name",
        "last_name",
        "email",
        "phone",
        "address",
        "date_of_birth",
        "notes",
    ],
)
def test_the_payload_refuses_personal_data_keys_and_writes_nothing(key):
    with pytest.raises(ValueError, match="personal data"):
        audit_record(actor=None, verb="person.changed", payload={key: "x", "ok": 1})
    assert not AuditEvent.objects.exists()


def test_the_payload_does_not_keep_a_reference_to_the_callers_dict():
    payload = {"changed": ["role"]}
    event = audit_record(actor=None, verb="x", payload=payload)
    payload["changed"] = "mutated"
    payload["extra"] = 1
    event.refresh_from_db()
    assert event.payload == {"changed": ["role"]}


def test_request_id_is_echoed_and_stored_on_the_audit_entries_of_that_request(client):
    user = UserFactory(role=Role.VOLUNTEER)
    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": DEFAULT_PASSWORD},
        HTTP_X_REQUEST_ID="lb0123456789abcdef",
    )
    assert response["X-Request-ID"] == "lb0123456789abcdef"
    assert AuditEvent.objects.get(verb="sign_in").request_id == "lb0123456789abcdef"
    assert current_request_id() == ""  # and it does not leak past the request


def test_a_request_id_is_made_when_none_is_sent_and_each_request_gets_its_own(client):
    first = client.get(reverse("web:accessibility"))["X-Request-ID"]
    second = client.get(reverse("web:accessibility"))["X-Request-ID"]
    assert len(first) == 32 and first != second


@pytest.mark.parametrize(
    "incoming",
    ["", "has spaces", "semi;colon", "x" * 65, "caf\u00e9", "<script>", "new\nline"],
)
def test_unsafe_or_over_long_request_ids_are_replaced(client, incoming):
    response = client.get(reverse("web:accessibility"), HTTP_X_REQUEST_ID=incoming)
    replaced = response["X-Request-ID"]
    assert replaced != incoming and len(replaced) == 32 and replaced.isalnum()


def test_request_ids_from_load_balancers_with_dashes_are_kept(client):
    uuid_form = "0f8fad5b-d9cb-469f-a165-70867728950e"
    response = client.get(reverse("web:accessibility"), HTTP_X_REQUEST_ID=uuid_form)
    assert response["X-Request-ID"] == uuid_form


# -- the audit-log page ----------------------------------------------------------------------


def test_the_audit_log_lists_entries_and_records_its_own_read(client):
    admin = UserFactory(role=Role.ADMIN)
    audit_record(
        actor=admin,
        verb="person.viewed",
        target_type="casework.person",
        target_id="p-1",
        personal_data=True,
    )
    sign_in_client(client, admin)

    response = client.get(AUDIT_LOG, HTTP_X_REQUEST_ID="req42")

    assert response.status_code == 200
    html = response.content.decode()
    assert "p-1" in html and "personal data" in html
    # The page shows the log as it was before this read was added to it.
    assert [event.verb for event in response.context["page"]] == ["person.viewed"]
    read = AuditEvent.objects.get(verb="audit_log.read")
    assert read.actor == admin and read.request_id == "req42"
    assert read.payload == {"verb": "", "target_id": "", "page": 1}
    assert response["Cache-Control"] == "no-store"


def test_the_audit_log_filters_by_verb_and_record(client):
    admin = UserFactory(role=Role.ADMIN)
    audit_record(
        actor=admin, verb="person.viewed", target_type="casework.person", target_id="wanted"
    )
    audit_record(
        actor=admin, verb="person.viewed", target_type="casework.person", target_id="other"
    )
    audit_record(actor=admin, verb="asset.changed", target_type="assets.asset", target_id="wanted")
    sign_in_client(client, admin)

    response = client.get(AUDIT_LOG, {"verb": "person.viewed", "target_id": "wanted"})

    page = list(response.context["page"])
    assert [(e.verb, e.target_id) for e in page] == [("person.viewed", "wanted")]
    assert AuditEvent.objects.get(verb="audit_log.read").payload["target_id"] == "wanted"


def test_the_audit_log_survives_odd_query_strings(client):
    sign_in_client(client, UserFactory(role=Role.ADMIN))
    for query in (
        {"page": "banana"},
        {"page": "99999"},
        {"verb": "v" * 500},
        {"target_id": "'; DROP TABLE core_auditevent; --"},
    ):
        assert client.get(AUDIT_LOG, query).status_code == 200


def test_the_audit_log_pages_by_fifty(client):
    admin = UserFactory(role=Role.ADMIN)
    AuditEvent.objects.bulk_create(
        [AuditEvent(at=f"2026-01-01T00:00:{n:02d}Z", verb="x.done") for n in range(55)]
    )
    sign_in_client(client, admin)
    first = client.get(AUDIT_LOG, {"verb": "x.done"})
    assert len(first.context["page"]) == 50 and 'rel="next"' in first.content.decode()
    second = client.get(AUDIT_LOG, {"verb": "x.done", "page": 2})
    assert len(second.context["page"]) == 5 and 'rel="prev"' in second.content.decode()


@pytest.mark.parametrize("role", [role for role in Role if role != Role.ADMIN])
def test_only_administrators_see_the_audit_log(client, role):
    sign_in_client(client, UserFactory(role=role))
    response = client.get(AUDIT_LOG)
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(verb="audit_log.read").exists()


def test_the_audit_log_selector_refuses_non_admins():
    from placebase.core.errors import PermissionDenied
    from placebase.core.selectors import audit_event_list

    with pytest.raises(PermissionDenied) as caught:
        audit_event_list(user=UserFactory(role=Role.MANAGER))
    assert caught.value.code == "placebase.permission_denied"
