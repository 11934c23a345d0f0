"""The Open Referral UK 3.0 API (read-only, public, no API key).

Handlers parse the query, call one selector and return its ORUK object as JSON. The selectors
build plain dicts (see `oruk.py`) which are sent as they are, without a second validation
pass; the response schemas below describe them for the OpenAPI document. The tests check
every response against the ORUK JSON schemas.
"""

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_naive, make_aware
from ninja import Field, Router, Schema

from placebase.core.errors import NotFound, PlacebaseError

from . import oruk, selectors
from .selectors import OrukBadRequest, OrukQuery

router = Router(tags=["Open Referral UK 3.0"])


class ApiDetails(Schema):
    version: str = Field(examples=["HSDS-UK-3.0"])
    profile: str
    openapi_url: str


class Organization(Schema):
    id: str
    name: str
    description: str
    email: str | None = None
    website: str | None = None
    parent_organization_id: str | None = None


class Service(Schema):
    id: str
    name: str
    status: str
    organization_id: str | None = None
    description: str | None = None
    url: str | None = None
    email: str | None = None
    last_modified: str | None = None
    organization: Organization | None = None
    schedules: list[dict[str, Any]] | None = None
    service_areas: list[dict[str, Any]] | None = None
    service_at_locations: list[dict[str, Any]] | None = None
    contacts: list[dict[str, Any]] | None = None
    cost_options: list[dict[str, Any]] | None = None
    attributes: list[dict[str, Any]] | None = None


class Taxonomy(Schema):
    id: str
    name: str
    description: str
    uri: str | None = None
    version: str | None = None
    taxonomy_terms: list[dict[str, Any]] | None = None


class TaxonomyTerm(Schema):
    id: str
    name: str
    description: str
    parent_id: str | None = None
    taxonomy: str | None = None
    taxonomy_id: str | None = None


class ServiceAtLocation(Schema):
    id: str
    service_id: str
    location_id: str
    location: dict[str, Any]
    service: Service


class Page(Schema):
    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool


class ServicePage(Page):
    contents: list[Service]


class OrganizationPage(Page):
    contents: list[Organization]


class TaxonomyPage(Page):
    contents: list[Taxonomy]


class TaxonomyTermPage(Page):
    contents: list[TaxonomyTerm]


class ServiceAtLocationPage(Page):
    contents: list[ServiceAtLocation]


class Problem(Schema):
    detail: str
    code: str


def _json(payload: dict[str, Any]) -> JsonResponse:
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


def _problem(error: PlacebaseError) -> JsonResponse:
    status = 404 if isinstance(error, NotFound) else 400
    return JsonResponse({"detail": error.message, "code": error.code}, status=status)


def _modified_after(raw: str) -> dt.datetime | None:
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None:
        day = parse_date(raw)
        value = dt.datetime.combine(day, dt.time()) if day else None
    if value is None:
        raise OrukBadRequest("modified_after must be a date-time like 2026-01-31T09:00:00Z.")
    return make_aware(value, dt.UTC) if is_naive(value) else value


def _proximity(raw: str) -> float | None:
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError as error:
        raise OrukBadRequest("proximity must be a number of metres.") from error


def _query(**params: Any) -> OrukQuery:
    return OrukQuery(
        search=params.get("search", ""),
        page=params.get("page", 1),
        per_page=params.get("per_page", 50),
        taxonomy_term_id=params.get("taxonomy_term_id", ""),
        taxonomy_id=params.get("taxonomy_id", ""),
        organization_id=params.get("organization_id", ""),
        modified_after=_modified_after(params.get("modified_after", "")),
        postcode=params.get("postcode", ""),
        proximity=_proximity(params.get("proximity", "")),
        full=params.get("full", False),
        minimal=params.get("minimal", False),
    )


@router.get("/", response={200: ApiDetails}, summary="About this API", url_name="root")
def api_details(request: HttpRequest) -> HttpResponse:
    return _json(
        {
            "version": oruk.HSDS_VERSION,
            "profile": oruk.PROFILE_URL,
            "openapi_url": request.build_absolute_uri(reverse("oruk:openapi-json")),
        }
    )


@router.get("/services", response={200: ServicePage, 400: Problem}, url_name="services")
def services(
    request: HttpRequest,
    search: str = "",
    page: int = 1,
    per_page: int = 50,
    taxonomy_term_id: str = "",
    taxonomy_id: str = "",
    organization_id: str = "",
    modified_after: str = "",
    postcode: str = "",
    proximity: str = "",
    full: bool = False,
    minimal: bool = False,
    format: str = "json",
) -> HttpResponse:
    """Services (directory listings). Filters combine with AND."""
    try:
        query = _query(
            search=search,
            page=page,
            per_page=per_page,
            taxonomy_term_id=taxonomy_term_id,
            taxonomy_id=taxonomy_id,
            organization_id=organization_id,
            modified_after=modified_after,
            postcode=postcode,
            proximity=proximity,
            full=full,
            minimal=minimal,
        )
        if format == "ndjson":
            return _ndjson(query)  # type: ignore[return-value]
        return _json(selectors.oruk_services_page(query=query))
    except PlacebaseError as error:
        return _problem(error)


def _ndjson(query: OrukQuery) -> StreamingHttpResponse:
    """Every matching service, one JSON object a line, without pages (ORUK `format=ndjson`)."""
    first = selectors.oruk_services_page(
        query=OrukQuery(**{**query.__dict__, "page": 1, "per_page": 500})
    )

    def lines() -> Any:
        page = first
        number = 1
        while True:
            for item in page["contents"]:
                yield json.dumps(item, ensure_ascii=False) + "\n"
            if page["last_page"]:
                return
            number += 1
            page = selectors.oruk_services_page(
                query=OrukQuery(**{**query.__dict__, "page": number, "per_page": 500})
            )

    return StreamingHttpResponse(lines(), content_type="application/x-ndjson")


@router.get("/services/{service_id}", response={200: Service, 404: Problem}, url_name="service")
def service(request: HttpRequest, service_id: str) -> HttpResponse:
    try:
        return _json(selectors.oruk_service_get(service_id=service_id))
    except PlacebaseError as error:
        return _problem(error)


@router.get(
    "/organizations", response={200: OrganizationPage, 400: Problem}, url_name="organizations"
)
def organizations(
    request: HttpRequest,
    search: str = "",
    page: int = 1,
    per_page: int = 50,
    full: bool = False,
    full_service: bool = False,
) -> HttpResponse:
    try:
        query = _query(search=search, page=page, per_page=per_page, full=full)
        return _json(selectors.oruk_organizations_page(query=query, full_service=full_service))
    except PlacebaseError as error:
        return _problem(error)


@router.get(
    "/organizations/{organization_id}",
    response={200: Organization, 404: Problem},
    url_name="organization",
)
def organization(
    request: HttpRequest, organization_id: str, full_service: bool = False
) -> HttpResponse:
    try:
        return _json(
            selectors.oruk_organization_get(
                organization_id=organization_id, full_service=full_service
            )
        )
    except PlacebaseError as error:
        return _problem(error)


@router.get(
    "/service_at_locations",
    response={200: ServiceAtLocationPage, 400: Problem},
    url_name="service_at_locations",
)
def service_at_locations(
    request: HttpRequest,
    search: str = "",
    page: int = 1,
    per_page: int = 50,
    taxonomy_term_id: str = "",
    taxonomy_id: str = "",
    organization_id: str = "",
    modified_after: str = "",
    postcode: str = "",
    proximity: str = "",
    full: bool = False,
) -> HttpResponse:
    try:
        query = _query(
            search=search,
            page=page,
            per_page=per_page,
            taxonomy_term_id=taxonomy_term_id,
            taxonomy_id=taxonomy_id,
            organization_id=organization_id,
            modified_after=modified_after,
            postcode=postcode,
            proximity=proximity,
            full=full,
        )
        return _json(selectors.oruk_service_at_locations_page(query=query))
    except PlacebaseError as error:
        return _problem(error)


@router.get(
    "/service_at_locations/{sal_id}",
    response={200: ServiceAtLocation, 404: Problem},
    url_name="service_at_location",
)
def service_at_location(request: HttpRequest, sal_id: str) -> HttpResponse:
    try:
        return _json(selectors.oruk_service_at_location_get(sal_id=sal_id))
    except PlacebaseError as error:
        return _problem(error)


@router.get("/taxonomies", response={200: TaxonomyPage, 400: Problem}, url_name="taxonomies")
def taxonomies(
    request: HttpRequest, search: str = "", page: int = 1, per_page: int = 50
) -> HttpResponse:
    try:
        return _json(
            selectors.oruk_taxonomies_page(
                query=_query(search=search, page=page, per_page=per_page)
            )
        )
    except PlacebaseError as error:
        return _problem(error)


@router.get(
    "/taxonomies/{taxonomy_id}", response={200: Taxonomy, 404: Problem}, url_name="taxonomy"
)
def taxonomy(request: HttpRequest, taxonomy_id: str) -> HttpResponse:
    try:
        return _json(selectors.oruk_taxonomy_get(taxonomy_id=taxonomy_id))
    except PlacebaseError as error:
        return _problem(error)


@router.get(
    "/taxonomy_terms", response={200: TaxonomyTermPage, 400: Problem}, url_name="taxonomy_terms"
)
def taxonomy_terms(
    request: HttpRequest,
    search: str = "",
    page: int = 1,
    per_page: int = 50,
    taxonomy_id: str = "",
    top_only: bool = False,
    parent_id: str = "",
) -> HttpResponse:
    try:
        return _json(
            selectors.oruk_taxonomy_terms_page(
                query=_query(search=search, page=page, per_page=per_page, taxonomy_id=taxonomy_id),
                top_only=top_only,
                parent_id=parent_id,
            )
        )
    except PlacebaseError as error:
        return _problem(error)


@router.get(
    "/taxonomy_terms/{term_id}",
    response={200: TaxonomyTerm, 404: Problem},
    url_name="taxonomy_term",
)
def taxonomy_term(request: HttpRequest, term_id: str) -> HttpResponse:
    try:
        return _json(selectors.oruk_taxonomy_term_get(term_id=term_id))
    except PlacebaseError as error:
        return _problem(error)
