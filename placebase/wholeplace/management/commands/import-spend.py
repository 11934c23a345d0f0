"""`placebase import-spend PATH`: Total Place spend lines from a CSV (validated, atomic,
idempotent)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from placebase.wholeplace import services

from ._common import read_csv_text, run_or_explain


class Command(BaseCommand):
    help = (
        "Import public spend from a CSV with columns agency, area_code, theme, period_start, "
        "period_end, amount (optional level, vintage, price_year, reference). Nothing is "
        "written if any row has a problem; rows imported before are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args: Any, **options: Any) -> None:
        text = read_csv_text(options["path"])
        result = run_or_explain(
            lambda: services.spend_import_csv(text=text, filename=options["path"][-255:])
        )
        self.stdout.write(f"Added {result.added} spend lines; {result.skipped} already there.")
