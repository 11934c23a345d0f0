"""`placebase sroi MAP.csv --inputs AMOUNT ...`: the SROI calculator in a terminal."""

import json
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from placebase.evidence import sroi
from placebase.evidence.selectors import sroi_report


def _amount(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "").replace("£", ""))
    except InvalidOperation:
        raise CommandError(f"{what} '{text}' is not a number") from None
    if not value.is_finite():
        raise CommandError(f"{what} '{text}' is not a finite number")
    return value


class Command(BaseCommand):
    help = (
        "Calculate the social return on investment of an impact map (CSV). Exits non-zero "
        "with each bad row's line and reason if the map has problems."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("map", metavar="MAP.csv", help="the impact map; - reads stdin")
        parser.add_argument(
            "--inputs",
            required=True,
            metavar="AMOUNT",
            help="value of all inputs in pounds, including in-kind ones",
        )
        parser.add_argument(
            "--discount-rate",
            metavar="R",
            help="a flat rate as a fraction (0.035); default: the Green Book "
            "declining schedule of the current parameter set",
        )
        parser.add_argument(
            "--first-year",
            choices=["discounted", "undiscounted"],
            help="discount the first year once (SROI convention) or not "
            "(Green Book year 0); default: the current parameter set's",
        )
        parser.add_argument("--format", choices=["json", "table"], default="table")
        parser.add_argument(
            "--draws",
            type=int,
            default=10_000,
            help="Monte Carlo draws for the range (default 10,000)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="random seed; the same seed gives the same range (default 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        inputs = _amount(options["inputs"], "--inputs")
        if inputs <= 0:
            raise CommandError("--inputs must be more than zero")
        rate = None
        if options["discount_rate"] is not None:
            rate = _amount(options["discount_rate"], "--discount-rate")
            if not 0 <= rate < 1:
                raise CommandError(
                    "--discount-rate must be a fraction from 0 to below 1 (write 3.5% as 0.035)"
                )
        if not 1 <= options["draws"] <= sroi.MAX_DRAWS:
            raise CommandError(f"--draws must be from 1 to {sroi.MAX_DRAWS:,}")
        text = self._read(options["map"])
        try:
            outcomes = sroi.read_map_csv(text)
        except sroi.MapInvalid as error:
            problems = "\n".join(f"  {options['map']}: {problem}" for problem in error.problems)
            raise CommandError(
                f"the impact map has {len(error.problems)} problem(s); nothing "
                f"was calculated:\n{problems}"
            ) from None
        report, current = sroi_report(
            outcomes=outcomes,
            inputs=inputs,
            discount_rate=rate,
            first_year=options["first_year"],
            draws=options["draws"],
            seed=options["seed"],
        )
        if options["format"] == "json":
            data = sroi.report_to_dict(report)
            data["parameters"] = {"version": current.version, "label": current.label}
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(sroi.report_to_text(report), ending="")
            self.stdout.write(f"Parameters: {current.description}")

    def _read(self, path: str) -> str:
        try:
            if path == "-":
                return sys.stdin.read()
            with open(path, encoding="utf-8-sig") as handle:
                return handle.read()
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except UnicodeDecodeError:
            raise CommandError(
                f"{path}: the file is not UTF-8 text (save it as CSV UTF-8)"
            ) from None
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
