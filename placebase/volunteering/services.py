"""Writes for volunteering. Each is one transaction, checks its predicate, raises an error with a
stable code (`errors.py`) and records an audit entry."""

import datetime as dt
import logging
import secrets
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from placebase.accounts.permissions import Action, can
from placebase.accounts.roles import Role
from placebase.core.audit import audit_record
from placebase.core.errors import ValidationFailed

from . import availability as slots
from . import geo
from .errors import (
    AlreadyPledged,
    EditedElsewhere,
    GuardianApprovalNeeded,
    GuardianTokenInvalid,
    HoursInvalid,
    HoursStateInvalid,
    NotHost,
    OpportunityClosed,
    OpportunityFull,
    PledgeStateInvalid,
    SafeguardingCheckMissing,
    SignUpRejected,
    TooYoungForRole,
    VolunteeringInvalid,
)
from .models import (
    ACTIVE_PLEDGE_STATUSES,
    OPPORTUNITY_RECORD_TYPE,
    SITE_RECORD_TYPE,
    VOLUNTEER_RECORD_TYPE,
    Badge,
    BadgeAward,
    BadgeKind,
    CelebrationEvent,
    CheckLevel,
    HoursEntry,
    HoursSource,
    HoursStatus,
    Invitation,
    InvitationReply,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Pledge,
    PledgeStatus,
    SafeguardingCheck,
    SafeguardingWarning,
    Shift,
    Site,
    Skill,
    ThankYou,
    Volunteer,
    VolunteerStatus,
    VolunteerWellbeing,
    WellbeingSource,
)

logger = logging.getLogger(__name__)

MINIMUM_SIGN_UP_AGE = 14
ADULT_AGE = 18
TRAVEL_KM_CHOICES = (1, 2, 5, 10, 20)
MAX_MICRO_MINUTES = 120
MAX_MINUTES_A_DAY = 24 * 60
HOURS_LOG_WINDOW_DAYS = 365
WARNING_DAYS = (60, 30, 7)
DBS_RENEWAL_YEARS = 3
GUARDIAN_SALT = "volunteering.guardian"
GUARDIAN_TOKEN_MAX_AGE = 30 * 24 * 60 * 60
CONSENT_STATEMENT = (
    "I agree that the organisations I volunteer with may keep my details to arrange my "
    "volunteering, check my safeguarding, record my hours and thank me. I can withdraw at any "
    "time."
)
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _require_host(actor: Any, organisation_id: Any) -> None:
    """Coordinators manage their own organisation's volunteering only (admins included)."""
    if not can(actor, Action.MANAGE_VOLUNTEERING):
        raise NotHost("You cannot manage volunteering.")
    if actor.organisation_id is None or actor.organisation_id != organisation_id:
        raise NotHost("Only the host organisation can do this.")


def _not_erased(volunteer: Volunteer) -> None:
    if volunteer.status == VolunteerStatus.ERASED:
        raise VolunteeringInvalid("This volunteer's record has been erased.")


def _send(subject: str, body: str, to: str) -> None:
    """Email someone; a mail server's failure is logged, never lost as a failed request."""
    if not to:
        return
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:  # noqa: BLE001 - any transport error
        logger.exception("volunteering.email_failed")


def _locate(postcode: str) -> geo.Point:
    return geo.postcode_point(postcode)


# --- skills -----------------------------------------------------------------------------------


@transaction.atomic
def skill_ensure(*, slug: str, name: str) -> Skill:
    skill, _ = Skill.objects.get_or_create(slug=slug, defaults={"name": name})
    return skill


def _skills_from_slugs(slugs: list[str] | tuple[str, ...]) -> list[Skill]:
    wanted = set(slugs)
    found = list(Skill.objects.filter(slug__in=wanted))
    if len(found) != len(wanted):
        unknown = sorted(wanted - {s.slug for s in found})
        raise VolunteeringInvalid(f"Unknown skills: {', '.join(unknown)}", field="skills")
    return found


# --- volunteers -------------------------------------------------------------------------------


def guardian_token(volunteer: Volunteer) -> str:
    return signing.dumps(str(volunteer.pk), salt=GUARDIAN_SALT)


@transaction.atomic
def volunteer_sign_up(
    *,
    first_name: str,
    last_name: str,
    email: str,
    date_of_birth: dt.date,
    postcode: str,
    password: str,
    consent: bool,
    skills: list[str] | tuple[str, ...] = (),
    availability: int = 0,
    travel_km: int = 5,
    interests: str = "",
    phone: str = "",
    guardian_name: str = "",
    guardian_email: str = "",
    organisation: Any = None,
    base_url: str = "",
    today: dt.date | None = None,
) -> Volunteer:
    """A member of the public signs up to volunteer: an account (volunteer role) and a profile.

    Under 18s stay `awaiting_guardian` until a parent or guardian approves through the link
    emailed to them; until then they cannot be confirmed for anything.
    """
    first_name, last_name = first_name.strip(), last_name.strip()
    email = email.strip().lower()
    problems: dict[str, str] = {}
    if not first_name:
        problems["first_name"] = "Enter your first name"
    if not last_name:
        problems["last_name"] = "Enter your last name"
    if not email or "@" not in email:
        problems["email"] = "Enter an email address in the correct format, like name@example.com"
    if not consent:
        problems["consent"] = "Confirm you agree to us keeping your details"
    day = _today(today)
    age = age_on(date_of_birth, day)
    if date_of_birth > day:
        problems["date_of_birth"] = "Date of birth must be in the past"
    elif age < MINIMUM_SIGN_UP_AGE:
        problems["date_of_birth"] = (
            f"You must be {MINIMUM_SIGN_UP_AGE} or older to sign up. Ask a parent or guardian "
            "about family volunteering"
        )
    under_18 = age < ADULT_AGE
    guardian_email = guardian_email.strip().lower()
    if under_18 and date_of_birth <= day:
        if not guardian_name.strip():
            problems["guardian_name"] = "Enter your parent or guardian's name"
        if not guardian_email or "@" not in guardian_email:
            problems["guardian_email"] = "Enter your parent or guardian's email address"
        elif guardian_email == email:
            problems["guardian_email"] = (
                "Your parent or guardian's email address must be different from yours"
            )
    if travel_km not in TRAVEL_KM_CHOICES:
        problems["travel_km"] = "Choose how far you can travel"
    if not 0 <= availability <= slots.ALL:
        problems["availability"] = "Choose when you are free"
    User = get_user_model()
    if email and User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
        problems["email"] = "You already have an account with this email address: sign in instead"
    try:
        validate_password(password, User(username=email, email=email, first_name=first_name))
    except ValidationError as error:
        problems["password"] = " ".join(error.messages)
    point = None
    try:
        point = _locate(postcode)
    except ValidationFailed as error:  # the places engine's postcode errors, whatever code
        problems["postcode"] = error.message
    try:
        skill_objects = _skills_from_slugs(list(skills))
    except VolunteeringInvalid as error:
        problems["skills"] = error.message
        skill_objects = []
    if problems or point is None:
        raise SignUpRejected("Check your answers", problems=problems)

    user = User.objects.create_user(
        username=email,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        role=Role.VOLUNTEER,
        organisation=organisation,
    )
    ward = geo.ward_at(lat=point.lat, lon=point.lon)
    volunteer = Volunteer.objects.create(
        user=user,
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone.strip(),
        date_of_birth=date_of_birth,
        postcode=point.postcode,
        lat=point.lat,
        lon=point.lon,
        ward_code=ward.code if ward else "",
        ward_name=ward.name if ward else "",
        travel_km=travel_km,
        availability=availability,
        interests=interests.strip(),
        status=VolunteerStatus.AWAITING_GUARDIAN if under_18 else VolunteerStatus.ACTIVE,
        consent_given_at=timezone.now(),
        consent_statement=CONSENT_STATEMENT,
        guardian_name=guardian_name.strip() if under_18 else "",
        guardian_email=guardian_email if under_18 else "",
    )
    volunteer.skills.set(skill_objects)
    geo.point_assign(
        record_type=VOLUNTEER_RECORD_TYPE, record_id=volunteer.pk, lat=point.lat, lon=point.lon
    )
    audit_record(
        actor=user,
        verb="volunteer.signed_up",
        target=volunteer,
        personal_data=True,
        payload={"under_18": under_18, "skills": len(skill_objects)},
    )
    if under_18:
        link = f"{base_url.rstrip('/')}/volunteering/guardian/{guardian_token(volunteer)}/"
        transaction.on_commit(
            lambda: _send(
                "Please approve your child's volunteering",
                f"{first_name} has signed up to volunteer with {settings.SERVICE_NAME} and named "
                f"you as their parent or guardian.\n\nTo approve, open this link:\n{link}\n\n"
                "If you do not approve, ignore this email and they will not be placed with anyone.",
                guardian_email,
            )
        )
    return volunteer


def volunteer_from_guardian_token(token: str) -> Volunteer:
    try:
        volunteer_id = signing.loads(token, salt=GUARDIAN_SALT, max_age=GUARDIAN_TOKEN_MAX_AGE)
        return Volunteer.objects.get(pk=volunteer_id)
    except (signing.BadSignature, Volunteer.DoesNotExist, ValueError, ValidationError):
        raise GuardianTokenInvalid(
            "This approval link is not valid or has expired. Ask the volunteer to contact us."
        ) from None


@transaction.atomic
def volunteer_guardian_approve(*, token: str, guardian_name: str, confirm: bool) -> Volunteer:
    volunteer = volunteer_from_guardian_token(token)
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if not confirm:
        raise GuardianApprovalNeeded("Confirm that you approve", field="confirm")
    if not guardian_name.strip():
        raise GuardianApprovalNeeded("Enter your name", field="guardian_name")
    if volunteer.guardian_approved_at is None:
        volunteer.guardian_approved_at = timezone.now()
        volunteer.guardian_name = guardian_name.strip()[:200]
        if volunteer.status == VolunteerStatus.AWAITING_GUARDIAN:
            volunteer.status = VolunteerStatus.ACTIVE
        volunteer.save(
            update_fields=["guardian_approved_at", "guardian_name", "status", "updated_at"]
        )
        audit_record(
            actor=None, verb="volunteer.guardian_approved", target=volunteer, personal_data=True
        )
    return volunteer


@transaction.atomic
def volunteer_link_casework_person(*, actor: Any, volunteer: Volunteer, person: Any) -> Volunteer:
    """Say that a volunteer is the same human as a person in case work (a gift offered)."""
    if not can(actor, Action.EDIT_PERSONAL_DATA) and not can(actor, Action.MANAGE_VOLUNTEERING):
        raise NotHost("You cannot link records.")
    if getattr(person, "organisation_id", None) != actor.organisation_id:
        raise NotHost("That person is not one of your organisation's.")
    volunteer.casework_person = person
    volunteer.save(update_fields=["casework_person", "updated_at"])
    audit_record(
        actor=actor,
        verb="volunteer.linked_to_person",
        target=volunteer,
        personal_data=True,
        payload={"person": str(person.pk)},
    )
    return volunteer


@transaction.atomic
def volunteer_profile_update(
    *,
    actor: Any,
    volunteer: Volunteer,
    version: int | None,
    postcode: str,
    skills: list[str] | tuple[str, ...] = (),
    interests: str = "",
    availability: int = 0,
    travel_km: int = 5,
    phone: str = "",
    may_be_suggested: bool = True,
) -> Volunteer:
    """A volunteer changes their own skills, interests, availability, area and contact number.
    Bad input changes nothing: every problem comes back at once."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if actor is None or volunteer.user_id is None or volunteer.user_id != actor.pk:
        raise NotHost("You can only change your own details.")
    if volunteer.status == VolunteerStatus.ERASED:
        raise VolunteeringInvalid("This volunteering account is closed.")
    _stale(volunteer, version)
    problems: dict[str, str] = {}
    if travel_km not in TRAVEL_KM_CHOICES:
        problems["travel_km"] = "Choose how far you can travel"
    if not 0 <= availability <= slots.ALL:
        problems["availability"] = "Choose when you are free"
    if len(interests) > 1000:
        problems["interests"] = "Keep this to 1,000 characters"
    if len(phone.strip()) > 40:
        problems["phone"] = "Enter a phone number of up to 40 characters"
    point = None
    if postcode.strip().upper().replace(" ", "") != volunteer.postcode.replace(" ", ""):
        try:
            point = _locate(postcode)
        except ValidationFailed as error:
            problems["postcode"] = error.message
    try:
        skill_objects = _skills_from_slugs(list(skills))
    except VolunteeringInvalid as error:
        problems["skills"] = error.message
        skill_objects = []
    if problems:
        raise VolunteeringInvalid("Check your answers", problems=problems)
    if point is not None:
        ward = geo.ward_at(lat=point.lat, lon=point.lon)
        volunteer.postcode, volunteer.lat, volunteer.lon = point.postcode, point.lat, point.lon
        volunteer.ward_code = ward.code if ward else ""
        volunteer.ward_name = ward.name if ward else ""
        geo.point_assign(
            record_type=VOLUNTEER_RECORD_TYPE, record_id=volunteer.pk, lat=point.lat, lon=point.lon
        )
    volunteer.interests = interests.strip()
    volunteer.availability = availability
    volunteer.travel_km = travel_km
    volunteer.phone = phone.strip()
    volunteer.may_be_suggested = may_be_suggested
    volunteer.version += 1
    volunteer.save()
    volunteer.skills.set(skill_objects)
    audit_record(
        actor=actor,
        verb="volunteer.profile_updated",
        target=volunteer,
        personal_data=True,
        payload={"moved": point is not None, "skills": len(skill_objects)},
    )
    return volunteer


def _may_erase(actor: Any, volunteer: Volunteer) -> bool:
    """The volunteer themself, or a volunteering manager of the organisation they registered
    with (or, for a volunteer who registered with nobody, of one they pledged to)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if volunteer.user_id is not None and volunteer.user_id == actor.pk:
        return True
    if not can(actor, Action.MANAGE_VOLUNTEERING) or actor.organisation_id is None:
        return False
    if volunteer.organisation_id is not None:
        return bool(volunteer.organisation_id == actor.organisation_id)
    return volunteer.pledges.filter(opportunity__organisation_id=actor.organisation_id).exists()


ERASED_FIRST_NAME, ERASED_LAST_NAME = "Erased", "volunteer"


@transaction.atomic
def volunteer_erase(*, actor: Any, volunteer: Volunteer, reason: str) -> Volunteer:
    """Erasure (UK GDPR art. 17) with a recorded reason. The record stays, anonymised: names,
    contact details, date of birth (only the year is kept), home, skills, guardian, safeguarding
    checks, wellbeing answers, messages, badges and invitations go; the account is closed;
    pledges still pending are withdrawn. Verified hours stay, with their notes removed, as
    anonymous time given, so the value of volunteering reported before does not change."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if not _may_erase(actor, volunteer):
        raise NotHost("You cannot erase this volunteer's record.")
    if volunteer.status == VolunteerStatus.ERASED:
        raise VolunteeringInvalid("This record has already been erased.")
    reason = reason.strip()
    if not reason:
        raise VolunteeringInvalid("Give the reason for erasure", field="reason")
    if len(reason) > 300:
        raise VolunteeringInvalid("Keep the reason to 300 characters", field="reason")
    by_self = volunteer.user_id is not None and volunteer.user_id == actor.pk
    user = volunteer.user
    Pledge.objects.filter(
        volunteer=volunteer,
        status__in=(PledgeStatus.PLEDGED, PledgeStatus.REQUESTED, PledgeStatus.CONFIRMED),
    ).update(status=PledgeStatus.WITHDRAWN, updated_at=timezone.now())
    Pledge.objects.filter(volunteer=volunteer).update(decline_reason="")
    kept = volunteer.hours.filter(status=HoursStatus.VERIFIED)
    kept.update(note="", rejection_reason="")
    dropped_hours = volunteer.hours.exclude(status=HoursStatus.VERIFIED).delete()[0]
    volunteer.safeguarding_checks.all().delete()
    volunteer.wellbeing.all().delete()
    volunteer.thanks.all().delete()
    volunteer.badges.all().delete()
    volunteer.invitations.all().delete()
    volunteer.skills.clear()
    geo.point_remove(record_type=VOLUNTEER_RECORD_TYPE, record_id=volunteer.pk)
    volunteer.first_name, volunteer.last_name = ERASED_FIRST_NAME, ERASED_LAST_NAME
    volunteer.email = ""
    volunteer.phone = ""
    volunteer.date_of_birth = dt.date(volunteer.date_of_birth.year, 1, 1)
    volunteer.postcode = ""
    volunteer.interests = ""
    volunteer.guardian_name = volunteer.guardian_email = ""
    volunteer.casework_person = None
    volunteer.may_be_suggested = False
    volunteer.user = None
    volunteer.status = VolunteerStatus.ERASED
    volunteer.erased_at = timezone.now()
    volunteer.erasure_reason = reason
    volunteer.version += 1
    volunteer.save()
    if user is not None:
        user.username = f"erased-{volunteer.pk}"
        user.email = user.first_name = user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
    audit_record(
        actor=actor,
        verb="volunteer.erased",
        target=volunteer,
        personal_data=True,
        payload={
            "by_volunteer": by_self,
            "verified_hours_entries_kept": kept.count(),
            "unverified_hours_entries_removed": dropped_hours,
        },
    )
    return volunteer


ONS4_QUESTIONS = (
    ("life_satisfaction", "Overall, how satisfied are you with your life nowadays?"),
    (
        "worthwhile",
        "Overall, to what extent do you feel the things you do in your life are worthwhile?",
    ),
    ("happiness", "Overall, how happy did you feel yesterday?"),
    ("anxiety", "Overall, how anxious did you feel yesterday?"),
)


@transaction.atomic
def wellbeing_record(
    *,
    actor: Any,
    volunteer: Volunteer,
    answers: dict[str, int | None],
    recorded_on: dt.date | None = None,
    today: dt.date | None = None,
) -> VolunteerWellbeing:
    """The volunteer's ONS4 answers (0-10 each), by the volunteer themself or by a coordinator
    of an organisation they volunteer with (marked as entered by staff)."""
    by_self = volunteer.user_id is not None and actor is not None and volunteer.user_id == actor.pk
    if not by_self:
        _require_host(actor, actor.organisation_id if actor is not None else None)
        if (
            not _may_erase(actor, volunteer)
            and not volunteer.pledges.filter(
                opportunity__organisation_id=actor.organisation_id
            ).exists()
        ):
            raise NotHost("That volunteer is not one of your organisation's.")
    if volunteer.status == VolunteerStatus.ERASED:
        raise VolunteeringInvalid("This volunteering account is closed.")
    day = _today(today)
    recorded_on = recorded_on or day
    problems: dict[str, str] = {}
    for name, _question in ONS4_QUESTIONS:
        value = answers.get(name)
        if value is None or not 0 <= int(value) <= 10:
            problems[name] = "Choose a number from 0 to 10"
    if recorded_on > day:
        problems["recorded_on"] = "The date must be today or in the past"
    if problems:
        raise VolunteeringInvalid(
            "Answer every question with a number from 0 to 10", problems=problems
        )
    entry = VolunteerWellbeing.objects.create(
        volunteer=volunteer,
        recorded_on=recorded_on,
        life_satisfaction=int(answers["life_satisfaction"] or 0),
        worthwhile=int(answers["worthwhile"] or 0),
        happiness=int(answers["happiness"] or 0),
        anxiety=int(answers["anxiety"] or 0),
        source=WellbeingSource.VOLUNTEER if by_self else WellbeingSource.STAFF,
        entered_by=actor,
    )
    audit_record(
        actor=actor,
        verb="volunteer.wellbeing_recorded",
        target=volunteer,
        personal_data=True,
        payload={"by_volunteer": by_self},
    )
    return entry


# --- opportunities ----------------------------------------------------------------------------


def _opportunity_check(
    *,
    title: str,
    summary: str,
    kind: str,
    duration_minutes: int | None,
    regulated_activity: bool,
    check_level: int,
    minimum_age: int,
    capacity: int | None,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
) -> None:
    """The rules an opportunity's details follow, on creation and on every edit."""
    if not title or not summary:
        raise VolunteeringInvalid("Enter a title and a short summary", field="title")
    if kind not in OpportunityKind.values:
        raise VolunteeringInvalid("Choose what kind of opportunity it is", field="kind")
    if kind == OpportunityKind.MICRO:
        if not duration_minutes or not 1 <= duration_minutes <= MAX_MICRO_MINUTES:
            raise VolunteeringInvalid(
                f"A micro pledge takes between 1 and {MAX_MICRO_MINUTES} minutes",
                field="duration_minutes",
            )
        if check_level != CheckLevel.NONE or regulated_activity:
            raise VolunteeringInvalid(
                "A micro pledge cannot need a safeguarding check: make it a one-off task",
                field="check_level",
            )
    if check_level not in CheckLevel.values:
        raise VolunteeringInvalid("Choose a check level", field="check_level")
    # Regulated activity needs an enhanced check with a barred-list check (DBS guidance).
    if regulated_activity and check_level < CheckLevel.ENHANCED_BARRED:
        raise VolunteeringInvalid(
            "Regulated activity needs an enhanced DBS check with a barred list check",
            field="check_level",
        )
    if capacity is not None and capacity < 1:
        raise VolunteeringInvalid("Capacity must be 1 or more, or left blank", field="capacity")
    if starts_on and ends_on and ends_on < starts_on:
        raise VolunteeringInvalid("The end date must be on or after the start", field="ends_on")
    if not 0 <= minimum_age <= 25:
        raise VolunteeringInvalid("Enter a minimum age from 0 to 25", field="minimum_age")


@transaction.atomic
def opportunity_create(
    *,
    actor: Any,
    title: str,
    summary: str,
    kind: str,
    postcode: str,
    host_name: str = "",
    description: str = "",
    duration_minutes: int | None = None,
    skills: list[str] | tuple[str, ...] = (),
    regulated_activity: bool = False,
    check_level: int = CheckLevel.NONE,
    minimum_age: int = 0,
    capacity: int | None = None,
    availability: int = 0,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    asset_id: Any = None,
    status: str = OpportunityStatus.PUBLISHED,
    organisation: Any = None,
) -> Opportunity:
    organisation = organisation or actor.organisation
    _require_host(actor, getattr(organisation, "pk", None))
    title, summary = title.strip(), summary.strip()
    _opportunity_check(
        title=title,
        summary=summary,
        kind=kind,
        duration_minutes=duration_minutes,
        regulated_activity=regulated_activity,
        check_level=check_level,
        minimum_age=minimum_age,
        capacity=capacity,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    point = _locate(postcode)
    skill_objects = _skills_from_slugs(list(skills))
    ward = geo.ward_at(lat=point.lat, lon=point.lon)
    opportunity = Opportunity.objects.create(
        organisation=organisation,
        asset_id=asset_id,
        host_name=host_name or organisation.name,
        title=title,
        summary=summary,
        description=description.strip(),
        kind=kind,
        duration_minutes=duration_minutes,
        regulated_activity=regulated_activity,
        check_level=check_level,
        minimum_age=minimum_age,
        capacity=capacity,
        availability=availability,
        postcode=point.postcode,
        lat=point.lat,
        lon=point.lon,
        ward_code=ward.code if ward else "",
        ward_name=ward.name if ward else "",
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        created_by=actor,
    )
    opportunity.skills.set(skill_objects)
    geo.point_assign(
        record_type=OPPORTUNITY_RECORD_TYPE, record_id=opportunity.pk, lat=point.lat, lon=point.lon
    )
    audit_record(
        actor=actor, verb="opportunity.created", target=opportunity, payload={"kind": kind}
    )
    return opportunity


@transaction.atomic
def opportunity_status_set(*, actor: Any, opportunity: Opportunity, status: str) -> Opportunity:
    _require_host(actor, opportunity.organisation_id)
    if status not in OpportunityStatus.values:
        raise VolunteeringInvalid("Choose a status", field="status")
    opportunity.status = status
    opportunity.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, verb="opportunity.status_set", target=opportunity, payload={"status": status}
    )
    return opportunity


@transaction.atomic
def site_add(
    *,
    actor: Any,
    opportunity: Opportunity,
    name: str,
    postcode: str,
    capacity: int | None = None,
    asset_id: Any = None,
) -> Site:
    _require_host(actor, opportunity.organisation_id)
    if not name.strip():
        raise VolunteeringInvalid("Enter the site's name", field="name")
    if capacity is not None and capacity < 1:
        raise VolunteeringInvalid("Capacity must be 1 or more, or left blank", field="capacity")
    point = _locate(postcode)
    site = Site.objects.create(
        opportunity=opportunity,
        name=name.strip(),
        postcode=point.postcode,
        lat=point.lat,
        lon=point.lon,
        capacity=capacity,
        asset_id=asset_id,
    )
    geo.point_assign(record_type=SITE_RECORD_TYPE, record_id=site.pk, lat=point.lat, lon=point.lon)
    audit_record(actor=actor, verb="opportunity.site_added", target=site)
    return site


@transaction.atomic
def shift_add(
    *,
    actor: Any,
    opportunity: Opportunity,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    site: Site | None = None,
    capacity: int | None = None,
) -> Shift:
    _require_host(actor, opportunity.organisation_id)
    _shift_check(opportunity=opportunity, starts_at=starts_at, ends_at=ends_at, site=site)
    if starts_at <= timezone.now():
        raise VolunteeringInvalid("A new shift must start in the future", field="starts_at")
    if capacity is not None and capacity < 1:
        raise VolunteeringInvalid("Capacity must be 1 or more, or left blank", field="capacity")
    shift = Shift.objects.create(
        opportunity=opportunity, site=site, starts_at=starts_at, ends_at=ends_at, capacity=capacity
    )
    audit_record(actor=actor, verb="opportunity.shift_added", target=shift)
    return shift


def _stale(instance: Any, version: int | None) -> None:
    if version is not None and version != instance.version:
        raise EditedElsewhere(
            "Someone else changed this while you were editing it. Check their changes, then "
            "make yours again."
        )


def _active_pledges(**filters: Any) -> int:
    return Pledge.objects.filter(status__in=ACTIVE_PLEDGE_STATUSES, **filters).count()


@transaction.atomic
def opportunity_update(
    *,
    actor: Any,
    opportunity: Opportunity,
    version: int | None,
    title: str,
    summary: str,
    kind: str,
    postcode: str,
    host_name: str = "",
    description: str = "",
    duration_minutes: int | None = None,
    skills: list[str] | tuple[str, ...] = (),
    regulated_activity: bool = False,
    check_level: int = CheckLevel.NONE,
    minimum_age: int = 0,
    capacity: int | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Opportunity:
    """Edit an opportunity. Refused when someone else saved first (optimistic locking), when
    the kind would change after people pledged, when fewer places would be left than people
    hold, or when a confirmed volunteer would lack the check the new level needs."""
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    _require_host(actor, opportunity.organisation_id)
    _stale(opportunity, version)
    title, summary = title.strip(), summary.strip()
    _opportunity_check(
        title=title,
        summary=summary,
        kind=kind,
        duration_minutes=duration_minutes,
        regulated_activity=regulated_activity,
        check_level=check_level,
        minimum_age=minimum_age,
        capacity=capacity,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    pledged = Pledge.objects.filter(opportunity=opportunity)
    if kind != opportunity.kind and pledged.exists():
        raise VolunteeringInvalid(
            "The kind cannot change once people have pledged: close this opportunity and post "
            "a new one",
            field="kind",
        )
    if capacity is not None and kind != OpportunityKind.MICRO:
        taken = _active_pledges(opportunity=opportunity)
        if capacity < taken:
            raise VolunteeringInvalid(
                f"{taken} people already hold places: the capacity cannot be less than that",
                field="capacity",
            )
    if check_level > opportunity.check_level:
        day = _today(today)
        lacking = sum(
            1
            for pledge in pledged.filter(status=PledgeStatus.CONFIRMED).select_related("volunteer")
            if pledge.volunteer is not None
            and not _check_covers(pledge.volunteer, check_level, day)
        )
        if lacking:
            raise VolunteeringInvalid(
                f"{lacking} confirmed volunteer{'s' if lacking != 1 else ''} do not hold a "
                f"{CheckLevel(check_level).label}: record their checks first, or decline them",
                field="check_level",
            )
    skill_objects = _skills_from_slugs(list(skills))
    changed = [
        name
        for name, value in (
            ("title", title),
            ("summary", summary),
            ("kind", kind),
            ("check_level", check_level),
            ("capacity", capacity),
            ("minimum_age", minimum_age),
        )
        if getattr(opportunity, name) != value
    ]
    if postcode.strip().upper().replace(" ", "") != opportunity.postcode.replace(" ", ""):
        point = _locate(postcode)
        ward = geo.ward_at(lat=point.lat, lon=point.lon)
        opportunity.postcode, opportunity.lat, opportunity.lon = (
            point.postcode,
            point.lat,
            point.lon,
        )
        opportunity.ward_code = ward.code if ward else ""
        opportunity.ward_name = ward.name if ward else ""
        geo.point_assign(
            record_type=OPPORTUNITY_RECORD_TYPE,
            record_id=opportunity.pk,
            lat=point.lat,
            lon=point.lon,
        )
        changed.append("postcode")
    opportunity.title, opportunity.summary = title, summary
    opportunity.description = description.strip()
    opportunity.host_name = host_name.strip() or opportunity.organisation.name
    opportunity.kind = kind
    opportunity.duration_minutes = duration_minutes
    opportunity.regulated_activity = regulated_activity
    opportunity.check_level = check_level
    opportunity.minimum_age = minimum_age
    opportunity.capacity = capacity
    opportunity.starts_on, opportunity.ends_on = starts_on, ends_on
    opportunity.version += 1
    opportunity.save()
    opportunity.skills.set(skill_objects)
    audit_record(
        actor=actor,
        verb="opportunity.updated",
        target=opportunity,
        payload={"changed": sorted(changed)},
    )
    return opportunity


@transaction.atomic
def site_update(
    *,
    actor: Any,
    site: Site,
    name: str,
    postcode: str,
    capacity: int | None = None,
) -> Site:
    site = Site.objects.select_for_update().select_related("opportunity").get(pk=site.pk)
    _require_host(actor, site.opportunity.organisation_id)
    if not name.strip():
        raise VolunteeringInvalid("Enter the site's name", field="name")
    if capacity is not None and capacity < 1:
        raise VolunteeringInvalid("Capacity must be 1 or more, or left blank", field="capacity")
    taken = _active_pledges(site=site)
    if capacity is not None and capacity < taken:
        raise VolunteeringInvalid(
            f"{taken} people already hold places here: the capacity cannot be less than that",
            field="capacity",
        )
    if postcode.strip().upper().replace(" ", "") != site.postcode.replace(" ", ""):
        point = _locate(postcode)
        site.postcode, site.lat, site.lon = point.postcode, point.lat, point.lon
        geo.point_assign(
            record_type=SITE_RECORD_TYPE, record_id=site.pk, lat=point.lat, lon=point.lon
        )
    site.name = name.strip()
    site.capacity = capacity
    site.save()
    audit_record(actor=actor, verb="opportunity.site_updated", target=site)
    return site


def _shift_check(
    *, opportunity: Opportunity, starts_at: dt.datetime, ends_at: dt.datetime, site: Site | None
) -> None:
    if ends_at <= starts_at:
        raise VolunteeringInvalid("A shift must end after it starts", field="ends_at")
    if ends_at - starts_at > dt.timedelta(hours=24):
        raise VolunteeringInvalid("A shift can last up to 24 hours", field="ends_at")
    if site is not None and site.opportunity_id != opportunity.pk:
        raise VolunteeringInvalid("That site belongs to another opportunity", field="site")


@transaction.atomic
def shift_update(
    *,
    actor: Any,
    shift: Shift,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    site: Site | None = None,
    capacity: int | None = None,
) -> Shift:
    """Move or resize a shift. Pledges stay with it; fewer places than people hold is refused."""
    shift = Shift.objects.select_for_update().select_related("opportunity").get(pk=shift.pk)
    _require_host(actor, shift.opportunity.organisation_id)
    _shift_check(opportunity=shift.opportunity, starts_at=starts_at, ends_at=ends_at, site=site)
    if capacity is not None and capacity < 1:
        raise VolunteeringInvalid("Capacity must be 1 or more, or left blank", field="capacity")
    taken = _active_pledges(shift=shift)
    if capacity is not None and capacity < taken:
        raise VolunteeringInvalid(
            f"{taken} people already hold places on this shift: the capacity cannot be less "
            "than that",
            field="capacity",
        )
    moved = shift.starts_at != starts_at or shift.ends_at != ends_at
    shift.starts_at, shift.ends_at, shift.site, shift.capacity = starts_at, ends_at, site, capacity
    shift.save()
    if site is not None:
        Pledge.objects.filter(shift=shift).exclude(site=site).update(site=site)
    audit_record(
        actor=actor, verb="opportunity.shift_updated", target=shift, payload={"moved": moved}
    )
    return shift


# --- pledges ----------------------------------------------------------------------------------


def _new_reference() -> str:
    while True:
        reference = "P" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(7))
        if not Pledge.objects.filter(reference=reference).exists():
            return reference


def _places_taken(
    *,
    opportunity: Opportunity,
    site: Site | None,
    shift: Shift | None,
    exclude: Pledge | None = None,
) -> tuple[int, int | None]:
    """(places taken, capacity) for the tightest limit that applies, or capacity None."""
    pledges = Pledge.objects.filter(opportunity=opportunity, status__in=ACTIVE_PLEDGE_STATUSES)
    if exclude is not None:
        pledges = pledges.exclude(pk=exclude.pk)
    limits: list[tuple[int, int | None]] = []
    if shift is not None and shift.capacity is not None:
        limits.append((pledges.filter(shift=shift).count(), shift.capacity))
    if site is not None and site.capacity is not None:
        limits.append((pledges.filter(site=site).count(), site.capacity))
    # Micro pledges can be made again and again by everyone: no overall cap applies.
    if opportunity.capacity is not None and opportunity.kind != OpportunityKind.MICRO:
        limits.append((pledges.count(), opportunity.capacity))
    full = [(taken, cap) for taken, cap in limits if cap is not None and taken >= cap]
    return full[0] if full else (0, None)


def pledge_waits_for_host(
    *, opportunity: Opportunity, volunteer: Volunteer | None, today: dt.date | None = None
) -> bool:
    """Whether a pledge waits for the host to confirm it rather than standing at once.

    Only a micro pledge with no safeguarding check stands at once, and never for an under-18
    without a parent or guardian's approval: the host cannot confirm theirs until it comes.
    """
    if opportunity.kind != OpportunityKind.MICRO or opportunity.needs_check:
        return True
    return (
        volunteer is not None
        and age_on(volunteer.date_of_birth, _today(today)) < ADULT_AGE
        and volunteer.guardian_approved_at is None
    )


@transaction.atomic
def pledge_make(
    *,
    opportunity: Opportunity,
    volunteer: Volunteer | None = None,
    guest_name: str = "",
    guest_email: str = "",
    site: Site | None = None,
    shift: Shift | None = None,
    today: dt.date | None = None,
) -> Pledge:
    """Pledge time. A micro pledge stands at once (and a guest may make one without an
    account); anything else waits for the host to confirm it, after safeguarding checks."""
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.status != OpportunityStatus.PUBLISHED:
        raise OpportunityClosed("This opportunity is not taking pledges.")
    day = _today(today)
    if opportunity.ends_on and opportunity.ends_on < day:
        raise OpportunityClosed("This opportunity has ended.")
    if site is not None and site.opportunity_id != opportunity.pk:
        raise VolunteeringInvalid("Choose one of this opportunity's sites", field="site")
    if shift is not None and shift.opportunity_id != opportunity.pk:
        raise VolunteeringInvalid("Choose one of this opportunity's times", field="shift")
    if shift is not None and shift.starts_at < timezone.now():
        raise VolunteeringInvalid("That time has passed: choose another", field="shift")
    if shift is not None and site is None:
        site = shift.site
    is_micro = opportunity.kind == OpportunityKind.MICRO
    if volunteer is None:
        guest_name, guest_email = guest_name.strip(), guest_email.strip().lower()
        if not is_micro:
            raise VolunteeringInvalid(
                "Sign up as a volunteer to pledge to this: it is more than a micro pledge",
                field="volunteer",
            )
        if not guest_name:
            raise VolunteeringInvalid("Enter your name", field="guest_name")
        if not guest_email or "@" not in guest_email:
            raise VolunteeringInvalid(
                "Enter an email address in the correct format, like name@example.com",
                field="guest_email",
            )
    else:
        if volunteer.status in (VolunteerStatus.WITHDRAWN, VolunteerStatus.ERASED):
            raise VolunteeringInvalid("Your volunteering account is closed", field="volunteer")
        if age_on(volunteer.date_of_birth, day) < opportunity.minimum_age:
            raise TooYoungForRole(
                f"You must be {opportunity.minimum_age} or older for this opportunity."
            )
        duplicate = Pledge.objects.filter(
            opportunity=opportunity,
            volunteer=volunteer,
            shift=shift,
            status__in=(*ACTIVE_PLEDGE_STATUSES, PledgeStatus.REQUESTED),
        )
        if not is_micro and duplicate.exists():
            raise AlreadyPledged("You have already pledged to this.")
    taken, capacity = _places_taken(opportunity=opportunity, site=site, shift=shift)
    if capacity is not None:
        raise OpportunityFull("There are no places left. Choose another time or site.")
    stands_at_once = not pledge_waits_for_host(
        opportunity=opportunity, volunteer=volunteer, today=day
    )
    pledge = Pledge.objects.create(
        opportunity=opportunity,
        volunteer=volunteer,
        guest_name=guest_name if volunteer is None else "",
        guest_email=guest_email if volunteer is None else "",
        site=site,
        shift=shift,
        minutes=opportunity.duration_minutes if is_micro else None,
        status=PledgeStatus.PLEDGED if stands_at_once else PledgeStatus.REQUESTED,
        reference=_new_reference(),
    )
    audit_record(
        actor=getattr(volunteer, "user", None),
        verb="pledge.made",
        target=pledge,
        personal_data=True,
        payload={"opportunity": str(opportunity.pk), "guest": volunteer is None},
    )
    to = volunteer.email if volunteer else guest_email
    transaction.on_commit(
        lambda: _send(
            f"Your pledge: {opportunity.title}",
            f'Thank you for pledging to "{opportunity.title}" with {opportunity.host_name}.\n'
            f"Your reference is {pledge.reference}.\n"
            + ("" if stands_at_once else "The host will confirm your place soon.\n"),
            to,
        )
    )
    return pledge


def _check_covers(volunteer: Volunteer, level: int, on: dt.date) -> bool:
    return SafeguardingCheck.objects.filter(
        volunteer=volunteer, level__gte=level, certificate_date__lte=on, renewal_due_on__gt=on
    ).exists()


@transaction.atomic
def pledge_confirm(*, actor: Any, pledge: Pledge, today: dt.date | None = None) -> Pledge:
    """Confirm a volunteer for a role: only with guardian approval (under 18s), an in-date
    check at the role's level, and a place left."""
    pledge = (
        Pledge.objects.select_for_update(of=("self",))
        .select_related("opportunity", "volunteer", "shift", "site")
        .get(pk=pledge.pk)
    )
    opportunity = pledge.opportunity
    _require_host(actor, opportunity.organisation_id)
    if pledge.status != PledgeStatus.REQUESTED:
        raise PledgeStateInvalid(f"This pledge is {pledge.get_status_display().lower()}.")
    volunteer = pledge.volunteer
    if volunteer is None:  # pragma: no cover - guests only make micro pledges, which stand
        raise PledgeStateInvalid("A guest pledge needs no confirming.")
    day = _today(today)
    if age_on(volunteer.date_of_birth, day) < ADULT_AGE and volunteer.guardian_approved_at is None:
        raise GuardianApprovalNeeded("A parent or guardian has not approved this volunteer yet.")
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise VolunteeringInvalid("This volunteer is not active.")
    if opportunity.needs_check:
        # The check must still be in date on the day of the shift (or today, if unscheduled).
        on = timezone.localtime(pledge.shift.starts_at).date() if pledge.shift else day
        if not _check_covers(volunteer, opportunity.check_level, max(on, day)):
            raise SafeguardingCheckMissing(
                f"This role needs an in-date {CheckLevel(opportunity.check_level).label}, "
                "which this volunteer does not hold."
            )
    _, capacity = _places_taken(
        opportunity=opportunity, site=pledge.site, shift=pledge.shift, exclude=pledge
    )
    if capacity is not None:
        raise OpportunityFull("There are no places left on this.")
    pledge.status = PledgeStatus.CONFIRMED
    pledge.decided_by = actor
    pledge.decided_at = timezone.now()
    pledge.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(actor=actor, verb="pledge.confirmed", target=pledge, personal_data=True)
    transaction.on_commit(
        lambda: _send(
            f"You are confirmed: {opportunity.title}",
            f'{opportunity.host_name} has confirmed your place on "{opportunity.title}" '
            f"(reference {pledge.reference}).",
            volunteer.email,
        )
    )
    return pledge


@transaction.atomic
def pledge_decline(*, actor: Any, pledge: Pledge, reason: str) -> Pledge:
    pledge = Pledge.objects.select_for_update().select_related("opportunity").get(pk=pledge.pk)
    _require_host(actor, pledge.opportunity.organisation_id)
    if pledge.status not in (PledgeStatus.REQUESTED, PledgeStatus.CONFIRMED):
        raise PledgeStateInvalid(f"This pledge is {pledge.get_status_display().lower()}.")
    if not reason.strip():
        raise VolunteeringInvalid("Give a reason the volunteer will see", field="reason")
    pledge.status = PledgeStatus.DECLINED
    pledge.decline_reason = reason.strip()[:300]
    pledge.decided_by = actor
    pledge.decided_at = timezone.now()
    pledge.save(
        update_fields=["status", "decline_reason", "decided_by", "decided_at", "updated_at"]
    )
    audit_record(actor=actor, verb="pledge.declined", target=pledge, personal_data=True)
    return pledge


@transaction.atomic
def pledge_withdraw(*, volunteer: Volunteer, pledge: Pledge) -> Pledge:
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.volunteer_id != volunteer.pk:
        raise NotHost("That is not your pledge.")
    if pledge.status not in (PledgeStatus.PLEDGED, PledgeStatus.REQUESTED, PledgeStatus.CONFIRMED):
        raise PledgeStateInvalid(f"This pledge is {pledge.get_status_display().lower()}.")
    pledge.status = PledgeStatus.WITHDRAWN
    pledge.save(update_fields=["status", "updated_at"])
    audit_record(actor=volunteer.user, verb="pledge.withdrawn", target=pledge, personal_data=True)
    return pledge


# --- safeguarding -----------------------------------------------------------------------------


@transaction.atomic
def safeguarding_check_record(
    *,
    actor: Any,
    volunteer: Volunteer,
    level: int,
    certificate_date: dt.date,
    renewal_due_on: dt.date | None = None,
    on_update_service: bool = False,
    today: dt.date | None = None,
) -> SafeguardingCheck:
    """Record a DBS check a coordinator has seen. Renewal defaults to three years on, the
    usual local policy unless the volunteer is on the DBS Update Service."""
    if not can(actor, Action.MANAGE_VOLUNTEERING):
        raise NotHost("You cannot record safeguarding checks.")
    _not_erased(volunteer)
    if level not in CheckLevel.values or level == CheckLevel.NONE:
        raise VolunteeringInvalid("Choose the level of the check", field="level")
    day = _today(today)
    if certificate_date > day:
        raise VolunteeringInvalid(
            "The certificate date cannot be in the future", field="certificate_date"
        )
    if renewal_due_on is None:
        try:
            renewal_due_on = certificate_date.replace(
                year=certificate_date.year + DBS_RENEWAL_YEARS
            )
        except ValueError:  # 29 February
            renewal_due_on = certificate_date.replace(
                year=certificate_date.year + DBS_RENEWAL_YEARS, day=28
            )
    if renewal_due_on <= certificate_date:
        raise VolunteeringInvalid(
            "The renewal date must be after the certificate date", field="renewal_due_on"
        )
    check = SafeguardingCheck.objects.create(
        volunteer=volunteer,
        level=level,
        certificate_date=certificate_date,
        renewal_due_on=renewal_due_on,
        on_update_service=on_update_service,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        verb="safeguarding.check_recorded",
        target=check,
        personal_data=True,
        payload={"level": level, "renewal_due_on": renewal_due_on.isoformat()},
    )
    return check


def warning_due(days_left: int) -> int | None:
    """The warning (60, 30 or 7 days) a check with `days_left` should have had by now."""
    if days_left < 0:
        return None
    due = [days for days in WARNING_DAYS if days_left <= days]
    return min(due) if due else None


@transaction.atomic
def safeguarding_warnings_send(*, today: dt.date | None = None) -> int:
    """Warn volunteers (and the record) 60, 30 and 7 days before a check's renewal is due.

    Each warning goes once; a run that was missed sends the latest warning due, not all of
    them. A check that a newer check at the same or a higher level replaces is left alone.
    """
    day = _today(today)
    horizon = day + dt.timedelta(days=max(WARNING_DAYS))
    sent = 0
    checks = SafeguardingCheck.objects.filter(
        renewal_due_on__gte=day,
        renewal_due_on__lte=horizon,
        volunteer__status=VolunteerStatus.ACTIVE,
    ).select_related("volunteer")
    for check in checks:
        days = warning_due((check.renewal_due_on - day).days)
        if days is None or check.warnings.filter(days_before__lte=days).exists():
            continue
        replaced = SafeguardingCheck.objects.filter(
            volunteer=check.volunteer,
            level__gte=check.level,
            renewal_due_on__gt=check.renewal_due_on,
        ).exists()
        if replaced:
            continue
        try:
            with transaction.atomic():
                SafeguardingWarning.objects.create(
                    check_record=check, days_before=days, sent_at=timezone.now()
                )
        except IntegrityError:  # another run sent it at the same moment
            continue
        volunteer = check.volunteer
        _send(
            "Your DBS check is due for renewal",
            f"Hello {volunteer.first_name},\n\nYour {CheckLevel(check.level).label} is due for "
            f"renewal on {check.renewal_due_on:%d %B %Y}, in {(check.renewal_due_on - day).days} "
            "days. Please contact your volunteer coordinator so you can keep volunteering.",
            volunteer.email,
        )
        audit_record(
            actor=None,
            verb="safeguarding.warning_sent",
            target=check,
            payload={"days_before": days},
        )
        sent += 1
    return sent


# --- hours ------------------------------------------------------------------------------------


def _check_hours(*, worked_on: dt.date, minutes: int, day: dt.date) -> None:
    if not 1 <= minutes <= MAX_MINUTES_A_DAY:
        raise HoursInvalid("Enter the time you gave, from 1 minute to 24 hours", field="minutes")
    if worked_on > day:
        raise HoursInvalid("The date must be today or in the past", field="worked_on")
    if worked_on < day - dt.timedelta(days=HOURS_LOG_WINDOW_DAYS):
        raise HoursInvalid("You can only log time from the last 12 months", field="worked_on")


@transaction.atomic
def hours_log(
    *,
    volunteer: Volunteer,
    opportunity: Opportunity,
    worked_on: dt.date,
    minutes: int,
    note: str = "",
    today: dt.date | None = None,
) -> HoursEntry:
    """The volunteer logs time they gave; it counts once the host verifies it."""
    _check_hours(worked_on=worked_on, minutes=minutes, day=_today(today))
    pledge = (
        Pledge.objects.filter(
            volunteer=volunteer, opportunity=opportunity, status__in=ACTIVE_PLEDGE_STATUSES
        )
        .order_by("-created_at")
        .first()
    )
    if pledge is None:
        raise HoursInvalid(
            "You can only log time for something you have pledged to and been confirmed for",
            field="opportunity",
        )
    entry = HoursEntry.objects.create(
        volunteer=volunteer,
        opportunity=opportunity,
        pledge=pledge,
        worked_on=worked_on,
        minutes=minutes,
        note=note.strip()[:300],
        source=HoursSource.VOLUNTEER,
        status=HoursStatus.LOGGED,
        entered_by=volunteer.user,
    )
    audit_record(
        actor=volunteer.user, verb="hours.logged", target=entry, payload={"minutes": minutes}
    )
    return entry


@transaction.atomic
def hours_enter_by_staff(
    *,
    actor: Any,
    volunteer: Volunteer,
    opportunity: Opportunity,
    worked_on: dt.date,
    minutes: int,
    note: str = "",
    today: dt.date | None = None,
) -> HoursEntry:
    """The host's coordinator enters time for a volunteer (say, from a paper sign-in sheet).

    Marked as staff-entered for ever; the host vouches for it, so it counts at once.
    """
    _require_host(actor, opportunity.organisation_id)
    _not_erased(volunteer)
    _check_hours(worked_on=worked_on, minutes=minutes, day=_today(today))
    now = timezone.now()
    entry = HoursEntry.objects.create(
        volunteer=volunteer,
        opportunity=opportunity,
        worked_on=worked_on,
        minutes=minutes,
        note=note.strip()[:300],
        source=HoursSource.STAFF,
        status=HoursStatus.VERIFIED,
        entered_by=actor,
        verified_by=actor,
        verified_at=now,
    )
    audit_record(
        actor=actor,
        verb="hours.entered_by_staff",
        target=entry,
        personal_data=True,
        payload={"minutes": minutes},
    )
    _milestones_award(volunteer=volunteer)
    return entry


@transaction.atomic
def hours_verify(*, actor: Any, entry: HoursEntry) -> HoursEntry:
    entry = (
        HoursEntry.objects.select_for_update()
        .select_related("opportunity", "volunteer")
        .get(pk=entry.pk)
    )
    _require_host(actor, entry.opportunity.organisation_id)
    if entry.volunteer.user_id is not None and entry.volunteer.user_id == actor.pk:
        raise NotHost("Someone else must verify your own hours.")
    if entry.status != HoursStatus.LOGGED:
        raise HoursStateInvalid(f"These hours are already {entry.get_status_display().lower()}.")
    entry.status = HoursStatus.VERIFIED
    entry.verified_by = actor
    entry.verified_at = timezone.now()
    entry.save(update_fields=["status", "verified_by", "verified_at", "updated_at"])
    audit_record(
        actor=actor, verb="hours.verified", target=entry, payload={"minutes": entry.minutes}
    )
    _milestones_award(volunteer=entry.volunteer)
    return entry


@transaction.atomic
def hours_reject(*, actor: Any, entry: HoursEntry, reason: str) -> HoursEntry:
    entry = HoursEntry.objects.select_for_update().select_related("opportunity").get(pk=entry.pk)
    _require_host(actor, entry.opportunity.organisation_id)
    if entry.status != HoursStatus.LOGGED:
        raise HoursStateInvalid(f"These hours are already {entry.get_status_display().lower()}.")
    if not reason.strip():
        raise HoursInvalid("Say why, so the volunteer can put it right", field="reason")
    entry.status = HoursStatus.REJECTED
    entry.rejection_reason = reason.strip()[:300]
    entry.verified_by = actor
    entry.verified_at = timezone.now()
    entry.save(
        update_fields=["status", "rejection_reason", "verified_by", "verified_at", "updated_at"]
    )
    audit_record(actor=actor, verb="hours.rejected", target=entry)
    return entry


# --- recognition ------------------------------------------------------------------------------

DEFAULT_BADGES = (
    ("first-hour", "First hour", "Gave their first verified hour.", BadgeKind.MILESTONE, 1),
    ("ten-hours", "Ten hours", "Gave ten verified hours.", BadgeKind.MILESTONE, 10),
    ("fifty-hours", "Fifty hours", "Gave fifty verified hours.", BadgeKind.MILESTONE, 50),
    (
        "hundred-hours",
        "One hundred hours",
        "Gave one hundred verified hours.",
        BadgeKind.MILESTONE,
        100,
    ),
    (
        "young-evaluator",
        "Young evaluator",
        "A young person who helped evaluate a service or project.",
        BadgeKind.SKILL,
        None,
    ),
    (
        "reading-buddy",
        "Reading buddy",
        "Heard children read through a school year.",
        BadgeKind.SKILL,
        None,
    ),
    (
        "touring-promoter",
        "Touring promoter",
        "Chose, promoted and ran a touring arts event.",
        BadgeKind.SKILL,
        None,
    ),
)


STARTER_SKILLS = (
    ("reading-with-children", "Reading with children"),
    ("befriending", "Befriending and checking on neighbours"),
    ("gardening", "Gardening and green spaces"),
    ("driving", "Driving"),
    ("events", "Running events"),
    ("promoting", "Promoting and publicity"),
    ("arts", "Arts and performance"),
    ("cooking", "Cooking and food"),
    ("admin", "Office and admin"),
    ("digital", "Digital skills and IT"),
    ("languages", "Speaking other languages"),
    ("evaluation", "Evaluation and research"),
    ("diy", "DIY and repairs"),
    ("sport", "Sport and exercise"),
)


@transaction.atomic
def reference_data_ensure() -> int:
    """The starter skills and badges (a migration loads them too). Idempotent."""
    created = 0
    for slug, name in STARTER_SKILLS:
        created += int(Skill.objects.get_or_create(slug=slug, defaults={"name": name})[1])
    return created + badges_ensure()


@transaction.atomic
def badges_ensure() -> int:
    created = 0
    for slug, name, description, kind, threshold in DEFAULT_BADGES:
        _, made = Badge.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "kind": kind,
                "hours_threshold": threshold,
            },
        )
        created += int(made)
    return created


def _milestones_award(*, volunteer: Volunteer) -> list[BadgeAward]:
    minutes = (
        HoursEntry.objects.filter(volunteer=volunteer, status=HoursStatus.VERIFIED).aggregate(
            m=Sum("minutes")
        )["m"]
        or 0
    )
    hours = minutes / 60
    awarded = []
    held = set(BadgeAward.objects.filter(volunteer=volunteer).values_list("badge_id", flat=True))
    for badge in Badge.objects.filter(kind=BadgeKind.MILESTONE, hours_threshold__lte=hours):
        if badge.pk not in held:
            awarded.append(
                BadgeAward.objects.create(
                    badge=badge,
                    volunteer=volunteer,
                    reason=f"{badge.hours_threshold} verified hours",
                )
            )
            audit_record(
                actor=None, verb="badge.awarded", target=volunteer, payload={"badge": badge.slug}
            )
    return awarded


@transaction.atomic
def badge_award(*, actor: Any, volunteer: Volunteer, badge: Badge, reason: str = "") -> BadgeAward:
    if not can(actor, Action.MANAGE_VOLUNTEERING):
        raise NotHost("You cannot award badges.")
    _not_erased(volunteer)
    if badge.kind == BadgeKind.MILESTONE:
        raise VolunteeringInvalid("Milestone badges are awarded for verified hours", field="badge")
    award, created = BadgeAward.objects.get_or_create(
        badge=badge,
        volunteer=volunteer,
        defaults={"reason": reason.strip()[:300], "awarded_by": actor},
    )
    if created:
        audit_record(
            actor=actor, verb="badge.awarded", target=volunteer, payload={"badge": badge.slug}
        )
    return award


@transaction.atomic
def thank_you_send(
    *, actor: Any, volunteer: Volunteer, message: str, opportunity: Opportunity | None = None
) -> ThankYou:
    if not can(actor, Action.MANAGE_VOLUNTEERING):
        raise NotHost("You cannot send thank-you messages.")
    _not_erased(volunteer)
    if not message.strip():
        raise VolunteeringInvalid("Write your message", field="message")
    if len(message) > 2000:
        raise VolunteeringInvalid("Keep the message to 2,000 characters", field="message")
    thanks = ThankYou.objects.create(
        volunteer=volunteer, opportunity=opportunity, message=message.strip(), sent_by=actor
    )
    audit_record(actor=actor, verb="volunteer.thanked", target=volunteer, personal_data=True)
    transaction.on_commit(
        lambda: _send("Thank you for volunteering", thanks.message, volunteer.email)
    )
    return thanks


@transaction.atomic
def celebration_event_create(
    *,
    actor: Any,
    title: str,
    venue: str,
    starts_at: dt.datetime,
    area_code: str = "",
    area_name: str = "",
    description: str = "",
) -> CelebrationEvent:
    if not can(actor, Action.MANAGE_VOLUNTEERING) or actor.organisation_id is None:
        raise NotHost("You cannot arrange celebration events.")
    if not title.strip() or not venue.strip():
        raise VolunteeringInvalid("Enter a title and a venue", field="title")
    if starts_at <= timezone.now():
        raise VolunteeringInvalid("The event must be in the future", field="starts_at")
    event = CelebrationEvent.objects.create(
        organisation_id=actor.organisation_id,
        title=title.strip(),
        venue=venue.strip(),
        starts_at=starts_at,
        area_code=area_code.strip(),
        area_name=area_name.strip(),
        description=description.strip(),
    )
    audit_record(actor=actor, verb="celebration.created", target=event)
    return event


@transaction.atomic
def celebration_invite(*, actor: Any, event: CelebrationEvent) -> int:
    """Invite every active volunteer who gave verified time to the organisation, in the
    event's area (where they live or where they volunteered). Idempotent: returns how many
    new invitations went out."""
    _require_host(actor, event.organisation_id)
    given = HoursEntry.objects.filter(
        status=HoursStatus.VERIFIED, opportunity__organisation_id=event.organisation_id
    )
    if event.area_code:
        given = given.filter(
            Q(volunteer__ward_code=event.area_code) | Q(opportunity__ward_code=event.area_code)
        )
    volunteer_ids = set(given.values_list("volunteer_id", flat=True))
    already = set(event.invitations.values_list("volunteer_id", flat=True))
    new = Volunteer.objects.filter(pk__in=volunteer_ids - already, status=VolunteerStatus.ACTIVE)
    invitations = [Invitation(event=event, volunteer=v) for v in new]
    when = f"{timezone.localtime(event.starts_at):%d %B %Y at %H:%M}"
    Invitation.objects.bulk_create(invitations)
    for invitation in invitations:
        volunteer = invitation.volunteer
        transaction.on_commit(
            partial(
                _send,
                f"You are invited: {event.title}",
                f"Hello {volunteer.first_name},\n\nTo thank you for your volunteering, you are "
                f"invited to {event.title} at {event.venue} on {when}. Reply from your "
                "volunteering page.",
                volunteer.email,
            )
        )
    audit_record(
        actor=actor, verb="celebration.invited", target=event, payload={"invited": len(invitations)}
    )
    return len(invitations)


@transaction.atomic
def invitation_reply(
    *, volunteer: Volunteer, invitation: Invitation, reply: str, guests: int = 0
) -> Invitation:
    if invitation.volunteer_id != volunteer.pk:
        raise NotHost("That is not your invitation.")
    if reply not in (InvitationReply.ACCEPTED, InvitationReply.DECLINED):
        raise VolunteeringInvalid("Say whether you are coming", field="reply")
    if not 0 <= guests <= 4:
        raise VolunteeringInvalid("You can bring up to 4 guests", field="guests")
    if invitation.event.starts_at <= timezone.now():
        raise VolunteeringInvalid("This event has already happened.")
    invitation.reply = reply
    invitation.guests = guests if reply == InvitationReply.ACCEPTED else 0
    invitation.replied_at = timezone.now()
    invitation.save(update_fields=["reply", "guests", "replied_at", "updated_at"])
    audit_record(
        actor=volunteer.user, verb="invitation.replied", target=invitation, payload={"reply": reply}
    )
    return invitation


def demo_volunteering_load(*, seed: int) -> dict[str, int]:
    """Load the demo's volunteering in Sutton (idempotent). Called by the demo app."""
    from .demo import load

    return load(seed=seed)
