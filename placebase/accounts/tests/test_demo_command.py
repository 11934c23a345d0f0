"""The `demo` management command: the whole demo, loaded twice, changes nothing the second time.

This loads every app's demo (geography, assets, casework, ...), so it is the slowest test of
the foundation: it is here because it is the one test of the command as a user runs it.
"""

import io

import pytest
from django.apps import apps
from django.core.management import call_command

from placebase.accounts.models import User
from placebase.accounts.roles import Role
from placebase.core.models import AuditEvent
from placebase.demo import services as demo_services

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    """Rows in every table, so "idempotent" covers everything the demo loads."""
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()}
    counts["accounts.User.teams"] = User.teams.through.objects.count()
    return counts


def test_demo_no_serve_loads_every_role_and_is_idempotent(monkeypatch):
    calls = []
    real_load = demo_services.demo_load

    def counting_load(*args, **kwargs):
        calls.append(1)
        return real_load(*args, **kwargs)

    monkeypatch.setattr("placebase.demo.management.commands.demo.demo_load", counting_load)
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out, stderr=io.StringIO())
    first = _counts()
    call_command("demo", "--no-serve", stdout=io.StringIO(), stderr=io.StringIO())

    second = _counts()
    # Re-running an import is itself recorded in the audit log, by design; every other
    # table must be exactly as the first run left it.
    audit_growth = second.pop("core.AuditEvent") - first.pop("core.AuditEvent")
    changed = {label: (n, second[label]) for label, n in first.items() if second[label] != n}
    assert not changed, f"the second run changed these tables: {changed}"
    rerun_verbs = set(
        AuditEvent.objects.order_by("-id")[:audit_growth].values_list("verb", flat=True)
    )
    assert all(verb.endswith(("_imported", ".load")) for verb in rerun_verbs), rerun_verbs
    assert calls == [1, 1]  # the command loads through placebase.demo.services
    names = [login.username for login in demo_services.DEMO_LOGINS]
    assert User.objects.filter(username__in=names).count() == len(names)
    assert {user.role for user in User.objects.all()} == set(Role)
    for login in demo_services.DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        assert user.role == login.role and user.organisation.name == login.organisation
        assert user.mfa_exempt_in_demo
        assert user.check_password(demo_services.DEMO_PASSWORD)
    assert demo_services.DEMO_PASSWORD in out.getvalue()
    assert "coordinator" in out.getvalue()
