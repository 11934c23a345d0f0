"""Volunteer matching: 10,000 volunteers x 1,000 opportunities spread over Greater London.

Ours: `suggestions_for_volunteer` / `suggestions_for_opportunity` (bounding box on indexed
lat/lon columns in SQL, then exact haversine and scoring in Python). Peer, in the same run and
on the same data: brute force, which reads every row (with skills) and measures every
distance. Each database runs in its own process on a throwaway database (`bench_volunteering`):
a temporary SQLite file, and PostgreSQL when one is reachable.

Targets (issue #7): one volunteer's suggestions p95 < 100 ms; one opportunity's p95 < 200 ms.

Also, with no target of its own: what the evidence engine asks for an area and a period,
`volunteer_hours_value(area=..., period_start=..., period_end=...)` over 100,000 verified hours
entries (a quarter of them at placement sites) located into 40 areas, beside a peer that reads
every verified entry and sums it in Python against the area's members.

Sizes can be scaled down with VOLUNTEERING_BENCH_VOLUNTEERS / _OPPORTUNITIES / _HOURS for a
quick try (at least 60 volunteers and opportunities: that many are sampled).
"""

import json
import os
import random
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from . import databases
from .harness import Report, p50, p95, timings_ms

VOLUNTEERS = int(os.environ.get("VOLUNTEERING_BENCH_VOLUNTEERS", 10_000))
OPPORTUNITIES = int(os.environ.get("VOLUNTEERING_BENCH_OPPORTUNITIES", 1_000))
SAMPLES = 60
HOURS_ENTRIES = int(os.environ.get("VOLUNTEERING_BENCH_HOURS", 100_000))
AREA_GRID = (8, 5)  # columns x rows of areas over the box below
# Greater London, roughly: so a 10 km box holds a realistic share of everyone.
LAT_RANGE = (51.29, 51.69)
LON_RANGE = (-0.50, 0.30)
ROOT = Path(__file__).resolve().parent.parent


def run(report: Report) -> None:
    targets = [("sqlite", None)]
    if databases.postgres_reachable():
        targets.append(("postgresql", databases.PG_URL.rsplit("/", 1)[0] + "/bench_volunteering"))
    else:
        print("  PostgreSQL not reachable: SQLite only", flush=True)
    for name, url in targets:
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(
                os.environ,
                DJANGO_SETTINGS_MODULE="config.settings.test",
                PLACEBASE_VAR_DIR=tmp,
                DATABASE_URL=url or f"sqlite:///{tmp}/bench_volunteering.sqlite3",
            )
            done = subprocess.run(  # noqa: S603
                [sys.executable, "-m", "benchmarks.bench_volunteering", "--worker", name],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-4000:], flush=True)
            raise RuntimeError(f"volunteering benchmark failed on {name}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        for f in figures:
            report.add(
                f["figure"],
                f["ours"],
                "ms",
                peer=f["peer"],
                peer_name=f.get("peer_name", "brute force: every row, haversine in Python"),
                target=f["target"],
                database=name,
                notes=f["notes"],
            )


# --- the worker: one database, in its own process ---------------------------------------------


class _NoMigrations(dict):
    """Build tables straight from the models, as pytest-django's --nomigrations does."""

    def __contains__(self, item: object) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


def _create_postgres_database(vendor: str) -> None:
    if vendor != "postgresql":
        return
    import psycopg

    with psycopg.connect(
        databases.PG_URL.replace("postgres://", "postgresql://", 1), autocommit=True
    ) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_volunteering")
        conn.execute("CREATE DATABASE bench_volunteering")


def _drop_postgres_database(vendor: str) -> None:
    if vendor != "postgresql":
        return
    import psycopg

    with psycopg.connect(
        databases.PG_URL.replace("postgres://", "postgresql://", 1), autocommit=True
    ) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_volunteering")


def _seed() -> tuple[list[Any], list[Any]]:
    import datetime as dt

    from django.utils import timezone

    from placebase.accounts.models import Organisation
    from placebase.volunteering import availability as slots
    from placebase.volunteering.models import Opportunity, Skill, Volunteer

    rng = random.Random(42)
    org = Organisation.objects.create(name="Bench council", kind="council")
    skills = Skill.objects.bulk_create(
        [Skill(slug=f"skill-{i}", name=f"Skill {i}") for i in range(14)]
    )
    masks = [0, 0, slots.ALL & rng.getrandbits(21), 0b111 << 15, 0b111, 0b010010010010010]
    now = timezone.now()
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(
                first_name=f"V{i}",
                last_name="Bench",
                email=f"v{i}@example.org",
                date_of_birth=dt.date(1960 + i % 45, 1 + i % 12, 1 + i % 28),
                postcode="X",
                lat=rng.uniform(*LAT_RANGE),
                lon=rng.uniform(*LON_RANGE),
                travel_km=rng.choice([2, 5, 10, 20]),
                availability=rng.choice(masks),
                consent_given_at=now,
                consent_statement="bench",
            )
            for i in range(VOLUNTEERS)
        ],
        batch_size=1000,
    )
    through = Volunteer.skills.through
    through.objects.bulk_create(
        [
            through(volunteer_id=v.pk, skill_id=s.pk)
            for v in volunteers
            for s in rng.sample(skills, rng.randint(1, 3))
        ],
        batch_size=5000,
    )
    opportunities = Opportunity.objects.bulk_create(
        [
            Opportunity(
                organisation=org,
                host_name="Bench",
                title=f"Opportunity {i}",
                summary="s",
                kind=rng.choice(["micro", "one_off", "placement", "event_role"]),
                postcode="X",
                lat=rng.uniform(*LAT_RANGE),
                lon=rng.uniform(*LON_RANGE),
                availability=rng.choice(masks),
                minimum_age=rng.choice([0, 0, 16, 18]),
            )
            for i in range(OPPORTUNITIES)
        ]
    )
    othrough = Opportunity.skills.through
    othrough.objects.bulk_create(
        [
            othrough(opportunity_id=o.pk, skill_id=s.pk)
            for o in opportunities
            for s in rng.sample(skills, rng.randint(0, 2))
        ]
    )
    return volunteers, opportunities


def _cell(lat: float, lon: float) -> int:
    columns, rows = AREA_GRID
    x = min(columns - 1, int((lon - LON_RANGE[0]) / (LON_RANGE[1] - LON_RANGE[0]) * columns))
    y = min(rows - 1, int((lat - LAT_RANGE[0]) / (LAT_RANGE[1] - LAT_RANGE[0]) * rows))
    return y * columns + x


def _seed_hours(volunteers: list[Any], opportunities: list[Any]) -> list[Any]:
    """40 areas in a grid, opportunities and sites located into them, and verified hours."""
    import datetime as dt

    from placebase.places.models import Area, AreaMembership, BoundarySet
    from placebase.volunteering.models import (
        OPPORTUNITY_RECORD_TYPE,
        SITE_RECORD_TYPE,
        HoursEntry,
        Pledge,
        Site,
    )

    rng = random.Random(11)
    boundary_set = BoundarySet.objects.create(level="district", vintage=2024, name="Bench grid")
    columns, rows = AREA_GRID
    areas = Area.objects.bulk_create(
        [
            Area(
                boundary_set=boundary_set,
                code=f"E0900{i:04d}",
                name=f"Area {i}",
                geometry="{}",
                geometry_wkb=b"",
                geometry_hash=str(i),
                min_lon=0,
                min_lat=0,
                max_lon=0,
                max_lat=0,
                centroid_lat=0,
                centroid_lon=0,
            )
            for i in range(columns * rows)
        ]
    )
    placements = opportunities[:100]
    sites = Site.objects.bulk_create(
        [
            Site(
                opportunity=o,
                name=f"Site {n}",
                postcode="X",
                lat=rng.uniform(*LAT_RANGE),
                lon=rng.uniform(*LON_RANGE),
            )
            for o in placements
            for n in range(3)
        ]
    )
    members = [
        AreaMembership(
            area=areas[_cell(o.lat, o.lon)],
            boundary_set=boundary_set,
            record_type=OPPORTUNITY_RECORD_TYPE,
            record_id=o.pk,
        )
        for o in opportunities
    ] + [
        AreaMembership(
            area=areas[_cell(s.lat, s.lon)],
            boundary_set=boundary_set,
            record_type=SITE_RECORD_TYPE,
            record_id=s.pk,
        )
        for s in sites
    ]
    AreaMembership.objects.bulk_create(members, batch_size=5000)
    pledges = Pledge.objects.bulk_create(
        [
            Pledge(
                opportunity=site.opportunity,
                volunteer=rng.choice(volunteers),
                site=site,
                status="confirmed",
                reference=f"B{i:07d}",
            )
            for i, site in enumerate(rng.choice(sites) for _ in range(5_000))
        ],
        batch_size=5000,
    )
    start = dt.date(2025, 4, 1)
    entries = []
    for i in range(HOURS_ENTRIES):
        if i % 4 == 0:
            pledge = rng.choice(pledges)
            volunteer_id, opportunity_id, pledge_id = (
                pledge.volunteer_id,
                pledge.opportunity_id,
                pledge.pk,
            )
        else:
            volunteer_id, opportunity_id, pledge_id = (
                rng.choice(volunteers).pk,
                rng.choice(opportunities).pk,
                None,
            )
        entries.append(
            HoursEntry(
                volunteer_id=volunteer_id,
                opportunity_id=opportunity_id,
                pledge_id=pledge_id,
                worked_on=start + dt.timedelta(days=rng.randrange(365)),
                minutes=rng.choice([15, 30, 60, 90, 120, 180]),
                source="volunteer",
                status="verified" if i % 10 else "logged",
            )
        )
    HoursEntry.objects.bulk_create(entries, batch_size=5000)
    return areas


def _brute_hours_for_area(area: Any, start: Any, end: Any) -> tuple[int, int]:
    """The peer: every verified entry in the period, summed in Python against the members."""
    from placebase.places.models import AreaMembership
    from placebase.volunteering.models import (
        OPPORTUNITY_RECORD_TYPE,
        SITE_RECORD_TYPE,
        HoursEntry,
    )

    members = set(AreaMembership.objects.filter(area=area).values_list("record_type", "record_id"))
    minutes, people = 0, set()
    for volunteer_id, opportunity_id, site_id, spent, day in HoursEntry.objects.filter(
        status="verified"
    ).values_list("volunteer_id", "opportunity_id", "pledge__site_id", "minutes", "worked_on"):
        if not start <= day <= end:
            continue
        where = (
            (SITE_RECORD_TYPE, site_id) if site_id else (OPPORTUNITY_RECORD_TYPE, opportunity_id)
        )
        if where in members:
            minutes += spent
            people.add(volunteer_id)
    return minutes, len(people)


def _brute_for_volunteer(volunteer: Any) -> list[Any]:
    from django.utils import timezone

    from placebase.volunteering import geo, selectors, services
    from placebase.volunteering.models import Opportunity

    rows = list(
        Opportunity.objects.filter(status="published").values_list(
            "id", "title", "lat", "lon", "availability", "minimum_age"
        )
    )
    wanted: dict[Any, set[Any]] = defaultdict(set)
    for oid, sid in Opportunity.skills.through.objects.values_list("opportunity_id", "skill_id"):
        wanted[oid].add(sid)
    offered = set(volunteer.skills.values_list("id", flat=True))
    radius = float(volunteer.travel_km)
    age = services.age_on(volunteer.date_of_birth, timezone.localdate())
    found = []
    for pk, _title, lat, lon, mask, minimum_age in rows:
        if minimum_age > age:
            continue
        distance = geo.haversine_km(volunteer.lat, volunteer.lon, lat, lon)
        if distance > radius or not (
            mask == 0 or volunteer.availability == 0 or mask & volunteer.availability
        ):
            continue
        score = selectors.match_score(
            wanted=wanted[pk],
            offered=offered,
            distance_km=distance,
            radius_km=radius,
            volunteer_mask=volunteer.availability,
            opportunity_mask=mask,
        )
        found.append((score, pk))
    found.sort(key=lambda item: -item[0])
    return found[:10]


def _brute_for_opportunity(opportunity: Any) -> list[Any]:
    from placebase.volunteering import geo, selectors
    from placebase.volunteering.models import Volunteer

    rows = list(
        Volunteer.objects.filter(status="active", may_be_suggested=True).values_list(
            "id", "lat", "lon", "availability", "travel_km"
        )
    )
    offered: dict[Any, set[Any]] = defaultdict(set)
    for vid, sid in Volunteer.skills.through.objects.values_list("volunteer_id", "skill_id"):
        offered[vid].add(sid)
    wanted = set(opportunity.skills.values_list("id", flat=True))
    found = []
    for pk, lat, lon, mask, travel in rows:
        distance = geo.haversine_km(opportunity.lat, opportunity.lon, lat, lon)
        if (
            distance > 10
            or distance > travel
            or not (mask == 0 or opportunity.availability == 0 or mask & opportunity.availability)
        ):
            continue
        score = selectors.match_score(
            wanted=wanted,
            offered=offered[pk],
            distance_km=distance,
            radius_km=min(10.0, float(travel)),
            volunteer_mask=mask,
            opportunity_mask=opportunity.availability,
        )
        found.append((score, pk))
    found.sort(key=lambda item: -item[0])
    return found[:20]


def _measure(fn: Any, items: list[Any]) -> list[float]:
    cycle = iter(items * 2)
    return timings_ms(lambda: fn(next(cycle)), repeat=len(items) - 3, warmup=3)


def worker(vendor: str) -> None:
    import django
    from django.conf import settings

    _create_postgres_database(vendor)
    try:
        django.setup()
        settings.MIGRATION_MODULES = _NoMigrations()
        from django.core.management import call_command

        call_command("migrate", run_syncdb=True, verbosity=0)
        from placebase.volunteering import selectors

        volunteers, opportunities = _seed()
        rng = random.Random(7)
        some_volunteers = rng.sample(volunteers, SAMPLES)
        some_opportunities = rng.sample(opportunities, SAMPLES)
        ours_v = _measure(
            lambda v: selectors.suggestions_for_volunteer(volunteer=v), some_volunteers
        )
        peer_v = _measure(_brute_for_volunteer, some_volunteers)
        ours_o = _measure(
            lambda o: selectors.suggestions_for_opportunity(opportunity=o), some_opportunities
        )
        peer_o = _measure(_brute_for_opportunity, some_opportunities)

        import datetime as dt

        areas = _seed_hours(volunteers, opportunities)
        if vendor == "postgresql":  # as autovacuum would have, after a bulk load
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        start, end = dt.date(2025, 7, 1), dt.date(2026, 3, 31)
        some_areas = rng.sample(areas, 20)
        for area in some_areas[:3]:  # ours and the peer agree before either is timed
            value = selectors.volunteer_hours_value(area=area, period_start=start, period_end=end)
            if (value.minutes, value.volunteers) != _brute_hours_for_area(area, start, end):
                raise AssertionError(f"area value disagrees with the peer for {area.code}")
        ours_a = _measure(
            lambda a: selectors.volunteer_hours_value(area=a, period_start=start, period_end=end),
            some_areas,
        )
        peer_a = _measure(lambda a: _brute_hours_for_area(a, start, end), some_areas)
        note = f"{VOLUNTEERS:,} volunteers x {OPPORTUNITIES:,} opportunities"
        figures = [
            {
                "figure": "suggestions for one volunteer, p95",
                "ours": p95(ours_v),
                "peer": p95(peer_v),
                "target": "< 100 ms",
                "notes": note,
            },
            {
                "figure": "suggestions for one volunteer, p50",
                "ours": p50(ours_v),
                "peer": p50(peer_v),
                "target": "",
                "notes": note,
            },
            {
                "figure": "suggestions for one opportunity, p95",
                "ours": p95(ours_o),
                "peer": p95(peer_o),
                "target": "< 200 ms",
                "notes": note,
            },
            {
                "figure": "suggestions for one opportunity, p50",
                "ours": p50(ours_o),
                "peer": p50(peer_o),
                "target": "",
                "notes": note,
            },
            {
                "figure": "verified hours and value for one area and period, p95",
                "ours": p95(ours_a),
                "peer": p95(peer_a),
                "peer_name": "every verified entry read and summed in Python",
                "target": "",
                "notes": f"{HOURS_ENTRIES:,} hours entries, 40 areas, 9 months",
            },
        ]
        from django.db import connections

        connections.close_all()
    finally:
        _drop_postgres_database(vendor)
    print(json.dumps(figures))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(sys.argv[2])
