"""The whole-place pages in a real browser, checked with axe-core (WCAG 2.2 AA), with the
strict CSP in force (the page fixture fails on any CSP violation)."""

import pytest

from placebase.accounts.roles import Role
from placebase.wholeplace import services

pytestmark = pytest.mark.browser


def test_whole_place_dashboard_and_pages_are_accessible(signed_in_page, axe_check, geography):
    services.demo_wholeplace_load(seed=5)
    page = signed_in_page(Role.MANAGER)
    page.get_by_role("link", name="Whole place").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Whole place"
    axe_check(page)

    for link, heading in [
        ("Agencies and footprints", "Agencies and footprints"),
        ("Spend by place", "Public spend by place"),
        ("Who pays, who benefits", "Who pays, who benefits"),
        ("Multi-agency involvement", "Served by several agencies at once"),
        ("Consistency", "Consistency of implementation"),
        ("Pooled funds", "Pooled funds"),
    ]:
        page.get_by_role("navigation", name="Whole place sections").get_by_role(
            "link", name=link, exact=True
        ).click()
        assert page.get_by_role("heading", level=1).inner_text() == heading
        axe_check(page)

    page.get_by_role("link", name=services.DEMO_FUND).click()
    axe_check(page)
    page.get_by_role("link", name="Add an entry").click()
    page.get_by_role("button", name="Add entry").click()  # nothing filled in: errors
    assert page.title().startswith("Error:")
    assert page.locator(".govuk-error-summary").is_visible()
    axe_check(page)
