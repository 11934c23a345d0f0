"""The `adduser` management command."""

import io

import pytest
from django.core.management import CommandError, call_command

from placebase.accounts.models import User
from placebase.accounts.roles import Role
from placebase.core.models import AuditEvent
from placebase.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "a-long-and-unusual-passphrase"


def _adduser(monkeypatch, *args, password=GOOD_PASSWORD):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    out = io.StringIO()
    call_command("adduser", *args, "--password-stdin", stdout=out)
    return out.getvalue()


def test_adduser_adds_a_user_with_role_and_organisation(monkeypatch):
    organisation = OrganisationFactory(name="Sutton Council")
    output = _adduser(
        monkeypatch,
        "jo",
        "--role",
        "coordinator",
        "--organisation",
        "Sutton Council",
        "--email",
        "jo@example.org",
        "--first-name",
        "Jo",
        "--last-name",
        "Bloggs",
    )
    user = User.objects.get(username="jo")
    assert "Added jo as Local area coordinator." in output
    assert user.role == Role.COORDINATOR and user.organisation == organisation
    assert user.email == "jo@example.org" and user.get_full_name() == "Jo Bloggs"
    assert user.check_password(GOOD_PASSWORD)
    assert AuditEvent.objects.filter(verb="user.created", target_id=str(user.pk)).exists()


def test_adduser_asks_twice_for_the_password_when_not_given_on_stdin(monkeypatch):
    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("adduser", "kim", "--role", "volunteer", stdout=io.StringIO())
    assert User.objects.get(username="kim").check_password(GOOD_PASSWORD)


def test_adduser_refuses_passwords_that_do_not_match(monkeypatch):
    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="do not match"):
        call_command("adduser", "kim", "--role", "volunteer", stdout=io.StringIO())
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["weak", "--role", "volunteer"], "short", "accounts.weak_password"),
        (["common", "--role", "volunteer"], "qwerty123456", "too common"),
        (
            ["nobody", "--role", "volunteer", "--organisation", "No Such Org"],
            GOOD_PASSWORD,
            "No organisation is called 'No Such Org'",
        ),
        (["bad name!", "--role", "volunteer"], GOOD_PASSWORD, "accounts.bad_username"),
        (["x" * 151, "--role", "volunteer"], GOOD_PASSWORD, "accounts.bad_username"),
        (
            ["mail", "--role", "volunteer", "--email", "not-an-email"],
            GOOD_PASSWORD,
            "accounts.bad_email",
        ),
    ],
)
def test_adduser_bad_input_is_a_clear_error_and_writes_nothing(
    monkeypatch, args, password, message
):
    with pytest.raises(CommandError, match=message):
        _adduser(monkeypatch, *args, password=password)
    assert not User.objects.exists()
    assert not AuditEvent.objects.exists()


def test_adduser_refuses_a_taken_username(monkeypatch):
    UserFactory(username="taken")
    with pytest.raises(CommandError, match="accounts.username_taken"):
        _adduser(monkeypatch, "Taken", "--role", "volunteer")
    assert User.objects.count() == 1


def test_adduser_refuses_an_unknown_role(monkeypatch):
    with pytest.raises(CommandError, match="invalid choice"):
        _adduser(monkeypatch, "x", "--role", "overlord")
