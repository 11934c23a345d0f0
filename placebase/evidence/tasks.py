"""Background work for evidence: building a report's figures (through Django's Tasks API)."""

from django.tasks import task

from . import services


@task
def evidence_report_build_task(report_id: str) -> str:
    """Compute a stored report's figures; the outcome is stored on the report."""
    return str(services.evidence_report_build(report_id=report_id).status)
