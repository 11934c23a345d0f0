"""`placebase load-evidence-starter`: service types, starter unit costs and parameters."""

from typing import Any

from django.core.management.base import BaseCommand

from placebase.evidence.services import evidence_load_starter


class Command(BaseCommand):
    help = "Load the shipped service types, unit costs and valuation parameters (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        result, parameters = evidence_load_starter(actor=None)
        self.stdout.write(
            self.style.SUCCESS(
                f"Unit costs: {result.created} new, {result.revised} revised, {result.unchanged} "
                f"unchanged. Parameters: version {parameters.version}"
                f"{' (current)' if parameters.is_current else ''}."
            )
        )
