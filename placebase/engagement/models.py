"""Engagement: activities, who took part, what they contributed, and councillors' wards.

Links to other apps are loose (a UUID plus a copied code and name, not a foreign key), as in
case work: boundaries, case records and the directory change on their own timetable, and an
activity must keep saying where it was held when it was recorded.

Columns marked "derived" are kept by the services in `services.py` (never by `save()`) so
that the breadth metrics are one indexed GROUP BY over participations, whatever the area.
"""

import uuid

from django.conf import settings
from django.db import models

from placebase.core.models import TimestampedModel

from .metrics import AGE_BANDS

# The record type under which activities are located in the places membership table.
ACTIVITY_RECORD_TYPE = "engagement.activity"
PARTICIPANT_RECORD_TYPE = "engagement.participant"


class ActivityKind(models.TextChoices):
    VISIONING = "visioning", "Visioning exercise"
    CONSULTATION = "consultation", "Consultation"
    MEETING = "meeting", "Community meeting"
    EVENT = "event", "Event"
    DOOR_KNOCKING = "door_knocking", "Door-knocking round"


class Activity(TimestampedModel):
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    title = models.CharField(max_length=300)
    theme = models.CharField(max_length=200, blank=True)
    held_on = models.DateField(db_index=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="engagement_activities",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="engagement_activities",
    )
    # The area the activity served (usually a ward): a places Area, loosely linked.
    area_id = models.UUIDField(db_index=True)
    area_code = models.CharField(max_length=64)
    area_name = models.CharField(max_length=200)
    venue_postcode = models.CharField(max_length=8, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on", "title"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["area_id", "held_on"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d %b %Y})"


class AgeBand(models.TextChoices):
    """Census 2021 bands, so participants compare directly with the population."""

    AGE_0_15 = AGE_BANDS[0]
    AGE_16_24 = AGE_BANDS[1]
    AGE_25_34 = AGE_BANDS[2]
    AGE_35_49 = AGE_BANDS[3]
    AGE_50_64 = AGE_BANDS[4]
    AGE_65_PLUS = AGE_BANDS[5]


class Participant(models.Model):
    """Someone who took part: a known person (case work) or a pseudonym.

    A pseudonymous participant has no name: only an age band and a home postcode, located
    through places so the home LSOA (and its deprivation quintile) and ward are known.
    Never in a URL (the reference is what people use), so an integer key: the breadth
    metrics group millions of participations by it.
    """

    id = models.BigAutoField(primary_key=True)
    # The id the places engine knows this participant by (its record ids are UUIDs).
    locator = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # A case-work Person, when the participant is known to a coordinator.
    person_id = models.UUIDField(null=True, blank=True, unique=True)
    # A short label a facilitator can recognise on a sign-in sheet (e.g. "P-0042"), never a name.
    reference = models.CharField(max_length=20, unique=True)
    age_band = models.CharField(max_length=8, choices=AgeBand.choices, blank=True)
    home_postcode = models.CharField(max_length=8, blank=True)
    home_lsoa_code = models.CharField(max_length=12, blank=True, db_index=True)
    home_ward_code = models.CharField(max_length=12, blank=True, db_index=True)
    # Derived from the home LSOA's IoD 2025 decile when located: 1 = most deprived fifth.
    deprivation_quintile = models.PositiveSmallIntegerField(null=True, blank=True)
    # Derived: the participant's first ever participation, for the first-timer share.
    first_activity_id = models.UUIDField(null=True, blank=True)
    first_participated_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["reference"]

    def __str__(self) -> str:
        return self.reference


class Participation(models.Model):
    """One participant at one activity. Big integer key: there are millions of these."""

    id = models.BigAutoField(primary_key=True)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participations")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="participations"
    )
    # Derived: copied from the activity so a period filter needs no join.
    held_on = models.DateField()
    # Derived: how many contributions this participant made at this activity.
    contributions = models.PositiveIntegerField(default=0)
    # Derived, copied from the participant so the breadth GROUP BY reads one table: whether
    # this is the participant's first ever participation, their age band and quintile.
    is_first = models.BooleanField(default=False)
    age_band = models.CharField(max_length=8, blank=True)
    deprivation_quintile = models.PositiveSmallIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "participant"], name="participation_unique_pair"
            )
        ]
        indexes = [
            # Covers the breadth query: per activity, everything the GROUP BY needs.
            models.Index(
                fields=[
                    "activity",
                    "held_on",
                    "participant",
                    "contributions",
                    "is_first",
                    "age_band",
                    "deprivation_quintile",
                ],
                name="engagement_part_breadth",
            ),
            models.Index(fields=["participant", "held_on"], name="engagement_part_person"),
        ]

    def __str__(self) -> str:
        return f"participation {self.pk}"


class ContributionKind(models.TextChoices):
    IDEA = "idea", "Idea"
    COMMENT = "comment", "Comment"
    VOTE = "vote", "Vote"


class Contribution(TimestampedModel):
    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="contribution_records"
    )
    kind = models.CharField(max_length=10, choices=ContributionKind.choices)
    text = models.TextField(blank=True)
    # An idea that became a community project (assets app), loosely linked.
    project_id = models.UUIDField(null=True, blank=True, db_index=True)
    project_name = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at"]


class CouncillorWard(TimestampedModel):
    """A ward a councillor represents: the councillor's view shows aggregates for these."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="councillor_wards"
    )
    area_id = models.UUIDField()
    area_code = models.CharField(max_length=64)
    area_name = models.CharField(max_length=200)

    class Meta:
        ordering = ["area_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "area_id"], name="councillor_ward_unique")
        ]


# The summary's key for "every activity, wherever held" (a scope with no area).
ALL_AREAS = uuid.UUID(int=0)


class BlockGrain(models.TextChoices):
    MONTH = "m", "Calendar month"
    DAY = "d", "Day"


class ParticipationBlock(models.Model):
    """Derived: who took part in one area on one day, or in one calendar month, as one
    packed array (`summary.BLOCK`: participant, participations, contributions, first-ever
    flag, age band and quintile codes; one entry per participant, sorted).

    Kept by `summary.py` (the participation services refresh the blocks an activity's
    participations fall in, `manage.py engagement-summary-rebuild` rebuilds all after a bulk
    load), never edited by hand. There is a block for every area an activity counts in (its
    own area and every area places located it in, as the breadth scope reads them) and under
    `ALL_AREAS`, so the breadth figures for any area and period read at most a dozen month
    blocks and the day blocks either side, and group them by participant in numpy. Results
    are the same as reading participations (tested).
    """

    id = models.BigAutoField(primary_key=True)
    area_id = models.UUIDField()
    grain = models.CharField(max_length=1, choices=BlockGrain.choices)
    start = models.DateField()
    entries = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area_id", "grain", "start"], name="participation_block_unique"
            )
        ]

    def __str__(self) -> str:
        return f"participation block {self.pk}"


class ParticipationMonthArea(models.Model):
    """Derived: which activities an area held when its `ParticipationBlock`s were built.

    Places can re-locate activities (a new boundary set, a relocation run), which changes the
    areas an activity counts in without engagement knowing. The breadth query compares the
    area's activity memberships now (how many, and the sum and highest of their row ids,
    which change whenever a membership is written again) with these, and reads participations
    instead when they differ, so a stale summary is slow, never wrong. A row for `ALL_AREAS`
    says the summary has been built.
    """

    area_id = models.UUIDField(primary_key=True)
    activities = models.PositiveIntegerField()
    membership_id_sum = models.BigIntegerField(default=0)
    membership_id_max = models.BigIntegerField(default=0)
    # On the ALL_AREAS row: the highest participation id the blocks include. A higher one
    # means participations were written outside the services: read participations.
    participation_id_max = models.BigIntegerField(default=0)
    built_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"summary state {self.area_id}"
