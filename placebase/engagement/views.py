"""Engagement pages. Each view parses input, checks permission, calls one service or selector
and renders; the figures and the rules live in selectors and services."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from placebase.accounts.permissions import Action, can, require
from placebase.accounts.roles import Role
from placebase.core.disclosure import SUPPRESSED
from placebase.core.errors import NotFound, PermissionDenied, PlacebaseError

from . import selectors, services
from .forms import (
    ActivityForm,
    BreadthForm,
    ContributionForm,
    CouncillorWardForm,
    ParticipationForm,
    PeriodForm,
    ProjectLinkForm,
)


def _not_found(error: NotFound) -> Http404:
    return Http404(error.message)


def _form_error(form: Any, error: PlacebaseError) -> None:
    field = error.details.get("field")
    form.add_error(field if field in form.fields else None, error.message)


def _uuid_or_none(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


# ---------------------------------------------------------------------------- activities


@require(Action.VIEW_ENGAGEMENT)
def index(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")[:20]
    activities = selectors.activity_list(user=request.user, kind=kind)
    return render(
        request,
        "engagement/index.html",
        {
            "activities": activities,
            "may_manage": can(request.user, Action.MANAGE_ENGAGEMENT),
            "may_assign": can(request.user, Action.MANAGE_COUNCILLOR_WARDS),
            "kind": kind,
        },
    )


@require(Action.MANAGE_ENGAGEMENT)
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest) -> HttpResponse:
    form = ActivityForm(request.POST or None, area_choices=selectors.ward_choices())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.activity_create(
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                theme=data["theme"],
                held_on=data["held_on"],
                area_id=data["area"],
                venue_postcode=data["venue_postcode"],
                notes=data["notes"],
            )
        except PlacebaseError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Activity recorded")
            return redirect("engagement:activity_detail", activity_id=activity.id)
    return render(request, "engagement/activity_form.html", {"form": form})


@require(Action.VIEW_ENGAGEMENT)
def activity_detail(request: HttpRequest, activity_id: uuid.UUID) -> HttpResponse:
    try:
        activity = selectors.activity_get(user=request.user, activity_id=activity_id)
    except NotFound as error:
        raise _not_found(error) from error
    breadth = selectors.breadth_for_user(
        user=request.user, scope=selectors.Scope(activity_id=activity.id)
    )
    return render(
        request,
        "engagement/activity_detail.html",
        {
            "activity": activity,
            "breadth": breadth,
            "participants": selectors.activity_participants(user=request.user, activity=activity),
            "contributions": selectors.activity_contributions(user=request.user, activity=activity),
            "may_manage": can(request.user, Action.MANAGE_ENGAGEMENT),
            "chart": share_chart(breadth.by_age_band),
            "quintile_chart": share_chart(breadth.by_quintile),
        },
    )


@require(Action.MANAGE_ENGAGEMENT)
@require_http_methods(["GET", "POST"])
def participation_add(request: HttpRequest, activity_id: uuid.UUID) -> HttpResponse:
    try:
        activity = selectors.activity_get(user=request.user, activity_id=activity_id)
    except NotFound as error:
        raise _not_found(error) from error
    form = ParticipationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["reference"]:
                participant = selectors.participant_find(
                    user=request.user, reference=data["reference"]
                )
            else:
                participant = services.participant_register(
                    actor=request.user,
                    age_band=data["age_band"],
                    home_postcode=data["home_postcode"],
                )
            services.participation_record(
                actor=request.user, activity=activity, participant=participant
            )
        except NotFound:
            form.add_error("reference", "There is no participant with that reference")
        except PlacebaseError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"{participant.reference} recorded as taking part")
            return redirect("engagement:activity_detail", activity_id=activity.id)
    return render(
        request, "engagement/participation_form.html", {"form": form, "activity": activity}
    )


@require(Action.MANAGE_ENGAGEMENT)
@require_http_methods(["GET", "POST"])
def contribution_add(request: HttpRequest, participation_id: int) -> HttpResponse:
    try:
        participation = selectors.participation_get(
            user=request.user, participation_id=participation_id
        )
    except NotFound as error:
        raise _not_found(error) from error
    form = ContributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contribution_record(
                actor=request.user,
                participation=participation,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
            )
        except PlacebaseError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Contribution recorded")
            return redirect("engagement:activity_detail", activity_id=participation.activity_id)
    return render(
        request, "engagement/contribution_form.html", {"form": form, "participation": participation}
    )


@require(Action.MANAGE_ENGAGEMENT)
@require_http_methods(["GET", "POST"])
def idea_project(request: HttpRequest, contribution_id: uuid.UUID) -> HttpResponse:
    try:
        contribution = selectors.contribution_get(
            user=request.user, contribution_id=contribution_id
        )
    except NotFound as error:
        raise _not_found(error) from error
    form = ProjectLinkForm(request.POST or None, project_choices=selectors.project_choices())
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_project_link(
                actor=request.user,
                contribution=contribution,
                project_id=form.cleaned_data["project"],
            )
        except PlacebaseError as error:
            _form_error(form, error)
        else:
            messages.success(request, "The idea is now linked to its project")
            return redirect(
                "engagement:activity_detail", activity_id=contribution.participation.activity_id
            )
    return render(
        request, "engagement/project_link_form.html", {"form": form, "contribution": contribution}
    )


# ---------------------------------------------------------------------------- breadth


CHART_ROW = 30
CHART_BAR_MAX = 400  # SVG units for 100%


def share_chart(rows: list[selectors.GroupRow]) -> dict[str, Any]:
    """Bars (in SVG units) for participation share vs population share. Hidden shares draw no
    bar; the table beside the chart says why."""
    bars = []
    for i, row in enumerate(rows):
        part = row.participant_share
        pop = row.population_share
        part_pct = None if part in (None, SUPPRESSED) else 100 * float(part)  # type: ignore[arg-type]
        pop_pct = None if pop is None else 100 * pop
        bars.append(
            {
                "label": row.label,
                "y": i * CHART_ROW,
                "participant_pct": part_pct,
                "population_pct": pop_pct,
                "participant_width": None
                if part_pct is None
                else round(part_pct * CHART_BAR_MAX / 100, 1),
                "population_width": None
                if pop_pct is None
                else round(pop_pct * CHART_BAR_MAX / 100, 1),
                "hidden": part == SUPPRESSED,
            }
        )
    return {"bars": bars, "height": len(rows) * CHART_ROW + 10}


def _period(form: PeriodForm) -> tuple[datetime.date | None, datetime.date | None]:
    if not form.is_valid():
        return None, None
    return form.cleaned_data.get("start"), form.cleaned_data.get("end")


@require(Action.VIEW_ENGAGEMENT)
def breadth(request: HttpRequest) -> HttpResponse:
    form = BreadthForm(request.GET or None, area_choices=selectors.ward_choices())
    start, end = _period(form)
    area_id = _uuid_or_none(
        form.cleaned_data.get("area") if form.is_bound and form.is_valid() else None
    )
    level = (form.cleaned_data.get("level") if form.is_bound and form.is_valid() else "") or "ward"
    scope = selectors.Scope(area_id=area_id, start=start, end=end)
    view = selectors.breadth_for_user(user=request.user, scope=scope)
    reach = selectors.reach_headline(user=request.user, scope=scope)
    choropleth = selectors.choropleth(user=request.user, level=level, start=start, end=end)
    return render(
        request,
        "engagement/breadth.html",
        {
            "form": form,
            "breadth": view,
            "reach": reach,
            "chart": share_chart(view.by_age_band),
            "quintile_chart": share_chart(view.by_quintile),
            "choropleth": choropleth,
            "map_data": _map_data(choropleth),
        },
    )


MAP_BANDS = 5


def _map_data(choropleth: selectors.ChoroplethData) -> dict[str, Any]:
    """Boundaries with each area's rate and colour band (0 = none, 1–5 equal steps up to the
    highest rate; "hidden" where small numbers are suppressed), and the legend."""
    geo = selectors.boundaries_geojson(area_ids=[r.area_id for r in choropleth.rows])
    values = {str(r.area_id): r.per_thousand for r in choropleth.rows}
    numbers = [v for v in values.values() if isinstance(v, float | int)]
    top = max(numbers, default=0) or 1
    for feature in geo["features"]:
        value = values.get(feature["id"])
        if value == SUPPRESSED:
            band, shown = "hidden", "hidden (small numbers)"
        elif isinstance(value, float | int):
            band = str(min(MAP_BANDS, int(-(-value * MAP_BANDS // top)))) if value > 0 else "0"
            shown = f"{value:.1f} per 1,000 residents"
        else:
            band, shown = "0", "no population figures"
        feature["properties"].update({"band": band, "shown": shown})
    step = top / MAP_BANDS
    geo["legend"] = (
        [{"band": str(i), "label": f"up to {step * i:.1f}"} for i in range(1, MAP_BANDS + 1)]
        if numbers
        else []
    )
    return geo


# ---------------------------------------------------------------------------- councillors


@require(Action.VIEW_WARD_AGGREGATES)
def ward_view(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    start, end = _period(form)
    area_ids = [a for a in (_uuid_or_none(v) for v in request.GET.getlist("ward")) if a]
    try:
        view = selectors.ward_view(
            user=request.user, start=start, end=end, area_ids=area_ids or None
        )
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from error
    # This page is for councillors: whatever the viewer's role, the map is disclosure-
    # controlled like everything else on it.
    choropleth = selectors.choropleth(
        user=request.user,
        level="ward",
        start=view.start,
        end=view.end,
        area_ids=[w.area_id for w in view.wards],
        disclosed=True,
    )
    return render(
        request,
        "engagement/ward_view.html",
        {
            "form": form,
            "view": view,
            "choropleth": choropleth,
            "map_data": _map_data(choropleth),
            "ward_choices": (
                selectors.ward_choices()
                if getattr(request.user, "role", "") != Role.COUNCILLOR
                else []
            ),
            "charts": [(wb, share_chart(wb.breadth.by_quintile)) for wb in view.breadth],
        },
    )


@require(Action.MANAGE_COUNCILLOR_WARDS)
@require_http_methods(["GET", "POST"])
def councillor_wards(request: HttpRequest) -> HttpResponse:
    form = CouncillorWardForm(
        request.POST or None,
        user_choices=selectors.councillor_user_choices(user=request.user),
        area_choices=selectors.ward_choices(),
    )
    if request.method == "POST" and form.is_valid():
        from placebase.accounts.models import User

        councillor = User.objects.filter(pk=form.cleaned_data["user"]).first()
        try:
            if councillor is None:
                raise NotFound("No such councillor.")
            services.councillor_ward_assign(
                actor=request.user, user=councillor, area_id=form.cleaned_data["area"]
            )
        except NotFound:
            form.add_error("user", "Choose a councillor")
        except PlacebaseError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Ward assigned")
            return redirect("engagement:councillor_wards")
    return render(
        request,
        "engagement/councillor_wards.html",
        {"form": form, "wards": selectors.councillor_ward_list_all(user=request.user)},
    )


@require(Action.MANAGE_COUNCILLOR_WARDS)
@require_POST
def councillor_ward_remove(request: HttpRequest, ward_id: uuid.UUID) -> HttpResponse:
    try:
        ward = selectors.councillor_ward_get(user=request.user, ward_id=ward_id)
    except NotFound as error:
        raise _not_found(error) from error
    services.councillor_ward_remove(actor=request.user, ward=ward)
    messages.success(request, "Ward removed")
    return redirect("engagement:councillor_wards")
