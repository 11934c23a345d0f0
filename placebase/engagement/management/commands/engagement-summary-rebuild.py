from typing import Any

from django.core.management.base import BaseCommand

from placebase.engagement.summary import summary_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the engagement participation summary (participant, area and month) from "
        "participations. Run it after loading participations in bulk outside the services, "
        "or after places re-locates records into new boundaries."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = summary_rebuild()
        self.stdout.write(
            f"Engagement summary rebuilt: {counts['rows']:,} rows for {counts['areas']:,} areas."
        )
