"""Pages: who may open what, forms with GOV.UK errors that write nothing, and journeys."""

import datetime

import pytest
from django.urls import reverse

from placebase.accounts.roles import Role
from placebase.engagement import services
from placebase.engagement.models import Activity, CouncillorWard, Participation
from placebase.factories import UserFactory
from placebase.testing.auth import sign_in_client


@pytest.fixture
def as_connector(client, connector):
    return sign_in_client(client, connector)


@pytest.fixture
def as_councillor(client, councillor):
    return sign_in_client(client, councillor)


def test_connector_records_an_activity_and_a_participant(place, as_connector):
    response = as_connector.post(
        reverse("engagement:activity_new"),
        {
            "kind": "visioning",
            "title": "Dream big",
            "held_on": "2026-03-01",
            "area": str(place.ward_a.id),
            "venue_postcode": "",
            "theme": "",
            "notes": "",
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("engagement:activity_detail", args=[activity.id])
    response = as_connector.post(
        reverse("engagement:participation_add", args=[activity.id]),
        {"reference": "", "age_band": "50_64", "home_postcode": "SM1 1AA"},
    )
    assert response.status_code == 302
    participation = Participation.objects.get()
    page = as_connector.get(reverse("engagement:activity_detail", args=[activity.id]))
    assert page.status_code == 200
    assert participation.participant.reference in page.content.decode()
    # The full postcode is never shown, only its district.
    assert "SM1 1AA" not in page.content.decode()
    response = as_connector.post(
        reverse("engagement:contribution_add", args=[participation.id]),
        {"kind": "idea", "text": "A tool library"},
    )
    assert response.status_code == 302
    assert (
        "A tool library"
        in as_connector.get(
            reverse("engagement:activity_detail", args=[activity.id])
        ).content.decode()
    )


def test_bad_activity_form_shows_errors_and_writes_nothing(place, as_connector):
    response = as_connector.post(
        reverse("engagement:activity_new"),
        {
            "kind": "",
            "title": "",
            "held_on": "31/02/2026",
            "area": "",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter a title for the activity" in body
    assert "Enter a real date" in body
    assert not Activity.objects.exists()


def test_bad_postcode_on_participant_form(place, as_connector, connector):
    activity = services.activity_create(
        actor=connector,
        kind="event",
        title="Fair",
        held_on=datetime.date(2026, 1, 1),
        area_id=place.ward_a.id,
    )
    response = as_connector.post(
        reverse("engagement:participation_add", args=[activity.id]),
        {"reference": "", "age_band": "16_24", "home_postcode": "nonsense"},
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    response = as_connector.post(
        reverse("engagement:participation_add", args=[activity.id]),
        {"reference": "P-NOPE"},
    )
    assert "There is no participant with that reference" in response.content.decode()
    assert not Participation.objects.exists()


def test_breadth_page_renders_with_map_chart_and_tables(place, as_connector, connector):
    activity = services.activity_create(
        actor=connector,
        kind="event",
        title="Fair",
        held_on=datetime.date(2026, 1, 1),
        area_id=place.ward_a.id,
    )
    person = services.participant_register(
        actor=connector, age_band="16_24", home_postcode="SM1 1AA"
    )
    services.participation_record(actor=connector, activity=activity, participant=person)
    response = as_connector.get(
        reverse("engagement:breadth"), {"area": str(place.ward_a.id), "level": "lsoa"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'role="img"' in body and "Share of participants" in body
    assert "participation-map-data" in body and "E01000001" in body
    assert 'style="' not in body
    bad = as_connector.get(
        reverse("engagement:breadth"), {"start": "2026-05-01", "end": "2026-01-01"}
    )
    assert "The end of the period must be after its start" in bad.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "engagement:index",
        "engagement:breadth",
        "engagement:activity_new",
        "engagement:councillor_wards",
    ],
)
def test_councillor_is_refused_staff_pages(place, as_councillor, name):
    assert as_councillor.get(reverse(name)).status_code == 403


def test_councillor_ward_view(place, as_councillor, councillor):
    admin = UserFactory(role=Role.ADMIN)
    response = as_councillor.get(reverse("engagement:ward_view"))
    assert "No wards are linked to your account yet" in response.content.decode()
    services.councillor_ward_assign(actor=admin, user=councillor, area_id=place.ward_a.id)
    response = as_councillor.get(reverse("engagement:ward_view"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Northfield" in body and "Southmead" not in body
    assert "counts from 1 to 7 are shown as *" in body
    assert "Not available yet" in body or "Introductions" in body
    # Asking for someone else's ward gives nothing extra.
    other = as_councillor.get(reverse("engagement:ward_view"), {"ward": str(place.ward_b.id)})
    assert "Southmead" not in other.content.decode()


def test_home_page_links_a_councillor_to_their_wards(place, as_councillor):
    body = as_councillor.get("/").content.decode()
    assert reverse("engagement:ward_view") in body


def test_admin_links_and_unlinks_a_ward(place, client, councillor):
    admin = UserFactory(role=Role.ADMIN)
    sign_in_client(client, admin)
    url = reverse("engagement:councillor_wards")
    response = client.post(url, {"user": str(councillor.pk), "area": str(place.ward_b.id)})
    assert response.status_code == 302
    ward = CouncillorWard.objects.get()
    bad = client.post(url, {"user": "", "area": ""})
    assert "Choose a councillor" in bad.content.decode()
    client.post(reverse("engagement:councillor_ward_remove", args=[ward.id]))
    assert not CouncillorWard.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(place, client):
    response = client.get(reverse("engagement:ward_view"))
    assert response.status_code == 302 and "/account/sign-in/" in response.url
