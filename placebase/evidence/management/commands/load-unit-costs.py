"""`placebase load-unit-costs FILE.csv`: load your own (for example licensed) unit costs.

The file has the columns of placebase/evidence/data/unit_costs_starter.csv. Every row is
checked first; one bad row rejects the file. Loading the same file twice changes nothing."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from placebase.evidence.services import UnitCostsRejected, unit_costs_load


class Command(BaseCommand):
    help = "Load unit costs from a CSV file as new versions of the catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE.csv")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: the file is not UTF-8 text") from None
        try:
            result = unit_costs_load(actor=None, text=text, source_name=path.name)
        except UnitCostsRejected as error:
            lines = "\n".join(
                f"  {path.name}: line {line}: {reason}" for line, reason in error.problems
            )
            raise CommandError(f"{error.message}\n{lines}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {path.name}: {result.created} new, {result.revised} revised, "
                f"{result.unchanged} unchanged."
            )
        )
