"""Reads for core: the audit log."""

from typing import Any

from django.db.models import QuerySet

from placebase.accounts.permissions import Action, can

from .errors import PermissionDenied
from .models import AuditEvent


def audit_event_list(
    *, user: Any, verb: str = "", target_type: str = "", target_id: str = ""
) -> QuerySet[AuditEvent]:
    if not can(user, Action.VIEW_AUDIT_LOG):
        raise PermissionDenied("Only administrators can read the audit log.")
    events = AuditEvent.objects.select_related("actor", "organisation")
    if verb:
        events = events.filter(verb=verb)
    if target_type:
        events = events.filter(target_type=target_type)
    if target_id:
        events = events.filter(target_id=target_id)
    return events


def audit_verbs() -> list[str]:
    return list(AuditEvent.objects.order_by("verb").values_list("verb", flat=True).distinct())
