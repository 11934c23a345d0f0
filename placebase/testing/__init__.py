"""Test helpers shared by every app's tests (browser fixtures live in `browser.py`)."""
