"""Importing a programme's costs from a CSV export of its spend: all rows or none, every
problem by line, UK dates and pound signs read, and importing twice adds nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from placebase.accounts.roles import Role
from placebase.core.models import AuditEvent
from placebase.evidence import services
from placebase.evidence.models import CostKind, ProgrammeCost
from placebase.evidence.tests.worlds import make_world
from placebase.factories import UserFactory

HEADER = "kind,description,amount,price_year,starts_on,ends_on\n"
GOOD = (
    HEADER
    + 'staff,3 coordinator posts,"£114,000.00",2025,2025-04-01,2026-03-31\n'
    + "In kind,Church hall given free,2600,2025,01/04/2025,31/03/2026\n"
)


@pytest.fixture
def programme(db):
    return make_world()["programme"]


def costs(programme):
    return list(
        ProgrammeCost.objects.filter(programme=programme)
        .order_by("description")
        .values_list("kind", "description", "amount", "amount_price_year", "starts_on", "ends_on")
    )


def test_costs_are_added_from_a_finance_export(programme):
    before = costs(programme)
    result = services.programme_costs_import(actor=None, programme=programme, text=GOOD)
    assert (result.added, result.skipped) == (2, 0)
    added = [c for c in costs(programme) if c not in before]
    assert added == [
        (CostKind.STAFF, "3 coordinator posts", Decimal("114000.00"), 2025,
         dt.date(2025, 4, 1), dt.date(2026, 3, 31)),
        (CostKind.IN_KIND, "Church hall given free", Decimal("2600.00"), 2025,
         dt.date(2025, 4, 1), dt.date(2026, 3, 31)),
    ]  # fmt: skip
    entry = AuditEvent.objects.filter(verb="evidence.programme.costs_import").get()
    assert entry.payload == {"added": 2, "skipped": 0}


def test_importing_the_same_file_twice_adds_nothing(programme):
    services.programme_costs_import(actor=None, programme=programme, text=GOOD)
    after_first = costs(programme)
    result = services.programme_costs_import(actor=None, programme=programme, text=GOOD)
    assert (result.added, result.skipped) == (0, 2)
    assert costs(programme) == after_first


def test_a_bad_row_rejects_the_file_with_each_problem_by_line(programme):
    before = costs(programme)
    text = (
        GOOD
        + "wages,,-5,25,2025-13-01,2025-03-01\n"  # line 4: five problems
        + "overhead,Rent,1000,2025,2025-04-01,2025-03-31\n"  # line 5: ends before it starts
    )
    with pytest.raises(services.ProgrammeCostsRejected) as caught:
        services.programme_costs_import(actor=None, programme=programme, text=text)
    problems = caught.value.details["problems"]
    by_line = {}
    for line, reason in problems:
        by_line.setdefault(line, []).append(reason)
    assert set(by_line) == {4, 5}
    four = " ".join(by_line[4])
    for expected in ("starts_on must be a date", "kind:", "description:", "amount:", "price_year:"):
        assert expected in four
    assert by_line[5] == ["ends_on: The cost must end on or after the day it starts."]
    assert costs(programme) == before  # nothing written, not even the good rows


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "the file is empty"),
        ("kind,description,amount\nstaff,x,1\n", "missing columns: price_year, starts_on, ends_on"),
        (HEADER, "the file has a header but no rows"),
        (HEADER + "staff,Post,12.345,2025,2025-04-01,2026-03-31\n", "at most 2 decimal places"),
        (HEADER + "staff,Post,lots,2025,2025-04-01,2026-03-31\n", "amount must be a number"),
    ],
)
def test_unreadable_files_are_refused_clearly(programme, text, reason):
    with pytest.raises(services.ProgrammeCostsRejected) as caught:
        services.programme_costs_import(actor=None, programme=programme, text=text)
    assert any(reason in r for _, r in caught.value.details["problems"])


def test_a_file_over_the_row_limit_is_refused(programme, monkeypatch):
    monkeypatch.setattr(services, "MAX_PROGRAMME_COST_ROWS", 1)
    with pytest.raises(services.ProgrammeCostsRejected) as caught:
        services.programme_costs_import(actor=None, programme=programme, text=GOOD)
    assert caught.value.details["problems"] == [(3, "a file may have at most 1 rows")]


@pytest.fixture
def _no_second_factor(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


def _upload(client, programme, text):
    url = reverse("evidence:programme_costs_import", args=[programme.pk])
    upload = SimpleUploadedFile("costs.csv", text.encode("utf-8-sig"), content_type="text/csv")
    return client.post(url, {"file": upload}, follow=True)


@pytest.mark.usefixtures("_no_second_factor")
def test_analyst_imports_costs_on_the_programme_page(client, programme):
    client.force_login(UserFactory(role=Role.ANALYST))
    page = client.get(reverse("evidence:programme", args=[programme.pk])).content.decode()
    assert reverse("evidence:programme_costs_import", args=[programme.pk]) in page
    done = _upload(client, programme, GOOD)
    assert "2 cost(s) added" in done.content.decode()
    assert "3 coordinator posts" in done.content.decode()

    bad = _upload(client, programme, HEADER + "staff,Post,-1,2025,2025-04-01,2026-03-31\n")
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "Rows with problems" in body and "amount: The amount must be more than £0." in body
    assert "govuk-error-summary" in body

    url = reverse("evidence:programme_costs_import", args=[programme.pk])
    latin = SimpleUploadedFile("costs.csv", "kind,description\nstaff,Café\n".encode("latin-1"))
    refused = client.post(url, {"file": latin})
    assert refused.status_code == 400
    assert "must be a CSV saved as UTF-8" in refused.content.decode()


@pytest.mark.usefixtures("_no_second_factor")
def test_only_analysts_may_import_costs(client, programme):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    before = costs(programme)
    response = _upload(client, programme, GOOD)
    assert response.status_code == 403
    assert costs(programme) == before
