"""Places pages: permissions, the picker, imports as background jobs, custom areas."""

import json
import uuid

import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from placebase.places import services
from placebase.places.models import Area, ImportJob, ImportStatus

from .factories import EAST, WEST, UserFactory, collection, import_set

pytestmark = pytest.mark.django_db


def _client_for(client, role):  # type: ignore[no-untyped-def]
    client.force_login(UserFactory(role=role))
    return client


def test_places_pages_need_sign_in_and_the_right_role(client, no_mfa):
    index = reverse("places:index")
    assert client.get(index).status_code == 302
    volunteer = _client_for(client, "volunteer")
    assert volunteer.get(index).status_code == 403
    assert volunteer.get(reverse("places:picker")).status_code == 403


def test_index_lists_sets_and_offers_imports_to_importers_only(client, tmp_path, no_mfa):
    import_set(tmp_path, [WEST, EAST])
    analyst = _client_for(client, "analyst")
    page = analyst.get(reverse("places:index")).content.decode()
    assert "Electoral ward 2025" in page and "Import boundaries" in page
    assert 'style="' not in page
    councillor = _client_for(client, "councillor")
    page = councillor.get(reverse("places:index")).content.decode()
    assert "Electoral ward 2025" in page and "Import boundaries" not in page
    assert councillor.get(reverse("places:import", args=["boundaries"])).status_code == 403


def test_picker_by_name_and_code_with_return_to(analyst_client, tmp_path):
    import_set(tmp_path, [WEST, EAST])
    response = analyst_client.get(
        reverse("places:picker"), {"q": "west", "return_to": "/reports/x/"}
    )
    rows = response.context["rows"]
    assert [a.code for a, _ in rows] == ["X01"]
    assert rows[0][1] == f"/reports/x/?area={rows[0][0].id}"
    by_code = analyst_client.get(reverse("places:picker"), {"q": "X02"}).context["rows"]
    assert [a.code for a, _ in by_code] == ["X02"]
    # An off-site return_to is ignored rather than followed.
    evil = analyst_client.get(
        reverse("places:picker"), {"q": "west", "return_to": "https://evil.example/"}
    )
    assert evil.context["rows"][0][1].startswith("/places/areas/")


def test_picker_explains_unknown_and_terminated_postcodes(analyst_client):
    from placebase.places.models import Postcode

    Postcode.objects.create(postcode="SM1 1AB", lat=51.35, lon=-0.19, terminated="200207")
    page = analyst_client.get(reverse("places:picker"), {"q": "SM1 1AB"}).content.decode()
    assert "no longer in use" in page and "govuk-error-summary" in page
    page = analyst_client.get(reverse("places:picker"), {"q": "ZZ9 9ZZ"}).content.decode()
    assert "not a known postcode" in page


def test_area_and_set_pages(analyst_client, tmp_path):
    wards = import_set(tmp_path, [WEST, EAST])
    area = Area.objects.get(code="X01")
    page = analyst_client.get(reverse("places:area_detail", args=[area.id])).content.decode()
    assert "West" in page and 'id="area-map-data"' in page and "leaflet.js" in page
    assert "No population figures are held" in page
    page = analyst_client.get(
        reverse("places:set_detail", args=[wards.id]), {"q": "east"}
    ).content.decode()
    assert "East" in page and "West</a>" not in page
    missing = reverse("places:area_detail", args=[uuid.uuid4()])
    assert analyst_client.get(missing).status_code == 404


def test_record_counts_on_the_area_page_respect_disclosure(client, tmp_path, no_mfa):
    import_set(tmp_path, [WEST, EAST])
    for _ in range(3):
        services.located_point_assign(
            record_type="casework.person", record_id=uuid.uuid4(), lat=51.365, lon=-0.195
        )
    area = Area.objects.get(code="X01")
    url = reverse("places:area_detail", args=[area.id])
    councillor = _client_for(client, "councillor")
    assert councillor.get(url).context["record_counts"] == [("casework.person", "*")]
    manager = _client_for(client, "manager")
    assert manager.get(url).context["record_counts"] == [("casework.person", 3)]


def test_boundary_upload_runs_as_a_background_job(
    analyst_client, tmp_path, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile(
        "wards.geojson",
        json.dumps(collection([WEST, EAST])).encode(),
        content_type="application/geo+json",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_client.post(
            reverse("places:import", args=["boundaries"]),
            {"file": upload, "level": "ward", "vintage": "2025"},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("places:job_detail", args=[job.id])
    assert job.status == ImportStatus.SUCCEEDED
    assert job.result["created"] == 2 and job.attempts == 1
    assert Area.objects.count() == 2
    page = analyst_client.get(response["Location"]).content.decode()
    assert "Finished" in page


def test_bad_upload_fails_visibly_with_each_problem(
    analyst_client, django_capture_on_commit_callbacks
):
    doc = collection([WEST, ("X01", "Again", WEST[2])])
    upload = SimpleUploadedFile("wards.geojson", json.dumps(doc).encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_client.post(
            reverse("places:import", args=["boundaries"]),
            {"file": upload, "level": "ward", "vintage": "2025"},
        )
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and job.attempts == 1  # bad input: no retry
    assert job.problems == [{"index": 1, "reason": "repeats the code X01 (first at feature 0)"}]
    page = analyst_client.get(response["Location"]).content.decode()
    assert "Feature 1" in page and "repeats the code X01" in page
    assert not Area.objects.exists()


def test_unexpected_errors_are_retried_then_shown(
    monkeypatch, analyst, django_capture_on_commit_callbacks
):
    calls = []

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "postcode_import", broken)
    upload = SimpleUploadedFile("p.csv", b"pcds,lat,long\n")
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_start(kind="postcodes", actor=analyst, options={}, upload=upload)
    job.refresh_from_db()
    assert len(calls) == services.MAX_ATTEMPTS
    assert job.status == ImportStatus.FAILED and "Nothing was changed" in job.message


def test_import_form_errors_show_a_summary(analyst_client):
    response = analyst_client.post(reverse("places:import", args=["boundaries"]), {"level": "ward"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "Choose a file to upload" in page
    assert not ImportJob.objects.exists()
    assert analyst_client.get(reverse("places:import", args=["nonsense"])).status_code == 404


def test_custom_area_by_pasted_geojson_then_redrawn(
    client, no_mfa, django_capture_on_commit_callbacks
):
    coordinator = _client_for(client, "coordinator")
    shape = shapely.to_geojson(shapely.box(-0.2, 51.36, -0.19, 51.37))
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(
            reverse("places:custom_area_create"),
            {"name": "Roundshaw", "level": "patch", "geometry": shape},
        )
    area = Area.objects.get(code="roundshaw")
    assert response["Location"] == reverse("places:area_detail", args=[area.id])
    assert ImportJob.objects.get().kind == "locate"
    bigger = shapely.to_geojson(shapely.box(-0.2, 51.36, -0.18, 51.37))
    upload = SimpleUploadedFile("shape.geojson", bigger.encode())
    coordinator.post(
        reverse("places:custom_area_edit", args=[area.id]),
        {"name": "Roundshaw", "level": "patch", "file": upload},
    )
    area.refresh_from_db()
    assert area.version == 2 and area.max_lon == pytest.approx(-0.18)
    page = coordinator.get(reverse("places:area_detail", args=[area.id])).content.decode()
    assert "Versions of this area" in page and "Redraw this area" in page


def test_custom_area_form_errors(client, tmp_path, no_mfa):
    coordinator = _client_for(client, "coordinator")
    url = reverse("places:custom_area_create")
    response = coordinator.post(url, {"name": "X", "level": "patch", "geometry": "{oops"})
    assert "not valid GeoJSON" in response.content.decode()
    response = coordinator.post(url, {"name": "X", "level": "patch"})
    assert "Draw the area, paste its GeoJSON or upload a file" in response.content.decode()
    assert not Area.objects.exists()
    wards = import_set(tmp_path, [WEST])
    ward = Area.objects.get(boundary_set=wards)
    assert coordinator.get(reverse("places:custom_area_edit", args=[ward.id])).status_code == 404
    analyst_only = _client_for(client, "councillor")
    assert analyst_only.get(url).status_code == 403
