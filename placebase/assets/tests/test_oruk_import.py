"""Importing Open Referral UK feeds: folders and APIs, bad and partial feeds (clear errors,
nothing written), re-import (nothing changes), updates in place, and what cannot be mapped."""

import http.server
import json
import threading
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from placebase.assets import models as m
from placebase.assets import services
from placebase.assets.oruk_import import FeedInvalid, FeedUnreachable

from .conftest import oruk_validate

pytestmark = pytest.mark.django_db

ORG = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
TAXONOMY = "5c4d79d7-cc55-470e-9f1f-8cad074e4892"
PARENT_TERM = "0bc248fa-dc27-4650-9ba4-8f1a24ef16a2"
TERM = "3f7b145d-84af-42d7-8fae-eaca714b02b2"


def service(n: int, **extra):
    sid = str(uuid.UUID(int=n + 1000))
    body = {
        "id": sid,
        "name": f"Counselling {n}",
        "description": "Talking therapy",
        "status": "active",
        "url": "https://example.org/c",
        "email": "c@example.org",
        "organization_id": ORG,
        "minimum_age": 16,
        "assured_date": "2026-01-05",
        "schedules": [
            {
                "id": str(uuid.UUID(int=n + 2000)),
                "freq": "WEEKLY",
                "byday": "MO",
                "opens_at": "09:00:00",
                "closes_at": "17:00:00",
            }
        ],
        "service_areas": [
            {
                "id": str(uuid.UUID(int=n + 3000)),
                "name": "Sutton",
                "uri": "http://statistics.data.gov.uk/id/statistical-geography/E09000029",
            }
        ],
        "service_at_locations": [
            {
                "id": str(uuid.UUID(int=n + 4000)),
                "location": {
                    "id": str(uuid.UUID(int=n + 5000)),
                    "location_type": "physical",
                    "name": "Civic Centre",
                    "latitude": 51.3618,
                    "longitude": -0.1945,
                    "addresses": [
                        {
                            "id": str(uuid.UUID(int=n + 6000)),
                            "address_1": "St Nicholas Way",
                            "city": "Sutton",
                            "state_province": "London",
                            "postal_code": "SM1 1EA",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                    "accessibility": [
                        {
                            "id": str(uuid.UUID(int=n + 7000)),
                            "description": "Induction loop at reception",
                        }
                    ],
                },
            }
        ],
        "contacts": [
            {
                "id": str(uuid.UUID(int=n + 8000)),
                "title": "Reception",
                "phones": [{"id": str(uuid.UUID(int=n + 9000)), "number": "020 8770 5000"}],
            }
        ],
        "cost_options": [
            {
                "id": str(uuid.UUID(int=n + 10000)),
                "option": "Adults",
                "amount": 5,
                "amount_description": "a session",
            }
        ],
        "languages": [{"id": str(uuid.UUID(int=n + 11000)), "name": "Polish", "code": "pl"}],
        "funding": [{"id": str(uuid.UUID(int=n + 12000)), "source": "NHS"}],
        "attributes": [
            {"id": str(uuid.UUID(int=n + 13000)), "taxonomy_term_id": TERM, "link_type": "category"}
        ],
    }
    body.update(extra)
    return body


def page(contents, number=1, total_pages=1):
    return {
        "total_items": len(contents),
        "total_pages": total_pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number == total_pages,
        "empty": not contents,
        "contents": contents,
    }


ORGANIZATIONS = [
    {
        "id": ORG,
        "name": "Sutton Talking Therapies",
        "description": "NHS service",
        "website": "https://example.org",
        "organization_identifiers": [
            {
                "id": str(uuid.UUID(int=1)),
                "identifier_scheme": "GB-COH",
                "identifier_type": "Company number",
                "identifier": "1234567",
            }
        ],
    }
]
TAXONOMIES = [
    {
        "id": TAXONOMY,
        "name": "Needs",
        "description": "What people need",
        "taxonomy_terms": [
            {"id": PARENT_TERM, "name": "Health", "description": "Health"},
            {
                "id": TERM,
                "name": "Mental health",
                "description": "Mental health",
                "parent_id": PARENT_TERM,
            },
        ],
    }
]


def write_feed(folder: Path, services_list, *, extra_files=None):
    folder.mkdir(exist_ok=True)
    (folder / "organizations.json").write_text(json.dumps(page(ORGANIZATIONS)))
    (folder / "taxonomies.json").write_text(json.dumps(page(TAXONOMIES)))
    (folder / "services_1.json").write_text(json.dumps(page(services_list)))
    for name, text in (extra_files or {}).items():
        (folder / name).write_text(text)
    return folder


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            m.Asset,
            m.Location,
            m.ServiceAtLocation,
            m.Schedule,
            m.ServiceArea,
            m.Contact,
            m.Phone,
            m.CostOption,
            m.Language,
            m.Funding,
            m.Attribute,
            m.TaxonomyTerm,
            m.DirectoryOrganisation,
            m.Address,
            m.Accessibility,
        )
    }


def test_import_a_folder_maps_everything_and_is_idempotent(tmp_path, place):
    feed = write_feed(tmp_path / "feed", [service(1), service(2)])
    report = services.oruk_import(actor=None, source=str(feed))
    assert report.created["service"] == 2
    asset = m.Asset.objects.get(pk=uuid.UUID(int=1001))
    assert asset.name == "Counselling 1"
    assert asset.provider.name == "Sutton Talking Therapies"
    assert asset.languages.get().name == "Polish"
    assert asset.service_areas.get().area_code == "E09000029"
    assert asset.has_service_area is True
    location = asset.service_at_locations.get().location
    assert location.ward_code == "E05000564"  # located by the places engine
    assert location.accessibility.get().feature == "hearing_loop"
    term = m.TaxonomyTerm.objects.get(pk=TERM)
    assert str(term.parent_id) == PARENT_TERM and term.taxonomy.name == "Needs"
    assert asset.versions.count() == 1

    before = counts()
    again = services.oruk_import(actor=None, source=str(feed))
    assert not again.changed and counts() == before
    assert m.Asset.objects.get(pk=asset.pk).version == 1


def test_what_we_import_we_serve_as_valid_oruk(tmp_path, place):
    services.oruk_import(actor=None, source=str(write_feed(tmp_path / "f", [service(1)])))
    body = Client().get(f"/oruk/services/{uuid.UUID(int=1001)}").json()
    oruk_validate(body, "service.json")
    assert body["contacts"][0]["phones"][0]["number"] == "020 8770 5000"
    assert body["attributes"][0]["taxonomy_term"]["name"] == "Mental health"


def test_reimport_updates_in_place_by_id(tmp_path, place):
    feed = tmp_path / "feed"
    write_feed(feed, [service(1)])
    services.oruk_import(actor=None, source=str(feed))
    changed = service(1, name="Counselling for adults")
    changed["schedules"] = []
    write_feed(feed, [changed])
    report = services.oruk_import(actor=None, source=str(feed))
    assert report.updated["service"] == 1 and report.created["service"] == 0
    asset = m.Asset.objects.get(pk=uuid.UUID(int=1001))
    assert asset.name == "Counselling for adults" and not asset.schedules.exists()
    assert asset.version == 2 and m.Asset.objects.count() == 1


def test_bad_feed_lists_every_problem_and_writes_nothing(tmp_path, place):
    broken = service(2)
    del broken["name"]
    broken["status"] = "open"
    broken["service_at_locations"][0]["location"]["latitude"] = 123
    feed = write_feed(
        tmp_path / "bad", [service(1), broken], extra_files={"services_2.json": "{not json"}
    )
    with pytest.raises(FeedInvalid) as error:
        services.oruk_import(actor=None, source=str(feed))
    problems = "\n".join(error.value.details["problems"])
    assert "services_2.json: not valid JSON" in problems
    (feed / "services_2.json").unlink()
    with pytest.raises(FeedInvalid) as error:
        services.oruk_import(actor=None, source=str(feed))
    problems = "\n".join(error.value.details["problems"])
    assert "services_1.json contents[1]: 'name' is required" in problems
    assert "status must be one of" in problems and "'latitude' must be between" in problems
    assert all(v == 0 for v in counts().values())


def test_partial_feed_with_a_dangling_reference_is_refused(tmp_path, place):
    orphan = service(1)
    orphan["attributes"][0]["taxonomy_term_id"] = str(uuid.uuid4())
    feed = tmp_path / "partial"
    feed.mkdir()
    (feed / "services.json").write_text(json.dumps(page([orphan])))
    with pytest.raises(FeedInvalid) as error:
        services.oruk_import(actor=None, source=str(feed))
    assert "which is not in the feed" in error.value.details["problems"][0]
    assert m.Asset.objects.count() == 0


def test_unmapped_fields_and_non_uuid_ids_are_reported(tmp_path, place):
    odd = service(1, id="svc-42", accessibility_for_disabilities="Ramp", email="not-an-email")
    feed = write_feed(tmp_path / "odd", [odd])
    report = services.oruk_import(actor=None, source=str(feed))
    assert report.unmapped["service.accessibility_for_disabilities"] == 1
    assert report.unmapped["service.email (not an email address)"] == 1
    assert any("not UUIDs" in note for note in report.notes)
    first = set(m.Asset.objects.values_list("id", flat=True))
    services.oruk_import(actor=None, source=str(feed))
    assert set(m.Asset.objects.values_list("id", flat=True)) == first  # stable derived ids


def test_import_from_an_api_with_an_injected_fetch(place):
    base = "https://feed.example.org/oruk"
    pages = {
        f"{base}/services?page=1&per_page=100": page([service(1)], 1, 2),
        f"{base}/services?page=2&per_page=100": page([service(2)], 2, 2),
        f"{base}/organizations?page=1&per_page=100": page(ORGANIZATIONS),
        f"{base}/taxonomy_terms?page=1&per_page=100": page(TAXONOMIES[0]["taxonomy_terms"]),
    }
    for n in (1, 2):
        pages[f"{base}/services/{uuid.UUID(int=n + 1000)}"] = service(n)

    def fetch(url):
        if url not in pages:
            raise FeedUnreachable(f"{url}: the server answered 404", status=404)
        return pages[url]

    report = services.oruk_import(actor=None, source=base, fetch=fetch)
    assert report.created["service"] == 2
    assert "the feed does not offer /taxonomies" in report.notes


def test_import_from_a_local_http_server(tmp_path, place):
    feed = write_feed(tmp_path / "served", [service(1)])
    payloads = {
        "/oruk/services": (feed / "services_1.json").read_bytes(),
        f"/oruk/services/{uuid.UUID(int=1001)}": json.dumps(service(1)).encode(),
        "/oruk/organizations": (feed / "organizations.json").read_bytes(),
        "/oruk/taxonomies": (feed / "taxonomies.json").read_bytes(),
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            body = payloads.get(self.path.split("?")[0])
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body or b"{}")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/oruk"
        report = services.oruk_import(actor=None, source=url)
    finally:
        server.shutdown()
        server.server_close()
    assert report.created["service"] == 1
    assert "the feed does not offer /taxonomy_terms" in report.notes


def test_unreachable_source_is_a_clear_error(place):
    with pytest.raises(FeedUnreachable):
        services.oruk_import(actor=None, source="http://127.0.0.1:9/oruk")
    with pytest.raises(FeedUnreachable):
        services.oruk_import(actor=None, source="/no/such/folder")


def test_command_reports_and_explains(tmp_path, place, capsys):
    feed = write_feed(tmp_path / "cmd", [service(1)])
    call_command("import-oruk", str(feed))
    assert "service: 1 new" in capsys.readouterr().out
    call_command("import-oruk", str(feed))
    assert "Nothing changed." in capsys.readouterr().out
    with pytest.raises(CommandError, match="assets.oruk_feed_unreachable"):
        call_command("import-oruk", str(tmp_path / "missing"))
