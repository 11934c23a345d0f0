"""Community projects, connectors, visioning, grants, unmet needs and the gaps selector."""

import datetime as dt
from decimal import Decimal

import pytest

from placebase.assets import models as m
from placebase.assets import selectors, services, tasks

pytestmark = pytest.mark.django_db


def test_project_lifecycle_moves_one_step_or_ends(staff, make_asset):
    connector = services.connector_create(
        actor=staff, display_name="Amira", area_code="E05000555", area_name="Wallington North"
    )
    vision = services.visioning_exercise_record(
        actor=staff,
        title="What could Roundshaw do?",
        held_on=dt.date(2026, 3, 1),
        facilitator=connector,
        participants=23,
    )
    hall = make_asset(name="Roundshaw hall", kind="room")
    project = services.project_create(
        actor=staff,
        name="Repair café",
        connector=connector,
        visioning_exercise=vision,
        asset_ids=[hall.id],
    )
    assert project.stage == m.ProjectStage.IDEA and list(project.assets_used.all()) == [hall]
    with pytest.raises(services.ProjectStageInvalid):
        services.project_stage_advance(
            actor=staff, project_id=project.id, to_stage=m.ProjectStage.SELF_SUSTAINING
        )
    for stage in (
        m.ProjectStage.FIRST_GATHERING,
        m.ProjectStage.MEETING_REGULARLY,
        m.ProjectStage.SELF_SUSTAINING,
        m.ProjectStage.ENDED,
    ):
        project = services.project_stage_advance(
            actor=staff, project_id=project.id, to_stage=stage, on=dt.date(2026, 4, 1)
        )
    assert project.started_on == dt.date(2026, 4, 1) and project.ended_on == dt.date(2026, 4, 1)
    assert [c.to_stage for c in project.stage_changes.all()] == [
        "idea",
        "first_gathering",
        "meeting_regularly",
        "self_sustaining",
        "ended",
    ]
    with pytest.raises(services.ProjectStageInvalid):
        services.project_stage_advance(
            actor=staff, project_id=project.id, to_stage=m.ProjectStage.IDEA
        )


def test_grants_are_money_with_a_price_year(staff):
    project = services.project_create(actor=staff, name="Fridge")
    grant = services.project_grant_record(
        actor=staff,
        project_id=project.id,
        funder="Sutton Community Fund",
        amount="250",
        price_year=2026,
        awarded_on=dt.date(2026, 2, 1),
    )
    assert grant.amount == Decimal("250.00") and grant.price_year == 2026
    for bad in ("-5", "lots"):
        with pytest.raises(services.ValidationFailed):
            services.project_grant_record(
                actor=staff,
                project_id=project.id,
                funder="X",
                amount=bad,
                price_year=2026,
                awarded_on=dt.date(2026, 2, 1),
            )
    assert project.grants.count() == 1


def test_gaps_show_needs_no_local_asset_meets(staff, make_asset, categories):
    need = services.unmet_need_record(
        actor=staff, area_code="E05000555", term_id=categories.mental_health.id, note="Young men"
    )
    services.unmet_need_record(actor=staff, area_code="E05000564", term_id=categories.food.id)
    # A food bank in the south ward meets the second need; nothing meets the first.
    make_asset(name="Food bank", postcode="SM1 1EA", term_ids=[str(categories.food.id)])
    # A health listing elsewhere does not meet a need in the north ward.
    make_asset(name="Talking therapies", postcode="SM1 1EA", term_ids=[str(categories.health.id)])
    spare = make_asset(name="Hall", postcode="SM6 7LY", usage="spare")
    busy = make_asset(name="Busy club", postcode="SM6 7LY", usage="over_used")
    view = selectors.gaps_view()
    assert [g.need for g in view.unmet] == [need]
    assert [g.need.area_code for g in view.needs_met_locally] == ["E05000564"]
    assert view.spare == [spare] and view.over_used == [busy]
    assert {p["usage"] for p in view.points} == {"spare", "over_used"}
    # A borough-wide mental health service meets the north ward's need.
    make_asset(
        name="Borough line",
        service_area_codes=["E05000555"],
        term_ids=[str(categories.mental_health.id)],
    )
    assert selectors.gaps_view(area_code="E05000555").unmet == []
    services.unmet_need_close(actor=staff, need_id=need.id)
    assert selectors.unmet_need_counts_by_area() == [
        {"area_code": "E05000564", "area_name": "", "needs": 1}
    ]


def test_unmet_need_needs_a_real_area_and_theme(staff):
    with pytest.raises(services.ListingInvalid) as error:
        services.unmet_need_record(actor=staff, area_code="Wallington", term_id="nope")
    assert set(error.value.details["errors"]) == {"area_code", "term_id"}
    assert not m.UnmetNeed.objects.exists()


def test_reminder_task_runs_through_the_tasks_api(make_asset):
    result = tasks.remind_stale_listings.enqueue()
    assert result.return_value == {"stale": 0, "reminded": 0, "without_owner": 0}
