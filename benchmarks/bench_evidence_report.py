"""Evidence report from the records: a place with 100,000 people and 2,000,000 events.

Ours: the whole evaluative report as the product makes it (`placebase.evidence.reports.
report_figures`: the cohort, before/after by service type and month, deadweight from the
comparison group, avoided records, wellbeing, the ward map, valuation, the SROI and fiscal
calculations with 10,000 Monte Carlo draws each, switching values, tornado and the method).
Peer, in the same run on the same database: a straightforward pure-Python loop over the records
(every introduction, event and assessment read through the ORM, bucketed in Python), then the
same valuation. Both must give the same before/after counts, or the benchmark stops.

Second figure: 10,000 Monte Carlo draws on that place's impact map, numpy against a pure-Python
loop over draws.

Targets (issue #6): the full report under 5 s; 10,000 draws under 2 s. Sizes can be scaled
down with EVIDENCE_BENCH_PEOPLE / EVIDENCE_BENCH_EVENTS for a quick try.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from config.settings.base import SQLITE_INIT_COMMAND

from . import databases
from .bench_evidence import pure_python_ratios
from .harness import Report, p50, timings_ms

N_PEOPLE = int(os.environ.get("EVIDENCE_BENCH_PEOPLE", 100_000))
N_EVENTS = int(os.environ.get("EVIDENCE_BENCH_EVENTS", 2_000_000))
N_WARDS = 20
REPEAT = int(os.environ.get("EVIDENCE_BENCH_REPEAT", 5))
PERIOD = (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
AS_OF = dt.date(2026, 9, 30)
SUPPORTED_SHARE = 0.85
PG_DB = "bench_evidence_report"
AFTER_KEPT = 0.7  # supported people's crisis use after introduction falls by about 30%


def _build() -> dict[str, Any]:
    from placebase.accounts.models import Organisation
    from placebase.casework.models import (
        Assessment,
        InstrumentVersion,
        Introduction,
        Person,
        ServiceUseEvent,
    )
    from placebase.evidence import services
    from placebase.evidence.models import ServiceType
    from placebase.places.models import Area, AreaMembership, BoundarySet

    rng = random.Random(2026)
    services.evidence_load_starter()
    types = list(
        ServiceType.objects.filter(unit_costs__is_current=True).values_list("id", flat=True)
    )
    types = sorted(set(types), key=str)
    org = Organisation.objects.create(name="Bench Council", kind="council")
    programme = services.programme_create(actor=None, name="Bench LAC", organisation=org)
    services.programme_cost_add(
        actor=None,
        programme=programme,
        kind="staff",
        description="60 coordinators",
        amount=Decimal(2_500_000),
        price_year=2024,
        starts_on=PERIOD[0],
        ends_on=PERIOD[1],
    )
    wards_set = BoundarySet.objects.create(level="ward", vintage=2099, name="Bench wards")
    geometry = {"geometry": "{}", "geometry_wkb": b"", "geometry_hash": "", "min_lon": 0,
                "min_lat": 0, "max_lon": 0, "max_lat": 0, "centroid_lat": 0,
                "centroid_lon": 0}  # fmt: skip
    wards = Area.objects.bulk_create(
        Area(boundary_set=wards_set, code=f"E05{i:06d}", name=f"Ward {i}", **geometry)
        for i in range(N_WARDS)
    )
    ons4 = InstrumentVersion.objects.get(instrument__code="ons4", number=1)
    span = (PERIOD[1] - PERIOD[0]).days
    people = [uuid.uuid4() for _ in range(N_PEOPLE)]
    introduced = [PERIOD[0] + dt.timedelta(days=rng.randrange(span)) for _ in people]
    supported = [rng.random() < SUPPORTED_SHARE for _ in people]

    def person_rows() -> Iterator[dict[str, Any]]:
        for i, pid in enumerate(people):
            yield {"id": pid, "reference": f"EV{i:08d}", "organisation_id": org.id,
                   "first_name": "Bench", "last_name": f"P{i}", "status": "active"}  # fmt: skip

    def intro_rows() -> Iterator[dict[str, Any]]:
        for i, pid in enumerate(people):
            yield {"id": uuid.uuid4(), "person_id": pid, "organisation_id": org.id,
                   "source": "gp", "introduced_on": introduced[i], "reason": "Synthetic",
                   "status": "open",
                   "first_conversation_on": introduced[i] + dt.timedelta(days=7)
                   if supported[i] else None}  # fmt: skip

    def event_rows() -> Iterator[dict[str, Any]]:
        written = 0
        while written < N_EVENTS:
            i = rng.randrange(N_PEOPLE)
            offset = rng.randint(-365, 364)
            if offset >= 0 and supported[i] and rng.random() > AFTER_KEPT:
                continue
            written += 1
            yield {"id": uuid.uuid4(), "person_id": people[i],
                   "service_type_id": types[written % len(types)],
                   "occurred_on": introduced[i] + dt.timedelta(days=offset), "quantity": 1,
                   "source": "records", "note": ""}  # fmt: skip

    def assessment_rows() -> Iterator[dict[str, Any]]:
        for i, pid in enumerate(people):
            if not supported[i]:
                continue
            start = rng.randint(2, 7)
            for k, score in enumerate((start, min(10, start + rng.choice((0, 1, 1, 2))))):
                yield {"id": uuid.uuid4(), "person_id": pid, "instrument_version_id": ons4.id,
                       "occasion": "introduction" if k == 0 else "review",
                       "recorded_on": introduced[i] + dt.timedelta(days=7 + 120 * k),
                       "answers": json.dumps({"life_satisfaction": score})}  # fmt: skip

    def membership_rows() -> Iterator[dict[str, Any]]:
        for pid in people:
            yield {"area_id": wards[rng.randrange(N_WARDS)].id, "boundary_set_id": wards_set.id,
                   "record_type": "casework.person", "record_id": pid}  # fmt: skip

    counts = {
        "people": databases.insert(Person, person_rows()),
        "introductions": databases.insert(Introduction, intro_rows()),
        "service-use events": databases.insert(ServiceUseEvent, event_rows()),
        "assessments": databases.insert(Assessment, assessment_rows()),
        "memberships": databases.insert(AreaMembership, membership_rows()),
    }
    return {"programme": programme, "counts": counts}


def naive_event_counts(organisation_id: Any) -> dict[tuple[str, int, bool], int]:
    """The peer's reading: every record through the ORM, bucketed in Python."""
    from placebase.casework.models import Assessment, Introduction, ServiceUseEvent

    first: dict[Any, tuple[dt.date, bool]] = {}
    for person_id, on, conversation in Introduction.objects.filter(
        organisation_id=organisation_id, introduced_on__range=PERIOD
    ).values_list("person_id", "introduced_on", "first_conversation_on"):
        earlier = first.get(person_id)
        if earlier is None or on < earlier[0]:
            first[person_id] = (on, conversation is not None)
    counts: dict[tuple[str, int, bool], int] = defaultdict(int)
    for person_id, type_id, occurred, quantity in ServiceUseEvent.objects.values_list(
        "person_id", "service_type_id", "occurred_on", "quantity"
    ).iterator(chunk_size=20_000):
        found = first.get(person_id)
        if found is None or occurred > AS_OF:
            continue
        days = (occurred - found[0]).days
        if -365 <= days < 365:
            counts[(str(type_id), int(found[1]), days >= 0)] += quantity
    scores: dict[Any, list[float]] = defaultdict(list)
    for person_id, answers in Assessment.objects.values_list("person_id", "answers").iterator(
        chunk_size=20_000
    ):
        if person_id in first and "life_satisfaction" in answers:
            scores[person_id].append(float(answers["life_satisfaction"]))
    return dict(counts)


def _ours_counts(results_figures: Any) -> dict[tuple[str, int, bool], int]:
    counts: dict[tuple[str, int, bool], int] = defaultdict(int)
    for type_id, supported, month, n in results_figures.events:
        counts[(type_id, supported, month >= 0)] += n
    return dict(counts)


def _run_on(report: Report, database: str, settings_dict: dict[str, Any]) -> None:
    from django.core.management import call_command
    from django.db import connection

    with databases.database(settings_dict):
        call_command("migrate", verbosity=0)
        sqlite = connection.vendor == "sqlite"
        if sqlite:  # a big page cache for the load only (random UUID keys touch every page)
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
        start = time.perf_counter()
        built = _build()
        if sqlite:  # measured with the product's own SQLite settings
            with connection.cursor() as cursor:
                for pragma in SQLITE_INIT_COMMAND.split(";"):
                    if pragma.strip():
                        cursor.execute(pragma)
        report.add(
            "set-up: bulk load of the world",
            time.perf_counter() - start,
            "s",
            database=database,
            notes=", ".join(f"{v:,} {k}" for k, v in built["counts"].items()),
        )
        _settle(sqlite)
        _measure(report, database, built["programme"])


def _settle(sqlite: bool) -> None:
    """Leave the database as a live one would be some minutes after the load, not mid-load:
    statistics gathered, SQLite's write-ahead log checkpointed into the file, PostgreSQL's
    visibility map set by a vacuum (what autovacuum does after many inserts; without it every
    index-only scan also reads the table). Measured straight after the load, the figures
    instead depended on whether autovacuum had got there yet."""
    from django.db import connection

    with connection.cursor() as cursor:
        if sqlite:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("VACUUM ANALYZE")


def _measure(report: Report, database: str, programme: Any) -> None:
    from placebase.evidence import records, services, sroi
    from placebase.evidence.models import EvidenceReport
    from placebase.evidence.reports import report_figures

    made = services.evidence_report_create(
        actor=None,
        kind="evaluative",
        programme=programme,
        area=None,
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        price_year=2025,
        as_of=AS_OF,
    )
    stored = EvidenceReport.objects.select_related("programme").get(pk=made.pk)
    assert stored.status == "ready", stored.error
    scope = records.Scope(None, programme.organisation_id, PERIOD[0], PERIOD[1], AS_OF)
    ours_counts = _ours_counts(records.read_figures(scope))
    peer_counts = naive_event_counts(programme.organisation_id)
    if ours_counts != peer_counts:
        raise AssertionError("ours and the peer disagree on before/after counts")

    ours = timings_ms(lambda: report_figures(stored), repeat=REPEAT, warmup=1)
    peer = timings_ms(lambda: naive_event_counts(programme.organisation_id), repeat=2, warmup=0)
    report.add(
        f"full evaluative report, {N_PEOPLE:,} people and {N_EVENTS:,} events (p50)",
        p50(ours) / 1000,
        "s",
        peer=p50(peer) / 1000,
        peer_name="pure-Python loop over the records (reading and bucketing only)",
        target="< 5 s",
        database=database,
    )
    # The place's own impact map, for the Monte Carlo figure.
    from placebase.evidence.reports import stored_costs
    from placebase.evidence.valuation import parameters_from_dict

    parameters = parameters_from_dict(stored.parameters)
    figures = records.read_figures(scope)
    labels = {t: t for t, *_ in figures.events}
    valuation = records.value_figures(
        figures=figures,
        costs=stored_costs(stored),
        labels=labels,
        parameters=parameters,
        assumptions=records.Assumptions(),
        price_year=2025,
        inputs=[],
    )
    inputs = Decimal(2_500_000)
    options = sroi.Options(discount=parameters.discount, first_year=parameters.first_year)
    draws = timings_ms(
        lambda: sroi.simulate(valuation.outcomes, inputs=inputs, options=options, draws=10_000),
        repeat=7,
    )
    loop = timings_ms(
        lambda: pure_python_ratios(valuation.outcomes, draws=10_000, seed=1), repeat=2, warmup=0
    )
    report.add(
        f"10,000 Monte Carlo draws, the place's map ({len(valuation.outcomes)} outcomes) (p50)",
        p50(draws),
        "ms",
        peer=p50(loop),
        peer_name="pure-Python loop over draws",
        target="< 2,000 ms",
        database=database,
    )


def run(report: Report) -> None:
    for engine, settings in databases.engines(PG_DB, pragmas=databases.PRAGMAS_SYNC_NORMAL):
        _run_on(report, engine, settings)
