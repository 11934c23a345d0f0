"""The report pages: programmes, costs, forecasts, reports, downloads, re-runs, forecast against
actual, and who may do what."""

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from placebase.accounts.roles import Role
from placebase.evidence import services
from placebase.evidence.models import EvidenceReport, Forecast, ProgrammeCost, ReportStatus
from placebase.evidence.tests.worlds import (
    AS_OF,
    PERIOD,
    events,
    life_satisfaction,
    make_world,
    person,
)
from placebase.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture
def world(db):
    made = make_world()
    a, b = person(made), person(made)
    events(a, made["ae"], -300, -200, -100, -10, 50)
    events(b, made["ae"], -40, -20, 100)
    life_satisfaction(a, 4, 6)
    life_satisfaction(b, 5, 6)
    return made


def signed_in(client, role):
    client.force_login(UserFactory(role=role))
    return client


def report_post(world, **overrides):
    data = {
        "programme": str(world["programme"].pk),
        "area": "",
        "period_start": PERIOD[0].isoformat(),
        "period_end": PERIOD[1].isoformat(),
        "price_year": "2024",
        "attribution": "0.25",
        "attribution_low": "0.1",
        "attribution_high": "0.4",
        "deadweight": "0.25",
        "deadweight_low": "0.1",
        "deadweight_high": "0.4",
        "duration_years": "1",
    }
    data.update(overrides)
    return data


@pytest.fixture
def made_report(world):
    report = services.evidence_report_create(
        actor=None,
        kind="evaluative",
        programme=world["programme"],
        area=None,
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        price_year=2024,
        as_of=AS_OF,
    )
    return EvidenceReport.objects.get(pk=report.pk)


def test_manager_makes_a_report_from_the_form(client, world):
    client = signed_in(client, Role.MANAGER)
    response = client.post(reverse("evidence:reports"), report_post(world))
    report = EvidenceReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence:report", args=[report.pk])
    assert report.status == ReportStatus.READY
    assert report.assumptions["attribution"] == "0.25"
    page = client.get(response["Location"]).content.decode()
    assert "Who benefits" in page and "Method statement" in page
    assert "<svg" in page and "Data for the chart" in page
    assert "t-ae v1" in page  # the unit-cost version used is named


def test_report_form_bad_input_shows_errors_and_makes_nothing(client, world):
    client = signed_in(client, Role.ANALYST)
    response = client.post(
        reverse("evidence:reports"),
        report_post(
            world,
            period_start="2025-13-01",
            period_end="",
            attribution="0.5",
            attribution_high="0.4",
        ),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "must be a real date" in page
    assert "Enter the end of the period" in page
    assert EvidenceReport.objects.count() == 0


def test_report_page_of_a_failed_report_says_why(client, world):
    world["programme"].costs.all().delete()
    client = signed_in(client, Role.ANALYST)
    response = client.post(reverse("evidence:reports"), report_post(world))
    page = client.get(response["Location"]).content.decode()
    assert "could not be made" in page and "no costs in this period" in page


def test_downloads(client, made_report):
    client = signed_in(client, Role.ANALYST)
    url = reverse("evidence:report_download", args=[made_report.pk, "csv"])
    text = client.get(url).content.decode()
    assert "Who benefits" in text and "Impact map" in text
    document = json.loads(
        client.get(reverse("evidence:report_download", args=[made_report.pk, "json"])).content
    )
    assert document["data_hash"] == made_report.data_hash
    assert document["results"]["people_supported"] == 2
    xlsx = client.get(reverse("evidence:report_download", args=[made_report.pk, "xlsx"]))
    book = load_workbook(io.BytesIO(xlsx.content))
    assert {"Headline", "Who benefits", "Impact map", "Method"} <= set(book.sheetnames)
    bad = client.get(reverse("evidence:report_download", args=[made_report.pk, "pdf"]))
    assert bad.status_code == 404


def test_rerun_reports_identical_then_changed(client, world, made_report):
    client = signed_in(client, Role.ANALYST)
    url = reverse("evidence:report_verify", args=[made_report.pk])
    page = client.post(url, follow=True).content.decode()
    assert "the figures are identical" in page
    events(person(world), world["ae"], -30, 30)
    page = client.post(url, follow=True).content.decode()
    assert "records have changed" in page
    EvidenceReport.objects.filter(pk=made_report.pk).update(method_version=1)
    page = client.post(url, follow=True).content.decode()
    assert "made with method version 1" in page


def test_programme_cost_and_forecast_journey(client, world):
    client = signed_in(client, Role.ANALYST)
    programme = world["programme"]
    url = reverse("evidence:programme", args=[programme.pk])
    bad = client.post(
        url,
        {
            "kind": "staff",
            "description": "",
            "amount": "-5",
            "price_year": "20",
            "starts_on": "2025-04-01",
            "ends_on": "2025-03-01",
        },
    )
    assert bad.status_code == 400
    assert ProgrammeCost.objects.filter(programme=programme).count() == 1
    good = client.post(
        url,
        {
            "kind": "in_kind",
            "description": "Church hall",
            "amount": "1200",
            "price_year": "2024",
            "starts_on": "2025-04-01",
            "ends_on": "2026-03-31",
        },
    )
    assert good.status_code == 302
    assert programme.costs.filter(kind="in_kind").exists()

    ae = world["ae"]
    new = reverse("evidence:forecast_new", args=[programme.pk])
    form = {
        "area": "",
        "period_start": PERIOD[0].isoformat(),
        "period_end": PERIOD[1].isoformat(),
        "people": "10",
        "life_satisfaction_change": "0.5",
        f"st_{ae.pk}_expected": "0.5",
        f"st_{ae.pk}_low": "0.6",
        f"st_{ae.pk}_high": "0.8",
    }
    refused = client.post(new, form)
    assert refused.status_code == 400 and "between low and high" in refused.content.decode()
    assert not Forecast.objects.exists()
    form[f"st_{ae.pk}_low"] = "0.2"
    assert client.post(new, form).status_code == 302
    forecast = Forecast.objects.get()
    assert [(str(line.low), str(line.high)) for line in forecast.lines.all()] == [
        ("0.200", "0.800")
    ]
    response = client.post(reverse("evidence:forecast_report", args=[forecast.pk]))
    forecast_report = EvidenceReport.objects.get(kind="forecast")
    assert response["Location"] == reverse("evidence:report", args=[forecast_report.pk])
    assert forecast_report.status == ReportStatus.READY

    actual = services.evidence_report_create(
        actor=None,
        kind="evaluative",
        programme=programme,
        area=None,
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        price_year=2024,
        as_of=AS_OF,
    )
    page = client.get(reverse("evidence:report", args=[actual.pk])).content.decode()
    compare = reverse("evidence:report_compare", args=[actual.pk, forecast_report.pk])
    assert compare in page
    table = client.get(compare).content.decode()
    assert "Forecast against actual" in table and "People supported" in table
    wrong_way = reverse("evidence:report_compare", args=[forecast_report.pk, actual.pk])
    assert client.get(wrong_way).status_code == 404


@pytest.mark.parametrize(
    "role", [Role.COORDINATOR, Role.COUNCILLOR, Role.PARTNER_VIEWER, Role.VOLUNTEER]
)
def test_roles_without_evidence_are_refused(client, world, made_report, role):
    client = signed_in(client, role)
    for url in (
        reverse("evidence:reports"),
        reverse("evidence:report", args=[made_report.pk]),
        reverse("evidence:report_download", args=[made_report.pk, "json"]),
        reverse("evidence:programmes"),
    ):
        assert client.get(url).status_code in (302, 403), url


def test_manager_sees_programmes_but_cannot_change_them(client, world):
    client = signed_in(client, Role.MANAGER)
    url = reverse("evidence:programme", args=[world["programme"].pk])
    assert "Add a cost" not in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "kind": "staff",
            "description": "x",
            "amount": "1",
            "price_year": "2024",
            "starts_on": "2025-04-01",
            "ends_on": "2025-05-01",
        },
    )
    assert response.status_code == 403
    assert (
        client.get(reverse("evidence:forecast_new", args=[world["programme"].pk])).status_code
        == 403
    )


def test_unknown_report_is_404(client, world):
    client = signed_in(client, Role.ANALYST)
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(reverse("evidence:report", args=[missing])).status_code == 404


def test_analyst_adds_a_programme_and_a_duplicate_is_refused(client, world):
    client = signed_in(client, Role.ANALYST)
    url = reverse("evidence:programmes")
    form = {"name": "Neighbourhood Connectors", "organisation": str(world["org"].pk)}
    response = client.post(url, form)
    created = world["programme"].__class__.objects.get(name="Neighbourhood Connectors")
    assert response["Location"] == reverse("evidence:programme", args=[created.pk])
    assert created.organisation == world["org"]
    again = client.post(url, {"name": "neighbourhood connectors", "organisation": ""})
    assert again.status_code == 400
    assert "already exists" in again.content.decode()
