"""Session lifetime and the second-factor gate."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .services import mfa_device_for, user_needs_second_factor

SESSION_STARTED = "placebase_auth_started"
SESSION_LAST_SEEN = "placebase_last_seen"
# Public, sessionless APIs (Open Referral UK): neither the session clock nor the second
# factor applies to them, whoever happens to be signed in.
PUBLIC_API_PREFIXES = ("/oruk/",)


class SessionTimeoutMiddleware:
    """Ends a session after 30 minutes idle or 12 hours in all (settings say how long)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not request.path.startswith(PUBLIC_API_PREFIXES):
            now = time.time()
            started = request.session.get(SESSION_STARTED, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS
            too_old = now - started > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
            if idle or too_old:
                logout(request)
                messages.info(request, "You were signed out to protect your data. Sign in again.")
                return redirect_to_login(request.get_full_path())
            request.session[SESSION_STARTED] = started
            request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class MfaRequiredMiddleware:
    """Staff who have signed in with a password reach nothing but the second-factor pages."""

    ALLOWED_PREFIXES = ("/account/mfa/", "/account/sign-out/", "/static/", *PUBLIC_API_PREFIXES)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user_needs_second_factor(user)
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            has_device = mfa_device_for(user) is not None  # type: ignore[arg-type]
            target = "accounts:mfa_verify" if has_device else "accounts:mfa_setup"
            # Carry the page they asked for, so the second step can send them on to it.
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
