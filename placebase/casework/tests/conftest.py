"""Fixtures for case-work tests: an organisation with a Local Area Coordination team, its
coordinators and a manager, a patch drawn round central Sutton, and the service types."""

import datetime
import json

import pytest
from django.utils import timezone

from placebase.accounts.models import OrganisationKind, Team
from placebase.accounts.roles import Role
from placebase.casework import services
from placebase.casework.models import PatchAssignment
from placebase.evidence.services import service_types_load_starter
from placebase.factories import OrganisationFactory, UserFactory
from placebase.places.models import Level
from placebase.places.services import custom_area_save
from placebase.testing.auth import sign_in_client

# A box round Sutton town centre (SM1 1EA, the civic offices, is inside it).
SUTTON_CENTRE_BOX = {
    "type": "Polygon",
    "coordinates": [
        [[-0.205, 51.355], [-0.180, 51.355], [-0.180, 51.372], [-0.205, 51.372], [-0.205, 51.355]]
    ],
}
SUTTON_POINT = ("SM1 1EA", 51.3618, -0.1945)


@pytest.fixture(autouse=True)
def _service_types(db):
    service_types_load_starter()


@pytest.fixture(autouse=True)
def _no_postcode_lookup(monkeypatch):
    """Tests locate postcodes without the whole-UK geocoder unless they ask for it: any
    postcode is put at Sutton civic offices, and "ZZ1 1ZZ" is unknown."""
    from placebase.places.errors import PostcodeUnknown

    def lookup(postcode: str):
        if postcode.replace(" ", "").upper() == "ZZ11ZZ":
            raise PostcodeUnknown("ZZ1 1ZZ is not a known postcode")
        return postcode.upper(), SUTTON_POINT[1], SUTTON_POINT[2]

    monkeypatch.setattr(services, "_places_postcode_point", lookup)


@pytest.fixture
def org(db):
    return OrganisationFactory(
        name="Sutton Council Adult Social Care", kind=OrganisationKind.COUNCIL
    )


@pytest.fixture
def team(org):
    return Team.objects.create(organisation=org, name="Local Area Coordination")


@pytest.fixture
def coordinator(org, team):
    return UserFactory(role=Role.COORDINATOR, organisation=org, teams=[team], username="cora")


@pytest.fixture
def other_coordinator(org):
    # Same organisation, different team and no patch.
    other_team = Team.objects.create(organisation=org, name="Other team")
    return UserFactory(role=Role.COORDINATOR, organisation=org, teams=[other_team], username="otto")


@pytest.fixture
def manager(org, team):
    return UserFactory(role=Role.MANAGER, organisation=org, teams=[team], username="maya")


@pytest.fixture
def patch(coordinator):
    area = custom_area_save(
        actor=None,
        name="Sutton Central",
        geometry=json.dumps(SUTTON_CENTRE_BOX),
        level=Level.PATCH,
    )
    PatchAssignment.objects.create(user=coordinator, area=area)
    return area


@pytest.fixture
def today():
    return timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def introduce(user, **overrides):
    values = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": datetime.date(1950, 12, 10),
        "postcode": "SM1 1EA",
        "source": "gp",
        "introduced_on": days_ago(30),
        "reason": "Lonely since her husband died; GP thinks she would enjoy company.",
    }
    values.update(overrides)
    return services.person_introduce(user=user, **values)


@pytest.fixture
def person(coordinator, patch):
    return introduce(coordinator).person


@pytest.fixture
def client_for(client):
    def make(user):
        return sign_in_client(client, user)

    return make
