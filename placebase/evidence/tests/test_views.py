"""The evidence pages: the calculator without JavaScript, the catalogue, the parameters."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from placebase.evidence import services
from placebase.evidence.models import UnitCost
from placebase.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/evidence/sroi/"


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture
def analyst_client(client):
    client.force_login(UserFactory(role="analyst"))
    return client


def row(index: int, **cells: str) -> dict[str, str]:
    return {f"rows-{index}-{key}": value for key, value in cells.items()}


def map_post(rows: list[dict[str, str]], action: str = "calculate", **options: str):
    data = {
        "rows-TOTAL_FORMS": str(len(rows)),
        "rows-INITIAL_FORMS": str(len(rows)),
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "200",
        "action": action,
        "inputs": "6000",
        "discount": "flat",
        "discount_rate": "0",
        "first_year": "default",
        "draws": "1000",
        "seed": "1",
    }
    for i, cells in enumerate(rows):
        data.update(row(i, **cells))
    data.update(options)
    return data


GOOD = {
    "outcome": "Fewer A&E visits",
    "stakeholder": "Residents",
    "agency": "nhs",
    "quantity": "120",
    "financial_proxy": "100",
    "deadweight": "0",
    "displacement": "0",
    "attribution": "0",
    "drop_off": "0",
    "duration_years": "1",
    "starts_year": "1",
}


def test_only_evidence_roles_reach_the_pages(client):
    assert client.get(URL).status_code == 302  # to sign in
    client.force_login(UserFactory(role="coordinator"))
    assert client.get(URL).status_code == 403
    assert client.get("/evidence/unit-costs/").status_code == 403


def test_empty_calculator_and_example(analyst_client):
    page = analyst_client.get(URL)
    assert page.status_code == 200
    assert b'name="rows-0-outcome"' in page.content
    example = analyst_client.get(URL + "?example=1")
    assert b"Fewer A&amp;E attendances" in example.content
    assert b'value="150000"' in example.content


def test_calculate_shows_ratio_tables_and_switching_values(analyst_client):
    page = analyst_client.post(URL, map_post([GOOD]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "£2.00 of social value for every £1 invested" in text
    assert "£12,000.00" in text  # present value
    assert "6.0 months" in text
    assert "Switching values" in text
    assert 'style="' not in text  # strict CSP: no inline styles


def test_calculate_with_ranges_draws_an_accessible_tornado_beside_its_table(analyst_client):
    ranged = {
        **GOOD,
        "low_quantity": "60",
        "high_quantity": "180",
        "low_deadweight": "0",
        "high_deadweight": "0.2",
    }
    text = analyst_client.post(URL, map_post([ranged])).content.decode()
    assert "<svg viewBox=" in text and 'role="img"' in text
    assert "Data for the tornado chart" in text
    assert "5th percentile" in text


def test_bad_rows_show_an_error_summary_linked_to_the_cells(analyst_client):
    bad = {**GOOD, "deadweight": "1.5", "quantity": "-4"}
    page = analyst_client.post(URL, map_post([GOOD, bad]))
    assert page.status_code == 400
    text = page.content.decode()
    assert "There is a problem" in text
    assert 'href="#id_rows-1-deadweight"' in text
    assert "Row 2: Deadweight 1.5 is outside 0 to 1" in text
    assert "Row 2: Quantity -4 is negative" in text
    assert "of social value for every" not in text
    assert 'value="1.5"' in text  # what was typed is kept


def test_options_are_checked(analyst_client):
    page = analyst_client.post(URL, map_post([GOOD], inputs="", discount_rate="abc"))
    assert page.status_code == 400
    text = page.content.decode()
    assert "Enter the value of inputs" in text
    assert "Enter the flat discount rate as a percentage" in text


def test_no_outcomes_is_an_error(analyst_client):
    page = analyst_client.post(URL, map_post([{}]))
    assert page.status_code == 400
    assert "Enter at least one outcome" in page.content.decode()


def test_add_and_remove_rows_without_javascript(analyst_client):
    added = analyst_client.post(URL, map_post([GOOD], action="add"))
    text = added.content.decode()
    assert 'name="rows-1-outcome"' in text and 'value="Fewer A&amp;E visits"' in text
    assert 'value="6000"' in text  # options are kept too
    second = {**GOOD, "outcome": "Second"}
    removed = analyst_client.post(URL, map_post([GOOD, second], action="remove-0"))
    text = removed.content.decode()
    assert 'name="rows-1-outcome"' not in text
    assert 'value="Second"' in text


def test_upload_fills_the_table_and_bad_files_are_explained(analyst_client):
    csv_text = (services.DATA_DIR / "example_map.csv").read_bytes()
    page = analyst_client.post(
        URL, {"action": "upload", "file": SimpleUploadedFile("map.csv", csv_text)}
    )
    assert page.status_code == 200
    assert len(re.findall(r'name="rows-\d+-outcome"', page.content.decode())) == 5
    bad = b"outcome,stakeholder\nA,B\n"
    page = analyst_client.post(
        URL, {"action": "upload", "file": SimpleUploadedFile("bad.csv", bad)}
    )
    assert page.status_code == 400
    assert "Line 1: Missing columns" in page.content.decode()
    page = analyst_client.post(URL, {"action": "upload"})
    assert "Select a CSV file" in page.content.decode()


def test_unit_cost_pages_and_editing_make_a_new_version(client):
    services.evidence_load_starter()
    manager = UserFactory(role="manager")
    client.force_login(manager)
    listing = client.get("/evidence/unit-costs/?service_type=gp_appointment")
    assert listing.status_code == 200
    assert "GP surgery consultation" in listing.content.decode()
    assert "Emergency department attendance" not in listing.content.decode()
    cost = UnitCost.objects.get(code="pssru-2023-gp-consultation")
    detail = client.get(reverse("evidence:unit_cost_detail", args=[cost.pk]))
    assert detail.status_code == 200 and "Edit (saves a new version)" not in detail.content.decode()
    edit_url = reverse("evidence:unit_cost_revise", args=[cost.pk])
    assert client.get(edit_url).status_code == 403  # managers read; analysts edit

    client.force_login(UserFactory(role="analyst"))
    form = client.get(edit_url)
    assert form.status_code == 200
    data = {
        "expected_version": "1",
        "item": cost.item,
        "unit": cost.unit,
        "value": "55.00",
        "price_year": "2023",
        "agencies": "nhs:1",
        "confidence_grade": "2",
        "service_type": "gp_appointment",
        "source": cost.source,
        "source_url": "",
        "licence": cost.licence,
        "notes": "",
    }
    bad = client.post(edit_url, {**data, "agencies": "nhs:0.5"})
    assert bad.status_code == 400 and "There is a problem" in bad.content.decode()
    saved = client.post(edit_url, data)
    assert saved.status_code == 302
    current = UnitCost.objects.get(code=cost.code, is_current=True)
    assert (current.version, str(current.value), current.value_price_year) == (2, "55.00", 2023)
    stale = client.post(edit_url, data)  # version 1 is no longer current
    assert stale.status_code == 403
    assert (
        client.get(
            reverse("evidence:unit_cost_detail", args=["00000000-0000-0000-0000-000000000000"])
        ).status_code
        == 404
    )


def test_parameters_page_shows_sources_and_versions(analyst_client):
    page = analyst_client.get("/evidence/parameters/")
    assert page.status_code == 200
    assert "Shipped defaults" in page.content.decode()
    services.parameter_set_load_starter()
    text = analyst_client.get("/evidence/parameters/?version=1").content.decode()
    assert "Version 1 (current)" in text and "£13,000.00" in text and "3.5%" in text
    assert "Quarterly National Accounts" in text
    assert analyst_client.get("/evidence/parameters/?version=9").status_code == 404
    assert analyst_client.get("/evidence/").status_code == 200
