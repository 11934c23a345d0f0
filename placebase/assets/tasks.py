"""Background work for the directory (Django's Tasks API)."""

from typing import Any

from django.tasks import task

from . import services


@task
def remind_stale_listings(max_age_days: int | None = None) -> dict[str, Any]:
    """Remind owners of stale listings. Run daily by a scheduler (see the how-to)."""
    run = services.assets_stale_remind(max_age_days=max_age_days)
    return {"stale": run.stale, "reminded": run.reminded, "without_owner": run.without_owner}


@task
def import_oruk_feed(source: str) -> list[str]:
    """Import an ORUK feed in the background; the report's lines are the task's result."""
    return services.oruk_import(actor=None, source=source).lines()
