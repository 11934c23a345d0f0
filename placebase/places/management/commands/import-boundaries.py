"""`placebase import-boundaries PATH --level LEVEL --vintage YEAR`: load a boundary file."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from placebase.places import services
from placebase.places.models import Level

from ._common import Bar, run_or_explain


class Command(BaseCommand):
    help = (
        "Import boundaries from GeoJSON (WGS84 or British National Grid; shapefile or "
        "GeoPackage when pyogrio is installed), then place existing records in them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--level", required=True, choices=Level.values)
        parser.add_argument("--vintage", required=True, type=int)
        parser.add_argument("--code-field", help="property holding the code, e.g. WD25CD")
        parser.add_argument("--name-field", help="property holding the name, e.g. WD25NM")
        parser.add_argument("--name", default="", help="a name for the boundary set")
        parser.add_argument("--source", default="")
        parser.add_argument("--licence", default="")
        parser.add_argument(
            "--no-locate",
            action="store_true",
            help="do not place existing records in the new areas now",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        bar = Bar("Areas", enabled=not options["no_progress"])
        outcome = run_or_explain(
            lambda: services.boundary_set_import(
                path=options["path"],
                level=options["level"],
                vintage=options["vintage"],
                code_field=options["code_field"],
                name_field=options["name_field"],
                name=options["name"],
                source=options["source"],
                licence=options["licence"],
                progress=bar,
            )
        )
        bar.close()
        self.stdout.write(
            f"{outcome.boundary_set}: {outcome.created} new, {outcome.updated} updated, "
            f"{outcome.unchanged} unchanged"
            + (
                f"; repaired the geometry of feature(s) {', '.join(map(str, outcome.repaired))}"
                if outcome.repaired
                else ""
            )
        )
        if outcome.changed and not options["no_locate"]:
            bar = Bar("Locating records", enabled=not options["no_progress"])
            counts = services.boundary_set_locate_existing(
                boundary_set=outcome.boundary_set, progress=bar
            )
            bar.close()
            self.stdout.write(
                f"Placed {counts['located']} of {counts['records']} located "
                f"records; {counts['outside']} fall outside this set."
            )
