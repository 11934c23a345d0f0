"""Shared bits for the places commands: a tqdm progress bar and printing problems."""

from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandError
from tqdm import tqdm

from placebase.core.errors import PlacebaseError


class Bar:
    """A progress callback (done, total) drawing a tqdm bar on stderr."""

    def __init__(self, desc: str, *, enabled: bool = True) -> None:
        self.desc = desc
        self.enabled = enabled
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = tqdm(total=total, desc=self.desc, unit="row")
        self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_or_explain[T](fn: Callable[[], T]) -> T:
    """Turn a service's stable error into a CommandError listing each problem."""
    try:
        return fn()
    except PlacebaseError as error:
        lines = [f"{error.message} [{error.code}]"]
        problems: list[dict[str, Any]] = list(error.details.get("problems") or [])  # type: ignore[call-overload]
        for problem in problems[:50]:
            where = ""
            if problem.get("index") is not None:
                where = f"feature {problem['index']}: "
            elif problem.get("line") is not None:
                where = f"line {problem['line']}: "
            lines.append(f"  - {where}{problem['reason']}")
        raise CommandError("\n".join(lines)) from error
