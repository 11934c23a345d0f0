"""Shared factory_boy factories for tests across the apps.

`UserFactory(role=Role.COORDINATOR)` makes a user of that role in a new organisation; every
user's password is `DEFAULT_PASSWORD` unless one is passed. Factories write straight to the
models (no audit entries) because they set up a test's world rather than exercise the product.
"""

import factory
from factory.django import DjangoModelFactory

from placebase.accounts.models import Organisation, OrganisationKind, Team, User
from placebase.accounts.roles import Role

# Long and uncommon, so it also passes the production password validators.
DEFAULT_PASSWORD = "correct-horse-battery-staple-42"  # noqa: S105


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.COUNCIL


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = Role.VOLUNTEER
    organisation = factory.SubFactory(OrganisationFactory)
    is_active = True
    # Administrators also reach the Django admin, as `user_create` arranges.
    is_staff = factory.LazyAttribute(lambda u: u.role == Role.ADMIN)
    is_superuser = factory.LazyAttribute(lambda u: u.role == Role.ADMIN)

    @factory.post_generation
    def password(user: User, create: bool, extracted: str | None, **kwargs: object) -> None:
        user.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            user.save(update_fields=["password"])

    @factory.post_generation
    def teams(user: User, create: bool, extracted: list[Team] | None, **kwargs: object) -> None:
        if create and extracted:
            user.teams.set(extracted)
