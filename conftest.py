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
