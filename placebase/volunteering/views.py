"""Pages: public search, pledging in two steps and sign-up (no sign-in needed); a volunteer's
own page; coordinators' pages. Views parse, check permission, call one service or selector."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from placebase.accounts.permissions import Action, require
from placebase.core.errors import NotFound, PlacebaseError

from . import forms, selectors, services, throttle
from .errors import RateLimited
from .models import CheckLevel, OpportunityKind, OpportunityStatus

HONEYPOT_MESSAGE = "We could not accept this form. Check your answers and try again."

PLEDGE_SESSION = "volunteering_pledge"
PLEDGED_SESSION = "volunteering_pledged"


def _own_volunteer(request: HttpRequest) -> Any:
    try:
        return selectors.volunteer_get_own(user=request.user)
    except NotFound:
        return None


# --- public -----------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    point: Any = None
    results: list[selectors.OpportunityNear] = []
    if form.is_bound and form.is_valid():
        try:
            point, results = selectors.opportunity_search(
                postcode=form.cleaned_data["postcode"], kind=form.cleaned_data["kind"]
            )
        except PlacebaseError as error:
            form.add_error("postcode", error.message)
    else:
        _, results = selectors.opportunity_search()
    map_points = [
        {
            "lat": r.opportunity.lat,
            "lon": r.opportunity.lon,
            "title": r.opportunity.title,
            "href": reverse("volunteering:opportunity", args=[r.opportunity.pk]),
        }
        for r in results
    ]
    map_data = {
        "points": map_points,
        "centre": {"lat": point.lat, "lon": point.lon} if point else None,
    }
    return render(
        request,
        "volunteering/index.html",
        {
            "form": form,
            "point": point,
            "results": results,
            "map_data": map_data,
            "searched": form.is_bound and not form.errors,
        },
    )


def _choices(opportunity: Any) -> list[tuple[str, str]]:
    shifts = list(selectors.shifts_open(opportunity=opportunity))
    if shifts:
        return [
            (
                f"shift:{s.pk}",
                f"{timezone.localtime(s.starts_at):%A %d %B %Y, %H:%M}"
                + (f" at {s.site.name}" if s.site else ""),
            )
            for s in shifts
        ]
    return [(f"site:{s.pk}", s.name) for s in opportunity.sites.all()]


def opportunity_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    try:
        opportunity = selectors.opportunity_get_public(opportunity_id=pk)
    except NotFound:
        raise Http404 from None
    volunteer = _own_volunteer(request)
    return render(
        request,
        "volunteering/opportunity.html",
        {
            "opportunity": opportunity,
            "volunteer": volunteer,
            "shifts": selectors.shifts_open(opportunity=opportunity),
            "places_left": selectors.places_left(opportunity=opportunity),
            "pledges": selectors.pledge_count(opportunity=opportunity),
            "guest_may_pledge": opportunity.kind == OpportunityKind.MICRO,
            "check_label": CheckLevel(opportunity.check_level).label,
            "availability": selectors.describe_availability(opportunity.availability),
        },
    )


def pledge_start(request: HttpRequest, pk: Any) -> HttpResponse:
    """Step 1 of 2: who you are (guests) and when and where."""
    try:
        opportunity = selectors.opportunity_get_public(opportunity_id=pk)
    except NotFound:
        raise Http404 from None
    volunteer = _own_volunteer(request)
    if volunteer is None and opportunity.kind != OpportunityKind.MICRO:
        return redirect("volunteering:opportunity", pk=opportunity.pk)
    choices = _choices(opportunity)
    saved = request.session.get(PLEDGE_SESSION, {})
    initial = saved if saved.get("opportunity") == str(opportunity.pk) else {}
    form = forms.PledgeDetailsForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        guest=volunteer is None,
        choices=choices,
    )
    if request.method == "POST" and throttle.honeypot_filled(request.POST):
        form.is_valid()
        form.add_error(None, HONEYPOT_MESSAGE)
    elif request.method == "POST" and form.is_valid():
        request.session[PLEDGE_SESSION] = {
            "opportunity": str(opportunity.pk),
            "guest_name": form.cleaned_data.get("guest_name", "").strip(),
            "guest_email": form.cleaned_data.get("guest_email", ""),
            "choice": form.cleaned_data.get("choice", ""),
        }
        return redirect("volunteering:pledge_check", pk=opportunity.pk)
    return render(
        request,
        "volunteering/pledge_start.html",
        {"opportunity": opportunity, "form": form, "volunteer": volunteer},
    )


def _chosen(opportunity: Any, choice: str) -> tuple[Any, Any, str]:
    """(site, shift, label) from a saved "shift:<id>" or "site:<id>" choice."""
    labels = dict(_choices(opportunity))
    if choice and choice not in labels:
        raise NotFound("That time or place is no longer available.")
    kind, _, pk = choice.partition(":")
    if kind == "shift":
        shift = opportunity.shifts.select_related("site").get(pk=pk)
        return shift.site, shift, labels[choice]
    if kind == "site":
        return opportunity.sites.get(pk=pk), None, labels[choice]
    return None, None, ""


def pledge_check(request: HttpRequest, pk: Any) -> HttpResponse:
    """Step 2 of 2: check and confirm."""
    try:
        opportunity = selectors.opportunity_get_public(opportunity_id=pk)
    except NotFound:
        raise Http404 from None
    saved = request.session.get(PLEDGE_SESSION)
    if not saved or saved.get("opportunity") != str(opportunity.pk):
        return redirect("volunteering:pledge_start", pk=opportunity.pk)
    volunteer = _own_volunteer(request)
    try:
        site, shift, when = _chosen(opportunity, saved.get("choice", ""))
    except NotFound:
        messages.info(request, "That time or place is no longer available: choose again.")
        return redirect("volunteering:pledge_start", pk=opportunity.pk)
    error = None
    status = 200
    if request.method == "POST":
        try:
            throttle.attempt(request, throttle.pledge_limit())
            pledge = services.pledge_make(
                opportunity=opportunity,
                volunteer=volunteer,
                guest_name=saved.get("guest_name", ""),
                guest_email=saved.get("guest_email", ""),
                site=site,
                shift=shift,
            )
        except PlacebaseError as failure:
            error = failure.message
            status = 429 if isinstance(failure, RateLimited) else 400
        else:
            del request.session[PLEDGE_SESSION]
            request.session[PLEDGED_SESSION] = {
                "reference": pledge.reference,
                "opportunity": str(opportunity.pk),
                "status": pledge.status,
            }
            return redirect("volunteering:pledge_done")
    return render(
        request,
        "volunteering/pledge_check.html",
        {
            "opportunity": opportunity,
            "saved": saved,
            "volunteer": volunteer,
            "when": when,
            "error": error,
            "waits": services.pledge_waits_for_host(opportunity=opportunity, volunteer=volunteer),
        },
        status=status,
    )


def pledge_done(request: HttpRequest) -> HttpResponse:
    done = request.session.get(PLEDGED_SESSION)
    if not done:
        return redirect("volunteering:index")
    try:
        opportunity = selectors.opportunity_get_public(opportunity_id=done["opportunity"])
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "volunteering/pledge_done.html",
        {
            "opportunity": opportunity,
            "reference": done["reference"],
            "waiting": done["status"] == "requested",
            "volunteer": _own_volunteer(request),
        },
    )


def sign_up(request: HttpRequest) -> HttpResponse:
    form = forms.SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            throttle.attempt(request, throttle.sign_up_limit())
        except RateLimited as error:
            form.is_valid()
            form.add_error(None, error.message)
            return render(request, "volunteering/sign_up.html", {"form": form}, status=429)
        if throttle.honeypot_filled(request.POST):
            form.is_valid()
            form.add_error(None, HONEYPOT_MESSAGE)
            return render(request, "volunteering/sign_up.html", {"form": form}, status=400)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "date_of_birth" not in data:
            form.add_error("date_of_birth_day", "Enter your date of birth")
        else:
            try:
                volunteer = services.volunteer_sign_up(
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    date_of_birth=data["date_of_birth"],
                    postcode=data["postcode"],
                    password=data["password"],
                    consent=data["consent"],
                    skills=data["skills"],
                    availability=form.availability_mask(),
                    travel_km=data["travel_km"] or 5,
                    interests=data["interests"],
                    guardian_name=data["guardian_name"],
                    guardian_email=data["guardian_email"],
                    base_url=request.build_absolute_uri("/"),
                )
            except PlacebaseError as error:
                forms.apply_error(form, error)
            else:
                login(request, volunteer.user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, "You have signed up to volunteer. Thank you!")
                return redirect("volunteering:me")
    if form.errors:
        status = 400
    return render(request, "volunteering/sign_up.html", {"form": form}, status=status)


def guardian_approve(request: HttpRequest, token: str) -> HttpResponse:
    try:
        volunteer = services.volunteer_from_guardian_token(token)
    except PlacebaseError as error:
        return render(request, "volunteering/guardian.html", {"invalid": error.message}, status=404)
    form = forms.GuardianForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_guardian_approve(
                token=token,
                guardian_name=form.cleaned_data["guardian_name"],
                confirm=form.cleaned_data["confirm"],
            )
        except PlacebaseError as error:
            forms.apply_error(form, error)
        else:
            return render(
                request,
                "volunteering/guardian.html",
                {"approved": True, "first_name": volunteer.first_name},
            )
    return render(
        request,
        "volunteering/guardian.html",
        {
            "form": form,
            "first_name": volunteer.first_name,
            "approved": volunteer.guardian_approved_at is not None,
        },
    )


# --- a volunteer's own page -------------------------------------------------------------------


@login_required
def me(request: HttpRequest) -> HttpResponse:
    volunteer = _own_volunteer(request)
    if volunteer is None:
        return render(request, "volunteering/me_none.html")
    page = selectors.volunteer_page(volunteer=volunteer)
    hours_form = forms.HoursLogForm(request.POST or None, opportunities=page.loggable)
    if request.method == "POST" and hours_form.is_valid():
        data = hours_form.cleaned_data
        opportunity = next((o for o in page.loggable if str(o.pk) == data["opportunity"]), None)
        if opportunity is None or "worked_on" not in data:
            hours_form.add_error("opportunity", "Choose what you did")
        else:
            try:
                services.hours_log(
                    volunteer=volunteer,
                    opportunity=opportunity,
                    worked_on=data["worked_on"],
                    minutes=data["minutes"],
                    note=data["note"],
                )
            except PlacebaseError as error:
                forms.apply_error(hours_form, error)
            else:
                messages.success(request, "Your time is logged. The host will verify it.")
                return redirect("volunteering:me")
    return render(
        request,
        "volunteering/me.html",
        {
            "page": page,
            "hours_form": hours_form,
            "availability": selectors.describe_availability(volunteer.availability),
        },
    )


@login_required
@require_POST
def me_invitation(request: HttpRequest, pk: Any) -> HttpResponse:
    volunteer = _own_volunteer(request)
    if volunteer is None:
        raise Http404
    try:
        invitation = selectors.invitation_get_own(volunteer=volunteer, invitation_id=pk)
    except NotFound:
        raise Http404 from None
    form = forms.InvitationReplyForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_reply(
                volunteer=volunteer,
                invitation=invitation,
                reply=form.cleaned_data["reply"],
                guests=form.cleaned_data["guests"] or 0,
            )
            messages.success(request, "Thank you for replying.")
        except PlacebaseError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, "Say whether you are coming.")
    return redirect("volunteering:me")


@login_required
@require_POST
def me_withdraw(request: HttpRequest, pk: Any) -> HttpResponse:
    volunteer = _own_volunteer(request)
    if volunteer is None:
        raise Http404
    try:
        pledge = selectors.pledge_get_own(volunteer=volunteer, pledge_id=pk)
        services.pledge_withdraw(volunteer=volunteer, pledge=pledge)
        messages.success(request, "Your pledge is withdrawn.")
    except NotFound:
        raise Http404 from None
    except PlacebaseError as error:
        messages.error(request, error.message)
    return redirect("volunteering:me")


# --- coordinators -----------------------------------------------------------------------------


@require(Action.MANAGE_VOLUNTEERING)
def manage(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "volunteering/manage.html",
        {
            "opportunities": selectors.opportunity_list_for_manager(user=user),
            "awaiting": selectors.pledges_awaiting(user=user),
            "hours": selectors.hours_to_verify(user=user),
            "checks_due": selectors.safeguarding_checks_due(user=user),
            "events": selectors.celebration_list_for_manager(user=user),
            "reason_form": forms.ReasonForm(),
        },
    )


@require(Action.MANAGE_VOLUNTEERING)
def manage_opportunity_new(request: HttpRequest) -> HttpResponse:
    form = forms.OpportunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opportunity = services.opportunity_create(
                actor=request.user,
                title=data["title"],
                summary=data["summary"],
                description=data["description"],
                kind=data["kind"],
                duration_minutes=data["duration_minutes"],
                host_name=data["host_name"],
                postcode=data["postcode"],
                skills=data["skills"],
                regulated_activity=data["regulated_activity"],
                check_level=data["check_level"],
                minimum_age=data["minimum_age"] or 0,
                capacity=data["capacity"],
            )
        except PlacebaseError as error:
            forms.apply_error(form, error)
        else:
            messages.success(request, "Opportunity published.")
            return redirect("volunteering:manage_opportunity", pk=opportunity.pk)
    return render(request, "volunteering/manage_opportunity_new.html", {"form": form})


@require(Action.MANAGE_VOLUNTEERING)
def manage_opportunity(request: HttpRequest, pk: Any) -> HttpResponse:
    try:
        opportunity = selectors.opportunity_get_for_manager(user=request.user, opportunity_id=pk)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "volunteering/manage_opportunity.html",
        {
            "opportunity": opportunity,
            "pledges": selectors.pledge_list_for_opportunity(
                user=request.user, opportunity=opportunity
            ),
            "suggestions": selectors.suggestions_for_opportunity(opportunity=opportunity),
            "shifts": selectors.shift_list_for_opportunity(opportunity=opportunity),
            "value": selectors.volunteer_hours_value(opportunity=opportunity),
            "reason_form": forms.ReasonForm(),
        },
    )


@require(Action.MANAGE_VOLUNTEERING)
@require_POST
def manage_pledge(request: HttpRequest, pk: Any, action: str) -> HttpResponse:
    try:
        pledge = selectors.pledge_get_for_manager(user=request.user, pledge_id=pk)
    except NotFound:
        raise Http404 from None
    try:
        if action == "confirm":
            services.pledge_confirm(actor=request.user, pledge=pledge)
            messages.success(request, f"Pledge {pledge.reference} confirmed.")
        elif action == "decline":
            services.pledge_decline(
                actor=request.user, pledge=pledge, reason=request.POST.get("reason", "")
            )
            messages.success(request, f"Pledge {pledge.reference} declined.")
        else:
            raise Http404
    except PlacebaseError as error:
        messages.error(request, error.message)
    return redirect(request.POST.get("next") or reverse("volunteering:manage"))


@require(Action.MANAGE_VOLUNTEERING)
@require_POST
def manage_hours(request: HttpRequest, pk: Any, action: str) -> HttpResponse:
    try:
        entry = selectors.hours_entry_get_for_manager(user=request.user, entry_id=pk)
    except NotFound:
        raise Http404 from None
    try:
        if action == "verify":
            services.hours_verify(actor=request.user, entry=entry)
            messages.success(request, "Hours verified.")
        elif action == "reject":
            services.hours_reject(
                actor=request.user, entry=entry, reason=request.POST.get("reason", "")
            )
            messages.success(request, "Hours not verified; the volunteer can see why.")
        else:
            raise Http404
    except PlacebaseError as error:
        messages.error(request, error.message)
    return redirect("volunteering:manage")


@require(Action.MANAGE_VOLUNTEERING)
def manage_volunteer(request: HttpRequest, pk: Any) -> HttpResponse:
    user = request.user
    try:
        volunteer = selectors.volunteer_get_for_manager(user=user, volunteer_id=pk)
    except NotFound:
        raise Http404 from None
    badges = list(selectors.badge_list_skill())
    opportunities = list(selectors.opportunity_list_for_manager(user=user))
    action = request.POST.get("action") if request.method == "POST" else None
    check_form = forms.CheckForm(request.POST if action == "check" else None)
    thank_form = forms.ThankForm(request.POST if action == "thank" else None)
    badge_form = forms.BadgeForm(request.POST if action == "badge" else None, badges=badges)
    hours_form = forms.StaffHoursForm(
        request.POST if action == "hours" else None, opportunities=opportunities
    )
    form = {"check": check_form, "thank": thank_form, "badge": badge_form, "hours": hours_form}.get(
        action or ""
    )
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "check" and "certificate_date" in data:
                services.safeguarding_check_record(
                    actor=user,
                    volunteer=volunteer,
                    level=data["level"],
                    certificate_date=data["certificate_date"],
                    on_update_service=data["on_update_service"],
                )
            elif action == "thank":
                services.thank_you_send(actor=user, volunteer=volunteer, message=data["message"])
            elif action == "badge":
                badge = next(b for b in badges if b.slug == data["badge"])
                services.badge_award(
                    actor=user, volunteer=volunteer, badge=badge, reason=data["reason"]
                )
            elif action == "hours" and "worked_on" in data:
                opportunity = next(o for o in opportunities if str(o.pk) == data["opportunity"])
                services.hours_enter_by_staff(
                    actor=user,
                    volunteer=volunteer,
                    opportunity=opportunity,
                    worked_on=data["worked_on"],
                    minutes=data["minutes"],
                )
        except PlacebaseError as error:
            forms.apply_error(form, error)
        else:
            if not form.errors:
                messages.success(request, "Saved.")
                return redirect("volunteering:manage_volunteer", pk=volunteer.pk)
    return render(
        request,
        "volunteering/manage_volunteer.html",
        {
            "volunteer": volunteer,
            "checks": selectors.safeguarding_checks_for(volunteer=volunteer),
            "page": selectors.volunteer_page(volunteer=volunteer),
            "check_form": check_form,
            "thank_form": thank_form,
            "badge_form": badge_form,
            "hours_form": hours_form,
            "availability": selectors.describe_availability(volunteer.availability),
        },
    )


@require(Action.MANAGE_VOLUNTEERING)
def manage_value(request: HttpRequest) -> HttpResponse:
    form = forms.ValueForm(request.GET or None)
    by, start, end = "opportunity", None, None
    if form.is_bound and form.is_valid():
        by, start, end = (
            form.cleaned_data["by"],
            form.cleaned_data["start"],
            form.cleaned_data["end"],
        )
    try:
        total = selectors.volunteer_hours_value(
            organisation=getattr(request.user, "organisation_id", None),
            period_start=start,
            period_end=end,
        )
        rows = selectors.volunteer_hours_value_breakdown(
            user=request.user, by=by, period_start=start, period_end=end
        )
    except PlacebaseError as error:
        form.add_error("end", error.message)
        total, rows = None, []
    return render(
        request, "volunteering/manage_value.html", {"form": form, "total": total, "rows": rows}
    )


@require(Action.MANAGE_VOLUNTEERING)
def manage_celebrations(request: HttpRequest) -> HttpResponse:
    form = forms.EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.celebration_event_create(
                actor=request.user,
                title=data["title"],
                venue=data["venue"],
                starts_at=data["starts_at"],
                area_code=data["area_code"],
                area_name=data["area_name"],
            )
            invited = services.celebration_invite(actor=request.user, event=event)
        except PlacebaseError as error:
            forms.apply_error(form, error)
        else:
            messages.success(request, f"Event created; {invited} volunteers invited.")
            return redirect("volunteering:manage")
    return render(
        request,
        "volunteering/manage_celebrations.html",
        {"form": form, "events": selectors.celebration_list_for_manager(user=request.user)},
    )


# --- a volunteer's own details, export and erasure --------------------------------------------


def _export_response(data: dict[str, Any], volunteer_id: str) -> HttpResponse:
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = (
        f'attachment; filename="volunteer-subject-access-{volunteer_id}.json"'
    )
    return response


@login_required
def me_profile(request: HttpRequest) -> HttpResponse:
    volunteer = _own_volunteer(request)
    if volunteer is None:
        raise Http404
    initial = {
        "postcode": volunteer.postcode,
        "travel_km": str(volunteer.travel_km),
        "skills": [s.slug for s in volunteer.skills.all()],
        "availability": selectors.availability_codes(volunteer.availability),
        "interests": volunteer.interests,
        "phone": volunteer.phone,
        "may_be_suggested": volunteer.may_be_suggested,
        "version": volunteer.version,
    }
    form = forms.ProfileForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.volunteer_profile_update(
                actor=request.user,
                volunteer=volunteer,
                version=data["version"],
                postcode=data["postcode"],
                skills=data["skills"],
                interests=data["interests"],
                availability=form.availability_mask(),
                travel_km=data["travel_km"],
                phone=data["phone"],
                may_be_suggested=data["may_be_suggested"],
            )
        except PlacebaseError as error:
            forms.apply_error(form, error)
            status = error.http_status
        else:
            messages.success(request, "Your details are saved.")
            return redirect("volunteering:me")
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "volunteering/me_profile.html",
        {"form": form, "volunteer": volunteer},
        status=status,
    )


@login_required
def me_export(request: HttpRequest) -> HttpResponse:
    try:
        data = selectors.volunteer_export_own(user=request.user)
    except NotFound:
        raise Http404 from None
    return _export_response(data, data["profile"]["id"])


@login_required
def me_erase(request: HttpRequest) -> HttpResponse:
    volunteer = _own_volunteer(request)
    if volunteer is None:
        raise Http404
    form = forms.EraseForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_erase(
                actor=request.user, volunteer=volunteer, reason=form.cleaned_data["reason"]
            )
        except PlacebaseError as error:
            forms.apply_error(form, error)
            status = error.http_status
        else:
            logout(request)
            return render(request, "volunteering/erased.html", {"by_self": True})
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "volunteering/erase.html",
        {"form": form, "volunteer": volunteer, "by_self": True},
        status=status,
    )


@login_required
def me_wellbeing(request: HttpRequest) -> HttpResponse:
    volunteer = _own_volunteer(request)
    if volunteer is None:
        raise Http404
    form = forms.WellbeingForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.wellbeing_record(
                actor=request.user, volunteer=volunteer, answers=form.cleaned_data
            )
        except PlacebaseError as error:
            forms.apply_error(form, error)
            status = error.http_status
        else:
            messages.success(request, "Thank you for your answers.")
            return redirect("volunteering:me")
    if form.errors and status == 200:
        status = 400
    return render(request, "volunteering/me_wellbeing.html", {"form": form}, status=status)


# --- coordinators: editing opportunities, sites and shifts ------------------------------------


def _manager_opportunity(request: HttpRequest, pk: Any) -> Any:
    try:
        return selectors.opportunity_get_for_manager(user=request.user, opportunity_id=pk)
    except NotFound:
        raise Http404 from None


@require(Action.MANAGE_VOLUNTEERING)
def manage_opportunity_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    opportunity = _manager_opportunity(request, pk)
    initial = {
        "title": opportunity.title,
        "summary": opportunity.summary,
        "description": opportunity.description,
        "kind": opportunity.kind,
        "duration_minutes": opportunity.duration_minutes,
        "host_name": opportunity.host_name,
        "postcode": opportunity.postcode,
        "skills": [s.slug for s in opportunity.skills.all()],
        "regulated_activity": opportunity.regulated_activity,
        "check_level": opportunity.check_level,
        "minimum_age": opportunity.minimum_age,
        "capacity": opportunity.capacity,
        "version": opportunity.version,
    }
    form = forms.OpportunityEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.opportunity_update(
                actor=request.user,
                opportunity=opportunity,
                version=data["version"],
                title=data["title"],
                summary=data["summary"],
                description=data["description"],
                kind=data["kind"],
                duration_minutes=data["duration_minutes"],
                host_name=data["host_name"],
                postcode=data["postcode"],
                skills=data["skills"],
                regulated_activity=data["regulated_activity"],
                check_level=data["check_level"],
                minimum_age=data["minimum_age"] or 0,
                capacity=data["capacity"],
                starts_on=opportunity.starts_on,
                ends_on=opportunity.ends_on,
            )
        except PlacebaseError as error:
            forms.apply_error(form, error)
            status = error.http_status
        else:
            messages.success(request, "Opportunity saved.")
            return redirect("volunteering:manage_opportunity", pk=opportunity.pk)
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "volunteering/manage_opportunity_edit.html",
        {"form": form, "opportunity": opportunity},
        status=status,
    )


@require(Action.MANAGE_VOLUNTEERING)
@require_POST
def manage_opportunity_status(request: HttpRequest, pk: Any) -> HttpResponse:
    opportunity = _manager_opportunity(request, pk)
    status = request.POST.get("status", "")
    if status not in (OpportunityStatus.CLOSED, OpportunityStatus.PUBLISHED):
        raise Http404
    try:
        services.opportunity_status_set(actor=request.user, opportunity=opportunity, status=status)
    except PlacebaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            "Opportunity closed: it no longer appears in search, and its pledges are kept."
            if status == OpportunityStatus.CLOSED
            else "Opportunity published again.",
        )
    return redirect("volunteering:manage_opportunity", pk=opportunity.pk)


@require(Action.MANAGE_VOLUNTEERING)
def manage_site(request: HttpRequest, pk: Any, site_pk: Any = None) -> HttpResponse:
    opportunity = _manager_opportunity(request, pk)
    site = None
    if site_pk is not None:
        site = next((s for s in opportunity.sites.all() if s.pk == site_pk), None)
        if site is None:
            raise Http404
    initial = (
        {"name": site.name, "postcode": site.postcode, "capacity": site.capacity} if site else {}
    )
    form = forms.SiteForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if site is None:
                services.site_add(
                    actor=request.user,
                    opportunity=opportunity,
                    name=data["name"],
                    postcode=data["postcode"],
                    capacity=data["capacity"],
                )
            else:
                services.site_update(
                    actor=request.user,
                    site=site,
                    name=data["name"],
                    postcode=data["postcode"],
                    capacity=data["capacity"],
                )
        except PlacebaseError as error:
            forms.apply_error(form, error)
            status = error.http_status
        else:
            messages.success(request, "Site saved.")
            return redirect("volunteering:manage_opportunity", pk=opportunity.pk)
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "volunteering/manage_site.html",
        {"form": form, "opportunity": opportunity, "site": site},
        status=status,
    )


@require(Action.MANAGE_VOLUNTEERING)
def manage_shift(request: HttpRequest, pk: Any, shift_pk: Any = None) -> HttpResponse:
    opportunity = _manager_opportunity(request, pk)
    sites = list(opportunity.sites.all())
    shift = None
    initial: dict[str, Any] = {}
    if shift_pk is not None:
        shift = opportunity.shifts.filter(pk=shift_pk).first()
        if shift is None:
            raise Http404
        starts = timezone.localtime(shift.starts_at)
        initial = {
            "day_day": starts.day,
            "day_month": starts.month,
            "day_year": starts.year,
            "starts": f"{starts:%H:%M}",
            "ends": f"{timezone.localtime(shift.ends_at):%H:%M}",
            "site": str(shift.site_id or ""),
            "capacity": shift.capacity,
        }
    form = forms.ShiftForm(request.POST or None, initial=initial, sites=sites)
    status = 200
    if request.method == "POST" and form.is_valid() and "starts_at" in form.cleaned_data:
        data = form.cleaned_data
        site = next((s for s in sites if str(s.pk) == data.get("site")), None)
        try:
            if shift is None:
                services.shift_add(
                    actor=request.user,
                    opportunity=opportunity,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    site=site,
                    capacity=data["capacity"],
                )
            else:
                services.shift_update(
                    actor=request.user,
                    shift=shift,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    site=site,
                    capacity=data["capacity"],
                )
        except PlacebaseError as error:
            forms.apply_error(form, error)
            status = error.http_status
        else:
            messages.success(request, "Shift saved.")
            return redirect("volunteering:manage_opportunity", pk=opportunity.pk)
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "volunteering/manage_shift.html",
        {"form": form, "opportunity": opportunity, "shift": shift},
        status=status,
    )


# --- coordinators: subject access and erasure -------------------------------------------------


@require(Action.MANAGE_VOLUNTEERING)
def manage_volunteer_export(request: HttpRequest, pk: Any) -> HttpResponse:
    try:
        data = selectors.volunteer_export_for_manager(user=request.user, volunteer_id=pk)
    except NotFound:
        raise Http404 from None
    return _export_response(data, str(pk))


@require(Action.MANAGE_VOLUNTEERING)
def manage_volunteer_erase(request: HttpRequest, pk: Any) -> HttpResponse:
    try:
        volunteer = selectors.volunteer_get_for_manager(user=request.user, volunteer_id=pk)
    except NotFound:
        raise Http404 from None
    form = forms.EraseForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_erase(
                actor=request.user, volunteer=volunteer, reason=form.cleaned_data["reason"]
            )
        except PlacebaseError as error:
            forms.apply_error(form, error)
            status = error.http_status
        else:
            messages.success(
                request, "The record was erased. Verified hours stay as anonymous time given."
            )
            return redirect("volunteering:manage_volunteer", pk=volunteer.pk)
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "volunteering/erase.html",
        {"form": form, "volunteer": volunteer, "by_self": False},
        status=status,
    )
