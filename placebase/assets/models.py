"""Community assets and the directory.

The directory half follows Open Referral UK 3.0 (HSDS-UK 3.0): a listing is an ORUK
`service`, delivered by a directory `organization` at `location`s. The ABCD half extends it:
every listing is an asset of some kind (a building, a hall for hire, a green space, a group, a
service, a local business, a regular activity); people's gifts, connectors and community
projects sit beside them. A person's gift is never a listing: it is shown only as "someone in
<ward>".

Columns whose names start with `search_` or end in `_cache` are derived: services recompute
them whenever the listing changes, so that search is an indexed lookup rather than a scan.
"""

from django.conf import settings
from django.db import models

from placebase.core.models import TimestampedModel


class Taxonomy(TimestampedModel):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "taxonomies"

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(TimestampedModel):
    """A category. Terms nest (parent) so that searching a category finds its narrower ones."""

    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="terms")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(max_length=100, blank=True, help_text="The term's code, if any.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    term_uri = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["taxonomy", "parent"])]

    def __str__(self) -> str:
        return self.name


class DirectoryOrganisation(TimestampedModel):
    """An ORUK `organization`: whoever runs a listing, from a charity to an informal group.

    Separate from `accounts.Organisation` (the platform's tenants and partners). A provider
    who claims its listing links the two through `account_organisation`.
    """

    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    logo = models.URLField(blank=True)
    uri = models.URLField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    account_organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_organisations",
    )
    search_name = models.CharField(max_length=300, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationIdentifier(TimestampedModel):
    organisation = models.ForeignKey(
        DirectoryOrganisation, on_delete=models.CASCADE, related_name="identifiers"
    )
    identifier_scheme = models.CharField(max_length=50, blank=True, help_text="e.g. GB-CHC")
    identifier_type = models.CharField(max_length=100)
    identifier = models.CharField(max_length=100)


class AssetKind(models.TextChoices):
    BUILDING = "building", "Building"
    ROOM = "room", "Room or hall for hire"
    GREEN_SPACE = "green_space", "Land or green space"
    GROUP = "group", "Group, club or association"
    SERVICE = "service", "Service"
    BUSINESS = "business", "Local business"
    ACTIVITY = "activity", "Regular activity or event"


TANGIBLE_KINDS = frozenset({AssetKind.BUILDING, AssetKind.ROOM, AssetKind.GREEN_SPACE})


class AssetStatus(models.TextChoices):
    # ORUK's service status vocabulary, verbatim.
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


class Formality(models.TextChoices):
    FORMAL = "formal", "Formal"
    INFORMAL = "informal", "Informal"


class LegalForm(models.TextChoices):
    NONE = "none", "No legal form"
    UNINCORPORATED = "unincorporated", "Unincorporated association"
    CHARITY = "charity", "Registered charity"
    CIO = "cio", "Charitable incorporated organisation"
    CIC = "cic", "Community interest company"
    COMPANY = "company", "Company"
    COOPERATIVE = "cooperative", "Co-operative or community benefit society"
    PUBLIC_BODY = "public_body", "Public body"


class Usage(models.TextChoices):
    """How busy an asset is: what coordinators look at to match needs to spare capacity."""

    UNKNOWN = "unknown", "Not known"
    SPARE = "spare", "Has spare capacity"
    ABOUT_RIGHT = "about_right", "About right"
    OVER_USED = "over_used", "Over-used or full"


class Asset(TimestampedModel):
    """A listing: an ABCD asset, published in the directory and over ORUK as a `service`."""

    provider = models.ForeignKey(
        DirectoryOrganisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
        help_text="The directory organisation that runs it (ORUK).",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assets",
        help_text="The platform organisation that has claimed it.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_assets",
        help_text="Who is reminded to review it.",
    )
    # ORUK service fields.
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=20, choices=AssetStatus.choices, default=AssetStatus.ACTIVE
    )
    fees = models.TextField(blank=True)
    accreditations = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    assured_date = models.DateField(null=True, blank=True)
    assurer_email = models.EmailField(blank=True)
    alert = models.TextField(blank=True)
    # ABCD.
    kind = models.CharField(max_length=20, choices=AssetKind.choices, default=AssetKind.SERVICE)
    tangible = models.BooleanField(default=False)
    formality = models.CharField(max_length=10, choices=Formality.choices, blank=True)
    legal_form = models.CharField(max_length=20, choices=LegalForm.choices, blank=True)
    custodian = models.CharField(max_length=300, blank=True, help_text="Who looks after it.")
    capacity = models.PositiveIntegerField(null=True, blank=True)
    availability = models.TextField(blank=True)
    usage = models.CharField(max_length=12, choices=Usage.choices, default=Usage.UNKNOWN)
    is_free = models.BooleanField(default=False, db_index=True)
    # Asset of Community Value (Localism Act 2011): listed for five years by the council.
    acv_listed = models.BooleanField(default=False)
    acv_listed_on = models.DateField(null=True, blank=True)
    acv_expires_on = models.DateField(null=True, blank=True)
    acv_nominated_by = models.CharField(max_length=300, blank=True)
    # Keeping it true.
    last_reviewed_at = models.DateTimeField(db_index=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # Derived, for search (see the module docstring).
    search_name = models.CharField(max_length=300, blank=True)
    has_service_area = models.BooleanField(default=False)
    access_features_cache = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["updated_at"]),
            # Covering: ORUK pages in id order (deep pages skip index entries, not rows) and
            # the directory's join from a location to its listing's status and area flag.
            models.Index(fields=["id", "status", "has_service_area"], name="asset_id_status_area"),
        ]

    def __str__(self) -> str:
        return self.name


class LocationType(models.TextChoices):
    PHYSICAL = "physical", "Physical"
    POSTAL = "postal", "Postal"
    VIRTUAL = "virtual", "Virtual"


class Location(TimestampedModel):
    """Where something happens. Every point is assigned to its areas by the places engine."""

    location_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    transportation = models.TextField(blank=True, help_text="How to get there.")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    external_identifier = models.CharField(max_length=100, blank=True)
    external_identifier_type = models.CharField(max_length=50, blank=True)
    # The ward this point falls in, copied from the places engine for display.
    ward_code = models.CharField(max_length=12, blank=True)
    ward_name = models.CharField(max_length=200, blank=True)

    class Meta:
        # Covering (the id too), so a radius search reads the index and not the table.
        indexes = [models.Index(fields=["latitude", "longitude", "id"], name="location_lat_lon_id")]

    def __str__(self) -> str:
        return self.name or str(self.id)


class Address(TimestampedModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(max_length=200, blank=True)
    address_1 = models.CharField(max_length=300)
    address_2 = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    state_province = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=10)
    country = models.CharField(max_length=2, default="GB")
    address_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )


class AccessFeature(models.TextChoices):
    STEP_FREE = "step_free", "Step-free access"
    ACCESSIBLE_TOILET = "accessible_toilet", "Accessible toilet"
    CHANGING_PLACES = "changing_places", "Changing Places toilet"
    HEARING_LOOP = "hearing_loop", "Hearing loop"
    ACCESSIBLE_PARKING = "accessible_parking", "Accessible parking"
    QUIET_SPACE = "quiet_space", "Quiet space"
    BSL = "bsl", "British Sign Language"
    LARGE_PRINT = "large_print", "Large print information"


class Accessibility(TimestampedModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    feature = models.CharField(max_length=30, choices=AccessFeature.choices, blank=True)
    description = models.TextField(blank=True)
    details = models.TextField(blank=True)
    url = models.URLField(blank=True)

    class Meta:
        verbose_name_plural = "accessibility"


class ServiceAtLocation(TimestampedModel):
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    description = models.TextField(blank=True)
    # The location's point, copied here on every write (derived: see the module docstring)
    # so that "which listings are within this radius" reads one index and joins nothing.
    search_latitude = models.FloatField(null=True, blank=True)
    search_longitude = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["asset", "location"], name="sal_unique_pair")
        ]
        indexes = [
            models.Index(fields=["location", "asset"], name="sal_location_asset"),
            models.Index(
                fields=["search_latitude", "search_longitude", "asset"], name="sal_point_asset"
            ),
        ]


class Frequency(models.TextChoices):
    WEEKLY = "WEEKLY", "Weekly"
    MONTHLY = "MONTHLY", "Monthly"


class Schedule(TimestampedModel):
    """When something is open: ORUK's RRULE-like schedule (byday like "MO,WE")."""

    asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    freq = models.CharField(max_length=10, choices=Frequency.choices, blank=True)
    interval = models.PositiveSmallIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=40, blank=True)
    bymonthday = models.CharField(max_length=100, blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    description = models.TextField(blank=True)
    schedule_link = models.URLField(blank=True)
    attending_type = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        # Partial: a schedule belongs to a listing or to one of its places, so each column is
        # often empty, and an index of only the filled rows keeps the planner using it.
        indexes = [
            models.Index(
                fields=["asset"],
                condition=models.Q(asset__isnull=False),
                name="schedule_asset_set",
            ),
            models.Index(
                fields=["service_at_location"],
                condition=models.Q(service_at_location__isnull=False),
                name="schedule_sal_set",
            ),
        ]


class ServiceArea(TimestampedModel):
    """Where a listing is available. `area_code` (a GSS code) links it to a places area, so
    "does this listing serve this postcode?" is an indexed lookup on the postcode's areas."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=30, blank=True)
    uri = models.CharField(max_length=300, blank=True)
    area_code = models.CharField(max_length=12, blank=True, db_index=True)


class Contact(TimestampedModel):
    """A published contact point (a role, not a private person)."""

    asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    organisation = models.ForeignKey(
        DirectoryOrganisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["asset"],
                condition=models.Q(asset__isnull=False),
                name="contact_asset_set",
            ),
        ]


class Phone(TimestampedModel):
    asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(max_length=40)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        # Partial (see Schedule): a phone belongs to one of a listing, a place or a contact.
        indexes = [
            models.Index(
                fields=["asset"],
                condition=models.Q(asset__isnull=False),
                name="phone_asset_set",
            ),
            models.Index(
                fields=["location"],
                condition=models.Q(location__isnull=False),
                name="phone_location_set",
            ),
            models.Index(
                fields=["contact"],
                condition=models.Q(contact__isnull=False),
                name="phone_contact_set",
            ),
        ]


class CostOption(TimestampedModel):
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="cost_options")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    option = models.CharField(max_length=300, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    amount_description = models.CharField(max_length=300, blank=True)


class Language(TimestampedModel):
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="languages")
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=10, blank=True)
    note = models.CharField(max_length=300, blank=True)


class Funding(TimestampedModel):
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="funding")
    source = models.TextField()


class Attribute(TimestampedModel):
    """A taxonomy term attached to a record (ORUK `attribute`): a listing's categories."""

    term = models.ForeignKey(TaxonomyTerm, on_delete=models.PROTECT, related_name="attributes")
    link_entity = models.CharField(max_length=30, default="service")
    link_id = models.UUIDField()
    link_type = models.CharField(max_length=50, blank=True)
    value = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["link_entity", "link_id"]),
            models.Index(fields=["term", "link_entity"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "link_entity", "link_id"], name="attribute_unique_link"
            )
        ]


class SearchToken(models.Model):
    """One word of a listing's name or description, with the weight of where it appears.

    Precomputed on every write so free-text search is an indexed lookup on any database.
    """

    id = models.BigAutoField(primary_key=True)
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=40)
    weight = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["token", "asset"])]

    def __str__(self) -> str:
        return self.token


class SearchWord(models.Model):
    """The vocabulary of all listings: query words are matched against it, typos and all."""

    token = models.CharField(max_length=40, primary_key=True)

    def __str__(self) -> str:
        return self.token


class AssetVersion(models.Model):
    """A listing as it was after each change: the full version history."""

    id = models.BigAutoField(primary_key=True)
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.CharField(max_length=300, blank=True)
    snapshot = models.JSONField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "number"], name="asset_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} v{self.number}"


class ProposalKind(models.TextChoices):
    EDIT = "edit", "Suggested edit"
    PROBLEM = "problem", "Reported problem"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class EditProposal(TimestampedModel):
    """A change to a listing waiting for a moderator: an edit by a non-staff editor, or a
    member of the public's report of a problem or suggested edit."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(max_length=10, choices=ProposalKind.choices)
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING, db_index=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    base_version = models.PositiveIntegerField()
    changes = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    reply_email = models.EmailField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ListingClaim(TimestampedModel):
    """A provider asking to look after a listing."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="claims")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    evidence = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)


class GiftKind(models.TextChoices):
    GIFT = "gift", "Gift (of the head, hand or heart)"
    SKILL = "skill", "Skill"
    PASSION = "passion", "Passion"


class GiftModeration(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Gift(TimestampedModel):
    """What a resident offers their neighbours. Personal data: shown to the public only as
    "someone in <ward>", only while consent stands, and (when the resident offered it
    themselves, on the public form) only once staff have approved it."""

    person_name = models.CharField(max_length=200)
    contact = models.CharField(
        max_length=200, blank=True, help_text="How a connector reaches the person. Never published."
    )
    postcode = models.CharField(max_length=10, blank=True)
    ward_code = models.CharField(max_length=12, blank=True, db_index=True)
    ward_name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=GiftKind.choices, default=GiftKind.SKILL)
    description = models.CharField(max_length=500)
    terms = models.ManyToManyField(TaxonomyTerm, blank=True, related_name="gifts")
    consent_given_at = models.DateTimeField()
    consent_statement = models.TextField(help_text="What the person was told and agreed to.")
    show_publicly = models.BooleanField(default=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_online = models.BooleanField(
        default=False, help_text="Offered by the resident on the public form."
    )
    moderation = models.CharField(
        max_length=10,
        choices=GiftModeration.choices,
        default=GiftModeration.APPROVED,
        db_index=True,
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class Connector(TimestampedModel):
    """Someone who links neighbours to each other and to assets; may or may not be a user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="connector_roles",
    )
    display_name = models.CharField(max_length=200)
    area_code = models.CharField(max_length=12, blank=True, db_index=True)
    area_name = models.CharField(max_length=200, blank=True)
    since = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


class VisioningExercise(TimestampedModel):
    """A gathering where residents imagined what they could do together."""

    title = models.CharField(max_length=300)
    held_on = models.DateField()
    area_code = models.CharField(max_length=12, blank=True, db_index=True)
    area_name = models.CharField(max_length=200, blank=True)
    facilitator = models.ForeignKey(
        Connector,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visioning_exercises",
    )
    participants = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title


class ProjectStage(models.TextChoices):
    IDEA = "idea", "Idea"
    FIRST_GATHERING = "first_gathering", "First gathering"
    MEETING_REGULARLY = "meeting_regularly", "Meeting regularly"
    SELF_SUSTAINING = "self_sustaining", "Self-sustaining"
    ENDED = "ended", "Ended"


# Which stage may follow which: forward one step, or end at any point.
PROJECT_TRANSITIONS: dict[str, frozenset[str]] = {
    ProjectStage.IDEA: frozenset({ProjectStage.FIRST_GATHERING, ProjectStage.ENDED}),
    ProjectStage.FIRST_GATHERING: frozenset({ProjectStage.MEETING_REGULARLY, ProjectStage.ENDED}),
    ProjectStage.MEETING_REGULARLY: frozenset({ProjectStage.SELF_SUSTAINING, ProjectStage.ENDED}),
    ProjectStage.SELF_SUSTAINING: frozenset({ProjectStage.ENDED}),
    ProjectStage.ENDED: frozenset(),
}


class CommunityProject(TimestampedModel):
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    stage = models.CharField(max_length=20, choices=ProjectStage.choices, default=ProjectStage.IDEA)
    area_code = models.CharField(max_length=12, blank=True, db_index=True)
    area_name = models.CharField(max_length=200, blank=True)
    connector = models.ForeignKey(
        Connector, null=True, blank=True, on_delete=models.SET_NULL, related_name="projects"
    )
    visioning_exercise = models.ForeignKey(
        VisioningExercise, null=True, blank=True, on_delete=models.SET_NULL, related_name="projects"
    )
    assets_used = models.ManyToManyField(Asset, blank=True, related_name="projects")
    people_involved = models.PositiveIntegerField(default=0)
    gifts_used = models.ManyToManyField(Gift, blank=True, related_name="projects")
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProjectStageChange(models.Model):
    id = models.BigAutoField(primary_key=True)
    project = models.ForeignKey(
        CommunityProject, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(max_length=20, choices=ProjectStage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=ProjectStage.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage or 'start'} to {self.to_stage}"


class ProjectGrant(TimestampedModel):
    """A small grant a project received. Money carries its price year (DESIGN.md)."""

    project = models.ForeignKey(CommunityProject, on_delete=models.CASCADE, related_name="grants")
    funder = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    price_year = models.PositiveSmallIntegerField()
    awarded_on = models.DateField()
    purpose = models.CharField(max_length=300, blank=True)


class UnmetNeed(TimestampedModel):
    """A need a coordinator met in an area that no local asset meets (case work feeds it later)."""

    area_code = models.CharField(max_length=12, db_index=True)
    area_name = models.CharField(max_length=200, blank=True)
    term = models.ForeignKey(TaxonomyTerm, on_delete=models.PROTECT, related_name="unmet_needs")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    met_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
