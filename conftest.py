"""Shared test set-up: record which database engines the suite really ran on, and load the
real-browser fixtures (`browser`, `page`, `axe_check`, `signed_in_page`) for every app."""

from pathlib import Path

import pytest

pytest_plugins = ["placebase.testing.browser"]

USED_DIR = Path(__file__).resolve().parent / "var" / "test-databases-used"


@pytest.fixture(autouse=True, scope="session")
def _record_database_vendor(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from django.db import connection

    # A real query proves the suite ran on this engine, not merely that settings named it.
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    USED_DIR.mkdir(parents=True, exist_ok=True)
    (USED_DIR / connection.vendor).write_text("used\n")
    yield


@pytest.fixture(autouse=True)
def _migration_seeds_present(request):  # type: ignore[no-untyped-def]
    """Tests outside a transaction start with what the data migrations seeded (an earlier
    one in this process may have emptied the tables)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or "live_server" in (
        request.fixturenames
    )
    if marker is not None and marker.kwargs.get("transaction"):
        transactional = True
    if transactional:
        from placebase.testing.seeds import migration_seeds_restore

        request.getfixturevalue("transactional_db")
        migration_seeds_restore()
