from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Placebase on http://127.0.0.1:8000 (migrating first; data is left alone)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options) -> None:  # type: ignore[no-untyped-def]
        call_command("migrate", interactive=False, verbosity=0)
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"Placebase is at http://{addrport}/  (Ctrl+C stops it)")
        if settings.DEBUG:
            call_command("runserver", addrport, use_reloader=True)
        else:
            call_command("runserver", addrport, use_reloader=False, insecure_serving=True)
