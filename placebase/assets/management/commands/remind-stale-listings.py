"""`placebase remind-stale-listings`: email the owners of listings not checked recently.

For a scheduler (cron, systemd timer, a Kubernetes CronJob), e.g. once a day. Safe to run
often: an owner is reminded at most once per staleness period.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from placebase.assets import tasks


class Command(BaseCommand):
    help = "Remind owners of stale directory listings (default: not checked for 6 months)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="how old a review may be (default from settings)"
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="hand the work to the task backend instead of running it here",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = tasks.remind_stale_listings.enqueue(max_age_days=options["days"])
            self.stdout.write(f"Queued as task {result.id}.")
            return
        counts = tasks.remind_stale_listings.call(max_age_days=options["days"])
        self.stdout.write(
            f"{counts['stale']} stale listings; reminded {counts['reminded']} "
            f"owners; {counts['without_owner']} have no owner to remind."
        )
