"""The web journey pages: each renders, validates with GOV.UK error summaries, and saves."""

import pytest
from django.urls import reverse

from placebase.casework.models import Connection, Contact, Person

from .conftest import days_ago

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"casework:{name}", args=args)


def test_coordinator_home_lists_people_due_items_and_recent_contacts(
    client_for, coordinator, person
):
    Contact.objects.create(
        person=person,
        coordinator=coordinator,
        happened_on=days_ago(1),
        kind="phone",
        duration_minutes=10,
    )
    response = client_for(coordinator).get(url("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ada Lovelace" in body and "Recent contacts" in body
    assert response["Cache-Control"] == "no-store"


def test_every_page_of_a_record_renders_for_its_coordinator(client_for, coordinator, person):
    client = client_for(coordinator)
    connection = Connection.objects.create(
        person=person,
        organisation_id=person.organisation_id,
        target_kind="other",
        target_name="Choir",
        status_on=days_ago(1),
        suggested_on=days_ago(1),
    )
    goal = person.goals.create(description="Sing")
    for name, args in [
        ("person", [person.id]),
        ("person_edit", [person.id]),
        ("reassign", [person.id]),
        ("contact_new", [person.id]),
        ("plan_edit", [person.id]),
        ("goal_new", [person.id]),
        ("goal_update", [person.id, goal.id]),
        ("strength_new", [person.id]),
        ("network_new", [person.id]),
        ("connection_new", [person.id]),
        ("connection_update", [person.id, connection.id]),
        ("assessment_new", [person.id]),
        ("review_new", [person.id]),
        ("service_use_new", [person.id]),
        ("avoided_new", [person.id]),
        ("unmet_need_new", [person.id]),
        ("close", [person.id]),
        ("consent_new", [person.id]),
        ("export_html", [person.id]),
        ("people", []),
        ("introduce", []),
    ]:
        response = client.get(url(name, *args))
        assert response.status_code == 200, name
        assert 'style="' not in response.content.decode(), name  # the CSP forbids inline styles


def test_introducing_through_the_form(client_for, coordinator, patch):
    response = client_for(coordinator).post(
        url("introduce"),
        {
            "first_name": "Grace",
            "last_name": "Hopper",
            "postcode": "SM1 1EA",
            "source": "housing",
            "introduced_on": days_ago(2).isoformat(),
            "reason": "Struggling after a move",
        },
    )
    person = Person.objects.get(last_name="Hopper")
    assert response.status_code == 302 and response["Location"] == url("person", person.id)
    assert person.coordinator == coordinator


def test_the_introduction_form_shows_a_gov_uk_error_summary_and_saves_nothing(
    client_for, coordinator
):
    response = client_for(coordinator).post(
        url("introduce"),
        {
            "first_name": "",
            "last_name": "Hopper",
            "source": "",
            "postcode": "ZZ1 1ZZ",
            "introduced_on": days_ago(-3).isoformat(),
            "reason": "",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert "Enter their first name" in body
    assert "The date of introduction must be today or in the past" in body
    assert 'href="#id_source"' in body
    assert Person.objects.count() == 0


def test_the_introduction_form_lists_possible_duplicates(client_for, coordinator, person):
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": "1950-12-10",
        "source": "self",
        "introduced_on": days_ago(0).isoformat(),
        "reason": "Again",
    }
    client = client_for(coordinator)
    response = client.post(url("introduce"), data)
    assert response.status_code == 400
    assert person.reference in response.content.decode()
    assert Person.objects.count() == 1
    response = client.post(url("introduce"), {**data, "confirmed_not_duplicate": "on"})
    assert response.status_code == 302 and Person.objects.count() == 2


def test_recording_a_contact_with_bad_input(client_for, coordinator, person):
    response = client_for(coordinator).post(
        url("contact_new", person.id),
        {
            "happened_on": days_ago(-1).isoformat(),
            "kind": "phone",
            "duration_minutes": "-10",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "must be today or in the past" in body
    assert "Duration in minutes must be between 0 and 1440" in body
    assert not Contact.objects.exists()


def test_wellbeing_scores_outside_0_to_10_are_rejected_on_the_form(client_for, coordinator, person):
    response = client_for(coordinator).post(
        url("assessment_new", person.id),
        {
            "recorded_on": days_ago(0).isoformat(),
            "occasion": "introduction",
            "life_satisfaction": "11",
            "worthwhile": "-1",
            "happiness": "five",
            "anxiety": "3",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert body.count("The score must be between 0 and 10") == 4  # summary and field
    assert "The score must be a whole number" in body
    assert not person.assessments.exists()


def test_unknown_service_type_is_rejected(client_for, coordinator, person):
    response = client_for(coordinator).post(
        url("service_use_new", person.id),
        {
            "service_type": "teleport",
            "occurred_on": days_ago(3).isoformat(),
            "quantity": "1",
            "source": "records",
        },
    )
    assert response.status_code == 400
    assert "Select a service type from the list" in response.content.decode()


def test_two_people_editing_the_same_record_cannot_overwrite_each_other(
    client_for, coordinator, manager, person
):
    base = {"first_name": "Ada", "last_name": "Lovelace", "postcode": "SM1 1EA", "version": "1"}
    first = client_for(manager).post(url("person_edit", person.id), {**base, "phone": "0208 111"})
    assert first.status_code == 302
    second = client_for(coordinator).post(
        url("person_edit", person.id), {**base, "phone": "0208 222"}
    )
    body = second.content.decode()
    assert second.status_code == 409
    assert "Someone else changed this" in body
    assert "0208 111" in body and "0208 222" in body  # both versions are shown
    assert 'name="version" value="2"' in body
    person.refresh_from_db()
    assert person.phone == "0208 111"
    # Saving again, having seen theirs, replaces it on purpose.
    again = client_for(coordinator).post(
        url("person_edit", person.id), {**base, "version": "2", "phone": "0208 222"}
    )
    assert again.status_code == 302
    person.refresh_from_db()
    assert person.phone == "0208 222"


def test_the_ecomap_is_an_accessible_picture_with_a_table_beside_it(
    client_for, coordinator, person
):
    person.network.create(name="Jo", kind="family", relationship="Daughter", strength=5)
    person.network.create(name="Landlord", kind="other", relationship="Stressful", strength=1)
    body = client_for(coordinator).get(url("person", person.id)).content.decode()
    assert '<svg role="img" aria-labelledby="ecomap-title ecomap-desc"' in body
    assert 'stroke-dasharray="8 6"' in body  # the stressful relationship
    assert '<td class="govuk-table__cell">Landlord</td>' in body


def test_connection_follow_up_page_moves_the_connection_on(client_for, coordinator, person):
    connection = Connection.objects.create(
        person=person,
        organisation_id=person.organisation_id,
        target_kind="other",
        target_name="Choir",
        status_on=days_ago(5),
        suggested_on=days_ago(5),
    )
    response = client_for(coordinator).post(
        url("connection_update", person.id, connection.id),
        {
            "version": "1",
            "status": "attended",
            "on": days_ago(1).isoformat(),
            "follow_up_on": days_ago(-14).isoformat(),
        },
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.status == "attended" and connection.follow_up_on == days_ago(-14)


def test_the_home_page_and_a_record_cost_the_same_queries_however_big_the_caseload(
    client_for, coordinator, patch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import introduce

    client = client_for(coordinator)

    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    person = introduce(coordinator).person
    Connection.objects.create(
        person=person,
        organisation_id=person.organisation_id,
        target_kind="other",
        target_name="Choir",
        status_on=days_ago(1),
        suggested_on=days_ago(1),
    )
    first_home, first_record = queries(url("home")), queries(url("person", person.id))
    for n in range(12):
        other = introduce(
            coordinator, first_name=f"P{n}", last_name=f"L{n}", date_of_birth=None, postcode=""
        ).person
        Contact.objects.create(
            person=other,
            coordinator=coordinator,
            happened_on=days_ago(1),
            kind="phone",
            duration_minutes=5,
        )
        Connection.objects.create(
            person=other,
            organisation_id=other.organisation_id,
            target_kind="other",
            target_name="Club",
            status_on=days_ago(1),
            suggested_on=days_ago(1),
            follow_up_on=days_ago(0),
        )
        Connection.objects.create(
            person=person,
            organisation_id=person.organisation_id,
            target_kind="other",
            target_name=f"Club {n}",
            status_on=days_ago(1),
            suggested_on=days_ago(1),
        )
        person.contacts.create(
            coordinator=coordinator, happened_on=days_ago(2), kind="phone", duration_minutes=5
        )
    assert queries(url("home")) == first_home
    assert queries(url("person", person.id)) == first_record
