"""The roles a user can hold. One role per user keeps "who may do what" easy to read."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    MANAGER = "manager", "Manager"
    COORDINATOR = "coordinator", "Local area coordinator"
    CONNECTOR = "connector", "Community connector"
    VOLUNTEER_COORDINATOR = "volunteer_coordinator", "Volunteer coordinator"
    ANALYST = "analyst", "Analyst"
    COUNCILLOR = "councillor", "Councillor"
    PARTNER_VIEWER = "partner_viewer", "Partner agency viewer"
    PROVIDER_EDITOR = "provider_editor", "Provider editor"
    VOLUNTEER = "volunteer", "Volunteer"


# Staff roles see personal data or sensitive aggregates, so they sign in with a second factor.
STAFF_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.MANAGER,
        Role.COORDINATOR,
        Role.CONNECTOR,
        Role.VOLUNTEER_COORDINATOR,
        Role.ANALYST,
        Role.COUNCILLOR,
        Role.PARTNER_VIEWER,
    }
)
