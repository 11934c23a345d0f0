from django.core.management.base import BaseCommand

from placebase.casework import services
from placebase.casework.tasks import casework_retention_apply


class Command(BaseCommand):
    help = (
        "Anonymise case-work records closed longer than PLACEBASE_RETENTION_DAYS "
        "(default six years), except those under a legal hold."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--dry-run", action="store_true", help="only count what is due")

    def handle(self, *args, dry_run: bool, **options) -> None:  # type: ignore[no-untyped-def]
        if dry_run:
            count = services.retention_apply(dry_run=True)
            self.stdout.write(f"{count} record(s) are due for anonymisation.")
            return
        result = casework_retention_apply.enqueue()
        self.stdout.write(f"Retention task {result.id} queued ({result.status}).")
