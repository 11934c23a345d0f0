"""An evidence report in a real browser, checked with axe-core (WCAG 2.2 AA) under the strict
CSP (the page fixture fails on any CSP violation)."""

import re

import pytest
from playwright.sync_api import expect

from placebase.accounts.roles import Role
from placebase.evidence import services
from placebase.evidence.tests.worlds import (
    AS_OF,
    PERIOD,
    events,
    life_satisfaction,
    make_world,
    person,
)

pytestmark = pytest.mark.browser


def test_report_pages_are_accessible(signed_in_page, axe_check, live_server):
    world = make_world()
    for scores in ((4, 6), (5, 6), (3, 5)):
        p = person(world)
        events(p, world["ae"], -200, -30, -10, 60)
        life_satisfaction(p, *scores)
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
    page = signed_in_page(Role.ANALYST)
    page.goto(live_server.url + "/evidence/")
    page.get_by_role("link", name="Evidence reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence reports")
    axe_check(page)

    page.get_by_role("button", name="Make the report").click()  # nothing chosen: errors
    expect(page).to_have_title(re.compile("^Error:"))
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name=report.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(report.title)
    expect(page.get_by_role("img", name="Return for every £1, with the 90% range")).to_be_visible()
    expect(page.get_by_role("heading", name="Method statement")).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name="Re-run and check the figures").click()
    expect(page.get_by_text("the figures are identical")).to_be_visible()

    page.goto(live_server.url + "/evidence/programmes/")
    page.get_by_role("link", name=world["programme"].name, exact=True).click()
    axe_check(page)
    page.get_by_role("link", name="import the costs from a CSV file").click()
    axe_check(page)
    page.get_by_label("Upload the programme's costs (CSV)").set_input_files(
        files=[
            {
                "name": "costs.csv",
                "mimeType": "text/csv",
                "buffer": b"kind,description,amount,price_year,starts_on,ends_on\n"
                b"staff,Post,-1,2025,2025-04-01,2026-03-31\n",
            }
        ]
    )
    page.get_by_role("button", name="Import the costs").click()
    expect(page).to_have_title(re.compile("^Error:"))
    expect(page.get_by_role("heading", name="Rows with problems")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name=f"Back to {world['programme'].name}").click()
    page.get_by_role("link", name="Add a forecast").click()
    axe_check(page)
