"""The authenticated API at /api/v1/: session (browser, CSRF-checked) or bearer-token auth.

Only wiring lives here; each app's handlers are a router in its own `api.py`.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI

from placebase.casework.api import TokenAuth, VerifiedSessionAuth
from placebase.casework.api import router as casework_router
from placebase.core.errors import PlacebaseError

v1_api = NinjaAPI(
    title="Placebase authenticated API",
    version="1",
    description="Case work (people, introductions, contacts, connections, outcomes and "
    "service use) with the same scope and audit as the web pages.",
    urls_namespace="api_v1",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=[TokenAuth(), VerifiedSessionAuth()],
)
v1_api.add_router("/", casework_router)


@v1_api.exception_handler(PlacebaseError)
def _placebase_error(request: HttpRequest, error: PlacebaseError) -> HttpResponse:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    errors = error.details.get("errors")
    if isinstance(errors, dict):
        body["errors"] = errors
    return v1_api.create_response(request, body, status=error.http_status)


@v1_api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return v1_api.create_response(
        request, {"code": "placebase.not_found", "message": "Not found."}, status=404
    )
