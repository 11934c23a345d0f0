"""`placebase import-asset-register FILE`: import a CSV or XLSX asset register."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from placebase.assets import services

from ._explain import run_or_explain


class Command(BaseCommand):
    help = "Import an asset register (.csv or .xlsx in the template's columns)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument(
            "--valid-rows-only",
            action="store_true",
            help="import the good rows and report the bad ones",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        report = run_or_explain(
            lambda: services.asset_register_import(
                actor=None,
                filename=path.name,
                content=path.read_bytes(),
                valid_rows_only=options["valid_rows_only"],
            )
        )
        self.stdout.write(
            f"{report.created} new, {report.updated} updated, {report.unchanged} unchanged."
        )
        for problem in report.skipped:
            self.stdout.write(f"skipped {problem}")
