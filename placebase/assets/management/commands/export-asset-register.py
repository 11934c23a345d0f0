"""`placebase export-asset-register FILE`: write every listing to a .csv or .xlsx file."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from placebase.assets import models, spreadsheets


class Command(BaseCommand):
    help = "Export the asset register to a .csv or .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        assets = models.Asset.objects.select_related("provider").order_by("name")
        if path.suffix == ".csv":
            path.write_bytes(spreadsheets.register_csv(assets))
        elif path.suffix == ".xlsx":
            path.write_bytes(spreadsheets.register_xlsx(assets))
        else:
            raise CommandError("The file name must end in .csv or .xlsx")
        self.stdout.write(f"Wrote {assets.count()} listings to {path.name}.")
