"""Volunteer matching: 10,000 volunteers x 1,000 opportunities spread over Greater London.

Ours: `suggestions_for_volunteer` / `suggestions_for_opportunity` (bounding box on indexed
lat/lon columns in SQL, then exact haversine and scoring in Python). Peer, in the same run and
on the same data: brute force, which reads every row (with skills) and measures every
distance. Each database runs in its own process on a throwaway database (`bench_volunteering`):
a temporary SQLite file, and PostgreSQL when one is reachable.

Targets (issue #7): one volunteer's suggestions p95 < 100 ms; one opportunity's p95 < 200 ms.
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

from .harness import Report, p50, p95, timings_ms

VOLUNTEERS = 10_000
OPPORTUNITIES = 1_000
SAMPLES = 60
# Greater London, roughly: so a 10 km box holds a realistic share of everyone.
LAT_RANGE = (51.29, 51.69)
LON_RANGE = (-0.50, 0.30)
PG_URL = os.environ.get(
    "PLACEBASE_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
ROOT = Path(__file__).resolve().parent.parent


def run(report: Report) -> None:
    targets = [("sqlite", None)]
    if _postgres_reachable():
        targets.append(("postgresql", PG_URL.rsplit("/", 1)[0] + "/bench_volunteering"))
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
                peer_name="brute force: every row, haversine in Python",
                target=f["target"],
                database=name,
                notes=f["notes"],
            )


def _postgres_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(
            PG_URL.replace("postgres://", "postgresql://", 1), connect_timeout=3
        ).close()
    except Exception:  # noqa: BLE001
        return False
    return True


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
        PG_URL.replace("postgres://", "postgresql://", 1), autocommit=True
    ) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_volunteering")
        conn.execute("CREATE DATABASE bench_volunteering")


def _drop_postgres_database(vendor: str) -> None:
    if vendor != "postgresql":
        return
    import psycopg

    with psycopg.connect(
        PG_URL.replace("postgres://", "postgresql://", 1), autocommit=True
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


def _brute_for_volunteer(volunteer: Any) -> list[Any]:
    from placebase.volunteering import geo, selectors
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
    found = []
    for pk, lat, lon, mask, _ in rows:
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
        ]
        from django.db import connections

        connections.close_all()
    finally:
        _drop_postgres_database(vendor)
    print(json.dumps(figures))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(sys.argv[2])
