from django.core.management import call_command
from django.core.management.base import BaseCommand

from placebase.demo.services import DEMO_LOGINS, DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Migrate, load the demo place (Sutton) and serve it on http://127.0.0.1:8000."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--no-serve", action="store_true", help="load the demo and stop")
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, no_serve: bool, addrport: str, **options) -> None:  # type: ignore[no-untyped-def]
        call_command("migrate", interactive=False, verbosity=0)
        counts = demo_load(progress=True)
        self.stdout.write("Demo place loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (every password is {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<12} {login.role.label}")
        self.stdout.write("")
        if not no_serve:
            call_command("serve", addrport)
