"""Turn a service's stable error into a CommandError that lists each problem."""

from collections.abc import Callable

from django.core.management.base import CommandError

from placebase.core.errors import PlacebaseError


def run_or_explain[T](fn: Callable[[], T], *, limit: int = 200) -> T:
    try:
        return fn()
    except PlacebaseError as error:
        lines = [f"{error.message} [{error.code}]"]
        problems = list(error.details.get("problems") or [])  # type: ignore[call-overload]
        lines += [f"  - {p}" for p in problems[:limit]]
        if len(problems) > limit:
            lines.append(f"  ... and {len(problems) - limit} more")
        raise CommandError("\n".join(lines)) from error
