"""Every location of a listing, not only the first: staff add, change and remove them; the
directory, the listing page and ORUK follow; refusals lose nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from placebase.accounts.roles import Role
from placebase.assets import models as m
from placebase.assets import selectors, services
from placebase.assets.selectors import DirectoryQuery
from placebase.core.models import AuditEvent
from placebase.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


def signed_in(role, **kwargs):
    client = Client()
    user = UserFactory(role=role, **kwargs)
    client.force_login(user)
    return client, user


SECOND = {
    "location_name": "Wallington Library",
    "address_1": "Shotfield",
    "city": "Wallington",
    "postcode": "SM6 7LY",
    "transportation": "Near Wallington station",
    "access_features": ["hearing_loop"],
}


def _ids(postcode):
    results = selectors.directory_search(
        query=DirectoryQuery(postcode=postcode, radius_m=805, per_page=50)
    )
    return set(results.ranked_ids)


def test_staff_add_change_and_remove_a_second_location(make_asset, validate):
    asset = make_asset(
        name="Knit and Natter", postcode="SM1 1EA", address_1="1 High St", city="Sutton"
    )
    assert asset.id not in _ids("SM6 7LY")
    connector, user = signed_in(Role.CONNECTOR)
    assert connector.get(reverse("assets:locations", args=[asset.id])).status_code == 200
    new_url = reverse("assets:location_new", args=[asset.id])
    assert connector.get(new_url).status_code == 200
    response = connector.post(new_url, SECOND | {"version": asset.version})
    assert response.status_code == 302
    locations = selectors.asset_locations(asset=asset)
    assert [loc.name for loc in locations][1] == "Wallington Library"
    second = locations[1]
    assert second.ward_name == "Wallington North" and second.latitude is not None
    assert [a.feature for a in second.accessibility.all()] == ["hearing_loop"]
    # Found near either place; the listing page and ORUK show both.
    assert asset.id in _ids("SM6 7LY") and asset.id in _ids("SM1 1EA")
    page = Client().get(reverse("assets:listing", args=[asset.id])).content.decode()
    assert "Near Wallington station" in page
    service = Client().get(f"/oruk/services/{asset.id}").json()
    validate(service, "service.json")
    assert len(service["service_at_locations"]) == 2
    # Accessibility on any location counts for the accessibility filter.
    with_loop = selectors.directory_search(
        query=DirectoryQuery(postcode="SM6 7LY", radius_m=805, access_features=("hearing_loop",))
    )
    assert asset.id in with_loop.ranked_ids
    asset.refresh_from_db()
    assert asset.version == 2
    assert asset.versions.first().summary == "Location added: Wallington Library"

    edit_url = reverse("assets:location_edit", args=[asset.id, second.id])
    form = connector.get(edit_url).content.decode()
    assert 'value="Wallington Library"' in form and 'value="SM6 7LY"' in form
    response = connector.post(
        edit_url, SECOND | {"location_name": "Wallington Hall", "version": asset.version}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.name == "Wallington Hall"

    remove_url = reverse("assets:location_remove", args=[asset.id, second.id])
    assert connector.get(remove_url).status_code == 200
    asset.refresh_from_db()
    connector.post(remove_url, {"version": asset.version})
    assert [loc.name for loc in selectors.asset_locations(asset=asset)] == [""]
    assert not m.Location.objects.filter(id=second.id).exists()
    assert asset.id not in _ids("SM6 7LY")
    verbs = list(
        AuditEvent.objects.filter(actor=user, target_id=str(asset.id))
        .order_by("at")
        .values_list("verb", flat=True)
    )
    assert verbs == ["asset.location_added", "asset.location_updated", "asset.location_removed"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"location_name": "", "address_1": "", "postcode": ""}, "location_name"),
        ({"address_1": "Shotfield", "city": ""}, "city"),
        ({"postcode": "SM6 7L"}, "postcode"),
        ({"postcode": "SM9 9ZZ"}, "postcode"),
        ({"latitude": "51.3", "longitude": ""}, "latitude"),
        ({"latitude": "91", "longitude": "0"}, "latitude"),
    ],
)
def test_a_bad_location_is_refused_and_nothing_changes(make_asset, values, field):
    asset = make_asset(name="Choir", postcode="SM1 1EA")
    connector, _ = signed_in(Role.CONNECTOR)
    response = connector.post(
        reverse("assets:location_new", args=[asset.id]),
        SECOND | values | {"version": asset.version},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and f'href="#id_{field}"' in html
    assert len(selectors.asset_locations(asset=asset)) == 1
    asset.refresh_from_db()
    assert asset.version == 1


def test_a_stale_version_is_refused_rather_than_overwriting(make_asset, staff):
    asset = make_asset(name="Choir", postcode="SM1 1EA")
    services.asset_location_add(actor=staff, asset_id=asset.id, values=SECOND)
    connector, _ = signed_in(Role.CONNECTOR)
    second = selectors.asset_locations(asset=asset)[1]
    response = connector.post(
        reverse("assets:location_edit", args=[asset.id, second.id]),
        SECOND | {"location_name": "Overwritten", "version": 1},
    )
    assert "Someone else changed this listing" in response.content.decode()
    second.refresh_from_db()
    assert second.name == "Wallington Library"
    connector.post(reverse("assets:location_remove", args=[asset.id, second.id]), {"version": 1})
    assert len(selectors.asset_locations(asset=asset)) == 2


def test_only_directory_staff_change_locations(make_asset, staff):
    organisation = OrganisationFactory()
    asset = make_asset(name="Choir", postcode="SM1 1EA")
    asset.organisation = organisation
    asset.save()
    first = selectors.asset_locations(asset=asset)[0]
    provider, provider_user = signed_in(Role.PROVIDER_EDITOR, organisation=organisation)
    for url in (
        reverse("assets:locations", args=[asset.id]),
        reverse("assets:location_new", args=[asset.id]),
        reverse("assets:location_edit", args=[asset.id, first.id]),
        reverse("assets:location_remove", args=[asset.id, first.id]),
    ):
        assert provider.get(url).status_code == 403
        assert provider.post(url, SECOND).status_code == 403
    assert Client().get(reverse("assets:locations", args=[asset.id])).status_code == 302
    with pytest.raises(services.DirectoryStaffOnly):
        services.asset_location_add(actor=provider_user, asset_id=asset.id, values=SECOND)
    assert len(selectors.asset_locations(asset=asset)) == 1
    # A location of another listing is not this listing's to change.
    other = make_asset(name="Other", postcode="SM6 7LY")
    other_location = selectors.asset_locations(asset=other)[0]
    connector, _ = signed_in(Role.CONNECTOR)
    url = reverse("assets:location_edit", args=[asset.id, other_location.id])
    assert connector.get(url).status_code == 404
    with pytest.raises(services.NotFound):
        services.asset_location_remove(
            actor=staff, asset_id=asset.id, location_id=other_location.id
        )


def test_a_location_another_listing_shares_stays_when_one_removes_it(make_asset, staff):
    first = make_asset(name="Choir", postcode="SM1 1EA")
    second = make_asset(name="Lunch club")
    shared = selectors.asset_locations(asset=first)[0]
    m.ServiceAtLocation.objects.create(asset=second, location=shared)
    services.asset_location_remove(actor=staff, asset_id=first.id, location_id=shared.id)
    assert m.Location.objects.filter(id=shared.id).exists()
    assert selectors.asset_locations(asset=second) == [shared]
