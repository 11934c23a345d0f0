"""The dashboard's fast path (area combinations copied to people, introductions and
connections) gives exactly what a straightforward computation from the places engine's
membership rows gives, for the whole organisation and for any area at any level; and the
copies stay in step when people move or the places engine re-locates them."""

import json
import statistics
from collections import Counter, defaultdict

import pytest

from placebase.accounts.models import User
from placebase.casework import selectors, services
from placebase.casework.models import Connection, Introduction, Person
from placebase.places.models import Area, AreaMembership, Level, LocatedPoint
from placebase.places.services import custom_area_save

from .conftest import SUTTON_POINT, days_ago, introduce

pytestmark = pytest.mark.django_db

WEST_BOX = {
    "type": "Polygon",
    "coordinates": [
        [[-0.230, 51.355], [-0.206, 51.355], [-0.206, 51.372], [-0.230, 51.372], [-0.230, 51.355]]
    ],
}
WIDE_BOX = {
    "type": "Polygon",
    "coordinates": [
        [[-0.240, 51.350], [-0.170, 51.350], [-0.170, 51.380], [-0.240, 51.380], [-0.240, 51.350]]
    ],
}
POINTS = {
    "SM11EA": (SUTTON_POINT[1], SUTTON_POINT[2]),  # central patch, inside the neighbourhood
    "SM39AA": (51.3630, -0.2200),  # west patch, inside the neighbourhood
    "SM59ZZ": (51.3400, -0.1000),  # outside every area
}


@pytest.fixture(autouse=True)
def _postcodes_at_places(monkeypatch):
    def lookup(postcode: str):
        key = postcode.replace(" ", "").upper()
        lat, lon = POINTS.get(key, POINTS["SM11EA"])
        return postcode.upper(), lat, lon

    monkeypatch.setattr(services, "_places_postcode_point", lookup)


@pytest.fixture
def world(coordinator, other_coordinator, manager, patch):
    west = custom_area_save(
        actor=None, name="Sutton West", geometry=json.dumps(WEST_BOX), level=Level.PATCH
    )
    hood = custom_area_save(
        actor=None,
        name="Greater Sutton",
        geometry=json.dumps(WIDE_BOX),
        level=Level.NEIGHBOURHOOD,
    )
    services.patch_assign(user=manager, coordinator_id=other_coordinator.id, area_id=west.id)
    people = []
    plan = [
        ("SM1 1EA", "gp", 30, "sustained"),
        ("SM1 1EA", "self", 400, "did_not_stick"),  # introduced more than a year ago
        ("SM3 9AA", "police", 20, "sustained"),
        ("SM3 9AA", "housing", 10, None),
        ("SM5 9ZZ", "gp", 15, "did_not_stick"),  # outside every area
        ("", "vcs", 5, "sustained"),  # no address
    ]
    for n, (postcode, source, ago, final) in enumerate(plan):
        person = introduce(
            coordinator,
            first_name=f"Person{n}",
            last_name=f"Surname{n}",
            date_of_birth=None,
            postcode=postcode,
            source=source,
            introduced_on=days_ago(ago),
        ).person
        services.contact_record(
            user=coordinator,
            person_id=person.id,
            happened_on=days_ago(max(ago - n - 1, 0)),
            kind="conversation",
            duration_minutes=20,
        )
        connection = services.connection_suggest(
            user=coordinator,
            person_id=person.id,
            target_kind="other",
            target_name="Walking group",
            suggested_on=days_ago(ago),
        )
        if final:
            services.connection_update(
                user=coordinator,
                person_id=person.id,
                connection_id=connection.id,
                version=1,
                status=final,
                reason="Too far",
            )
        people.append(person)
    services.introduction_close(
        user=coordinator, person_id=people[1].id, closed_on=days_ago(2), reason="goals_met"
    )
    return {"patch": patch, "west": west, "hood": hood, "people": people}


def straightforward(manager, level: str, area_code: str) -> dict:
    """The figures computed the plain way: every row in Python, areas from memberships."""
    since = days_ago(365)
    org = manager.organisation_id
    areas_of: dict = defaultdict(set)
    for record_id, area_id in AreaMembership.objects.filter(
        record_type="casework.person"
    ).values_list("record_id", "area_id"):
        areas_of[record_id].add(area_id)
    people = set(Person.objects.filter(organisation_id=org).values_list("id", flat=True))
    if area_code:
        area = Area.objects.get(code=area_code, boundary_set__level=level)
        people = {p for p in people if area.id in areas_of[p]}
    intros = [i for i in Introduction.objects.filter(organisation_id=org) if i.person_id in people]
    names = dict(User.objects.values_list("id", "username"))
    opened = [i for i in intros if i.status == "open"]
    recent = [i for i in intros if i.introduced_on >= since]
    days = [
        i.days_to_first_conversation for i in recent if i.days_to_first_conversation is not None
    ]
    level_areas = Area.objects.filter(boundary_set__level=level, boundary_set__is_active=True)
    by_area = {}
    for area in level_areas:
        n = sum(1 for i in recent if area.id in areas_of[i.person_id])
        if n:
            by_area[area.code] = n
    connections = [
        c
        for c in Connection.objects.filter(organisation_id=org, suggested_on__gte=since)
        if c.person_id in people
    ]
    return {
        "people_in_scope": len(people) if area_code else None,
        "by_coordinator": Counter(names.get(i.coordinator_id, "Not assigned") for i in opened),
        "by_patch": Counter(i.patch_code or "Not in a patch" for i in opened),
        "by_source": Counter(i.source for i in recent),
        "by_area": by_area,
        "median": statistics.median(days) if days else None,
        "days_count": len(days),
        "by_status": Counter(c.status for c in connections),
    }


def fast(manager, level: str, area_code: str) -> dict:
    data = selectors.manager_dashboard(user=manager, level=level, area_code=area_code)
    return {
        "people_in_scope": data.people_in_scope,
        "by_coordinator": Counter(dict(data.caseload_by_coordinator)),
        "by_patch": Counter(dict(data.caseload_by_patch)),
        "by_source": Counter(dict(data.introductions_by_source)),
        "by_area": {code: n for code, _name, n in data.introductions_by_area},
        "median": data.days_to_first_conversation_median,
        "days_count": data.days_to_first_conversation_count,
        "by_status": Counter({s: n for s, n in data.connections_by_status if n}),
    }


def scopes(world) -> list[tuple[str, str]]:
    return [
        ("patch", ""),
        ("patch", world["patch"].code),
        ("patch", world["west"].code),
        ("neighbourhood", ""),
        ("neighbourhood", world["hood"].code),
    ]


def test_the_fast_dashboard_equals_the_straightforward_computation(manager, world):
    for level, code in scopes(world):
        assert fast(manager, level, code) == straightforward(manager, level, code), (level, code)
    # And the figures are the expected ones, not merely equal.
    central = fast(manager, "patch", world["patch"].code)
    assert central["people_in_scope"] == 2
    assert central["by_source"] == Counter({"gp": 1})  # the other is older than a year
    west = fast(manager, "patch", world["west"].code)
    assert west["by_status"] == Counter({"sustained": 1, "suggested": 1})
    hood = fast(manager, "neighbourhood", world["hood"].code)
    assert hood["by_area"] == {world["hood"].code: 3}


def test_a_move_carries_the_journey_to_the_new_area(manager, coordinator, world):
    mover = Person.objects.get(pk=world["people"][0].pk)
    services.person_update(
        user=coordinator, person_id=mover.id, version=mover.version, postcode="SM3 9AA"
    )
    mover.refresh_from_db()
    point = LocatedPoint.objects.get(record_type="casework.person", record_id=mover.id)
    assert mover.area_combination_id == point.combination_id
    assert set(mover.introductions.values_list("area_combination_id", flat=True)) == {
        point.combination_id
    }
    assert set(mover.connections.values_list("area_combination_id", flat=True)) == {
        point.combination_id
    }
    assert fast(manager, "patch", world["west"].code)["people_in_scope"] == 3
    for level, code in scopes(world):
        assert fast(manager, level, code) == straightforward(manager, level, code), (level, code)


def test_refresh_restores_copies_the_places_engine_has_moved_on_from(manager, world):
    # As if the places engine had re-located everyone (a new boundary set) behind our back.
    Person.objects.update(area_combination_id=None)
    Introduction.objects.update(area_combination_id=None)
    Connection.objects.update(area_combination_id=None)
    assert fast(manager, "patch", world["patch"].code)["people_in_scope"] == 0
    located = LocatedPoint.objects.filter(record_type="casework.person").count()
    assert services.area_combinations_refresh() == located
    assert services.area_combinations_refresh() == 0  # nothing left to change
    for level, code in scopes(world):
        assert fast(manager, level, code) == straightforward(manager, level, code), (level, code)


def test_placing_records_in_a_new_area_refreshes_the_copies_by_itself(
    manager, world, django_capture_on_commit_callbacks
):
    """No command to remember: once the places engine has placed records in a newly drawn
    area, the refresh named in settings.PLACES_AFTER_RELOCATION runs (here, immediately)."""
    import shapely

    from placebase.places.services import boundary_set_locate_existing

    person = Person.objects.get(pk=world["people"][0].pk)
    point = LocatedPoint.objects.get(record_type="casework.person", record_id=person.pk)
    around = shapely.box(
        point.lon - 0.0005, point.lat - 0.0005, point.lon + 0.0005, point.lat + 0.0005
    )
    drawn = custom_area_save(
        actor=None,
        name="A street",
        geometry=shapely.to_geojson(around),
        level="patch",
        vintage=2031,
    )
    with django_capture_on_commit_callbacks(execute=True):
        boundary_set_locate_existing(boundary_set=drawn.boundary_set)
        person.refresh_from_db()
        point.refresh_from_db()
        assert person.area_combination_id != point.combination_id  # stale until committed
    person.refresh_from_db()
    point.refresh_from_db()
    assert drawn.code in Area.objects.filter(id__in=point.combination.area_ids).values_list(
        "code", flat=True
    )
    assert person.area_combination_id == point.combination_id
    assert set(person.introductions.values_list("area_combination_id", flat=True)) == {
        point.combination_id
    }
    for level, code in scopes(world):
        assert fast(manager, level, code) == straightforward(manager, level, code), (level, code)


def test_a_reused_combination_id_is_not_trusted_from_the_cache(manager, world):
    from placebase.places.models import AreaCombination

    fast(manager, "patch", world["patch"].code)  # fills the process cache
    combination = AreaCombination.objects.get(
        id=Person.objects.get(pk=world["people"][0].pk).area_combination_id
    )
    # A rolled-back id reused for other areas has another key: its areas are read again.
    combination.key = "0" * 64
    combination.area_ids = [str(world["west"].id)]
    combination.save()
    # Both central residents share that combination: they now count in the west.
    assert fast(manager, "patch", world["patch"].code)["people_in_scope"] == 0
    assert fast(manager, "patch", world["west"].code)["people_in_scope"] == 4


def test_the_refresh_command_runs_here_and_says_how_many_moved(world):
    from io import StringIO

    from django.core.management import call_command

    Person.objects.filter(pk=world["people"][0].pk).update(area_combination_id=None)
    out = StringIO()
    call_command("casework_refresh_areas", "--now", stdout=out)
    assert "1 person record(s) moved" in out.getvalue()
    assert Person.objects.get(pk=world["people"][0].pk).area_combination_id is not None


def test_an_area_where_no_one_lives_shows_zeros(manager, world):
    empty = custom_area_save(
        actor=None, name="Empty corner", geometry=json.dumps(WIDE_BOX), level=Level.PATCH
    )
    data = fast(manager, "patch", empty.code)  # drawn after everyone was located
    assert data["people_in_scope"] == 0
    assert data["by_area"] == {} and not data["by_coordinator"] and data["median"] is None
