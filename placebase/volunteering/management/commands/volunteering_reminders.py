"""`manage.py volunteering_reminders`: send today's DBS renewal warnings (run daily, e.g. cron)."""

from typing import Any

from django.core.management.base import BaseCommand

from placebase.volunteering.services import safeguarding_warnings_send


class Command(BaseCommand):
    help = "Send DBS renewal warnings due today (60, 30 and 7 days before renewal)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = safeguarding_warnings_send()
        self.stdout.write(f"{sent} safeguarding renewal warning(s) sent.")
