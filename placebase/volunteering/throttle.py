"""Abuse protection for the public forms (sign-up and pledging): a limit per client address,
counted in Django's cache (local memory by default, Redis in production, so every web process
shares one count), and a honeypot field that people never see and bots fill in.

Addresses are hashed with the secret key before they become cache keys. Behind a load balancer,
`REMOTE_ADDR` must be the client's address (set it from the proxy's header in the web server).
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from .errors import RateLimited

HONEYPOT_FIELD = "website"


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window_seconds: int


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def sign_up_limit() -> Limit:
    return Limit(
        "sign_up",
        _setting("VOLUNTEERING_SIGN_UP_LIMIT", 10),
        _setting("VOLUNTEERING_SIGN_UP_WINDOW_SECONDS", 60 * 60),
    )


def pledge_limit() -> Limit:
    return Limit(
        "pledge",
        _setting("VOLUNTEERING_PLEDGE_LIMIT", 20),
        _setting("VOLUNTEERING_PLEDGE_WINDOW_SECONDS", 60 * 60),
    )


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(limit: Limit, request: HttpRequest) -> str:
    digest = hashlib.sha256(
        f"{settings.SECRET_KEY}:{client_address(request)}".encode()
    ).hexdigest()[:32]
    return f"volunteering:throttle:{limit.name}:{digest}"


def is_limited(request: HttpRequest, limit: Limit) -> bool:
    """Whether this address has used up its attempts (without counting one)."""
    return int(cache.get(_key(limit, request), 0)) >= limit.attempts


def attempt(request: HttpRequest, limit: Limit) -> None:
    """Count one submission; raise RateLimited when the address has used up its attempts.

    A fixed window: the count starts with the first attempt and expires with the window.
    """
    key = _key(limit, request)
    cache.add(key, 0, timeout=limit.window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.window_seconds)
        count = 1
    if count > limit.attempts:
        minutes = max(1, limit.window_seconds // 60)
        raise RateLimited(
            "There have been too many attempts from your connection. Wait "
            f"{_duration(minutes)}, then try again."
        )


def _duration(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return "an hour" if hours == 1 else f"{hours} hours"
    return "a minute" if minutes == 1 else f"{minutes} minutes"


def honeypot_filled(data: object) -> bool:
    """True when the hidden field people never see was filled in (a bot)."""
    getter = getattr(data, "get", None)
    return bool(getter and (getter(HONEYPOT_FIELD) or "").strip())
