"""The demo loader: fictional residents with plausible, imperfect journeys; idempotent."""

import statistics

import pytest

from placebase.casework.demo import casework_demo_load
from placebase.casework.models import Assessment, Connection, Person, ServiceUseEvent

pytestmark = pytest.mark.django_db


def test_demo_casework_is_generated_once_with_plausible_effects():
    # Fewer people than the real demo's 320, to keep the suite quick; the same generator.
    counts = casework_demo_load(seed=20261124, people=80)
    assert counts["casework people"] == 80
    assert counts["casework contacts"] > 80
    assert casework_demo_load(seed=20261124, people=80) == counts  # idempotent
    assert Person.objects.count() == 80

    # Wellbeing rises on average, but not for everyone.
    changes = []
    for person in Person.objects.all():
        scores = [
            a.answers["life_satisfaction"]
            for a in Assessment.objects.filter(person=person).order_by("recorded_on")
        ]
        if len(scores) > 1:
            changes.append(scores[-1] - scores[0])
    assert 0.3 < statistics.mean(changes) < 2.5
    assert any(c < 0 for c in changes) and any(c > 0 for c in changes)
    # Connections: some stick, some do not.
    statuses = set(Connection.objects.values_list("status", flat=True))
    assert {"sustained", "did_not_stick"} <= statuses
    assert ServiceUseEvent.objects.exists()
