"""Managers assign coordinators to patches and end assignments; nobody else may."""

import json

import pytest
from django.urls import reverse

from placebase.accounts.roles import Role
from placebase.casework import services
from placebase.casework.models import PatchAssignment
from placebase.core.errors import NotFound, PermissionDenied
from placebase.core.models import AuditEvent
from placebase.factories import OrganisationFactory, UserFactory
from placebase.places.models import Level
from placebase.places.services import custom_area_save

from .conftest import SUTTON_CENTRE_BOX, introduce

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_patch(db):
    return custom_area_save(
        actor=None, name="Sutton North", geometry=json.dumps(SUTTON_CENTRE_BOX), level=Level.PATCH
    )


def test_a_manager_sees_the_assignments_and_the_form(client_for, manager, coordinator, patch):
    response = client_for(manager).get(reverse("casework:patches"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Sutton Central" in body and coordinator.display_name in body and "Current" in body
    assert 'name="coordinator"' in body and 'name="area"' in body


def test_a_manager_assigns_a_coordinator_to_a_patch(
    client_for, manager, other_coordinator, second_patch
):
    response = client_for(manager).post(
        reverse("casework:patches"),
        {"coordinator": str(other_coordinator.id), "area": str(second_patch.id)},
    )
    assert response.status_code == 302
    assignment = PatchAssignment.objects.get(user=other_coordinator, area=second_patch)
    assert assignment.is_active
    assert AuditEvent.objects.filter(
        verb="casework.patch.assigned", target_id=str(assignment.id), actor=manager
    ).exists()
    # New introductions from that patch now go to the coordinator who covers it.
    PatchAssignment.objects.exclude(pk=assignment.pk).update(is_active=False)
    introduction = introduce(manager, first_name="Nell", last_name="North")
    assert introduction.coordinator == other_coordinator


def test_a_bad_choice_is_refused_with_an_error_summary_and_nothing_saved(
    client_for, manager, second_patch
):
    before = PatchAssignment.objects.count()
    response = client_for(manager).post(
        reverse("casework:patches"), {"coordinator": "", "area": str(second_patch.id)}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body and "Select a coordinator" in body
    assert PatchAssignment.objects.count() == before


def test_a_coordinator_of_another_organisation_cannot_be_assigned(
    client_for, manager, second_patch
):
    stranger = UserFactory(role=Role.COORDINATOR, organisation=OrganisationFactory())
    with pytest.raises(services.CaseworkInvalid):
        services.patch_assign(user=manager, coordinator_id=stranger.id, area_id=second_patch.id)
    assert not PatchAssignment.objects.filter(user=stranger).exists()


def test_a_manager_ends_an_assignment(client_for, manager, coordinator, patch):
    assignment = PatchAssignment.objects.get(user=coordinator, area=patch)
    client = client_for(manager)
    response = client.post(reverse("casework:patch_end", args=[assignment.id]))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert not assignment.is_active
    assert AuditEvent.objects.filter(
        verb="casework.patch.ended", target_id=str(assignment.id)
    ).exists()
    # Introductions from the patch are no longer given to her automatically.
    introduction = introduce(manager, first_name="Ida", last_name="Unassigned")
    assert introduction.coordinator is None
    # Ending it again says so, and changes nothing.
    response = client.post(reverse("casework:patch_end", args=[assignment.id]), follow=True)
    assert "already ended" in response.content.decode()
    assert AuditEvent.objects.filter(verb="casework.patch.ended").count() == 1


def test_ending_is_post_only(client_for, manager, coordinator, patch):
    assignment = PatchAssignment.objects.get(user=coordinator, area=patch)
    response = client_for(manager).get(reverse("casework:patch_end", args=[assignment.id]))
    assert response.status_code == 405
    assignment.refresh_from_db()
    assert assignment.is_active


def test_a_coordinator_is_refused(client_for, coordinator, other_coordinator, patch):
    assignment = PatchAssignment.objects.get(user=coordinator, area=patch)
    client = client_for(coordinator)
    assert client.get(reverse("casework:patches")).status_code == 403
    response = client.post(
        reverse("casework:patches"),
        {"coordinator": str(other_coordinator.id), "area": str(patch.id)},
    )
    assert response.status_code == 403
    assert client.post(reverse("casework:patch_end", args=[assignment.id])).status_code == 403
    assignment.refresh_from_db()
    assert assignment.is_active
    assert not PatchAssignment.objects.filter(user=other_coordinator).exists()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.COUNCILLOR, Role.CONNECTOR])
def test_other_roles_are_refused(client_for, org, role, patch):
    user = UserFactory(role=role, organisation=org)
    assert client_for(user).get(reverse("casework:patches")).status_code == 403


def test_another_organisations_manager_cannot_end_an_assignment(coordinator, patch):
    assignment = PatchAssignment.objects.get(user=coordinator, area=patch)
    outsider = UserFactory(role=Role.MANAGER, organisation=OrganisationFactory())
    with pytest.raises(NotFound):
        services.patch_assignment_end(user=outsider, assignment_id=assignment.id)
    with pytest.raises(PermissionDenied):
        services.patch_assignment_end(user=coordinator, assignment_id=assignment.id)
    assignment.refresh_from_db()
    assert assignment.is_active
