"""Who pays, who benefits, with costs avoided straight from an evidence report on the place."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from placebase.accounts.roles import Role
from placebase.core.money import Money
from placebase.evidence import services as evidence
from placebase.evidence.models import EvidenceReport
from placebase.evidence.tests.worlds import AS_OF, PERIOD, events, make_world, person
from placebase.factories import UserFactory
from placebase.places.models import AreaMembership
from placebase.wholeplace import services
from placebase.wholeplace.models import EntryKind

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture
def report_on_district(geography):
    made = make_world()
    for _ in range(3):
        p = person(made)
        events(p, made["ae"], -200, -100, -50, -20, 30)
        AreaMembership.objects.create(
            area=geography.district,
            boundary_set=geography.district.boundary_set,
            record_type="casework.person",
            record_id=p.pk,
        )
    created = evidence.evidence_report_create(
        actor=None,
        kind="evaluative",
        programme=made["programme"],
        area=geography.district,
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        price_year=2024,
        as_of=AS_OF,
    )
    return EvidenceReport.objects.get(pk=created.pk)


def test_costs_avoided_come_from_the_evidence_report(
    client, geography, world, fund, report_on_district
):
    services.ledger_entry_record(
        fund=fund,
        kind=EntryKind.CONTRIBUTION,
        agency=world.nhs,
        amount=Decimal(10_000),
        occurred_on=date(2025, 5, 1),
    )
    client.force_login(UserFactory(role=Role.MANAGER))
    response = client.get(
        reverse("wholeplace:who_pays"),
        {"area": geography.district.pk, "period_start": "2025-04-01", "period_end": "2026-03-31"},
    )
    assert response.status_code == 200
    rows = {r.cost_bearer: r for r in response.context["report"].rows}
    (nhs_line,) = [
        line
        for line in report_on_district.results["fiscal"]["by_agency"]
        if line["agency"] == "nhs"
    ]
    index = {
        int(k): Decimal(v) for k, v in report_on_district.parameters["deflator"]["values"].items()
    }
    expected = Money(Decimal(str(nhs_line["present_value"])), 2024).uprated(
        to_year=2025, index=index
    )
    assert rows["nhs"].costs_avoided == expected
    assert rows["nhs"].contributed.amount == Decimal(10_000)
    page = response.content.decode()
    assert report_on_district.title in page
    assert reverse("evidence:report", args=[report_on_district.pk]) in page


def test_no_report_for_the_period_falls_back_and_offers_one(client, geography, world, fund):
    client.force_login(UserFactory(role=Role.ANALYST))
    response = client.get(
        reverse("wholeplace:who_pays"),
        {"area": geography.district.pk, "period_start": "2025-04-01", "period_end": "2026-03-31"},
    )
    assert response.status_code == 200
    assert "Make an evidence report for this place and period" in response.content.decode()
