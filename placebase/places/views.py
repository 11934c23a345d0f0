"""Places pages: boundary sets, the place picker, area pages, imports and custom areas."""

import json
import os
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from placebase.accounts.permissions import Action, can, require
from placebase.core.errors import NotFound, ValidationFailed

from . import selectors, services
from .forms import (
    AreaDataImportForm,
    BoundaryImportForm,
    CustomAreaForm,
    PlaceSearchForm,
    PostcodeImportForm,
)
from .models import CUSTOM_LEVELS, Area, ImportKind, Level

# Areas shown as outlines on one map at most; beyond this the table alone carries them.
MAP_FEATURE_LIMIT = 300


def _tiles() -> dict[str, str]:
    """Background tiles are off unless configured: boundaries and points draw without them."""
    return {
        "url": getattr(settings, "PLACES_MAP_TILE_URL", "")
        or os.environ.get("PLACEBASE_MAP_TILE_URL", ""),
        "attribution": getattr(settings, "PLACES_MAP_TILE_ATTRIBUTION", "")
        or os.environ.get("PLACEBASE_MAP_TILE_ATTRIBUTION", ""),
    }


def _feature(area: Area, role: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": json.loads(area.geometry),
        "properties": {"name": area.name, "code": area.code, "role": role},
    }


def _point(lat: float, lon: float, name: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"name": name, "role": "point"},
    }


def _map_data(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"features": {"type": "FeatureCollection", "features": features}, "tiles": _tiles()}


def _safe_return_to(request: HttpRequest) -> str:
    target = request.GET.get("return_to", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@require(Action.VIEW_PLACES)
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "places/index.html",
        {
            "form": PlaceSearchForm(),
            "sets": selectors.boundary_set_list(),
            "custom_areas": selectors.custom_area_list()[:50],
            "outside_count": selectors.located_point_outside_count(),
            "may_import": can(request.user, Action.IMPORT_PLACES),
            "may_edit_custom": can(request.user, Action.EDIT_CUSTOM_AREAS),
            "jobs": selectors.import_job_list(user=request.user, limit=5),
        },
    )


@require(Action.VIEW_PLACES)
def picker(request: HttpRequest) -> HttpResponse:
    """Search by name, code or postcode. With `return_to`, choosing a place goes back there
    with `?area=<id>`, so any report can ask "where?" through this page."""
    return_to = _safe_return_to(request)
    form = PlaceSearchForm(request.GET or None)
    result = None
    if form.is_valid():
        result = selectors.place_search(query=form.cleaned_data["q"])
        if result.error:
            form.add_error("q", result.error)
    rows = []
    for area in result.areas if result else []:
        href = reverse("places:area_detail", args=[area.id])
        if return_to:
            joiner = "&" if "?" in return_to else "?"
            href = f"{return_to}{joiner}area={area.id}"
        rows.append((area, href))
    return render(
        request,
        "places/picker.html",
        {"form": form, "result": result, "rows": rows, "return_to": return_to},
    )


@require(Action.VIEW_PLACES)
def set_detail(request: HttpRequest, set_id: str) -> HttpResponse:
    try:
        boundary_set = selectors.boundary_set_get(set_id=set_id)
    except NotFound as error:
        raise Http404(error.message) from error
    query = request.GET.get("q", "")[:100]
    page = Paginator(selectors.area_list(boundary_set=boundary_set, query=query), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "places/set_detail.html",
        {"boundary_set": boundary_set, "page": page, "q": query},
    )


@require(Action.VIEW_PLACES)
def area_detail(request: HttpRequest, area_id: str) -> HttpResponse:
    try:
        area = selectors.area_get_by_id(area_id=area_id)
    except NotFound as error:
        raise Http404(error.message) from error
    children = selectors.area_children(area=area)
    features = [_feature(area, "main")]
    first_children = next(iter(children.values()), [])
    if len(first_children) <= MAP_FEATURE_LIMIT:
        child_areas = Area.objects.filter(id__in=[row.area.id for row in first_children])
        features += [_feature(child, "child") for child in child_areas]
    features.append(_point(area.centroid_lat, area.centroid_lon, f"Centre of {area.name}"))
    profile = selectors.area_profile(area=area)
    return render(
        request,
        "places/area_detail.html",
        {
            "area": area,
            "children": children,
            "first_child_set": next(iter(children), None),
            "overlaps": selectors.area_overlaps(area=area),
            "profile": profile,
            "record_counts": selectors.area_record_counts(area=area, user=request.user),
            "versions": area.versions.all()[:20] if area.boundary_set.is_custom else [],
            "map_data": _map_data(features),
            "may_edit": area.boundary_set.level in CUSTOM_LEVELS
            and can(request.user, Action.EDIT_CUSTOM_AREAS),
        },
    )


_IMPORT_FORMS: dict[str, tuple[type, str, str]] = {
    ImportKind.BOUNDARIES: (
        BoundaryImportForm,
        "Import boundaries",
        "A GeoJSON file of areas in WGS84 or British National Grid (EPSG:27700), for "
        "example an ONS Open Geography Portal download. Shapefiles (zipped) and GeoPackages "
        "work when the server has the optional pyogrio package.",
    ),
    ImportKind.POSTCODES: (
        PostcodeImportForm,
        "Import postcodes",
        "An ONS Postcode Directory (ONSPD) or National Statistics Postcode Lookup (NSPL) CSV "
        "with the columns pcds, lat, long and doterm, plain or gzipped.",
    ),
    ImportKind.AREA_DATA: (
        AreaDataImportForm,
        "Import area data",
        "A CSV with a code column (for example code or lsoa21_code) and one column of "
        "numbers per attribute.",
    ),
}


@require(Action.IMPORT_PLACES)
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in _IMPORT_FORMS:
        raise Http404("No such import")
    form_class, title, hint = _IMPORT_FORMS[kind]
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        options = {k: v for k, v in form.cleaned_data.items() if k != "file"}
        job = services.import_job_start(
            kind=kind, actor=request.user, options=options, upload=form.cleaned_data["file"]
        )
        return redirect("places:job_detail", job_id=job.id)
    return render(
        request,
        "places/import.html",
        {"form": form, "title": title, "hint": hint, "kind": kind},
    )


@require(Action.IMPORT_PLACES)
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    try:
        job = selectors.import_job_get(job_id=job_id, user=request.user)
    except NotFound as error:
        raise Http404(error.message) from error
    return render(request, "places/job_detail.html", {"job": job})


def _context_features() -> list[dict[str, Any]]:
    """Ward outlines to draw over, when there are few enough to send to the browser."""
    try:
        wards = selectors.boundary_set_for(level=Level.WARD)
    except NotFound:
        return []
    areas = list(Area.objects.filter(boundary_set=wards)[: MAP_FEATURE_LIMIT + 1])
    if len(areas) > MAP_FEATURE_LIMIT:
        return []
    return [_feature(a, "context") for a in areas]


@require(Action.EDIT_CUSTOM_AREAS)
@require_http_methods(["GET", "POST"])
def custom_area_edit(request: HttpRequest, area_id: str | None = None) -> HttpResponse:
    area = None
    if area_id is not None:
        try:
            area = selectors.area_get_by_id(area_id=area_id)
        except NotFound as error:
            raise Http404(error.message) from error
        if area.boundary_set.level not in CUSTOM_LEVELS:
            raise Http404("Only custom areas can be redrawn")
    initial = {}
    if area is not None:
        initial = {"name": area.name, "level": area.boundary_set.level, "geometry": area.geometry}
    form = CustomAreaForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.custom_area_save(
                actor=request.user,
                name=form.cleaned_data["name"],
                geometry=form.cleaned_data["geometry"],
                level=form.cleaned_data["level"],
                area=area,
            )
        except ValidationFailed as error:
            form.add_error("geometry", error.message)
        else:
            services.import_job_start(
                kind=ImportKind.LOCATE,
                actor=request.user,
                options={"boundary_set": str(saved.boundary_set_id)},
            )
            messages.success(request, f"Saved {saved.name} (version {saved.version})")
            return redirect("places:area_detail", area_id=saved.id)
    features = _context_features()
    if area is not None:
        features.append(_feature(area, "main"))
    return render(
        request,
        "places/custom_area_form.html",
        {"form": form, "area": area, "map_data": _map_data(features)},
    )
