"""A coordinator walks introduction → conversation → connection → review in a real browser,
and every page passes axe-core's WCAG 2.2 AA rules."""

import re

import pytest
from playwright.sync_api import expect

from placebase.accounts.roles import Role
from placebase.casework.models import Connection, Person

from .conftest import days_ago

pytestmark = pytest.mark.browser


def test_a_coordinator_walks_the_journey_and_every_page_is_accessible(
    signed_in_page, axe_check, org, team, patch, coordinator
):
    page = signed_in_page(Role.COORDINATOR, organisation=org, teams=[team])
    page.get_by_role("link", name="People", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My people")
    axe_check(page)

    # Introduction, first with a mistake so the error summary is checked too.
    page.get_by_role("button", name="Record an introduction").click()
    axe_check(page)
    page.get_by_role("button", name="Save introduction").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error:"))
    axe_check(page)
    page.get_by_label("Who introduced them").select_option("gp")
    page.get_by_label("Date of introduction").fill(days_ago(3).isoformat())
    page.get_by_label("Why they were introduced").fill("Lonely since moving to Sutton.")
    page.get_by_label("First name", exact=True).fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("Postcode").fill("SM1 1EA")
    page.get_by_role("button", name="Save introduction").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Hopper")
    person = Person.objects.get(last_name="Hopper")
    assert person.coordinator == coordinator  # the patch's coordinator, automatically
    axe_check(page)

    # Conversation.
    page.get_by_role("button", name="Record a conversation or contact").click()
    axe_check(page)
    page.get_by_label("Duration in minutes").fill("45")
    page.get_by_label("Notes").fill("Met for coffee; she loves gardening.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    axe_check(page)

    # Connection, then its follow-up.
    page.get_by_role("button", name="Suggest a connection").click()
    axe_check(page)
    page.get_by_label("Connect them to").select_option("other")
    page.get_by_label("Name").fill("Roundshaw Community Garden")
    page.get_by_role("button", name="Save").click()
    axe_check(page)
    page.get_by_role("link", name="Follow up Roundshaw Community Garden").click()
    axe_check(page)
    page.get_by_label("Status").select_option("attended")
    page.get_by_role("button", name="Save").click()
    assert Connection.objects.get(person=person).status == "attended"
    axe_check(page)

    # Review with wellbeing.
    page.get_by_role("button", name="Record a review").click()
    axe_check(page)
    page.get_by_label("Summary").fill("Going to the garden every Tuesday.")
    page.get_by_label("Overall, how satisfied are you with your life nowadays?").fill("7")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()  # the other three are needed too
    axe_check(page)
    for label, value in [
        ("things you do in your life are worthwhile", "7"),
        ("how happy did you feel yesterday", "6"),
        ("how anxious did you feel yesterday", "4"),
    ]:
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    assert person.reviews.count() == 1
    axe_check(page)
