from django.core.management.base import BaseCommand

from placebase.casework.tasks import casework_reminders_send


class Command(BaseCommand):
    help = "Email coordinators the number of follow-ups and reviews due (run daily)."

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        result = casework_reminders_send.enqueue()
        self.stdout.write(f"Reminder task {result.id} queued ({result.status}).")
