"""Background work for places: imports and locating existing records (Django Tasks API)."""

import uuid

from django.tasks import task


@task
def import_job_task(job_id: str) -> None:
    from . import services  # noqa: PLC0415 - services queue this task

    services.import_job_run(job_id=uuid.UUID(job_id))
