"""Password storage and rules, creating users, and resetting a forgotten password."""

import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import check_password, make_password
from django.core import mail
from django.urls import reverse

from config.settings import base
from placebase.accounts.models import LoginFailure, User
from placebase.accounts.roles import Role
from placebase.accounts.services import user_create
from placebase.core.errors import ValidationFailed
from placebase.core.models import AuditEvent
from placebase.factories import DEFAULT_PASSWORD, OrganisationFactory, UserFactory

GOOD_PASSWORD = "a-long-and-unusual-passphrase"


def test_argon2_is_the_password_hasher_outside_tests():
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_really_hashes_with_argon2id(settings):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS  # the test settings use a fast hasher
    encoded = make_password("whatever")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("whatever", encoded)


def test_the_validators_demand_12_characters_and_refuse_common_passwords():
    names = {v["NAME"].rsplit(".", 1)[1]: v for v in base.AUTH_PASSWORD_VALIDATORS}
    assert names["MinimumLengthValidator"]["OPTIONS"]["min_length"] == 12
    assert "CommonPasswordValidator" in names
    assert django_settings.AUTH_PASSWORD_VALIDATORS == base.AUTH_PASSWORD_VALIDATORS


@pytest.mark.django_db
def test_user_create_makes_a_user_with_a_role_and_an_audit_entry():
    organisation = OrganisationFactory()
    admin = UserFactory(role=Role.ADMIN)
    user = user_create(
        username="newcoordinator",
        password=GOOD_PASSWORD,
        role=Role.COORDINATOR,
        email="new@example.org",
        organisation=organisation,
        created_by=admin,
    )
    assert user.role == Role.COORDINATOR and user.organisation == organisation
    assert user.check_password(GOOD_PASSWORD)
    assert not user.is_staff and not user.is_superuser
    event = AuditEvent.objects.get(verb="user.created")
    assert event.actor == admin and event.target_id == str(user.pk)
    assert event.payload == {"role": "coordinator"}


@pytest.mark.django_db
def test_user_create_makes_administrators_django_admin_staff():
    user = user_create(username="boss", password=GOOD_PASSWORD, role="admin")
    assert user.is_staff and user.is_superuser


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-pass1", "at least 12 characters"),  # 11 characters
        ("", "at least 12 characters"),
        ("password1234", "too common"),
        ("qwerty123456", "too common"),
        ("123456789012345", "entirely numeric"),
        ("fionaferguson-x", "too similar"),
    ],
)
def test_user_create_refuses_weak_passwords_and_writes_nothing(password, reason):
    with pytest.raises(ValidationFailed) as caught:
        user_create(
            username="fionaferguson",
            password=password,
            role=Role.VOLUNTEER,
            first_name="Fiona",
            last_name="Ferguson",
        )
    assert caught.value.code == "accounts.weak_password"
    assert reason in caught.value.message
    assert not User.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_password_of_exactly_12_characters_is_enough():
    assert user_create(username="twelve", password="kettle-lamp9", role=Role.VOLUNTEER)


@pytest.mark.django_db
def test_user_create_refuses_unknown_roles_and_taken_usernames():
    UserFactory(username="taken")
    with pytest.raises(ValidationFailed) as caught:
        user_create(username="other", password=GOOD_PASSWORD, role="overlord")
    assert caught.value.code == "accounts.unknown_role"
    with pytest.raises(ValidationFailed) as caught:
        user_create(username="TAKEN", password=GOOD_PASSWORD, role=Role.VOLUNTEER)
    assert caught.value.code == "accounts.username_taken"
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_admin_login_page_sends_people_to_the_throttled_sign_in(client):
    response = client.get("/django-admin/login/?next=/django-admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/django-admin/"
    # A password posted there is never checked, so it cannot get round the lockout.
    user = UserFactory(role=Role.ADMIN)
    response = client.post(
        "/django-admin/login/", {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def _reset_link(email) -> str:
    match = re.search(r"https?://[^/]+(/account/password-reset/\S+)", email.body)
    assert match, email.body
    return match.group(1)


@pytest.mark.django_db
def test_password_reset_sends_a_link_that_sets_a_new_password(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    user = UserFactory(email="ada@example.org")
    for _ in range(2):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "nope"})
    response = client.post(reverse("accounts:password_reset"), {"email": "ada@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.org"]

    form_url = client.get(_reset_link(mail.outbox[0]))["Location"]
    page = client.get(form_url)
    assert "Choose a new password" in page.content.decode()

    weak = client.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 200 and "govuk-error-summary" in weak.content.decode()
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)

    done = client.post(form_url, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert done["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)
    assert AuditEvent.objects.filter(verb="password.reset", target_id=str(user.pk)).exists()
    # The lockout message says resetting the password is a way back in, so it must be.
    assert not LoginFailure.objects.exists()
    signed_in = client.post(
        reverse("accounts:login"), {"username": user.username, "password": GOOD_PASSWORD}
    )
    assert signed_in.status_code == 302
    # The link works once.
    used = client.get(_reset_link(mail.outbox[0]), follow=True)
    assert "This link has expired" in used.content.decode()


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["", "not-an-email", "a" * 300 + "@example.org"])
def test_password_reset_with_a_bad_address_shows_the_error_summary(client, email):
    response = client.post(reverse("accounts:password_reset"), {"email": email})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert mail.outbox == []
