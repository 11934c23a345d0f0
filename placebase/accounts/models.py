"""Organisations, teams and users."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models

from placebase.core.models import TimestampedModel

from .roles import STAFF_ROLES, Role


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", "Council"
    NHS = "nhs", "NHS body"
    POLICE = "police", "Police"
    HOUSING = "housing", "Housing provider"
    VCS = "vcs", "Voluntary or community sector organisation"
    COMMUNITY_GROUP = "community_group", "Community group"
    BUSINESS = "business", "Business"


class Organisation(TimestampedModel):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The larger body this one belongs to, e.g. a council for its department.",
    )
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(TimestampedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.VOLUNTEER)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    # Honoured only when settings.DEMO_MODE is on, so demo logins work without an authenticator.
    mfa_exempt_in_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["username"]

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class LoginFailure(models.Model):
    """A failed sign-in, kept briefly for throttling. Keys are hashes, not usernames."""

    id = models.BigAutoField(primary_key=True)
    username_key = models.CharField(max_length=64, db_index=True)
    address_key = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"failed sign-in at {self.at:%Y-%m-%d %H:%M}"


class SharingPurpose(models.TextChoices):
    """Why a partner may see a shared record. An agreement and a consent both name purposes;
    a partner sees a record only for purposes that appear in both."""

    DIRECT_CARE = "direct_care", "Direct support and care of the person"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    EVALUATION = "evaluation", "Evaluation of outcomes and service use"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    ENDED = "ended", "Ended"


class DataSharingAgreement(TimestampedModel):
    """An agreement under which `owner` shares personal records with partner organisations.

    In force only while status is active and today lies between its start and end dates.
    """

    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="agreements_owned"
    )
    partners = models.ManyToManyField(Organisation, related_name="agreements_joined")
    purposes = models.JSONField(default=list, help_text="SharingPurpose codes.")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
