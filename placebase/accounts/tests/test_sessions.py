"""Sessions end after 30 minutes idle or 12 hours in all."""

import time

import pytest
from django.urls import reverse

from placebase.accounts.middleware import SESSION_LAST_SEEN, SESSION_STARTED
from placebase.accounts.roles import Role
from placebase.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
HOME = reverse("web:home")
MINUTE, HOUR = 60, 60 * 60


@pytest.fixture
def signed_in(client):
    user = UserFactory(role=Role.VOLUNTEER)
    client.post(
        reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert client.get(HOME).status_code == 200
    return client


def _age(client, *, started_ago: float, last_seen_ago: float) -> None:
    session = client.session
    now = time.time()
    session[SESSION_STARTED] = now - started_ago
    session[SESSION_LAST_SEEN] = now - last_seen_ago
    session.save()


def _assert_signed_out(client, response) -> None:
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={HOME}"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "You were signed out to protect your data" in page.content.decode()
    assert client.get(HOME).status_code == 302  # and it stays that way


def test_the_defaults_are_30_minutes_idle_and_12_hours_in_all(settings):
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * MINUTE
    assert settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS == 12 * HOUR


def test_idle_for_over_30_minutes_signs_the_user_out(signed_in):
    _age(signed_in, started_ago=40 * MINUTE, last_seen_ago=30 * MINUTE + 5)
    _assert_signed_out(signed_in, signed_in.get(HOME))


def test_idle_for_under_30_minutes_keeps_the_session_and_restarts_the_idle_clock(signed_in):
    _age(signed_in, started_ago=40 * MINUTE, last_seen_ago=29 * MINUTE)
    assert signed_in.get(HOME).status_code == 200
    assert time.time() - signed_in.session[SESSION_LAST_SEEN] < 5
    # The absolute clock is not restarted by activity.
    assert time.time() - signed_in.session[SESSION_STARTED] >= 40 * MINUTE


def test_over_12_hours_signs_out_even_an_active_user(signed_in):
    _age(signed_in, started_ago=12 * HOUR + 5, last_seen_ago=1 * MINUTE)
    _assert_signed_out(signed_in, signed_in.get(HOME))


def test_just_under_12_hours_is_still_signed_in(signed_in):
    _age(signed_in, started_ago=12 * HOUR - 60, last_seen_ago=1 * MINUTE)
    assert signed_in.get(HOME).status_code == 200


def test_expiry_applies_on_public_pages_too(signed_in):
    _age(signed_in, started_ago=1 * HOUR, last_seen_ago=31 * MINUTE)
    response = signed_in.get(reverse("web:accessibility"))
    assert response.status_code == 302
    assert "_auth_user_id" not in signed_in.session


def test_patched_time_expires_the_session(signed_in, monkeypatch):
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 31 * MINUTE)
    response = signed_in.get(HOME)
    monkeypatch.undo()
    _assert_signed_out(signed_in, response)


def test_timeouts_come_from_settings(signed_in, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 60
    _age(signed_in, started_ago=120, last_seen_ago=61)
    assert signed_in.get(HOME).status_code == 302


def test_the_session_cookie_ends_with_the_browser_and_is_http_only(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_AGE <= 12 * HOUR
