"""Directory benchmarks, each beside its peer in the same run, on SQLite and PostgreSQL.

1. Directory search by postcode + radius + category + free text over 100,000 listings
   (spread across Greater London, so a mile around a Sutton postcode holds a realistic few
   hundred): ours (`selectors.directory_search`: one range scan of the covering index on each
   service at location's copied point, the category and word filters asked per listing with
   EXISTS, exact haversine on the survivors, typo-tolerant word index) against the plain ORM
   way (`directory_search_naive`: icontains on name and description, distance in Python for
   every location of every matching listing). Target p95 < 50 ms.
2. `/oruk/services?full=true&per_page=50` through the whole Django stack (test client; pages
   1 to 2,000), built from plain rows (one `.values()` query per related table for the page),
   against the same page serialised without prefetching (one query per relation per
   service). Target p95 < 100 ms.

Each figure also notes the CPU time spent in this process and the load average: the machine
is shared, and the wall clock then mostly measures the wait for a CPU.

Databases are the benchmark's own: a temporary SQLite file and a throwaway PostgreSQL
database `bench_assets` (created and dropped here; skipped, with a note, if unreachable).
`ASSETS_BENCH_N` changes the number of listings.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from . import databases
from .harness import Report, p50, p95

CPU_TIMES: dict[int, list[float]] = {}


def timings_ms(fn: Any, *, repeat: int, warmup: int = 3) -> list[float]:
    """The harness's wall-clock timings, also keeping each call's CPU time in this process
    (reported beside them: on a shared machine the wall clock mostly measures the queue for
    the CPU; on SQLite the database's work is in this process, on PostgreSQL it is not)."""
    for _ in range(warmup):
        fn()
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - start) * 1000)
    CPU_TIMES[id(walls)] = cpus
    return walls


def _cpu_note(mine: list[float], theirs: list[float]) -> str:
    load = os.getloadavg()[0]
    return (
        f"CPU p95 {p95(CPU_TIMES[id(mine)]):.1f} ms (peer {p95(CPU_TIMES[id(theirs)]):.1f} ms); "
        f"load average {load:.1f} on {os.cpu_count()} CPUs"
    )


N_ASSETS = int(os.environ.get("ASSETS_BENCH_N", 100_000))
PG_DB = "bench_assets"
BATCH = 5_000
# Greater London, roughly: 100,000 listings here is a dense national-scale directory.
LAT_RANGE, LON_RANGE = (51.28, 51.70), (-0.51, 0.33)
WORDS = [
    "knit",
    "natter",
    "lunch",
    "club",
    "walking",
    "group",
    "choir",
    "yoga",
    "chair",
    "football",
    "garden",
    "community",
    "food",
    "bank",
    "youth",
    "digital",
    "drop-in",
    "carers",
    "cafe",
    "repair",
    "allotment",
    "library",
    "hall",
    "swimming",
    "drama",
    "befriending",
    "advice",
    "money",
    "job",
    "toddler",
    "art",
    "pottery",
    "reading",
    "men's",
    "shed",
    "memory",
    "dementia",
    "running",
    "cycling",
    "tai",
    "chi",
]
PLACES = [
    "Sutton",
    "Cheam",
    "Carshalton",
    "Wallington",
    "Croydon",
    "Merton",
    "Kingston",
    "Hackbridge",
    "Belmont",
    "Rosehill",
    "Mitcham",
    "Morden",
    "Tooting",
    "Streatham",
]
QUERIES = [
    ("knitting", "Arts and creativity"),
    ("lunch club", "Social and community"),
    ("walking group", "Sport"),
    ("chair yoga", "Health and wellbeing"),
    ("food bank", "Food"),
    ("kniting", "Arts and creativity"),
    ("community garden", "Green space and environment"),
    ("youth", None),
    ("choir", "Arts and creativity"),
    ("digital drop in", "Learning and skills"),
]


def _bulk(model: Any, rows: list[Any]) -> None:
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start : start + BATCH], batch_size=BATCH)


def _populate(n: int) -> dict[str, Any]:
    """n listings with locations, categories, schedules, contacts and their word index,
    written in bulk (the services would take hours for 100,000)."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from placebase.assets import demo, search
    from placebase.assets import models as m

    call_command("migrate", verbosity=0)
    rnd = random.Random(20261124)
    now = timezone.now()
    with transaction.atomic():
        terms = demo._taxonomy()
        leaf_names = [c for kids in demo.CATEGORIES.values() for c in kids]
        parents = {t.name: t for t in terms.values() if t.parent_id is None}
        providers = [
            m.DirectoryOrganisation(
                name=f"Provider {i}",
                search_name=f"provider {i}",
                description="A local organisation",
            )
            for i in range(200)
        ]
        _bulk(m.DirectoryOrganisation, providers)
        assets, locations, sals, attrs, tokens, schedules = [], [], [], [], [], []
        addresses, contacts, phones, access, areas = [], [], [], [], []
        vocabulary: set[str] = set()
        features = list(m.AccessFeature.values)
        for i in range(n):
            leaf = rnd.choice(leaf_names)
            name = f"{rnd.choice(PLACES)} {rnd.choice(WORDS).title()} {rnd.choice(WORDS).title()}"
            description = " ".join(rnd.choice(WORDS) for _ in range(18)) + "."
            chosen = rnd.sample(features, rnd.randint(0, 3))
            has_area = rnd.random() < 0.02
            asset = m.Asset(
                id=uuid.UUID(int=rnd.getrandbits(128)),
                name=name,
                description=description,
                kind=rnd.choice(list(m.AssetKind.values)),
                provider=rnd.choice(providers),
                is_free=rnd.random() < 0.5,
                search_name=search.normalise(name),
                last_reviewed_at=now - dt.timedelta(days=rnd.randint(0, 400)),
                has_service_area=has_area,
                access_features_cache=("," + ",".join(sorted(chosen)) + ",") if chosen else "",
            )
            assets.append(asset)
            location = m.Location(
                id=uuid.UUID(int=rnd.getrandbits(128)),
                name=name,
                latitude=rnd.uniform(*LAT_RANGE),
                longitude=rnd.uniform(*LON_RANGE),
            )
            locations.append(location)
            sals.append(
                m.ServiceAtLocation(
                    asset=asset,
                    location=location,
                    search_latitude=location.latitude,
                    search_longitude=location.longitude,
                )
            )
            addresses.append(
                m.Address(
                    location=location,
                    address_1=f"{i} High Street",
                    city="London",
                    postal_code="SM1 1EA",
                )
            )
            access.extend(
                m.Accessibility(location=location, feature=f, description=m.AccessFeature(f).label)
                for f in chosen
            )
            attrs.append(m.Attribute(term=terms[leaf], link_entity="service", link_id=asset.id))
            schedules.append(
                m.Schedule(
                    asset=asset,
                    freq="WEEKLY",
                    byday=rnd.choice(["MO", "TU", "WE", "TH", "FR", "SA"]),
                    opens_at=dt.time(10),
                    closes_at=dt.time(12),
                )
            )
            contact = m.Contact(asset=asset, title="Enquiries", email="hello@example.org")
            contacts.append(contact)
            phones.append(m.Phone(contact=contact, number="020 8770 5000"))
            # As in real feeds, some listings and some venues have a number of their own.
            if rnd.random() < 0.3:
                phones.append(m.Phone(asset=asset, number="020 8770 5001"))
            if rnd.random() < 0.3:
                phones.append(m.Phone(location=location, number="020 8770 5002"))
            if has_area:
                areas.append(m.ServiceArea(asset=asset, area_code="E09000029", name="Sutton"))
            words = search.listing_tokens(
                name=name, description=description, terms=[leaf, terms[leaf].parent.name]
            )
            vocabulary.update(words)
            tokens.extend((asset.id, t, w) for t, w in words.items())
        for model, rows in (
            (m.Asset, assets),
            (m.Location, locations),
            (m.ServiceAtLocation, sals),
            (m.Address, addresses),
            (m.Accessibility, access),
            (m.Attribute, attrs),
            (m.Schedule, schedules),
            (m.Contact, contacts),
            (m.Phone, phones),
            (m.ServiceArea, areas),
        ):
            _bulk(model, rows)
        # The word index is most of the rows: plain executemany is much quicker here.
        prep = m.SearchToken._meta.get_field("asset").target_field.get_db_prep_value  # type: ignore[union-attr]
        table = m.SearchToken._meta.db_table
        with connection.cursor() as cursor:
            for start in range(0, len(tokens), 50_000):
                cursor.executemany(
                    f"INSERT INTO {table} (asset_id, token, weight) VALUES (%s, %s, %s)",
                    [(prep(a, connection), t, w) for a, t, w in tokens[start : start + 50_000]],
                )
        m.SearchWord.objects.bulk_create(
            [m.SearchWord(token=t) for t in sorted(vocabulary)],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
    with connection.cursor() as cursor:
        # Fresh statistics (and on PostgreSQL the visibility map that index-only scans
        # need), as autovacuum would give a live database.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    search.VOCABULARY.invalidate()
    return {"parents": parents, "tokens": len(tokens)}


def _postcodes() -> list[tuple[str, float, float]]:
    from placebase.assets import demo

    return demo._postcodes()[:40]


def bench_search(report: Report, database: str, parents: dict[str, Any]) -> None:
    from placebase.assets import geo, selectors
    from placebase.assets.selectors import DirectoryQuery

    postcodes = _postcodes()
    rnd = random.Random(7)
    cases = []
    for i in range(60):
        postcode = postcodes[i % len(postcodes)][0]
        text, category = QUERIES[i % len(QUERIES)]
        radius = rnd.choice([1609.0, 3219.0])
        terms = (str(parents[category].id),) if category else ()
        cases.append((postcode, text, terms, radius))
    # Postcodes come from the places engine, warm, as in a running server.
    for postcode, *_ in cases[:5]:
        geo.postcode_locate(postcode)

    state = {"i": 0}

    def ours() -> Any:
        postcode, text, terms, radius = cases[state["i"] % len(cases)]
        state["i"] += 1
        return selectors.directory_search(
            query=DirectoryQuery(postcode=postcode, radius_m=radius, term_ids=terms, text=text)
        )

    def peer() -> Any:
        postcode, text, terms, radius = cases[state["i"] % len(cases)]
        state["i"] += 1
        point = geo.postcode_locate(postcode)
        return selectors.directory_search_naive(
            query=DirectoryQuery(
                lat=point.lat, lon=point.lon, radius_m=radius, term_ids=terms, text=text
            )
        )

    mine = timings_ms(ours, repeat=len(cases) * 2)
    state["i"] = 0
    theirs = timings_ms(peer, repeat=len(cases) // 2)
    sizes = []
    for postcode, text, terms, radius in cases[:10]:
        sizes.append(
            selectors.directory_search(
                query=DirectoryQuery(postcode=postcode, radius_m=radius, term_ids=terms, text=text)
            ).total
        )
    report.add(
        f"search postcode+radius+category+text, {N_ASSETS:,} listings, p95",
        p95(mine),
        "ms",
        peer=p95(theirs),
        peer_name="ORM icontains + Python distance",
        target="< 50 ms",
        database=database,
        notes=f"p50 {p50(mine):.1f} ms; median results {sorted(sizes)[5]}; "
        + _cpu_note(mine, theirs),
    )


def bench_oruk(report: Report, database: str) -> None:
    from django.test import Client

    from placebase.assets import models as m
    from placebase.assets import oruk

    client = Client()
    pages = [1, 2, 50, 500, 1000, N_ASSETS // 50]
    state = {"i": 0}

    def ours() -> Any:
        page = pages[state["i"] % len(pages)]
        state["i"] += 1
        response = client.get(f"/oruk/services?full=true&per_page=50&page={page}")
        assert response.status_code == 200
        return response.content

    def peer() -> Any:
        page = pages[state["i"] % len(pages)]
        state["i"] += 1
        assets = m.Asset.objects.order_by("id")[(page - 1) * 50 : page * 50]
        return [
            oruk.service_dict(
                a,
                full=True,
                attributes=list(
                    m.Attribute.objects.filter(link_id=a.id).select_related("term__taxonomy")
                ),
            )
            for a in assets
        ]

    mine = timings_ms(ours, repeat=60)
    state["i"] = 0
    theirs = timings_ms(peer, repeat=12)
    report.add(
        "/oruk/services full page of 50, p95",
        p95(mine),
        "ms",
        peer=p95(theirs),
        peer_name="same page without prefetching (N+1)",
        target="< 100 ms",
        database=database,
        notes=f"p50 {p50(mine):.1f} ms; " + _cpu_note(mine, theirs),
    )


def run(report: Report) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        databases.database(databases.sqlite(Path(folder) / "bench_assets.sqlite3")),
    ):
        info = _populate(N_ASSETS)
        bench_search(report, "sqlite", info["parents"])
        bench_oruk(report, "sqlite")
    with databases.postgres(PG_DB) as pg:
        if pg is None:
            report.add("PostgreSQL figures", 0, "skipped", notes="PostgreSQL unreachable")
            return
        with databases.database(pg):
            info = _populate(N_ASSETS)
            bench_search(report, "postgresql", info["parents"])
            bench_oruk(report, "postgresql")
