"""Rows that data migrations seed, put back after a test that emptied every table.

Tests against a live server (the browser tests) run outside a transaction, so Django empties
every table when they end — including what data migrations seeded (the ONS4 questionnaire,
volunteering skills and badges). Tests that run after them in the same process would then
miss those rows. The seeds are idempotent, so running them again is harmless.
"""

import importlib

from django.apps import apps

SEEDING_MIGRATIONS = [
    "placebase.casework.migrations.0002_seed_ons4",
    "placebase.volunteering.migrations.0002_seed_skills_and_badges",
]


def migration_seeds_restore() -> None:
    for module_name in SEEDING_MIGRATIONS:
        importlib.import_module(module_name).seed(apps, None)
