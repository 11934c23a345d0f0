from django.core.management.base import BaseCommand

from placebase.casework import services
from placebase.casework.tasks import casework_area_combinations_refresh


class Command(BaseCommand):
    help = (
        "Copy each person's areas (the places engine's area combination) to their record, "
        "introductions and connections again. Run it after importing, activating or "
        "redrawing a boundary set, once the places engine has re-located existing records."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--now", action="store_true", help="run here rather than as a background task"
        )

    def handle(self, *args, now: bool, **options) -> None:  # type: ignore[no-untyped-def]
        if now:
            changed = services.area_combinations_refresh()
            self.stdout.write(f"{changed} person record(s) moved to other areas.")
            return
        result = casework_area_combinations_refresh.enqueue()
        self.stdout.write(f"Area refresh task {result.id} queued ({result.status}).")
