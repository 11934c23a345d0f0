"""`placebase import-ledger PATH --fund NAME`: pooled-fund ledger entries from a CSV."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from placebase.wholeplace import services
from placebase.wholeplace.models import PooledFund

from ._common import read_csv_text, run_or_explain


class Command(BaseCommand):
    help = (
        "Append entries to a pooled fund's ledger from a CSV with columns date, kind, agency, "
        "amount (optional theme, area_code, level, reference, description). Nothing is "
        "written if any row has a problem; rows imported before are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--fund", required=True, help="The fund's name.")

    def handle(self, *args: Any, **options: Any) -> None:
        fund = PooledFund.objects.filter(name=options["fund"]).first()
        if fund is None:
            raise CommandError(f"There is no pooled fund called {options['fund']!r}.")
        text = read_csv_text(options["path"])
        result = run_or_explain(
            lambda: services.ledger_import_csv(
                fund=fund, text=text, filename=options["path"][-255:]
            )
        )
        self.stdout.write(f"Added {result.added} entries; {result.skipped} already there.")
