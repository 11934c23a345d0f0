"""In a real browser: search the directory by postcode, open a listing, save it to the
shortlist; every page passes axe-core's WCAG 2.2 AA rules with zero violations."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_by_postcode_open_a_listing_and_shortlist_it(
    page, axe_check, make_asset, categories
):
    make_asset(
        name="Sutton Knit and Natter",
        postcode="SM1 1EA",
        kind="group",
        description="Knitting, crochet and tea.",
        is_free=True,
        phone="020 8770 5000",
        term_ids=[str(categories.crafts.id)],
        access_features=["step_free"],
        transportation="Buses 80 and 154 stop outside.",
    )
    make_asset(name="Cheam Choir", postcode="SM1 1EA", kind="group")
    make_asset(name="Far away club", postcode="SM6 7LY")

    page.goto("/directory/")
    axe_check(page)
    page.get_by_label("Postcode").fill("SM1 1EA")
    page.get_by_label("What are you looking for?").fill("knitting")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="1 result for SM1 1EA")).to_be_visible()
    assert page.locator(".leaflet-interactive").count() == 1  # the map drew the result
    axe_check(page)

    page.get_by_role("link", name="Sutton Knit and Natter").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sutton Knit and Natter")
    expect(page.get_by_text("Buses 80 and 154 stop outside.")).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name="Add to shortlist").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="See your shortlist").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="Sutton Knit and Natter")).to_be_visible()
    axe_check(page)


def test_bad_postcode_error_summary_is_accessible(page, axe_check, place):
    page.goto("/directory/?postcode=SM9+9ZZ")
    expect(page.get_by_text("There is a problem")).to_be_visible()
    axe_check(page)


def test_report_a_problem_page_is_accessible(page, axe_check, make_asset):
    asset = make_asset(name="Lunch club", postcode="SM1 1EA")
    page.goto(f"/directory/listing/{asset.id}/report/")
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    axe_check(page)


def test_staff_pages_are_accessible(signed_in_page, axe_check, make_asset, categories):
    asset = make_asset(name="Hackbridge Hall", postcode="SM1 1EA", kind="room", usage="spare")
    page = signed_in_page("connector")
    for path in (
        "/directory/manage/",
        f"/directory/manage/listing/{asset.id}/",
        f"/directory/manage/listing/{asset.id}/edit/",
        "/directory/gaps/",
        "/directory/manage/import/",
        "/directory/projects/",
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe_check(page)


def test_offer_a_skill_form_with_its_errors_and_thanks_is_accessible(page, axe_check, place):
    page.goto("/directory/gifts/")
    page.get_by_role("link", name="Offer a skill or gift to your neighbours").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Offer a skill or gift to your neighbours"
    )
    axe_check(page)
    page.get_by_role("button", name="Send my offer").click()
    page.wait_for_load_state()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    axe_check(page)
    # The error summary links to the field to correct.
    page.get_by_role("link", name="Enter your name").click()
    assert page.evaluate("document.activeElement.id") == "id_person_name"
    page.get_by_label("Your name").fill("Doreen Example")
    page.get_by_label("Email address or phone number").fill("doreen@example.org")
    page.get_by_label("Your postcode").fill("SM6 7LY")
    page.get_by_label("Skill", exact=True).check()
    page.get_by_label("Tell us what you could share").fill("I can fix bikes")
    page.get_by_label("Show what I offer on the public page").check()
    page.get_by_label("I agree to the council keeping my offer").check()
    page.get_by_role("button", name="Send my offer").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Thank you for your offer")).to_be_visible()
    axe_check(page)


def test_new_staff_forms_are_accessible(signed_in_page, axe_check, make_asset, place):
    asset = make_asset(name="Hackbridge Hall", postcode="SM1 1EA", kind="room")
    page = signed_in_page("connector")
    for path in (
        "/directory/manage/gifts/",
        "/directory/manage/gifts/new/",
        "/directory/connectors/new/",
        "/directory/visioning/new/",
        "/directory/projects/new/",
        f"/directory/manage/listing/{asset.id}/locations/",
        f"/directory/manage/listing/{asset.id}/locations/new/",
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe_check(page)
    page.goto("/directory/projects/new/")
    page.get_by_role("button", name="Create project").click()
    page.wait_for_load_state()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    axe_check(page)
