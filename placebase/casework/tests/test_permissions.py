"""Who may see and change a person's record: every role, scope by organisation, team and
patch, and partners only under an agreement in force plus the person's consent."""

import pytest
from django.urls import reverse

from placebase.accounts.models import AgreementStatus, DataSharingAgreement, OrganisationKind
from placebase.accounts.roles import Role
from placebase.casework import selectors, services
from placebase.casework.models import ConsentRecord
from placebase.core.errors import NotFound, PermissionDenied
from placebase.factories import OrganisationFactory, TeamFactory, UserFactory

from .conftest import days_ago

pytestmark = pytest.mark.django_db


def page(client_for, user, person):
    return client_for(user).get(reverse("casework:person", args=[person.id])).status_code


# Role → status of the person page for a user of the same organisation, not in the team.
SAME_ORG = {
    Role.ADMIN: 200,
    Role.MANAGER: 200,
    Role.COORDINATOR: 404,  # another team, no patch: scope hides the record
    Role.CONNECTOR: 404,
    Role.VOLUNTEER_COORDINATOR: 404,
    Role.ANALYST: 403,
    Role.COUNCILLOR: 403,
    Role.PARTNER_VIEWER: 403,
    Role.PROVIDER_EDITOR: 403,
    Role.VOLUNTEER: 403,
}


@pytest.mark.parametrize(("role", "status"), list(SAME_ORG.items()))
def test_the_permission_matrix_for_every_role(client_for, org, person, role, status):
    user = UserFactory(role=role, organisation=org, teams=[TeamFactory(organisation=org)])
    assert page(client_for, user, person) == status


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CONNECTOR, Role.VOLUNTEER_COORDINATOR])
def test_team_members_see_their_teams_people(client_for, org, team, person, role):
    user = UserFactory(role=role, organisation=org, teams=[team])
    assert page(client_for, user, person) == 200


def test_a_coordinator_sees_people_in_their_patch_even_from_another_team(
    client_for, org, patch, person
):
    from placebase.casework.models import PatchAssignment

    other = UserFactory(
        role=Role.COORDINATOR, organisation=org, teams=[TeamFactory(organisation=org)]
    )
    assert page(client_for, other, person) == 404
    PatchAssignment.objects.create(user=other, area=patch)
    assert page(client_for, other, person) == 200


def test_another_organisation_never_sees_the_record_without_an_agreement(client_for, person):
    stranger = UserFactory(role=Role.MANAGER, organisation=OrganisationFactory())
    assert page(client_for, stranger, person) == 404
    with pytest.raises(NotFound):
        selectors.person_get(user=stranger, person_id=person.id)


@pytest.mark.parametrize("role", [Role.COUNCILLOR, Role.PARTNER_VIEWER])
def test_councillors_and_partner_viewers_never_reach_an_individual_record(
    client_for, org, coordinator, person, role
):
    user = UserFactory(role=role, organisation=org)
    client = client_for(user)
    for name in ["person", "person_edit", "export_html", "export_json", "contact_new"]:
        response = client.get(reverse(f"casework:{name}", args=[person.id]))
        assert response.status_code == 403, name
    assert client.get(reverse("casework:home")).status_code == 403
    assert client.get(reverse("casework:people")).status_code == 403
    with pytest.raises(PermissionDenied):
        selectors.person_list(user=user)


# ------------------------------------------------------------------------ partners


@pytest.fixture
def nhs():
    return OrganisationFactory(name="NHS South West London", kind=OrganisationKind.NHS)


@pytest.fixture
def nhs_worker(nhs):
    # A social prescriber in the NHS: a personal-data role in a partner organisation.
    return UserFactory(role=Role.COORDINATOR, organisation=nhs, username="nia")


def agreement(org, partner, purposes, **overrides):
    values = {
        "name": "LAC and NHS",
        "owner": org,
        "purposes": purposes,
        "starts_on": days_ago(100),
        "status": AgreementStatus.ACTIVE,
    }
    values.update(overrides)
    dsa = DataSharingAgreement.objects.create(**values)
    dsa.partners.add(partner)
    return dsa


def consent(coordinator, person, partner, purposes):
    return services.consent_record(
        user=coordinator,
        person_id=person.id,
        lawful_basis="consent",
        given_on=days_ago(10),
        method="verbal",
        information_given="Explained sharing with the NHS for her care",
        organisation_ids=[partner.id],
        purposes=purposes,
    )


def test_partner_without_agreement_or_consent_sees_nothing(client_for, nhs_worker, person):
    assert page(client_for, nhs_worker, person) == 404
    assert list(selectors.person_list(user=nhs_worker)) == []


def test_partner_with_consent_but_no_agreement_sees_nothing(
    client_for, coordinator, nhs, nhs_worker, person
):
    consent(coordinator, person, nhs, ["direct_care"])
    assert page(client_for, nhs_worker, person) == 404


def test_partner_with_agreement_but_no_consent_sees_nothing(
    client_for, org, nhs, nhs_worker, person
):
    agreement(org, nhs, ["direct_care"])
    assert page(client_for, nhs_worker, person) == 404


def test_partner_with_agreement_and_consent_sees_a_read_only_record(
    client_for, org, coordinator, nhs, nhs_worker, person
):
    agreement(org, nhs, ["direct_care", "evaluation"])
    consent(coordinator, person, nhs, ["direct_care"])
    client = client_for(nhs_worker)
    response = client.get(reverse("casework:person", args=[person.id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "shared with your organisation for direct_care" in body
    assert "Change details" not in body
    assert [p.id for p in selectors.person_list(user=nhs_worker)] == [person.id]
    # Read-only, and no subject access export from a partner.
    assert client.get(reverse("casework:person_edit", args=[person.id])).status_code == 403
    assert client.get(reverse("casework:export_json", args=[person.id])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.contact_record(
            user=nhs_worker,
            person_id=person.id,
            happened_on=days_ago(1),
            kind="phone",
            duration_minutes=5,
        )


def test_partner_sees_only_the_purposes_in_both_agreement_and_consent(
    org, coordinator, nhs, nhs_worker, person
):
    agreement(org, nhs, ["evaluation", "safeguarding"])
    consent(coordinator, person, nhs, ["evaluation", "direct_care"])
    access = selectors.person_get(user=nhs_worker, person_id=person.id)
    assert access.purposes == frozenset({"evaluation"})
    assert access.sees("outcomes") and not access.sees("details") and not access.sees("journey")


@pytest.mark.parametrize(
    "change",
    [
        {"status": AgreementStatus.SUSPENDED},
        {"ends_on": days_ago(1)},
        {"starts_on": days_ago(-5)},
    ],
)
def test_an_agreement_not_in_force_shares_nothing(
    client_for, org, coordinator, nhs, nhs_worker, person, change
):
    agreement(org, nhs, ["direct_care"], **change)
    consent(coordinator, person, nhs, ["direct_care"])
    assert page(client_for, nhs_worker, person) == 404


def test_withdrawing_consent_ends_partner_access_at_once(
    client_for, org, coordinator, nhs, nhs_worker, person
):
    agreement(org, nhs, ["direct_care"])
    record = consent(coordinator, person, nhs, ["direct_care"])
    assert page(client_for, nhs_worker, person) == 200
    services.consent_withdraw(user=coordinator, person_id=person.id, consent_id=record.id)
    assert ConsentRecord.objects.get(pk=record.pk).withdrawn_on is not None
    assert page(client_for, nhs_worker, person) == 404


def test_a_partner_api_read_is_scoped_the_same_way(
    client, org, coordinator, nhs, nhs_worker, person
):
    _, key = services.api_token_issue(user=nhs_worker, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get(f"/api/v1/people/{person.id}", **headers).status_code == 404
    agreement(org, nhs, ["evaluation"])
    consent(coordinator, person, nhs, ["evaluation"])
    body = client.get(f"/api/v1/people/{person.id}", **headers).json()
    assert body["shared"] is True and body["first_name"] is None  # details not shared
    assert client.get(f"/api/v1/people/{person.id}/outcomes", **headers).status_code == 200
    assert client.get(f"/api/v1/people/{person.id}/contacts", **headers).status_code == 403


def test_only_managers_erase_or_place_legal_holds(coordinator, person):
    with pytest.raises(PermissionDenied):
        services.person_erase(user=coordinator, person_id=person.id, reason="Asked")
    with pytest.raises(PermissionDenied):
        services.person_legal_hold_set(
            user=coordinator, person_id=person.id, hold=True, reason="Inquiry"
        )


def test_the_manager_dashboard_is_for_managers(client_for, org, manager, coordinator, person):
    assert client_for(manager).get(reverse("casework:dashboard")).status_code == 200
    for role in [Role.COUNCILLOR, Role.PARTNER_VIEWER, Role.VOLUNTEER]:
        user = UserFactory(role=role, organisation=org)
        assert client_for(user).get(reverse("casework:dashboard")).status_code == 403
    assert client_for(coordinator).get(reverse("casework:dashboard")).status_code == 403
