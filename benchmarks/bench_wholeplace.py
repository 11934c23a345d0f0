"""Whole Place: spend per head for every ward of a district, with 5,000,000 spend lines.

Target (issue #9): under 1 s on SQLite and on PostgreSQL, beside a pandas peer in the same
run (the same lines held in a DataFrame in memory, filtered, grouped and shared out in the
same way). The product reads the totals the import keeps (by area, year, agency, theme);
the figures "summing the lines themselves" show the same query straight from the 5,000,000
lines, for comparison. The data are synthetic: 250 districts of 24 wards, 5 LSOAs a ward (each LSOA
shared between two wards), 10 agencies, 8 themes, 5 financial years. One district carries
1,000,000 of the lines (a heavy case); the other 4,000,000 are spread over the rest, at
ward (90%), LSOA (8%) and district (2%) level.

Throwaway databases: a temporary SQLite file, and a PostgreSQL database `bench_wholeplace`
(created and dropped here; skipped, with a note, if unreachable).
"""

import os
import tempfile
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from . import databases
from .harness import Report, p50, p95, timings_ms

PG_DB = "bench_wholeplace"
LINES = int(os.environ.get("PLACEBASE_BENCH_WHOLEPLACE_LINES", 5_000_000))
HEAVY_SHARE = 0.2
DISTRICTS, WARDS_PER, LSOAS_PER_WARD = 250, 24, 5
AGENCIES, THEMES, YEARS = 10, 8, (2021, 2022, 2023, 2024, 2025)
CHUNK = 200_000
GEOMETRY = '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}'
# A throwaway file: no WAL (it would hold the whole 5M-row load), a big cache.
SQLITE_PRAGMAS = "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;"


# ------------------------------------------------------------------------------- the data


class World:
    """The synthetic geography and lines, as numpy arrays shared by both databases and the
    pandas peer. Area index: districts, then wards, then LSOAs."""

    def __init__(self, seed: int = 9) -> None:
        rng = np.random.default_rng(seed)
        self.n_wards = DISTRICTS * WARDS_PER
        self.n_lsoas = self.n_wards * LSOAS_PER_WARD
        self.n_areas = DISTRICTS + self.n_wards + self.n_lsoas
        self.ids = [uuid.uuid4() for _ in range(self.n_areas)]
        self.ward0, self.lsoa0 = DISTRICTS, DISTRICTS + self.n_wards
        self.population = rng.integers(6_000, 16_000, self.n_wards)
        # LSOA l sits in ward w = l // 5; the last LSOA of each ward straddles the next ward.
        lsoa = np.arange(self.n_lsoas)
        ward = lsoa // LSOAS_PER_WARD
        straddles = (lsoa % LSOAS_PER_WARD == LSOAS_PER_WARD - 1) & ((ward + 1) % WARDS_PER != 0)
        self.shares = [
            (int(lsoa_i), int(w), 1.0)
            for lsoa_i, w in zip(lsoa[~straddles], ward[~straddles], strict=True)
        ]
        for lsoa_i, w in zip(lsoa[straddles], ward[straddles], strict=True):
            self.shares += [(int(lsoa_i), int(w), 0.6), (int(lsoa_i), int(w) + 1, 0.4)]
        self.target = 7  # the heavy district
        # Lines: one heavy district, the rest spread everywhere.
        heavy = int(LINES * HEAVY_SHARE)
        level = rng.choice(3, LINES, p=[0.9, 0.08, 0.02])  # ward, LSOA, district
        district = rng.integers(0, DISTRICTS, LINES)
        district[:heavy] = self.target
        ward_in = rng.integers(0, WARDS_PER, LINES)
        lsoa_in = rng.integers(0, LSOAS_PER_WARD, LINES)
        ward_global = district * WARDS_PER + ward_in
        self.area = np.where(
            level == 0,
            self.ward0 + ward_global,
            np.where(level == 1, self.lsoa0 + ward_global * LSOAS_PER_WARD + lsoa_in, district),
        ).astype(np.int32)
        self.year = rng.choice(np.array(YEARS, dtype=np.int16), LINES)
        self.pence = rng.integers(1_000, 5_000_000, LINES).astype(np.int64)
        self.agency = rng.integers(0, AGENCIES, LINES).astype(np.int16)
        self.theme = rng.integers(0, THEMES, LINES).astype(np.int16)

    def wards_of(self, district: int) -> range:
        return range(self.ward0 + district * WARDS_PER, self.ward0 + (district + 1) * WARDS_PER)


def _setup_geography(world: World) -> tuple[list[Any], list[Any]]:
    from placebase.accounts.models import Organisation
    from placebase.places.models import Area, AreaAttribute, AreaOverlap, BoundarySet
    from placebase.wholeplace.models import Agency, Theme

    sets = {
        level: BoundarySet.objects.create(level=level, vintage=2024, name=level)
        for level in ("district", "ward", "lsoa")
    }

    def area(i: int, level: str, code: str) -> Area:
        return Area(
            id=world.ids[i],
            boundary_set=sets[level],
            code=code,
            name=code,
            geometry=GEOMETRY,
            geometry_wkb=b"",
            geometry_hash="",
            min_lon=0,
            min_lat=0,
            max_lon=1,
            max_lat=1,
            centroid_lat=0.5,
            centroid_lon=0.5,
            area_m2=1.0,
        )

    areas = [area(d, "district", f"E09{d:06d}") for d in range(DISTRICTS)]
    areas += [area(world.ward0 + w, "ward", f"E05{w:06d}") for w in range(world.n_wards)]
    areas += [area(world.lsoa0 + s, "lsoa", f"E01{s:06d}") for s in range(world.n_lsoas)]
    Area.objects.bulk_create(areas, batch_size=5000)
    AreaAttribute.objects.bulk_create(
        [
            AreaAttribute(
                area_id=world.ids[world.ward0 + w],
                key="population_total",
                value=float(world.population[w]),
            )
            for w in range(world.n_wards)
        ],
        batch_size=5000,
    )
    overlaps = [
        AreaOverlap(
            area_id=world.ids[world.ward0 + w], other_id=world.ids[w // WARDS_PER], area_share=1.0
        )
        for w in range(world.n_wards)
    ]
    overlaps += [
        AreaOverlap(
            area_id=world.ids[world.lsoa0 + s],
            other_id=world.ids[world.ward0 + w],
            area_share=share,
        )
        for s, w, share in world.shares
    ]
    AreaOverlap.objects.bulk_create(overlaps, batch_size=5000)
    agencies = []
    for i in range(AGENCIES):
        org = Organisation.objects.create(name=f"Agency {i}", kind="council")
        agencies.append(
            Agency.objects.create(
                organisation=org, code=f"agency-{i}", sector="council", cost_bearer="council"
            )
        )
    themes = [Theme.objects.create(code=f"theme-{i}", name=f"Theme {i}") for i in range(THEMES)]
    return agencies, themes


def _load_lines(world: World, agencies: list[Any], themes: list[Any], vendor: str) -> None:
    from django.db import connection, transaction

    index_sql = [
        "CREATE INDEX wholeplace_spend_area ON wholeplace_spendline "
        "(area_id, financial_year, amount_pence)",
        "CREATE INDEX wholeplace_spend_agency ON wholeplace_spendline (agency_id, financial_year)",
    ]
    sqlite = vendor == "sqlite"
    area_key = [u.hex if sqlite else str(u) for u in world.ids]
    agency_key = [a.pk.hex if sqlite else str(a.pk) for a in agencies]
    theme_key = [t.pk.hex if sqlite else str(t.pk) for t in themes]
    starts = {y: date(int(y), 4, 1).isoformat() for y in YEARS}
    ends = {y: date(int(y) + 1, 3, 31).isoformat() for y in YEARS}
    columns = (
        "agency_id, area_id, theme_id, period_start, period_end, financial_year, "
        "amount_pence, amount_price_year, row_hash"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP INDEX wholeplace_spend_area")
        cursor.execute("DROP INDEX wholeplace_spend_agency")
        if not sqlite:
            cursor.execute("SET session_replication_role = replica")  # no FK triggers per row
        for start in range(0, LINES, CHUNK):
            stop = min(start + CHUNK, LINES)
            rows = [
                (
                    agency_key[g],
                    area_key[a],
                    theme_key[t],
                    starts[y],
                    ends[y],
                    int(y),
                    int(p),
                    int(y),
                    f"b{i:015x}",
                )
                for i, a, y, p, g, t in zip(
                    range(start, stop),
                    world.area[start:stop],
                    world.year[start:stop],
                    world.pence[start:stop],
                    world.agency[start:stop],
                    world.theme[start:stop],
                    strict=True,
                )
            ]
            if sqlite:
                cursor.executemany(
                    f"INSERT INTO wholeplace_spendline ({columns}) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
            else:
                with cursor.cursor.copy(f"COPY wholeplace_spendline ({columns}) FROM STDIN") as cp:
                    for row in rows:
                        cp.write_row(row)
        if not sqlite:
            cursor.execute("SET session_replication_role = DEFAULT")
        for sql in index_sql:
            cursor.execute(sql)
        cursor.execute("ANALYZE")


# ---------------------------------------------------------------------------- measuring


def _pandas_peer(world: World) -> tuple[Any, Any]:
    import pandas as pd

    frame = pd.DataFrame({"area": world.area, "year": world.year, "pence": world.pence})
    shares = pd.DataFrame(world.shares, columns=["lsoa", "ward", "share"])
    shares["lsoa"] += world.lsoa0
    shares["ward"] += world.ward0
    population = pd.Series(world.population, index=range(world.ward0, world.lsoa0))

    def per_head(district: int, year: int | None) -> pd.Series:
        wards = list(world.wards_of(district))
        sources = shares[shares.ward.isin(wards)]
        wanted = frame.area.isin(wards) | frame.area.isin(sources.lsoa)
        if year is not None:
            wanted &= frame.year == year
        sums = frame[wanted].groupby("area").pence.sum()
        direct = sums.reindex(wards, fill_value=0).astype(float)
        shared = sources.assign(pence=sources.lsoa.map(sums).fillna(0) * sources.share)
        total = direct.add(shared.groupby("ward").pence.sum(), fill_value=0)
        return (total / 100 / population.reindex(wards)).round(2)

    return frame, per_head


def _bench(report: Report, world: World, database: str, peer: Any) -> None:
    from placebase.places.models import Area
    from placebase.wholeplace.selectors import spend_per_head_children

    district = Area.objects.get(pk=world.ids[world.target])
    in_district = int(np.isin(world.area, [world.target, *world.wards_of(world.target)]).sum())
    cases = [
        (2025, False, "one financial year"),
        (None, False, "all five years"),
        (2025, True, "one financial year, summing the lines themselves"),
        (None, True, "all five years, summing the lines themselves"),
    ]
    for year, from_lines, label in cases:

        def ours(year: int | None = year, from_lines: bool = from_lines) -> Any:
            return spend_per_head_children(
                parent=district, financial_year=year, from_lines=from_lines
            )

        mine = timings_ms(ours, repeat=7)
        theirs = timings_ms(lambda year=year: peer(world.target, year), repeat=7)
        # Same answer, or the comparison means nothing.
        expected = peer(world.target, year)
        for row in ours().rows:
            index = world.ids.index(row.area.pk)
            assert abs(row.per_head - Decimal(str(expected[index]))) <= Decimal("0.01"), row
        report.add(
            f"spend per head, all {WARDS_PER} wards of a district, {label} (p50)",
            p50(mine) / 1000,
            "s",
            peer=p50(theirs) / 1000,
            peer_name="pandas (lines in memory)",
            target="< 1 s" if not from_lines else "",
            database=database,
            notes=f"{LINES:,} lines, {in_district:,} of them in the district; "
            f"p95 {p95(mine) / 1000:.3f} s",
        )


def _run_on(report: Report, world: World, database: str, peer: Any) -> None:
    from django.core.management import call_command
    from django.db import connection

    from placebase.wholeplace.services import spend_totals_rebuild

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    agencies, themes = _setup_geography(world)
    _load_lines(world, agencies, themes, connection.vendor)
    # The import keeps the totals as it goes; a bulk load outside it rebuilds them once.
    spend_totals_rebuild()
    report.add(
        f"set-up: {LINES:,} spend lines and {world.n_areas:,} areas",
        time.perf_counter() - started,
        "s",
        database=database,
    )
    _bench(report, world, database, peer)


def run(report: Report) -> None:
    started = time.perf_counter()
    world = World()
    _, peer = _pandas_peer(world)
    print(f"  generated {LINES:,} lines in {time.perf_counter() - started:.1f} s", flush=True)
    with (
        tempfile.TemporaryDirectory() as folder,
        databases.database(
            databases.sqlite(Path(folder) / "bench_wholeplace.sqlite3", pragmas=SQLITE_PRAGMAS)
        ),
    ):
        _run_on(report, world, "sqlite", peer)
    with databases.postgres(PG_DB) as pg:
        if pg is None:
            report.add("PostgreSQL figures", 0, "skipped", notes="PostgreSQL unreachable")
            return
        with databases.database(pg):
            _run_on(report, world, "postgresql", peer)
