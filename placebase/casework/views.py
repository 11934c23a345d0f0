"""Case work pages. Each view parses input, checks the role-level permission, calls one
selector or service (which enforce scope and audit), and renders. URLs carry only UUIDs."""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from placebase.accounts.permissions import Action, require
from placebase.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from . import forms, selectors, services
from .models import Connection, Goal, Introduction, Person


def _errors_to_http(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """NotFound from a selector is a 404, PermissionDenied a 403: nothing else leaks."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error
        except PermissionDenied as error:
            raise DjangoPermissionDenied(error.message) from error

    return wrapped


def _field_errors(error: ValidationFailed) -> dict[str, str]:
    errors = error.details.get("errors")
    return {str(k): str(v) for k, v in errors.items()} if isinstance(errors, dict) else {}


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _person_url(person_id: Any, anchor: str = "") -> str:
    url = reverse("casework:person", args=[person_id])
    return f"{url}#{anchor}" if anchor else url


def _coordinator_choices(user: Any) -> list[tuple[str, str]]:
    return [
        (str(u.id), u.display_name)
        for u in selectors.coordinators_for_organisation(organisation_id=user.organisation_id)
    ]


def _editable(request: HttpRequest, person_id: Any) -> selectors.PersonAccess:
    access = selectors.person_get(user=request.user, person_id=person_id)
    if not access.may_edit:
        raise PermissionDenied("Records shared with your organisation are read-only.")
    return access


def _conflict_rows(
    form: forms.CaseworkForm, current: Any, names: list[str]
) -> list[tuple[Any, Any, Any]]:
    """(label, what you entered, what is saved now) for each field that differs."""
    rows = []
    for name in names:
        yours = form.cleaned_data.get(name)
        saved = getattr(current, name, None)
        if str(yours or "") != str(saved or ""):
            rows.append((form.fields[name].label, yours, saved))
    return rows


def _rebase(form: forms.CaseworkForm, version: int) -> None:
    # Carry the saved version so that saving again deliberately replaces the other change.
    form.data = {**form.data, "version": str(version)}


def _form_page(
    request: HttpRequest,
    *,
    access: selectors.PersonAccess,
    form: forms.CaseworkForm,
    title: str,
    save: Callable[[dict[str, Any]], Any],
    success: str,
    anchor: str = "",
    button: str = "Save",
    intro: str = "",
    current: Any = None,
    conflict_fields: list[str] | None = None,
    template: str = "casework/form.html",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """The common shape of every case-work form page."""
    conflict_rows = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except Conflict:
            current.refresh_from_db()
            conflict_rows = _conflict_rows(form, current, conflict_fields or [])
            _rebase(form, current.version)
            status = 409
        except ValidationFailed as error:
            form.add_service_errors(_field_errors(error), error.message)
            status = 400
        except services.IntroductionState as error:
            form.add_error(None, error.message)
            status = 409
        else:
            messages.success(request, success)
            return redirect(_person_url(access.person.id, anchor))
    elif request.method == "POST":
        status = 400
    context = {
        "person": access.person,
        "form": form,
        "title": title,
        "button": button,
        "intro": intro,
        "conflict_rows": conflict_rows,
        **(extra or {}),
    }
    return render(request, template, context, status=status)


def _add_page(
    request: HttpRequest,
    person_id: Any,
    *,
    form_class: type[forms.CaseworkForm],
    title: str,
    service: Callable[..., Any],
    success: str,
    anchor: str,
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    """A page that adds one thing to a person's record: the form's cleaned data are the
    service's keyword arguments."""
    access = _editable(request, person_id)
    return _form_page(
        request,
        access=access,
        form=form_class(_posted(request), initial=initial or {}),
        title=title,
        save=lambda data: service(user=request.user, person_id=access.person.id, **data),
        success=success,
        anchor=anchor,
    )


# ------------------------------------------------------------------------ home and lists


@require(Action.VIEW_PERSONAL_DATA)
@_errors_to_http
def home(request: HttpRequest) -> HttpResponse:
    home_data = selectors.coordinator_home(user=request.user)
    # One reverse() for all the rows' links rather than one per row.
    people_url = reverse("casework:people")
    return render(
        request,
        "casework/home.html",
        {"home": home_data, "today": timezone.localdate(), "people_url": people_url},
    )


@require(Action.VIEW_PERSONAL_DATA)
@_errors_to_http
def people(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    include_closed = request.GET.get("closed") == "1"
    found = selectors.person_list_audited(
        user=request.user, query=query, include_closed=include_closed
    )
    return render(
        request,
        "casework/people.html",
        {"people": found, "query": query, "include_closed": include_closed},
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def introduce(request: HttpRequest) -> HttpResponse:
    form = forms.IntroduceForm(
        _posted(request),
        coordinators=_coordinator_choices(request.user),
        initial={"introduced_on": timezone.localdate().isoformat()},
    )
    duplicates: list[Person] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            coordinator = data.pop("coordinator") or None
            try:
                introduction = services.person_introduce(
                    user=request.user, coordinator_id=coordinator, **data
                )
            except services.PossibleDuplicate as error:
                found: Any = error.details.get("duplicates", [])
                ids = [pk for pk, _ in found]
                duplicates = list(Person.objects.filter(pk__in=ids))
                form.add_error(
                    "confirmed_not_duplicate",
                    "This person may already have a record: check the list, then confirm",
                )
            except ValidationFailed as error:
                form.add_service_errors(_field_errors(error), error.message)
            else:
                messages.success(request, "Introduction recorded.")
                return redirect(_person_url(introduction.person_id))
    return render(
        request,
        "casework/introduce.html",
        {"form": form, "duplicates": duplicates},
        status=status,
    )


# ------------------------------------------------------------------------ the person


@require(Action.VIEW_PERSONAL_DATA)
@_errors_to_http
def person(request: HttpRequest, person_id: Any) -> HttpResponse:
    record = selectors.person_record(user=request.user, person_id=person_id)
    nodes = selectors.ecomap_nodes(network=record.network, connections=record.connections)
    return render(
        request,
        "casework/person.html",
        {
            "record": record,
            "person": record.access.person,
            "access": record.access,
            "ecomap": nodes,
            "ecomap_size": selectors.ECOMAP_SIZE,
            "ecomap_centre": selectors.ECOMAP_SIZE / 2,
            "is_manager": getattr(request.user, "role", "") == "manager",
        },
    )


_PERSON_FIELDS = list(forms.PersonDetailsForm.base_fields)


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, person_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    person_obj = access.person
    initial = {name: getattr(person_obj, name) for name in _PERSON_FIELDS}
    initial["date_of_birth"] = (
        person_obj.date_of_birth.isoformat() if person_obj.date_of_birth else ""
    )
    initial["version"] = person_obj.version
    form = forms.PersonEditForm(_posted(request), initial=initial)

    def save(data: dict[str, Any]) -> Any:
        values = dict(data)
        version = values.pop("version")
        return services.person_update(
            user=request.user, person_id=person_obj.id, version=version, **values
        )

    return _form_page(
        request,
        access=access,
        form=form,
        title="Change details",
        save=save,
        success="Details saved.",
        current=person_obj,
        conflict_fields=_PERSON_FIELDS,
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def reassign(request: HttpRequest, person_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    form = forms.ReassignForm(
        _posted(request),
        coordinators=_coordinator_choices(request.user),
        initial={"coordinator": str(access.person.coordinator_id or "")},
    )
    return _form_page(
        request,
        access=access,
        form=form,
        title="Change coordinator",
        intro="This overrides the automatic assignment by patch.",
        save=lambda d: services.person_coordinator_assign(
            user=request.user, person_id=access.person.id, coordinator_id=d["coordinator"]
        ),
        success="Coordinator changed.",
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, person_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    form = forms.ContactForm(
        _posted(request),
        initial={"happened_on": timezone.localdate().isoformat(), "kind": "conversation"},
    )
    return _form_page(
        request,
        access=access,
        form=form,
        title="Record a conversation or contact",
        save=lambda d: services.contact_record(user=request.user, person_id=access.person.id, **d),
        success="Contact recorded.",
        anchor="contacts",
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, person_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    current = selectors.person_open_introduction(person=access.person)
    if current is None:
        messages.info(request, "Re-introduce the person to record a new vision.")
        return redirect(_person_url(access.person.id))
    names = ["vision", "can_do_myself", "family_community_can_do", "services_role"]
    initial: dict[str, Any] = {name: getattr(current, name) for name in names}
    initial["version"] = current.version
    form = forms.PlanForm(_posted(request), initial=initial)

    def save(data: dict[str, Any]) -> Introduction:
        return services.plan_update(user=request.user, person_id=access.person.id, **data)

    return _form_page(
        request,
        access=access,
        form=form,
        title="Vision and the three questions",
        save=save,
        success="Vision saved.",
        anchor="vision",
        current=current,
        conflict_fields=names,
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def goal_new(request: HttpRequest, person_id: Any) -> HttpResponse:
    return _add_page(
        request,
        person_id,
        form_class=forms.GoalForm,
        title="Add a goal",
        service=services.goal_add,
        success="Goal added.",
        anchor="goals",
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def goal_update(request: HttpRequest, person_id: Any, goal_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    goal: Goal | None = access.person.goals.filter(pk=goal_id).first()
    if goal is None:
        raise Http404("No such goal.")
    form = forms.GoalUpdateForm(
        _posted(request),
        initial={"status": goal.status, "progress": goal.progress, "version": goal.version},
    )
    return _form_page(
        request,
        access=access,
        form=form,
        title=f"Progress: {goal.description}",
        save=lambda d: services.goal_update(
            user=request.user, person_id=access.person.id, goal_id=goal.id, **d
        ),
        success="Goal updated.",
        anchor="goals",
        current=goal,
        conflict_fields=["status", "progress"],
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def strength_new(request: HttpRequest, person_id: Any) -> HttpResponse:
    return _add_page(
        request,
        person_id,
        form_class=forms.StrengthForm,
        title="Add a strength or gift",
        service=services.strength_add,
        success="Strength added.",
        anchor="strengths",
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def network_new(request: HttpRequest, person_id: Any) -> HttpResponse:
    return _add_page(
        request,
        person_id,
        form_class=forms.NetworkForm,
        title="Add someone to their support network",
        service=services.network_member_add,
        success="Added to the support network.",
        anchor="network",
        initial={"strength": "3"},
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_POST
def network_remove(request: HttpRequest, person_id: Any, member_id: Any) -> HttpResponse:
    services.network_member_remove(user=request.user, person_id=person_id, member_id=member_id)
    messages.success(request, "Removed from the support network.")
    return redirect(_person_url(person_id, "network"))


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def connection_new(request: HttpRequest, person_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    form = forms.ConnectionForm(
        _posted(request),
        assets=selectors.asset_choices(),
        initial={"suggested_on": timezone.localdate().isoformat()},
    )
    return _form_page(
        request,
        access=access,
        form=form,
        title="Suggest a connection",
        save=lambda d: services.connection_suggest(
            user=request.user,
            person_id=access.person.id,
            **{**d, "asset_id": d["asset_id"] or None},
        ),
        success="Connection suggested.",
        anchor="connections",
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def connection_update(request: HttpRequest, person_id: Any, connection_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    connection: Connection | None = access.person.connections.filter(pk=connection_id).first()
    if connection is None:
        raise Http404("No such connection.")
    form = forms.ConnectionUpdateForm(
        _posted(request),
        initial={
            "status": connection.status,
            "on": timezone.localdate().isoformat(),
            "version": connection.version,
            "follow_up_on": connection.follow_up_on.isoformat() if connection.follow_up_on else "",
        },
    )
    return _form_page(
        request,
        access=access,
        form=form,
        title=f"Follow up: {connection.target_name}",
        save=lambda d: services.connection_update(
            user=request.user, person_id=access.person.id, connection_id=connection.id, **d
        ),
        success="Connection updated.",
        anchor="connections",
        current=connection,
        conflict_fields=["status", "follow_up_on"],
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, person_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    version = selectors.instrument_version_current(code=request.GET.get("instrument", "ons4"))
    form = forms.AssessmentForm(
        _posted(request),
        questions=version.questions,
        initial={"recorded_on": timezone.localdate().isoformat(), "occasion": "introduction"},
    )

    def save(data: dict[str, Any]) -> Any:
        answers = {code: data.get(code) for code in form.question_codes}
        return services.assessment_record(
            user=request.user,
            person_id=access.person.id,
            answers=answers,
            recorded_on=data["recorded_on"],
            occasion=data["occasion"],
            instrument_code=version.instrument.code,
        )

    return _form_page(
        request,
        access=access,
        form=form,
        title=f"Record {version.instrument.name}",
        save=save,
        success="Wellbeing recorded.",
        anchor="outcomes",
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, person_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    version = selectors.instrument_version_current(code="ons4")
    form = forms.ReviewWithWellbeingForm(
        _posted(request),
        questions=version.questions,
        initial={"reviewed_on": timezone.localdate().isoformat()},
    )

    def save(data: dict[str, Any]) -> Any:
        answers = {code: data.get(code) for code in form.question_codes}
        return services.review_record(
            user=request.user,
            person_id=access.person.id,
            reviewed_on=data["reviewed_on"],
            summary=data["summary"],
            next_review_on=data["next_review_on"] or None,
            answers=answers,
        )

    return _form_page(
        request,
        access=access,
        form=form,
        title="Record a review",
        intro="Ask the four wellbeing questions again if the person is happy to answer them.",
        save=save,
        success="Review recorded.",
        anchor="reviews",
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def service_use_new(request: HttpRequest, person_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    form = forms.ServiceUseForm(
        _posted(request), service_types=selectors.service_type_catalogue(), initial={"quantity": 1}
    )
    return _form_page(
        request,
        access=access,
        form=form,
        title="Record crisis or statutory service use",
        save=lambda d: services.service_use_record(
            user=request.user, person_id=access.person.id, **d
        ),
        success="Service use recorded.",
        anchor="outcomes",
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def avoided_new(request: HttpRequest, person_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    form = forms.AvoidedDemandForm(
        _posted(request),
        service_types=selectors.service_type_catalogue(),
        initial={"recorded_on": timezone.localdate().isoformat()},
    )
    return _form_page(
        request,
        access=access,
        form=form,
        title="Record a statutory service avoided or delayed",
        save=lambda d: services.avoided_demand_record(
            user=request.user, person_id=access.person.id, **d
        ),
        success="Recorded.",
        anchor="outcomes",
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def unmet_need_new(request: HttpRequest, person_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    return _form_page(
        request,
        access=access,
        form=forms.UnmetNeedForm(_posted(request), themes=selectors.unmet_need_themes()),
        title="Record an unmet need",
        intro="A need that no local group, service or asset meets. It is counted by ward and "
        "theme in the directory's gap analysis, without the person's details.",
        save=lambda d: services.unmet_need_record(
            user=request.user, person_id=access.person.id, **d
        ),
        success="Unmet need recorded.",
        anchor="needs",
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, person_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    form = forms.CloseForm(
        _posted(request), initial={"closed_on": timezone.localdate().isoformat()}
    )
    return _form_page(
        request,
        access=access,
        form=form,
        title="Close the journey",
        button="Close",
        save=lambda d: services.introduction_close(
            user=request.user, person_id=access.person.id, **d
        ),
        success="Journey closed.",
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def reintroduce(request: HttpRequest, person_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    form = forms.ReintroduceForm(
        _posted(request), initial={"introduced_on": timezone.localdate().isoformat()}
    )
    return _form_page(
        request,
        access=access,
        form=form,
        title="Re-introduce",
        save=lambda d: services.person_reintroduce(
            user=request.user, person_id=access.person.id, **d
        ),
        success="Re-introduction recorded.",
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def consent_new(request: HttpRequest, person_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    organisations = selectors.consent_organisation_choices(person=access.person)
    form = forms.ConsentForm(
        _posted(request),
        organisations=organisations,
        initial={"given_on": timezone.localdate().isoformat()},
    )
    return _form_page(
        request,
        access=access,
        form=form,
        title="Record lawful basis and consent",
        save=lambda d: services.consent_record(
            user=request.user,
            person_id=access.person.id,
            organisation_ids=d.pop("organisations"),
            **d,
        ),
        success="Consent recorded.",
        anchor="consent",
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, person_id: Any, consent_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    form = forms.WithdrawConsentForm(
        _posted(request), initial={"withdrawn_on": timezone.localdate().isoformat()}
    )
    return _form_page(
        request,
        access=access,
        form=form,
        title="Record that consent was withdrawn",
        intro="Partner organisations relying on this consent lose sight of the record at once.",
        save=lambda d: services.consent_withdraw(
            user=request.user, person_id=access.person.id, consent_id=consent_id, **d
        ),
        success="Withdrawal recorded.",
        anchor="consent",
    )


# ------------------------------------------------------------------------ privacy


@require(Action.VIEW_PERSONAL_DATA)
@_errors_to_http
def export_json(request: HttpRequest, person_id: Any) -> HttpResponse:
    data = selectors.person_export(user=request.user, person_id=person_id)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = (
        f'attachment; filename="subject-access-{data["person"]["reference"]}.json"'
    )
    return response


@require(Action.VIEW_PERSONAL_DATA)
@_errors_to_http
def export_html(request: HttpRequest, person_id: Any) -> HttpResponse:
    data = selectors.person_export(user=request.user, person_id=person_id)
    return render(
        request,
        "casework/export.html",
        {"data": data, "person_id": person_id, "pretty": json.dumps(data["person"], indent=2)},
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, person_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    if getattr(request.user, "role", "") != "manager":
        raise PermissionDenied("Only a manager can erase a record.")
    form = forms.EraseForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.person_erase(
                user=request.user, person_id=access.person.id, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as error:
            form.add_service_errors(_field_errors(error), error.message)
            status = 400
        except services.LegalHold as error:
            form.add_error(None, error.message)
            status = 409
        else:
            messages.success(request, "The record was erased: only anonymous facts remain.")
            return redirect("casework:people")
    return render(
        request,
        "casework/erase.html",
        {"person": access.person, "form": form},
        status=status,
    )


@require(Action.EDIT_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def legal_hold(request: HttpRequest, person_id: Any) -> HttpResponse:
    access = _editable(request, person_id)
    if getattr(request.user, "role", "") != "manager":
        raise PermissionDenied("Only a manager can place or lift a legal hold.")
    form = forms.LegalHoldForm(
        _posted(request),
        initial={
            "hold": access.person.legal_hold,
            "legal_hold_reason": access.person.legal_hold_reason,
        },
    )
    return _form_page(
        request,
        access=access,
        form=form,
        title="Legal hold",
        intro="A record under a legal hold is neither erased nor anonymised at the end of the "
        "retention period.",
        save=lambda d: services.person_legal_hold_set(
            user=request.user,
            person_id=access.person.id,
            hold=d["hold"],
            reason=d["legal_hold_reason"],
        ),
        success="Legal hold saved.",
    )


# ------------------------------------------------------------------------ managers


@require(Action.VIEW_AGGREGATES)
@_errors_to_http
def dashboard(request: HttpRequest) -> HttpResponse:
    levels = selectors.dashboard_levels()
    form = forms.DashboardForm(request.GET or None, levels=levels)
    level, area_code = "patch", ""
    if form.is_bound and form.is_valid():
        level = form.cleaned_data["level"] or "patch"
        area_code = form.cleaned_data["area_code"].strip()
    try:
        data = selectors.manager_dashboard(user=request.user, level=level, area_code=area_code)
    except NotFound:
        form.add_error("area_code", "There is no area with that code at that level")
        data = selectors.manager_dashboard(user=request.user, level=level)
    return render(request, "casework/dashboard.html", {"form": form, "data": data})


@require(Action.VIEW_PERSONAL_DATA)
@_errors_to_http
@require_http_methods(["GET", "POST"])
def patches(request: HttpRequest) -> HttpResponse:
    """Managers assign coordinators to patches and end assignments."""
    assignments = selectors.patch_assignments_for_organisation(user=request.user)
    form = forms.PatchAssignForm(
        _posted(request),
        coordinators=_coordinator_choices(request.user),
        patches=selectors.patch_area_choices(),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                assignment = services.patch_assign(
                    user=request.user,
                    coordinator_id=form.cleaned_data["coordinator"],
                    area_id=form.cleaned_data["area"],
                )
            except ValidationFailed as error:
                form.add_service_errors(_field_errors(error), error.message)
            else:
                messages.success(
                    request,
                    f"{assignment.user.display_name} now covers {assignment.area.name}.",
                )
                return redirect("casework:patches")
    return render(
        request,
        "casework/patches.html",
        {"form": form, "assignments": assignments},
        status=status,
    )


@require(Action.VIEW_PERSONAL_DATA)
@_errors_to_http
@require_POST
def patch_end(request: HttpRequest, assignment_id: Any) -> HttpResponse:
    try:
        assignment = services.patch_assignment_end(user=request.user, assignment_id=assignment_id)
    except services.IntroductionState as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"{assignment.user.display_name} no longer covers {assignment.area.name}.",
        )
    return redirect("casework:patches")
