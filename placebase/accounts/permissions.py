"""The one place that answers "may this user do X (to this object)?".

Views, API handlers and templates ask `can(user, action, obj)`; nothing else decides.
Object rules narrow the role rule: a role that may edit listings may only edit its own
organisation's, for example. Selectors still scope querysets by user; this module decides
whether an action is allowed at all.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .roles import STAFF_ROLES, Role


class Action(StrEnum):
    VIEW_HOME = "home.view"
    VIEW_AUDIT_LOG = "audit.view"
    MANAGE_USERS = "users.manage"
    VIEW_PERSONAL_DATA = "personal_data.view"
    EDIT_PERSONAL_DATA = "personal_data.edit"
    VIEW_AGGREGATES = "aggregates.view"
    VIEW_PLACES = "places.view"
    IMPORT_PLACES = "places.import"
    EDIT_CUSTOM_AREAS = "places.edit_custom"
    EDIT_DIRECTORY = "directory.edit"
    MODERATE_DIRECTORY = "directory.moderate"
    MANAGE_VOLUNTEERING = "volunteering.manage"
    VIEW_EVIDENCE = "evidence.view"
    EDIT_EVIDENCE = "evidence.edit"
    VIEW_WHOLE_PLACE = "wholeplace.view"
    MANAGE_WHOLE_PLACE = "wholeplace.manage"
    VIEW_MULTI_AGENCY = "wholeplace.multi_agency.view"
    RECORD_INVOLVEMENT = "wholeplace.involvement.record"
    VIEW_ENGAGEMENT = "engagement.view"
    MANAGE_ENGAGEMENT = "engagement.manage"
    VIEW_WARD_AGGREGATES = "engagement.ward_view"
    MANAGE_COUNCILLOR_WARDS = "engagement.councillor_wards"


_ALL = frozenset(Role)
RULES: dict[Action, frozenset[Role]] = {
    Action.VIEW_HOME: _ALL,
    Action.VIEW_AUDIT_LOG: frozenset({Role.ADMIN}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.VIEW_PERSONAL_DATA: frozenset(
        {Role.ADMIN, Role.MANAGER, Role.COORDINATOR, Role.CONNECTOR, Role.VOLUNTEER_COORDINATOR}
    ),
    Action.EDIT_PERSONAL_DATA: frozenset({Role.COORDINATOR, Role.CONNECTOR, Role.MANAGER}),
    Action.VIEW_AGGREGATES: frozenset(
        {Role.ADMIN, Role.MANAGER, Role.ANALYST, Role.COUNCILLOR, Role.PARTNER_VIEWER}
    ),
    Action.VIEW_PLACES: STAFF_ROLES,
    Action.IMPORT_PLACES: frozenset({Role.ADMIN, Role.ANALYST}),
    Action.EDIT_CUSTOM_AREAS: frozenset(
        {Role.ADMIN, Role.ANALYST, Role.MANAGER, Role.COORDINATOR, Role.CONNECTOR}
    ),
    Action.EDIT_DIRECTORY: frozenset(
        {Role.ADMIN, Role.CONNECTOR, Role.COORDINATOR, Role.PROVIDER_EDITOR}
    ),
    Action.MODERATE_DIRECTORY: frozenset({Role.ADMIN, Role.CONNECTOR}),
    Action.MANAGE_VOLUNTEERING: frozenset({Role.ADMIN, Role.MANAGER, Role.VOLUNTEER_COORDINATOR}),
    Action.VIEW_EVIDENCE: frozenset({Role.ADMIN, Role.MANAGER, Role.ANALYST}),
    Action.EDIT_EVIDENCE: frozenset({Role.ADMIN, Role.ANALYST}),
    Action.VIEW_WHOLE_PLACE: frozenset(
        {Role.ADMIN, Role.MANAGER, Role.ANALYST, Role.PARTNER_VIEWER}
    ),
    # Ledger entries, spend imports and the consistency register.
    Action.MANAGE_WHOLE_PLACE: frozenset({Role.ADMIN, Role.MANAGER, Role.ANALYST}),
    # Households served by several agencies: derived from personal records, so not partners.
    Action.VIEW_MULTI_AGENCY: frozenset({Role.ADMIN, Role.MANAGER, Role.ANALYST}),
    Action.RECORD_INVOLVEMENT: frozenset({Role.ADMIN, Role.MANAGER, Role.ANALYST}),
    # Engagement activities and their breadth figures (analysts see them disclosure-controlled).
    Action.VIEW_ENGAGEMENT: frozenset(
        {Role.ADMIN, Role.MANAGER, Role.COORDINATOR, Role.CONNECTOR, Role.ANALYST}
    ),
    Action.MANAGE_ENGAGEMENT: frozenset(
        {Role.ADMIN, Role.MANAGER, Role.COORDINATOR, Role.CONNECTOR}
    ),
    # The councillor ward view: aggregates only, always disclosure-controlled.
    Action.VIEW_WARD_AGGREGATES: frozenset(
        {Role.ADMIN, Role.MANAGER, Role.ANALYST, Role.COUNCILLOR}
    ),
    Action.MANAGE_COUNCILLOR_WARDS: frozenset({Role.ADMIN}),
}

# Roles that must only ever see aggregates, whatever else they are granted.
AGGREGATES_ONLY = frozenset({Role.COUNCILLOR, Role.PARTNER_VIEWER})


def _same_organisation(user: Any, obj: Any) -> bool:
    org_id = getattr(obj, "organisation_id", None)
    return org_id is not None and org_id == user.organisation_id


# Object rules for actions whose answer depends on the object. Admins are not exempt from
# these on purpose: an administrator of one council does not edit another's records.
OBJECT_RULES: dict[Action, Callable[[Any, Any], bool]] = {
    Action.EDIT_DIRECTORY: lambda user, obj: (
        user.role != Role.PROVIDER_EDITOR or _same_organisation(user, obj)
    ),
}


def can(user: Any, action: Action | str, obj: Any = None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    action = Action(action)
    if user.role not in RULES[action]:
        return False
    if obj is not None and action in OBJECT_RULES:
        return OBJECT_RULES[action](user, obj)
    return True


def require(action: Action) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: sign-in page for the anonymous, 403 for those without the permission."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, action):
                raise PermissionDenied(action.value)
            return view(request, *args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator
