from django.core.management.base import BaseCommand, CommandError

from placebase.accounts.models import User
from placebase.casework.services import api_token_issue


class Command(BaseCommand):
    help = "Issue a bearer token for the authenticated API (/api/v1/). Shown once."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("username")
        parser.add_argument("--name", default="API token", help="what the token is for")

    def handle(self, *args, username: str, name: str, **options) -> None:  # type: ignore[no-untyped-def]
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        _, key = api_token_issue(user=user, name=name)
        self.stdout.write(key)
