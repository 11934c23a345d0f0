"""The Local Area Coordination journey through the services."""

import pytest

from placebase.casework import selectors, services
from placebase.casework.models import (
    Assessment,
    ConnectionStatus,
    IntroductionStatus,
    Person,
    PersonStatus,
)
from placebase.core.errors import Conflict
from placebase.places.models import AreaMembership

from .conftest import days_ago, introduce

pytestmark = pytest.mark.django_db


def test_introduction_is_assigned_to_the_coordinator_whose_patch_holds_the_address(
    coordinator, manager, patch
):
    introduction = introduce(manager)
    person = introduction.person
    assert introduction.coordinator == coordinator
    assert introduction.auto_assigned is True
    assert person.patch_area_id == patch.id and person.patch_code == patch.code
    assert person.reference.startswith("LAC-")
    # The places engine put the person in the patch's membership table.
    assert AreaMembership.objects.filter(
        record_type="casework.person", record_id=person.id, area=patch
    ).exists()


def test_the_automatic_assignment_can_be_overridden(coordinator, other_coordinator, manager, patch):
    introduction = introduce(manager, coordinator_id=other_coordinator.id)
    assert introduction.coordinator == other_coordinator
    assert introduction.auto_assigned is False
    services.person_coordinator_assign(
        user=manager, person_id=introduction.person_id, coordinator_id=coordinator.id
    )
    introduction.refresh_from_db()
    assert introduction.coordinator == coordinator


def test_outside_every_patch_the_coordinator_who_records_it_holds_it(other_coordinator):
    introduction = introduce(other_coordinator, postcode="")
    assert introduction.coordinator == other_coordinator
    assert introduction.auto_assigned is False


def test_possible_duplicates_stop_creation_until_confirmed(coordinator, patch):
    first = introduce(coordinator)
    with pytest.raises(services.PossibleDuplicate) as caught:
        introduce(coordinator, first_name="Augusta", postcode="SM1 1EA")
    assert (str(first.person_id), first.person.reference) in caught.value.details["duplicates"]
    assert Person.objects.count() == 1
    again = introduce(coordinator, first_name="Augusta", confirmed_not_duplicate=True)
    assert again.person_id != first.person_id


def test_a_whole_journey(coordinator, person):
    pid = person.id
    contact = services.contact_record(
        user=coordinator,
        person_id=pid,
        happened_on=days_ago(25),
        kind="conversation",
        duration_minutes=60,
        notes="Met at the library café.",
    )
    introduction = selectors.person_open_introduction(person=person)
    assert introduction.first_conversation_on == contact.happened_on

    plan = services.plan_update(
        user=coordinator,
        person_id=pid,
        version=introduction.version,
        vision="To feel part of Sutton again",
        can_do_myself="Walk to the high street",
        family_community_can_do="Daughter visits on Sundays",
        services_role="None for now",
    )
    assert plan.version == introduction.version + 1

    goal = services.goal_add(user=coordinator, person_id=pid, description="Join a choir")
    services.goal_update(
        user=coordinator,
        person_id=pid,
        goal_id=goal.id,
        version=1,
        status="in_progress",
        progress=4,
    )
    services.strength_add(
        user=coordinator,
        person_id=pid,
        kind="hand",
        description="Knits beautifully",
        offer_to_community=True,
    )
    services.network_member_add(
        user=coordinator,
        person_id=pid,
        name="Jo",
        kind="family",
        relationship="Daughter",
        strength=5,
    )

    services.assessment_record(
        user=coordinator,
        person_id=pid,
        recorded_on=days_ago(25),
        occasion="introduction",
        answers={"life_satisfaction": 3, "worthwhile": 4, "happiness": 3, "anxiety": 8},
    )
    connection = services.connection_suggest(
        user=coordinator,
        person_id=pid,
        target_kind="other",
        target_name="Sutton Community Choir",
        suggested_on=days_ago(20),
        follow_up_on=days_ago(10),
    )
    for version, status in [(1, "introduced"), (2, "attended"), (3, "sustained")]:
        connection = services.connection_update(
            user=coordinator,
            person_id=pid,
            connection_id=connection.id,
            version=version,
            status=status,
            on=days_ago(10),
        )
    assert connection.status == ConnectionStatus.SUSTAINED
    assert connection.follow_up_on is None
    assert [e.to_status for e in connection.events.all()] == [
        "suggested",
        "introduced",
        "attended",
        "sustained",
    ]

    review = services.review_record(
        user=coordinator,
        person_id=pid,
        reviewed_on=days_ago(1),
        summary="Going well",
        next_review_on=days_ago(-60),
        answers={"life_satisfaction": 6, "worthwhile": 6, "happiness": 7, "anxiety": 5},
    )
    assert review.introduction.next_review_on == days_ago(-60)
    assert Assessment.objects.filter(person=person, occasion="review").count() == 1
    change = {
        row["code"]: row["change"]
        for row in selectors.wellbeing_change(
            assessments=list(person.assessments.select_related("instrument_version__instrument"))
        )
    }
    assert change == {"life_satisfaction": 3, "worthwhile": 2, "happiness": 4, "anxiety": -3}

    services.service_use_record(
        user=coordinator,
        person_id=pid,
        service_type="ae_attendance",
        occurred_on=days_ago(200),
        source="self_reported",
        quantity=3,
    )
    services.service_use_record(
        user=coordinator,
        person_id=pid,
        service_type="ae_attendance",
        occurred_on=days_ago(5),
        source="records",
    )
    summary = selectors.service_use_before_after(
        person=person, introduced_on=introduction.introduced_on
    )
    assert summary[0]["before"] == 3 and summary[0]["after"] == 1

    services.avoided_demand_record(
        user=coordinator,
        person_id=pid,
        service_type="home_care_week",
        recorded_on=days_ago(2),
        what="Home care package",
        why="Neighbours help with shopping",
        evidence="Social worker agreed",
        confidence=4,
    )
    need = services.unmet_need_record(
        user=coordinator, person_id=pid, description="No daytime choir for older people nearby"
    )
    assert need.area_code == person.patch_code

    services.introduction_close(
        user=coordinator, person_id=pid, reason="goals_met", closed_on=days_ago(0)
    )
    person.refresh_from_db()
    assert person.status == PersonStatus.CLOSED and person.closed_at is not None
    again = services.person_reintroduce(
        user=coordinator,
        person_id=pid,
        source="self",
        introduced_on=days_ago(0),
        reason="Wants to volunteer",
    )
    assert again.is_reintroduction and again.status == IntroductionStatus.OPEN
    person.refresh_from_db()
    assert person.status == PersonStatus.ACTIVE


def test_a_connection_cannot_go_backwards_and_needs_a_reason_when_it_did_not_stick(
    coordinator, person
):
    connection = services.connection_suggest(
        user=coordinator, person_id=person.id, target_kind="volunteering", target_name="Foodbank"
    )
    connection = services.connection_update(
        user=coordinator,
        person_id=person.id,
        connection_id=connection.id,
        version=1,
        status="attended",
    )
    with pytest.raises(services.TransitionInvalid):
        services.connection_update(
            user=coordinator,
            person_id=person.id,
            connection_id=connection.id,
            version=2,
            status="introduced",
        )
    with pytest.raises(services.CaseworkInvalid) as caught:
        services.connection_update(
            user=coordinator,
            person_id=person.id,
            connection_id=connection.id,
            version=2,
            status="did_not_stick",
        )
    assert "reason" in caught.value.details["errors"]
    connection.refresh_from_db()
    assert connection.status == "attended" and connection.version == 2


def test_reintroduction_is_refused_while_a_journey_is_open(coordinator, person):
    with pytest.raises(services.IntroductionState):
        services.person_reintroduce(
            user=coordinator,
            person_id=person.id,
            source="self",
            introduced_on=days_ago(0),
            reason="Again",
        )


def test_editing_with_an_old_version_conflicts_and_writes_nothing(coordinator, person):
    services.person_update(user=coordinator, person_id=person.id, version=1, phone="020 1")
    with pytest.raises(Conflict) as caught:
        services.person_update(user=coordinator, person_id=person.id, version=1, phone="020 2")
    assert caught.value.code == "casework.conflict"
    person.refresh_from_db()
    assert person.phone == "020 1" and person.version == 2


def test_changing_the_postcode_relocates_the_person(coordinator, person, monkeypatch):
    monkeypatch.setattr(services, "_places_postcode_point", lambda pc: (pc, 51.40, -0.10))
    services.person_update(user=coordinator, person_id=person.id, version=1, postcode="SM6 0AA")
    person.refresh_from_db()
    assert person.patch_area_id is None and person.patch_code == ""
    assert person.latitude == 51.40
