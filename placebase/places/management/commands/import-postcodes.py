"""`placebase import-postcodes PATH`: load an ONSPD or NSPL CSV (plain or gzipped)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from placebase.places import services

from ._common import Bar, run_or_explain


class Command(BaseCommand):
    help = "Import postcodes from an ONSPD/NSPL CSV (columns pcds, lat, long, doterm, ...)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--source", default="", help="e.g. 'ONSPD 2025-08'")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        bar = Bar("Postcodes", enabled=not options["no_progress"])
        counts = run_or_explain(
            lambda: services.postcode_import(
                path=options["path"], source=options["source"], progress=bar
            )
        )
        bar.close()
        self.stdout.write(
            f"Imported {counts['postcodes']} postcodes ({counts['terminated']} terminated)."
        )
