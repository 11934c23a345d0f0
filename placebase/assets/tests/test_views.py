"""The directory's pages: public search and listings, reporting, shortlists, gifts, and the
staff pages for moderation, spreadsheets, gaps and projects."""

import pytest
from django.test import Client
from django.urls import reverse

from placebase.accounts.roles import Role
from placebase.assets import models as m
from placebase.assets import services
from placebase.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


def signed_in(role, **kwargs):
    client = Client()
    user = UserFactory(role=role, **kwargs)
    client.force_login(user)
    return client, user


def test_public_search_by_postcode_lists_and_maps_results(make_asset, client, categories):
    asset = make_asset(
        name="Knit and Natter",
        postcode="SM1 1EA",
        is_free=True,
        term_ids=[str(categories.crafts.id)],
    )
    response = client.get("/directory/", {"postcode": "sm11ea", "q": "knit", "radius": "1609"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Knit and Natter" in html and "1 result for SM1 1EA" in html
    assert reverse("assets:listing", args=[asset.id]) in html
    assert 'id="map-points"' in html and "leaflet.js" in html
    assert "style=" not in html  # no inline styles under the CSP


def test_bad_postcode_shows_an_error_summary(client, place):
    response = client.get("/directory/", {"postcode": "SM9 9ZZ"})
    html = response.content.decode()
    assert "There is a problem" in html and "SM9 9ZZ is not a known postcode" in html
    assert "<title>Error:" in html


def test_listing_page_shows_what_people_need(make_asset, client, staff):
    asset = make_asset(
        name="Lunch club",
        postcode="SM1 1EA",
        phone="020 8770 5000",
        transportation="Bus 154 to Sutton Green",
        access_features=["step_free"],
    )
    m.Schedule.objects.create(asset=asset, byday="TU", description="Tuesdays")
    html = client.get(reverse("assets:listing", args=[asset.id])).content.decode()
    for text in (
        "Lunch club",
        "Tuesdays",
        "Bus 154",
        "Step-free access",
        "020 8770 5000",
        "Report a problem",
    ):
        assert text in html
    services.asset_edit(
        actor=staff, asset_id=asset.id, expected_version=1, changes={"status": "defunct"}
    )
    assert client.get(reverse("assets:listing", args=[asset.id])).status_code == 404


def test_report_a_problem(make_asset, client):
    asset = make_asset(name="Lunch club")
    url = reverse("assets:report", args=[asset.id])
    bad = client.post(url, {"message": ""})
    assert "There is a problem" in bad.content.decode()
    assert not m.EditProposal.objects.exists()
    good = client.post(url, {"message": "Now on Wednesdays"})
    assert good.status_code == 302
    assert m.EditProposal.objects.get().message == "Now on Wednesdays"


def test_shortlist_saves_prints_and_shares(make_asset, client):
    a, b = make_asset(name="Choir"), make_asset(name="Book club")
    for asset in (a, b):
        client.post(reverse("assets:shortlist_toggle", args=[asset.id]), {"next": "/directory/"})
    page = client.get(reverse("assets:shortlist")).content.decode()
    assert "Choir" in page and "Book club" in page and f"ids={a.id},{b.id}" in page
    shared = Client().get(reverse("assets:shortlist"), {"ids": f"{b.id},nonsense"})
    assert "Book club" in shared.content.decode() and "Choir" not in shared.content.decode()


def test_gifts_are_public_only_as_someone_in_a_ward(client, staff, place):
    services.gift_record(
        actor=staff,
        person_name="Doreen Example",
        contact="07700 900123",
        postcode="SM6 7LY",
        description="Can teach crochet",
        consent_statement="Agreed to be listed",
        show_publicly=True,
    )
    hidden = services.gift_record(
        actor=staff,
        person_name="Private",
        description="Baking",
        consent_statement="Agreed, not public",
    )
    html = client.get(reverse("assets:gifts")).content.decode()
    assert "Can teach crochet" in html and "Someone in Wallington North" in html
    assert "Doreen" not in html and "07700" not in html and "SM6" not in html
    assert "Baking" not in html
    services.gift_withdraw(actor=staff, gift_id=hidden.id)
    with pytest.raises(services.ConsentMissing):
        services.gift_record(actor=staff, person_name="X", description="Y", consent_statement=" ")


def test_staff_pages_need_sign_in_and_the_right_role(client):
    assert client.get("/directory/manage/").status_code == 302
    volunteer, _ = signed_in(Role.VOLUNTEER)
    assert volunteer.get("/directory/manage/").status_code == 403
    assert volunteer.get("/directory/gaps/").status_code == 403


def test_provider_edit_is_queued_then_approved_by_a_moderator(make_asset):
    asset = make_asset(name="Men's Shed", postcode="SM1 1EA")
    provider, _ = signed_in(Role.PROVIDER_EDITOR)
    form = provider.get(reverse("assets:edit", args=[asset.id]))
    assert "Send for review" in form.content.decode()
    data = {
        **services.asset_snapshot(asset),
        "version": 1,
        "description": "Woodwork",
        "term_ids": [],
        "access_features": [],
    }
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.pop("is_free")
    data.pop("acv_listed")
    response = provider.post(reverse("assets:edit", args=[asset.id]), data)
    assert response.status_code == 302
    proposal = m.EditProposal.objects.get()
    assert proposal.changes == {"description": "Woodwork"}

    moderator, _ = signed_in(Role.CONNECTOR)
    review = moderator.get(reverse("assets:proposal", args=[proposal.id])).content.decode()
    assert "Woodwork" in review and "<ins>" in review
    moderator.post(reverse("assets:proposal", args=[proposal.id]), {"decision": "approve"})
    asset.refresh_from_db()
    assert asset.description == "Woodwork"


def test_edit_with_a_stale_version_is_refused_on_the_page(make_asset):
    asset = make_asset(name="Choir")
    staff_client, user = signed_in(Role.CONNECTOR)
    services.asset_edit(actor=user, asset_id=asset.id, expected_version=1, changes={"fees": "£1"})
    data = {
        "name": "Choir",
        "kind": "group",
        "status": "active",
        "usage": "unknown",
        "version": 1,
        "fees": "£2",
    }
    html = staff_client.post(reverse("assets:edit", args=[asset.id]), data).content.decode()
    assert "Someone else changed this listing" in html
    asset.refresh_from_db()
    assert asset.fees == "£1"


def test_manage_page_flags_stale_and_lists_the_queue(make_asset):
    asset = make_asset(name="Old club")
    m.Asset.objects.filter(pk=asset.pk).update(last_reviewed_at="2020-01-01T00:00:00Z")
    moderator, _ = signed_in(Role.CONNECTOR)
    html = moderator.get("/directory/manage/").content.decode()
    assert "Not checked recently (1)" in html and "Old club" in html


def test_spreadsheet_template_export_and_bad_import(make_asset):
    make_asset(name="Hall", kind="room", postcode="SM1 1EA")
    moderator, _ = signed_in(Role.CONNECTOR)
    template = moderator.get(reverse("assets:register_template_csv"))
    assert template["Content-Disposition"].endswith('.csv"')
    assert b"name,kind" in template.content
    export = moderator.get(reverse("assets:register_export_xlsx"))
    assert export.content[:2] == b"PK"
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("register.csv", b"name,kind,postcode\nNew hall,castle,SM1 1EA\n")
    html = moderator.post(reverse("assets:register_import"), {"file": bad}).content.decode()
    assert "line 2, kind" in html and m.Asset.objects.count() == 1


def test_gaps_view_records_and_shows_unmet_needs(make_asset, categories):
    coordinator, _ = signed_in(Role.COORDINATOR)
    response = coordinator.post(
        "/directory/gaps/",
        {
            "area_code": "E05000555",
            "area_name": "Wallington North",
            "term": str(categories.mental_health.id),
            "note": "Nothing for young men",
        },
    )
    assert response.status_code == 302
    html = coordinator.get("/directory/gaps/").content.decode()
    assert "Needs no local asset meets (1)" in html and "Nothing for young men" in html
    bad = coordinator.post("/directory/gaps/", {"area_code": "nowhere", "term": ""})
    assert "There is a problem" in bad.content.decode()
    assert m.UnmetNeed.objects.count() == 1


def test_project_page_moves_the_stage_forward(staff):
    project = services.project_create(actor=staff, name="Roundshaw community fridge")
    coordinator, _ = signed_in(Role.COORDINATOR)
    url = reverse("assets:project", args=[project.id])
    coordinator.post(url, {"to_stage": "first_gathering"})
    project.refresh_from_db()
    assert project.stage == "first_gathering"
    html = coordinator.post(url, {"to_stage": "self_sustaining"}).content.decode()
    assert "cannot go from first gathering" in html
    assert "Roundshaw" in coordinator.get("/directory/projects/").content.decode()
