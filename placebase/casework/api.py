"""The authenticated case-work API (mounted at /api/v1/ by `placebase.api.v1`).

Handlers parse input, check the role-level permission and call the same selectors and services
as the web pages, so scope, validation and audit are identical. Personal data travels only in
bodies; paths carry UUIDs."""

import datetime
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from placebase.accounts.permissions import Action, can
from placebase.core.errors import PermissionDenied

from . import selectors, services
from .models import Assessment, Connection, Contact, Person, ServiceUseEvent

router = Router(tags=["case work"])


# ------------------------------------------------------------------------ authentication


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a key from `manage.py casework_api_token`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.api_token_user(key=token)
        if user is not None:
            request.user = user
        return user


class VerifiedSessionAuth(SessionAuth):
    """A signed-in browser session (CSRF-checked for writes). The second-factor middleware has
    already turned away staff who have not completed MFA."""


def _check(request: HttpRequest, action: Action) -> Any:
    user = request.user
    if not can(user, action):
        raise PermissionDenied("Your role cannot do this.")
    return user


# ------------------------------------------------------------------------ schemas


class ErrorOut(Schema):
    code: str
    message: str
    errors: dict[str, str] = {}


class PersonSummaryOut(Schema):
    id: uuid.UUID
    reference: str
    display_name: str
    status: str
    coordinator_id: uuid.UUID | None = None
    patch_code: str


class PersonOut(PersonSummaryOut):
    first_name: str | None = None
    last_name: str | None = None
    preferred_name: str | None = None
    date_of_birth: datetime.date | None = None
    email: str | None = None
    phone: str | None = None
    address_line_1: str | None = None
    address_line_2: str | None = None
    town: str | None = None
    postcode: str | None = None
    household: str | None = None
    preferred_contact: str | None = None
    preferred_language: str | None = None
    needs_interpreter: bool | None = None
    accessibility_needs: str | None = None
    version: int
    shared: bool
    purposes: list[str] = []
    sections: list[str] = []


class PersonPage(Schema):
    count: int
    items: list[PersonSummaryOut]


class PersonIn(Schema):
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    date_of_birth: datetime.date | None = None
    postcode: str = Field("", max_length=10)
    source: str = Field(max_length=20)
    source_detail: str = Field("", max_length=200)
    introduced_on: datetime.date
    reason: str = Field(max_length=4000)
    coordinator_id: uuid.UUID | None = None
    confirmed_not_duplicate: bool = False
    preferred_name: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=30)
    address_line_1: str = Field("", max_length=200)
    address_line_2: str = Field("", max_length=200)
    town: str = Field("", max_length=100)
    household: str = Field("", max_length=300)
    preferred_contact: str = Field("", max_length=12)
    preferred_language: str = Field("", max_length=60)
    needs_interpreter: bool = False
    accessibility_needs: str = Field("", max_length=2000)


class PersonPatch(Schema):
    version: int
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    preferred_name: str | None = Field(None, max_length=100)
    date_of_birth: datetime.date | None = None
    postcode: str | None = Field(None, max_length=10)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=30)
    preferred_contact: str | None = Field(None, max_length=12)
    preferred_language: str | None = Field(None, max_length=60)
    accessibility_needs: str | None = Field(None, max_length=2000)


class IntroductionOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    source: str
    introduced_on: datetime.date
    status: str
    coordinator_id: uuid.UUID | None = None
    auto_assigned: bool
    is_reintroduction: bool
    first_conversation_on: datetime.date | None = None
    next_review_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    closure_reason: str


class ReintroductionIn(Schema):
    source: str = Field(max_length=20)
    introduced_on: datetime.date
    reason: str = Field(max_length=4000)
    source_detail: str = Field("", max_length=200)


class ContactOut(Schema):
    id: uuid.UUID
    happened_on: datetime.date
    kind: str
    duration_minutes: int
    notes: str


class ContactIn(Schema):
    happened_on: datetime.date
    kind: str = Field(max_length=20)
    duration_minutes: int
    notes: str = Field("", max_length=10000)


class ConnectionOut(Schema):
    id: uuid.UUID
    target_kind: str
    target_name: str
    asset_id: uuid.UUID | None = None
    status: str
    status_on: datetime.date
    suggested_on: datetime.date
    follow_up_on: datetime.date | None = None
    did_not_stick_reason: str
    version: int


class ConnectionIn(Schema):
    target_kind: str = Field(max_length=20)
    target_name: str = Field("", max_length=300)
    asset_id: uuid.UUID | None = None
    suggested_on: datetime.date | None = None
    follow_up_on: datetime.date | None = None


class ConnectionPatch(Schema):
    version: int
    status: str = Field(max_length=20)
    on: datetime.date | None = None
    reason: str = Field("", max_length=300)
    follow_up_on: datetime.date | None = None


class OutcomeOut(Schema):
    id: uuid.UUID
    instrument: str
    instrument_version: int
    occasion: str
    recorded_on: datetime.date
    answers: dict[str, int]


class OutcomeIn(Schema):
    instrument: str = Field("ons4", max_length=40)
    occasion: str = Field("introduction", max_length=20)
    recorded_on: datetime.date
    answers: dict[str, int]


class ServiceUseOut(Schema):
    id: uuid.UUID
    service_type: str
    occurred_on: datetime.date
    quantity: int
    source: str
    note: str


class ServiceUseIn(Schema):
    service_type: str = Field(max_length=64)
    occurred_on: datetime.date
    quantity: int = 1
    source: str = Field(max_length=20)
    note: str = Field("", max_length=300)


class ServiceTypeOut(Schema):
    code: str
    label: str


# ------------------------------------------------------------------------ helpers


def _person_out(access: selectors.PersonAccess) -> dict[str, Any]:
    person = access.person
    out: dict[str, Any] = {
        "id": person.id,
        "reference": person.reference,
        "display_name": person.display_name,
        "status": person.status,
        "coordinator_id": person.coordinator_id,
        "patch_code": person.patch_code,
        "version": person.version,
        "shared": not access.own,
        "purposes": sorted(access.purposes),
        "sections": sorted(access.sections),
    }
    if access.sees("details"):
        for name in PersonOut.model_fields:
            if name not in out and hasattr(person, name):
                out[name] = getattr(person, name)
    return out


def _section(request: HttpRequest, person_id: uuid.UUID, section: str) -> Person:
    _check(request, Action.VIEW_PERSONAL_DATA)
    access = selectors.person_get(user=request.user, person_id=person_id)
    if not access.sees(section):
        raise HttpError(403, "Not shared with your organisation for this purpose.")
    return access.person


def _outcome_out(a: Assessment) -> dict[str, Any]:
    return {
        "id": a.id,
        "instrument": a.instrument_version.instrument.code,
        "instrument_version": a.instrument_version.number,
        "occasion": a.occasion,
        "recorded_on": a.recorded_on,
        "answers": a.answers,
    }


def _service_use_out(e: ServiceUseEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "service_type": e.service_type.code,
        "occurred_on": e.occurred_on,
        "quantity": e.quantity,
        "source": e.source,
        "note": e.note,
    }


ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# ------------------------------------------------------------------------ people


@router.get("/people", response={200: PersonPage, **ERRORS})
def people_list(
    request: HttpRequest,
    q: str = "",
    include_closed: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> Any:
    _check(request, Action.VIEW_PERSONAL_DATA)
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    found = selectors.person_list(user=request.user, query=q[:100], include_closed=include_closed)
    page = list(found.order_by("last_name", "id")[offset : offset + limit])
    from placebase.core.audit import audit_record

    audit_record(
        actor=request.user,
        verb="casework.person.list",
        target_type=selectors.PERSON_RECORD_TYPE,
        personal_data=True,
        payload={"count": len(page), "api": True},
    )
    return {"count": found.count(), "items": page}


@router.post("/people", response={201: IntroductionOut, **ERRORS})
def people_introduce(request: HttpRequest, payload: PersonIn) -> Any:
    _check(request, Action.EDIT_PERSONAL_DATA)
    data = payload.dict()
    introduction = services.person_introduce(user=request.user, **data)
    return Status(201, introduction)


@router.get("/people/{person_id}", response={200: PersonOut, **ERRORS})
def person_read(request: HttpRequest, person_id: uuid.UUID) -> Any:
    _check(request, Action.VIEW_PERSONAL_DATA)
    return _person_out(selectors.person_get(user=request.user, person_id=person_id))


@router.patch("/people/{person_id}", response={200: PersonOut, **ERRORS})
def person_change(request: HttpRequest, person_id: uuid.UUID, payload: PersonPatch) -> Any:
    _check(request, Action.EDIT_PERSONAL_DATA)
    values = payload.dict(exclude_unset=True)
    version = values.pop("version")
    services.person_update(user=request.user, person_id=person_id, version=version, **values)
    return _person_out(selectors.person_get(user=request.user, person_id=person_id))


@router.get("/people/{person_id}/export", response={200: dict, **ERRORS})
def person_export(request: HttpRequest, person_id: uuid.UUID) -> Any:
    """Subject access: everything held about the person."""
    _check(request, Action.VIEW_PERSONAL_DATA)
    return selectors.person_export(user=request.user, person_id=person_id)


# ------------------------------------------------------------------------ introductions


@router.get("/people/{person_id}/introductions", response={200: list[IntroductionOut], **ERRORS})
def introductions_list(request: HttpRequest, person_id: uuid.UUID) -> Any:
    person = _section(request, person_id, "journey")
    return list(person.introductions.order_by("-introduced_on"))


@router.post("/people/{person_id}/introductions", response={201: IntroductionOut, **ERRORS})
def introductions_create(
    request: HttpRequest, person_id: uuid.UUID, payload: ReintroductionIn
) -> Any:
    _check(request, Action.EDIT_PERSONAL_DATA)
    introduction = services.person_reintroduce(
        user=request.user, person_id=person_id, **payload.dict()
    )
    return Status(201, introduction)


# ------------------------------------------------------------------------ contacts


@router.get("/people/{person_id}/contacts", response={200: list[ContactOut], **ERRORS})
def contacts_list(request: HttpRequest, person_id: uuid.UUID) -> Any:
    person = _section(request, person_id, "journey")
    return list(Contact.objects.filter(person=person).order_by("-happened_on")[:500])


@router.post("/people/{person_id}/contacts", response={201: ContactOut, **ERRORS})
def contacts_create(request: HttpRequest, person_id: uuid.UUID, payload: ContactIn) -> Any:
    _check(request, Action.EDIT_PERSONAL_DATA)
    contact = services.contact_record(user=request.user, person_id=person_id, **payload.dict())
    return Status(201, contact)


# ------------------------------------------------------------------------ connections


@router.get("/people/{person_id}/connections", response={200: list[ConnectionOut], **ERRORS})
def connections_list(request: HttpRequest, person_id: uuid.UUID) -> Any:
    person = _section(request, person_id, "journey")
    return list(Connection.objects.filter(person=person))


@router.post("/people/{person_id}/connections", response={201: ConnectionOut, **ERRORS})
def connections_create(request: HttpRequest, person_id: uuid.UUID, payload: ConnectionIn) -> Any:
    _check(request, Action.EDIT_PERSONAL_DATA)
    connection = services.connection_suggest(
        user=request.user, person_id=person_id, **payload.dict()
    )
    return Status(201, connection)


@router.patch(
    "/people/{person_id}/connections/{connection_id}", response={200: ConnectionOut, **ERRORS}
)
def connections_change(
    request: HttpRequest, person_id: uuid.UUID, connection_id: uuid.UUID, payload: ConnectionPatch
) -> Any:
    _check(request, Action.EDIT_PERSONAL_DATA)
    return services.connection_update(
        user=request.user, person_id=person_id, connection_id=connection_id, **payload.dict()
    )


# ------------------------------------------------------------------------ outcomes


@router.get("/people/{person_id}/outcomes", response={200: list[OutcomeOut], **ERRORS})
def outcomes_list(request: HttpRequest, person_id: uuid.UUID) -> Any:
    person = _section(request, person_id, "outcomes")
    return [
        _outcome_out(a) for a in person.assessments.select_related("instrument_version__instrument")
    ]


@router.post("/people/{person_id}/outcomes", response={201: OutcomeOut, **ERRORS})
def outcomes_create(request: HttpRequest, person_id: uuid.UUID, payload: OutcomeIn) -> Any:
    _check(request, Action.EDIT_PERSONAL_DATA)
    assessment = services.assessment_record(
        user=request.user,
        person_id=person_id,
        answers=payload.answers,
        recorded_on=payload.recorded_on,
        occasion=payload.occasion,
        instrument_code=payload.instrument,
    )
    return Status(201, _outcome_out(assessment))


# ------------------------------------------------------------------------ service use


@router.get("/service-types", response={200: list[ServiceTypeOut], **ERRORS})
def service_types(request: HttpRequest) -> Any:
    _check(request, Action.VIEW_PERSONAL_DATA)
    return [{"code": c, "label": label} for c, label in selectors.service_type_catalogue().items()]


@router.get("/people/{person_id}/service-use", response={200: list[ServiceUseOut], **ERRORS})
def service_use_list(request: HttpRequest, person_id: uuid.UUID) -> Any:
    person = _section(request, person_id, "outcomes")
    return [_service_use_out(e) for e in person.service_use.select_related("service_type")[:1000]]


@router.post("/people/{person_id}/service-use", response={201: ServiceUseOut, **ERRORS})
def service_use_create(request: HttpRequest, person_id: uuid.UUID, payload: ServiceUseIn) -> Any:
    _check(request, Action.EDIT_PERSONAL_DATA)
    event = services.service_use_record(user=request.user, person_id=person_id, **payload.dict())
    return Status(201, _service_use_out(event))
