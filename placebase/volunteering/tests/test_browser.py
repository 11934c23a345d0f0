"""A resident pledges 15 minutes from a postcode search, in a real browser, with axe-core."""

import pytest

from placebase.accounts.roles import Role
from placebase.factories import OrganisationFactory, UserFactory
from placebase.volunteering import services
from placebase.volunteering.models import OpportunityKind, Pledge, PledgeStatus


@pytest.mark.browser
def test_pledge_fifteen_minutes_from_a_postcode_search(page, axe_check):
    coordinator = UserFactory(
        role=Role.VOLUNTEER_COORDINATOR, organisation=OrganisationFactory(name="Sutton Council")
    )
    services.opportunity_create(
        actor=coordinator,
        title="Check on a neighbour",
        summary="Knock, say hello, ask.",
        kind=OpportunityKind.MICRO,
        duration_minutes=15,
        postcode="SM1 1EA",
    )

    page.goto("/volunteering/")
    axe_check(page)
    page.get_by_label("Postcode").fill("SM1 1EA")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert "within 10 km of SM1 1EA" in page.content()
    axe_check(page)

    page.get_by_role("link", name="Check on a neighbour").click()
    page.wait_for_load_state()
    axe_check(page)
    page.get_by_role("button", name="Pledge 15 minutes").click()
    page.wait_for_load_state()

    # Step 1: a mistake first, shown in an error summary.
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert "There is a problem" in page.content()
    axe_check(page)
    page.get_by_label("Your name").fill("Alex Smith")
    page.get_by_label("Email address").fill("alex@example.org")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()

    # Step 2: check and confirm.
    assert "Check your pledge" in page.content()
    axe_check(page)
    page.get_by_role("button", name="Confirm pledge").click()
    page.wait_for_load_state()
    assert "Thank you for your pledge" in page.content()
    axe_check(page)

    pledge = Pledge.objects.get()
    assert pledge.status == PledgeStatus.PLEDGED and pledge.minutes == 15
    assert pledge.reference in page.content()
