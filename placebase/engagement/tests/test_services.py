"""Writes: each service's happy path, and bad input that gives a clear error and writes
nothing."""

import datetime

import pytest

from placebase.accounts.roles import Role
from placebase.core.errors import PermissionDenied
from placebase.core.models import AuditEvent
from placebase.engagement import services
from placebase.engagement.errors import (
    ActivityInvalid,
    AlreadyTookPart,
    ContributionInvalid,
    ParticipantInvalid,
    ProjectLinkInvalid,
    WardInvalid,
)
from placebase.engagement.models import (
    ACTIVITY_RECORD_TYPE,
    Activity,
    Contribution,
    CouncillorWard,
    Participant,
    Participation,
)
from placebase.factories import UserFactory
from placebase.places.models import AreaMembership

D = datetime.date


MARCH = D(2026, 3, 1)


def make_activity(place, actor, *, ward=None, held_on=MARCH, **kw):
    return services.activity_create(
        actor=actor,
        kind=kw.pop("kind", "meeting"),
        title=kw.pop("title", "Meeting"),
        held_on=held_on,
        area_id=(ward or place.ward_a).id,
        **kw,
    )


def test_activity_create_locates_the_activity(place, connector):
    activity = make_activity(place, connector, theme="Parks", venue_postcode="sm22ab")
    assert activity.area_code == "E05000001"
    assert activity.venue_postcode == "SM2 2AB"
    assert activity.organiser == connector
    # The venue is in the other ward: both are recorded, so either ward finds it.
    located = set(
        AreaMembership.objects.filter(
            record_type=ACTIVITY_RECORD_TYPE, record_id=activity.id
        ).values_list("area__code", flat=True)
    )
    assert {"E05000002", "E01000004"} <= located
    assert AuditEvent.objects.filter(verb="engagement.activity.created").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"venue_postcode": "not a postcode"}, "venue_postcode"),
    ],
)
def test_activity_create_rejects_bad_input_and_writes_nothing(place, connector, changes, field):
    with pytest.raises(ActivityInvalid) as caught:
        make_activity(place, connector, **changes)
    assert caught.value.details["field"] == field
    assert caught.value.code == "engagement.activity_invalid"
    assert not Activity.objects.exists()
    assert not AreaMembership.objects.filter(record_type=ACTIVITY_RECORD_TYPE).exists()


def test_activity_create_rejects_unknown_area(place, connector):
    import uuid

    with pytest.raises(ActivityInvalid):
        services.activity_create(
            actor=connector, kind="event", title="Fair", held_on=D(2026, 1, 1), area_id=uuid.uuid4()
        )
    assert not Activity.objects.exists()


def test_councillor_cannot_write(place, councillor):
    with pytest.raises(PermissionDenied):
        make_activity(place, councillor)
    with pytest.raises(PermissionDenied):
        services.participant_register(actor=councillor, age_band="16_24")
    assert not Activity.objects.exists() and not Participant.objects.exists()


def test_pseudonymous_participant_keeps_only_age_band_and_located_postcode(place, connector):
    participant = services.participant_register(
        actor=connector, age_band="65_plus", home_postcode="sm1 1aa"
    )
    assert participant.reference.startswith("P-")
    assert participant.home_postcode == "SM1 1AA"
    assert participant.home_lsoa_code == "E01000001"
    assert participant.home_ward_code == "E05000001"
    assert participant.deprivation_quintile == 1
    assert participant.person_id is None
    field_names = {f.name for f in Participant._meta.get_fields()}
    assert not field_names & {"name", "first_name", "last_name", "email", "phone"}


@pytest.mark.parametrize(
    ("age_band", "postcode", "field"),
    [("", "SM1 1AA", "age_band"), ("90_plus", "", "age_band"), ("16_24", "ZZ", "home_postcode")],
)
def test_participant_register_rejects_bad_input(place, connector, age_band, postcode, field):
    with pytest.raises(ParticipantInvalid) as caught:
        services.participant_register(actor=connector, age_band=age_band, home_postcode=postcode)
    assert caught.value.details["field"] == field
    assert not Participant.objects.exists()


def test_participation_tracks_first_activity_and_refuses_duplicates(place, connector):
    later = make_activity(place, connector, held_on=D(2026, 5, 1))
    earlier = make_activity(place, connector, held_on=D(2026, 2, 1), ward=place.ward_b)
    person = services.participant_register(actor=connector, age_band="25_34")
    services.participation_record(actor=connector, activity=later, participant=person)
    person.refresh_from_db()
    assert person.first_activity_id == later.id
    services.participation_record(actor=connector, activity=earlier, participant=person)
    person.refresh_from_db()
    assert person.first_activity_id == earlier.id
    assert person.first_participated_on == D(2026, 2, 1)
    with pytest.raises(AlreadyTookPart) as caught:
        services.participation_record(actor=connector, activity=later, participant=person)
    assert caught.value.code == "engagement.already_took_part"
    assert Participation.objects.count() == 2


def test_contributions_are_counted_on_the_participation(place, connector):
    activity = make_activity(place, connector)
    person = services.participant_register(actor=connector, age_band="35_49")
    participation = services.participation_record(
        actor=connector, activity=activity, participant=person
    )
    services.contribution_record(
        actor=connector, participation=participation, kind="idea", text="A community fridge"
    )
    services.contribution_record(actor=connector, participation=participation, kind="vote")
    participation.refresh_from_db()
    assert participation.contributions == 2
    with pytest.raises(ContributionInvalid):
        services.contribution_record(
            actor=connector, participation=participation, kind="idea", text="  "
        )
    with pytest.raises(ContributionInvalid):
        services.contribution_record(actor=connector, participation=participation, kind="shout")
    participation.refresh_from_db()
    assert participation.contributions == 2
    assert Contribution.objects.count() == 2


def test_an_idea_keeps_its_link_to_the_project_it_became(place, connector):
    from placebase.assets.models import CommunityProject

    project = CommunityProject.objects.create(name="Community fridge", area_code="E05000001")
    activity = make_activity(place, connector)
    person = services.participant_register(actor=connector, age_band="35_49")
    participation = services.participation_record(
        actor=connector, activity=activity, participant=person
    )
    idea = services.contribution_record(
        actor=connector, participation=participation, kind="idea", text="A fridge"
    )
    comment = services.contribution_record(
        actor=connector, participation=participation, kind="comment", text="Yes"
    )
    linked = services.idea_project_link(actor=connector, contribution=idea, project_id=project.pk)
    assert linked.project_id == project.pk and linked.project_name == "Community fridge"
    with pytest.raises(ProjectLinkInvalid):
        services.idea_project_link(actor=connector, contribution=comment, project_id=project.pk)
    with pytest.raises(ProjectLinkInvalid):
        services.idea_project_link(actor=connector, contribution=idea, project_id="nope")
    idea.refresh_from_db()
    assert idea.project_id == project.pk


def test_councillor_wards(place, admin_user, councillor):
    ward = services.councillor_ward_assign(
        actor=admin_user, user=councillor, area_id=place.ward_a.id
    )
    again = services.councillor_ward_assign(
        actor=admin_user, user=councillor, area_id=place.ward_a.id
    )
    assert ward.pk == again.pk and ward.area_name == "Northfield"
    with pytest.raises(WardInvalid):  # an LSOA is not a ward
        services.councillor_ward_assign(
            actor=admin_user, user=councillor, area_id=place.lsoas["A1"].id
        )
    with pytest.raises(WardInvalid):  # only councillors represent wards
        services.councillor_ward_assign(
            actor=admin_user, user=UserFactory(role=Role.CONNECTOR), area_id=place.ward_b.id
        )
    with pytest.raises(PermissionDenied):
        services.councillor_ward_assign(actor=councillor, user=councillor, area_id=place.ward_b.id)
    assert CouncillorWard.objects.count() == 1
    services.councillor_ward_remove(actor=admin_user, ward=ward)
    assert not CouncillorWard.objects.exists()


def test_demo_loader_is_idempotent(place, connector):
    UserFactory(username="councillor", role=Role.COUNCILLOR)
    first = services.demo_engagement_load(seed=7)
    assert first["activities"] > 0 and first["participations"] > first["participants"] / 2
    assert first["councillor wards"] == 2  # the test place has two wards
    assert services.demo_engagement_load(seed=7) == first
    # Some participants are "usual suspects" who come again and again.
    assert Participation.objects.values("participant").distinct().count() < first["participations"]
