"""The demo's evidence: a programme with costs, a forecast, and a forecast and an evaluative
report whose figures trace back to the demo's case-work records."""

import pytest
from django.utils import timezone

from placebase.casework.demo import casework_demo_load
from placebase.casework.models import Introduction, ServiceUseEvent
from placebase.evidence.demo import PROGRAMME, demo_evidence_load, demo_period
from placebase.evidence.models import EvidenceReport, ReportStatus

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_reports_trace_back_to_the_records():
    casework_demo_load(seed=20261124, people=120)
    counts = demo_evidence_load(seed=1)
    assert counts["evidence reports"] == 2
    assert demo_evidence_load(seed=1) == counts  # idempotent
    reports = {r.kind: r for r in EvidenceReport.objects.filter(programme__name=PROGRAMME)}
    assert {r.status for r in reports.values()} == {ReportStatus.READY}

    # Trace the evaluative report's counts back to the records by hand.
    actual = reports["evaluative"]
    start, end = demo_period(timezone.localdate())
    assert (actual.period_start, actual.period_end) == (start, end)
    intros = {
        i.person_id: i
        for i in Introduction.objects.filter(
            introduced_on__gte=start,
            introduced_on__lte=end,
            organisation=actual.programme.organisation,
        )
    }
    supported = {p for p, i in intros.items() if i.first_conversation_on is not None}
    assert actual.results["people_supported"] == len(supported)
    assert actual.results["comparison_people"] == len(intros) - len(supported)
    in_window = 0
    for event in ServiceUseEvent.objects.filter(person_id__in=intros):
        days = (event.occurred_on - intros[event.person_id].introduced_on).days
        if -365 <= days < 365 and event.occurred_on <= actual.as_of:
            in_window += event.quantity
    assert actual.results["method"]["counts"]["service_use_events"] == in_window
    assert actual.results["sroi"]["ratio"] > 0

    forecast = reports["forecast"]
    assert forecast.results["people_supported"] == 150
    assert forecast.results["monthly"] == []
