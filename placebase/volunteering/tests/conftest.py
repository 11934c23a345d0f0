import datetime as dt

import pytest
from django.utils import timezone

from placebase.accounts.roles import Role
from placebase.factories import OrganisationFactory, UserFactory
from placebase.volunteering import services
from placebase.volunteering.models import CheckLevel, OpportunityKind, Volunteer

TODAY = dt.date(2026, 3, 2)
SUTTON = "SM1 1EA"
WALLINGTON = "SM6 8DZ"


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="London Borough of Sutton")


@pytest.fixture
def coordinator(organisation):
    return UserFactory(role=Role.VOLUNTEER_COORDINATOR, organisation=organisation)


@pytest.fixture
def skills(db):
    return {
        slug: services.skill_ensure(slug=slug, name=slug.replace("-", " ").capitalize())
        for slug in ("reading-with-children", "befriending", "promoting", "gardening")
    }


@pytest.fixture
def badges(db):
    services.badges_ensure()


def make_volunteer(
    *, email="sam@example.org", dob=dt.date(1990, 5, 1), postcode=SUTTON, **extra
) -> Volunteer:
    fields = {
        "first_name": "Sam",
        "last_name": "Jones",
        "email": email,
        "date_of_birth": dob,
        "postcode": postcode,
        "password": "a-long-unusual-passphrase-91",
        "consent": True,
        "today": TODAY,
    }
    fields.update(extra)
    return services.volunteer_sign_up(**fields)


@pytest.fixture
def volunteer(skills):
    return make_volunteer(skills=["reading-with-children"])


@pytest.fixture
def micro(coordinator):
    return services.opportunity_create(
        actor=coordinator,
        title="Check on a neighbour",
        summary="Knock and say hello.",
        kind=OpportunityKind.MICRO,
        duration_minutes=15,
        postcode=SUTTON,
    )


@pytest.fixture
def reading(coordinator, skills):
    return services.opportunity_create(
        actor=coordinator,
        title="Hear children read",
        summary="An hour a week in a school.",
        kind=OpportunityKind.PLACEMENT,
        postcode=WALLINGTON,
        skills=["reading-with-children"],
        regulated_activity=True,
        check_level=CheckLevel.ENHANCED_BARRED,
        capacity=2,
    )


def soon(days=7):
    return timezone.now() + dt.timedelta(days=days)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Rate-limit counts live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
