"""API wiring: the public Open Referral UK 3.0 API. Handlers live in the apps' `api.py`."""

from ninja import NinjaAPI

from placebase.assets.api import router as oruk_router

# Read-only and public: no authentication, no CSRF (nothing is written), no interactive
# docs page (it would load scripts from elsewhere, which the CSP forbids).
oruk_api = NinjaAPI(
    title="Placebase Open Referral UK API",
    version="HSDS-UK-3.0",
    description="Open Referral UK 3.0 (HSDS-UK 3.0): the community directory as open data.",
    urls_namespace="oruk",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=None,
)
oruk_api.add_router("", oruk_router)
