"""The authenticated API: the same scope, validation and audit as the web pages."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from placebase.accounts.roles import Role
from placebase.casework import services
from placebase.casework.models import Contact, Person
from placebase.core.models import AuditEvent
from placebase.factories import UserFactory

from .conftest import days_ago, introduce

pytestmark = pytest.mark.django_db


def bearer(user):
    _, key = services.api_token_issue(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_openapi_document_is_published(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/people" in paths
    for section in ["contacts", "connections", "outcomes", "service-use", "introductions"]:
        assert f"/api/v1/people/{{person_id}}/{section}" in paths


def test_without_credentials_the_api_refuses(client, person):
    assert client.get("/api/v1/people").status_code == 401
    assert client.get(f"/api/v1/people/{person.id}").status_code == 401


def test_a_revoked_or_made_up_token_is_refused(client, coordinator, person):
    headers = bearer(coordinator)
    coordinator.api_tokens.update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get("/api/v1/people", **headers).status_code == 401
    assert client.get("/api/v1/people", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401


def test_a_coordinator_reads_and_writes_through_the_api(client, coordinator, person):
    headers = bearer(coordinator)
    listing = client.get("/api/v1/people", **headers).json()
    assert listing["count"] == 1 and listing["items"][0]["reference"] == person.reference
    detail = client.get(f"/api/v1/people/{person.id}", **headers).json()
    assert detail["first_name"] == "Ada" and detail["shared"] is False
    assert AuditEvent.objects.filter(
        verb="casework.person.read", target_id=str(person.id), actor=coordinator
    ).exists()

    created = client.post(
        f"/api/v1/people/{person.id}/contacts",
        data=json.dumps(
            {
                "happened_on": str(days_ago(1)),
                "kind": "phone",
                "duration_minutes": 20,
                "notes": "Checked in",
            }
        ),
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201, created.content
    assert Contact.objects.filter(person=person).count() == 1

    connection = client.post(
        f"/api/v1/people/{person.id}/connections",
        data=json.dumps({"target_kind": "other", "target_name": "Walking group"}),
        content_type="application/json",
        **headers,
    ).json()
    moved = client.patch(
        f"/api/v1/people/{person.id}/connections/{connection['id']}",
        data=json.dumps({"version": 1, "status": "attended"}),
        content_type="application/json",
        **headers,
    )
    assert moved.status_code == 200 and moved.json()["status"] == "attended"
    stale = client.patch(
        f"/api/v1/people/{person.id}/connections/{connection['id']}",
        data=json.dumps({"version": 1, "status": "sustained"}),
        content_type="application/json",
        **headers,
    )
    assert stale.status_code == 409 and stale.json()["code"] == "casework.conflict"

    outcome = client.post(
        f"/api/v1/people/{person.id}/outcomes",
        data=json.dumps(
            {
                "recorded_on": str(days_ago(1)),
                "answers": {"life_satisfaction": 5, "worthwhile": 6, "happiness": 5, "anxiety": 4},
            }
        ),
        content_type="application/json",
        **headers,
    )
    assert outcome.status_code == 201
    use = client.post(
        f"/api/v1/people/{person.id}/service-use",
        data=json.dumps(
            {
                "service_type": "gp_appointment",
                "occurred_on": str(days_ago(3)),
                "source": "self_reported",
            }
        ),
        content_type="application/json",
        **headers,
    )
    assert use.status_code == 201
    assert len(client.get(f"/api/v1/people/{person.id}/service-use", **headers).json()) == 1


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "outcomes",
            {
                "recorded_on": "2020-01-01",
                "answers": {"life_satisfaction": 11, "worthwhile": 5, "happiness": 5, "anxiety": 5},
            },
            "life_satisfaction",
        ),
        (
            "service-use",
            {"service_type": "spaceship", "occurred_on": "2020-01-01", "source": "records"},
            "service_type",
        ),
        (
            "contacts",
            {"happened_on": "2999-01-01", "kind": "phone", "duration_minutes": 5},
            "happened_on",
        ),
        (
            "contacts",
            {"happened_on": "2020-01-01", "kind": "phone", "duration_minutes": -5},
            "duration_minutes",
        ),
    ],
)
def test_bad_input_through_the_api_is_a_clear_400(client, coordinator, person, path, body, field):
    response = client.post(
        f"/api/v1/people/{person.id}/{path}",
        data=json.dumps(body),
        content_type="application/json",
        **bearer(coordinator),
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_creating_a_person_through_the_api_reports_duplicates(client, coordinator, person):
    body = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": "1950-12-10",
        "source": "self",
        "introduced_on": str(days_ago(0)),
        "reason": "Asked for help",
    }
    response = client.post(
        "/api/v1/people",
        data=json.dumps(body),
        content_type="application/json",
        **bearer(coordinator),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "casework.possible_duplicate"
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    "role",
    [Role.COUNCILLOR, Role.PARTNER_VIEWER, Role.ANALYST, Role.VOLUNTEER, Role.PROVIDER_EDITOR],
)
def test_roles_without_personal_data_get_403_from_the_api(client, org, person, role):
    user = UserFactory(role=role, organisation=org)
    headers = bearer(user)
    assert client.get("/api/v1/people", **headers).status_code == 403
    assert client.get(f"/api/v1/people/{person.id}", **headers).status_code == 403
    assert client.get(f"/api/v1/people/{person.id}/export", **headers).status_code == 403


def test_people_outside_scope_are_404_not_403(client, other_coordinator, person):
    response = client.get(f"/api/v1/people/{person.id}", **bearer(other_coordinator))
    assert response.status_code == 404


def test_a_session_also_works_and_writes_need_csrf(client_for, coordinator, person):
    from django.test import Client

    signed = client_for(coordinator)
    assert signed.get(f"/api/v1/people/{person.id}").status_code == 200
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = signed.cookies
    response = strict.post(
        f"/api/v1/people/{person.id}/contacts", data="{}", content_type="application/json"
    )
    assert response.status_code == 403


# ------------------------------------------------------------------------ fuzzing


def _load_schema():
    from config.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


schema = _load_schema()


@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzzing_the_api_never_gives_a_server_error(case, fuzz_headers):
    response = case.call(headers=fuzz_headers)
    assert response.status_code < 500, response.text[:500]


@pytest.fixture
def _wsgi_keeps_the_test_connection():
    """Calling the WSGI app directly would close the database connection after each request
    (and with it the test's transaction); Django's own test client avoids that the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_headers(coordinator, patch, _wsgi_keeps_the_test_connection):
    introduce(coordinator)
    _, key = services.api_token_issue(user=coordinator, name="fuzz")
    return {"Authorization": f"Bearer {key}"}
