"""Volunteers, opportunities, pledges and shifts, safeguarding checks, hours and recognition.

Where things happen is stored as plain latitude/longitude columns with an index, so matching
can cut candidates with a bounding box on any database before the exact (haversine) distance.
Availability is a bit mask of seven days by three parts of the day (see `availability.py`),
so "are they free when it happens?" is one bitwise AND.

An asset in the directory is linked by a nullable UUID rather than a foreign key (the directory
is re-imported on its own timetable); a person in case work by a nullable foreign key.
"""

from django.conf import settings
from django.db import models

from placebase.core.models import TimestampedModel

VOLUNTEER_RECORD_TYPE = "volunteering.volunteer"
OPPORTUNITY_RECORD_TYPE = "volunteering.opportunity"
SITE_RECORD_TYPE = "volunteering.site"


class Skill(TimestampedModel):
    """A skill or interest volunteers offer and opportunities ask for."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VolunteerStatus(models.TextChoices):
    AWAITING_GUARDIAN = "awaiting_guardian", "Waiting for a parent or guardian"
    ACTIVE = "active", "Active"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ERASED = "erased", "Erased"


class Volunteer(TimestampedModel):
    """Someone who gives their time. Personal data: read through selectors, audited."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteers",
        help_text="The organisation the volunteer registered with.",
    )
    # The same human as a person in case work (their gift offered), without a second record.
    casework_person = models.ForeignKey(
        "casework.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_roles",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField()
    postcode = models.CharField(max_length=8)
    lat = models.FloatField()
    lon = models.FloatField()
    ward_code = models.CharField(max_length=12, blank=True, db_index=True)
    ward_name = models.CharField(max_length=200, blank=True)
    travel_km = models.PositiveSmallIntegerField(default=5)
    availability = models.PositiveIntegerField(default=0, help_text="Bit mask; 0 = any time.")
    interests = models.TextField(blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="volunteers")
    may_be_suggested = models.BooleanField(
        default=True, help_text="Coordinators may suggest opportunities to them."
    )
    status = models.CharField(
        max_length=20,
        choices=VolunteerStatus.choices,
        default=VolunteerStatus.ACTIVE,
        db_index=True,
    )
    consent_given_at = models.DateTimeField()
    consent_statement = models.TextField()
    # Under 18s: a parent or guardian approves before they can be confirmed for anything.
    guardian_name = models.CharField(max_length=200, blank=True)
    guardian_email = models.EmailField(blank=True)
    guardian_approved_at = models.DateTimeField(null=True, blank=True)
    # Erasure (UK GDPR art. 17): the record stays, anonymised, so verified hours still count.
    erased_at = models.DateTimeField(null=True, blank=True)
    erasure_reason = models.CharField(max_length=300, blank=True)
    # Optimistic locking: an edit names the version it read and fails if another came first.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["lat", "lon"], name="volunteer_lat_lon"),
            models.Index(fields=["status", "lat", "lon"], name="volunteer_status_lat_lon"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class OpportunityKind(models.TextChoices):
    MICRO = "micro", "Micro pledge"
    ONE_OFF = "one_off", "One-off task"
    PLACEMENT = "placement", "Regular placement"
    EVENT_ROLE = "event_role", "Event role"


class CheckLevel(models.IntegerChoices):
    """Disclosure and Barring Service check levels, each covering the ones below it."""

    NONE = 0, "None needed"
    BASIC = 1, "Basic DBS check"
    STANDARD = 2, "Standard DBS check"
    ENHANCED = 3, "Enhanced DBS check"
    ENHANCED_BARRED = 4, "Enhanced DBS check with barred list"


class OpportunityStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    CLOSED = "closed", "Closed"


class Opportunity(TimestampedModel):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="opportunities",
        help_text="The host, whose coordinators manage it.",
    )
    # An asset in the directory it happens at, when there is one (see module docstring).
    asset_id = models.UUIDField(null=True, blank=True, db_index=True)
    host_name = models.CharField(max_length=200, help_text="Shown to the public.")
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=12, choices=OpportunityKind.choices, db_index=True)
    duration_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="How long one go takes (micro pledges, tasks)."
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="opportunities")
    regulated_activity = models.BooleanField(
        default=False, help_text="Regulated activity with children or adults."
    )
    check_level = models.PositiveSmallIntegerField(
        choices=CheckLevel.choices, default=CheckLevel.NONE
    )
    minimum_age = models.PositiveSmallIntegerField(default=0)
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Volunteers wanted; blank for no limit."
    )
    availability = models.PositiveIntegerField(default=0, help_text="Bit mask; 0 = flexible.")
    postcode = models.CharField(max_length=8)
    lat = models.FloatField()
    lon = models.FloatField()
    ward_code = models.CharField(max_length=12, blank=True, db_index=True)
    ward_name = models.CharField(max_length=200, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12,
        choices=OpportunityStatus.choices,
        default=OpportunityStatus.PUBLISHED,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "opportunities"
        indexes = [
            models.Index(fields=["status", "lat", "lon"], name="opportunity_status_lat_lon"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def needs_check(self) -> bool:
        return self.check_level > CheckLevel.NONE


class Site(TimestampedModel):
    """One place a placement runs at, e.g. one of ten schools, with its own capacity."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="sites")
    asset_id = models.UUIDField(null=True, blank=True)
    name = models.CharField(max_length=200)
    postcode = models.CharField(max_length=8)
    lat = models.FloatField()
    lon = models.FloatField()
    capacity = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Shift(TimestampedModel):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="shifts")
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.CASCADE, related_name="shifts"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.opportunity} {self.starts_at:%Y-%m-%d %H:%M}"


class PledgeStatus(models.TextChoices):
    # A micro pledge needs nobody's say-so: it stands as soon as it is made.
    PLEDGED = "pledged", "Pledged"
    REQUESTED = "requested", "Waiting for the host to confirm"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    COMPLETED = "completed", "Done"


# Pledges that take up a place.
ACTIVE_PLEDGE_STATUSES = (PledgeStatus.PLEDGED, PledgeStatus.CONFIRMED, PledgeStatus.COMPLETED)


class Pledge(TimestampedModel):
    """A promise of time to an opportunity (a micro pledge, a sign-up, a placement)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT, related_name="pledges")
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.CASCADE, related_name="pledges"
    )
    # Anyone may make a micro pledge without an account: then only these are kept.
    guest_name = models.CharField(max_length=200, blank=True)
    guest_email = models.EmailField(blank=True)
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="pledges"
    )
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="pledges"
    )
    minutes = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=PledgeStatus.choices, db_index=True)
    reference = models.CharField(max_length=12, unique=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference


class SafeguardingCheck(TimestampedModel):
    """A DBS check a volunteer holds. The certificate number itself is not stored."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="safeguarding_checks"
    )
    level = models.PositiveSmallIntegerField(choices=CheckLevel.choices)
    certificate_date = models.DateField()
    renewal_due_on = models.DateField(db_index=True)
    on_update_service = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-renewal_due_on"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} due {self.renewal_due_on:%Y-%m-%d}"


class SafeguardingWarning(models.Model):
    """A renewal warning that has been sent, so each one goes once."""

    id = models.BigAutoField(primary_key=True)
    check_record = models.ForeignKey(
        SafeguardingCheck, on_delete=models.CASCADE, related_name="warnings"
    )
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["check_record", "days_before"], name="safeguardingwarning_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.days_before}-day warning"


class HoursStatus(models.TextChoices):
    LOGGED = "logged", "Waiting for the host to verify"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Not verified"


class HoursSource(models.TextChoices):
    VOLUNTEER = "volunteer", "Logged by the volunteer"
    STAFF = "staff", "Entered by staff"


class HoursEntry(TimestampedModel):
    """Time given. Only verified entries count in reports and valuations."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="hours")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT, related_name="hours")
    pledge = models.ForeignKey(
        Pledge, null=True, blank=True, on_delete=models.SET_NULL, related_name="hours"
    )
    worked_on = models.DateField(db_index=True)
    minutes = models.PositiveIntegerField()
    note = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=12, choices=HoursSource.choices)
    status = models.CharField(
        max_length=12, choices=HoursStatus.choices, default=HoursStatus.LOGGED, db_index=True
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-worked_on", "-created_at"]
        verbose_name_plural = "hours entries"
        indexes = [
            models.Index(fields=["status", "worked_on"], name="hours_status_date"),
            # Time given in an area: by the area's opportunities, and by pledges at its sites.
            models.Index(
                fields=["opportunity", "status", "worked_on"], name="hours_opp_status_date"
            ),
            models.Index(fields=["pledge", "status", "worked_on"], name="hours_pledge_status_date"),
        ]


class BadgeKind(models.TextChoices):
    MILESTONE = "milestone", "Milestone"
    SKILL = "skill", "Skill"


class Badge(TimestampedModel):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300)
    kind = models.CharField(max_length=12, choices=BadgeKind.choices)
    # Milestone badges are awarded automatically at this many verified hours.
    hours_threshold = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "hours_threshold", "name"]

    def __str__(self) -> str:
        return self.name


class BadgeAward(TimestampedModel):
    badge = models.ForeignKey(Badge, on_delete=models.PROTECT, related_name="awards")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="badges")
    reason = models.CharField(max_length=300, blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["badge", "volunteer"], name="badgeaward_once")
        ]


class ThankYou(TimestampedModel):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="thanks")
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]


class CelebrationEvent(TimestampedModel):
    """A thank-you event for an area's volunteers, e.g. a town's volunteers' evening."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="celebration_events"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    area_code = models.CharField(
        max_length=12, blank=True, help_text="The ward whose volunteers are invited; blank: all."
    )
    area_name = models.CharField(max_length=200, blank=True)
    venue = models.CharField(max_length=200)
    starts_at = models.DateTimeField()

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title


class InvitationReply(models.TextChoices):
    NONE = "none", "Not replied"
    ACCEPTED = "accepted", "Coming"
    DECLINED = "declined", "Not coming"


class Invitation(TimestampedModel):
    event = models.ForeignKey(
        CelebrationEvent, on_delete=models.CASCADE, related_name="invitations"
    )
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="invitations")
    reply = models.CharField(
        max_length=10, choices=InvitationReply.choices, default=InvitationReply.NONE
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    guests = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["event", "volunteer"]
        constraints = [
            models.UniqueConstraint(fields=["event", "volunteer"], name="invitation_once")
        ]


class WellbeingSource(models.TextChoices):
    VOLUNTEER = "volunteer", "Answered by the volunteer"
    STAFF = "staff", "Entered by staff"


class VolunteerWellbeing(TimestampedModel):
    """A volunteer's ONS4 personal wellbeing answers (0-10 each) on a day. Volunteers' own
    wellbeing gain is an outcome in the evidence engine, never netted off their time."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="wellbeing")
    recorded_on = models.DateField(db_index=True)
    life_satisfaction = models.PositiveSmallIntegerField()
    worthwhile = models.PositiveSmallIntegerField()
    happiness = models.PositiveSmallIntegerField()
    anxiety = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=12, choices=WellbeingSource.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["volunteer", "recorded_on", "created_at"]
        verbose_name_plural = "volunteer wellbeing answers"
