import time
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from placebase.core.audit import audit_record
from placebase.core.errors import PlacebaseError

from . import services
from .forms import SecondFactorForm, SignInForm
from .middleware import SESSION_LAST_SEEN, SESSION_STARTED


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return str(reverse_lazy("web:home"))


def _posted(request: HttpRequest) -> QueryDict | None:
    # Not `request.POST or None`: an empty POST must still be validated and show its errors.
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_sign_in_check(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except PlacebaseError as error:
            form.add_error(None, error.message)
            status = 429 if isinstance(error, services.AccountLocked) else 200
        else:
            login(request, user)
            request.session[SESSION_STARTED] = request.session[SESSION_LAST_SEEN] = time.time()
            return redirect(_next_url(request))
    return render(
        request, "accounts/sign_in.html", {"form": form, "next": _next_url(request)}, status=status
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(actor=request.user, verb="sign_out", target=request.user)
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if services.mfa_device_for(request.user) is None:
        return redirect("accounts:mfa_setup")
    form = SecondFactorForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.mfa_verify(
                request=request, user=request.user, token=form.cleaned_data["token"]
            )
        except PlacebaseError as error:
            form.add_error("token", error.message)
        else:
            return redirect(_next_url(request))
    return render(request, "accounts/mfa_verify.html", {"form": form})


@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if services.mfa_device_for(request.user) is not None:
        return redirect("accounts:mfa_verify")
    device = services.mfa_enrolment_start(user=request.user)
    form = SecondFactorForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.mfa_enrolment_confirm(
                request=request, user=request.user, token=form.cleaned_data["token"]
            )
        except PlacebaseError as error:
            form.add_error("token", error.message)
        else:
            messages.success(request, "Your authenticator app is set up.")
            return redirect(_next_url(request))
    qr = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr_svg": qr.to_string(encoding="unicode"),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        },
    )


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        services.password_reset_complete(user=form.user)
        return response
