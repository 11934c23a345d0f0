"""Reads for volunteering: public search, a volunteer's own page, coordinators' lists (scoped
to their organisation and audited where they show personal data), matching and the value of
volunteer time."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from placebase.accounts.permissions import Action, can
from placebase.core.audit import audit_record
from placebase.core.errors import NotFound, ValidationFailed
from placebase.core.money import Money

from . import availability as slots
from . import geo
from .errors import RatesUnavailable
from .models import (
    ACTIVE_PLEDGE_STATUSES,
    OPPORTUNITY_RECORD_TYPE,
    SITE_RECORD_TYPE,
    Badge,
    BadgeKind,
    CelebrationEvent,
    HoursEntry,
    HoursSource,
    HoursStatus,
    Invitation,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Pledge,
    PledgeStatus,
    SafeguardingCheck,
    Shift,
    Volunteer,
    VolunteerStatus,
)

SEARCH_RADIUS_KM = 10.0
PENNY = Decimal("0.01")
MINUTES_PER_HOUR = Decimal(60)


# --- public -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpportunityNear:
    opportunity: Opportunity
    distance_km: float | None


def _published() -> QuerySet[Opportunity]:
    today = timezone.localdate()
    return (
        Opportunity.objects.filter(status=OpportunityStatus.PUBLISHED)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .prefetch_related("skills")
    )


def opportunity_search(
    *, postcode: str = "", kind: str = "", radius_km: float = SEARCH_RADIUS_KM, limit: int = 50
) -> tuple[geo.Point | None, list[OpportunityNear]]:
    """Published opportunities, nearest first when a postcode is given (within `radius_km`).

    Raises a ValidationFailed subclass for a postcode that is malformed or unknown.
    """
    opportunities = _published()
    if kind:
        if kind not in OpportunityKind.values:
            raise ValidationFailed("Choose a kind of opportunity", code="volunteering.kind_invalid")
        opportunities = opportunities.filter(kind=kind)
    if not postcode.strip():
        return None, [OpportunityNear(o, None) for o in opportunities.order_by("title")[:limit]]
    point = geo.postcode_point(postcode)
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(point.lat, point.lon, radius_km)
    nearby = opportunities.filter(lat__range=(min_lat, max_lat), lon__range=(min_lon, max_lon))
    found = []
    for opportunity in nearby:
        distance = geo.haversine_km(point.lat, point.lon, opportunity.lat, opportunity.lon)
        if distance <= radius_km:
            found.append(OpportunityNear(opportunity, distance))
    found.sort(key=lambda item: (item.distance_km, item.opportunity.title))
    return point, found[:limit]


def opportunity_get_public(*, opportunity_id: Any) -> Opportunity:
    try:
        return _published().prefetch_related("sites").get(pk=opportunity_id)
    except (Opportunity.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound("No such opportunity.") from None


def shifts_open(*, opportunity: Opportunity) -> QuerySet[Shift]:
    return (
        Shift.objects.filter(opportunity=opportunity, starts_at__gte=timezone.now())
        .select_related("site")
        .order_by("starts_at")
    )


def places_left(*, opportunity: Opportunity) -> int | None:
    if opportunity.capacity is None or opportunity.kind == OpportunityKind.MICRO:
        return None
    taken = Pledge.objects.filter(
        opportunity=opportunity, status__in=ACTIVE_PLEDGE_STATUSES
    ).count()
    return max(0, opportunity.capacity - taken)


def pledge_count(*, opportunity: Opportunity) -> int:
    return Pledge.objects.filter(opportunity=opportunity, status__in=ACTIVE_PLEDGE_STATUSES).count()


# --- a volunteer's own page -------------------------------------------------------------------


def volunteer_get_own(*, user: Any) -> Volunteer:
    if user is None or not user.is_authenticated:
        raise NotFound("No volunteer profile.")
    try:
        return Volunteer.objects.prefetch_related("skills").get(user=user)
    except Volunteer.DoesNotExist:
        raise NotFound("No volunteer profile.") from None


@dataclass
class VolunteerPage:
    volunteer: Volunteer
    pledges: list[Pledge]
    upcoming_shifts: list[Pledge]
    hours: list[HoursEntry]
    verified_minutes: int
    waiting_minutes: int
    badges: list[Any]
    thanks: list[Any]
    invitations: list[Invitation]
    loggable: list[Opportunity] = field(default_factory=list)

    @property
    def verified_hours(self) -> Decimal:
        return (Decimal(self.verified_minutes) / MINUTES_PER_HOUR).quantize(Decimal("0.1"))

    @property
    def waiting_hours(self) -> Decimal:
        return (Decimal(self.waiting_minutes) / MINUTES_PER_HOUR).quantize(Decimal("0.1"))


def volunteer_page(*, volunteer: Volunteer) -> VolunteerPage:
    pledges = list(
        volunteer.pledges.select_related("opportunity", "shift", "site").order_by("-created_at")
    )
    now = timezone.now()
    upcoming = sorted(
        (
            p
            for p in pledges
            if p.shift
            and p.shift.starts_at >= now
            and p.status in (PledgeStatus.CONFIRMED, PledgeStatus.REQUESTED, PledgeStatus.PLEDGED)
        ),
        key=lambda p: p.shift.starts_at if p.shift else now,
    )
    hours = list(volunteer.hours.select_related("opportunity")[:50])
    totals = dict(
        volunteer.hours.values_list("status").annotate(m=Sum("minutes")).values_list("status", "m")
    )
    loggable = {
        p.opportunity_id: p.opportunity for p in pledges if p.status in ACTIVE_PLEDGE_STATUSES
    }
    return VolunteerPage(
        volunteer=volunteer,
        pledges=pledges,
        upcoming_shifts=upcoming,
        hours=hours,
        verified_minutes=totals.get(HoursStatus.VERIFIED, 0) or 0,
        waiting_minutes=totals.get(HoursStatus.LOGGED, 0) or 0,
        badges=list(volunteer.badges.select_related("badge")),
        thanks=list(volunteer.thanks.all()[:10]),
        invitations=list(
            volunteer.invitations.select_related("event").filter(event__starts_at__gte=now)
        ),
        loggable=sorted(loggable.values(), key=lambda o: o.title),
    )


def invitation_get_own(*, volunteer: Volunteer, invitation_id: Any) -> Invitation:
    try:
        return Invitation.objects.select_related("event").get(pk=invitation_id, volunteer=volunteer)
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such invitation.") from None


def pledge_get_own(*, volunteer: Volunteer, pledge_id: Any) -> Pledge:
    try:
        return Pledge.objects.select_related("opportunity").get(pk=pledge_id, volunteer=volunteer)
    except (Pledge.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such pledge.") from None


# --- coordinators -----------------------------------------------------------------------------


def _require_manager(user: Any) -> None:
    if not can(user, Action.MANAGE_VOLUNTEERING) or user.organisation_id is None:
        raise NotFound("Not found.")


def opportunity_list_for_manager(*, user: Any) -> QuerySet[Opportunity]:
    _require_manager(user)
    return (
        Opportunity.objects.filter(organisation_id=user.organisation_id)
        .annotate(
            pledges_active=Count("pledges", filter=Q(pledges__status__in=ACTIVE_PLEDGE_STATUSES))
        )
        .order_by("status", "title")
    )


def opportunity_get_for_manager(*, user: Any, opportunity_id: Any) -> Opportunity:
    _require_manager(user)
    try:
        return Opportunity.objects.prefetch_related("skills", "sites").get(
            pk=opportunity_id, organisation_id=user.organisation_id
        )
    except (Opportunity.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such opportunity.") from None


def pledge_list_for_opportunity(*, user: Any, opportunity: Opportunity) -> list[Pledge]:
    _require_manager(user)
    if opportunity.organisation_id != user.organisation_id:
        raise NotFound("No such opportunity.")
    pledges = list(
        opportunity.pledges.select_related("volunteer", "shift", "site").order_by(
            "status", "-created_at"
        )
    )
    audit_record(
        actor=user,
        verb="pledges.listed",
        target=opportunity,
        personal_data=True,
        payload={"count": len(pledges)},
    )
    return pledges


def pledge_get_for_manager(*, user: Any, pledge_id: Any) -> Pledge:
    _require_manager(user)
    try:
        return Pledge.objects.select_related("opportunity", "volunteer").get(
            pk=pledge_id, opportunity__organisation_id=user.organisation_id
        )
    except (Pledge.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such pledge.") from None


def pledges_awaiting(*, user: Any) -> QuerySet[Pledge]:
    _require_manager(user)
    return (
        Pledge.objects.filter(
            opportunity__organisation_id=user.organisation_id, status=PledgeStatus.REQUESTED
        )
        .select_related("opportunity", "volunteer", "shift")
        .order_by("created_at")
    )


def hours_to_verify(*, user: Any) -> QuerySet[HoursEntry]:
    _require_manager(user)
    return (
        HoursEntry.objects.filter(
            opportunity__organisation_id=user.organisation_id, status=HoursStatus.LOGGED
        )
        .select_related("opportunity", "volunteer")
        .order_by("worked_on")
    )


def hours_entry_get_for_manager(*, user: Any, entry_id: Any) -> HoursEntry:
    _require_manager(user)
    try:
        return HoursEntry.objects.select_related("opportunity", "volunteer").get(
            pk=entry_id, opportunity__organisation_id=user.organisation_id
        )
    except (HoursEntry.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such entry.") from None


def _volunteers_visible_to(user: Any) -> QuerySet[Volunteer]:
    """Volunteers registered with the user's organisation or who pledged to its roles."""
    return Volunteer.objects.filter(
        Q(organisation_id=user.organisation_id)
        | Q(pledges__opportunity__organisation_id=user.organisation_id)
    ).distinct()


def volunteer_get_for_manager(*, user: Any, volunteer_id: Any) -> Volunteer:
    _require_manager(user)
    try:
        volunteer = _volunteers_visible_to(user).prefetch_related("skills").get(pk=volunteer_id)
    except (Volunteer.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such volunteer.") from None
    audit_record(actor=user, verb="volunteer.viewed", target=volunteer, personal_data=True)
    return volunteer


def volunteer_list_for_manager(*, user: Any) -> QuerySet[Volunteer]:
    _require_manager(user)
    return _volunteers_visible_to(user).order_by("last_name", "first_name")


def safeguarding_checks_for(*, volunteer: Volunteer) -> QuerySet[SafeguardingCheck]:
    return volunteer.safeguarding_checks.all()


@dataclass(frozen=True)
class CheckDue:
    check: SafeguardingCheck
    days_left: int

    @property
    def expired(self) -> bool:
        return self.days_left < 0


def safeguarding_checks_due(
    *, user: Any, today: dt.date | None = None, within_days: int = 60
) -> list[CheckDue]:
    """Checks of the organisation's volunteers that expire within `within_days` (or have
    expired within the last year), soonest first; replaced checks are left out."""
    _require_manager(user)
    day = today or timezone.localdate()
    checks = (
        SafeguardingCheck.objects.filter(
            volunteer__in=_volunteers_visible_to(user),
            renewal_due_on__lte=day + dt.timedelta(days=within_days),
            renewal_due_on__gte=day - dt.timedelta(days=365),
        )
        .select_related("volunteer")
        .order_by("renewal_due_on")
    )
    due = []
    for check in checks:
        replaced = SafeguardingCheck.objects.filter(
            volunteer_id=check.volunteer_id,
            level__gte=check.level,
            renewal_due_on__gt=check.renewal_due_on,
        ).exists()
        if not replaced:
            due.append(CheckDue(check, (check.renewal_due_on - day).days))
    return due


def badge_list_skill() -> QuerySet[Badge]:
    return Badge.objects.filter(kind=BadgeKind.SKILL)


def celebration_list_for_manager(*, user: Any) -> QuerySet[CelebrationEvent]:
    _require_manager(user)
    return (
        CelebrationEvent.objects.filter(organisation_id=user.organisation_id)
        .annotate(
            invited=Count("invitations"),
            coming=Count("invitations", filter=Q(invitations__reply="accepted")),
        )
        .order_by("-starts_at")
    )


def celebration_get_for_manager(*, user: Any, event_id: Any) -> CelebrationEvent:
    _require_manager(user)
    try:
        return CelebrationEvent.objects.get(pk=event_id, organisation_id=user.organisation_id)
    except (CelebrationEvent.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such event.") from None


# --- matching ---------------------------------------------------------------------------------

SKILL_WEIGHT, DISTANCE_WEIGHT, TIME_WEIGHT = 0.5, 0.3, 0.2


@dataclass(frozen=True)
class Suggestion:
    record_id: Any
    title: str
    distance_km: float
    score: float
    skills_matched: int
    skills_wanted: int


def match_score(
    *,
    wanted: set[Any],
    offered: set[Any],
    distance_km: float,
    radius_km: float,
    volunteer_mask: int,
    opportunity_mask: int,
) -> float:
    """0–1: half skills (share of the role's skills the volunteer has; 1 when none are
    needed), three tenths nearness, one fifth time (a real overlap beats "any time")."""
    skill = len(wanted & offered) / len(wanted) if wanted else 1.0
    near = max(0.0, 1.0 - distance_km / radius_km) if radius_km > 0 else 0.0
    time = 1.0 if (volunteer_mask & opportunity_mask) else 0.5
    return SKILL_WEIGHT * skill + DISTANCE_WEIGHT * near + TIME_WEIGHT * time


def _years_before(day: dt.date, years: int) -> dt.date:
    """The latest birth date of someone who is `years` old on `day`."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _mask_filter(mask: int) -> Q:
    # Either side saying "any time" (0) fits; otherwise the masks must share a slot.
    if mask == 0:
        return Q()
    return Q(availability=0) | Q(avail_overlap__gt=0)


def suggestions_for_volunteer(
    *, volunteer: Volunteer, limit: int = 10, today: dt.date | None = None
) -> list[Suggestion]:
    """Published opportunities within the volunteer's travel distance that fit their time and
    age, best first. Candidates are cut with a bounding box on the indexed lat/lon columns,
    then measured exactly."""
    radius = float(volunteer.travel_km)
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(volunteer.lat, volunteer.lon, radius)
    day = today or timezone.localdate()
    age = (
        day.year
        - volunteer.date_of_birth.year
        - int((day.month, day.day) < (volunteer.date_of_birth.month, volunteer.date_of_birth.day))
    )
    candidates = (
        Opportunity.objects.filter(
            status=OpportunityStatus.PUBLISHED,
            lat__range=(min_lat, max_lat),
            lon__range=(min_lon, max_lon),
            minimum_age__lte=age,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .annotate(avail_overlap=F("availability").bitand(volunteer.availability))
        .filter(_mask_filter(volunteer.availability))
        .exclude(
            pk__in=Pledge.objects.filter(
                volunteer=volunteer, status__in=(*ACTIVE_PLEDGE_STATUSES, PledgeStatus.REQUESTED)
            )
            .exclude(opportunity__kind=OpportunityKind.MICRO)
            .values("opportunity_id")
        )
        .values_list("id", "title", "lat", "lon", "availability")
    )
    rows = list(candidates)
    wanted: dict[Any, set[Any]] = defaultdict(set)
    through = Opportunity.skills.through.objects.filter(opportunity_id__in=[r[0] for r in rows])
    for opportunity_id, skill_id in through.values_list("opportunity_id", "skill_id"):
        wanted[opportunity_id].add(skill_id)
    offered = set(volunteer.skills.values_list("id", flat=True))
    found = []
    for pk, title, lat, lon, mask in rows:
        distance = geo.haversine_km(volunteer.lat, volunteer.lon, lat, lon)
        if distance > radius:
            continue
        need = wanted.get(pk, set())
        score = match_score(
            wanted=need,
            offered=offered,
            distance_km=distance,
            radius_km=radius,
            volunteer_mask=volunteer.availability,
            opportunity_mask=mask,
        )
        found.append(Suggestion(pk, title, distance, score, len(need & offered), len(need)))
    found.sort(key=lambda s: (-s.score, s.distance_km, str(s.record_id)))
    return found[:limit]


def suggestions_for_opportunity(
    *, opportunity: Opportunity, limit: int = 20, radius_km: float = SEARCH_RADIUS_KM
) -> list[Suggestion]:
    """Active volunteers who agreed to suggestions, live within both `radius_km` and their
    own travel distance of the opportunity, are old enough and free when it happens."""
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(
        opportunity.lat, opportunity.lon, radius_km
    )
    born_by = _years_before(timezone.localdate(), opportunity.minimum_age)
    in_box = Q(lat__range=(min_lat, max_lat), lon__range=(min_lon, max_lon))
    candidates = (
        Volunteer.objects.filter(
            in_box, status=VolunteerStatus.ACTIVE, may_be_suggested=True, date_of_birth__lte=born_by
        )
        .annotate(avail_overlap=F("availability").bitand(opportunity.availability))
        .filter(_mask_filter(opportunity.availability))
        .exclude(
            pk__in=Pledge.objects.filter(opportunity=opportunity, volunteer__isnull=False).values(
                "volunteer_id"
            )
        )
        .values_list("id", "first_name", "last_name", "lat", "lon", "availability", "travel_km")
    )
    wanted = set(opportunity.skills.values_list("id", flat=True))
    offered: dict[Any, set[Any]] = defaultdict(set)
    if wanted:
        # Only the skills that matter, for the volunteers in the box: one indexed join.
        through = Volunteer.skills.through.objects.filter(
            skill_id__in=wanted,
            volunteer__lat__range=(min_lat, max_lat),
            volunteer__lon__range=(min_lon, max_lon),
        )
        for volunteer_id, skill_id in through.values_list("volunteer_id", "skill_id"):
            offered[volunteer_id].add(skill_id)
    found = []
    for pk, first, last, lat, lon, mask, travel in candidates:
        distance = geo.haversine_km(opportunity.lat, opportunity.lon, lat, lon)
        if distance > radius_km or distance > travel:
            continue
        have = offered.get(pk, set())
        score = match_score(
            wanted=wanted,
            offered=have,
            distance_km=distance,
            radius_km=min(radius_km, float(travel)),
            volunteer_mask=mask,
            opportunity_mask=opportunity.availability,
        )
        found.append(
            Suggestion(pk, f"{first} {last}", distance, score, len(have & wanted), len(wanted))
        )
    found.sort(key=lambda s: (-s.score, s.distance_km, str(s.record_id)))
    return found[:limit]


# --- the value of volunteer time --------------------------------------------------------------


@dataclass(frozen=True)
class RateUsed:
    amount: Decimal
    year: int
    basis: str
    source: str


@dataclass(frozen=True)
class VolunteerHoursValue:
    """Verified volunteer time and its value as a range, each end with its rate's basis.

    The two ends may be in different price years (each rate is quoted for its own year):
    they are reported as they are, never added together.
    """

    minutes: int
    entries: int
    volunteers: int
    staff_entered_minutes: int
    low: Money
    central: Money
    low_rate: RateUsed
    central_rate: RateUsed
    parameters: str
    period_start: dt.date | None
    period_end: dt.date | None

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / MINUTES_PER_HOUR).quantize(PENNY, ROUND_HALF_UP)

    @property
    def staff_entered_hours(self) -> Decimal:
        return (Decimal(self.staff_entered_minutes) / MINUTES_PER_HOUR).quantize(
            PENNY, ROUND_HALF_UP
        )


def volunteer_rates() -> tuple[RateUsed, RateUsed, str]:
    """The low and central hourly rates from the evidence app's current valuation parameters."""
    try:
        from placebase.evidence.selectors import parameters_current
    except ImportError as error:  # pragma: no cover - evidence is part of the product
        raise RatesUnavailable("Volunteer hourly rates are not available.") from error
    current = parameters_current()
    rates = current.parameters.volunteer_rates
    return (
        RateUsed(rates.low.amount, rates.low.year, rates.low.basis, rates.low.source),
        RateUsed(
            rates.central.amount, rates.central.year, rates.central.basis, rates.central.source
        ),
        current.description,
    )


def _value(minutes: int, rate: RateUsed) -> Money:
    amount = (Decimal(minutes) * rate.amount / MINUTES_PER_HOUR).quantize(PENNY, ROUND_HALF_UP)
    return Money(amount, rate.year)


def _verified_hours(
    *,
    area: Any = None,
    organisation: Any = None,
    opportunity: Any = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> QuerySet[HoursEntry]:
    if period_start and period_end and period_end < period_start:
        raise ValidationFailed(
            "The end of the period must be on or after its start",
            code="volunteering.period_invalid",
        )
    entries = HoursEntry.objects.filter(status=HoursStatus.VERIFIED)
    if opportunity is not None:
        entries = entries.filter(opportunity_id=getattr(opportunity, "pk", opportunity))
    if organisation is not None:
        entries = entries.filter(
            opportunity__organisation_id=getattr(organisation, "pk", organisation)
        )
    if area is not None:
        entries = entries.filter(_in_area(area))
    if period_start:
        entries = entries.filter(worked_on__gte=period_start)
    if period_end:
        entries = entries.filter(worked_on__lte=period_end)
    return entries


def _area_places(area: Any) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """(opportunities in the area, pledges at sites in the area), as id subqueries.

    Where the time was given, as the places engine assigned it to areas of every level (ward,
    LSOA, district, NHS footprint, a coordinator's patch, a custom neighbourhood): the site of
    the pledge when the hours belong to one at a site (a placement in one of ten schools),
    otherwise the opportunity's own point. A ward code also matches the ward copied onto the
    opportunity, for records located before any boundary set was loaded.
    """
    from placebase.places.models import AreaMembership

    code = area if isinstance(area, str) else area.code
    members = AreaMembership.objects.all()
    members = (
        members.filter(area__code=code) if isinstance(area, str) else members.filter(area=area)
    )
    opportunities = Opportunity.objects.filter(
        Q(pk__in=members.filter(record_type=OPPORTUNITY_RECORD_TYPE).values("record_id"))
        | Q(ward_code=code)
    ).values("pk")
    site_pledges = Pledge.objects.filter(
        site_id__in=members.filter(record_type=SITE_RECORD_TYPE).values("record_id")
    ).values("pk")
    return opportunities, site_pledges


_NOT_AT_A_SITE = Q(pledge__isnull=True) | Q(pledge__site__isnull=True)


def _area_parts(entries: QuerySet[HoursEntry], area: Any) -> tuple[QuerySet[HoursEntry], ...]:
    """`entries` given in the area, as parts that never overlap.

    PostgreSQL plans the one query (`_in_area`) well, with hashed subplans. SQLite would read
    the whole period by the status-and-date index for it, so there it is two parts, each read
    by its own index: time at the area's sites, and time at its opportunities not at a site
    (measured in `benchmarks/bench_volunteering.py`)."""
    if connection.vendor == "postgresql":
        return (entries.filter(_in_area(area)),)
    opportunities, site_pledges = _area_places(area)
    return (
        entries.filter(pledge_id__in=site_pledges),
        entries.filter(opportunity_id__in=opportunities).filter(_NOT_AT_A_SITE),
    )


def _in_area(area: Any) -> Q:
    """Hours given in the area (see `_area_places`)."""
    opportunities, site_pledges = _area_places(area)
    return Q(pledge_id__in=site_pledges) | (Q(opportunity_id__in=opportunities) & _NOT_AT_A_SITE)


def volunteer_hours_value(
    *,
    area: Any = None,
    organisation: Any = None,
    opportunity: Any = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> VolunteerHoursValue:
    """Verified hours only (filtered by opportunity, organisation, area and period) and their
    value: low = hours x National Living Wage, central = hours x ONS median hourly pay, each
    with its basis and price year, from the evidence app's current parameters.

    `area` is a places Area or an area code; `organisation` and `opportunity` an instance or
    a primary key. Aggregates only: no personal data leaves this function.
    """
    entries = _verified_hours(
        organisation=organisation,
        opportunity=opportunity,
        period_start=period_start,
        period_end=period_end,
    )
    if area is None:
        totals = entries.aggregate(
            total=Sum("minutes"),
            entries=Count("id"),
            volunteers=Count("volunteer", distinct=True),
            staff=Sum("minutes", filter=Q(source=HoursSource.STAFF)),
        )
    else:
        parts = _area_parts(entries, area)
        totals = {"total": 0, "entries": 0, "staff": 0}
        people: set[Any] = set()
        for part in parts:
            sums = part.aggregate(
                total=Sum("minutes"),
                entries=Count("id"),
                staff=Sum("minutes", filter=Q(source=HoursSource.STAFF)),
            )
            for key in totals:
                totals[key] += sums[key] or 0
            people.update(part.order_by().values_list("volunteer_id", flat=True).distinct())
        totals["volunteers"] = len(people)
    minutes = totals["total"] or 0
    low_rate, central_rate, described = volunteer_rates()
    return VolunteerHoursValue(
        minutes=minutes,
        entries=totals["entries"] or 0,
        volunteers=totals["volunteers"] or 0,
        staff_entered_minutes=totals["staff"] or 0,
        low=_value(minutes, low_rate),
        central=_value(minutes, central_rate),
        low_rate=low_rate,
        central_rate=central_rate,
        parameters=described,
        period_start=period_start,
        period_end=period_end,
    )


@dataclass(frozen=True)
class ValueRow:
    label: str
    minutes: int
    volunteers: int
    low: Money
    central: Money

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / MINUTES_PER_HOUR).quantize(PENNY, ROUND_HALF_UP)


BREAKDOWNS = {"opportunity": "opportunity__title", "area": "opportunity__ward_name", "month": None}


def volunteer_hours_value_breakdown(
    *, user: Any, by: str, period_start: dt.date | None = None, period_end: dt.date | None = None
) -> list[ValueRow]:
    """The organisation's verified time and its value by opportunity, ward or month."""
    _require_manager(user)
    if by not in BREAKDOWNS:
        raise ValidationFailed(
            "Choose how to break the figures down", code="volunteering.breakdown_invalid"
        )
    entries = _verified_hours(
        organisation=user.organisation_id, period_start=period_start, period_end=period_end
    )
    low_rate, central_rate, _ = volunteer_rates()
    grouped: dict[str, tuple[int, set[Any]]] = {}
    for label_value, worked_on, minutes, volunteer_id in entries.values_list(
        BREAKDOWNS[by] or "id", "worked_on", "minutes", "volunteer_id"
    ):
        label = worked_on.strftime("%Y-%m") if by == "month" else (label_value or "Not known")
        total, people = grouped.get(label, (0, set()))
        people.add(volunteer_id)
        grouped[label] = (total + minutes, people)
    return [
        ValueRow(
            label, minutes, len(people), _value(minutes, low_rate), _value(minutes, central_rate)
        )
        for label, (minutes, people) in sorted(grouped.items())
    ]


def describe_availability(mask: int) -> str:
    return slots.describe(mask)


# --- volunteers' wellbeing, for the evidence engine ---------------------------------------------

ONS4_MEASURES = ("life_satisfaction", "worthwhile", "happiness", "anxiety")
WELLBEING_LOOKBACK_DAYS = 365


@dataclass(frozen=True)
class VolunteerWellbeingChange:
    """How volunteers' ONS4 answers changed: aggregates only.

    `people` is how many volunteers who gave verified time (in the area and period) answered
    at least twice; each one's change is their latest answer (on or before the period's end)
    less their first (no earlier than a year before the period's start). `sums` and
    `sums_of_squares` are per measure, so a caller can take means and standard errors; lower
    anxiety is better (its change is reported as it is, not reversed).
    """

    volunteers: int
    people: int
    sums: dict[str, float]
    sums_of_squares: dict[str, float]
    period_start: dt.date | None
    period_end: dt.date | None

    def mean(self, measure: str = "life_satisfaction") -> float | None:
        return self.sums[measure] / self.people if self.people else None


def volunteer_wellbeing_change(
    *,
    area: Any = None,
    organisation: Any = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> VolunteerWellbeingChange:
    """Volunteers' own wellbeing change, for volunteers whose verified time falls in the area
    (any level, as for `volunteer_hours_value`) and period. An outcome of volunteering: the
    evidence engine must never net it off the value of their time (an input)."""
    from .models import VolunteerWellbeing

    entries = _verified_hours(
        organisation=organisation, period_start=period_start, period_end=period_end
    )
    parts = (entries,) if area is None else _area_parts(entries, area)
    gave_time = Q()
    for part in parts:
        gave_time |= Q(volunteer_id__in=part.order_by().values("volunteer_id"))
    answers = VolunteerWellbeing.objects.filter(gave_time)
    if period_end:
        answers = answers.filter(recorded_on__lte=period_end)
    if period_start:
        answers = answers.filter(
            recorded_on__gte=period_start - dt.timedelta(days=WELLBEING_LOOKBACK_DAYS)
        )
    first: dict[Any, tuple[int, ...]] = {}
    last: dict[Any, tuple[int, ...]] = {}
    for volunteer_id, *scores in answers.order_by(
        "volunteer_id", "recorded_on", "created_at"
    ).values_list("volunteer_id", *ONS4_MEASURES):
        if volunteer_id in first:
            last[volunteer_id] = tuple(scores)
        else:
            first[volunteer_id] = tuple(scores)
    sums = dict.fromkeys(ONS4_MEASURES, 0.0)
    squares = dict.fromkeys(ONS4_MEASURES, 0.0)
    for volunteer_id, latest in last.items():
        for index, measure in enumerate(ONS4_MEASURES):
            change = float(latest[index] - first[volunteer_id][index])
            sums[measure] += change
            squares[measure] += change * change
    volunteers: set[Any] = set()
    for part in parts:
        volunteers.update(part.order_by().values_list("volunteer_id", flat=True).distinct())
    return VolunteerWellbeingChange(
        volunteers=len(volunteers),
        people=len(last),
        sums=sums,
        sums_of_squares=squares,
        period_start=period_start,
        period_end=period_end,
    )


# --- subject access -----------------------------------------------------------------------------


def _iso(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _export(volunteer: Volunteer) -> dict[str, Any]:
    """Everything held about a volunteer, as plain data (the subject access export)."""
    profile_fields = (
        "first_name",
        "last_name",
        "email",
        "phone",
        "date_of_birth",
        "postcode",
        "ward_code",
        "ward_name",
        "travel_km",
        "interests",
        "may_be_suggested",
        "status",
        "consent_given_at",
        "consent_statement",
        "guardian_name",
        "guardian_email",
        "guardian_approved_at",
        "erased_at",
        "erasure_reason",
        "created_at",
        "updated_at",
    )
    profile = {name: _iso(getattr(volunteer, name)) for name in profile_fields}
    profile["id"] = str(volunteer.pk)
    profile["availability"] = slots.describe(volunteer.availability)
    profile["skills"] = [s.name for s in volunteer.skills.all()]
    profile["registered_with"] = volunteer.organisation.name if volunteer.organisation else None
    profile["case_work_record_linked"] = volunteer.casework_person_id is not None
    pledges = []
    for pledge in volunteer.pledges.select_related("opportunity", "site", "shift").order_by(
        "created_at"
    ):
        pledges.append(
            {
                "reference": pledge.reference,
                "opportunity": pledge.opportunity.title,
                "host": pledge.opportunity.host_name,
                "status": pledge.get_status_display(),
                "minutes": pledge.minutes,
                "site": pledge.site.name if pledge.site else None,
                "shift": (
                    {
                        "starts_at": _iso(pledge.shift.starts_at),
                        "ends_at": _iso(pledge.shift.ends_at),
                    }
                    if pledge.shift
                    else None
                ),
                "decided_at": _iso(pledge.decided_at),
                "decline_reason": pledge.decline_reason,
                "made_at": _iso(pledge.created_at),
            }
        )
    hours = [
        {
            "opportunity": entry.opportunity.title,
            "worked_on": _iso(entry.worked_on),
            "minutes": entry.minutes,
            "note": entry.note,
            "source": entry.get_source_display(),
            "status": entry.get_status_display(),
            "verified_at": _iso(entry.verified_at),
            "rejection_reason": entry.rejection_reason,
        }
        for entry in volunteer.hours.select_related("opportunity").order_by("worked_on")
    ]
    checks = [
        {
            "level": check.get_level_display(),
            "certificate_date": _iso(check.certificate_date),
            "renewal_due_on": _iso(check.renewal_due_on),
            "on_update_service": check.on_update_service,
            "warnings_sent": [
                {"days_before": w.days_before, "sent_at": _iso(w.sent_at)}
                for w in check.warnings.order_by("sent_at")
            ],
        }
        for check in volunteer.safeguarding_checks.prefetch_related("warnings").order_by(
            "certificate_date"
        )
    ]
    badges = [
        {"badge": award.badge.name, "reason": award.reason, "awarded_at": _iso(award.created_at)}
        for award in volunteer.badges.select_related("badge").order_by("created_at")
    ]
    messages = [
        {
            "message": thanks.message,
            "opportunity": thanks.opportunity.title if thanks.opportunity else None,
            "sent_at": _iso(thanks.created_at),
        }
        for thanks in volunteer.thanks.select_related("opportunity").order_by("created_at")
    ]
    invitations = [
        {
            "event": invitation.event.title,
            "venue": invitation.event.venue,
            "starts_at": _iso(invitation.event.starts_at),
            "reply": invitation.get_reply_display(),
            "guests": invitation.guests,
        }
        for invitation in volunteer.invitations.select_related("event").order_by("created_at")
    ]
    wellbeing = [
        {"recorded_on": _iso(row.recorded_on), "source": row.get_source_display()}
        | {measure: getattr(row, measure) for measure in ONS4_MEASURES}
        for row in volunteer.wellbeing.order_by("recorded_on", "created_at")
    ]
    return {
        "export": {
            "kind": "Subject access export: volunteering",
            "made_at": timezone.now().isoformat(),
        },
        "profile": profile,
        "pledges": pledges,
        "hours": hours,
        "safeguarding_checks": checks,
        "badges": badges,
        "messages": messages,
        "invitations": invitations,
        "wellbeing": wellbeing,
    }


def volunteer_export_own(*, user: Any) -> dict[str, Any]:
    """A volunteer's own subject access export (audited)."""
    volunteer = volunteer_get_own(user=user)
    data = _export(volunteer)
    audit_record(
        actor=user,
        verb="volunteer.exported",
        target=volunteer,
        personal_data=True,
        payload={"by_volunteer": True},
    )
    return data


def volunteer_export_for_manager(*, user: Any, volunteer_id: Any) -> dict[str, Any]:
    """A subject access export made by staff who may see the volunteer (audited)."""
    _require_manager(user)
    try:
        volunteer = _volunteers_visible_to(user).get(pk=volunteer_id)
    except (Volunteer.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound("No such volunteer.") from None
    data = _export(volunteer)
    audit_record(
        actor=user,
        verb="volunteer.exported",
        target=volunteer,
        personal_data=True,
        payload={"by_volunteer": False},
    )
    return data


def availability_codes(mask: int) -> list[str]:
    return slots.codes_from_mask(mask)


def shift_list_for_opportunity(*, opportunity: Opportunity) -> QuerySet[Shift]:
    """Every shift of an opportunity, past ones included, for its coordinators."""
    return opportunity.shifts.select_related("site").order_by("starts_at")
