"""Engagement benchmark: breadth metrics for any area and period over 1,000,000 participation
records, on SQLite and PostgreSQL, beside pandas computing the same metrics in the same run.

Target (issue): p95 under 300 ms. The world is Sutton's real geography (the places demo),
with 20,000 activities over three years in its wards, 150,000 participants (age band, home
LSOA and its IoD quintile) and 1,000,000 participations, skewed so a few people come often
and say most. Each query is one ward (or the whole borough) and a random period of 3 to 12
months; ours is `selectors.breadth_compute_for` (database GROUP BY + the pure metrics module),
the peer is pandas on data frames already in memory (filter, groupby, the same formulas).
Both must agree on every figure.

Databases are the benchmark's own: a temporary SQLite file and a throwaway PostgreSQL database
`bench_engagement` (created and dropped here; skipped, with a note, if unreachable).
"""

from __future__ import annotations

import datetime
import os
import random
import time
import uuid
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import databases
from .harness import Report, p50, p95

N_PARTICIPATIONS = int(os.environ.get("ENGAGEMENT_BENCH_PARTICIPATIONS", 1_000_000))
N_PARTICIPANTS = int(os.environ.get("ENGAGEMENT_BENCH_PARTICIPANTS", 150_000))
N_ACTIVITIES = int(os.environ.get("ENGAGEMENT_BENCH_ACTIVITIES", 20_000))
N_QUERIES = int(os.environ.get("ENGAGEMENT_BENCH_QUERIES", 30))
N_RAW_QUERIES = int(os.environ.get("ENGAGEMENT_BENCH_RAW_QUERIES", 3))
PG_DB = "bench_engagement"
BATCH = 20_000
FIRST_DAY = datetime.date(2023, 1, 1)
BANDS = ["0_15", "16_24", "25_34", "35_49", "50_64", "65_plus"]
DAYS = 3 * 365


class World:
    """The synthetic data, kept as arrays so pandas gets exactly what the database holds."""

    def __init__(self, wards: list[Any], lsoas: list[tuple[str, str, int | None]]) -> None:
        rng = np.random.default_rng(2026)
        self.ward_ids = [w.id for w in wards]
        self.activity_ids = [uuid.uuid4() for _ in range(N_ACTIVITIES)]
        self.activity_ward = rng.integers(0, len(wards), N_ACTIVITIES)
        self.activity_day = rng.integers(0, DAYS, N_ACTIVITIES)
        self.participant_ids = list(range(1, N_PARTICIPANTS + 1))
        self.participant_age = rng.integers(0, 6, N_PARTICIPANTS)
        lsoa_pick = rng.integers(0, len(lsoas), N_PARTICIPANTS)
        self.participant_lsoa = [lsoas[i][0] for i in lsoa_pick]
        self.participant_ward = [lsoas[i][1] for i in lsoa_pick]
        self.participant_quintile = [lsoas[i][2] for i in lsoa_pick]
        # A few people come often: participant drawn from a Zipf-like weighting; unique pairs.
        weights = 1.0 / np.arange(1, N_PARTICIPANTS + 1) ** 0.6
        weights /= weights.sum()
        pairs = set()
        acts = rng.integers(0, N_ACTIVITIES, int(N_PARTICIPATIONS * 1.2))
        people = rng.choice(N_PARTICIPANTS, int(N_PARTICIPATIONS * 1.2), p=weights)
        for a, p in zip(acts.tolist(), people.tolist(), strict=True):
            pairs.add((a, p))
            if len(pairs) == N_PARTICIPATIONS:
                break
        ordered = sorted(pairs)
        self.part_activity = np.array([a for a, _ in ordered])
        self.part_person = np.array([p for _, p in ordered])
        frequent = self.part_person < N_PARTICIPANTS // 50
        self.part_contrib = np.where(
            frequent, rng.poisson(3.0, len(ordered)), rng.poisson(0.4, len(ordered))
        )
        days = self.activity_day[self.part_activity]
        # First ever activity per participant (earliest day, then lowest activity index).
        order = np.lexsort((self.part_activity, days, self.part_person))
        first_rows = order[np.r_[True, np.diff(self.part_person[order]) != 0]]
        self.first_activity = {
            int(self.part_person[r]): int(self.part_activity[r]) for r in first_rows
        }


def _load(world: World, wards: list[Any]) -> None:
    from django.db import transaction

    from placebase.engagement.models import (
        ACTIVITY_RECORD_TYPE,
        Activity,
        Participant,
    )
    from placebase.places.models import Area, AreaMembership

    district = Area.objects.filter(code="E09000029").first()
    with transaction.atomic():
        activities = []
        members = []
        for i, activity_id in enumerate(world.activity_ids):
            ward = wards[world.activity_ward[i]]
            activities.append(
                Activity(
                    id=activity_id,
                    kind="meeting",
                    title=f"Meeting {i}",
                    held_on=FIRST_DAY + datetime.timedelta(days=int(world.activity_day[i])),
                    area_id=ward.id,
                    area_code=ward.code,
                    area_name=ward.name,
                )
            )
            if district is not None:
                members.append(
                    AreaMembership(
                        area_id=district.id,
                        boundary_set_id=district.boundary_set_id,
                        record_type=ACTIVITY_RECORD_TYPE,
                        record_id=activity_id,
                    )
                )
        Activity.objects.bulk_create(activities, batch_size=BATCH)
        AreaMembership.objects.bulk_create(members, batch_size=BATCH)
        participants = []
        for i, pid in enumerate(world.participant_ids):
            first = world.first_activity.get(i)
            participants.append(
                Participant(
                    id=pid,
                    reference=f"B-{i:08d}",
                    age_band=BANDS[world.participant_age[i]],
                    home_lsoa_code=world.participant_lsoa[i],
                    home_ward_code=world.participant_ward[i],
                    deprivation_quintile=world.participant_quintile[i],
                    first_activity_id=world.activity_ids[first] if first is not None else None,
                    first_participated_on=(
                        FIRST_DAY + datetime.timedelta(days=int(world.activity_day[first]))
                        if first is not None
                        else None
                    ),
                )
            )
        Participant.objects.bulk_create(participants, batch_size=BATCH)
        del participants
    _load_participations(world)


def _participation_rows(world: World) -> Iterator[tuple[Any, ...]]:
    from django.db import connection

    sqlite = connection.vendor == "sqlite"
    ids = [a.hex if sqlite else str(a) for a in world.activity_ids]
    days = [(FIRST_DAY + datetime.timedelta(days=d)).isoformat() for d in range(DAYS)]
    stamp = "2026-01-01 00:00:00" if sqlite else "2026-01-01 00:00:00+00"
    for a, p, c in zip(
        world.part_activity.tolist(),
        world.part_person.tolist(),
        world.part_contrib.tolist(),
        strict=True,
    ):
        first = world.first_activity.get(p) == a
        q = world.participant_quintile[p]
        yield (
            ids[a],
            world.participant_ids[p],
            days[int(world.activity_day[a])],
            int(c),
            (1 if first else 0) if sqlite else first,
            BANDS[world.participant_age[p]],
            q,
            stamp,
        )


def _load_participations(world: World) -> None:
    """Participations straight into the table (executemany on SQLite, COPY on PostgreSQL):
    the services write one at a time; a bulk load then rebuilds the summary, as the
    `engagement-summary-rebuild` command does."""
    from django.db import connection, transaction

    from placebase.engagement.models import Participation

    table = Participation._meta.db_table
    columns = (
        "activity_id, participant_id, held_on, contributions, is_first, age_band,"
        " deprivation_quintile, recorded_at"
    )
    rows = _participation_rows(world)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * 8)
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            while chunk := [row for _, row in zip(range(BATCH), rows, strict=False)]:
                cursor.executemany(sql, chunk)


def _frames(world: World) -> tuple[Any, Any]:
    import pandas as pd

    parts = pd.DataFrame(
        {
            "activity": world.part_activity,
            "person": world.part_person,
            "contributions": world.part_contrib,
            "day": world.activity_day[world.part_activity],
            "ward": world.activity_ward[world.part_activity],
        }
    )
    people = pd.DataFrame(
        {
            "age": world.participant_age,
            "quintile": pd.array(world.participant_quintile, dtype="Int64"),
            "first": [world.first_activity.get(i, -1) for i in range(N_PARTICIPANTS)],
        }
    )
    return parts, people


def _pandas_breadth(parts: Any, people: Any, ward: int | None, lo: int, hi: int) -> dict[str, Any]:
    """The peer: the same figures with pandas, from frames in memory."""
    mask = (parts["day"] >= lo) & (parts["day"] <= hi)
    if ward is not None:
        mask &= parts["ward"] == ward
    scoped = parts[mask]
    in_scope = set(scoped["activity"].unique())
    per = scoped.groupby("person").agg(n=("activity", "size"), c=("contributions", "sum"))
    n = len(per)
    contributions = per["c"].to_numpy()
    total = int(contributions.sum())
    k = max(1, -(-n // 10)) if n else 0
    top = int(per["c"].nlargest(k).sum()) if n else 0
    x = np.sort(contributions).astype(float)
    gini = (2 * (np.arange(1, n + 1) * x).sum() / (n * total) - (n + 1) / n) if total else None
    firsts = people.loc[per.index, "first"].isin(in_scope).sum() if n else 0
    by_quintile = people.loc[per.index, "quintile"].value_counts().to_dict() if n else {}
    return {
        "participants": n,
        "contributions": total,
        "top_share": (top / total) if total else None,
        "gini": gini,
        "repeat_rate": float((per["n"] >= 2).mean()) if n else None,
        "first_timers": int(firsts),
        "q1": int(by_quintile.get(1, 0)),
    }


def _ours(scope: Any, use_summary: bool | None = None) -> dict[str, Any]:
    from placebase.engagement import selectors

    b = selectors.breadth_compute_for(scope=scope, use_summary=use_summary)
    return {
        "participants": b.participants,
        "contributions": b.contributions,
        "top_share": b.top_share,
        "gini": b.gini,
        "repeat_rate": b.repeat_rate,
        "first_timers": b.first_timers,
        "q1": b.by_quintile[1],
    }


def _agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    for key, value in a.items():
        other = b[key]
        if value is None or other is None:
            if value is not other:
                return False
        elif abs(float(value) - float(other)) > 1e-9:
            return False
    return True


def _measure(report: Report, database: str, world: World, frames: tuple[Any, Any]) -> None:
    from placebase.engagement import selectors
    from placebase.places.models import Area

    parts, people = frames
    rng = random.Random(7)
    district = Area.objects.filter(code="E09000029").first()
    kinds = ["one ward"] + (["whole borough"] if district is not None else [])
    for kind in kinds:
        ours: list[float] = []
        peer: list[float] = []
        agree = 0
        for _ in range(N_QUERIES):
            lo = rng.randint(0, DAYS - 365)
            hi = lo + rng.randint(90, 365)
            ward = None if kind == "whole borough" else rng.randrange(len(world.ward_ids))
            area_id = district.id if ward is None else world.ward_ids[ward]
            scope = selectors.Scope(
                area_id=area_id,
                start=FIRST_DAY + datetime.timedelta(days=lo),
                end=FIRST_DAY + datetime.timedelta(days=hi),
            )
            start = time.perf_counter()
            got = _ours(scope)
            ours.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            expected = _pandas_breadth(parts, people, ward, lo, hi)
            peer.append((time.perf_counter() - start) * 1000)
            agree += _agree(got, expected)
        note = f"{agree}/{N_QUERIES} queries agree with pandas on every figure"
        for name, stat, target in (("p95", p95, "< 300 ms"), ("p50", p50, "")):
            report.add(
                f"breadth metrics, {kind} + period (3-12 months), {name}",
                stat(ours),
                "ms",
                peer=stat(peer),
                peer_name="pandas, frames in memory",
                target=target,
                database=database,
                notes=note if name == "p95" else "",
            )
        print(f"  {kind}: {note}", flush=True)
    if district is not None and N_RAW_QUERIES:
        # Before the summary: the same borough figures read from participations alone.
        raw: list[float] = []
        for _ in range(N_RAW_QUERIES):
            lo = rng.randint(0, DAYS - 365)
            scope = selectors.Scope(
                area_id=district.id,
                start=FIRST_DAY + datetime.timedelta(days=lo),
                end=FIRST_DAY + datetime.timedelta(days=lo + rng.randint(90, 365)),
            )
            start = time.perf_counter()
            alone = _ours(scope, use_summary=False)
            raw.append((time.perf_counter() - start) * 1000)
            assert _agree(alone, _ours(scope)), "the summary and participations disagree"
        report.add(
            "breadth metrics, whole borough + period, participations alone, p50",
            p50(raw),
            "ms",
            database=database,
            notes=f"before the summary, for comparison ({N_RAW_QUERIES} queries, each"
            " checked to agree with the summary)",
        )


def _run_on(report: Report, database: str, settings_dict: dict[str, Any]) -> None:
    from django.core.management import call_command

    from placebase.places import services as places_services
    from placebase.places.models import Area, AreaAttribute

    with databases.database(settings_dict):
        call_command("migrate", verbosity=0)
        places_services.demo_place_load()
        wards = list(
            Area.objects.filter(boundary_set__level="ward", code__startswith="E05")
            .order_by("code")
            .defer("geometry", "geometry_wkb")
        )
        deciles = dict(
            AreaAttribute.objects.filter(
                key="imd_decile", area__boundary_set__vintage=2021
            ).values_list("area__code", "value")
        )
        ward_codes = [w.code for w in wards]
        lsoas = [
            (code, ward_codes[i % len(ward_codes)], (int(d) + 1) // 2)
            for i, (code, d) in enumerate(sorted(deciles.items()))
        ]
        world = World(wards, lsoas)
        start = time.perf_counter()
        _load(world, wards)
        seconds = time.perf_counter() - start
        report.add(
            "bulk insert of the world",
            N_PARTICIPATIONS / seconds,
            "rows/s",
            database=database,
            notes=f"{N_PARTICIPATIONS:,} participations, {N_PARTICIPANTS:,} participants",
        )
        from django.db import connection

        from placebase.engagement.summary import summary_rebuild

        start = time.perf_counter()
        built = summary_rebuild()
        seconds = time.perf_counter() - start
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        report.add(
            "summary rebuild (blocks by area and day or month)",
            seconds,
            "s",
            database=database,
            notes=f"{built['rows']:,} blocks from {N_PARTICIPATIONS:,} participations",
        )
        _measure(report, database, world, _frames(world))


def run(report: Report) -> None:
    for engine, settings in databases.engines(PG_DB):
        _run_on(report, engine, settings)
