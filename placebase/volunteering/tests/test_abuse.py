"""Abuse protection on the public sign-up and pledge forms: a limit per client address and a
honeypot field."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from placebase.volunteering import throttle
from placebase.volunteering.errors import RateLimited
from placebase.volunteering.models import Pledge, Volunteer

pytestmark = pytest.mark.django_db


def _sign_up(client, email, address="192.0.2.10", **extra):
    data = {
        "first_name": "Sam",
        "last_name": "Jones",
        "email": email,
        "date_of_birth_day": "1",
        "date_of_birth_month": "5",
        "date_of_birth_year": "1990",
        "postcode": "SM1 1EA",
        "travel_km": "5",
        "password": "a-long-unusual-passphrase-91",
        "consent": "on",
    }
    data.update(extra)
    return client.post(reverse("volunteering:sign_up"), data, REMOTE_ADDR=address)


def test_sign_up_is_limited_per_address_with_a_clear_error(client, settings, skills):
    settings.VOLUNTEERING_SIGN_UP_LIMIT = 2
    assert _sign_up(client, "one@example.org").status_code == 302
    client.logout()
    assert _sign_up(client, "two@example.org").status_code == 302
    client.logout()
    response = _sign_up(client, "three@example.org")
    body = response.content.decode()
    assert response.status_code == 429
    assert "There is a problem" in body and "too many attempts" in body
    assert "Wait an hour" in body
    assert not Volunteer.objects.filter(email="three@example.org").exists()
    # Another address is not held back by the first one's count.
    assert _sign_up(client, "four@example.org", address="198.51.100.7").status_code == 302


def test_failed_sign_ups_count_too(client, settings):
    settings.VOLUNTEERING_SIGN_UP_LIMIT = 1
    assert _sign_up(client, "not-an-email").status_code == 400
    assert _sign_up(client, "ok@example.org").status_code == 429
    assert not get_user_model().objects.filter(email="ok@example.org").exists()


def test_sign_up_with_the_honeypot_filled_creates_nothing(client, skills):
    response = _sign_up(client, "bot@example.org", website="http://spam.example")
    assert response.status_code == 400
    assert "We could not accept this form" in response.content.decode()
    assert not Volunteer.objects.exists()


def test_sign_up_page_hides_the_honeypot_from_people(client):
    body = client.get(reverse("volunteering:sign_up")).content.decode()
    assert 'class="govuk-!-display-none"' in body and 'name="website"' in body


def test_pledging_is_limited_per_address(client, settings, micro):
    settings.VOLUNTEERING_PLEDGE_LIMIT = 2
    start = reverse("volunteering:pledge_start", args=[micro.pk])
    check = reverse("volunteering:pledge_check", args=[micro.pk])
    statuses = []
    for n in range(3):
        client.post(start, {"guest_name": "Alex", "guest_email": f"a{n}@example.org"})
        statuses.append(client.post(check, REMOTE_ADDR="192.0.2.20").status_code)
    assert statuses == [302, 302, 429]
    assert Pledge.objects.count() == 2
    page = client.get(check).content.decode()
    assert "Check your pledge" in page  # the answers are kept, ready for later
    response = client.post(check, REMOTE_ADDR="192.0.2.20")
    assert "too many attempts" in response.content.decode()
    assert "There is a problem" in response.content.decode()


def test_pledge_with_the_honeypot_filled_goes_no_further(client, micro):
    start = reverse("volunteering:pledge_start", args=[micro.pk])
    response = client.post(
        start, {"guest_name": "Bot", "guest_email": "bot@example.org", "website": "x"}
    )
    assert response.status_code == 200
    assert "We could not accept this form" in response.content.decode()
    check = reverse("volunteering:pledge_check", args=[micro.pk])
    assert client.post(check).status_code == 302  # no saved step 1: back to the start
    assert not Pledge.objects.exists()


def test_the_window_expires(settings, rf):
    settings.VOLUNTEERING_PLEDGE_LIMIT = 1
    settings.VOLUNTEERING_PLEDGE_WINDOW_SECONDS = 60
    request = rf.post("/", REMOTE_ADDR="192.0.2.30")
    limit = throttle.pledge_limit()
    throttle.attempt(request, limit)
    with pytest.raises(RateLimited) as caught:
        throttle.attempt(request, limit)
    assert caught.value.http_status == 429 and "Wait a minute," in caught.value.message
    from django.core.cache import cache

    cache.delete(throttle._key(limit, request))  # as the window's expiry would
    throttle.attempt(request, limit)
