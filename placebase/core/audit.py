"""The one entry point for the audit log: every read and write of personal data goes here."""

from typing import Any

from django.db import models
from django.utils import timezone

from .middleware import current_request_id
from .models import AuditEvent

# Payload keys that must never be stored: the audit says what happened, not who the person is.
_FORBIDDEN_PAYLOAD_KEYS = {
    "password",
    "name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "date_of_birth",
    "notes",
}


def audit_record(
    *,
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    personal_data: bool = False,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that `actor` did `verb` to `target` (or to `target_type`/`target_id`)."""
    payload = dict(payload or {})
    leaked = _FORBIDDEN_PAYLOAD_KEYS.intersection(payload)
    if leaked:
        raise ValueError(f"audit payload must not carry personal data: {sorted(leaked)}")
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=user,
        actor_label=(user.get_username() if user else "anonymous"),
        organisation_id=getattr(user, "organisation_id", None),
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        request_id=current_request_id(),
        personal_data=personal_data,
        payload=payload,
    )
