"""The evidence catalogue: service types, versioned unit costs, versioned valuation parameters.

Versioned means an edit never changes a row: it adds a new version and makes it current, so a
report that stored the version it used can always be re-run on the same figures.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from placebase.core.models import TimestampedModel


class Agency(models.TextChoices):
    """Who bears a cost (and so who benefits when it is avoided)."""

    NHS = "nhs", "NHS"
    COUNCIL = "council", "Local authority"
    POLICE = "police", "Police"
    DWP = "dwp", "Department for Work and Pensions"
    HOUSING = "housing", "Housing provider"
    FIRE = "fire", "Fire and rescue"
    CRIMINAL_JUSTICE = "criminal_justice", "Criminal justice (courts, prisons, probation)"
    OTHER = "other", "Other"


class ConfidenceGrade(models.IntegerChoices):
    """How far a value can be trusted; drives the optimism-bias correction."""

    RECENT_ROBUST = 1, "1 – recent, robust data (e.g. national statistics)"
    OFFICIAL = 2, "2 – official source, some caveats"
    RESEARCH = 3, "3 – research or older official source"
    DATED = 4, "4 – dated, or adapted from a related measure"
    WEAK = 5, "5 – weak or local estimate"
    JUDGEMENT = 6, "6 – expert judgement"


class ServiceType(TimestampedModel):
    """A kind of crisis or statutory service use that case work records and evidence values."""

    code = models.SlugField(max_length=64, unique=True)
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class UnitCost(TimestampedModel):
    """One version of a unit cost. `code` names the cost across versions."""

    code = models.SlugField(max_length=100)
    version = models.PositiveIntegerField()
    is_current = models.BooleanField(default=True)
    service_type = models.ForeignKey(
        ServiceType, null=True, blank=True, on_delete=models.PROTECT, related_name="unit_costs"
    )
    item = models.CharField(max_length=300)
    unit = models.CharField(max_length=100)
    value = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    value_price_year = models.PositiveSmallIntegerField(
        help_text="Price year Y means the financial year Y to Y+1."
    )
    confidence_grade = models.PositiveSmallIntegerField(choices=ConfidenceGrade.choices)
    source = models.TextField()
    source_url = models.URLField(max_length=500, blank=True)
    licence = models.CharField(max_length=300)
    notes = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unitcost_code_version"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(is_current=True),
                name="unitcost_one_current_per_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} (v{self.version})"


class UnitCostShare(models.Model):
    """The part of a unit cost one agency bears. A cost's shares sum to 1."""

    id = models.BigAutoField(primary_key=True)
    unit_cost = models.ForeignKey(UnitCost, on_delete=models.CASCADE, related_name="shares")
    agency = models.CharField(max_length=32, choices=Agency.choices)
    share = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal(1))],
    )

    class Meta:
        ordering = ["-share", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["unit_cost", "agency"], name="unitcostshare_unique"),
            models.CheckConstraint(
                condition=models.Q(share__gt=0, share__lte=1), name="unitcostshare_share_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_agency_display()} {self.share}"


class ParameterSet(TimestampedModel):
    """One version of the valuation parameters; exactly one is current.

    `values` is the parameter document (the shape of data/parameters.json), read through
    `placebase.evidence.valuation.parameters_from_dict`, which checks it."""

    version = models.PositiveIntegerField(unique=True)
    is_current = models.BooleanField(default=True)
    label = models.CharField(max_length=300)
    values = models.JSONField()
    content_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="parameterset_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"Parameters v{self.version}: {self.label}"
