import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from placebase.accounts.models import Organisation
from placebase.accounts.roles import Role
from placebase.accounts.services import user_create
from placebase.core.errors import PlacebaseError


class Command(BaseCommand):
    help = "Add a user with a role. Asks for the password unless --password-stdin is given."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument("--organisation", default="", help="organisation name")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input (for scripts)",
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(name=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation is called {options['organisation']!r}.")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password again: "):
                raise CommandError("The passwords do not match.")
        try:
            user = user_create(
                username=options["username"],
                password=password,
                role=options["role"],
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                organisation=organisation,
            )
        except PlacebaseError as error:
            raise CommandError(f"{error.message} ({error.code})") from error
        self.stdout.write(
            self.style.SUCCESS(f"Added {user.username} as {user.get_role_display()}.")
        )
