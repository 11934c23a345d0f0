"""The second factor: who needs it, set-up and verification with real TOTP codes."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from placebase.accounts.models import LoginFailure
from placebase.accounts.roles import STAFF_ROLES, Role
from placebase.accounts.services import user_needs_second_factor
from placebase.core.models import AuditEvent
from placebase.factories import DEFAULT_PASSWORD, UserFactory
from placebase.testing.browser import totp_code

pytestmark = pytest.mark.django_db
HOME = reverse("web:home")
SET_UP = reverse("accounts:mfa_setup")
VERIFY = reverse("accounts:mfa_verify")
NON_STAFF = sorted(set(Role) - STAFF_ROLES)


def _password_step(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    return response


def test_staff_and_non_staff_roles_are_as_the_issue_says():
    assert {Role.VOLUNTEER, Role.PROVIDER_EDITOR} == set(NON_STAFF)


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_without_a_device_are_sent_to_set_up_from_every_page(client, role):
    _password_step(client, UserFactory(role=role))
    for path in (HOME, reverse("core:audit_log"), reverse("web:accessibility"), "/nowhere/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].split("?")[0] == SET_UP


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_with_a_device_are_sent_to_verify(client, role):
    user = UserFactory(role=role)
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    _password_step(client, user)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].split("?")[0] == VERIFY
    # The set-up page does not let a second device be added past the first.
    assert client.get(SET_UP)["Location"] == VERIFY


@pytest.mark.parametrize("role", NON_STAFF)
def test_non_staff_roles_need_no_second_factor(client, role):
    _password_step(client, UserFactory(role=role))
    assert client.get(HOME).status_code == 200


def test_after_verifying_the_user_goes_on_to_the_page_they_asked_for(client):
    user = UserFactory(role=Role.ADMIN)
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    _password_step(client, user)
    redirect = client.get(reverse("core:audit_log"))["Location"]
    assert redirect == f"{VERIFY}?next=%2Fcore%2Faudit-log%2F"

    response = client.post(redirect, {"token": totp_code(device)})

    assert response["Location"] == reverse("core:audit_log")
    assert client.get(reverse("core:audit_log")).status_code == 200


def test_set_up_shows_a_qr_code_and_key_and_a_correct_code_confirms_it(client):
    user = UserFactory(role=Role.COORDINATOR)
    _password_step(client, user)
    page = client.get(SET_UP)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Set up your authenticator app" in html
    assert page["Cache-Control"] == "no-store"  # the page shows a secret
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # Reloading the page shows the same key, not a new one each time.
    client.get(SET_UP)
    assert TOTPDevice.objects.filter(user=user).count() == 1

    response = client.post(SET_UP, {"token": totp_code(device)})

    assert response.status_code == 302 and response["Location"] == HOME
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(verb="mfa.enrolled", actor=user).count() == 1


def test_a_wrong_set_up_code_is_refused_and_counted(client):
    user = UserFactory(role=Role.COORDINATOR)
    _password_step(client, user)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(SET_UP, {"token": wrong})

    assert response.status_code == 200
    assert "Enter the 6-digit code shown in your authenticator app." in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert LoginFailure.objects.count() == 1
    assert AuditEvent.objects.get(verb="sign_in.failed").payload == {"reason": "bad_enrolment_code"}
    assert client.get(HOME).status_code == 302


def test_a_correct_code_lets_staff_in(client):
    user = UserFactory(role=Role.MANAGER)
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    _password_step(client, user)

    response = client.post(VERIFY, {"token": totp_code(device)})

    assert response.status_code == 302 and response["Location"] == HOME
    assert client.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(verb="mfa.verified", actor=user).count() == 1


def test_a_wrong_code_is_refused_and_counts_as_a_failure(client):
    user = UserFactory(role=Role.MANAGER)
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    _password_step(client, user)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(VERIFY, {"token": wrong})

    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Enter the 6-digit code" in html
    assert LoginFailure.objects.count() == 1
    assert AuditEvent.objects.get(verb="sign_in.failed").payload == {"reason": "bad_mfa_code"}
    assert client.get(HOME).status_code == 302


def test_a_used_code_cannot_be_replayed(client):
    user = UserFactory(role=Role.MANAGER)
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    _password_step(client, user)
    code = totp_code(device)
    assert client.post(VERIFY, {"token": code}).status_code == 302

    other = client.__class__()
    _password_step(other, user)
    assert other.post(VERIFY, {"token": code}).status_code == 200
    assert other.get(HOME).status_code == 302


@pytest.mark.parametrize("token", ["", "12345", "1234567", "abcdef", "12 34 56"])
def test_malformed_codes_get_a_clear_message_and_are_not_counted(client, token):
    user = UserFactory(role=Role.MANAGER)
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    _password_step(client, user)
    response = client.post(VERIFY, {"token": token})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter the 6-digit code" in html or "must be 6 digits" in html
    assert LoginFailure.objects.count() == 0


def test_repeated_wrong_codes_lock_the_second_step(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    user = UserFactory(role=Role.MANAGER)
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    _password_step(client, user)
    for _ in range(2):
        client.post(VERIFY, {"token": "000000" if totp_code(device) != "000000" else "111111"})
    device.throttle_reset()  # the device's own throttle is not what this test is about

    response = client.post(VERIFY, {"token": totp_code(device)})

    assert "Too many failed attempts" in response.content.decode()
    assert client.get(HOME).status_code == 302


def test_mfa_pages_send_anonymous_visitors_to_sign_in(client):
    for path in (SET_UP, VERIFY):
        assert client.get(path)["Location"] == reverse("accounts:login")


def test_verify_without_a_device_goes_to_set_up(client):
    _password_step(client, UserFactory(role=Role.MANAGER))
    assert client.get(VERIFY)["Location"] == SET_UP


def test_staff_may_still_sign_out_before_the_second_step(client):
    _password_step(client, UserFactory(role=Role.MANAGER))
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(("demo_mode", "needs"), [(False, True), (True, False)])
def test_demo_exemption_only_works_in_demo_mode(client, settings, demo_mode, needs):
    settings.DEMO_MODE = demo_mode
    user = UserFactory(role=Role.COORDINATOR, mfa_exempt_in_demo=True)
    assert user_needs_second_factor(user) is needs
    _password_step(client, user)
    assert client.get(HOME).status_code == (302 if needs else 200)


def test_demo_mode_alone_exempts_no_one(client, settings):
    settings.DEMO_MODE = True
    user = UserFactory(role=Role.COORDINATOR, mfa_exempt_in_demo=False)
    assert user_needs_second_factor(user)


def test_the_setting_can_turn_the_second_factor_off(client, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    _password_step(client, UserFactory(role=Role.ADMIN))
    assert client.get(HOME).status_code == 200
