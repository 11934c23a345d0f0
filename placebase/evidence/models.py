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


# --- programmes, forecasts and stored reports --------------------------------------------------


class Programme(TimestampedModel):
    """A body of place-based work whose costs are the inputs of its evidence: e.g. "Local Area
    Coordination in Sutton". Its records are the introductions of its organisation."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Whose case work counts; empty means every organisation's.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CostKind(models.TextChoices):
    STAFF = "staff", "Staff posts (e.g. coordinators)"
    OVERHEAD = "overhead", "Overheads (management, premises, IT)"
    IN_KIND = "in_kind", "In-kind contribution (donated rooms, time, goods)"
    OTHER = "other", "Other spending"


class ProgrammeCost(TimestampedModel):
    """One cost of a programme over a span of dates; a report takes the share of it that falls
    in its period (by days). In-kind contributions count in the SROI inputs, not in the
    net fiscal return (they are not public money)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="costs")
    kind = models.CharField(max_length=12, choices=CostKind.choices)
    description = models.CharField(max_length=300)
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    amount_price_year = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_on", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="programmecost_dates"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="programmecost_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.description} (£{self.amount}, {self.amount_price_year} prices)"


class Forecast(TimestampedModel):
    """Planned activity: how many people a programme expects to support in a place and period,
    and the change it expects per person. A forecast report values it like the records."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="forecasts")
    area = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    people = models.PositiveIntegerField(help_text="People the programme plans to support.")
    life_satisfaction_change = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal(0), help_text="Expected points per person."
    )
    assumptions_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period_start"]

    def __str__(self) -> str:
        return f"Forecast: {self.programme} {self.period_start}–{self.period_end}"


class ForecastLine(models.Model):
    """Expected events avoided per person per year of one service type, with a range."""

    id = models.BigAutoField(primary_key=True)
    forecast = models.ForeignKey(Forecast, on_delete=models.CASCADE, related_name="lines")
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    avoided_per_person = models.DecimalField(max_digits=8, decimal_places=3)
    low = models.DecimalField(max_digits=8, decimal_places=3)
    high = models.DecimalField(max_digits=8, decimal_places=3)

    class Meta:
        ordering = ["service_type__label"]
        constraints = [
            models.UniqueConstraint(fields=["forecast", "service_type"], name="forecastline_once"),
            models.CheckConstraint(
                condition=models.Q(low__lte=models.F("avoided_per_person"))
                & models.Q(avoided_per_person__lte=models.F("high")),
                name="forecastline_range_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_type_id}: {self.avoided_per_person} a person a year"


class ReportKind(models.TextChoices):
    EVALUATIVE = "evaluative", "Evaluative (from what happened)"
    FORECAST = "forecast", "Forecast (from planned activity)"


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class EvidenceReport(TimestampedModel):
    """A stored evidence report. It keeps everything needed to re-run it: the parameter document
    and unit-cost versions it used, its assumptions, the date the records were read up to, and
    a hash of the figures it drew from the records."""

    kind = models.CharField(max_length=12, choices=ReportKind.choices)
    status = models.CharField(
        max_length=8, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    title = models.CharField(max_length=300)
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    forecast = models.ForeignKey(
        Forecast, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    area = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    as_of = models.DateField(help_text="Records are read up to this day.")
    price_year = models.PositiveSmallIntegerField()
    parameter_version = models.PositiveIntegerField(null=True, blank=True)
    parameters = models.JSONField(help_text="The parameter document used, whole.")
    unit_costs = models.JSONField(default=list, help_text="The unit-cost versions used.")
    assumptions = models.JSONField(default=dict)
    seed = models.PositiveIntegerField(default=1)
    draws = models.PositiveIntegerField(default=10_000)
    data_hash = models.CharField(max_length=64, blank=True)
    method_version = models.PositiveSmallIntegerField(
        default=1, help_text="The version of the method (records.METHOD_VERSION) it was made with."
    )
    results = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="evidencereport_period",
            )
        ]

    def __str__(self) -> str:
        return self.title
