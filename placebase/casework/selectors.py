"""Reads for case work. Every read of a person's record goes through here: these functions take
the user, enforce scope (organisation, team, patch; partners only under an agreement and the
person's consent, for the agreement's purposes), raise NotFound rather than reveal that a record
exists, and write an audit entry."""

import datetime
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from placebase.accounts.models import User
from placebase.accounts.permissions import AGGREGATES_ONLY, Action, can
from placebase.accounts.roles import Role
from placebase.accounts.selectors import data_sharing_agreement_list_in_force
from placebase.core.audit import audit_record
from placebase.core.errors import NotFound, PermissionDenied
from placebase.evidence.models import ServiceType

from .models import (
    Assessment,
    Connection,
    ConnectionStatus,
    ConsentRecord,
    Contact,
    Instrument,
    InstrumentVersion,
    Introduction,
    IntroductionStatus,
    PatchAssignment,
    Person,
    PersonStatus,
    ServiceUseEvent,
)

PERSON_RECORD_TYPE = "casework.person"

# What a partner sees for each purpose of sharing. The owning organisation sees everything.
SECTIONS = frozenset({"details", "journey", "outcomes", "consent"})
PURPOSE_SECTIONS: dict[str, frozenset[str]] = {
    "direct_care": frozenset({"details", "journey", "outcomes", "consent"}),
    "safeguarding": frozenset({"details", "journey", "consent"}),
    "evaluation": frozenset({"outcomes"}),
}

OPEN_CONNECTION_STATUSES = (
    ConnectionStatus.SUGGESTED,
    ConnectionStatus.INTRODUCED,
    ConnectionStatus.ATTENDED,
)


@dataclass(frozen=True)
class PersonAccess:
    """A person's record as this user may see it."""

    person: Person
    own: bool  # the user's own organisation holds the record
    sections: frozenset[str]
    purposes: frozenset[str] = frozenset()

    def sees(self, section: str) -> bool:
        return section in self.sections

    @property
    def may_edit(self) -> bool:
        return self.own


def _may_read_people(user: Any) -> bool:
    return can(user, Action.VIEW_PERSONAL_DATA) and user.role not in AGGREGATES_ONLY


def _patch_area_ids(user: Any) -> list[uuid.UUID]:
    return list(
        PatchAssignment.objects.filter(user=user, is_active=True).values_list("area_id", flat=True)
    )


def _own_scope(user: Any) -> Q | None:
    """People of the user's own organisation this user may see, as a filter; None for none."""
    if not _may_read_people(user) or user.organisation_id is None:
        return None
    same_org = Q(organisation_id=user.organisation_id)
    if user.role in (Role.MANAGER, Role.ADMIN):
        return same_org
    team_ids = list(user.teams.values_list("id", flat=True))
    if user.role == Role.COORDINATOR:
        scope = Q(coordinator_id=user.id) | Q(team_id__in=team_ids)
        patches = _patch_area_ids(user)
        if patches:
            scope |= Q(patch_area_id__in=patches)
        return same_org & scope
    # Connectors and volunteer coordinators see case records only of their own team.
    return same_org & Q(team_id__in=team_ids) if team_ids else None


def _partner_purposes(user: Any, *, person_ids: list[uuid.UUID] | None = None) -> dict:
    """{person id: purposes} for records shared with the user's organisation: an agreement in
    force between the person's organisation and the user's, and the person's own unwithdrawn
    consent naming the user's organisation; purposes are those in both."""
    if not _may_read_people(user) or user.organisation_id is None:
        return {}
    agreed: dict[uuid.UUID, set[str]] = defaultdict(set)
    for owner_id, purposes in data_sharing_agreement_list_in_force(
        partner_id=user.organisation_id
    ).values_list("owner_id", "purposes"):
        if owner_id != user.organisation_id:
            agreed[owner_id].update(purposes or [])
    if not agreed:
        return {}
    consents = ConsentRecord.objects.filter(
        organisations__id=user.organisation_id,
        withdrawn_on__isnull=True,
        person__organisation_id__in=list(agreed),
    ).exclude(person__status=PersonStatus.ANONYMISED)
    if person_ids is not None:
        consents = consents.filter(person_id__in=person_ids)
    shared: dict[uuid.UUID, set[str]] = defaultdict(set)
    for person_id, owner_id, purposes in consents.values_list(
        "person_id", "person__organisation_id", "purposes"
    ):
        both = agreed[owner_id].intersection(purposes or [])
        if both:
            shared[person_id].update(both)
    return {pid: frozenset(p) for pid, p in shared.items()}


def person_access_for(*, user: Any, person: Person) -> PersonAccess | None:
    """How `user` may see `person`, or None. No audit: callers that show data audit."""
    own = _own_scope(user)
    if own is not None and Person.objects.filter(own, pk=person.pk).exists():
        return PersonAccess(person=person, own=True, sections=SECTIONS)
    purposes = _partner_purposes(user, person_ids=[person.pk]).get(person.pk)
    if purposes:
        sections = frozenset().union(*(PURPOSE_SECTIONS.get(p, frozenset()) for p in purposes))
        return PersonAccess(person=person, own=False, sections=sections, purposes=purposes)
    return None


def person_get(*, user: Any, person_id: uuid.UUID | str, verb: str = "read") -> PersonAccess:
    """One person's record for `user`, audited as `casework.person.<verb>`. NotFound when it
    does not exist or the user may not see it: the two are indistinguishable on purpose."""
    try:
        person = Person.objects.select_related("coordinator", "team", "organisation").get(
            pk=person_id
        )
    except (Person.DoesNotExist, ValueError, TypeError, DjangoValidationError) as error:
        raise NotFound("No such person.") from error
    access = person_access_for(user=user, person=person)
    if access is None:
        raise NotFound("No such person.")
    audit_record(
        actor=user,
        verb=f"casework.person.{verb}",
        target=person,
        personal_data=True,
        payload={"shared": not access.own, "purposes": sorted(access.purposes)},
    )
    return access


def person_list(*, user: Any, query: str = "", include_closed: bool = False) -> QuerySet[Person]:
    """People this user may see, for lists and search (own organisation and shared)."""
    if not _may_read_people(user):
        raise PermissionDenied("You cannot see people's records.")
    scope = _own_scope(user) or Q(pk__in=[])
    shared = list(_partner_purposes(user))
    if shared:
        scope |= Q(pk__in=shared)
    people = Person.objects.filter(scope).select_related("coordinator")
    if not include_closed:
        people = people.filter(status=PersonStatus.ACTIVE)
    else:
        people = people.exclude(status=PersonStatus.ANONYMISED)
    query = query.strip()
    if query:
        words = query.split()
        for word in words[:4]:
            people = people.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(preferred_name__icontains=word)
                | Q(reference__iexact=word)
                | Q(postcode_key__startswith=word.replace(" ", "").lower())
            )
    return people


def person_list_audited(*, user: Any, query: str = "", include_closed: bool = False) -> list:
    people = list(person_list(user=user, query=query, include_closed=include_closed)[:200])
    audit_record(
        actor=user,
        verb="casework.person.list",
        target_type=PERSON_RECORD_TYPE,
        personal_data=True,
        payload={"count": len(people), "searched": bool(query)},
    )
    return people


def person_duplicates(
    *,
    user: Any,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date | None,
    postcode: str,
) -> list[Person]:
    """Possible duplicates in the user's organisation: same surname and either the same date
    of birth or the same postcode (or same first name and date of birth, for a changed
    surname)."""
    if user.organisation_id is None:
        return []
    last_key = last_name.strip().lower()
    postcode_key = postcode.replace(" ", "").lower()
    match = Q(pk__in=[])
    if date_of_birth:
        match |= Q(last_name_key=last_key, date_of_birth=date_of_birth)
        match |= Q(first_name__iexact=first_name.strip(), date_of_birth=date_of_birth)
    if postcode_key:
        match |= Q(postcode_key=postcode_key, last_name_key=last_key)
    return list(
        Person.objects.filter(match, organisation_id=user.organisation_id)
        .exclude(status=PersonStatus.ANONYMISED)
        .order_by("last_name")[:10]
    )


def person_open_introduction(*, person: Person) -> Introduction | None:
    return (
        Introduction.objects.filter(person=person, status=IntroductionStatus.OPEN)
        .order_by("-introduced_on")
        .first()
    )


@dataclass
class PersonRecord:
    """Everything on a person's page, limited to the sections the user may see."""

    access: PersonAccess
    introductions: list[Introduction] = field(default_factory=list)
    current: Introduction | None = None
    contacts: list[Contact] = field(default_factory=list)
    goals: list = field(default_factory=list)
    strengths: list = field(default_factory=list)
    network: list = field(default_factory=list)
    connections: list[Connection] = field(default_factory=list)
    reviews: list = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    service_use: list[ServiceUseEvent] = field(default_factory=list)
    avoided: list = field(default_factory=list)
    unmet_needs: list = field(default_factory=list)
    consents: list[ConsentRecord] = field(default_factory=list)
    service_use_summary: list[dict[str, Any]] = field(default_factory=list)
    wellbeing_summary: list[dict[str, Any]] = field(default_factory=list)


def person_record(*, user: Any, person_id: uuid.UUID | str) -> PersonRecord:
    """The person's page: one audited read, then each section the user may see."""
    access = person_get(user=user, person_id=person_id)
    person = access.person
    record = PersonRecord(access=access)
    if access.sees("journey") or access.sees("details"):
        record.introductions = list(
            person.introductions.select_related("coordinator").order_by("-introduced_on")
        )
        record.current = next(
            (i for i in record.introductions if i.status == IntroductionStatus.OPEN), None
        )
    if access.sees("journey"):
        record.contacts = list(person.contacts.select_related("coordinator")[:50])
        record.goals = list(person.goals.all())
        record.strengths = list(person.strengths.all())
        record.network = list(person.network.all())
        record.connections = list(person.connections.prefetch_related("events"))
        record.reviews = list(person.reviews.all())
        record.unmet_needs = list(person.unmet_needs.all())
    if access.sees("outcomes"):
        record.assessments = list(
            person.assessments.select_related("instrument_version__instrument")
        )
        record.service_use = list(person.service_use.select_related("service_type")[:100])
        record.avoided = list(person.avoided_demand.select_related("service_type"))
        anchor = record.current or (record.introductions[0] if record.introductions else None)
        if anchor:
            record.service_use_summary = service_use_before_after(
                person=person, introduced_on=anchor.introduced_on
            )
        record.wellbeing_summary = wellbeing_change(assessments=record.assessments)
    if access.sees("consent"):
        record.consents = list(person.consents.prefetch_related("organisations"))
    return record


def service_use_before_after(
    *, person: Person, introduced_on: datetime.date, months: int = 12
) -> list[dict[str, Any]]:
    """Service use in the 12 months before introduction beside the time since (up to 12
    months), by service type, with the months observed after so rates can be compared."""
    start = introduced_on - datetime.timedelta(days=365 * months // 12)
    end = min(introduced_on + datetime.timedelta(days=365 * months // 12), timezone.localdate())
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    rows = ServiceUseEvent.objects.filter(
        person=person, occurred_on__gte=start, occurred_on__lte=end
    ).values_list("service_type__code", "occurred_on", "quantity")
    for service_type, occurred_on, quantity in rows:
        (before if occurred_on < introduced_on else after)[service_type] += quantity
    months_after = max(0, (end - introduced_on).days) / 30.44
    summary = []
    for code in sorted(set(before) | set(after)):
        summary.append(
            {
                "service_type": code,
                "label": service_type_catalogue().get(code, code),
                "before": before[code],
                "after": after[code],
                "months_after": round(months_after, 1),
            }
        )
    return summary


def wellbeing_change(*, assessments: list[Assessment]) -> list[dict[str, Any]]:
    """First and latest answer to each question of each instrument."""
    by_instrument: dict[str, list[Assessment]] = defaultdict(list)
    for assessment in assessments:
        by_instrument[assessment.instrument_version.instrument.code].append(assessment)
    rows = []
    for items in by_instrument.values():
        items.sort(key=lambda a: (a.recorded_on, a.created_at))
        first, last = items[0], items[-1]
        for question in last.instrument_version.questions:
            code = question["code"]
            start, latest = first.answers.get(code), last.answers.get(code)
            rows.append(
                {
                    "instrument": last.instrument_version.instrument.name,
                    "question": question["text"],
                    "code": code,
                    "first": start,
                    "latest": latest,
                    "change": (latest - start)
                    if len(items) > 1 and start is not None and latest is not None
                    else None,
                    "higher_is_better": question.get("higher_is_better", True),
                }
            )
    return rows


def service_type_catalogue() -> dict[str, str]:
    """{code: label} of the evidence app's catalogue of crisis and statutory services."""
    return dict(ServiceType.objects.order_by("label").values_list("code", "label"))


def instrument_version_current(*, code: str) -> InstrumentVersion:
    version = (
        InstrumentVersion.objects.select_related("instrument")
        .filter(instrument__code=code, is_current=True)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise NotFound(f"No current version of instrument {code!r}.")
    return version


def instrument_list() -> QuerySet[Instrument]:
    return Instrument.objects.all().order_by("name")


# ------------------------------------------------------------------------ coordinator home


@dataclass
class CoordinatorHome:
    caseload: list[Introduction]
    caseload_count: int
    follow_ups_due: list[Connection]
    reviews_due: list[Introduction]
    recent_contacts: list[Contact]


def coordinator_home(
    *, user: Any, today: datetime.date | None = None, limit: int = 30
) -> CoordinatorHome:
    """A coordinator's own people, what is due in the next week or two, and recent contacts.
    A fixed number of small indexed queries, whatever the size of the caseload."""
    if not _may_read_people(user):
        raise PermissionDenied("You cannot see people's records.")
    today = today or timezone.localdate()
    person_fields = (
        "person__id",
        "person__reference",
        "person__first_name",
        "person__last_name",
        "person__preferred_name",
        "person__status",
    )
    open_intros = Introduction.objects.filter(coordinator=user, status=IntroductionStatus.OPEN)
    caseload = list(
        open_intros.select_related("person")
        .only("id", "person_id", "introduced_on", "first_conversation_on", *person_fields)
        .order_by("-introduced_on")[:limit]
    )
    reviews_due = list(
        open_intros.filter(next_review_on__lte=today + datetime.timedelta(days=14))
        .select_related("person")
        .only("id", "person_id", "next_review_on", *person_fields)
        .order_by("next_review_on")[:limit]
    )
    follow_ups = list(
        # Through the open introductions (an indexed few hundred), not a scan of every
        # connection with a follow-up date.
        Connection.objects.filter(
            introduction__in=open_intros.values("id"),
            status__in=OPEN_CONNECTION_STATUSES,
            follow_up_on__lte=today + datetime.timedelta(days=7),
        )
        .select_related("person")
        .only("id", "person_id", "target_name", "follow_up_on", *person_fields)
        .order_by("follow_up_on")[:limit]
    )
    recent = list(
        Contact.objects.filter(coordinator=user)
        .select_related("person")
        .only("id", "person_id", "happened_on", "kind", "duration_minutes", *person_fields)
        .order_by("-happened_on", "-created_at")[:10]
    )
    home = CoordinatorHome(
        caseload=caseload,
        caseload_count=open_intros.count(),
        follow_ups_due=follow_ups,
        reviews_due=reviews_due,
        recent_contacts=recent,
    )
    audit_record(
        actor=user,
        verb="casework.home.read",
        target_type=PERSON_RECORD_TYPE,
        personal_data=True,
        payload={"caseload": home.caseload_count},
    )
    return home


# ------------------------------------------------------------------------ manager dashboard

DASHBOARD_ROLES = frozenset({Role.MANAGER, Role.ADMIN, Role.ANALYST})


@dataclass
class Dashboard:
    level: str
    area_code: str
    area_name: str
    since: datetime.date
    people_in_scope: int | None
    caseload_by_coordinator: list[tuple[str, int]]
    caseload_by_patch: list[tuple[str, int]]
    introductions_by_source: list[tuple[str, int]]
    introductions_by_area: list[tuple[str, str, int]]
    days_to_first_conversation_median: float | None
    days_to_first_conversation_count: int
    connections_by_status: list[tuple[str, int]]
    connections_stuck_percent: float | None
    levels: list[tuple[str, str]] = field(default_factory=list)


def _places_models() -> Any:
    try:
        from placebase.places import models as places_models
    except ImportError:  # pragma: no cover - the places app is part of the product
        return None
    return places_models if hasattr(places_models, "AreaMembership") else None


def dashboard_levels() -> list[tuple[str, str]]:
    places = _places_models()
    if places is None:
        return [("patch", "Coordinator's patch")]
    return list(places.Level.choices)


def area_ids_for_level(*, level: str) -> list:
    places = _places_models()
    if places is None:
        return []
    return list(
        places.BoundarySet.objects.filter(level=level, is_active=True).values_list("id", flat=True)
    )


def _histogram_median(histogram: list[tuple[Any, int]]) -> float | None:
    """The median of values given as sorted (value, count) pairs."""
    total = sum(n for _, n in histogram)
    if not total:
        return None
    expanded_at = [(total - 1) // 2, total // 2]  # the middle one or two positions
    found: list[int] = []
    seen = 0
    for value, n in histogram:
        while len(found) < 2 and seen <= expanded_at[len(found)] < seen + n:
            found.append(value)
        seen += n
    return sum(found) / 2


# Area combinations (places) never change once committed, so each process keeps those it
# has read: every request checks only ids and keys (a rolled-back id can be reused for
# other areas, so the id alone is not enough) and reads the areas of new ones.
_COMBINATION_AREAS: dict[int, tuple[str, frozenset[str]]] = {}


def _plain_rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """A values_list queryset's rows straight from the database cursor, without Django's
    per-value converters: for thousands of (integer, count) rows on a hot page."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # e.g. an area no one lives in: `IN ()`
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _combination_areas(places: Any) -> dict[int, frozenset[str]]:
    """Every places area combination: id -> the ids (as strings) of its areas."""
    keys = dict(_plain_rows(places.AreaCombination.objects.values_list("id", "key")))
    stale = [pk for pk, key in keys.items() if _COMBINATION_AREAS.get(pk, ("",))[0] != key]
    for start in range(0, len(stale), 900):
        for pk, key, area_ids in places.AreaCombination.objects.filter(
            id__in=stale[start : start + 900]
        ).values_list("id", "key", "area_ids"):
            _COMBINATION_AREAS[pk] = (key, frozenset(area_ids or ()))
    return {pk: _COMBINATION_AREAS[pk][1] for pk in keys if pk in _COMBINATION_AREAS}


def _in_list_fits(values: list[Any]) -> bool:
    from django.db import connection

    limit = connection.features.max_query_params
    return limit is None or len(values) < limit - 50


def manager_dashboard(
    *,
    user: Any,
    level: str = "patch",
    area_code: str = "",
    since: datetime.date | None = None,
) -> Dashboard:
    """Caseloads, introductions, time to first conversation and connections that stuck, for
    the user's organisation, optionally within one area at any level.

    Areas come from the places engine's combination rollup: each person's located address
    has one combination of areas (every level at once), copied to their introductions and
    connections. An area is the short list of combinations that contain it, so scoping is
    an indexed `IN`, and counting by area is one GROUP BY by combination fanned out to areas
    here. Four grouped queries in all, on covering indexes, whatever the area."""
    if not can(user, Action.VIEW_AGGREGATES) or user.role not in DASHBOARD_ROLES:
        raise PermissionDenied("The case-work dashboard is for managers.")
    since = since or (timezone.localdate() - datetime.timedelta(days=365))
    org_id = user.organisation_id
    intros = Introduction.objects.filter(organisation_id=org_id)
    connections = Connection.objects.filter(organisation_id=org_id, suggested_on__gte=since)
    people_in_scope: int | None = None
    area_name = ""
    places = _places_models()
    level_sets = area_ids_for_level(level=level)
    combinations: dict[int, frozenset[str]] = _combination_areas(places) if places else {}
    if area_code:
        if places is None:
            intros = intros.filter(patch_code=area_code)
            connections = connections.filter(person__patch_code=area_code)
            people = Person.objects.filter(organisation_id=org_id, patch_code=area_code)
            area_name = area_code
        else:
            area = (
                places.Area.objects.filter(code=area_code, boundary_set_id__in=level_sets)
                .order_by("-boundary_set__vintage")
                .first()
            )
            if area is None:
                raise NotFound("No such area at that level.")
            area_name = area.name
            wanted = str(area.id)
            ids = sorted(pk for pk, areas in combinations.items() if wanted in areas)
            people = Person.objects.filter(organisation_id=org_id)
            if _in_list_fits(ids):
                intros = intros.filter(area_combination_id__in=ids)
                connections = connections.filter(area_combination_id__in=ids)
                people = people.filter(area_combination_id__in=ids)
            else:  # more combinations than one query may name: through the memberships
                members = places.AreaMembership.objects.filter(
                    area=area, record_type=PERSON_RECORD_TYPE
                ).values("record_id")
                intros = intros.filter(person_id__in=members)
                connections = connections.filter(person_id__in=members)
                people = people.filter(pk__in=members)
        people_in_scope = people.count()

    names = dict(User.objects.filter(organisation_id=org_id).values_list("id", "username"))
    by_coordinator: Counter[str] = Counter()
    by_patch: Counter[str] = Counter()
    for coordinator_id, patch_code, n in (
        intros.filter(status=IntroductionStatus.OPEN)
        .values_list("coordinator_id", "patch_code")
        .annotate(n=Count("*"))
        .order_by()
    ):
        by_coordinator[names.get(coordinator_id, "Not assigned")] += n
        by_patch[patch_code or "Not in a patch"] += n

    recent = intros.filter(introduced_on__gte=since)
    by_source: Counter[str] = Counter()
    days: Counter[int] = Counter()
    for source, days_to_first, n in (
        recent.values_list("source", "days_to_first_conversation").annotate(n=Count("*")).order_by()
    ):
        by_source[source] += n
        if days_to_first is not None:
            days[days_to_first] += n

    by_area: list[tuple[str, str, int]] = []
    if places is not None and level_sets:
        level_areas = {
            str(pk): (code, name)
            for pk, code, name in places.Area.objects.filter(
                boundary_set_id__in=level_sets
            ).values_list("id", "code", "name")
        }
        # Recent introductions by the areas the person lives in.
        area_counts: Counter[str] = Counter()
        for combination_id, n in _plain_rows(
            recent.values_list("area_combination_id").annotate(n=Count("*")).order_by()
        ):  # (people not located have no combination, so no area)
            for area_id in combinations.get(combination_id, ()):
                if area_id in level_areas:
                    area_counts[area_id] += n
        by_area = sorted(
            ((*level_areas[a], n) for a, n in area_counts.items()), key=lambda r: (-r[2], r[0])
        )[:100]

    by_status = dict(
        connections.values_list("status").annotate(n=Count("*")).values_list("status", "n")
    )
    resolved = by_status.get(ConnectionStatus.SUSTAINED, 0) + by_status.get(
        ConnectionStatus.DID_NOT_STICK, 0
    )
    stuck = (
        round(100 * by_status.get(ConnectionStatus.SUSTAINED, 0) / resolved, 1)
        if resolved
        else None
    )

    def ranked(counter: Counter[str]) -> list[tuple[str, int]]:
        return sorted(counter.items(), key=lambda item: (-item[1], item[0]))

    dashboard = Dashboard(
        level=level,
        area_code=area_code,
        area_name=area_name,
        since=since,
        people_in_scope=people_in_scope,
        caseload_by_coordinator=ranked(by_coordinator),
        caseload_by_patch=ranked(by_patch),
        introductions_by_source=ranked(by_source),
        introductions_by_area=by_area,
        days_to_first_conversation_median=_histogram_median(sorted(days.items())),
        days_to_first_conversation_count=sum(days.values()),
        connections_by_status=[(s, by_status.get(s, 0)) for s in ConnectionStatus.values],
        connections_stuck_percent=stuck,
        levels=dashboard_levels(),
    )
    audit_record(
        actor=user,
        verb="casework.dashboard.read",
        target_type=PERSON_RECORD_TYPE,
        payload={"level": level, "area_code": area_code},
    )
    return dashboard


# ------------------------------------------------------------------------ subject access


def person_export(*, user: Any, person_id: uuid.UUID | str) -> dict[str, Any]:
    """Everything held about a person (subject access), as plain data. Own organisation only:
    a partner's subject access request goes to the controller that holds the record."""
    access = person_get(user=user, person_id=person_id, verb="exported")
    if not access.own:
        raise NotFound("No such person.")
    person = access.person
    catalogue = service_type_catalogue()

    def d(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime.date | datetime.datetime) else value

    def rows(queryset: Any, fields: list[str]) -> list[dict[str, Any]]:
        return [
            {f: d(v) for f, v in zip(fields, values, strict=True)}
            for values in queryset.values_list(*fields)
        ]

    person_fields = [
        "id",
        "reference",
        "first_name",
        "last_name",
        "preferred_name",
        "date_of_birth",
        "email",
        "phone",
        "address_line_1",
        "address_line_2",
        "town",
        "postcode",
        "household",
        "preferred_contact",
        "preferred_language",
        "needs_interpreter",
        "accessibility_needs",
        "health_conditions",
        "disability",
        "ethnicity",
        "patch_code",
        "patch_name",
        "status",
        "created_at",
        "updated_at",
        "closed_at",
        "legal_hold",
    ]
    details = {f: d(getattr(person, f)) for f in person_fields}
    details["id"] = str(person.id)
    details["organisation"] = person.organisation.name
    details["coordinator"] = person.coordinator.display_name if person.coordinator else None
    consents = []
    for consent in person.consents.prefetch_related("organisations"):
        consents.append(
            {
                "lawful_basis": consent.get_lawful_basis_display(),
                "special_category_condition": consent.special_category_condition,
                "given_on": d(consent.given_on),
                "method": consent.get_method_display(),
                "information_given": consent.information_given,
                "organisations": [o.name for o in consent.organisations.all()],
                "purposes": consent.purposes,
                "withdrawn_on": d(consent.withdrawn_on),
                "withdrawal_note": consent.withdrawal_note,
            }
        )
    service_use = rows(
        person.service_use.order_by("occurred_on"),
        ["occurred_on", "service_type__code", "quantity", "source", "note"],
    )
    for row in service_use:
        row["service_type"] = row.pop("service_type__code")
        row["service_type_label"] = catalogue.get(row["service_type"], row["service_type"])
    assessments = [
        {
            "instrument": a.instrument_version.instrument.name,
            "version": a.instrument_version.number,
            "occasion": a.occasion,
            "recorded_on": d(a.recorded_on),
            "answers": a.answers,
        }
        for a in person.assessments.select_related("instrument_version__instrument")
    ]
    connections = []
    for connection in person.connections.prefetch_related("events"):
        connections.append(
            {
                "target_kind": connection.target_kind,
                "target_name": connection.target_name,
                "status": connection.status,
                "suggested_on": d(connection.suggested_on),
                "follow_up_on": d(connection.follow_up_on),
                "did_not_stick_reason": connection.did_not_stick_reason,
                "history": [
                    {"on": d(e.on), "from": e.from_status, "to": e.to_status, "note": e.note}
                    for e in connection.events.all()
                ],
            }
        )
    from placebase.core.models import AuditEvent

    access_log = rows(
        AuditEvent.objects.filter(
            target_type=PERSON_RECORD_TYPE, target_id=str(person.id)
        ).order_by("at"),
        ["at", "actor_label", "verb"],
    )
    return {
        "format": "placebase.subject_access.v1",
        "generated_at": timezone.now().isoformat(),
        "special_category_fields": ["health_conditions", "disability", "ethnicity"],
        "person": details,
        "consents": consents,
        "introductions": rows(
            person.introductions.order_by("introduced_on"),
            [
                "introduced_on",
                "source",
                "source_detail",
                "reason",
                "status",
                "closed_on",
                "closure_reason",
                "closure_note",
                "first_conversation_on",
                "next_review_on",
                "vision",
                "can_do_myself",
                "family_community_can_do",
                "services_role",
                "is_reintroduction",
            ],
        ),
        "contacts": rows(
            person.contacts.order_by("happened_on"),
            ["happened_on", "kind", "duration_minutes", "notes"],
        ),
        "goals": rows(
            person.goals.order_by("created_at"),
            ["description", "status", "progress", "target_on"],
        ),
        "strengths": rows(
            person.strengths.order_by("created_at"), ["kind", "description", "offer_to_community"]
        ),
        "support_network": rows(
            person.network.order_by("name"), ["name", "kind", "relationship", "strength"]
        ),
        "connections": connections,
        "reviews": rows(
            person.reviews.order_by("reviewed_on"), ["reviewed_on", "summary", "next_review_on"]
        ),
        "wellbeing": assessments,
        "service_use": service_use,
        "services_avoided_or_delayed": rows(
            person.avoided_demand.order_by("recorded_on"),
            ["recorded_on", "service_type__code", "what", "why", "evidence", "confidence"],
        ),
        "unmet_needs": rows(
            person.unmet_needs.order_by("recorded_on"), ["recorded_on", "description", "area_code"]
        ),
        "access_log": access_log,
    }


def connection_get(*, user: Any, person_id: uuid.UUID | str, connection_id: Any) -> Connection:
    access = person_get(user=user, person_id=person_id)
    connection = (
        access.person.connections.filter(pk=connection_id).first()
        if access.sees("journey")
        else None
    )
    if connection is None:
        raise NotFound("No such connection.")
    return connection


def consent_organisation_choices(*, person: Person) -> list[tuple[str, str]]:
    """The other organisations a person's consent may name (id, name), by name."""
    from placebase.accounts.models import Organisation

    return [
        (str(pk), name)
        for pk, name in Organisation.objects.exclude(pk=person.organisation_id)
        .order_by("name")
        .values_list("id", "name")
    ]


def patch_assignment_list(*, user: Any) -> QuerySet[PatchAssignment]:
    return PatchAssignment.objects.filter(user=user, is_active=True)


PATCH_MANAGER_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def patch_assignments_for_organisation(*, user: Any) -> list[PatchAssignment]:
    """Every patch assignment of the manager's organisation, current ones first."""
    if user.role not in PATCH_MANAGER_ROLES or user.organisation_id is None:
        raise PermissionDenied("Only a manager can manage patches.")
    return list(
        PatchAssignment.objects.filter(user__organisation_id=user.organisation_id)
        .select_related("user", "area")
        .order_by("-is_active", "area__name", "user__username")
    )


def patch_area_choices() -> list[tuple[str, str]]:
    """Patches (places areas of level "patch" in active boundary sets), for a picker."""
    from placebase.places.models import Area, Level

    return [
        (str(pk), f"{name} ({code})")
        for pk, name, code in Area.objects.filter(
            boundary_set__level=Level.PATCH, boundary_set__is_active=True
        )
        .order_by("name", "code")
        .values_list("id", "name", "code")
    ]


def coordinators_for_organisation(*, organisation_id: Any) -> QuerySet[User]:
    return User.objects.filter(
        organisation_id=organisation_id, role=Role.COORDINATOR, is_active=True
    ).order_by("first_name", "last_name")


def reminders_due(*, today: datetime.date | None = None) -> dict[Any, dict[str, int]]:
    """Per coordinator: follow-ups and reviews due today or overdue (counts only)."""
    today = today or timezone.localdate()
    due: dict[Any, dict[str, int]] = defaultdict(lambda: {"follow_ups": 0, "reviews": 0})
    for coordinator_id, n in (
        Connection.objects.filter(status__in=OPEN_CONNECTION_STATUSES, follow_up_on__lte=today)
        .exclude(person__coordinator__isnull=True)
        .values_list("person__coordinator_id")
        .annotate(n=Count("id"))
    ):
        due[coordinator_id]["follow_ups"] = n
    for coordinator_id, n in (
        Introduction.objects.filter(status=IntroductionStatus.OPEN, next_review_on__lte=today)
        .exclude(coordinator__isnull=True)
        .values_list("coordinator_id")
        .annotate(n=Count("id"))
    ):
        due[coordinator_id]["reviews"] = n
    return dict(due)


# ------------------------------------------------------------------------ ecomap


@dataclass(frozen=True)
class EcomapNode:
    label: str
    kind: str
    detail: str
    strength: int  # 1 (weak or stressful) to 5 (strong)
    x: float
    y: float
    label_y: float
    stroke_width: int
    dashed: bool
    colour: str


_ECOMAP_COLOURS = {
    "family": "#1d70b8",
    "friend": "#00703c",
    "neighbour": "#5694ca",
    "group": "#f47738",
    "service": "#4c2c92",
    "other": "#505a5f",
    "connection": "#d4351c",
}
_CONNECTION_STRENGTH: dict[str, int] = {
    ConnectionStatus.SUGGESTED: 2,
    ConnectionStatus.INTRODUCED: 3,
    ConnectionStatus.ATTENDED: 4,
    ConnectionStatus.SUSTAINED: 5,
    ConnectionStatus.DID_NOT_STICK: 1,
}
ECOMAP_SIZE = 640


def ecomap_nodes(*, network: list, connections: list[Connection]) -> list[EcomapNode]:
    """The support network and connections placed evenly round the person, for an SVG
    picture (line thickness = strength; dashed = weak or stressful) and a table beside it."""
    import math

    items: list[tuple[str, str, str, int]] = [
        (m.name, m.kind, m.relationship or m.get_kind_display(), m.strength) for m in network
    ]
    items += [
        (c.target_name, "connection", c.get_status_display(), _CONNECTION_STRENGTH[c.status])
        for c in connections
    ]
    centre, radius = ECOMAP_SIZE / 2, ECOMAP_SIZE / 2 - 90
    nodes = []
    for i, (label, kind, detail, strength) in enumerate(items[:24]):
        angle = 2 * math.pi * i / max(1, min(len(items), 24)) - math.pi / 2
        x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        nodes.append(
            EcomapNode(
                label=label[:28],
                kind=kind,
                detail=detail,
                strength=strength,
                x=round(x, 1),
                y=round(y, 1),
                label_y=round(y + 44, 1),
                stroke_width=max(1, strength) * 2 - 1,
                dashed=strength <= 1,
                colour=_ECOMAP_COLOURS.get(kind, "#505a5f"),
            )
        )
    return nodes


def unmet_need_themes() -> list[tuple[str, str]]:
    """The directory's categories (id, name indented by depth), for an unmet need's theme."""
    from placebase.assets.selectors import taxonomy_term_tree

    return [(str(term.id), f"{'– ' * depth}{term.name}") for term, depth in taxonomy_term_tree()]


def asset_choices(*, limit: int = 1000) -> list[tuple[str, str]]:
    """Active directory listings a person can be connected to (public information)."""
    from placebase.assets.models import Asset, AssetStatus

    return [
        (str(pk), name)
        for pk, name in Asset.objects.filter(status=AssetStatus.ACTIVE)
        .order_by("name")
        .values_list("id", "name")[:limit]
    ]
