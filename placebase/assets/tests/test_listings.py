"""Listings: creating, editing, moderation with a diff, version history, claims, staleness."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from placebase.accounts.roles import Role
from placebase.assets import models as m
from placebase.assets import search, selectors, services
from placebase.core.errors import Conflict
from placebase.core.models import AuditEvent
from placebase.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_create_listing_locates_it_and_indexes_its_words(make_asset, place, categories):
    asset = make_asset(
        name="Wallington Knit and Natter",
        kind="group",
        postcode="SM6 7LY",
        address_1="1 Woodcote Road",
        city="Wallington",
        term_ids=[str(categories.crafts.id)],
        access_features=["step_free"],
    )
    location = asset.service_at_locations.get().location
    assert (location.latitude, location.longitude) == (51.3708, -0.1345)
    assert location.ward_code == "E05000555"  # assigned by the places engine at write time
    assert location.id in place.assigned
    stored = set(m.SearchToken.objects.filter(asset=asset).values_list("token", flat=True))
    assert stored >= {search.stem(w) for w in ("knit", "natter", "wallington", "crafts")}
    asset.refresh_from_db()
    assert asset.access_features_cache == ",step_free,"
    assert asset.versions.count() == 1
    assert AuditEvent.objects.filter(verb="asset.created", target_id=str(asset.id)).exists()


def test_tangible_follows_kind(make_asset):
    assert make_asset(name="Hall", kind="room").tangible is True
    assert make_asset(name="Choir", kind="group").tangible is False


def test_bad_listing_reports_every_field_and_writes_nothing(staff, place):
    with pytest.raises(services.ListingInvalid) as error:
        services.asset_create(
            actor=staff,
            values={
                "name": "",
                "kind": "castle",
                "email": "not-an-email",
                "postcode": "XYZ",
                "minimum_age": 30,
                "maximum_age": 10,
                "latitude": 51.3,
            },
        )
    errors = error.value.details["errors"]
    assert set(errors) >= {"name", "kind", "email", "postcode", "maximum_age", "latitude"}
    assert m.Asset.objects.count() == 0 and m.Location.objects.count() == 0


def test_unknown_postcode_rolls_the_whole_listing_back(staff, place):
    with pytest.raises(services.ValidationFailed) as error:
        services.asset_create(actor=staff, values={"name": "Somewhere", "postcode": "SM9 9ZZ"})
    assert error.value.code == "places.postcode_unknown"
    assert m.Asset.objects.count() == 0


def test_online_only_listing_has_no_location(make_asset):
    asset = make_asset(name="Phone befriending", url="https://example.org/befriend")
    assert not asset.service_at_locations.exists()


def test_staff_edit_applies_at_once_and_keeps_history(make_asset, staff):
    asset = make_asset(name="Lunch club", description="Hot meals")
    outcome = services.asset_edit(
        actor=staff,
        asset_id=asset.id,
        expected_version=1,
        changes={"description": "Hot meals on Tuesdays"},
    )
    assert outcome.applied
    asset.refresh_from_db()
    assert asset.version == 2 and asset.description == "Hot meals on Tuesdays"
    numbers = list(asset.versions.values_list("number", flat=True))
    assert numbers == [2, 1]
    assert asset.versions.get(number=1).snapshot["description"] == "Hot meals"


def test_stale_version_is_a_conflict_not_a_silent_overwrite(make_asset, staff):
    asset = make_asset(name="Lunch club")
    services.asset_edit(actor=staff, asset_id=asset.id, expected_version=1, changes={"fees": "£3"})
    with pytest.raises(Conflict):
        services.asset_edit(
            actor=staff, asset_id=asset.id, expected_version=1, changes={"fees": "£4"}
        )
    asset.refresh_from_db()
    assert asset.fees == "£3"


def test_provider_edit_goes_to_moderation_with_a_diff(make_asset, provider_user, staff):
    asset = make_asset(name="Men's Shed", description="Woodwork")
    outcome = services.asset_edit(
        actor=provider_user,
        asset_id=asset.id,
        expected_version=1,
        changes={"description": "Woodwork and repairs", "name": "Men's Shed"},
    )
    assert not outcome.applied and outcome.proposal is not None
    asset.refresh_from_db()
    assert asset.description == "Woodwork"  # nothing published yet
    assert outcome.proposal.changes == {"description": "Woodwork and repairs"}  # only changes
    diff = services.proposal_diff(proposal=outcome.proposal)
    assert diff == [("Description", "Woodwork", "Woodwork and repairs")]
    assert list(selectors.edit_proposal_list_pending()) == [outcome.proposal]

    services.edit_proposal_approve(actor=staff, proposal_id=outcome.proposal.id)
    asset.refresh_from_db()
    assert asset.description == "Woodwork and repairs" and asset.version == 2
    with pytest.raises(services.ProposalNotPending):
        services.edit_proposal_reject(actor=staff, proposal_id=outcome.proposal.id)


def test_approving_over_a_later_change_to_the_same_field_is_a_conflict(
    make_asset, provider_user, staff
):
    asset = make_asset(name="Choir", fees="Free")
    proposal = services.asset_edit(
        actor=provider_user, asset_id=asset.id, expected_version=1, changes={"fees": "£2"}
    ).proposal
    other = services.asset_edit(
        actor=provider_user,
        asset_id=asset.id,
        expected_version=1,
        changes={"description": "We sing"},
    ).proposal
    services.asset_edit(actor=staff, asset_id=asset.id, expected_version=1, changes={"fees": "£1"})
    with pytest.raises(Conflict):
        services.edit_proposal_approve(actor=staff, proposal_id=proposal.id)
    # A proposal about a field nobody else touched still applies.
    services.edit_proposal_approve(actor=staff, proposal_id=other.id)
    asset.refresh_from_db()
    assert (asset.fees, asset.description) == ("£1", "We sing")


def test_reject_keeps_listing_and_records_why(make_asset, provider_user, staff):
    asset = make_asset(name="Choir")
    proposal = services.asset_edit(
        actor=provider_user, asset_id=asset.id, expected_version=1, changes={"name": "Choir!!!"}
    ).proposal
    services.edit_proposal_reject(actor=staff, proposal_id=proposal.id, note="Spelling")
    proposal.refresh_from_db()
    asset.refresh_from_db()
    assert proposal.status == m.ProposalStatus.REJECTED and proposal.review_note == "Spelling"
    assert asset.name == "Choir"


def test_public_problem_report_needs_a_message(make_asset):
    asset = make_asset(name="Choir")
    with pytest.raises(services.ListingInvalid):
        services.listing_problem_report(asset_id=asset.id, message="  ", reply_email="bad")
    assert not m.EditProposal.objects.exists()
    report = services.listing_problem_report(asset_id=asset.id, message="It moved to Thursday")
    assert report.kind == m.ProposalKind.PROBLEM and report.proposed_by is None


def test_restore_an_old_version(make_asset, staff):
    asset = make_asset(name="Choir", description="Old")
    services.asset_edit(
        actor=staff, asset_id=asset.id, expected_version=1, changes={"description": "New"}
    )
    services.asset_version_restore(actor=staff, asset_id=asset.id, number=1, expected_version=2)
    asset.refresh_from_db()
    assert asset.description == "Old" and asset.version == 3


def test_claim_links_listing_to_the_providers_organisation(make_asset, provider_user, staff):
    asset = make_asset(name="Choir")
    claim = services.listing_claim_request(
        actor=provider_user, asset_id=asset.id, evidence="I run it"
    )
    services.listing_claim_decide(actor=staff, claim_id=claim.id, approve=True)
    asset.refresh_from_db()
    assert asset.organisation_id == provider_user.organisation_id
    assert asset.owner == provider_user
    assert asset in selectors.asset_list_for_user(user=provider_user)
    with pytest.raises(services.ClaimNotPending):
        services.listing_claim_decide(actor=staff, claim_id=claim.id, approve=False)
    with pytest.raises(services.ValidationFailed):
        services.listing_claim_request(actor=provider_user, asset_id=asset.id, evidence="")


def test_stale_listings_remind_their_owner_once_and_are_flagged(make_asset, settings):
    owner = UserFactory(role=Role.PROVIDER_EDITOR, email="owner@example.org")
    old = make_asset(name="Old club")
    fresh = make_asset(name="New club")
    orphan = make_asset(name="Orphan club")
    long_ago = timezone.now() - dt.timedelta(days=200)
    m.Asset.objects.filter(pk__in=[old.pk, orphan.pk]).update(
        last_reviewed_at=long_ago,
    )
    m.Asset.objects.filter(pk__in=[old.pk, fresh.pk]).update(owner=owner)

    run = services.assets_stale_remind()
    assert (run.stale, run.reminded, run.without_owner) == (2, 1, 1)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["owner@example.org"]
    assert set(selectors.asset_list_stale()) == {
        m.Asset.objects.get(pk=old.pk),
        m.Asset.objects.get(pk=orphan.pk),
    }
    assert services.assets_stale_remind().reminded == 0  # not again in the same period

    services.asset_review_confirm(actor=owner, asset_id=old.id)
    assert set(selectors.asset_list_stale()) == {m.Asset.objects.get(pk=orphan.pk)}


def test_stale_age_is_configurable(make_asset, settings):
    asset = make_asset(name="Club")
    m.Asset.objects.filter(pk=asset.pk).update(
        last_reviewed_at=timezone.now() - dt.timedelta(days=40)
    )
    assert not selectors.asset_list_stale().exists()
    settings.ASSETS_STALE_AFTER_DAYS = 30
    assert selectors.asset_list_stale().exists()
