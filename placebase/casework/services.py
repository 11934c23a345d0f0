"""Writes for case work. Each service checks the user may edit the person (through the same
scope as the selectors), validates, writes, and records an audit entry that names the person's
record but carries no personal data itself."""

import datetime
import hashlib
import re
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from placebase.accounts.models import Organisation, SharingPurpose, User
from placebase.accounts.permissions import Action, can
from placebase.accounts.roles import Role
from placebase.core.audit import audit_record
from placebase.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    PlacebaseError,
    ValidationFailed,
)
from placebase.evidence.models import ServiceType
from placebase.places import selectors as places_selectors
from placebase.places import services as places_services
from placebase.places.models import Area, Level

from .models import (
    CONNECTION_TRANSITIONS,
    CONVERSATION_KINDS,
    ApiToken,
    Assessment,
    AssessmentOccasion,
    AvoidedDemand,
    ClosureReason,
    Connection,
    ConnectionEvent,
    ConnectionStatus,
    ConnectionTargetKind,
    ConsentMethod,
    ConsentRecord,
    Contact,
    ContactKind,
    ErasureKind,
    ErasureRecord,
    Goal,
    GoalStatus,
    Introduction,
    IntroductionSource,
    IntroductionStatus,
    LawfulBasis,
    NetworkKind,
    NetworkMember,
    PatchAssignment,
    Person,
    PersonStatus,
    PreferredContact,
    Review,
    ServiceUseEvent,
    ServiceUseSource,
    Strength,
    StrengthKind,
    UnmetNeed,
)
from .selectors import (
    PERSON_RECORD_TYPE,
    instrument_version_current,
    person_access_for,
    person_duplicates,
)

DEFAULT_RETENTION_DAYS = 6 * 365  # six years after closure, a common council schedule
MAX_CONTACT_MINUTES = 24 * 60


class CaseworkInvalid(ValidationFailed):
    """Bad input. `details["errors"]` maps each field to its message."""

    code = "casework.invalid"


class PossibleDuplicate(ValidationFailed):
    """The person may already have a record. `details["duplicates"]` lists them."""

    code = "casework.possible_duplicate"


class LegalHold(PlacebaseError):
    code = "casework.legal_hold"
    http_status = 409


class TransitionInvalid(ValidationFailed):
    code = "casework.connection_transition_invalid"


class IntroductionState(PlacebaseError):
    code = "casework.introduction_state"
    http_status = 409


def retention_days() -> int:
    return int(getattr(settings, "PLACEBASE_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


# ------------------------------------------------------------------------ validation helpers


class _Errors:
    """Collects field errors so a form shows them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raise_if_any(self) -> None:
        if self.errors:
            first = next(iter(self.errors.values()))
            raise CaseworkInvalid(first, errors=dict(self.errors))


def _text(
    errors: _Errors,
    field: str,
    value: Any,
    *,
    max_length: int,
    required: bool = False,
    label: str = "",
) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors.add(field, f"Enter {label or field.replace('_', ' ')}")
    elif len(text) > max_length:
        errors.add(
            field, f"{(label or field).capitalize()} must be {max_length} characters or fewer"
        )
    return text[:max_length]


def _past_date(
    errors: _Errors,
    field: str,
    value: Any,
    *,
    label: str,
    required: bool = True,
    today: datetime.date | None = None,
) -> Any:
    """A date not in the future. None only when an error was recorded (or it was optional and
    blank), so after `raise_if_any()` a required one is a date."""
    if value in (None, ""):
        if required:
            errors.add(field, f"Enter {label}")
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value))
        except ValueError:
            errors.add(field, f"{label.capitalize()} must be a real date")
            return None
    if value > (today or timezone.localdate()):
        errors.add(field, f"{label.capitalize()} must be today or in the past")
        return None
    if value.year < 1900:
        errors.add(field, f"{label.capitalize()} must be after 1900")
        return None
    return value


def _any_date(errors: _Errors, field: str, value: Any, *, label: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors.add(field, f"{label.capitalize()} must be a real date")
        return None


def _choice(
    errors: _Errors, field: str, value: Any, choices: Any, *, label: str, required: bool = True
) -> str:
    value = str(value or "")
    if not value and not required:
        return ""
    if value not in choices.values:
        errors.add(field, f"Select {label}")
    return value


def _int(errors: _Errors, field: str, value: Any, *, low: int, high: int, label: str) -> int:
    try:
        number = int(value)
        if str(value).strip() != str(number) and not isinstance(value, int):
            raise ValueError
    except (TypeError, ValueError):
        errors.add(field, f"{label.capitalize()} must be a whole number")
        return low
    if not low <= number <= high:
        errors.add(field, f"{label.capitalize()} must be between {low} and {high}")
    return number


def _check_version(record: Any, version: int | None, what: str) -> None:
    if version is not None and int(version) != record.version:
        raise Conflict(
            f"Someone else changed this {what} since you opened it.",
            code="casework.conflict",
            current_version=record.version,
        )


# ------------------------------------------------------------------------ scope for writes


def _person_for_edit(*, user: Any, person_id: Any) -> Person:
    """The person, locked for update, if `user` may change their record."""
    if not can(user, Action.EDIT_PERSONAL_DATA):
        raise PermissionDenied("You cannot change people's records.")
    try:
        person = Person.objects.select_for_update().get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError, DjangoValidationError) as error:
        raise NotFound("No such person.") from error
    access = person_access_for(user=user, person=person)
    if access is None:
        raise NotFound("No such person.")
    if not access.own:
        raise PermissionDenied("Records shared with your organisation are read-only.")
    if person.status == PersonStatus.ANONYMISED:
        raise IntroductionState("This record has been anonymised.", code="casework.anonymised")
    return person


def _audit(user: Any, verb: str, person: Person, **payload: Any) -> None:
    audit_record(
        actor=user,
        verb=f"casework.{verb}",
        target=person,
        target_type=PERSON_RECORD_TYPE,
        personal_data=True,
        payload={k: str(v) if isinstance(v, uuid.UUID) else v for k, v in payload.items()},
    )


def _open_introduction(person: Person) -> Introduction | None:
    return (
        Introduction.objects.select_for_update()
        .filter(person=person, status=IntroductionStatus.OPEN)
        .order_by("-introduced_on")
        .first()
    )


def _bump(record: Any, fields: Iterable[str]) -> None:
    record.version += 1
    record.save(update_fields=[*fields, "version", "updated_at"])


# ------------------------------------------------------------------------ places adapter
# The places engine locates addresses and assigns records to areas. These thin wrappers keep
# its interface in one spot (and let tests stand in for it).


@dataclass(frozen=True)
class PatchArea:
    id: uuid.UUID
    code: str
    name: str


def _places_postcode_point(postcode: str) -> tuple[str, float, float]:
    """(normalised postcode, lat, lon); raises the places app's postcode errors."""
    location = places_selectors.postcode_lookup(postcode)
    return location.postcode, location.lat, location.lon


def _places_assign(*, person_id: uuid.UUID, lat: float, lon: float) -> list[PatchArea]:
    """Assign the person's point to every area containing it; return the patches among them."""
    areas = places_services.located_point_assign(
        record_type=PERSON_RECORD_TYPE, record_id=person_id, lat=lat, lon=lon
    )
    return [PatchArea(a.id, a.code, a.name) for a in areas if a.boundary_set.level == "patch"]


def _places_remove(*, person_id: uuid.UUID) -> None:
    places_services.located_point_remove(record_type=PERSON_RECORD_TYPE, record_id=person_id)


def _places_combination(*, person_id: uuid.UUID) -> int | None:
    """The places AreaCombination of the person's located point (every area it is in)."""
    from placebase.places.models import LocatedPoint

    return (
        LocatedPoint.objects.filter(record_type=PERSON_RECORD_TYPE, record_id=person_id)
        .values_list("combination_id", flat=True)
        .first()
    )


def _combination_copy(person: Person) -> None:
    """Copy the person's area combination to their introductions and connections."""
    Introduction.objects.filter(person=person).exclude(
        area_combination_id=person.area_combination_id
    ).update(area_combination_id=person.area_combination_id)
    Connection.objects.filter(person=person).exclude(
        area_combination_id=person.area_combination_id
    ).update(area_combination_id=person.area_combination_id)


def _person_locate(person: Person, errors: _Errors | None = None) -> list[PatchArea]:
    """Locate the person's postcode and assign them to areas; set their patch."""
    if not person.postcode:
        person.latitude = person.longitude = None
        person.patch_area_id, person.patch_code, person.patch_name = None, "", ""
        person.area_combination_id = None
        _places_remove(person_id=person.id)
        return []
    try:
        point = _places_postcode_point(person.postcode)
    except ValidationFailed as error:
        if errors is None:
            raise
        errors.add("postcode", error.message)
        return []
    person.postcode, person.latitude, person.longitude = point
    person.postcode_key = person.postcode.replace(" ", "").lower()
    patches = _places_assign(person_id=person.id, lat=point[1], lon=point[2])
    person.area_combination_id = _places_combination(person_id=person.id)
    patch = patches[0] if patches else None
    person.patch_area_id = patch.id if patch else None
    person.patch_code = patch.code if patch else ""
    person.patch_name = patch.name if patch else ""
    return patches


def _coordinator_for(person: Person, patches: list[PatchArea]) -> User | None:
    """The coordinator of the organisation whose patch contains the person's address."""
    if not patches:
        return None
    assignment = (
        PatchAssignment.objects.filter(
            area_id__in=[p.id for p in patches],
            is_active=True,
            user__organisation_id=person.organisation_id,
            user__is_active=True,
            user__role=Role.COORDINATOR,
        )
        .select_related("user")
        .order_by("created_at")
        .first()
    )
    return assignment.user if assignment else None


def _coordinator_choice(user: Any, coordinator_id: Any) -> User | None:
    if not coordinator_id:
        return None
    coordinator = User.objects.filter(
        pk=coordinator_id,
        organisation_id=user.organisation_id,
        role=Role.COORDINATOR,
        is_active=True,
    ).first()
    if coordinator is None:
        raise CaseworkInvalid(
            "Select a coordinator from your organisation",
            errors={"coordinator": "Select a coordinator from your organisation"},
        )
    return coordinator


# ------------------------------------------------------------------------ people


_PERSON_TEXT_FIELDS = {
    "preferred_name": 100,
    "email": 254,
    "phone": 30,
    "address_line_1": 200,
    "address_line_2": 200,
    "town": 100,
    "household": 300,
    "preferred_language": 60,
    "accessibility_needs": 2000,
    "health_conditions": 2000,
    "disability": 2000,
    "ethnicity": 100,
}


def _clean_person_fields(errors: _Errors, values: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "first_name" in values:
        clean["first_name"] = _text(
            errors,
            "first_name",
            values["first_name"],
            max_length=100,
            required=True,
            label="their first name",
        )
    if "last_name" in values:
        clean["last_name"] = _text(
            errors,
            "last_name",
            values["last_name"],
            max_length=100,
            required=True,
            label="their last name",
        )
    for name, length in _PERSON_TEXT_FIELDS.items():
        if name in values:
            clean[name] = _text(errors, name, values[name], max_length=length)
    if clean.get("email") and "@" not in clean["email"]:
        errors.add("email", "Enter an email address in the correct format, like name@example.com")
    if "date_of_birth" in values:
        dob = _past_date(
            errors,
            "date_of_birth",
            values["date_of_birth"],
            label="date of birth",
            required=False,
        )
        if dob and dob < timezone.localdate() - datetime.timedelta(days=125 * 365):
            errors.add("date_of_birth", "Date of birth must be in the last 125 years")
        clean["date_of_birth"] = dob
    if "postcode" in values:
        clean["postcode"] = _text(errors, "postcode", values["postcode"], max_length=10).upper()
    if "preferred_contact" in values:
        clean["preferred_contact"] = _choice(
            errors,
            "preferred_contact",
            values["preferred_contact"],
            PreferredContact,
            label="how they prefer to be contacted",
            required=False,
        )
    if "needs_interpreter" in values:
        clean["needs_interpreter"] = bool(values["needs_interpreter"])
    return clean


def _new_reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud on the phone
    while True:
        reference = "LAC-" + "".join(secrets.choice(alphabet) for _ in range(6))
        if not Person.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def person_introduce(
    *,
    user: Any,
    first_name: str,
    last_name: str,
    source: str,
    introduced_on: datetime.date | str,
    reason: str,
    date_of_birth: datetime.date | str | None = None,
    postcode: str = "",
    source_detail: str = "",
    coordinator_id: uuid.UUID | str | None = None,
    team_id: uuid.UUID | str | None = None,
    confirmed_not_duplicate: bool = False,
    **details: Any,
) -> Introduction:
    """A new person introduced to Local Area Coordination. Assigned to the coordinator whose
    patch contains their address unless `coordinator_id` overrides it; stopped with
    PossibleDuplicate when someone with the same name and date of birth or postcode exists."""
    if not can(user, Action.EDIT_PERSONAL_DATA) or user.organisation_id is None:
        raise PermissionDenied("You cannot add people's records.")
    errors = _Errors()
    unknown = set(details) - set(_PERSON_TEXT_FIELDS) - {"preferred_contact", "needs_interpreter"}
    if unknown:
        raise CaseworkInvalid(f"Unknown fields: {sorted(unknown)}", errors={})
    clean = _clean_person_fields(
        errors,
        {
            "first_name": first_name,
            "last_name": last_name,
            "date_of_birth": date_of_birth,
            "postcode": postcode,
            **details,
        },
    )
    clean_source = _choice(
        errors, "source", source, IntroductionSource, label="who introduced them"
    )
    on = _past_date(errors, "introduced_on", introduced_on, label="the date of introduction")
    clean_reason = _text(
        errors,
        "reason",
        reason,
        max_length=4000,
        required=True,
        label="the reason for the introduction",
    )
    detail = _text(errors, "source_detail", source_detail, max_length=200)
    chosen = _coordinator_choice(user, coordinator_id)
    team = None
    if team_id:
        team = user.organisation.teams.filter(pk=team_id).first()
        if team is None:
            errors.add("team", "Select a team from your organisation")
    elif user.teams.filter(organisation_id=user.organisation_id).count() == 1:
        team = user.teams.get()
    errors.raise_if_any()
    if not confirmed_not_duplicate:
        duplicates = person_duplicates(
            user=user,
            first_name=clean["first_name"],
            last_name=clean["last_name"],
            date_of_birth=clean.get("date_of_birth"),
            postcode=clean.get("postcode", ""),
        )
        if duplicates:
            raise PossibleDuplicate(
                "This person may already have a record.",
                duplicates=[(str(p.id), p.reference) for p in duplicates],
            )
    person = Person(
        reference=_new_reference(),
        organisation_id=user.organisation_id,
        team=team,
        last_name_key=clean["last_name"].lower(),
        postcode_key=clean.get("postcode", "").replace(" ", "").lower(),
        **clean,
    )
    patches = _person_locate(person, errors)
    errors.raise_if_any()
    auto = _coordinator_for(person, patches)
    coordinator = chosen or auto
    if coordinator is None and user.role == Role.COORDINATOR:
        coordinator = user  # no patch matched: whoever took the introduction holds it
    person.coordinator = coordinator
    person.save()
    introduction = Introduction.objects.create(
        person=person,
        organisation_id=user.organisation_id,
        coordinator=coordinator,
        patch_code=person.patch_code,
        source=clean_source,
        source_detail=detail,
        introduced_on=on,
        reason=clean_reason,
        auto_assigned=chosen is None and auto is not None,
        area_combination_id=person.area_combination_id,
    )
    _audit(
        user,
        "person.introduced",
        person,
        introduction=introduction.id,
        auto_assigned=introduction.auto_assigned,
        duplicate_confirmed=confirmed_not_duplicate,
    )
    return introduction


@transaction.atomic
def person_reintroduce(
    *,
    user: Any,
    person_id: Any,
    source: str,
    introduced_on: datetime.date | str,
    reason: str,
    source_detail: str = "",
    coordinator_id: Any = None,
) -> Introduction:
    """A person whose journey was closed is introduced again: a new journey begins."""
    person = _person_for_edit(user=user, person_id=person_id)
    if _open_introduction(person) is not None:
        raise IntroductionState(
            "This person already has an open introduction.", code="casework.already_open"
        )
    errors = _Errors()
    clean_source = _choice(
        errors, "source", source, IntroductionSource, label="who introduced them"
    )
    on = _past_date(errors, "introduced_on", introduced_on, label="the date of introduction")
    clean_reason = _text(
        errors,
        "reason",
        reason,
        max_length=4000,
        required=True,
        label="the reason for the introduction",
    )
    last = person.introductions.order_by("-introduced_on").first()
    if on and last and last.closed_on and on < last.closed_on:
        errors.add("introduced_on", "Date of introduction must be after the last closure")
    chosen = _coordinator_choice(user, coordinator_id)
    errors.raise_if_any()
    coordinator = chosen or person.coordinator
    if coordinator is None or not coordinator.is_active:
        coordinator = _coordinator_for(
            person,
            [PatchArea(person.patch_area_id, person.patch_code, person.patch_name)]
            if person.patch_area_id
            else [],
        )
    person.coordinator = coordinator
    person.status = PersonStatus.ACTIVE
    person.closed_at = None
    _bump(person, ["coordinator", "status", "closed_at"])
    introduction = Introduction.objects.create(
        person=person,
        organisation_id=person.organisation_id,
        coordinator=coordinator,
        patch_code=person.patch_code,
        source=clean_source,
        source_detail=_text(errors, "source_detail", source_detail, max_length=200),
        introduced_on=on,
        reason=clean_reason,
        is_reintroduction=True,
        area_combination_id=person.area_combination_id,
    )
    _audit(user, "person.reintroduced", person, introduction=introduction.id)
    return introduction


@transaction.atomic
def person_update(*, user: Any, person_id: Any, version: int | None, **values: Any) -> Person:
    """Change a person's details. `version` is the one the editor started from: if someone
    else saved in between, Conflict, and nothing is written."""
    person = _person_for_edit(user=user, person_id=person_id)
    _check_version(person, version, "record")
    allowed = {
        "first_name",
        "last_name",
        "date_of_birth",
        "postcode",
        "preferred_contact",
        "needs_interpreter",
        *_PERSON_TEXT_FIELDS,
    }
    unknown = set(values) - allowed
    if unknown:
        raise CaseworkInvalid(f"Unknown fields: {sorted(unknown)}", errors={})
    errors = _Errors()
    clean = _clean_person_fields(errors, values)
    errors.raise_if_any()
    old_postcode = person.postcode
    changed = [name for name, value in clean.items() if getattr(person, name) != value]
    for name, value in clean.items():
        setattr(person, name, value)
    person.last_name_key = person.last_name.lower()
    person.postcode_key = person.postcode.replace(" ", "").lower()
    extra = ["last_name_key", "postcode_key"]
    if "postcode" in clean and clean["postcode"] != old_postcode:
        _person_locate(person, errors)
        errors.raise_if_any()
        extra += ["postcode", "latitude", "longitude", "patch_area_id", "patch_code", "patch_name"]
        extra += ["area_combination_id"]
        _combination_copy(person)
    _bump(person, [*clean, *extra])
    _audit(user, "person.updated", person, fields=sorted(changed))
    return person


@transaction.atomic
def person_coordinator_assign(*, user: Any, person_id: Any, coordinator_id: Any) -> Person:
    """Override the automatic assignment."""
    person = _person_for_edit(user=user, person_id=person_id)
    coordinator = _coordinator_choice(user, coordinator_id)
    if coordinator is None:
        raise CaseworkInvalid(
            "Select a coordinator", errors={"coordinator": "Select a coordinator"}
        )
    person.coordinator = coordinator
    _bump(person, ["coordinator"])
    Introduction.objects.filter(person=person, status=IntroductionStatus.OPEN).update(
        coordinator=coordinator, auto_assigned=False
    )
    _audit(user, "person.reassigned", person, coordinator=coordinator.id)
    return person


@transaction.atomic
def person_legal_hold_set(*, user: Any, person_id: Any, hold: bool, reason: str = "") -> Person:
    """A legal hold stops erasure and retention (e.g. during proceedings or an inquiry)."""
    if user.role != Role.MANAGER:
        raise PermissionDenied("Only a manager can place or lift a legal hold.")
    person = _person_for_edit(user=user, person_id=person_id)
    errors = _Errors()
    text = _text(
        errors,
        "legal_hold_reason",
        reason,
        max_length=300,
        required=hold,
        label="the reason for the hold",
    )
    errors.raise_if_any()
    person.legal_hold, person.legal_hold_reason = hold, text if hold else ""
    _bump(person, ["legal_hold", "legal_hold_reason"])
    _audit(user, "person.legal_hold_set" if hold else "person.legal_hold_lifted", person)
    return person


# ------------------------------------------------------------------------ consent


@transaction.atomic
def consent_record(
    *,
    user: Any,
    person_id: Any,
    lawful_basis: str,
    given_on: datetime.date | str,
    method: str,
    information_given: str,
    organisation_ids: Iterable[Any] = (),
    purposes: Iterable[str] = (),
    special_category_condition: str = "",
) -> ConsentRecord:
    person = _person_for_edit(user=user, person_id=person_id)
    errors = _Errors()
    basis = _choice(errors, "lawful_basis", lawful_basis, LawfulBasis, label="the lawful basis")
    on = _past_date(errors, "given_on", given_on, label="the date")
    how = _choice(errors, "method", method, ConsentMethod, label="how it was recorded")
    told = _text(
        errors,
        "information_given",
        information_given,
        max_length=4000,
        required=True,
        label="what the person was told",
    )
    condition = _text(
        errors, "special_category_condition", special_category_condition, max_length=200
    )
    purpose_list = sorted(set(purposes))
    if any(p not in SharingPurpose.values for p in purpose_list):
        errors.add("purposes", "Select purposes from the list")
    organisation_ids = [str(o) for o in organisation_ids]
    organisations = list(Organisation.objects.filter(pk__in=organisation_ids))
    if len(organisations) != len(set(organisation_ids)):
        errors.add("organisations", "Select organisations from the list")
    if organisations and not purpose_list:
        errors.add("purposes", "Select what the organisations may use the record for")
    errors.raise_if_any()
    consent = ConsentRecord.objects.create(
        person=person,
        lawful_basis=basis,
        special_category_condition=condition,
        recorded_by=user,
        given_on=on,
        method=how,
        information_given=told,
        purposes=purpose_list,
    )
    consent.organisations.set(organisations)
    _audit(user, "consent.recorded", person, consent=consent.id, purposes=purpose_list)
    return consent


@transaction.atomic
def consent_withdraw(
    *, user: Any, person_id: Any, consent_id: Any, withdrawn_on: Any = None, note: str = ""
) -> ConsentRecord:
    """Withdrawal takes effect at once: partners relying on the consent lose sight of the
    record."""
    person = _person_for_edit(user=user, person_id=person_id)
    consent = person.consents.select_for_update().filter(pk=consent_id).first()
    if consent is None:
        raise NotFound("No such consent record.")
    if consent.withdrawn_on:
        raise IntroductionState("That consent was already withdrawn.", code="casework.withdrawn")
    errors = _Errors()
    on = _past_date(errors, "withdrawn_on", withdrawn_on or timezone.localdate(), label="the date")
    text = _text(errors, "withdrawal_note", note, max_length=300)
    errors.raise_if_any()
    consent.withdrawn_on, consent.withdrawal_note = on, text
    consent.save(update_fields=["withdrawn_on", "withdrawal_note", "updated_at"])
    _audit(user, "consent.withdrawn", person, consent=consent.id)
    return consent


# ------------------------------------------------------------------------ the journey


@transaction.atomic
def contact_record(
    *,
    user: Any,
    person_id: Any,
    happened_on: datetime.date | str,
    kind: str,
    duration_minutes: Any,
    notes: str = "",
) -> Contact:
    person = _person_for_edit(user=user, person_id=person_id)
    errors = _Errors()
    on = _past_date(errors, "happened_on", happened_on, label="the date of the contact")
    clean_kind = _choice(errors, "kind", kind, ContactKind, label="the type of contact")
    minutes = _int(
        errors,
        "duration_minutes",
        duration_minutes,
        low=0,
        high=MAX_CONTACT_MINUTES,
        label="duration in minutes",
    )
    text = _text(errors, "notes", notes, max_length=10000)
    errors.raise_if_any()
    introduction = _open_introduction(person)
    if introduction and on and on < introduction.introduced_on:
        raise CaseworkInvalid(
            "The date of the contact must be on or after the date of introduction",
            errors={"happened_on": "The date of the contact must be on or after the introduction"},
        )
    contact = Contact.objects.create(
        person=person,
        introduction=introduction,
        coordinator=user,
        happened_on=on,
        kind=clean_kind,
        duration_minutes=minutes,
        notes=text,
    )
    if (
        introduction
        and clean_kind in CONVERSATION_KINDS
        and (introduction.first_conversation_on is None or on < introduction.first_conversation_on)
    ):
        introduction.first_conversation_on = on
        introduction.days_to_first_conversation = min(32767, (on - introduction.introduced_on).days)
        introduction.save(
            update_fields=["first_conversation_on", "days_to_first_conversation", "updated_at"]
        )
    _audit(user, "contact.recorded", person, contact=contact.id, kind=clean_kind)
    return contact


@transaction.atomic
def plan_update(
    *,
    user: Any,
    person_id: Any,
    version: int | None,
    vision: str,
    can_do_myself: str,
    family_community_can_do: str,
    services_role: str,
) -> Introduction:
    """The person's vision of a good life and their answers to the three questions."""
    person = _person_for_edit(user=user, person_id=person_id)
    introduction = _open_introduction(person)
    if introduction is None:
        raise IntroductionState("There is no open introduction.", code="casework.not_open")
    _check_version(introduction, version, "plan")
    errors = _Errors()
    values = {
        "vision": _text(errors, "vision", vision, max_length=10000),
        "can_do_myself": _text(errors, "can_do_myself", can_do_myself, max_length=10000),
        "family_community_can_do": _text(
            errors, "family_community_can_do", family_community_can_do, max_length=10000
        ),
        "services_role": _text(errors, "services_role", services_role, max_length=10000),
    }
    errors.raise_if_any()
    for name, value in values.items():
        setattr(introduction, name, value)
    _bump(introduction, values)
    _audit(user, "plan.updated", person, introduction=introduction.id)
    return introduction


@transaction.atomic
def goal_add(*, user: Any, person_id: Any, description: str, target_on: Any = None) -> Goal:
    person = _person_for_edit(user=user, person_id=person_id)
    errors = _Errors()
    text = _text(
        errors, "description", description, max_length=300, required=True, label="the goal"
    )
    target = _any_date(errors, "target_on", target_on, label="target date")
    errors.raise_if_any()
    goal = Goal.objects.create(
        person=person, introduction=_open_introduction(person), description=text, target_on=target
    )
    _audit(user, "goal.added", person, goal=goal.id)
    return goal


@transaction.atomic
def goal_update(
    *, user: Any, person_id: Any, goal_id: Any, version: int | None, status: str, progress: Any
) -> Goal:
    person = _person_for_edit(user=user, person_id=person_id)
    goal = person.goals.select_for_update().filter(pk=goal_id).first()
    if goal is None:
        raise NotFound("No such goal.")
    _check_version(goal, version, "goal")
    errors = _Errors()
    goal.status = _choice(errors, "status", status, GoalStatus, label="the goal's status")
    goal.progress = _int(errors, "progress", progress, low=0, high=10, label="progress")
    errors.raise_if_any()
    _bump(goal, ["status", "progress"])
    _audit(user, "goal.updated", person, goal=goal.id, status=goal.status)
    return goal


def _gift_offer(user: Any, person: Person, strength: Strength) -> uuid.UUID | None:
    """Offer a strength to the community through the assets app's gifts, where installed."""
    try:
        from placebase.assets.models import GiftKind
        from placebase.assets.services import gift_record

        kind = {
            StrengthKind.GIFT_HEAD: GiftKind.GIFT,
            StrengthKind.GIFT_HAND: GiftKind.SKILL,
            StrengthKind.GIFT_HEART: GiftKind.PASSION,
        }.get(StrengthKind(strength.kind), GiftKind.GIFT)
        with transaction.atomic():  # savepoint: a missing table must not spoil the caller
            gift = gift_record(
                actor=user,
                person_name=person.display_name,
                description=strength.description,
                consent_statement=(
                    "Agreed with their local area coordinator to offer this to the community; "
                    "contact through the coordinator."
                ),
                kind=kind,
                postcode=person.postcode,
            )
    except (ImportError, DatabaseError, ValidationFailed):
        return None
    return gift.id


@transaction.atomic
def strength_add(
    *, user: Any, person_id: Any, kind: str, description: str, offer_to_community: bool = False
) -> Strength:
    person = _person_for_edit(user=user, person_id=person_id)
    errors = _Errors()
    clean_kind = _choice(errors, "kind", kind, StrengthKind, label="the kind of strength")
    text = _text(
        errors,
        "description",
        description,
        max_length=300,
        required=True,
        label="the strength or gift",
    )
    errors.raise_if_any()
    strength = Strength.objects.create(
        person=person, kind=clean_kind, description=text, offer_to_community=offer_to_community
    )
    if offer_to_community:
        strength.gift_id = _gift_offer(user, person, strength)
        strength.save(update_fields=["gift_id"])
    _audit(user, "strength.added", person, strength=strength.id, offered=offer_to_community)
    return strength


@transaction.atomic
def network_member_add(
    *, user: Any, person_id: Any, name: str, kind: str, relationship: str = "", strength: Any = 3
) -> NetworkMember:
    person = _person_for_edit(user=user, person_id=person_id)
    errors = _Errors()
    member = NetworkMember(
        person=person,
        name=_text(errors, "name", name, max_length=200, required=True, label="a name"),
        kind=_choice(errors, "kind", kind, NetworkKind, label="who they are"),
        relationship=_text(errors, "relationship", relationship, max_length=200),
        strength=_int(errors, "strength", strength, low=1, high=5, label="strength"),
    )
    errors.raise_if_any()
    member.save()
    _audit(user, "network.added", person, member=member.id)
    return member


@transaction.atomic
def network_member_remove(*, user: Any, person_id: Any, member_id: Any) -> None:
    person = _person_for_edit(user=user, person_id=person_id)
    deleted, _ = person.network.filter(pk=member_id).delete()
    if not deleted:
        raise NotFound("No such member of the network.")
    _audit(user, "network.removed", person, member=str(member_id))


def _asset_name(asset_id: Any) -> str | None:
    try:
        from placebase.assets.models import Asset

        with transaction.atomic():
            asset = Asset.objects.filter(pk=asset_id).only("name").first()
    except (ImportError, DatabaseError, ValueError):
        return None
    return asset.name if asset else None


@transaction.atomic
def connection_suggest(
    *,
    user: Any,
    person_id: Any,
    target_kind: str,
    target_name: str = "",
    asset_id: Any = None,
    suggested_on: Any = None,
    follow_up_on: Any = None,
) -> Connection:
    """Suggest a connection to an asset, group, service, volunteering or another person."""
    person = _person_for_edit(user=user, person_id=person_id)
    errors = _Errors()
    kind = _choice(
        errors,
        "target_kind",
        target_kind,
        ConnectionTargetKind,
        label="what they are being connected to",
    )
    name = _text(errors, "target_name", target_name, max_length=300)
    if kind == ConnectionTargetKind.ASSET and asset_id:
        found = _asset_name(asset_id)
        if found is None:
            errors.add("asset_id", "Select an asset from the directory")
        name = name or (found or "")
    if not name:
        errors.add("target_name", "Enter who or what they are being connected to")
    on = _past_date(
        errors, "suggested_on", suggested_on or timezone.localdate(), label="the date suggested"
    )
    follow = _any_date(errors, "follow_up_on", follow_up_on, label="follow-up date")
    if on and follow and follow < on:
        errors.add("follow_up_on", "Follow-up date must be on or after the date suggested")
    errors.raise_if_any()
    connection = Connection.objects.create(
        person=person,
        organisation_id=person.organisation_id,
        introduction=_open_introduction(person),
        target_kind=kind,
        asset_id=asset_id if kind == ConnectionTargetKind.ASSET and asset_id else None,
        target_name=name,
        status=ConnectionStatus.SUGGESTED,
        status_on=on,
        suggested_on=on,
        follow_up_on=follow,
        area_combination_id=person.area_combination_id,
    )
    ConnectionEvent.objects.create(
        connection=connection, to_status=ConnectionStatus.SUGGESTED, on=on, by=user
    )
    _audit(user, "connection.suggested", person, connection=connection.id, kind=kind)
    return connection


@transaction.atomic
def connection_update(
    *,
    user: Any,
    person_id: Any,
    connection_id: Any,
    version: int | None,
    status: str,
    on: Any = None,
    reason: str = "",
    follow_up_on: Any = None,
) -> Connection:
    """Move a connection along suggested → introduced → attended → sustained, or record that
    it did not stick (with why); set the next follow-up."""
    person = _person_for_edit(user=user, person_id=person_id)
    connection = person.connections.select_for_update().filter(pk=connection_id).first()
    if connection is None:
        raise NotFound("No such connection.")
    _check_version(connection, version, "connection")
    errors = _Errors()
    new_status = _choice(errors, "status", status, ConnectionStatus, label="the new status")
    when = _past_date(errors, "on", on or timezone.localdate(), label="the date")
    why = _text(errors, "reason", reason, max_length=300)
    follow = _any_date(errors, "follow_up_on", follow_up_on, label="follow-up date")
    if new_status == ConnectionStatus.DID_NOT_STICK and not why:
        errors.add("reason", "Enter why the connection did not stick")
    if when and when < connection.status_on:
        errors.add("on", "The date must be on or after the connection's last step")
    errors.raise_if_any()
    if new_status != connection.status and new_status not in CONNECTION_TRANSITIONS.get(
        connection.status, frozenset()
    ):
        raise TransitionInvalid(
            f"A connection that is {connection.get_status_display().lower()} cannot become "
            f"{ConnectionStatus(new_status).label.lower()}.",
            errors={"status": "Select a later step"},
        )
    event_needed = new_status != connection.status
    if event_needed:
        ConnectionEvent.objects.create(
            connection=connection,
            from_status=connection.status,
            to_status=new_status,
            on=when,
            by=user,
            note=why,
        )
        connection.status, connection.status_on = new_status, when
    if new_status == ConnectionStatus.DID_NOT_STICK:
        connection.did_not_stick_reason = why
    final = new_status in (ConnectionStatus.SUSTAINED, ConnectionStatus.DID_NOT_STICK)
    connection.follow_up_on = None if final and not follow else follow
    _bump(connection, ["status", "status_on", "did_not_stick_reason", "follow_up_on"])
    _audit(user, "connection.updated", person, connection=connection.id, status=new_status)
    return connection


def _answers_clean(errors: _Errors, version: Any, answers: dict[str, Any]) -> dict[str, int]:
    clean = {}
    for question in version.questions:
        code = question["code"]
        value = answers.get(code)
        if value in (None, ""):
            errors.add(code, f"Answer: {question['text']}")
            continue
        clean[code] = _int(
            errors, code, value, low=question["min"], high=question["max"], label="the score"
        )
    unknown = set(answers) - {q["code"] for q in version.questions}
    if unknown:
        errors.add(sorted(unknown)[0], "That question is not part of this questionnaire")
    return clean


@transaction.atomic
def assessment_record(
    *,
    user: Any,
    person_id: Any,
    answers: dict[str, Any],
    recorded_on: Any,
    occasion: str = AssessmentOccasion.INTRODUCTION,
    instrument_code: str = "ons4",
) -> Assessment:
    """Wellbeing answers (ONS4 by default) at introduction, a review or closure. Scores
    outside the question's range (0–10 for ONS4) are refused."""
    person = _person_for_edit(user=user, person_id=person_id)
    version = instrument_version_current(code=instrument_code)
    errors = _Errors()
    on = _past_date(errors, "recorded_on", recorded_on, label="the date")
    clean_occasion = _choice(
        errors, "occasion", occasion, AssessmentOccasion, label="when it was recorded"
    )
    clean = _answers_clean(errors, version, answers)
    errors.raise_if_any()
    assessment = Assessment.objects.create(
        person=person,
        introduction=_open_introduction(person),
        instrument_version=version,
        occasion=clean_occasion,
        recorded_on=on,
        answers=clean,
    )
    _audit(
        user, "assessment.recorded", person, assessment=assessment.id, instrument=instrument_code
    )
    return assessment


@transaction.atomic
def review_record(
    *,
    user: Any,
    person_id: Any,
    reviewed_on: Any,
    summary: str,
    next_review_on: Any = None,
    answers: dict[str, Any] | None = None,
) -> Review:
    """A review of the journey, optionally with wellbeing answers recorded at it."""
    person = _person_for_edit(user=user, person_id=person_id)
    introduction = _open_introduction(person)
    if introduction is None:
        raise IntroductionState("There is no open introduction.", code="casework.not_open")
    errors = _Errors()
    on = _past_date(errors, "reviewed_on", reviewed_on, label="the date of the review")
    text = _text(
        errors, "summary", summary, max_length=10000, required=True, label="a summary of the review"
    )
    following = _any_date(errors, "next_review_on", next_review_on, label="next review date")
    if on and following and following <= on:
        errors.add("next_review_on", "Next review date must be after the review")
    if on and on < introduction.introduced_on:
        errors.add("reviewed_on", "The review must be on or after the date of introduction")
    version = None
    clean_answers: dict[str, int] = {}
    if answers and any(v not in (None, "") for v in answers.values()):
        version = instrument_version_current(code="ons4")
        clean_answers = _answers_clean(errors, version, answers)
    errors.raise_if_any()
    review = Review.objects.create(
        person=person,
        introduction=introduction,
        reviewed_on=on,
        summary=text,
        next_review_on=following,
        by=user,
    )
    introduction.next_review_on = following
    introduction.save(update_fields=["next_review_on", "updated_at"])
    if version is not None:
        Assessment.objects.create(
            person=person,
            introduction=introduction,
            instrument_version=version,
            occasion=AssessmentOccasion.REVIEW,
            recorded_on=on,
            answers=clean_answers,
        )
    _audit(user, "review.recorded", person, review=review.id, wellbeing=version is not None)
    return review


@transaction.atomic
def service_use_record(
    *,
    user: Any,
    person_id: Any,
    service_type: str,
    occurred_on: Any,
    source: str,
    quantity: Any = 1,
    note: str = "",
) -> ServiceUseEvent:
    """Crisis or statutory service use, dated, self-reported or from records."""
    person = _person_for_edit(user=user, person_id=person_id)
    errors = _Errors()
    kind: Any = ServiceType.objects.filter(code=service_type).first() if service_type else None
    if kind is None:
        errors.add("service_type", "Select a service type from the list")
    on = _past_date(errors, "occurred_on", occurred_on, label="the date")
    clean_source = _choice(errors, "source", source, ServiceUseSource, label="where this came from")
    number = _int(errors, "quantity", quantity, low=1, high=365, label="how many")
    text = _text(errors, "note", note, max_length=300)
    errors.raise_if_any()
    event = ServiceUseEvent.objects.create(
        person=person,
        service_type=kind,
        occurred_on=on,
        quantity=number,
        source=clean_source,
        note=text,
    )
    _audit(user, "service_use.recorded", person, event=event.id, service_type=service_type)
    return event


@transaction.atomic
def avoided_demand_record(
    *,
    user: Any,
    person_id: Any,
    service_type: str,
    recorded_on: Any,
    what: str,
    why: str,
    evidence: str,
    confidence: Any,
) -> AvoidedDemand:
    person = _person_for_edit(user=user, person_id=person_id)
    errors = _Errors()
    kind: Any = ServiceType.objects.filter(code=service_type).first() if service_type else None
    if kind is None:
        errors.add("service_type", "Select a service type from the list")
    record = AvoidedDemand(
        person=person,
        service_type=kind,
        recorded_on=_past_date(errors, "recorded_on", recorded_on, label="the date"),
        what=_text(
            errors, "what", what, max_length=300, required=True, label="what was avoided or delayed"
        ),
        why=_text(errors, "why", why, max_length=4000, required=True, label="why"),
        evidence=_text(
            errors, "evidence", evidence, max_length=4000, required=True, label="the evidence"
        ),
        confidence=_int(
            errors, "confidence", confidence, low=1, high=6, label="the confidence grade"
        ),
    )
    errors.raise_if_any()
    record.save()
    _audit(user, "avoided_demand.recorded", person, record=record.id, service_type=service_type)
    return record


def _theme(errors: _Errors, theme_id: Any) -> tuple[uuid.UUID | None, str]:
    """The directory category (id, name) an unmet need belongs to. Required once the
    directory has categories (before that, the need is kept in case work only)."""
    from placebase.assets.models import TaxonomyTerm

    if theme_id and _is_uuid(theme_id):
        term = TaxonomyTerm.objects.filter(pk=theme_id).values_list("id", "name").first()
        if term is not None:
            return term[0], term[1]
    if theme_id or TaxonomyTerm.objects.exists():
        errors.add("theme_id", "Choose the theme of the need")
    return None, ""


def _person_ward(person: Person) -> tuple[str, str] | None:
    """(code, name) of the ward the person lives in (newest vintage), if located in one."""
    codes = places_selectors.membership_codes_for(
        record_type=PERSON_RECORD_TYPE, record_id=person.id
    )
    wards = sorted((k for k in codes if k.startswith(f"{Level.WARD}_")), reverse=True)
    if not wards:
        return None
    code = codes[wards[0]]
    if not re.fullmatch(r"[EWSNK]\d{8}", code):  # the directory keys gaps by GSS code
        return None
    area = Area.objects.filter(code=code, boundary_set__level=Level.WARD).first()
    return code, area.name if area else ""


@transaction.atomic
def unmet_need_record(
    *,
    user: Any,
    person_id: Any,
    description: str,
    recorded_on: Any = None,
    theme_id: Any = None,
) -> UnmetNeed:
    """A need no local asset meets. Kept on the person's record (by their patch), and given
    to the directory's gap analysis as the person's ward and the theme only: no name, no
    description, nothing that points back to the person."""
    from placebase.assets import services as assets_services

    person = _person_for_edit(user=user, person_id=person_id)
    errors = _Errors()
    theme, theme_name = _theme(errors, theme_id)
    need = UnmetNeed(
        person=person,
        description=_text(
            errors, "description", description, max_length=300, required=True, label="the need"
        ),
        recorded_on=_past_date(
            errors, "recorded_on", recorded_on or timezone.localdate(), label="the date"
        ),
        area_code=person.patch_code,
        recorded_by=user,
        theme_name=theme_name,
    )
    errors.raise_if_any()
    ward = _person_ward(person) if theme else None
    if theme and ward:
        directory_need = assets_services.unmet_need_record(
            actor=user, area_code=ward[0], area_name=ward[1], term_id=theme
        )
        need.directory_need_id = directory_need.id
    need.save()
    _audit(
        user, "unmet_need.recorded", person, need=need.id, gap_analysis=bool(need.directory_need_id)
    )
    return need


@transaction.atomic
def introduction_close(
    *, user: Any, person_id: Any, reason: str, closed_on: Any, note: str = ""
) -> Introduction:
    person = _person_for_edit(user=user, person_id=person_id)
    introduction = _open_introduction(person)
    if introduction is None:
        raise IntroductionState("There is no open introduction.", code="casework.not_open")
    errors = _Errors()
    clean_reason = _choice(errors, "reason", reason, ClosureReason, label="why it is closing")
    on = _past_date(errors, "closed_on", closed_on, label="the date of closure")
    if on and on < introduction.introduced_on:
        errors.add("closed_on", "The date of closure must be on or after the introduction")
    text = _text(errors, "note", note, max_length=4000)
    errors.raise_if_any()
    introduction.status = IntroductionStatus.CLOSED
    introduction.closed_on, introduction.closure_reason, introduction.closure_note = (
        on,
        clean_reason,
        text,
    )
    introduction.next_review_on = None
    _bump(introduction, ["status", "closed_on", "closure_reason", "closure_note", "next_review_on"])
    Connection.objects.filter(person=person).update(follow_up_on=None)
    person.status = PersonStatus.CLOSED
    person.closed_at = timezone.now()
    _bump(person, ["status", "closed_at"])
    _audit(user, "introduction.closed", person, introduction=introduction.id, reason=clean_reason)
    return introduction


# ------------------------------------------------------------------------ erasure, retention


def _anonymise(person: Person, *, kind: str, reason: str, by: Any) -> None:
    """Remove everything that identifies the person; keep dates, kinds, scores and counts so
    the evidence (and the area counts) still add up."""
    for name in (
        "first_name",
        "last_name",
        "preferred_name",
        "email",
        "phone",
        "address_line_1",
        "address_line_2",
        "town",
        "postcode",
        "household",
        "preferred_language",
        "accessibility_needs",
        "health_conditions",
        "disability",
        "ethnicity",
        "last_name_key",
        "postcode_key",
        "legal_hold_reason",
    ):
        setattr(person, name, "")
    person.date_of_birth = person.latitude = person.longitude = None
    person.status = PersonStatus.ANONYMISED
    person.anonymised_at = timezone.now()
    person.version += 1
    person.save()
    person.introductions.update(
        reason="",
        source_detail="",
        closure_note="",
        vision="",
        can_do_myself="",
        family_community_can_do="",
        services_role="",
    )
    person.contacts.update(notes="")
    person.goals.update(description="(removed)")
    for strength in person.strengths.filter(gift__isnull=False):
        _gift_withdraw(by, strength.gift_id)
    person.strengths.all().delete()
    person.network.all().delete()
    person.connections.exclude(target_kind=ConnectionTargetKind.ASSET).update(
        target_name="(removed)"
    )
    person.connections.update(did_not_stick_reason="")
    ConnectionEvent.objects.filter(connection__person=person).update(note="")
    person.reviews.update(summary="")
    person.service_use.update(note="")
    person.avoided_demand.update(what="(removed)", why="", evidence="")
    person.consents.all().delete()
    ErasureRecord.objects.create(person=person, kind=kind, reason=reason, at=timezone.now(), by=by)


def _gift_withdraw(user: Any, gift_id: Any) -> None:
    try:
        from placebase.assets.services import gift_withdraw

        with transaction.atomic():
            gift_withdraw(actor=user, gift_id=gift_id)
    except (ImportError, DatabaseError, PlacebaseError):
        pass


@transaction.atomic
def person_erase(*, user: Any, person_id: Any, reason: str) -> Person:
    """Erasure at the person's request (UK GDPR art. 17), refused under a legal hold."""
    if user.role != Role.MANAGER:
        raise PermissionDenied("Only a manager can erase a record.")
    person = _person_for_edit(user=user, person_id=person_id)
    errors = _Errors()
    text = _text(
        errors, "reason", reason, max_length=300, required=True, label="the reason for erasure"
    )
    errors.raise_if_any()
    if person.legal_hold:
        raise LegalHold(
            "This record is under a legal hold, so it cannot be erased until the hold is lifted."
        )
    _anonymise(person, kind=ErasureKind.ERASURE, reason=text, by=user)
    _audit(user, "person.erased", person)
    return person


def retention_apply(
    *, now: datetime.datetime | None = None, days: int | None = None, dry_run: bool = False
) -> int:
    """Anonymise records closed for longer than the retention period (not under legal hold).
    One transaction per person, so a failure part-way keeps what was done."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=retention_days() if days is None else days)
    due = list(
        Person.objects.filter(
            status=PersonStatus.CLOSED, closed_at__lt=cutoff, legal_hold=False
        ).values_list("id", flat=True)
    )
    if dry_run:
        return len(due)
    done = 0
    for person_id in due:
        with transaction.atomic():
            person = (
                Person.objects.select_for_update()
                .filter(pk=person_id, status=PersonStatus.CLOSED, legal_hold=False)
                .first()
            )
            if person is None:
                continue
            _anonymise(person, kind=ErasureKind.RETENTION, reason="Retention period ended", by=None)
            audit_record(
                actor=None,
                verb="casework.person.retention_anonymised",
                target=person,
                target_type=PERSON_RECORD_TYPE,
                personal_data=True,
            )
            done += 1
    return done


# ------------------------------------------------------------------------ area combinations


def area_combinations_refresh(*, batch_size: int = 2000) -> int:
    """Re-read every person's area combination from the places engine (after it re-locates
    records, e.g. when a boundary set is imported or activated) and copy it to their
    introductions and connections. Batches, each atomic; safe to run again. Returns how
    many people changed."""
    from placebase.places.models import LocatedPoint

    places_services.located_point_combinations_fill(record_type=PERSON_RECORD_TYPE)
    changed = 0
    last: uuid.UUID | None = None
    while True:
        people = Person.objects.order_by("id")
        if last is not None:
            people = people.filter(id__gt=last)
        batch = list(people.values_list("id", "area_combination_id")[:batch_size])
        if not batch:
            return changed
        last = batch[-1][0]
        located = dict(
            LocatedPoint.objects.filter(
                record_type=PERSON_RECORD_TYPE, record_id__in=[pk for pk, _ in batch]
            ).values_list("record_id", "combination_id")
        )
        moves: dict[int | None, list[uuid.UUID]] = defaultdict(list)
        for pk, current in batch:
            if located.get(pk) != current:
                moves[located.get(pk)].append(pk)
        with transaction.atomic():
            for combination_id, ids in moves.items():
                for start in range(0, len(ids), 500):
                    part = ids[start : start + 500]
                    Person.objects.filter(id__in=part).update(area_combination_id=combination_id)
                    Introduction.objects.filter(person_id__in=part).update(
                        area_combination_id=combination_id
                    )
                    Connection.objects.filter(person_id__in=part).update(
                        area_combination_id=combination_id
                    )
                changed += len(ids)


# ------------------------------------------------------------------------ patches, tokens


@transaction.atomic
def patch_assign(*, user: Any, coordinator_id: Any, area_id: Any) -> PatchAssignment:
    """Make `coordinator` the coordinator of a patch (a places area of level "patch")."""
    if user.role not in (Role.MANAGER, Role.ADMIN):
        raise PermissionDenied("Only a manager can assign patches.")
    coordinator = _coordinator_choice(user, coordinator_id)
    if coordinator is None:
        raise CaseworkInvalid(
            "Select a coordinator", errors={"coordinator": "Select a coordinator"}
        )
    area = Area.objects.filter(pk=area_id, boundary_set__level=Level.PATCH).first()
    if area is None:
        raise CaseworkInvalid("Select a patch", errors={"area": "Select a patch"})
    assignment, _ = PatchAssignment.objects.update_or_create(
        user=coordinator, area=area, defaults={"is_active": True}
    )
    audit_record(
        actor=user,
        verb="casework.patch.assigned",
        target=assignment,
        payload={"area_code": area.code},
    )
    return assignment


@transaction.atomic
def patch_assignment_end(*, user: Any, assignment_id: Any) -> PatchAssignment:
    """A coordinator no longer covers a patch: new introductions there are no longer given
    to them (the people already on their caseload stay with them)."""
    if user.role not in (Role.MANAGER, Role.ADMIN):
        raise PermissionDenied("Only a manager can end a patch assignment.")
    assignment = (
        PatchAssignment.objects.select_for_update()
        .filter(pk=assignment_id, user__organisation_id=user.organisation_id)
        .select_related("area")
        .first()
        if _is_uuid(assignment_id)
        else None
    )
    if assignment is None:
        raise NotFound("No such patch assignment.")
    if not assignment.is_active:
        raise IntroductionState(
            "That assignment has already ended.", code="casework.patch_already_ended"
        )
    assignment.is_active = False
    assignment.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=user,
        verb="casework.patch.ended",
        target=assignment,
        payload={"area_code": assignment.area.code},
    )
    return assignment


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """A new API token for `user`. The key is shown once; only its hash is kept."""
    key = "pbk_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100] or "API token", key_hash=api_token_hash(key)
    )
    audit_record(
        actor=user,
        verb="casework.api_token.issued",
        target_type="casework.apitoken",
        target_id=str(token.id),
    )
    return token, key


def api_token_user(*, key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=api_token_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


# ------------------------------------------------------------------------ demo


def demo_casework_load(*, seed: int) -> dict[str, int]:
    """The demo's case work (fictional Sutton residents); see `demo.py`. Idempotent."""
    from .demo import casework_demo_load

    return casework_demo_load(seed=seed)


# ------------------------------------------------------------------------ reminders


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Email each coordinator how many follow-ups and reviews are due. Counts and a link
    only: an email is no place for a resident's name."""
    from django.core.mail import send_mail
    from django.urls import reverse

    from .selectors import reminders_due

    sent = 0
    due = reminders_due(today=today)
    users = User.objects.filter(pk__in=list(due), is_active=True).exclude(email="")
    for user in users:
        counts = due[user.pk]
        send_mail(
            subject="Placebase: follow-ups and reviews due",
            message=(
                f"You have {counts['follow_ups']} connection follow-up(s) and "
                f"{counts['reviews']} review(s) due or overdue.\n\n"
                f"See them on your case-work page: {reverse('casework:home')}\n"
            ),
            from_email=None,
            recipient_list=[user.email],
        )
        audit_record(actor=None, verb="casework.reminder.sent", target=user, payload=counts)
        sent += 1
    return sent
