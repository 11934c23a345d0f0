"""Shared bits for the whole-place commands: reading a file and explaining problems."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from placebase.core.errors import PlacebaseError


def read_csv_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read {path}: {error}") from error


def run_or_explain[T](fn: Callable[[], T]) -> T:
    """Turn a service's stable error into a CommandError listing each bad row."""
    try:
        return fn()
    except PlacebaseError as error:
        lines = [f"{error.message} [{error.code}]"]
        found: Any = error.details.get("problems") or []
        for problem in found:
            lines.append(f"  line {problem['line']}: {'; '.join(problem['reasons'])}")
        raise CommandError("\n".join(lines)) from error
