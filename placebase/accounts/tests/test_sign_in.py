"""Signing in and out: good and bad input, throttling and lockout, and what is audited."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from placebase.accounts.middleware import SESSION_LAST_SEEN, SESSION_STARTED
from placebase.accounts.models import LoginFailure
from placebase.accounts.roles import Role
from placebase.core.models import AuditEvent
from placebase.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
SIGN_IN = reverse("accounts:login")


def _post(client, username, password, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password, **extra})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_sign_in_page_renders_the_govuk_form(client):
    response = client.get(SIGN_IN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="govuk-input' in html and 'autocomplete="current-password"' in html
    assert "govuk-error-summary" not in html


def test_a_volunteer_signs_in_and_lands_home_with_the_session_clock_started(client):
    user = UserFactory(role=Role.VOLUNTEER)
    response = _post(client, user.username, DEFAULT_PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    assert _signed_in(client)
    assert SESSION_STARTED in client.session and SESSION_LAST_SEEN in client.session
    event = AuditEvent.objects.get(verb="sign_in")
    assert event.actor == user and event.target_id == str(user.pk)
    assert client.get(reverse("web:home")).status_code == 200


def test_username_is_matched_as_entered_with_surrounding_spaces_ignored(client):
    user = UserFactory(role=Role.VOLUNTEER, username="ada")
    _post(client, "  ada ", DEFAULT_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_in_goes_on_to_a_safe_next_page_only(client):
    user = UserFactory(role=Role.VOLUNTEER)
    response = _post(client, user.username, DEFAULT_PASSWORD, next="/accessibility/")
    assert response["Location"] == "/accessibility/"

    client.logout()
    response = _post(client, user.username, DEFAULT_PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse("web:home")


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({"username": "", "password": ""}, ["Enter your username", "Enter your password"]),
        ({"username": "someone", "password": ""}, ["Enter your password"]),
        ({"username": "", "password": "x"}, ["Enter your username"]),
        ({"username": "u" * 151, "password": "x"}, ["at most 150 characters"]),
        ({"username": "someone", "password": "p" * 257}, ["at most 256 characters"]),
        ({}, ["Enter your username", "Enter your password"]),
    ],
)
def test_bad_input_shows_the_error_summary_and_signs_no_one_in(client, data, messages):
    response = client.post(SIGN_IN, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and "There is a problem" in html
    assert "<title>Error: Sign in" in html
    for message in messages:
        assert message in html
    assert not _signed_in(client)
    # Form errors are not sign-in attempts: nothing is counted against anyone.
    assert LoginFailure.objects.count() == 0


def test_null_bytes_and_odd_characters_are_refused_cleanly(client):
    response = client.post(SIGN_IN, {"username": "bad\x00name", "password": "x"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


@pytest.mark.parametrize("username", ["nobody", "'; DROP TABLE accounts_user; --", "ŵŷ€😀"])
def test_unknown_user_or_wrong_password_gives_one_message_and_is_counted(client, username):
    UserFactory(username="someone")
    for name, password in [(username, "whatever-it-is"), ("someone", "wrong-password-123")]:
        response = _post(client, name, password)
        assert response.status_code == 200
        assert "Enter a correct username and password." in response.content.decode()
    assert not _signed_in(client)
    assert LoginFailure.objects.count() == 2
    failures = AuditEvent.objects.filter(verb="sign_in.failed")
    assert failures.count() == 2
    # The throttle table and the audit keep no usernames in the clear.
    assert not LoginFailure.objects.filter(username_key__in=[username, "someone"]).exists()
    assert all(event.payload == {"reason": "bad_credentials"} for event in failures)


def test_inactive_users_cannot_sign_in(client):
    user = UserFactory(role=Role.VOLUNTEER, is_active=False)
    response = _post(client, user.username, DEFAULT_PASSWORD)
    assert response.status_code == 200 and not _signed_in(client)


def test_lockout_after_the_failure_limit_refuses_even_the_right_password(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    user = UserFactory(role=Role.VOLUNTEER)
    for _ in range(3):
        assert _post(client, user.username, "wrong-password-123").status_code == 200

    response = _post(client, user.username, DEFAULT_PASSWORD)

    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed attempts" in html and "govuk-error-summary" in html
    assert not _signed_in(client)
    assert AuditEvent.objects.filter(verb="sign_in.locked").count() == 1
    assert not AuditEvent.objects.filter(verb="sign_in").exists()


def test_lockout_is_per_account_so_colleagues_can_still_sign_in(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    locked, colleague = UserFactory(), UserFactory()
    for _ in range(3):
        _post(client, locked.username, "wrong-password-123")
    assert _post(client, colleague.username, DEFAULT_PASSWORD).status_code == 302


def test_lockout_matches_the_username_whatever_its_case(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    UserFactory(username="grace")
    _post(client, "grace", "wrong-password-123")
    _post(client, "GRACE", "wrong-password-123")
    assert _post(client, "grace", DEFAULT_PASSWORD).status_code == 429


def test_one_address_trying_many_accounts_is_locked_out(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 2  # an address may fail 4 × the limit
    user = UserFactory()
    for n in range(8):
        _post(client, f"guess{n}", "wrong-password-123")
    assert _post(client, user.username, DEFAULT_PASSWORD).status_code == 429
    other_address = client.post(
        SIGN_IN,
        {"username": user.username, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="192.0.2.99",
    )
    assert other_address.status_code == 302


def test_failures_expire_after_the_window(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    user = UserFactory()
    for _ in range(3):
        _post(client, user.username, "wrong-password-123")
    assert _post(client, user.username, DEFAULT_PASSWORD).status_code == 429

    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    LoginFailure.objects.update(at=timezone.now() - window)

    assert _post(client, user.username, DEFAULT_PASSWORD).status_code == 302
    assert _signed_in(client)


def test_a_success_clears_the_accounts_failures(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    user = UserFactory()
    for _ in range(2):
        _post(client, user.username, "wrong-password-123")
    assert _post(client, user.username, DEFAULT_PASSWORD).status_code == 302
    client.logout()
    # Two more typos do not lock the account: the earlier two were forgiven.
    for _ in range(2):
        _post(client, user.username, "wrong-password-123")
    assert _post(client, user.username, DEFAULT_PASSWORD).status_code == 302


def test_sign_out_needs_post_and_is_audited(client):
    user = UserFactory(role=Role.VOLUNTEER)
    _post(client, user.username, DEFAULT_PASSWORD)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert _signed_in(client)

    response = client.post(reverse("accounts:logout"), follow=True)

    assert not _signed_in(client)
    assert "You have signed out." in response.content.decode()
    assert AuditEvent.objects.filter(verb="sign_out", actor=user).count() == 1


def test_sign_out_when_not_signed_in_is_harmless(client):
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(verb="sign_out").exists()
