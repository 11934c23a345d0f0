"""Background work for case work, through Django's Tasks API. `manage.py casework_reminders`
and `manage.py casework_retention` enqueue them; run both daily (cron or a scheduler)."""

from django.tasks import task

from . import services


@task
def casework_reminders_send() -> int:
    """Tell coordinators about follow-ups and reviews due."""
    return services.reminders_send()


@task
def casework_retention_apply() -> int:
    """Anonymise closed records older than PLACEBASE_RETENTION_DAYS (not under legal hold)."""
    return services.retention_apply()


@task
def casework_area_combinations_refresh() -> int:
    """Re-read people's area combinations after the places engine re-locates records."""
    return services.area_combinations_refresh()
