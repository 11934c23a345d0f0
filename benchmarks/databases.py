"""The benchmarks' own databases: a temporary SQLite file or a throwaway PostgreSQL database
put in place of the project's for the length of a run, and the fastest way to fill one.

One copy for every benchmark, so each measures its databases set up the same way.
`PLACEBASE_BENCH_POSTGRES_URL` names the PostgreSQL server (its admin database); a server
that does not answer is skipped with a note, not an error.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

PG_URL = os.environ.get(
    "PLACEBASE_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
# A throwaway file need not survive a crash, so nothing waits for the disk.
PRAGMAS = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
# The product's own journal and syncing (config.settings.base), without its cache settings.
PRAGMAS_SYNC_NORMAL = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"


@contextlib.contextmanager
def database(settings_dict: dict[str, Any]) -> Iterator[None]:
    """Point Django's default connection at another database for the duration."""
    from django.db import connections

    original = connections["default"]
    original.close()
    connections.settings["default"] = dict(connections.settings["default"]) | settings_dict
    new = connections.create_connection("default")
    connections["default"] = new
    try:
        yield
    finally:
        new.close()
        connections["default"] = original
        connections.settings["default"] = original.settings_dict


def sqlite(path: Path, *, pragmas: str = PRAGMAS) -> dict[str, Any]:
    """Settings for a SQLite file at `path`; `pragmas` run on every new connection."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "init_command": pragmas,
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        "CONN_MAX_AGE": 0,
        "TEST": {},
    }


def engines(name: str, *, pragmas: str = PRAGMAS) -> Iterator[tuple[str, dict[str, Any]]]:
    """("SQLite", settings) for a temporary file, then ("PostgreSQL", settings) for a
    throwaway database `name` when a server answers; each is gone once the loop moves on."""
    with tempfile.TemporaryDirectory() as folder:
        yield "SQLite", sqlite(Path(folder) / f"{name}.sqlite3", pragmas=pragmas)
    with postgres(name) as settings:
        if settings is not None:
            yield "PostgreSQL", settings


def _admin_url() -> str:
    return PG_URL.replace("postgres://", "postgresql://", 1)


@contextlib.contextmanager
def postgres(name: str) -> Iterator[dict[str, Any] | None]:
    """A throwaway PostgreSQL database `name`, dropped afterwards (None when unreachable).

    Dropped WITH (FORCE), so that a connection still open to it cannot stop the drop."""
    import dj_database_url
    import psycopg

    url = _admin_url()
    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=3)
    except Exception as error:  # unreachable: say so and skip
        print(f"  PostgreSQL not reachable ({type(error).__name__}): skipped", flush=True)
        yield None
        return
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    parsed = dj_database_url.parse(PG_URL)
    try:
        yield parsed | {"NAME": name, "OPTIONS": {}, "CONN_MAX_AGE": 0, "TEST": {}}
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def postgres_reachable() -> bool:
    """Whether the PostgreSQL server answers, for a benchmark that makes its own database."""
    try:
        import psycopg

        psycopg.connect(_admin_url(), connect_timeout=3).close()
    except Exception:  # noqa: BLE001
        return False
    return True


# ---------------------------------------------------------------------------- bulk writing

_BATCH = 50_000
_NOW = datetime.datetime.now(datetime.UTC)
_AUTO_FIELDS = ("AutoField", "BigAutoField", "SmallAutoField")


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def insert(model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """Write rows (attname → value, other fields take their defaults) as fast as the database
    allows: COPY on PostgreSQL, executemany in one transaction on SQLite."""
    from django.db import connection, transaction

    # Auto-numbered keys are left to the database.
    fields = [f for f in model._meta.concrete_fields if f.get_internal_type() not in _AUTO_FIELDS]
    columns = [f.column for f in fields]
    position = {f.attname: i for i, f in enumerate(fields)}
    template = []
    for f in fields:
        if f.attname in ("created_at", "updated_at", "at"):
            template.append(_NOW)
        elif f.has_default() and not callable(f.default):
            template.append(f.default)
        else:
            template.append(None if f.null else "")
    table = model._meta.db_table
    written = 0
    on_postgres = connection.vendor == "postgresql"
    batch: list[list[Any]] = []

    def flush() -> None:
        if not batch:
            return
        with connection.cursor() as cursor:
            if on_postgres:
                raw = cursor.cursor
                with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                marks = ", ".join("%s" for _ in columns)
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    [[_sqlite_value(v) for v in row] for row in batch],
                )
        batch.clear()

    with transaction.atomic():
        for values in rows:
            row = list(template)
            for name, value in values.items():
                row[position[name]] = value
            batch.append(row)
            written += 1
            if len(batch) >= _BATCH:
                flush()
        flush()
    return written
