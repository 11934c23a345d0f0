"""Reads for accounts: data-sharing agreements."""

import datetime
import uuid

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AgreementStatus, DataSharingAgreement


def data_sharing_agreement_list_in_force(
    *,
    owner_id: uuid.UUID | None = None,
    partner_id: uuid.UUID | None = None,
    on: datetime.date | None = None,
) -> QuerySet[DataSharingAgreement]:
    """Agreements active on `on` (today by default), optionally for one owner or partner."""
    day = on or timezone.localdate()
    agreements = DataSharingAgreement.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        status=AgreementStatus.ACTIVE,
        starts_on__lte=day,
    )
    if owner_id is not None:
        agreements = agreements.filter(owner_id=owner_id)
    if partner_id is not None:
        agreements = agreements.filter(partners__id=partner_id)
    return agreements.distinct()


def sharing_purposes_in_force(
    *, owner_id: uuid.UUID, partner_id: uuid.UUID, on: datetime.date | None = None
) -> set[str]:
    """The purposes for which `owner` shares with `partner` today, over all agreements."""
    purposes: set[str] = set()
    for agreement_purposes in data_sharing_agreement_list_in_force(
        owner_id=owner_id, partner_id=partner_id, on=on
    ).values_list("purposes", flat=True):
        purposes.update(agreement_purposes or [])
    return purposes
