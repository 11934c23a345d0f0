"""The councillor ward view in a real browser: it renders its map and passes axe-core."""

import datetime

import pytest
from playwright.sync_api import expect

from placebase.accounts.roles import Role
from placebase.engagement import services
from placebase.factories import UserFactory


@pytest.mark.browser
def test_councillor_ward_view_is_accessible(place, signed_in_page, axe_check):
    page = signed_in_page(Role.COUNCILLOR)
    admin = UserFactory(role=Role.ADMIN)
    connector = UserFactory(role=Role.CONNECTOR)
    services.councillor_ward_assign(actor=admin, user=page.user, area_id=place.ward_a.id)
    services.councillor_ward_assign(actor=admin, user=page.user, area_id=place.ward_b.id)
    activity = services.activity_create(
        actor=connector,
        kind="visioning",
        title="Dream big",
        held_on=datetime.date.today() - datetime.timedelta(days=3),
        area_id=place.ward_a.id,
    )
    for postcode in ["SM1 1AA"] * 9 + ["SM2 2AA"] * 3:
        person = services.participant_register(
            actor=connector, age_band="65_plus", home_postcode=postcode
        )
        services.participation_record(actor=connector, activity=activity, participant=person)
    page.goto("/engagement/wards/")
    expect(page.get_by_role("heading", name="Your wards")).to_be_visible()
    page.wait_for_selector(".pb-choropleth path")  # Leaflet drew the ward boundaries
    axe_check(page)
