"""Mounts the public APIs. The Open Referral UK API answers any origin (ORUK asks for
`Access-Control-Allow-Origin: *`), and its responses carry no personal data."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from .api import oruk_api
from .v1 import v1_api


def _any_origin(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Vary"] = "Accept-Encoding"
        return response

    return wrapped


def _oruk_urls() -> tuple[list[Any], str, str]:
    patterns, app_name, namespace = oruk_api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _any_origin(pattern.callback)
    return patterns, app_name, namespace


urlpatterns = [
    path("oruk/", _oruk_urls()),
    path("api/v1/", v1_api.urls),
]
