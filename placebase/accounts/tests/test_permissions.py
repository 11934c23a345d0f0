"""The permission matrix: every role against a sample of pages, checked against RULES."""

import pytest
from django.urls import NoReverseMatch, resolve, reverse

from placebase.accounts.permissions import AGGREGATES_ONLY, RULES, Action, can, require
from placebase.accounts.roles import STAFF_ROLES, Role
from placebase.factories import OrganisationFactory, UserFactory
from placebase.testing.auth import sign_in_client

# (url name, the action the page needs; None for a public page). Pages of apps still being
# built are skipped until their URL exists.
PAGES = [
    ("web:home", Action.VIEW_HOME),
    ("core:audit_log", Action.VIEW_AUDIT_LOG),
    ("web:accessibility", None),
    ("web:privacy", None),
    ("places:index", Action.VIEW_PLACES),
]


def _url_or_skip(url_name: str) -> str:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        pytest.skip(f"{url_name} does not exist yet")


@pytest.mark.parametrize(("url_name", "action"), PAGES)
def test_page_declares_the_action_the_matrix_expects(url_name, action):
    url = _url_or_skip(url_name)
    declared = getattr(resolve(url).func, "required_action", None)
    assert declared == action


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("url_name", "action"), PAGES)
def test_every_role_is_allowed_or_refused_as_rules_say(client, settings, role, url_name, action):
    settings.MFA_REQUIRED_FOR_STAFF = False
    url = _url_or_skip(url_name)
    client.force_login(UserFactory(role=role))

    response = client.get(url)

    allowed = action is None or role in RULES[action]
    assert response.status_code == (200 if allowed else 403), (role, url_name)
    if not allowed:
        assert b"You cannot see this page" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_matrix_holds_with_a_verified_second_factor(client, role):
    # The same answer with MFA on, when the user has really verified a device.
    sign_in_client(client, UserFactory(role=role))
    assert client.get(reverse("web:home")).status_code == 200
    expected = 200 if role in RULES[Action.VIEW_AUDIT_LOG] else 403
    assert client.get(reverse("core:audit_log")).status_code == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "action"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in_for_protected_pages(client, url_name, action):
    url = _url_or_skip(url_name)
    response = client.get(url)
    if action is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_every_action_has_a_rule_and_only_admins_read_the_audit_log():
    assert set(RULES) == set(Action)
    assert RULES[Action.VIEW_AUDIT_LOG] == {Role.ADMIN}
    assert RULES[Action.MANAGE_USERS] == {Role.ADMIN}


def test_aggregates_only_roles_never_see_or_edit_personal_data():
    for action in (Action.VIEW_PERSONAL_DATA, Action.EDIT_PERSONAL_DATA):
        assert not AGGREGATES_ONLY & RULES[action]


@pytest.mark.django_db
def test_can_refuses_anonymous_and_inactive_users():
    from django.contrib.auth.models import AnonymousUser

    assert not can(AnonymousUser(), Action.VIEW_HOME)
    assert not can(None, Action.VIEW_HOME)
    assert not can(UserFactory(role=Role.ADMIN, is_active=False), Action.VIEW_HOME)
    assert can(UserFactory(role=Role.ADMIN), "home.view")  # the string form works too


@pytest.mark.django_db
def test_can_rejects_an_unknown_action():
    with pytest.raises(ValueError):
        can(UserFactory(role=Role.ADMIN), "no.such.action")


class _Listing:
    def __init__(self, organisation_id):
        self.organisation_id = organisation_id


@pytest.mark.django_db
def test_provider_editors_edit_only_their_own_organisations_listings():
    own, other = OrganisationFactory(), OrganisationFactory()
    editor = UserFactory(role=Role.PROVIDER_EDITOR, organisation=own)
    assert can(editor, Action.EDIT_DIRECTORY, _Listing(own.id))
    assert not can(editor, Action.EDIT_DIRECTORY, _Listing(other.id))
    assert not can(editor, Action.EDIT_DIRECTORY, _Listing(None))
    # Other roles allowed to edit are not narrowed by organisation.
    connector = UserFactory(role=Role.CONNECTOR, organisation=own)
    assert can(connector, Action.EDIT_DIRECTORY, _Listing(other.id))
    assert not can(UserFactory(role=Role.VOLUNTEER), Action.EDIT_DIRECTORY, _Listing(own.id))


@pytest.mark.django_db
def test_require_decorator_records_its_action_and_refuses(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.http import HttpResponse

    @require(Action.VIEW_EVIDENCE)
    def view(request):
        return HttpResponse("ok")

    assert view.required_action is Action.VIEW_EVIDENCE
    request = rf.get("/evidence/")
    request.user = AnonymousUser()
    assert view(request).status_code == 302
    request.user = UserFactory(role=Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        view(request)
    request.user = UserFactory(role=Role.ANALYST)
    assert view(request).content == b"ok"
