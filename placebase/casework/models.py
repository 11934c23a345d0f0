"""Local Area Coordination case work: people, their journey with a coordinator, and outcomes.

Everything here is personal data (most of it about one resident), so it is read only through
`selectors.py`, which scopes by organisation, team, patch and data-sharing agreement, and
written only through `services.py`; both record every access in the audit log.

Links to other apps are kept loose on purpose (a UUID or code and a copied name, not a foreign
key): a place's boundaries and the directory change on their own timetable, and a person's
record must keep saying what it said when it was written.
"""

from django.conf import settings
from django.db import models

from placebase.core.models import TimestampedModel

# Fields that hold special category data (UK GDPR art. 9): shown with a warning, exported
# with a marker, and cleared first on anonymisation.
SPECIAL_CATEGORY_FIELDS = ("health_conditions", "disability", "ethnicity")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"
    ANONYMISED = "anonymised", "Anonymised"


class PreferredContact(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person"


class Person(TimestampedModel):
    """A resident a coordinator walks alongside."""

    reference = models.CharField(max_length=12, unique=True, help_text="Human case reference.")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="casework_people"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="casework_people",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # The patch (a places area of level "patch") the address falls in, when located.
    patch_area = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    patch_code = models.CharField(max_length=64, blank=True)  # as long as places.Area.code
    patch_name = models.CharField(max_length=200, blank=True)
    household = models.CharField(max_length=300, blank=True, help_text="Who the person lives with.")
    preferred_contact = models.CharField(
        max_length=12, choices=PreferredContact.choices, blank=True
    )
    preferred_language = models.CharField(max_length=60, blank=True)
    needs_interpreter = models.BooleanField(default=False)
    accessibility_needs = models.TextField(blank=True)
    health_conditions = models.TextField(blank=True, help_text="Special category data.")
    disability = models.TextField(blank=True, help_text="Special category data.")
    ethnicity = models.CharField(max_length=100, blank=True, help_text="Special category data.")
    status = models.CharField(
        max_length=12, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    legal_hold = models.BooleanField(default=False)
    legal_hold_reason = models.CharField(max_length=300, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # Normalised copies for duplicate detection (lower case, no spaces); not shown.
    last_name_key = models.CharField(max_length=100, blank=True)
    postcode_key = models.CharField(max_length=10, blank=True)
    # The places engine's AreaCombination of the located address (every area it is in, at
    # every level), copied here, to the introductions and to the connections, so a
    # dashboard for any area filters by a short list of combinations and counts by area
    # with one GROUP BY. Kept in step by the services; `area_combinations_refresh` re-reads
    # it after the places engine re-locates records (a new boundary set).
    area_combination_id = models.BigIntegerField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["organisation", "area_combination_id"]),
            models.Index(fields=["coordinator", "status"]),
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["patch_area", "status"]),
            models.Index(fields=["last_name_key", "date_of_birth"]),
            models.Index(fields=["postcode_key", "last_name_key"]),
            models.Index(fields=["status", "closed_at"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def display_name(self) -> str:
        if self.status == PersonStatus.ANONYMISED:
            return f"Anonymised person {self.reference}"
        shown = self.preferred_name or self.first_name
        return f"{shown} {self.last_name}".strip()


class LawfulBasis(models.TextChoices):
    CONSENT = "consent", "Consent (art. 6(1)(a))"
    PUBLIC_TASK = "public_task", "Public task (art. 6(1)(e))"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (art. 6(1)(f))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (art. 6(1)(d))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (art. 6(1)(c))"


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Verbally, in conversation"
    WRITTEN = "written", "Signed form"
    ELECTRONIC = "electronic", "Electronically"


class ConsentRecord(TimestampedModel):
    """The lawful basis for holding a person's record, and what they agreed to share."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    lawful_basis = models.CharField(max_length=24, choices=LawfulBasis.choices)
    special_category_condition = models.CharField(
        max_length=200, blank=True, help_text="Art. 9 condition for health or other data."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    given_on = models.DateField()
    method = models.CharField(max_length=12, choices=ConsentMethod.choices)
    information_given = models.TextField(help_text="What the person was told.")
    organisations = models.ManyToManyField(
        "accounts.Organisation", blank=True, related_name="+", help_text="May rely on it."
    )
    purposes = models.JSONField(default=list, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawal_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-given_on"]


class IntroductionSource(models.TextChoices):
    SELF = "self", "Themselves"
    FAMILY = "family", "Family or friend"
    NEIGHBOUR = "neighbour", "Neighbour"
    GP = "gp", "GP or primary care"
    HOSPITAL = "hospital", "Hospital"
    SOCIAL_CARE = "social_care", "Social care"
    HOUSING = "housing", "Housing"
    POLICE = "police", "Police"
    VCS = "vcs", "Voluntary or community organisation"
    OTHER = "other", "Other"


class IntroductionStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", "Vision and goals met; connected and independent"
    DECLINED = "declined", "Person chose to stop"
    NO_CONTACT = "no_contact", "Could not keep in touch"
    MOVED = "moved", "Moved out of the area"
    STATUTORY = "statutory", "Needs now met by statutory services"
    DIED = "died", "Died"
    OTHER = "other", "Other"


class Introduction(TimestampedModel):
    """One period of walking alongside a person, from introduction to closure.

    A person introduced again after closure gets a new one (re-introduction). The vision of a
    good life and the three questions belong to the journey, so they live here.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="introductions")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="casework_introductions",
    )
    patch_code = models.CharField(max_length=64, blank=True)  # as long as places.Area.code
    source = models.CharField(max_length=12, choices=IntroductionSource.choices)
    source_detail = models.CharField(max_length=200, blank=True)
    introduced_on = models.DateField()
    reason = models.TextField()
    auto_assigned = models.BooleanField(default=False)
    is_reintroduction = models.BooleanField(default=False)
    status = models.CharField(
        max_length=8, choices=IntroductionStatus.choices, default=IntroductionStatus.OPEN
    )
    # Copied from the first conversation so the manager's "time to first conversation" is
    # one indexed read rather than a scan of all contacts.
    first_conversation_on = models.DateField(null=True, blank=True)
    days_to_first_conversation = models.PositiveSmallIntegerField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=12, choices=ClosureReason.choices, blank=True)
    closure_note = models.TextField(blank=True)
    vision = models.TextField(blank=True, help_text="The person's vision of a good life.")
    can_do_myself = models.TextField(blank=True)
    family_community_can_do = models.TextField(blank=True)
    services_role = models.TextField(blank=True)
    area_combination_id = models.BigIntegerField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-introduced_on"]
        # Covering indexes: each dashboard and home-page figure is read from an index alone
        # (or an index range and a few rows).
        indexes = [
            models.Index(fields=["coordinator", "status", "next_review_on"]),
            models.Index(fields=["coordinator", "status", "introduced_on"]),
            models.Index(fields=["organisation", "status", "coordinator", "patch_code"]),
            models.Index(
                fields=["organisation", "introduced_on", "source", "days_to_first_conversation"]
            ),
            models.Index(fields=["organisation", "introduced_on", "area_combination_id"]),
            models.Index(fields=["organisation", "area_combination_id", "introduced_on"]),
            models.Index(fields=["person", "status"]),
        ]


class ContactKind(models.TextChoices):
    CONVERSATION = "conversation", "Conversation (face to face)"
    PHONE = "phone", "Phone call"
    VIDEO = "video", "Video call"
    MESSAGE = "message", "Email, text or letter"
    GROUP = "group", "Went along together to a group or activity"
    MEETING = "meeting", "Meeting with others (family, services)"
    ATTEMPT = "attempt", "Tried to make contact"


# Kinds that count as a conversation for "time from introduction to first conversation".
CONVERSATION_KINDS = frozenset(
    {ContactKind.CONVERSATION, ContactKind.PHONE, ContactKind.VIDEO, ContactKind.GROUP}
)


class Contact(TimestampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    introduction = models.ForeignKey(
        Introduction, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    happened_on = models.DateField()
    kind = models.CharField(max_length=12, choices=ContactKind.choices)
    duration_minutes = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-happened_on", "-created_at"]
        indexes = [
            models.Index(fields=["coordinator", "happened_on"]),
            models.Index(fields=["person", "happened_on"]),
        ]


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    STOPPED = "stopped", "No longer wanted"


class Goal(TimestampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="goals")
    introduction = models.ForeignKey(
        Introduction, null=True, blank=True, on_delete=models.SET_NULL, related_name="goals"
    )
    description = models.CharField(max_length=300)
    status = models.CharField(
        max_length=12, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="0 to 10.")
    target_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at"]


class StrengthKind(models.TextChoices):
    GIFT_HEAD = "head", "Gift of the head (knowledge)"
    GIFT_HAND = "hand", "Gift of the hand (skill)"
    GIFT_HEART = "heart", "Gift of the heart (passion)"
    STRENGTH = "strength", "Personal strength"


class Strength(TimestampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="strengths")
    kind = models.CharField(max_length=10, choices=StrengthKind.choices)
    description = models.CharField(max_length=300)
    offer_to_community = models.BooleanField(default=False)
    # The assets app's Gift record, when the person agreed to offer it to the community.
    gift = models.ForeignKey(
        "assets.Gift", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]


class NetworkKind(models.TextChoices):
    FAMILY = "family", "Family"
    FRIEND = "friend", "Friend"
    NEIGHBOUR = "neighbour", "Neighbour"
    GROUP = "group", "Group or club"
    SERVICE = "service", "Service or professional"
    OTHER = "other", "Other"


class NetworkMember(TimestampedModel):
    """Someone (or some group) in the person's support network, for the ecomap."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="network")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=NetworkKind.choices)
    relationship = models.CharField(max_length=200, blank=True)
    # 1 = stressful or weak, 5 = strong and supportive.
    strength = models.PositiveSmallIntegerField(default=3)

    class Meta:
        ordering = ["kind", "name"]


class ConnectionTargetKind(models.TextChoices):
    ASSET = "asset", "A community asset, group or service in the directory"
    VOLUNTEERING = "volunteering", "Volunteering"
    PERSON = "person", "Another person (neighbour, peer)"
    OTHER = "other", "Something else"


class ConnectionStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    INTRODUCED = "introduced", "Introduced"
    ATTENDED = "attended", "Attended"
    SUSTAINED = "sustained", "Sustained (it stuck)"
    DID_NOT_STICK = "did_not_stick", "Did not stick"


# Forward along the ladder (steps may be skipped), or "did not stick" from any open step.
CONNECTION_TRANSITIONS: dict[str, frozenset[str]] = {
    ConnectionStatus.SUGGESTED: frozenset(
        {
            ConnectionStatus.INTRODUCED,
            ConnectionStatus.ATTENDED,
            ConnectionStatus.SUSTAINED,
            ConnectionStatus.DID_NOT_STICK,
        }
    ),
    ConnectionStatus.INTRODUCED: frozenset(
        {ConnectionStatus.ATTENDED, ConnectionStatus.SUSTAINED, ConnectionStatus.DID_NOT_STICK}
    ),
    ConnectionStatus.ATTENDED: frozenset(
        {ConnectionStatus.SUSTAINED, ConnectionStatus.DID_NOT_STICK}
    ),
    ConnectionStatus.SUSTAINED: frozenset({ConnectionStatus.DID_NOT_STICK}),
    ConnectionStatus.DID_NOT_STICK: frozenset(),
}


class Connection(TimestampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="connections")
    # Copied from the person, so "connections that stuck" is counted from one index.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    introduction = models.ForeignKey(
        Introduction, null=True, blank=True, on_delete=models.SET_NULL, related_name="connections"
    )
    target_kind = models.CharField(max_length=12, choices=ConnectionTargetKind.choices)
    asset = models.ForeignKey(
        "assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The target's name when the connection was made (the listing may change or go).
    target_name = models.CharField(max_length=300)
    status = models.CharField(
        max_length=14, choices=ConnectionStatus.choices, default=ConnectionStatus.SUGGESTED
    )
    status_on = models.DateField()
    suggested_on = models.DateField()
    did_not_stick_reason = models.CharField(max_length=300, blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    area_combination_id = models.BigIntegerField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-suggested_on", "-created_at"]
        indexes = [
            models.Index(fields=["organisation", "suggested_on", "status"]),
            models.Index(fields=["follow_up_on", "status"]),
            # A coordinator's follow-ups: through their few hundred open introductions.
            models.Index(fields=["introduction", "status", "follow_up_on"]),
            models.Index(fields=["organisation", "area_combination_id", "suggested_on", "status"]),
        ]


class ConnectionEvent(models.Model):
    """Each step of a connection, so "did it stick, and how long did that take" is answerable."""

    id = models.BigAutoField(primary_key=True)
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=14, blank=True)
    to_status = models.CharField(max_length=14)
    on = models.DateField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status} on {self.on}"


class Review(TimestampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reviews")
    introduction = models.ForeignKey(
        Introduction, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    reviewed_on = models.DateField()
    summary = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-reviewed_on"]


class Instrument(models.Model):
    """An outcome questionnaire (ONS4, SWEMWBS, a ladder); its questions live in versions."""

    id = models.BigAutoField(primary_key=True)
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class InstrumentVersion(models.Model):
    """A fixed set of questions. `questions` is a list of
    {"code", "text", "min", "max", "higher_is_better"}; answers are whole numbers in range."""

    id = models.BigAutoField(primary_key=True)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    questions = models.JSONField()
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="instrument_version_uq")
        ]

    def __str__(self) -> str:
        return f"{self.instrument} v{self.number}"


class AssessmentOccasion(models.TextChoices):
    INTRODUCTION = "introduction", "At introduction"
    REVIEW = "review", "At a review"
    CLOSURE = "closure", "At closure"


class Assessment(TimestampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessments")
    introduction = models.ForeignKey(
        Introduction, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )
    instrument_version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="+"
    )
    occasion = models.CharField(max_length=12, choices=AssessmentOccasion.choices)
    recorded_on = models.DateField()
    answers = models.JSONField()

    class Meta:
        ordering = ["recorded_on", "created_at"]
        indexes = [models.Index(fields=["person", "recorded_on"])]


class ServiceUseSource(models.TextChoices):
    SELF_REPORTED = "self_reported", "Self-reported"
    RECORDS = "records", "From records"


class ServiceUseEvent(TimestampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="service_use")
    service_type = models.ForeignKey(
        "evidence.ServiceType", on_delete=models.PROTECT, related_name="+"
    )
    occurred_on = models.DateField()
    quantity = models.PositiveIntegerField(default=1)
    source = models.CharField(max_length=14, choices=ServiceUseSource.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-occurred_on"]
        indexes = [
            # Covering for the evidence engine's before/after (a year either side of each
            # person's introduction), and for one person's history.
            models.Index(
                fields=["person", "occurred_on", "service_type", "quantity"],
                name="casework_use_person_window",
            ),
            models.Index(fields=["service_type", "occurred_on"]),
        ]


class AvoidedDemand(TimestampedModel):
    """A statutory service avoided or delayed, with the evidence and a confidence grade 1–6
    (1 = the person's own view only, 6 = confirmed by the service's records)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="avoided_demand")
    service_type = models.ForeignKey(
        "evidence.ServiceType", on_delete=models.PROTECT, related_name="+"
    )
    recorded_on = models.DateField()
    what = models.CharField(max_length=300)
    why = models.TextField()
    evidence = models.TextField()
    confidence = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-recorded_on"]


class UnmetNeed(TimestampedModel):
    """A need no local asset meets, met in one person's case; feeds the gap analysis by area
    (the area is the person's patch, so the need is counted without naming the person)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="unmet_needs")
    description = models.CharField(max_length=300)
    area_code = models.CharField(max_length=64, blank=True, db_index=True)
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The theme (a directory taxonomy term) and the need as the directory's gap analysis
    # holds it: the person's ward and the theme, nothing about the person.
    theme_name = models.CharField(max_length=200, blank=True)
    directory_need_id = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-recorded_on"]


class ErasureKind(models.TextChoices):
    ERASURE = "erasure", "Erasure at the person's request"
    RETENTION = "retention", "Retention period ended"


class ErasureRecord(models.Model):
    """Proof that a record was anonymised, and why. Holds no personal data itself."""

    id = models.BigAutoField(primary_key=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="erasures")
    kind = models.CharField(max_length=10, choices=ErasureKind.choices)
    reason = models.CharField(max_length=300)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d}"


class PatchAssignment(TimestampedModel):
    """A coordinator's patch: a places area of level "patch". Introductions of people whose
    address falls in it are assigned to the coordinator automatically."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patch_assignments"
    )
    area = models.ForeignKey("places.Area", on_delete=models.CASCADE, related_name="+")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "area"], name="patch_assignment_uq")]
        indexes = [models.Index(fields=["area", "is_active"])]


class ApiToken(models.Model):
    """A bearer token for the authenticated API. Only a hash is stored."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
