"""The foundation in a real browser: the sign-in journey with a real TOTP code, and axe-core's
WCAG 2.2 AA rules on every page of the shell."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from placebase.accounts.roles import Role
from placebase.core.models import AuditEvent
from placebase.factories import DEFAULT_PASSWORD, UserFactory
from placebase.testing.browser import totp_code

pytestmark = pytest.mark.browser


def test_coordinator_signs_in_with_a_new_authenticator_and_every_page_is_accessible(
    page, axe_check
):
    coordinator = UserFactory(role=Role.COORDINATOR, username="coordinator")

    response = page.goto("/")
    assert "/account/sign-in/" in page.url and response.status == 200
    axe_check(page)

    # Bad input first: the error summary must be accessible too.
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error:"))
    axe_check(page)

    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert urlsplit(page.url).path == "/account/mfa/set-up/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    axe_check(page)

    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    page.get_by_label("Code from your authenticator app").fill(totp_code(device))
    page.get_by_role("button", name="Continue").click()
    assert page.url == page.context.pages[0].url  # still one page
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Welcome,"))
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    axe_check(page)
    device.refresh_from_db()
    assert device.confirmed

    page.get_by_role("link", name="Accessibility statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("^Accessibility statement")
    )
    axe_check(page)

    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    axe_check(page)

    response = page.goto("/core/audit-log/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    axe_check(page)


def test_staff_with_an_authenticator_enter_a_code_to_reach_home(page, axe_check):
    manager = UserFactory(role=Role.MANAGER)
    device = TOTPDevice.objects.create(user=manager, name="Phone", confirmed=True)
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert urlsplit(page.url).path == "/account/mfa/verify/"
    axe_check(page)

    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-message")).to_be_visible()
    axe_check(page)

    # The device throttles after a failure, so the right code waits for the next attempt.
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    page.get_by_label("Code from your authenticator app").fill(totp_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Welcome,"))


def test_admin_audit_log_with_pages_is_accessible(signed_in_page, axe_check):
    AuditEvent.objects.bulk_create(
        [AuditEvent(at=timezone.now(), verb="person.viewed", personal_data=True)] * 60
    )
    page = signed_in_page(Role.ADMIN)
    page.get_by_role("link", name="Audit log").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    expect(page.get_by_role("link", name="Next page")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_role("link", name="Previous page")).to_be_visible()
    axe_check(page)

    # And the check is real: it fails on a violation (it did not pass because axe never ran).
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=x>')")
    with pytest.raises(AssertionError, match="image-alt"):
        axe_check(page)


def test_password_reset_pages_are_accessible(page, axe_check):
    user = UserFactory(role=Role.VOLUNTEER, email="reset@example.org")
    page.goto("/account/sign-in/")
    page.get_by_role("link", name="I have forgotten my password").click()
    axe_check(page)
    page.get_by_label("Email").fill("reset@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    axe_check(page)

    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password confirmation").fill("different")
    page.get_by_role("button", name="Save password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)
    page.get_by_label("New password", exact=True).fill("a-long-and-unusual-passphrase")
    page.get_by_label("New password confirmation").fill("a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")
    axe_check(page)
    user.refresh_from_db()
    assert user.check_password("a-long-and-unusual-passphrase")


def test_signing_in_and_out_works_without_javascript(browser, live_server, transactional_db):
    volunteer = UserFactory(role=Role.VOLUNTEER)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/account/sign-in/")
        page.get_by_label("Username").fill(volunteer.username)
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Welcome,"))
        page.get_by_role("button", name="Sign out").click()
        assert page.url.split("?")[0].endswith("/account/sign-in/")
        expect(page.get_by_text("You have signed out.")).to_be_visible()
    finally:
        context.close()
