"""Background work for volunteering, through Django's Tasks API (run daily by the scheduler)."""

from django.tasks import task

from . import services


@task()
def safeguarding_warnings_send_task() -> int:
    """Warn volunteers 60, 30 and 7 days before their DBS check is due for renewal."""
    return services.safeguarding_warnings_send()
