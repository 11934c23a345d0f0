"""The Open Referral UK 3.0 API: every response validates against the ORUK schemas, on the
first, a middle and the last page, and on the `{id}` page of every id those pages list."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from placebase.accounts.roles import Role
from placebase.assets import models as m
from placebase.assets import services
from placebase.factories import UserFactory

from .conftest import oruk_validate

pytestmark = pytest.mark.django_db

LIST_ENDPOINTS = [
    ("/oruk/services", "service_list.json", "/oruk/services/{}", "service.json"),
    ("/oruk/services?full=true", "service_list.json", None, None),
    (
        "/oruk/organizations",
        "organization_list.json",
        "/oruk/organizations/{}",
        "organization.json",
    ),
    ("/oruk/organizations?full=true&full_service=true", "organization_list.json", None, None),
    (
        "/oruk/service_at_locations",
        "service_at_location_list.json",
        "/oruk/service_at_locations/{}",
        "service_at_location.json",
    ),
    ("/oruk/service_at_locations?full=true", "service_at_location_list.json", None, None),
    ("/oruk/taxonomies", "taxonomy_list.json", "/oruk/taxonomies/{}", "taxonomy.json"),
    (
        "/oruk/taxonomy_terms",
        "taxonomy_term_list.json",
        "/oruk/taxonomy_terms/{}",
        "taxonomy_term.json",
    ),
]


@pytest.fixture
def directory(make_asset, staff, categories):
    orgs = [
        services.directory_organisation_create(
            actor=staff,
            name=f"Provider {i}",
            website="https://example.org",
            email=f"hello{i}@example.org",
        )
        for i in range(5)
    ]
    m.OrganisationIdentifier.objects.create(
        organisation=orgs[0],
        identifier_scheme="GB-CHC",
        identifier_type="Charity number",
        identifier="1234567",
    )
    assets = []
    for i in range(8):
        asset = make_asset(
            provider=orgs[i % 3],
            name=f"Service {i}",
            description=f"Help number {i}",
            url="https://example.org/s",
            email="info@example.org",
            phone="020 8770 5000",
            postcode="SM1 1EA" if i % 2 else "SM6 7LY",
            address_1=f"{i} High Street",
            city="Sutton",
            fees="Free" if i % 2 else "£2",
            minimum_age=18,
            term_ids=[str(categories.crafts.id if i % 2 else categories.mental_health.id)],
            access_features=["step_free", "hearing_loop"],
            service_area_codes=["E09000029"] if i == 3 else [],
        )
        m.Schedule.objects.create(
            asset=asset,
            freq="WEEKLY",
            interval=1,
            byday="MO,WE",
            opens_at=dt.time(9, 30),
            closes_at=dt.time(12),
            valid_from=dt.date(2026, 1, 1),
            description="Mornings",
        )
        m.CostOption.objects.create(
            asset=asset, option="Adults", amount=Decimal("2.50"), amount_description="per session"
        )
        m.Language.objects.create(asset=asset, name="English", code="en")
        m.Funding.objects.create(asset=asset, source="Sutton Council")
        contact = m.Contact.objects.create(
            asset=asset, name="Reception", title="Front desk", email="desk@example.org"
        )
        m.Phone.objects.create(contact=contact, number="020 8770 5001")
        assets.append(asset)
    services.gift_record(
        actor=staff,
        person_name="Private Person",
        description="Baking",
        consent_statement="Agreed to share",
        postcode="SM1 1EA",
        show_publicly=True,
    )
    return assets


def _pages(client, url, per_page):
    sep = "&" if "?" in url else "?"
    first = client.get(f"{url}{sep}per_page={per_page}&page=1").json()
    total_pages = first["total_pages"]
    numbers = sorted({1, max(1, (total_pages + 1) // 2), total_pages})
    return [(n, client.get(f"{url}{sep}per_page={per_page}&page={n}")) for n in numbers]


@pytest.mark.parametrize(("url", "list_schema", "item_url", "item_schema"), LIST_ENDPOINTS)
def test_every_endpoint_validates_on_first_middle_last_and_item_pages(
    directory, url, list_schema, item_url, item_schema
):
    client = Client()
    pages = _pages(client, url, per_page=2)
    assert len(pages) == 3 or url == "/oruk/taxonomies"
    seen = 0
    for number, response in pages:
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == "*"
        payload = response.json()
        oruk_validate(payload, list_schema)
        assert payload["page_number"] == number
        assert payload["first_page"] is (number == 1)
        assert payload["last_page"] is (number == payload["total_pages"])
        for item in payload["contents"]:
            seen += 1
            if item_url:
                one = client.get(item_url.format(item["id"]))
                assert one.status_code == 200, one.content
                oruk_validate(one.json(), item_schema)
                for contact in one.json().get("contacts", []):
                    for phone in contact["phones"]:
                        oruk_validate(phone, "phone.json")
    assert seen > 0


def test_root_describes_the_api(client):
    response = client.get("/oruk/")
    body = response.json()
    oruk_validate(body, "api_details.json")
    assert body["version"] == "HSDS-UK-3.0"
    assert client.get(body["openapi_url"].replace("http://testserver", "")).status_code == 200


def test_openapi_document_lists_the_endpoints(client):
    doc = client.get("/oruk/openapi.json").json()
    for path in (
        "/oruk/services",
        "/oruk/services/{service_id}",
        "/oruk/organizations",
        "/oruk/service_at_locations",
        "/oruk/taxonomies",
        "/oruk/taxonomy_terms",
    ):
        assert path in doc["paths"]


def test_full_service_carries_nested_objects(directory, client):
    body = client.get(f"/oruk/services/{directory[1].id}").json()
    assert body["organization"]["name"].startswith("Provider")
    assert body["schedules"][0]["byday"] == "MO,WE"
    location = body["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "SM1 1EA"
    assert {a["description"] for a in location["accessibility"]} == {
        "Step-free access",
        "Hearing loop",
    }
    assert body["attributes"][0]["taxonomy_term"]["name"] == "Crafts"
    assert body["cost_options"][0]["amount"] == 2.5


def test_filters_combine_with_and(directory, client, categories):
    org = directory[1].provider
    both = client.get(
        f"/oruk/services?organization_id={org.id}&taxonomy_term_id={categories.crafts.id}"
    ).json()
    expected = {str(a.id) for a in directory if a.provider_id == org.id and a.name[-1] in "1357"}
    assert {s["id"] for s in both["contents"]} == expected
    by_taxonomy = client.get(f"/oruk/services?taxonomy_id={categories.taxonomy.id}").json()
    assert by_taxonomy["total_items"] == 8
    text = client.get("/oruk/services?search=service 3").json()
    assert str(directory[3].id) in {s["id"] for s in text["contents"]}


def test_modified_after(directory, client):
    future = (timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert client.get(f"/oruk/services?modified_after={future}").json()["total_items"] == 0
    assert client.get("/oruk/services?modified_after=2000-01-01").json()["total_items"] == 8
    bad = client.get("/oruk/services?modified_after=yesterday")
    assert bad.status_code == 400 and bad.json()["code"] == "assets.oruk_bad_request"


def test_postcode_and_proximity(directory, client):
    near = client.get("/oruk/service_at_locations?postcode=SM1 1EA&proximity=500").json()
    oruk_validate(near, "service_at_location_list.json")
    found = {s["service_id"] for s in near["contents"]}
    # The odd services are at SM1 1EA; service 3 also covers the borough.
    assert found == {str(a.id) for a in directory if a.name[-1] in "1357"}
    services_near = client.get("/oruk/services?postcode=SM1 1EA&proximity=500").json()
    assert services_near["total_items"] == 4
    wide = client.get("/oruk/services?postcode=SM1 1EA&proximity=10000").json()
    assert wide["total_items"] == 8
    assert client.get("/oruk/services?postcode=nonsense").status_code == 400
    assert client.get("/oruk/services?postcode=SM1 1EA&proximity=-1").status_code == 400


def test_minimal_and_empty_pages(directory, client):
    minimal = client.get("/oruk/services?minimal=true").json()
    oruk_validate(minimal, "service_list.json")
    assert set(minimal["contents"][0]) == {"id", "name", "status", "last_modified"}
    empty = client.get("/oruk/services?search=zzzzqqqq").json()
    oruk_validate(empty, "service_list.json")
    assert empty["empty"] is True and empty["total_items"] == 0


def test_bad_paging_and_unknown_ids(directory, client):
    assert client.get("/oruk/services?per_page=0").status_code == 400
    assert client.get("/oruk/services?page=0").status_code == 400
    assert client.get("/oruk/services/not-a-uuid").status_code == 404
    assert client.get("/oruk/services/00000000-0000-0000-0000-000000000000").status_code == 404
    assert (
        client.get("/oruk/taxonomy_terms/00000000-0000-0000-0000-000000000000").status_code == 404
    )


def test_no_personal_data_and_no_hidden_listings(directory, client, staff):
    services.asset_edit(
        actor=staff, asset_id=directory[0].id, expected_version=1, changes={"status": "defunct"}
    )
    text = client.get("/oruk/services?full=true&per_page=100").content.decode()
    assert "Private Person" not in text and "Baking" not in text
    assert str(directory[0].id) not in text
    assert client.get(f"/oruk/services/{directory[0].id}").status_code == 404


def test_public_even_for_a_staff_member_midway_through_signing_in(directory, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client = Client()
    client.force_login(UserFactory(role=Role.COORDINATOR))
    response = client.get("/oruk/services")
    assert response.status_code == 200  # not redirected to the second-factor page
    assert client.get("/directory/").status_code == 302  # the rest of the site still is


def test_ndjson_streams_every_service(directory, client):
    response = client.get("/oruk/services?format=ndjson")
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert len(lines) == 8


def test_the_page_built_from_rows_matches_the_objects_built_from_model_instances(directory, staff):
    """`oruk_services_full` (plain rows, for speed) and `oruk.service_dict` (model instances,
    for single objects elsewhere) must never drift apart."""
    from placebase.assets import oruk, selectors

    extra = directory[3]
    location = m.ServiceAtLocation.objects.filter(asset=extra).first().location
    m.Phone.objects.create(location=location, number="020 8770 5002", description="Venue")
    services.asset_location_add(
        actor=staff,
        asset_id=extra.id,
        values={"location_name": "Second venue", "postcode": "SM6 7LY"},
    )
    ids = [a.id for a in directory]
    rows = selectors.oruk_services_full(asset_ids=ids)
    instances = {a.id: a for a in selectors.listing_queryset().filter(id__in=ids)}
    attributes = selectors.attributes_for(asset_ids=ids)
    for asset_id in ids:
        expected = oruk.service_dict(
            instances[asset_id], full=True, attributes=attributes.get(asset_id, [])
        )
        assert rows[asset_id] == expected
        oruk_validate(rows[asset_id], "service.json")
    assert len(rows[extra.id]["service_at_locations"]) == 2
    assert rows[extra.id]["service_at_locations"][0]["location"]["phones"][0]["number"] == (
        "020 8770 5002"
    )
