"""The browser fixtures' own rules: where chromium is found, and skip versus fail."""

import pytest

from placebase.testing import browser


def test_chromium_can_be_pointed_at_by_environment(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PLACEBASE_CHROMIUM", str(fake))
    assert browser.chromium_path() == str(fake)


def test_a_missing_browser_is_a_visible_skip_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium is not installed"):
        browser._missing("chromium is not installed")


def test_a_missing_browser_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        browser._missing("chromium is not installed")


def test_violations_are_printed_readably():
    text = browser.format_violations(
        [
            {
                "id": "image-alt",
                "impact": "critical",
                "help": "Images must have alternative text",
                "helpUrl": "https://dequeuniversity.com/rules/axe/4.10/image-alt",
                "nodes": [
                    {"target": ["img"], "html": '<img src="x.png">', "failureSummary": "Fix"}
                ],
            }
        ]
    )
    assert "image-alt (critical): Images must have alternative text" in text
    assert '<img src="x.png">' in text
