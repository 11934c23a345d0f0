"""Real-browser fixtures: Playwright driving Debian's chromium, with axe-core for WCAG checks.

Loaded as a pytest plugin by the root `conftest.py`, so any app's tests can use:

- `browser`: one headless chromium per test module (skipped with a reason when chromium is
  missing, and a failure when `CI=true`);
- `page`: a fresh page (own context, so own cookies) on the live server; CSP violations and
  JavaScript errors fail the test that caused them;
- `axe_check(page)`: run axe-core's WCAG 2.2 A/AA rules on the page and fail on violations;
- `signed_in_page(role)`: a page signed in, through the real sign-in form, as a new user of
  that role, including the TOTP second step when the role needs one.

Mark tests that use them `@pytest.mark.browser`, and keep them in a module of their own
(e.g. `tests/test_browser.py`): while the browser is open, async_to_sync cannot run.
"""

import functools
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
AXE_SOURCE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}


def chromium_path() -> str | None:
    """Debian's chromium (Playwright's own download is never used); override with an env var."""
    candidate = os.environ.get("PLACEBASE_CHROMIUM", "/usr/bin/chromium")
    if Path(candidate).is_file() and os.access(candidate, os.X_OK):
        return candidate
    return shutil.which("chromium")


def _missing(reason: str) -> None:
    # CI must run the browser tests; elsewhere a missing browser is a visible skip.
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run)", pytrace=False)
    pytest.skip(reason)


def launch_chromium(playwright: Any) -> Any:
    executable = chromium_path()
    if executable is None:
        raise FileNotFoundError("chromium not found; run scripts/ensure-browser.sh")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


# Per module, not per session: while Playwright's sync API is alive its event loop counts as
# running in this thread, which would break later tests that use async_to_sync.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if chromium_path() is None:
        _missing("chromium is not installed: run scripts/ensure-browser.sh (or make browser)")
    if not AXE_SOURCE.is_file():
        _missing("axe-core is not installed: run npm ci")
    # Playwright's sync API keeps an event loop running in this thread; Django would then
    # refuse the tests' own database calls as "async-unsafe". They are not: nothing async
    # touches the database here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            instance = launch_chromium(playwright)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class PageProblems:
    """JavaScript errors and CSP violations seen on a page, to fail the test with."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def console(self, message: Any) -> None:
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "Refused to" in text):
            self.messages.append(f"CSP: {text}")

    def page_error(self, error: Any) -> None:
        self.messages.append(f"JavaScript error: {error}")


@pytest.fixture
def new_page(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Callable[[], Any]]:
    """Makes pages, each in its own browser context (own cookies), on the live server."""
    contexts: list[Any] = []
    problems = PageProblems()

    def make() -> Any:
        context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("console", problems.console)
        page.on("pageerror", problems.page_error)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems.messages, "\n".join(problems.messages)


@pytest.fixture
def page(new_page: Callable[[], Any]) -> Any:
    return new_page()


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}\n"
            f"  {violation['helpUrl']}"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


@functools.cache
def _axe_source() -> str:
    return AXE_SOURCE.read_text(encoding="utf-8")


def axe_run(page: Any) -> dict[str, Any]:
    """Run axe-core's WCAG 2.0–2.2 A and AA rules on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluate() runs through the DevTools protocol, which the page's CSP does not govern,
        # so the app's strict CSP stays in force for everything else on the page.
        page.evaluate(_axe_source())
    options = json.dumps({"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return page.evaluate(f"() => window.axe.run(document, {options})")  # type: ignore[no-any-return]


def axe_check(page: Any) -> dict[str, Any]:
    """Fail unless axe-core finds no WCAG 2.2 AA violation on the page; return its results."""
    results = axe_run(page)
    violations = results["violations"]
    assert not violations, (
        f"axe-core found {len(violations)} accessibility violation(s) on {page.url}:\n"
        + format_violations(violations)
    )
    return results


@pytest.fixture(name="axe_check")
def axe_check_fixture() -> Callable[[Any], dict[str, Any]]:
    return axe_check


def totp_code(device: Any) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(page: Any, *, username: str, password: str) -> None:
    """Fill in the real sign-in form; then, if asked, the second step with a real TOTP code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/account/mfa/" in page.url:
        device = TOTPDevice.objects.get(user__username=username)
        page.get_by_label("Code from your authenticator app").fill(totp_code(device))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()


@pytest.fixture
def signed_in_page(new_page: Callable[[], Any]) -> Callable[..., Any]:
    """`signed_in_page(role, **user_fields)`: a new user of that role, signed in for real.

    Staff get a confirmed authenticator first, so the journey runs the real TOTP step
    whenever settings ask for it. The page (with `.user` set) lands on the home page.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from placebase.accounts.roles import STAFF_ROLES
    from placebase.factories import DEFAULT_PASSWORD, UserFactory

    def make(role: str, **fields: Any) -> Any:
        password = fields.pop("password", DEFAULT_PASSWORD)
        user = UserFactory(role=role, password=password, **fields)
        if role in STAFF_ROLES:
            TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
        page = new_page()
        sign_in(page, username=str(user.username), password=password)
        page.user = user
        return page

    return make
