#!/usr/bin/env python
"""Take the README's screenshots: the sign-in page, a coordinator's home page and an
evidence report (as the demo analyst).

    python scripts/screenshots.py                 # starts its own demo server, then stops it
    python scripts/screenshots.py --url http://127.0.0.1:8000   # uses a running demo

Without --url it loads the demo into a throw-away SQLite database (DEMO_MODE on, so the demo
coordinator signs in without an authenticator app) and serves it on a free local port.
With --url, the server must run the demo (`make demo`) or you pass --username/--password of
a user who needs no second factor. Pictures are PNG, 1280 pixels wide, in docs/screenshots/.
Uses Debian's chromium through Playwright, as the browser tests do.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from placebase.testing.browser import VIEWPORT, launch_chromium  # noqa: E402

DEMO_PASSWORD = "sutton-demo-2026"  # noqa: S105 (the published demo password)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the demo server stopped early (exit code {server.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/accessibility/", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the demo server did not answer at {url} within {timeout:.0f} seconds")


@contextmanager
def demo_server() -> Iterator[str]:
    """Load the demo into a temporary folder and serve it; stop the server afterwards."""
    with tempfile.TemporaryDirectory(prefix="placebase-screenshots-") as var_dir:
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.local",
            PLACEBASE_VAR_DIR=var_dir,
            PLACEBASE_DEMO_MODE="true",
            PLACEBASE_LOG_LEVEL="WARNING",
        )
        manage = [sys.executable, str(REPO_ROOT / "manage.py")]
        loaded = subprocess.run(
            [*manage, "demo", "--no-serve"], env=env, cwd=REPO_ROOT, capture_output=True, text=True
        )
        if loaded.returncode != 0:
            raise SystemExit(f"loading the demo failed:\n{loaded.stderr[-3000:]}")
        port = _free_port()
        server = subprocess.Popen(
            [*manage, "serve", f"127.0.0.1:{port}"],
            env=env,
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, server)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def take_screenshots(url: str, *, username: str, password: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    sign_in_png, home_png = out / "sign-in.png", out / "coordinator-home.png"
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_context(base_url=url, viewport=VIEWPORT).new_page()
            page.goto("/account/sign-in/")
            page.screenshot(path=str(sign_in_png), full_page=True)
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
            heading = page.get_by_role("heading", level=1).inner_text()
            if not heading.startswith("Welcome"):
                raise SystemExit(
                    f"signing in as {username} did not reach the home page (got {heading!r}); "
                    "is this the demo, with DEMO_MODE on?"
                )
            page.screenshot(path=str(home_png), full_page=True)
            report_png = out / "evidence-report.png"
            analyst = browser.new_context(base_url=url, viewport=VIEWPORT).new_page()
            analyst.goto("/account/sign-in/")
            analyst.get_by_label("Username").fill("analyst")
            analyst.get_by_label("Password").fill(password)
            analyst.get_by_role("button", name="Sign in").click()
            analyst.goto("/evidence/reports/")
            analyst.get_by_role("row").filter(has_text="Evaluative").get_by_role(
                "link"
            ).first.click()
            analyst.wait_for_load_state()
            # The top of the report: headline, the ratio with its range, who benefits.
            analyst.set_viewport_size({"width": VIEWPORT["width"], "height": 1800})
            analyst.screenshot(path=str(report_png), full_page=False)
        finally:
            browser.close()
    return [sign_in_png, home_png, report_png]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running Placebase (default: start a demo server)")
    parser.add_argument("--username", default="coordinator")
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if args.url:
        paths = take_screenshots(
            args.url.rstrip("/"), username=args.username, password=args.password, out=args.out
        )
    else:
        with demo_server() as url:
            paths = take_screenshots(
                url, username=args.username, password=args.password, out=args.out
            )
    for path in paths:
        print(f"wrote {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")


if __name__ == "__main__":
    main()
