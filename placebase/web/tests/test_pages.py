"""The GOV.UK shell: pages by role, error pages, and the security headers on every page."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from placebase.accounts.roles import Role
from placebase.factories import UserFactory
from placebase.testing.auth import sign_in_client

REPO_ROOT = Path(__file__).resolve().parents[3]
PUBLIC_PAGES = ["web:accessibility", "web:privacy", "web:cookies", "web:data_sources"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_home_page_for_every_role(client, role):
    user = UserFactory(role=role, first_name="Ada", last_name="Lovelace")
    sign_in_client(client, user)
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Welcome, Ada Lovelace" in html
    assert user.get_role_display() in html
    assert "Sign out" in html
    # Only administrators are offered the audit log, in the menu or on the page.
    assert (reverse("core:audit_log") in html) is (role == Role.ADMIN)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_public_pages_render_for_anyone(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="govuk-template' in html and 'id="main-content"' in html
    assert "Sign out" not in html


@pytest.mark.django_db
def test_the_accessibility_statement_says_what_the_regulations_ask():
    html = Client().get(reverse("web:accessibility")).content.decode()
    for heading in (
        "Feedback and contact information",
        "Enforcement procedure",
        "Compliance status",
        "WCAG",
    ):
        assert heading in html


@pytest.mark.django_db
def test_404_uses_the_govuk_template(client):
    response = client.get("/there-is-no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'class="govuk-template' in html
    assert "<title>Page not found – " in html


@pytest.mark.django_db
def test_403_uses_the_govuk_template(client):
    sign_in_client(client, UserFactory(role=Role.COORDINATOR))
    response = client.get(reverse("core:audit_log"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot see this page" in html and 'class="govuk-template' in html
    assert "Sign out" in html  # the page is still the signed-in shell


def test_500_page_renders_without_context_processors(rf):
    from placebase.web.views import error_500

    response = error_500(rf.get("/"))
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content


# -- headers -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_authenticated_pages_are_never_cached(client):
    sign_in_client(client, UserFactory(role=Role.VOLUNTEER))
    for url in (reverse("web:home"), reverse("web:accessibility"), "/missing/"):
        response = client.get(url)
        assert response["Cache-Control"] == "no-store", url


@pytest.mark.django_db
def test_the_public_accessibility_page_may_be_cached_when_signed_out(client):
    response = client.get(reverse("web:accessibility"))
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_csp_forbids_inline_code_and_the_one_inline_script_carries_the_nonce(client, signed_in):
    if signed_in:
        sign_in_client(client, UserFactory(role=Role.ADMIN))
    url = reverse("web:home") if signed_in else reverse("accounts:login")
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    nonce = re.search(r"'nonce-([^']+)'", " ".join(directives["script-src"])).group(1)
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline, "the GOV.UK js-enabled script is expected"
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline)
    assert " style=" not in html  # no inline styles (style-src forbids them)
    # A fresh nonce per response.
    again = client.get(url)["Content-Security-Policy"]
    assert again != policy


@pytest.mark.django_db
def test_other_security_headers(client):
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_check_deploy_passes_with_production_settings():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PLACEBASE_", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="placebase.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PLACEBASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_ALLOWED_HOSTS="placebase.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
