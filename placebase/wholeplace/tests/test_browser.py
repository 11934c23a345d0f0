"""The whole-place pages in a real browser, checked with axe-core (WCAG 2.2 AA), with the
strict CSP in force (the page fixture fails on any CSP violation)."""

import re

import pytest
from playwright.sync_api import expect

from placebase.accounts.roles import Role
from placebase.wholeplace import services

pytestmark = pytest.mark.browser


def test_whole_place_dashboard_and_pages_are_accessible(signed_in_page, axe_check, geography):
    services.demo_wholeplace_load(seed=5)
    page = signed_in_page(Role.MANAGER)
    page.get_by_role("link", name="Whole place").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Whole place")
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
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        axe_check(page)

    page.get_by_role("link", name=services.DEMO_FUND).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(services.DEMO_FUND)
    axe_check(page)
    page.get_by_role("link", name="Add an entry").click()
    page.get_by_role("button", name="Add entry").click()  # nothing filled in: errors
    expect(page).to_have_title(re.compile("^Error:"))
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)


def test_staff_forms_work_and_are_accessible(signed_in_page, axe_check, world, geography):
    page = signed_in_page(Role.MANAGER)
    base = page.url.split("/", 3)[:3]
    page.goto("/".join(base) + "/whole-place/agencies/")

    # Add an agency: first with nothing filled in, then properly.
    page.get_by_role("link", name="Add an agency").click()
    page.get_by_role("button", name="Add the agency").click()
    expect(page).to_have_title(re.compile("^Error:"))
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)
    page.get_by_label("New organisation's name").fill("Sutton Foodbank")
    page.get_by_label("Type of agency").select_option("vcs")
    page.get_by_label("Whose budget bears its costs").select_option("other")
    page.get_by_role("button", name="Add the agency").click()

    # Its footprint: show a set's areas, tick two wards, save.
    expect(page.get_by_role("heading", level=1)).to_have_text("Areas the agency covers")
    axe_check(page)
    page.get_by_label("Add areas from").select_option(label="ward 2024 (ward 2024)")
    page.get_by_role("button", name="Show the areas of this set to tick").click()
    expect(page.get_by_label("Ward A (E05000001)")).to_be_visible()
    page.get_by_label("Ward A (E05000001)").check()
    page.get_by_label("Ward B (E05000002)").check()
    axe_check(page)
    page.get_by_role("button", name="Save the footprint").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agencies and footprints")
    row = page.get_by_role("row").filter(has_text="Sutton Foodbank").first
    expect(row).to_contain_text("Inside the council's area, covering part of it")

    # A theme, and a pooled fund (an error first).
    page.get_by_role("navigation", name="Whole place sections").get_by_role(
        "link", name="Themes", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Themes")
    axe_check(page)
    page.get_by_role("link", name="Add a theme").click()
    page.get_by_label("Theme").fill("Ageing well")
    page.get_by_role("button", name="Add the theme").click()
    expect(page.get_by_role("cell", name="ageing-well")).to_be_visible()
    page.get_by_role("navigation", name="Whole place sections").get_by_role(
        "link", name="Pooled funds", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pooled funds")
    page.get_by_role("link", name="Set up a pooled fund").click()
    page.get_by_label("Name of the fund").fill("Ward A Fund")
    page.get_by_label("Starts on").fill("2025-04-01")
    page.get_by_label("Ends on (optional)").fill("2024-04-01")
    page.get_by_role("button", name="Set up the fund").click()
    expect(page).to_have_title(re.compile("^Error:"))
    axe_check(page)
    page.get_by_label("Ends on (optional)").fill("")
    page.get_by_label("Ward A (E05000001)").check()
    page.get_by_role("button", name="Set up the fund").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ward A Fund")

    # The involvement import page, with a file that has a bad row.
    page.goto("/".join(base) + "/whole-place/involvement/")
    page.get_by_role("link", name="Import an agency's involvement from CSV").click()
    page.get_by_label("Agency whose records these are").select_option(label="SWL ICB")
    page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "involvement.csv",
                "mimeType": "text/csv",
                "buffer": b"identifier,subject_kind,started_on,consent\n"
                b"100,household,2025-05-01,DSA-1\n200,family,2025-05-01,\n",
            }
        ]
    )
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", name="Rows with problems")).to_be_visible()
    axe_check(page)

    # The consistency register: add a service (an error first), then change it.
    page.goto("/".join(base) + "/whole-place/consistency/")
    page.get_by_role("link", name="Add a service to the register").click()
    page.get_by_label("Service", exact=True).fill("Tenancy support")
    page.get_by_label("Staff in the service").fill("3")
    page.get_by_label("Staff trained in the approach").fill("9")
    page.get_by_role("button", name="Add to the register").click()
    expect(page).to_have_title(re.compile("^Error:"))
    axe_check(page)
    page.get_by_label("Staff trained in the approach").fill("2")
    page.get_by_label("Department or agency").select_option(label="Sutton Housing")
    page.get_by_label("Ward B (E05000002)").check()
    page.get_by_role("button", name="Add to the register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consistency of implementation")
    axe_check(page)
    page.get_by_role("link", name="Change Tenancy support").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change a service in the register")
    page.get_by_label("Staff trained in the approach").fill("3")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.get_by_role("cell", name="3 of 3")).to_be_visible()
