"""Case-work benchmark: 100,000 people and 2,000,000 contacts and service-use events, on SQLite
and PostgreSQL, each figure beside a naive (N+1) peer measured in the same run.

Targets (issue #5): a coordinator's home page p95 under 150 ms; the manager dashboard for any
area level p95 under 300 ms; a subject access export of a person with 500 records under 1 s.

Ours is the real page through the whole Django stack (middleware, session, audit entry,
template) for the home page and the dashboard, and the real export selector for subject
access. The peers compute the same figures the naive way: one query per introduction,
coordinator or area (N+1), and lazy loading for the export.

The world is synthetic and written with COPY (PostgreSQL) or executemany (SQLite): 50
coordinators each with a patch, 20 wards, 120 LSOAs, 100,000 people (every one located in a
ward, an LSOA and a patch), one introduction each (older ones closed), 1,200,000 contacts,
800,000 service-use events and 200,000 connections. Databases are the benchmark's own: a
temporary SQLite file and a throwaway PostgreSQL database `bench_casework` (created and
dropped here; skipped, with a note, if unreachable). Sizes can be scaled down with
CASEWORK_BENCH_PEOPLE / _CONTACTS / _EVENTS for a quick try.
"""

from __future__ import annotations

import datetime
import os
import random
import time
import uuid
from collections.abc import Iterator
from typing import Any

from . import databases
from .harness import Report, p95, timings_ms

N_PEOPLE = int(os.environ.get("CASEWORK_BENCH_PEOPLE", 100_000))
N_CONTACTS = int(os.environ.get("CASEWORK_BENCH_CONTACTS", 1_200_000))
N_EVENTS = int(os.environ.get("CASEWORK_BENCH_EVENTS", 800_000))
N_CONNECTIONS = N_PEOPLE * 2
N_COORDINATORS = 50
N_WARDS, N_LSOAS = 20, 120
REPEAT = int(os.environ.get("CASEWORK_BENCH_REPEAT", 40))
PG_DB = "bench_casework"
TODAY = datetime.date.today()
NOW = datetime.datetime.now(datetime.UTC)


# ---------------------------------------------------------------------------- the world


class World:
    def __init__(self) -> None:
        self.rng = random.Random(2026)
        self.person_ids = [uuid.uuid4() for _ in range(N_PEOPLE)]
        self.intro_ids = [uuid.uuid4() for _ in range(N_PEOPLE)]
        self.coordinator_of = [i % N_COORDINATORS for i in range(N_PEOPLE)]
        self.ward_of = [self.rng.randrange(N_WARDS) for _ in range(N_PEOPLE)]
        self.lsoa_of = [w * (N_LSOAS // N_WARDS) + self.rng.randrange(N_LSOAS // N_WARDS)
                        for w in self.ward_of]  # fmt: skip
        self.introduced = [TODAY - datetime.timedelta(days=self.rng.randint(1, 3 * 365))
                           for _ in range(N_PEOPLE)]  # fmt: skip
        # Journeys last about nine months: older ones are closed.
        self.open = [(TODAY - d).days < 270 for d in self.introduced]
        self.export_person = self.person_ids[0]


def _build(world: World) -> dict[str, Any]:
    from placebase.accounts.models import Organisation, Team, User
    from placebase.accounts.roles import Role
    from placebase.casework.models import (
        Connection,
        Contact,
        Introduction,
        PatchAssignment,
        Person,
        ServiceUseEvent,
    )
    from placebase.evidence.models import ServiceType
    from placebase.evidence.services import service_types_load_starter
    from placebase.places.models import (
        Area,
        AreaCombination,
        AreaMembership,
        BoundarySet,
        LocatedPoint,
        combination_key,
    )

    rng = world.rng
    service_types_load_starter()
    types = list(ServiceType.objects.values_list("id", flat=True))
    org = Organisation.objects.create(name="Bench Council", kind="council")
    team = Team.objects.create(organisation=org, name="Local Area Coordination")
    coordinators = [
        User(username=f"coord{i}", role=Role.COORDINATOR, organisation=org)
        for i in range(N_COORDINATORS)
    ]
    User.objects.bulk_create(coordinators)
    manager = User.objects.create(username="manager", role=Role.MANAGER, organisation=org)
    for user in [*coordinators, manager]:
        user.teams.add(team)

    sets = {
        level: BoundarySet.objects.create(level=level, vintage=2025, name=level)
        for level in ("ward", "lsoa", "patch")
    }
    geometry = {"geometry": "{}", "geometry_wkb": b"", "geometry_hash": "", "min_lon": 0,
                "min_lat": 0, "max_lon": 0, "max_lat": 0, "centroid_lat": 0,
                "centroid_lon": 0}  # fmt: skip
    areas = {
        "ward": [Area(boundary_set=sets["ward"], code=f"E05{i:06d}", name=f"Ward {i}", **geometry)
                 for i in range(N_WARDS)],
        "lsoa": [Area(boundary_set=sets["lsoa"], code=f"E01{i:06d}", name=f"LSOA {i}",
                      **geometry) for i in range(N_LSOAS)],
        "patch": [Area(boundary_set=sets["patch"], code=f"patch-{i}", name=f"Patch {i}",
                       **geometry) for i in range(N_COORDINATORS)],
    }  # fmt: skip
    for level_areas in areas.values():
        Area.objects.bulk_create(level_areas)
    PatchAssignment.objects.bulk_create(
        PatchAssignment(user=c, area=a) for c, a in zip(coordinators, areas["patch"], strict=True)
    )
    # Each person's combination of areas, as the places engine's located_point_assign
    # writes it: one AreaCombination per distinct (ward, LSOA, patch), one LocatedPoint each.
    # Patches are drawn independently of wards and LSOAs here, so there are thousands of
    # combinations (the worst case: a real patch overlaps only a few LSOAs).
    triples = {(world.ward_of[i], world.lsoa_of[i], world.coordinator_of[i])
               for i in range(N_PEOPLE)}  # fmt: skip
    keys = {}
    for ward, lsoa, patch in sorted(triples):
        ids = (areas["ward"][ward].id, areas["lsoa"][lsoa].id, areas["patch"][patch].id)
        keys[(ward, lsoa, patch)] = combination_key(ids)
    AreaCombination.objects.bulk_create(
        [AreaCombination(key=k, area_ids=ids) for k, ids in keys.values()], batch_size=1000
    )
    combination_ids = dict(AreaCombination.objects.values_list("key", "id"))
    combination_of = [
        combination_ids[keys[(world.ward_of[i], world.lsoa_of[i], world.coordinator_of[i])][0]]
        for i in range(N_PEOPLE)
    ]

    def people() -> Iterator[dict[str, Any]]:
        for i, pid in enumerate(world.person_ids):
            patch = areas["patch"][world.coordinator_of[i]]
            last = f"Surname{i % 5000}"
            yield {
                "id": pid, "reference": f"LAC-B{i:07d}", "organisation_id": org.id,
                "team_id": team.id, "coordinator_id": coordinators[world.coordinator_of[i]].id,
                "first_name": f"Person{i}", "last_name": last, "last_name_key": last.lower(),
                "date_of_birth": datetime.date(1940 + i % 60, 1 + i % 12, 1 + i % 28),
                "postcode": "SM1 1AA", "postcode_key": "sm11aa", "patch_area_id": patch.id,
                "patch_code": patch.code, "patch_name": patch.name,
                "status": "active" if world.open[i] else "closed",
                "closed_at": None if world.open[i] else NOW,
                "area_combination_id": combination_of[i],
            }  # fmt: skip

    def intros() -> Iterator[dict[str, Any]]:
        sources = ["gp", "social_care", "self", "family", "housing", "police", "vcs"]
        for i, iid in enumerate(world.intro_ids):
            on = world.introduced[i]
            gap = rng.randint(1, 20)
            yield {
                "id": iid, "person_id": world.person_ids[i], "organisation_id": org.id,
                "coordinator_id": coordinators[world.coordinator_of[i]].id,
                "patch_code": f"patch-{world.coordinator_of[i]}", "source": sources[i % 7],
                "introduced_on": on, "reason": "Synthetic", "auto_assigned": True,
                "status": "open" if world.open[i] else "closed",
                "first_conversation_on": on + datetime.timedelta(days=gap),
                "days_to_first_conversation": gap,
                "next_review_on": on + datetime.timedelta(days=90) if world.open[i] else None,
                "closed_on": None if world.open[i] else on + datetime.timedelta(days=270),
                "closure_reason": "" if world.open[i] else "goals_met",
                "area_combination_id": combination_of[i],
            }  # fmt: skip

    def person_index(n: int) -> Iterator[int]:
        # The first person is the subject-access one: others are spread evenly.
        for _ in range(n):
            yield rng.randrange(1, N_PEOPLE)

    def contacts() -> Iterator[dict[str, Any]]:
        kinds = ["conversation", "phone", "group", "message"]
        for k, i in enumerate(person_index(N_CONTACTS)):
            yield {
                "id": uuid.uuid4(), "person_id": world.person_ids[i],
                "introduction_id": world.intro_ids[i],
                "coordinator_id": coordinators[world.coordinator_of[i]].id,
                "happened_on": world.introduced[i] + datetime.timedelta(days=k % 200),
                "kind": kinds[k % 4], "duration_minutes": 30, "notes": "",
            }  # fmt: skip

    def events() -> Iterator[dict[str, Any]]:
        for k, i in enumerate(person_index(N_EVENTS)):
            yield {
                "id": uuid.uuid4(), "person_id": world.person_ids[i],
                "service_type_id": types[k % len(types)],
                "occurred_on": world.introduced[i] + datetime.timedelta(days=k % 700 - 365),
                "quantity": 1, "source": "records", "note": "",
            }  # fmt: skip

    def connections() -> Iterator[dict[str, Any]]:
        statuses = ["suggested", "introduced", "attended", "sustained", "did_not_stick"]
        for k, i in enumerate(person_index(N_CONNECTIONS)):
            on = world.introduced[i] + datetime.timedelta(days=20)
            yield {
                "id": uuid.uuid4(), "person_id": world.person_ids[i], "organisation_id": org.id,
                "introduction_id": world.intro_ids[i], "target_kind": "other",
                "target_name": "A group", "status": statuses[k % 5], "status_on": on,
                "suggested_on": on, "version": 1,
                # Closing a journey clears its follow-ups, as the service does.
                "follow_up_on": on + datetime.timedelta(days=30)
                if k % 5 < 3 and world.open[i]
                else None,
                "area_combination_id": combination_of[i],
            }  # fmt: skip

    def memberships() -> Iterator[dict[str, Any]]:
        for i, pid in enumerate(world.person_ids):
            for level, index in (("ward", world.ward_of[i]), ("lsoa", world.lsoa_of[i]),
                                 ("patch", world.coordinator_of[i])):  # fmt: skip
                yield {"area_id": areas[level][index].id, "boundary_set_id": sets[level].id,
                       "record_type": "casework.person", "record_id": pid}  # fmt: skip

    def points() -> Iterator[dict[str, Any]]:
        for i, pid in enumerate(world.person_ids):
            yield {"record_type": "casework.person", "record_id": pid, "lat": 51.36,
                   "lon": -0.19, "outside": False, "located_at": NOW,
                   "combination_id": combination_of[i]}  # fmt: skip

    counts = {}
    for name, model, rows in [
        ("people", Person, people()), ("introductions", Introduction, intros()),
        ("contacts", Contact, contacts()), ("service-use events", ServiceUseEvent, events()),
        ("connections", Connection, connections()), ("memberships", AreaMembership, memberships()),
        ("located points", LocatedPoint, points()),
    ]:  # fmt: skip
        counts[name] = databases.insert(model, rows)
    counts["export records"] = _export_person(world, coordinators[0], types)
    return {"coordinators": coordinators, "manager": manager, "areas": areas, "counts": counts}


def _export_person(world: World, coordinator: Any, types: list[Any]) -> int:  # noqa: C901
    """Give the first person exactly 500 records of every kind for the subject-access test."""
    from placebase.casework.models import (
        Assessment,
        Connection,
        ConnectionEvent,
        Contact,
        InstrumentVersion,
        ServiceUseEvent,
    )

    pid, iid = world.person_ids[0], world.intro_ids[0]
    on = world.introduced[0]
    version = InstrumentVersion.objects.get(instrument__code="ons4", number=1)
    Contact.objects.bulk_create(
        Contact(person_id=pid, introduction_id=iid, coordinator=coordinator, kind="phone",
                happened_on=on, duration_minutes=20, notes="Notes " * 20) for _ in range(250)
    )  # fmt: skip
    ServiceUseEvent.objects.bulk_create(
        ServiceUseEvent(person_id=pid, service_type_id=types[k % len(types)], occurred_on=on,
                        source="records") for k in range(150)
    )  # fmt: skip
    connections = Connection.objects.bulk_create(
        Connection(person_id=pid, organisation_id=coordinator.organisation_id,
                   introduction_id=iid, target_kind="other", target_name="Club",
                   status="attended", status_on=on, suggested_on=on) for _ in range(50)
    )  # fmt: skip
    ConnectionEvent.objects.bulk_create(
        ConnectionEvent(connection=c, to_status="suggested", on=on) for c in connections
    )
    Assessment.objects.bulk_create(
        Assessment(person_id=pid, introduction_id=iid, instrument_version=version,
                   occasion="review", recorded_on=on,
                   answers={"life_satisfaction": 5, "worthwhile": 5, "happiness": 5,
                            "anxiety": 5}) for _ in range(50)
    )  # fmt: skip
    return 250 + 150 + 50 + 50


# ---------------------------------------------------------------------------- the peers


def naive_home(user: Any) -> tuple[int, int, int]:
    """The coordinator's home the N+1 way: every introduction, then each person's record and
    connections one query at a time, then the contacts of each."""
    from placebase.casework.models import Contact, Introduction

    horizon = TODAY + datetime.timedelta(days=7)
    intros = list(Introduction.objects.filter(coordinator=user, status="open"))
    follow_ups, reviews, contacts = [], [], []
    for intro in intros:
        person = intro.person  # one query each
        for connection in person.connections.all():  # and another
            if connection.status in ("suggested", "introduced", "attended") and (
                connection.follow_up_on and connection.follow_up_on <= horizon
            ):
                follow_ups.append(connection)
        if intro.next_review_on and intro.next_review_on <= TODAY + datetime.timedelta(days=14):
            reviews.append(intro)
        contacts.extend(Contact.objects.filter(person=person, coordinator=user))
    contacts.sort(key=lambda c: c.happened_on, reverse=True)
    return len(intros), len(follow_ups), len(contacts[:10])


def naive_dashboard(manager: Any, level: str, areas: list[Any]) -> int:
    """Caseloads and introductions one coordinator and one area at a time."""
    from placebase.accounts.models import User
    from placebase.casework.models import Connection, Introduction
    from placebase.places.models import AreaMembership

    since = TODAY - datetime.timedelta(days=365)
    total = 0
    for coordinator in User.objects.filter(organisation=manager.organisation, role="coordinator"):
        total += Introduction.objects.filter(coordinator=coordinator, status="open").count()
    for area in areas:
        ids = list(AreaMembership.objects.filter(area=area).values_list("record_id", flat=True))
        total += Introduction.objects.filter(person_id__in=ids, introduced_on__gte=since).count()
    for status in ("sustained", "did_not_stick"):
        total += Connection.objects.filter(status=status, suggested_on__gte=since).count()
    gaps = [
        (i.first_conversation_on - i.introduced_on).days
        for i in Introduction.objects.filter(introduced_on__gte=since)
        if i.first_conversation_on
    ]
    return total + len(gaps)


def naive_export(person_id: Any) -> int:
    """Subject access the lazy way: every related row, then each foreign key on its own."""
    from placebase.casework.models import Person

    person = Person.objects.get(pk=person_id)
    n = 0
    for event in person.service_use.all():
        n += len(event.service_type.label)  # one query per event
    for connection in person.connections.all():
        n += len(list(connection.events.all()))  # one query per connection
    for assessment in person.assessments.all():
        n += len(assessment.instrument_version.instrument.name)  # two per assessment
    for contact in person.contacts.all():
        n += len(contact.coordinator.username if contact.coordinator_id else "")
    return n


# ---------------------------------------------------------------------------- measuring


def _client(user: Any) -> Any:
    from django.test import Client

    from placebase.testing.auth import sign_in_client

    return sign_in_client(Client(), user)


def _measure(report: Report, database: str, world: World, built: dict[str, Any]) -> None:
    from placebase.casework.selectors import person_export

    coordinators, manager, areas = built["coordinators"], built["manager"], built["areas"]
    clients = [_client(c) for c in coordinators[:10]]
    picks = iter(range(10**9))

    def home() -> None:
        response = clients[next(picks) % len(clients)].get("/casework/")
        assert response.status_code == 200, response.status_code

    ours = timings_ms(home, repeat=REPEAT)
    peer = timings_ms(lambda: naive_home(coordinators[next(picks) % 10]), repeat=REPEAT // 4)
    report.add(
        "coordinator home page p95",
        p95(ours),
        "ms",
        peer=p95(peer),
        peer_name="N+1 (query per introduction)",
        target="< 150 ms",
        database=database,
        notes="full page: middleware, session, audit, template",
    )

    manager_client = _client(manager)
    for level in ("patch", "ward", "lsoa"):
        codes = ["", *[a.code for a in areas[level][:10]]]

        def dashboard(level: str = level, codes: list[str] = codes) -> None:
            code = codes[next(picks) % len(codes)]
            response = manager_client.get(
                "/casework/dashboard/", {"level": level, "area_code": code}
            )
            assert response.status_code == 200, response.status_code

        ours = timings_ms(dashboard, repeat=REPEAT)
        peer = timings_ms(lambda level=level: naive_dashboard(manager, level, areas[level]),
                          repeat=3, warmup=1)  # fmt: skip
        report.add(
            f"manager dashboard p95, {level} level",
            p95(ours),
            "ms",
            peer=p95(peer),
            peer_name="N+1 (query per coordinator and area)",
            target="< 300 ms",
            database=database,
            notes="whole organisation and single areas",
        )

    def export() -> None:
        data = person_export(user=manager, person_id=world.export_person)
        assert len(data["contacts"]) >= 250

    ours = timings_ms(export, repeat=10, warmup=1)
    peer = timings_ms(lambda: naive_export(world.export_person), repeat=5, warmup=1)
    report.add(
        "subject access export, 500 records, p95",
        p95(ours),
        "ms",
        peer=p95(peer),
        peer_name="lazy loading (query per row)",
        target="< 1000 ms",
        database=database,
        notes="500 contacts, service use, connections and wellbeing records",
    )


def _run_on(report: Report, database: str, settings_dict: dict[str, Any]) -> None:
    from django.core.management import call_command

    with databases.database(settings_dict):
        call_command("migrate", verbosity=0)
        from django.db import connection

        sqlite = connection.vendor == "sqlite"
        if sqlite:
            # A bigger page cache for the load only (random UUID keys touch every index
            # page); measuring goes back to SQLite's default, as the product runs it.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
        world = World()
        start = time.perf_counter()
        built = _build(world)
        seconds = time.perf_counter() - start
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -2000")
        rows = sum(built["counts"].values())
        report.add(
            "bulk load of the world",
            rows / seconds,
            "rows/s",
            database=database,
            notes=", ".join(f"{v:,} {k}" for k, v in built["counts"].items()),
        )
        # Fresh statistics and (PostgreSQL) a visibility map for index-only scans, as
        # autovacuum (or SQLite's optimize) would give a live database.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if sqlite else "VACUUM ANALYZE")
        _measure(report, database, world, built)


def run(report: Report) -> None:
    for engine, settings in databases.engines(PG_DB, pragmas=databases.PRAGMAS_SYNC_NORMAL):
        _run_on(report, engine, settings)
