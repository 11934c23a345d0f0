"""Background work for engagement, through Django's Tasks API."""

from django.tasks import task

from . import summary


@task
def engagement_summary_rebuild() -> dict[str, int]:
    """Rebuild who-took-part summaries after the places engine re-locates records (the areas
    participations count in have changed), or after a bulk load."""
    return summary.summary_rebuild()
