"""`placebase import-oruk SOURCE`: import an Open Referral UK 3.0 feed.

SOURCE is an ORUK API base URL (https://example.org/oruk) or a folder of JSON files (one file
per endpoint page or per record). All or nothing; running it again changes nothing.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from placebase.assets import services

from ._explain import run_or_explain


class Command(BaseCommand):
    help = "Import an Open Referral UK 3.0 feed from an API base URL or a folder of JSON files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="ORUK API base URL, or a folder of .json files")

    def handle(self, *args: Any, **options: Any) -> None:
        report = run_or_explain(lambda: services.oruk_import(actor=None, source=options["source"]))
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write("Nothing changed." if not report.changed else "Import finished.")
