"""Whole Place: agencies and their footprints, pooled budgets, public spend by place,
multi-agency involvement, benefits by agency and the consistency register.

Areas are `places.Area` rows at any level; an agency's footprint is a set of them.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from placebase.accounts.models import Organisation
from placebase.core.models import TimestampedModel
from placebase.evidence.models import Agency as CostBearer


class AgencySector(models.TextChoices):
    COUNCIL = "council", "Council"
    COUNCIL_DEPARTMENT = "council_department", "Council department"
    ICB = "icb", "NHS integrated care board"
    NHS_TRUST = "nhs_trust", "NHS trust"
    PCN = "pcn", "Primary care network"
    POLICE = "police", "Police"
    DWP = "dwp", "Department for Work and Pensions"
    HOUSING = "housing", "Housing provider"
    FIRE = "fire", "Fire and rescue"
    PROBATION = "probation", "Probation service"
    VCS = "vcs", "Voluntary or community sector"
    OTHER = "other", "Other"


class Agency(TimestampedModel):
    """An organisation taking part in whole-place working, with the areas it covers."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="wholeplace_agency"
    )
    code = models.SlugField(max_length=64, unique=True, help_text="Short code used in CSV files.")
    sector = models.CharField(max_length=32, choices=AgencySector.choices)
    # Which "pocket" the evidence engine credits when a cost this agency bears is avoided.
    cost_bearer = models.CharField(max_length=32, choices=CostBearer.choices)
    is_lead_council = models.BooleanField(
        default=False, help_text="The council whose footprint the others are compared with."
    )
    footprint = models.ManyToManyField(
        "places.Area", through="Footprint", related_name="wholeplace_agencies", blank=True
    )

    class Meta:
        ordering = ["organisation__name"]
        verbose_name_plural = "agencies"
        constraints = [
            # One lead council: the footprint every other agency's is compared with.
            models.UniqueConstraint(
                fields=["is_lead_council"],
                condition=Q(is_lead_council=True),
                name="wholeplace_one_lead_council",
            )
        ]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name


class Footprint(models.Model):
    id = models.BigAutoField(primary_key=True)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="footprint_areas")
    area = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "area"], name="wholeplace_footprint_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} covers {self.area_id}"


class Theme(TimestampedModel):
    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# ----------------------------------------------------------------------------- pooled funds


class PooledFund(TimestampedModel):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    price_year = models.PositiveSmallIntegerField(
        help_text="Every entry in the fund's ledger is in this year's prices."
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    places = models.ManyToManyField("places.Area", blank=True, related_name="+")
    themes = models.ManyToManyField(Theme, blank=True, related_name="funds")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EntryKind(models.TextChoices):
    CONTRIBUTION = "contribution", "Contribution"
    COMMITMENT = "commitment", "Commitment"
    SPEND = "spend", "Spend"


class LedgerQuerySet(models.QuerySet["LedgerEntry"]):
    """The ledger is append-only: bulk updates and deletes are refused outright."""

    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise LedgerImmutable("ledger entries cannot be changed; record a reversing entry")

    def delete(self):  # type: ignore[no-untyped-def]
        raise LedgerImmutable("ledger entries cannot be deleted; record a reversing entry")


class LedgerImmutable(Exception):
    pass


class LedgerEntry(models.Model):
    """One line of a pooled fund's ledger. Never edited: a mistake is put right by a
    reversing entry (same fund, kind, agency, negated amount) that points at it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    fund = models.ForeignKey(PooledFund, on_delete=models.PROTECT, related_name="entries")
    sequence = models.PositiveIntegerField(help_text="Order of entry within the fund.")
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="ledger_entries")
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    area = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_on = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    amount_price_year = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    row_hash = models.CharField(max_length=64, null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField()

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["fund", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "sequence"], name="wholeplace_ledger_seq"),
            models.UniqueConstraint(fields=["fund", "row_hash"], name="wholeplace_ledger_row"),
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(reverses__isnull=False),
                name="wholeplace_ledger_positive_unless_reversal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund} #{self.sequence} {self.kind} {self.amount}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # A guard, not a side effect: an existing entry may never be rewritten.
        if not self._state.adding:
            raise LedgerImmutable("ledger entries cannot be changed; record a reversing entry")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise LedgerImmutable("ledger entries cannot be deleted; record a reversing entry")


# ------------------------------------------------------------------------------ Total Place


class SpendImport(TimestampedModel):
    """One Total Place CSV import: what came in, and who brought it."""

    filename = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64)
    rows_added = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]


class SpendLine(models.Model):
    """Public money spent by one agency in one area on one theme over one period.

    The amount is held in whole pence: SQLite keeps decimal columns as floating point, and
    sums over millions of lines must come out exact on every database.
    """

    id = models.BigAutoField(primary_key=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="spend_lines")
    area = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="spend_lines")
    period_start = models.DateField()
    period_end = models.DateField()
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year the financial year starts in: 2025 means 2025-26."
    )
    amount_pence = models.BigIntegerField()
    amount_price_year = models.PositiveSmallIntegerField()
    row_hash = models.CharField(max_length=64, unique=True)
    batch = models.ForeignKey(
        SpendImport, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )

    class Meta:
        indexes = [
            # Spend per head by area reads one range of this index and never the table.
            models.Index(
                fields=["area", "financial_year", "amount_price_year", "amount_pence"],
                name="wholeplace_spend_area",
            ),
            models.Index(fields=["agency", "financial_year"], name="wholeplace_spend_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.financial_year} {self.area_id} {self.amount_pence}p"


class SpendTotal(models.Model):
    """Spend lines summed by area, financial year, agency, theme and price year.

    Kept by the import in the same transaction as the lines (like place memberships, worked
    out once at write time), so spend per head for every ward of a district reads a few
    thousand rows however many millions of lines there are. `spend_totals_rebuild`
    recomputes it from the lines.
    """

    id = models.BigAutoField(primary_key=True)
    area = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="+")
    financial_year = models.PositiveSmallIntegerField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+")
    amount_price_year = models.PositiveSmallIntegerField()
    amount_pence = models.BigIntegerField()
    lines = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "financial_year", "agency", "theme", "amount_price_year"],
                name="wholeplace_spendtotal_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.financial_year} {self.area_id} {self.amount_pence}p"


# ------------------------------------------------------------------ multi-agency involvement


class SubjectKind(models.TextChoices):
    HOUSEHOLD = "household", "Household"
    PERSON = "person", "Person"


class InvolvementSource(models.TextChoices):
    CASEWORK = "casework", "Case work"
    IMPORT = "import", "Imported with consent"


class Involvement(models.Model):
    """An agency was involved with a household or person from `started_on` (to `ended_on`).

    `subject_key` is a keyed HMAC of the agency-neutral identifier (e.g. a UPRN for a
    household): records from different agencies match, and the raw identifier is never kept.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="involvements")
    subject_kind = models.CharField(max_length=16, choices=SubjectKind.choices)
    subject_key = models.CharField(max_length=64)
    area = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=16, choices=InvolvementSource.choices)
    lawful_basis = models.CharField(
        max_length=200, help_text="Consent reference or lawful basis for sharing this record."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "subject_kind", "subject_key", "started_on"],
                name="wholeplace_involvement_unique",
            )
        ]
        indexes = [
            models.Index(fields=["subject_kind", "subject_key"], name="wholeplace_inv_subject")
        ]

    def __str__(self) -> str:
        # Never the subject key: it is personal data, even pseudonymised.
        return f"{self.get_subject_kind_display()} involvement from {self.started_on}"


# -------------------------------------------------------------------- benefits by agency


class BenefitFigure(TimestampedModel):
    """Costs avoided that accrue to one cost-bearer, for a place and period, from an
    evidence run (an SROI report, or figures recorded from one)."""

    source_reference = models.CharField(
        max_length=200, help_text="Which evidence run or report these figures come from."
    )
    cost_bearer = models.CharField(max_length=32, choices=CostBearer.choices)
    area = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    amount_price_year = models.PositiveSmallIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["source_reference", "cost_bearer"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_reference", "cost_bearer"], name="wholeplace_benefit_unique"
            )
        ]


# ------------------------------------------------------------------- consistency register


class Approach(models.TextChoices):
    LOCAL_AREA_COORDINATION = "lac", "Local Area Coordination"
    ABCD = "abcd", "Asset Based Community Development"
    WHOLE_PLACE = "whole_place", "Whole Place (pooled budgets, joined-up services)"
    OTHER = "other", "Other place-based approach"


class RegisterEntry(TimestampedModel):
    """A department or service that uses a place-based approach: on which themes, where,
    and with how many of its staff trained."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="register_entries")
    service_name = models.CharField(max_length=200)
    approach = models.CharField(max_length=16, choices=Approach.choices)
    themes = models.ManyToManyField(Theme, blank=True, related_name="register_entries")
    areas = models.ManyToManyField("places.Area", blank=True, related_name="+")
    staff_total = models.PositiveIntegerField(default=0)
    staff_trained = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["agency__organisation__name", "service_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "service_name", "approach"], name="wholeplace_register_unique"
            ),
            models.CheckConstraint(
                condition=Q(staff_trained__lte=models.F("staff_total")),
                name="wholeplace_register_trained_le_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.service_name}"
