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


@pytest.mark.browser
def test_coordinator_edits_adds_a_site_and_a_shift_then_closes(signed_in_page, axe_check):
    import datetime as dt

    from django.utils import timezone

    from placebase.volunteering.models import Opportunity, OpportunityStatus, Shift, Site

    page = signed_in_page(
        Role.VOLUNTEER_COORDINATOR, organisation=OrganisationFactory(name="Sutton Council")
    )
    opportunity = services.opportunity_create(
        actor=page.user,
        title="Hear children read",
        summary="An hour a week in a school.",
        kind=OpportunityKind.PLACEMENT,
        postcode="SM6 8DZ",
    )
    page.goto(f"/volunteering/manage/opportunities/{opportunity.pk}/")
    axe_check(page)
    page.get_by_role("link", name="Edit the opportunity").click()
    page.wait_for_load_state()
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    assert "There is a problem" in page.content()
    axe_check(page)
    page.get_by_label("Title").fill("Hear children read aloud")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    assert Opportunity.objects.get(pk=opportunity.pk).title == "Hear children read aloud"

    page.get_by_role("link", name="Add a site").click()
    page.wait_for_load_state()
    axe_check(page)
    page.get_by_label("Site name").fill("Avenue Primary")
    page.get_by_label("Postcode").fill("SM1 1EA")
    page.get_by_role("button", name="Save site").click()
    page.wait_for_load_state()
    assert Site.objects.get().name == "Avenue Primary"

    page.get_by_role("link", name="Add a shift").click()
    page.wait_for_load_state()
    axe_check(page)
    day = timezone.localdate() + dt.timedelta(days=7)
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Start time").fill("15:00")
    page.get_by_label("End time").fill("14:00")
    page.get_by_role("button", name="Save shift").click()
    page.wait_for_load_state()
    assert "A shift must end after it starts" in page.content()
    axe_check(page)
    page.get_by_label("End time").fill("16:00")
    page.get_by_label("Site").select_option(label="Avenue Primary")
    page.get_by_role("button", name="Save shift").click()
    page.wait_for_load_state()
    assert Shift.objects.get().site.name == "Avenue Primary"
    axe_check(page)

    page.get_by_role("button", name="Close the opportunity").click()
    page.wait_for_load_state()
    assert Opportunity.objects.get(pk=opportunity.pk).status == OpportunityStatus.CLOSED
    axe_check(page)


@pytest.mark.browser
def test_volunteer_changes_details_answers_wellbeing_and_sees_erasure(new_page, axe_check):
    import datetime as dt

    from placebase.testing.browser import sign_in
    from placebase.volunteering.models import Volunteer

    services.reference_data_ensure()
    volunteer = services.volunteer_sign_up(
        first_name="Sam",
        last_name="Jones",
        email="sam@example.org",
        date_of_birth=dt.date(1990, 5, 1),
        postcode="SM1 1EA",
        password="a-long-unusual-passphrase-91",
        consent=True,
    )
    page = new_page()
    sign_in(page, username="sam@example.org", password="a-long-unusual-passphrase-91")
    page.goto("/volunteering/me/")
    axe_check(page)
    page.get_by_role("link", name="Change your details").click()
    page.wait_for_load_state()
    axe_check(page)
    page.get_by_label("Home postcode").fill("SM6 8DZ")
    page.get_by_label("Gardening and green spaces").check()
    page.get_by_role("button", name="Save your details").click()
    page.wait_for_load_state()
    volunteer = Volunteer.objects.get(pk=volunteer.pk)
    assert volunteer.postcode == "SM6 8DZ"
    assert "gardening" in {s.slug for s in volunteer.skills.all()}

    page.get_by_role("link", name="Answer the wellbeing questions").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Save your answers").click()
    page.wait_for_load_state()
    assert "There is a problem" in page.content()
    axe_check(page)

    page.goto("/volunteering/me/erase/")
    axe_check(page)
