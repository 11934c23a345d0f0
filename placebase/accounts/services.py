"""Writes for accounts: signing in (with throttling), users, and second-factor devices."""

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from placebase.core.audit import audit_record
from placebase.core.errors import PlacebaseError, ValidationFailed

from .models import LoginFailure, Organisation, User
from .roles import Role


class InvalidCredentials(PlacebaseError):
    code = "accounts.invalid_credentials"


class AccountLocked(PlacebaseError):
    code = "accounts.locked"
    http_status = 429


class InvalidSecondFactor(PlacebaseError):
    code = "accounts.mfa_invalid"


def _key(value: str) -> str:
    # Hash so the throttle table holds no usernames or addresses in the clear.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value.strip().lower()}".encode()).hexdigest()


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _recent_failures(*, username: str, address: str) -> tuple[int, int]:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    return (
        recent.filter(username_key=_key(username)).count(),
        # An address gets more room than one account: several staff may share an office NAT.
        recent.filter(address_key=_key(address)).count(),
    )


def login_is_locked(*, username: str, address: str) -> bool:
    by_user, by_address = _recent_failures(username=username, address=address)
    limit = settings.LOGIN_FAILURE_LIMIT
    return by_user >= limit or by_address >= limit * 4


def login_failure_record(*, username: str, address: str, reason: str) -> None:
    LoginFailure.objects.create(
        username_key=_key(username), address_key=_key(address), at=timezone.now()
    )
    audit_record(
        actor=None, verb="sign_in.failed", target_type="accounts.user", payload={"reason": reason}
    )


def user_sign_in_check(*, request: HttpRequest, username: str, password: str) -> User:
    """Check a username and password, refusing while the account or address is locked.

    The caller logs the user in; the second factor (if required) follows.
    """
    address = client_address(request)
    if login_is_locked(username=username, address=address):
        audit_record(actor=None, verb="sign_in.locked", target_type="accounts.user")
        raise AccountLocked(
            "Too many failed attempts. Wait 15 minutes, then try again, or reset your password."
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        login_failure_record(username=username, address=address, reason="bad_credentials")
        raise InvalidCredentials("Enter a correct username and password.")
    # A success clears this account's failures, so a later typo does not lock it early.
    LoginFailure.objects.filter(username_key=_key(username)).delete()
    audit_record(actor=user, verb="sign_in", target=user)
    return user


@transaction.atomic
def password_reset_complete(*, user: User) -> None:
    """After a reset by email link: forget the account's failures (the lockout message
    offers a reset as the way back in) and record it."""
    LoginFailure.objects.filter(username_key=_key(user.get_username())).delete()
    audit_record(actor=None, verb="password.reset", target=user)


def user_needs_second_factor(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not settings.MFA_REQUIRED_FOR_STAFF:
        return False
    if settings.DEMO_MODE and user.mfa_exempt_in_demo:
        return False
    return user.is_staff_role


def mfa_device_for(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


@transaction.atomic
def mfa_enrolment_start(*, user: User) -> TOTPDevice:
    """Create (or reuse) an unconfirmed authenticator for the user to scan."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def mfa_enrolment_confirm(*, request: HttpRequest, user: User, token: str) -> TOTPDevice:
    address = client_address(request)
    if login_is_locked(username=user.username, address=address):
        raise AccountLocked("Too many failed attempts. Wait 15 minutes, then try again.")
    # The failure is recorded outside the transaction: rolling it back with the refusal
    # would leave wrong codes uncounted (and the device's own throttle undone).
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        accepted = device is not None and device.verify_token(token.strip())
        if device is not None and accepted:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_record(actor=user, verb="mfa.enrolled", target=user)
            return device
    login_failure_record(username=user.username, address=address, reason="bad_enrolment_code")
    raise InvalidSecondFactor("Enter the 6-digit code shown in your authenticator app.")


def mfa_verify(*, request: HttpRequest, user: User, token: str) -> None:
    address = client_address(request)
    if login_is_locked(username=user.username, address=address):
        raise AccountLocked("Too many failed attempts. Wait 15 minutes, then try again.")
    device = mfa_device_for(user)
    if device is None or not device.verify_token(token.strip()):
        login_failure_record(username=user.username, address=address, reason="bad_mfa_code")
        raise InvalidSecondFactor("Enter the 6-digit code shown in your authenticator app.")
    otp_login(request, device)
    audit_record(actor=user, verb="mfa.verified", target=user)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: Role | str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    organisation: Organisation | None = None,
    created_by: Any = None,
    mfa_exempt_in_demo: bool = False,
) -> User:
    if role not in Role.values:
        raise ValidationFailed(f"Unknown role {role!r}.", code="accounts.unknown_role")
    # save() checks none of this, and a command line or import can pass anything.
    try:
        if not username or len(username) > 150:  # the username column's length
            raise ValidationError("A username has 1 to 150 characters.")
        User.username_validator(username)
    except ValidationError as error:
        raise ValidationFailed(
            "A username may use only letters, numbers and @ . + - _ (up to 150 characters).",
            code="accounts.bad_username",
        ) from error
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise ValidationFailed(
                "Enter an email address like name@example.org.", code="accounts.bad_email"
            ) from error
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed("That username is already taken.", code="accounts.username_taken")
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        organisation=organisation,
        mfa_exempt_in_demo=mfa_exempt_in_demo,
        is_staff=(role == Role.ADMIN),
        is_superuser=(role == Role.ADMIN),
    )
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationFailed(" ".join(error.messages), code="accounts.weak_password") from error
    user.set_password(password)
    user.save()
    audit_record(actor=created_by, verb="user.created", target=user, payload={"role": role})
    return user
