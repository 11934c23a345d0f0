"""The manager's dashboard: caseloads, introductions by source and area, time to first
conversation and connections that stuck, for any area at any level."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from placebase.casework import selectors, services
from placebase.casework.models import Assessment
from placebase.core.errors import NotFound

from .conftest import days_ago, introduce

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseload(coordinator, other_coordinator, patch):
    ada = introduce(coordinator).person
    bob = introduce(
        other_coordinator,
        first_name="Bob",
        last_name="Builder",
        postcode="",
        source="self",
        date_of_birth=None,
    ).person
    services.contact_record(
        user=coordinator,
        person_id=ada.id,
        happened_on=days_ago(26),
        kind="conversation",
        duration_minutes=30,
    )
    services.contact_record(
        user=other_coordinator,
        person_id=bob.id,
        happened_on=days_ago(20),
        kind="phone",
        duration_minutes=30,
    )
    for person, user, final in [
        (ada, coordinator, "sustained"),
        (bob, other_coordinator, "did_not_stick"),
    ]:
        connection = services.connection_suggest(
            user=user, person_id=person.id, target_kind="other", target_name="Club"
        )
        services.connection_update(
            user=user,
            person_id=person.id,
            connection_id=connection.id,
            version=1,
            status=final,
            reason="Too far",
        )
    return ada, bob


def test_dashboard_figures_for_the_whole_organisation(manager, coordinator, caseload):
    data = selectors.manager_dashboard(user=manager)
    assert dict(data.caseload_by_coordinator) == {"cora": 1, "otto": 1}
    assert dict(data.introductions_by_source) == {"gp": 1, "self": 1}
    assert data.days_to_first_conversation_median == 7  # 4 and 10 days
    assert dict(data.connections_by_status)["sustained"] == 1
    assert data.connections_stuck_percent == 50.0


def test_dashboard_for_one_patch_counts_only_people_living_there(manager, patch, caseload):
    data = selectors.manager_dashboard(user=manager, level="patch", area_code=patch.code)
    assert data.area_name == "Sutton Central"
    assert data.people_in_scope == 1
    assert dict(data.caseload_by_coordinator) == {"cora": 1}
    assert data.connections_stuck_percent == 100.0
    assert [(code, n) for code, _, n in data.introductions_by_area] == [(patch.code, 1)]


def test_an_unknown_area_is_reported_not_guessed(client_for, manager, caseload):
    with pytest.raises(NotFound):
        selectors.manager_dashboard(user=manager, level="ward", area_code="E05999999")
    response = client_for(manager).get(
        reverse("casework:dashboard"), {"level": "ward", "area_code": "E05999999"}
    )
    assert response.status_code == 200
    assert "There is no area with that code at that level" in response.content.decode()


def test_dashboard_page_renders_tables(client_for, manager, patch, caseload):
    response = client_for(manager).get(
        reverse("casework:dashboard"), {"level": "patch", "area_code": patch.code}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Open caseload by coordinator" in body and "Connections that stuck" in body


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(["life_satisfaction", "worthwhile", "happiness", "anxiety"]),
        st.one_of(st.integers(-50, 50), st.text(max_size=3)),
        min_size=4,
    )
)
def test_wellbeing_scores_are_kept_only_when_whole_numbers_from_0_to_10(
    coordinator, person, answers
):
    before = Assessment.objects.count()

    def ok(value):
        if isinstance(value, int):
            return 0 <= value <= 10
        return value.strip() in {str(i) for i in range(11)}

    valid = all(ok(v) for v in answers.values())
    try:
        services.assessment_record(
            user=coordinator, person_id=person.id, answers=answers, recorded_on=days_ago(1)
        )
    except services.CaseworkInvalid as error:
        assert not valid
        assert error.details["errors"]
        assert Assessment.objects.count() == before
    else:
        assert valid
        assert Assessment.objects.count() == before + 1


@pytest.mark.parametrize(
    ("values", "median"),
    [([], None), ([5], 5), ([1, 2], 1.5), ([3, 1, 2], 2), ([1, 1, 1, 9], 1), ([1, 2, 9, 9], 5.5)],
)
def test_the_median_from_a_histogram_matches_the_plain_median(values, median):
    from collections import Counter

    histogram = sorted(Counter(values).items())
    assert selectors._histogram_median(histogram) == median
