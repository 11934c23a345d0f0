"""`placebase import-area-data PATH --level LEVEL --vintage YEAR`: numbers per area."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from placebase.places import services
from placebase.places.models import Level

from ._common import Bar, run_or_explain


class Command(BaseCommand):
    help = (
        "Import per-area attributes from a CSV: a code column (e.g. 'code' or "
        "'lsoa21_code') and one numeric column per attribute."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--level", required=True, choices=Level.values)
        parser.add_argument("--vintage", required=True, type=int)
        parser.add_argument("--source", default="")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        bar = Bar("Values", enabled=not options["no_progress"])
        counts = run_or_explain(
            lambda: services.area_data_import(
                path=options["path"],
                level=options["level"],
                vintage=options["vintage"],
                source=options["source"],
                progress=bar,
            )
        )
        bar.close()
        self.stdout.write(f"Stored {counts['values']} values for {counts['areas']} areas.")
