"""Writes for engagement: activities, participants, participation, contributions, ideas that
became projects, councillors' wards, and the demo loader.

Every write checks its input before touching the database, raises an error with a stable code
(`errors.py`), and records an audit entry. Derived columns (a participation's contribution
count, a participant's first activity and home LSOA) are kept here, never in `save()`.
"""

from __future__ import annotations

import datetime
import random
import uuid
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from placebase.accounts.permissions import Action, can
from placebase.accounts.roles import Role
from placebase.core.audit import audit_record
from placebase.core.errors import NotFound, PermissionDenied, ValidationFailed

from . import summary
from .errors import (
    ActivityInvalid,
    AlreadyTookPart,
    ContributionInvalid,
    ParticipantInvalid,
    ProjectLinkInvalid,
    WardInvalid,
)
from .metrics import AGE_BANDS, quintile_from_decile
from .models import (
    ACTIVITY_RECORD_TYPE,
    PARTICIPANT_RECORD_TYPE,
    Activity,
    ActivityKind,
    AgeBand,
    Contribution,
    ContributionKind,
    CouncillorWard,
    Participant,
    Participation,
)

MAX_TITLE = 300


def _require(actor: Any, action: Action) -> None:
    # Services are the last line of defence: a view that forgot its check still cannot write.
    if actor is not None and not can(actor, action):
        raise PermissionDenied("You cannot do that.")


def _area(area_id: uuid.UUID | str) -> Any:
    from placebase.places.selectors import area_get_by_id

    try:
        return area_get_by_id(area_id=area_id)
    except (NotFound, ValueError, ValidationFailed, DjangoValidationError) as error:
        raise ActivityInvalid("Choose an area that exists.", field="area") from error


def _locate_postcode(postcode: str) -> tuple[str, float, float]:
    """Normalised postcode and its point; raises the places postcode errors (ValidationFailed)."""
    from placebase.places.selectors import postcode_lookup

    found = postcode_lookup(postcode)
    return found.postcode, found.lat, found.lon


# ---------------------------------------------------------------------------- activities


@transaction.atomic
def activity_create(
    *,
    actor: Any,
    kind: str,
    title: str,
    held_on: datetime.date,
    area_id: uuid.UUID | str,
    theme: str = "",
    venue_postcode: str = "",
    notes: str = "",
    organiser: Any = None,
) -> Activity:
    _require(actor, Action.MANAGE_ENGAGEMENT)
    title = (title or "").strip()
    if kind not in ActivityKind.values:
        raise ActivityInvalid("Choose what kind of activity it was.", field="kind")
    if not title:
        raise ActivityInvalid("Enter a title for the activity.", field="title")
    if len(title) > MAX_TITLE:
        raise ActivityInvalid("The title must be 300 characters or fewer.", field="title")
    if not isinstance(held_on, datetime.date):
        raise ActivityInvalid("Enter the date the activity was held.", field="held_on")
    area = _area(area_id)
    point: tuple[float, float] | None = None
    if venue_postcode.strip():
        try:
            venue_postcode, lat, lon = _locate_postcode(venue_postcode)
        except ValidationFailed as error:
            raise ActivityInvalid(error.message, field="venue_postcode") from error
        point = (lat, lon)
    else:
        # No venue: the activity served its area, so it is placed at the area's centre.
        point = (area.centroid_lat, area.centroid_lon)
    organiser = organiser or (actor if getattr(actor, "is_authenticated", False) else None)
    activity = Activity.objects.create(
        kind=kind,
        title=title,
        theme=(theme or "").strip()[:200],
        held_on=held_on,
        organiser=organiser,
        organisation_id=getattr(organiser, "organisation_id", None),
        area_id=area.id,
        area_code=area.code,
        area_name=area.name,
        venue_postcode=venue_postcode.strip(),
        notes=notes or "",
    )
    from placebase.places.services import located_point_assign

    located_point_assign(
        record_type=ACTIVITY_RECORD_TYPE, record_id=activity.id, lat=point[0], lon=point[1]
    )
    summary.activity_located(activity=activity)
    audit_record(
        actor=actor,
        verb="engagement.activity.created",
        target=activity,
        payload={"kind": kind, "area_code": area.code},
    )
    return activity


# ---------------------------------------------------------------------------- participants


def _home_codes(areas: list[Any]) -> tuple[str, str, int | None]:
    """Home LSOA (latest vintage), ward, and the LSOA's deprivation quintile."""
    from placebase.places.models import AreaAttribute

    lsoa = max(
        (a for a in areas if a.boundary_set.level == "lsoa"),
        key=lambda a: a.boundary_set.vintage,
        default=None,
    )
    ward = max(
        (a for a in areas if a.boundary_set.level == "ward"),
        key=lambda a: a.boundary_set.vintage,
        default=None,
    )
    quintile = None
    if lsoa is not None:
        decile = (
            AreaAttribute.objects.filter(area=lsoa, key="imd_decile")
            .values_list("value", flat=True)
            .first()
        )
        if decile is not None:
            quintile = quintile_from_decile(int(decile))
    return (lsoa.code if lsoa else ""), (ward.code if ward else ""), quintile


def age_band_for(*, date_of_birth: datetime.date, on: datetime.date) -> str:
    age = (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )
    for code, low in (("65_plus", 65), ("50_64", 50), ("35_49", 35), ("25_34", 25), ("16_24", 16)):
        if age >= low:
            return code
    return "0_15"


def _new_reference() -> str:
    return f"P-{uuid.uuid4().hex[:8].upper()}"


@transaction.atomic
def participant_register(
    *,
    actor: Any,
    age_band: str = "",
    home_postcode: str = "",
    person_id: uuid.UUID | str | None = None,
) -> Participant:
    """A participant: pseudonymous (age band and home postcode only, no name), or a known
    case-work person (their age band and postcode are taken from their record when not given).
    Registering a known person twice returns the existing participant."""
    _require(actor, Action.MANAGE_ENGAGEMENT)
    if person_id:
        existing = Participant.objects.filter(person_id=person_id).first()
        if existing is not None:
            return existing
        from placebase.casework.selectors import person_get

        try:
            person = person_get(user=actor, person_id=person_id, verb="engagement_link").person
        except NotFound as error:
            raise ParticipantInvalid("Choose a person you can see.", field="person") from error
        if not age_band and person.date_of_birth:
            age_band = age_band_for(date_of_birth=person.date_of_birth, on=datetime.date.today())
        home_postcode = home_postcode or person.postcode
        person_id = person.pk
    if age_band not in AgeBand.values:
        raise ParticipantInvalid("Choose the participant's age band.", field="age_band")
    lsoa_code = ward_code = ""
    quintile: int | None = None
    point: tuple[float, float] | None = None
    if home_postcode.strip():
        try:
            home_postcode, lat, lon = _locate_postcode(home_postcode)
        except ValidationFailed as error:
            raise ParticipantInvalid(error.message, field="home_postcode") from error
        point = (lat, lon)
    participant = Participant.objects.create(
        person_id=person_id or None,
        reference=_new_reference(),
        age_band=age_band,
        home_postcode=home_postcode.strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if point is not None:
        from placebase.places.services import located_point_assign

        areas = located_point_assign(
            record_type=PARTICIPANT_RECORD_TYPE,
            record_id=participant.locator,
            lat=point[0],
            lon=point[1],
        )
        lsoa_code, ward_code, quintile = _home_codes(areas)
        Participant.objects.filter(pk=participant.pk).update(
            home_lsoa_code=lsoa_code, home_ward_code=ward_code, deprivation_quintile=quintile
        )
        participant.refresh_from_db()
    audit_record(
        actor=actor,
        verb="engagement.participant.registered",
        target=participant,
        personal_data=True,
        payload={"known": bool(person_id), "located": bool(lsoa_code)},
    )
    return participant


@transaction.atomic
def participation_record(
    *, actor: Any, activity: Activity, participant: Participant
) -> Participation:
    _require(actor, Action.MANAGE_ENGAGEMENT)
    if Participation.objects.filter(activity=activity, participant=participant).exists():
        raise AlreadyTookPart("This participant is already recorded at this activity.")
    try:
        with transaction.atomic():
            participation = Participation.objects.create(
                activity=activity,
                participant=participant,
                held_on=activity.held_on,
                age_band=participant.age_band,
                deprivation_quintile=participant.deprivation_quintile,
            )
    except IntegrityError as error:  # someone recorded them a moment ago
        raise AlreadyTookPart("This participant is already recorded at this activity.") from error
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    touched = [activity.id]
    if locked.first_participated_on is None or activity.held_on < locked.first_participated_on:
        if locked.first_activity_id is not None:
            touched.append(locked.first_activity_id)  # its blocks lose the first-timer
        # This is now their first participation: move the flag the breadth query reads.
        Participation.objects.filter(participant=locked, is_first=True).update(is_first=False)
        Participation.objects.filter(pk=participation.pk).update(is_first=True)
        Participant.objects.filter(pk=locked.pk).update(
            first_activity_id=activity.id, first_participated_on=activity.held_on
        )
        participation.is_first = True
    summary.summary_refresh(activity_ids=touched)
    audit_record(
        actor=actor,
        verb="engagement.participation.recorded",
        target=participation,
        target_type="engagement.participation",
        personal_data=True,
        payload={"activity": str(activity.id)},
    )
    return participation


@transaction.atomic
def contribution_record(
    *, actor: Any, participation: Participation, kind: str, text: str = ""
) -> Contribution:
    _require(actor, Action.MANAGE_ENGAGEMENT)
    if kind not in ContributionKind.values:
        raise ContributionInvalid("Choose an idea, a comment or a vote.", field="kind")
    text = (text or "").strip()
    if kind in (ContributionKind.IDEA, ContributionKind.COMMENT) and not text:
        raise ContributionInvalid("Enter what the participant said.", field="text")
    if len(text) > 5000:
        raise ContributionInvalid("Keep it to 5,000 characters or fewer.", field="text")
    contribution = Contribution.objects.create(participation=participation, kind=kind, text=text)
    Participation.objects.filter(pk=participation.pk).update(contributions=F("contributions") + 1)
    summary.summary_refresh(activity_ids=[participation.activity_id])
    audit_record(
        actor=actor,
        verb="engagement.contribution.recorded",
        target=contribution,
        payload={"kind": kind},
    )
    return contribution


@transaction.atomic
def idea_project_link(
    *, actor: Any, contribution: Contribution, project_id: uuid.UUID | str
) -> Contribution:
    """An idea became a community project (assets app): keep the link both ways findable."""
    _require(actor, Action.MANAGE_ENGAGEMENT)
    if contribution.kind != ContributionKind.IDEA:
        raise ProjectLinkInvalid("Only an idea can become a project.")
    from placebase.assets.models import CommunityProject

    try:
        project = CommunityProject.objects.get(pk=project_id)
    except (CommunityProject.DoesNotExist, ValueError, DjangoValidationError) as error:
        raise ProjectLinkInvalid(
            "Choose a community project that exists.", field="project"
        ) from error
    Contribution.objects.filter(pk=contribution.pk).update(
        project_id=project.pk, project_name=project.name[:300]
    )
    contribution.refresh_from_db()
    audit_record(
        actor=actor,
        verb="engagement.idea.became_project",
        target=contribution,
        payload={"project": str(project.pk)},
    )
    return contribution


# ---------------------------------------------------------------------------- councillors


@transaction.atomic
def councillor_ward_assign(*, actor: Any, user: Any, area_id: uuid.UUID | str) -> CouncillorWard:
    _require(actor, Action.MANAGE_COUNCILLOR_WARDS)
    if user.role != Role.COUNCILLOR:
        raise WardInvalid("Only a councillor can represent a ward.", field="user")
    try:
        area = _area(area_id)
    except ActivityInvalid as error:
        raise WardInvalid("Choose a ward that exists.", field="area") from error
    if area.boundary_set.level != "ward":
        raise WardInvalid("Choose an electoral ward.", field="area")
    ward, created = CouncillorWard.objects.get_or_create(
        user=user, area_id=area.id, defaults={"area_code": area.code, "area_name": area.name}
    )
    if created:
        audit_record(
            actor=actor,
            verb="engagement.councillor_ward.assigned",
            target=ward,
            payload={"area_code": area.code},
        )
    return ward


@transaction.atomic
def councillor_ward_remove(*, actor: Any, ward: CouncillorWard) -> None:
    _require(actor, Action.MANAGE_COUNCILLOR_WARDS)
    audit_record(
        actor=actor,
        verb="engagement.councillor_ward.removed",
        target=ward,
        payload={"area_code": ward.area_code},
    )
    ward.delete()


# ---------------------------------------------------------------------------- demo

DEMO_WARD_NAMES = [
    "St Helier East",
    "Wallington South",
    "Sutton Central",
    "Beddington",
    "Carshalton Central",
    "The Wrythe",
    "Belmont",
]
COUNCILLOR_WARDS = 3
DEMO_THEMES = [
    "Green spaces",
    "Young people",
    "Loneliness",
    "Food",
    "Safer streets",
    "Older people",
    "Local shops",
]
# Age mix of the demo's participants: deliberately older than the population, as is common.
AGE_WEIGHTS = [2, 6, 10, 20, 28, 34]


def _demo_wards() -> list[Any]:
    from placebase.places.models import Area

    wards = list(
        Area.objects.filter(
            boundary_set__level="ward", boundary_set__is_active=True, code__startswith="E05"
        )
        .order_by("-boundary_set__vintage", "name")
        .defer("geometry", "geometry_wkb")
    )
    by_name = {w.name: w for w in wards}
    chosen = [by_name[n] for n in DEMO_WARD_NAMES if n in by_name]
    return chosen or wards[: len(DEMO_WARD_NAMES)]


def _located_codes(postcodes: list[str]) -> dict[str, tuple[float, float, list[Any]]]:
    """Point and areas for each distinct postcode, looked up once."""
    from placebase.places.selectors import areas_at_point

    out: dict[str, tuple[float, float, list[Any]]] = {}
    for postcode in set(postcodes):
        _normal, lat, lon = _locate_postcode(postcode)
        out[postcode] = (lat, lon, areas_at_point(lat=lat, lon=lon))
    return out


@transaction.atomic
def demo_engagement_load(*, seed: int) -> dict[str, int]:
    """Fictional engagement in Sutton's wards (idempotent): visioning exercises, meetings and
    door-knocking with known and pseudonymous participants, contributions, ideas that became
    community projects, and the demo `councillor` linked to three wards. Needs the demo place
    (places) loaded first; without wards it loads nothing.

    Participants, participations and contributions are written in bulk (one audit entry for
    the load), with the same derived columns the one-at-a-time services keep.
    """
    from faker import Faker

    from placebase.accounts.models import User
    from placebase.places.models import AreaMembership, LocatedPoint, Postcode
    from placebase.places.services import located_point_combinations_fill

    wards = _demo_wards()
    if not wards:
        return _demo_counts()
    councillor = User.objects.filter(username="councillor", role=Role.COUNCILLOR).first()
    if councillor is not None:
        for ward in wards[:COUNCILLOR_WARDS]:
            CouncillorWard.objects.get_or_create(
                user=councillor,
                area_id=ward.id,
                defaults={"area_code": ward.code, "area_name": ward.name},
            )
    if Activity.objects.filter(notes__startswith="[demo]").exists():
        return _demo_counts()

    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    postcodes_by_ward: dict[str, list[str]] = {}
    for postcode, ward_code in (
        Postcode.objects.filter(
            terminated="", lat__isnull=False, ward_code__in=[w.code for w in wards]
        )
        .values_list("postcode", "ward_code")
        .order_by("postcode")
    ):
        postcodes_by_ward.setdefault(ward_code, []).append(postcode)
    organiser = User.objects.filter(username="connector").first()

    # A pool of residents per ward, each from a postcode in (or, failing that, near) the ward.
    chosen: dict[str, list[tuple[str, str]]] = {}
    for ward in wards:
        local = postcodes_by_ward.get(ward.code, [])[:40]
        chosen[ward.code] = [
            (
                rng.choices([c for c, _ in AGE_BANDS], weights=AGE_WEIGHTS)[0],
                rng.choice(local) if local else "",
            )
            for _ in range(rng.randint(45, 70))
        ]
    located = _located_codes([p for pool in chosen.values() for _, p in pool if p])
    participants: dict[str, list[Participant]] = {}
    memberships: list[AreaMembership] = []
    points: list[LocatedPoint] = []
    for ward in wards:
        pool = []
        for band, postcode in chosen[ward.code]:
            lsoa = ward_code = ""
            quintile = None
            participant = Participant(
                reference=_new_reference(), age_band=band, home_postcode=postcode
            )
            if postcode:
                lat, lon, areas = located[postcode]
                lsoa, ward_code, quintile = _home_codes(areas)
                points.append(
                    LocatedPoint(
                        record_type=PARTICIPANT_RECORD_TYPE,
                        record_id=participant.locator,
                        lat=lat,
                        lon=lon,
                        outside=not areas,
                    )
                )
                memberships += [
                    AreaMembership(
                        area_id=a.id,
                        boundary_set_id=a.boundary_set_id,
                        record_type=PARTICIPANT_RECORD_TYPE,
                        record_id=participant.locator,
                    )
                    for a in areas
                ]
            participant.home_lsoa_code = lsoa
            participant.home_ward_code = ward_code
            participant.deprivation_quintile = quintile
            pool.append(participant)
        participants[ward.code] = pool
    Participant.objects.bulk_create([p for pool in participants.values() for p in pool])
    LocatedPoint.objects.bulk_create(points)
    AreaMembership.objects.bulk_create(memberships)
    # Written in bulk rather than one by one, so give the points their area combinations.
    located_point_combinations_fill(record_type=PARTICIPANT_RECORD_TYPE)

    kinds = [
        ActivityKind.VISIONING,
        ActivityKind.MEETING,
        ActivityKind.DOOR_KNOCKING,
        ActivityKind.CONSULTATION,
        ActivityKind.EVENT,
    ]
    today = datetime.date.today()
    rows: list[tuple[Participation, list[Contribution]]] = []
    for ward in wards:
        pool = participants[ward.code]
        regulars = pool[:6]  # the "usual suspects": they come to most things, say most
        for n in range(rng.randint(7, 10)):
            kind = kinds[n % len(kinds)]
            theme = rng.choice(DEMO_THEMES)
            activity = activity_create(
                actor=None,
                kind=kind,
                title=f"{ActivityKind(kind).label}: {theme} in {ward.name}",
                theme=theme,
                held_on=today - datetime.timedelta(days=rng.randint(5, 700)),
                area_id=ward.id,
                notes=f"[demo] {fake.sentence(nb_words=8)}",
                organiser=organiser,
            )
            size = rng.randint(15, 40) if kind == ActivityKind.DOOR_KNOCKING else rng.randint(8, 25)
            others = rng.sample(pool[6:], k=min(len(pool) - 6, size))
            for participant in [*regulars[: rng.randint(3, 6)], *others]:
                participation = Participation(
                    activity=activity,
                    participant=participant,
                    held_on=activity.held_on,
                    age_band=participant.age_band,
                    deprivation_quintile=participant.deprivation_quintile,
                )
                said = []
                many = participant in regulars
                for _ in range(rng.randint(1, 5) if many else rng.randint(0, 1)):
                    kind_c = rng.choice(list(ContributionKind))
                    said.append(
                        Contribution(
                            participation=participation,
                            kind=kind_c,
                            text=""
                            if kind_c == ContributionKind.VOTE
                            else fake.sentence(nb_words=10),
                        )
                    )
                participation.contributions = len(said)
                rows.append((participation, said))
                if (
                    participant.first_participated_on is None
                    or activity.held_on < participant.first_participated_on
                ):
                    participant.first_participated_on = activity.held_on
                    participant.first_activity_id = activity.id
    # Mark each participant's first participation, as participation_record does.
    for participation, _said in rows:
        participation.is_first = (
            participation.activity.id == participation.participant.first_activity_id
        )
    Participation.objects.bulk_create([p for p, _ in rows])
    Contribution.objects.bulk_create([c for _, said in rows for c in said])
    Participant.objects.bulk_update(
        [p for pool in participants.values() for p in pool],
        ["first_participated_on", "first_activity_id"],
    )
    ideas = [c for _, said in rows for c in said if c.kind == ContributionKind.IDEA]
    _demo_projects_link(ideas=ideas, rng=rng)
    summary.summary_rebuild()
    counts = _demo_counts()
    audit_record(
        actor=None,
        verb="engagement.demo.loaded",
        target_type="engagement.activity",
        payload={k.replace(" ", "_"): v for k, v in counts.items()},
    )
    return counts


def _demo_projects_link(*, ideas: list[Contribution], rng: random.Random) -> None:
    """Ideas that became projects: link to the assets app's community projects in the same
    ward when there are any."""
    try:
        from placebase.assets.models import CommunityProject
    except ImportError:  # pragma: no cover - assets is part of the product
        return
    projects = list(CommunityProject.objects.all()[:40])
    if not projects:
        return
    for contribution in rng.sample(ideas, k=min(len(ideas), len(projects))):
        ward_code = contribution.participation.activity.area_code
        local = [p for p in projects if p.area_code == ward_code] or projects
        idea_project_link(actor=None, contribution=contribution, project_id=rng.choice(local).pk)


def _demo_counts() -> dict[str, int]:
    return {
        "activities": Activity.objects.count(),
        "participants": Participant.objects.count(),
        "participations": Participation.objects.count(),
        "contributions": Contribution.objects.count(),
        "councillor wards": CouncillorWard.objects.count(),
    }
