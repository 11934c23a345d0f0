import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from placebase.accounts.roles import Role
from placebase.core.audit import AuditEvent
from placebase.factories import OrganisationFactory, UserFactory
from placebase.volunteering import errors, services
from placebase.volunteering.models import (
    BadgeAward,
    CheckLevel,
    HoursEntry,
    HoursSource,
    HoursStatus,
    Invitation,
    OpportunityKind,
    OpportunityStatus,
    Pledge,
    PledgeStatus,
    SafeguardingWarning,
    Volunteer,
    VolunteerStatus,
)

from .conftest import SUTTON, TODAY, make_volunteer, soon

pytestmark = pytest.mark.django_db


# --- sign-up and under 18s --------------------------------------------------------------------


def test_sign_up_creates_a_volunteer_account_located_by_postcode(skills):
    volunteer = make_volunteer(skills=["befriending"], availability=0b11)
    assert volunteer.user.role == Role.VOLUNTEER
    assert volunteer.user.check_password("a-long-unusual-passphrase-91")
    assert volunteer.postcode == SUTTON
    assert 51.3 < volunteer.lat < 51.4 and -0.25 < volunteer.lon < -0.1
    assert volunteer.status == VolunteerStatus.ACTIVE
    assert [s.slug for s in volunteer.skills.all()] == ["befriending"]
    assert AuditEvent.objects.filter(verb="volunteer.signed_up", personal_data=True).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_name": " "}, "first_name"),
        ({"email": "not-an-email"}, "email"),
        ({"consent": False}, "consent"),
        ({"postcode": "NOT A POSTCODE"}, "postcode"),
        ({"postcode": "ZZ99 9ZZ"}, "postcode"),
        ({"dob": dt.date(2015, 1, 1)}, "date_of_birth"),
        ({"dob": dt.date(2030, 1, 1)}, "date_of_birth"),
        ({"password": "short"}, "password"),
        ({"travel_km": 7}, "travel_km"),
        ({"skills": ["juggling"]}, "skills"),
        ({"dob": dt.date(2010, 1, 1)}, "guardian_name"),
    ],
)
def test_bad_sign_up_says_what_is_wrong_and_writes_nothing(skills, changes, field):
    with pytest.raises(errors.SignUpRejected) as caught:
        make_volunteer(**changes)
    assert field in caught.value.details["problems"]
    assert not Volunteer.objects.exists()
    assert not AuditEvent.objects.filter(verb="volunteer.signed_up").exists()


def test_the_same_email_cannot_sign_up_twice(skills):
    make_volunteer()
    with pytest.raises(errors.SignUpRejected) as caught:
        make_volunteer(email="SAM@example.org")
    assert "sign in" in caught.value.details["problems"]["email"]
    assert Volunteer.objects.count() == 1


def test_under_18_waits_for_guardian_who_is_emailed_a_link(
    skills, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        young = make_volunteer(
            dob=dt.date(2010, 6, 1),
            guardian_name="Pat Jones",
            guardian_email="pat@example.org",
            base_url="https://pb.example",
        )
    assert young.status == VolunteerStatus.AWAITING_GUARDIAN
    assert mail.outbox[-1].to == ["pat@example.org"]
    token = services.guardian_token(young)
    assert f"https://pb.example/volunteering/guardian/{token}/" in mail.outbox[-1].body

    with pytest.raises(errors.GuardianApprovalNeeded):
        services.volunteer_guardian_approve(token=token, guardian_name="Pat", confirm=False)
    young.refresh_from_db()
    assert young.guardian_approved_at is None

    services.volunteer_guardian_approve(token=token, guardian_name="Pat Jones", confirm=True)
    young.refresh_from_db()
    assert young.status == VolunteerStatus.ACTIVE
    assert young.guardian_approved_at is not None


def test_guardian_email_must_differ_from_the_young_persons(skills):
    with pytest.raises(errors.SignUpRejected) as caught:
        make_volunteer(
            dob=dt.date(2010, 6, 1), guardian_name="Pat", guardian_email="sam@example.org"
        )
    assert "guardian_email" in caught.value.details["problems"]


def test_a_forged_guardian_token_is_refused(skills):
    make_volunteer(dob=dt.date(2010, 6, 1), guardian_name="Pat", guardian_email="p@example.org")
    with pytest.raises(errors.GuardianTokenInvalid):
        services.volunteer_guardian_approve(token="forged:token", guardian_name="X", confirm=True)
    assert Volunteer.objects.get().guardian_approved_at is None


def test_under_18_cannot_be_confirmed_until_guardian_approves(coordinator, skills):
    opportunity = services.opportunity_create(
        actor=coordinator,
        title="Young evaluators",
        summary="Evaluate a youth service.",
        kind=OpportunityKind.ONE_OFF,
        postcode=SUTTON,
        minimum_age=14,
    )
    young = make_volunteer(
        dob=dt.date(2010, 6, 1), guardian_name="Pat", guardian_email="p@example.org"
    )
    pledge = services.pledge_make(opportunity=opportunity, volunteer=young, today=TODAY)
    with pytest.raises(errors.GuardianApprovalNeeded):
        services.pledge_confirm(actor=coordinator, pledge=pledge, today=TODAY)
    services.volunteer_guardian_approve(
        token=services.guardian_token(young), guardian_name="Pat", confirm=True
    )
    services.pledge_confirm(actor=coordinator, pledge=pledge, today=TODAY)
    assert Pledge.objects.get().status == PledgeStatus.CONFIRMED


def test_under_18s_micro_pledge_waits_for_their_guardian(coordinator, micro, skills):
    young = make_volunteer(
        dob=dt.date(2010, 6, 1), guardian_name="Pat", guardian_email="p@example.org"
    )
    pledge = services.pledge_make(opportunity=micro, volunteer=young, today=TODAY)
    assert pledge.status == PledgeStatus.REQUESTED  # not placed, even for 15 minutes
    with pytest.raises(errors.GuardianApprovalNeeded):
        services.pledge_confirm(actor=coordinator, pledge=pledge, today=TODAY)
    services.volunteer_guardian_approve(
        token=services.guardian_token(young), guardian_name="Pat", confirm=True
    )
    young.refresh_from_db()
    assert services.pledge_make(opportunity=micro, volunteer=young, today=TODAY).status == (
        PledgeStatus.PLEDGED
    )
    services.pledge_confirm(actor=coordinator, pledge=pledge, today=TODAY)
    assert Pledge.objects.get(pk=pledge.pk).status == PledgeStatus.CONFIRMED


# --- opportunities and pledging ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": OpportunityKind.MICRO, "duration_minutes": None}, "duration_minutes"),
        ({"kind": OpportunityKind.MICRO, "duration_minutes": 600}, "duration_minutes"),
        (
            {
                "kind": OpportunityKind.MICRO,
                "duration_minutes": 15,
                "check_level": CheckLevel.BASIC,
            },
            "check_level",
        ),
        ({"regulated_activity": True, "check_level": CheckLevel.BASIC}, "check_level"),
        ({"capacity": 0}, "capacity"),
        ({"kind": "party"}, "kind"),
    ],
)
def test_bad_opportunity_is_refused(coordinator, changes, field):
    fields = {
        "actor": coordinator,
        "title": "T",
        "summary": "S",
        "kind": OpportunityKind.ONE_OFF,
        "postcode": SUTTON,
    }
    fields.update(changes)
    with pytest.raises(errors.VolunteeringInvalid) as caught:
        services.opportunity_create(**fields)
    assert caught.value.details["field"] == field


def test_only_a_volunteer_coordinator_can_post_opportunities(organisation):
    for role in (Role.COORDINATOR, Role.VOLUNTEER, Role.COUNCILLOR):
        user = UserFactory(role=role, organisation=organisation)
        with pytest.raises(errors.NotHost):
            services.opportunity_create(
                actor=user, title="T", summary="S", kind=OpportunityKind.ONE_OFF, postcode=SUTTON
            )


def test_anyone_can_pledge_fifteen_minutes_and_it_stands_at_once(
    micro, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pledge = services.pledge_make(
            opportunity=micro, guest_name="Alex", guest_email="Alex@Example.org"
        )
    assert pledge.status == PledgeStatus.PLEDGED
    assert pledge.minutes == 15
    assert pledge.guest_email == "alex@example.org"
    assert pledge.reference in mail.outbox[-1].body
    # Micro pledges can be made again and again.
    services.pledge_make(opportunity=micro, guest_name="Alex", guest_email="alex@example.org")
    assert Pledge.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "email", "field"),
    [("", "a@example.org", "guest_name"), ("Alex", "nope", "guest_email")],
)
def test_guest_pledge_needs_a_name_and_email(micro, name, email, field):
    with pytest.raises(errors.VolunteeringInvalid) as caught:
        services.pledge_make(opportunity=micro, guest_name=name, guest_email=email)
    assert caught.value.details["field"] == field
    assert not Pledge.objects.exists()


def test_guests_cannot_pledge_to_more_than_micro_pledges(reading):
    with pytest.raises(errors.VolunteeringInvalid):
        services.pledge_make(opportunity=reading, guest_name="A", guest_email="a@example.org")


def test_closed_opportunity_takes_no_pledges(coordinator, micro):
    services.opportunity_status_set(
        actor=coordinator, opportunity=micro, status=OpportunityStatus.CLOSED
    )
    with pytest.raises(errors.OpportunityClosed):
        services.pledge_make(opportunity=micro, guest_name="A", guest_email="a@example.org")


def test_regular_pledge_waits_and_cannot_be_made_twice(reading, volunteer):
    pledge = services.pledge_make(opportunity=reading, volunteer=volunteer)
    assert pledge.status == PledgeStatus.REQUESTED
    with pytest.raises(errors.AlreadyPledged):
        services.pledge_make(opportunity=reading, volunteer=volunteer)


def test_capacity_is_enforced_per_site(coordinator, reading, skills):
    school = services.site_add(
        actor=coordinator, opportunity=reading, name="Avenue Primary", postcode=SUTTON, capacity=1
    )
    first = make_volunteer(email="a@example.org")
    second = make_volunteer(email="b@example.org")
    services.safeguarding_check_record(
        actor=coordinator,
        volunteer=first,
        level=CheckLevel.ENHANCED_BARRED,
        certificate_date=TODAY - dt.timedelta(days=10),
        today=TODAY,
    )
    pledge = services.pledge_make(opportunity=reading, volunteer=first, site=school)
    services.pledge_confirm(actor=coordinator, pledge=pledge, today=TODAY)
    with pytest.raises(errors.OpportunityFull):
        services.pledge_make(opportunity=reading, volunteer=second, site=school)


def test_shift_from_another_opportunity_is_refused(coordinator, micro, reading, volunteer):
    shift = services.shift_add(
        actor=coordinator,
        opportunity=micro,
        starts_at=soon(),
        ends_at=soon() + dt.timedelta(hours=1),
    )
    with pytest.raises(errors.VolunteeringInvalid):
        services.pledge_make(opportunity=reading, volunteer=volunteer, shift=shift)


def test_volunteer_can_withdraw_own_pledge_only(reading, volunteer, skills):
    pledge = services.pledge_make(opportunity=reading, volunteer=volunteer)
    other = make_volunteer(email="other@example.org")
    with pytest.raises(errors.NotHost):
        services.pledge_withdraw(volunteer=other, pledge=pledge)
    services.pledge_withdraw(volunteer=volunteer, pledge=pledge)
    assert Pledge.objects.get().status == PledgeStatus.WITHDRAWN


# --- safeguarding -----------------------------------------------------------------------------


def test_cannot_confirm_a_volunteer_without_the_check_the_role_needs(
    coordinator, reading, volunteer
):
    pledge = services.pledge_make(opportunity=reading, volunteer=volunteer)
    with pytest.raises(errors.SafeguardingCheckMissing) as caught:
        services.pledge_confirm(actor=coordinator, pledge=pledge, today=TODAY)
    assert caught.value.code == "volunteering.safeguarding_check_missing"
    assert Pledge.objects.get().status == PledgeStatus.REQUESTED


def test_a_lower_level_check_does_not_do(coordinator, reading, volunteer):
    services.safeguarding_check_record(
        actor=coordinator,
        volunteer=volunteer,
        level=CheckLevel.ENHANCED,
        certificate_date=TODAY - dt.timedelta(days=30),
        today=TODAY,
    )
    pledge = services.pledge_make(opportunity=reading, volunteer=volunteer)
    with pytest.raises(errors.SafeguardingCheckMissing):
        services.pledge_confirm(actor=coordinator, pledge=pledge, today=TODAY)


def test_an_expired_check_does_not_do_but_an_in_date_one_does(coordinator, reading, volunteer):
    services.safeguarding_check_record(
        actor=coordinator,
        volunteer=volunteer,
        level=CheckLevel.ENHANCED_BARRED,
        certificate_date=dt.date(2022, 1, 10),
        today=TODAY,
    )
    pledge = services.pledge_make(opportunity=reading, volunteer=volunteer)
    with pytest.raises(errors.SafeguardingCheckMissing):
        services.pledge_confirm(actor=coordinator, pledge=pledge, today=TODAY)
    services.safeguarding_check_record(
        actor=coordinator,
        volunteer=volunteer,
        level=CheckLevel.ENHANCED_BARRED,
        certificate_date=TODAY - dt.timedelta(days=3),
        today=TODAY,
    )
    confirmed = services.pledge_confirm(actor=coordinator, pledge=pledge, today=TODAY)
    assert confirmed.status == PledgeStatus.CONFIRMED
    assert confirmed.decided_by == coordinator


def test_check_must_still_be_in_date_on_the_day_of_the_shift(coordinator, reading, volunteer):
    today = timezone.localdate()
    services.safeguarding_check_record(
        actor=coordinator,
        volunteer=volunteer,
        level=CheckLevel.ENHANCED_BARRED,
        certificate_date=today - dt.timedelta(days=100),
        renewal_due_on=today + dt.timedelta(days=5),
    )
    shift = services.shift_add(
        actor=coordinator,
        opportunity=reading,
        starts_at=soon(10),
        ends_at=soon(10) + dt.timedelta(hours=1),
    )
    pledge = services.pledge_make(opportunity=reading, volunteer=volunteer, shift=shift)
    with pytest.raises(errors.SafeguardingCheckMissing):
        services.pledge_confirm(actor=coordinator, pledge=pledge)


def test_another_organisation_cannot_confirm(reading, volunteer):
    outsider = UserFactory(role=Role.VOLUNTEER_COORDINATOR, organisation=OrganisationFactory())
    pledge = services.pledge_make(opportunity=reading, volunteer=volunteer)
    with pytest.raises(errors.NotHost):
        services.pledge_confirm(actor=outsider, pledge=pledge, today=TODAY)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"level": CheckLevel.NONE}, "level"),
        ({"certificate_date": TODAY + dt.timedelta(days=1)}, "certificate_date"),
        ({"renewal_due_on": dt.date(2020, 1, 1)}, "renewal_due_on"),
    ],
)
def test_bad_check_is_refused(coordinator, volunteer, changes, field):
    fields = {
        "actor": coordinator,
        "volunteer": volunteer,
        "level": CheckLevel.ENHANCED,
        "certificate_date": dt.date(2025, 1, 1),
        "today": TODAY,
    }
    fields.update(changes)
    with pytest.raises(errors.VolunteeringInvalid) as caught:
        services.safeguarding_check_record(**fields)
    assert caught.value.details["field"] == field
    assert not volunteer.safeguarding_checks.exists()


def test_check_renewal_defaults_to_three_years(coordinator, volunteer):
    check = services.safeguarding_check_record(
        actor=coordinator,
        volunteer=volunteer,
        level=CheckLevel.ENHANCED,
        certificate_date=dt.date(2024, 2, 29),
        today=TODAY,
    )
    assert check.renewal_due_on == dt.date(2027, 2, 28)


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(90, None), (61, None), (60, 60), (45, 60), (30, 30), (8, 30), (7, 7), (0, 7), (-1, None)],
)
def test_warning_due(days_left, expected):
    assert services.warning_due(days_left) == expected


def test_expiry_warnings_go_at_60_30_and_7_days_once_each(coordinator, volunteer):
    due = TODAY + dt.timedelta(days=60)
    services.safeguarding_check_record(
        actor=coordinator,
        volunteer=volunteer,
        level=CheckLevel.ENHANCED,
        certificate_date=dt.date(2023, 6, 1),
        renewal_due_on=due,
        today=TODAY,
    )
    mail.outbox.clear()
    assert services.safeguarding_warnings_send(today=TODAY - dt.timedelta(days=1)) == 0
    assert services.safeguarding_warnings_send(today=TODAY) == 1
    assert services.safeguarding_warnings_send(today=TODAY) == 0  # once only
    assert services.safeguarding_warnings_send(today=due - dt.timedelta(days=45)) == 0
    assert services.safeguarding_warnings_send(today=due - dt.timedelta(days=30)) == 1
    # A missed run sends the latest warning due, not every one skipped.
    assert services.safeguarding_warnings_send(today=due - dt.timedelta(days=3)) == 1
    assert sorted(SafeguardingWarning.objects.values_list("days_before", flat=True)) == [7, 30, 60]
    assert len(mail.outbox) == 3
    assert mail.outbox[0].to == [volunteer.email]


def test_no_warning_for_a_check_already_renewed(coordinator, volunteer):
    services.safeguarding_check_record(
        actor=coordinator,
        volunteer=volunteer,
        level=CheckLevel.ENHANCED,
        certificate_date=dt.date(2023, 3, 1),
        renewal_due_on=TODAY + dt.timedelta(days=30),
        today=TODAY,
    )
    services.safeguarding_check_record(
        actor=coordinator,
        volunteer=volunteer,
        level=CheckLevel.ENHANCED,
        certificate_date=TODAY - dt.timedelta(days=1),
        today=TODAY,
    )
    assert services.safeguarding_warnings_send(today=TODAY) == 0


# --- hours ------------------------------------------------------------------------------------


@pytest.fixture
def confirmed(coordinator, reading, volunteer):
    services.safeguarding_check_record(
        actor=coordinator,
        volunteer=volunteer,
        level=CheckLevel.ENHANCED_BARRED,
        certificate_date=TODAY - dt.timedelta(days=3),
        today=TODAY,
    )
    pledge = services.pledge_make(opportunity=reading, volunteer=volunteer)
    return services.pledge_confirm(actor=coordinator, pledge=pledge, today=TODAY)


def test_hours_need_a_standing_pledge(reading, volunteer):
    with pytest.raises(errors.HoursInvalid):
        services.hours_log(
            volunteer=volunteer, opportunity=reading, worked_on=TODAY, minutes=60, today=TODAY
        )
    services.pledge_make(opportunity=reading, volunteer=volunteer)  # requested, not confirmed
    with pytest.raises(errors.HoursInvalid):
        services.hours_log(
            volunteer=volunteer, opportunity=reading, worked_on=TODAY, minutes=60, today=TODAY
        )
    assert not HoursEntry.objects.exists()


@pytest.mark.parametrize(
    ("minutes", "worked_on"),
    [
        (0, TODAY),
        (24 * 60 + 1, TODAY),
        (60, TODAY + dt.timedelta(days=1)),
        (60, TODAY - dt.timedelta(days=400)),
    ],
)
def test_bad_hours_are_refused(confirmed, volunteer, reading, minutes, worked_on):
    with pytest.raises(errors.HoursInvalid):
        services.hours_log(
            volunteer=volunteer,
            opportunity=reading,
            worked_on=worked_on,
            minutes=minutes,
            today=TODAY,
        )
    assert not HoursEntry.objects.exists()


def test_logged_hours_count_once_the_host_verifies_them(
    confirmed, coordinator, volunteer, reading, badges
):
    entry = services.hours_log(
        volunteer=volunteer, opportunity=reading, worked_on=TODAY, minutes=90, today=TODAY
    )
    assert entry.status == HoursStatus.LOGGED and entry.source == HoursSource.VOLUNTEER
    assert not BadgeAward.objects.exists()
    services.hours_verify(actor=coordinator, entry=entry)
    entry.refresh_from_db()
    assert entry.status == HoursStatus.VERIFIED and entry.verified_by == coordinator
    assert [a.badge.slug for a in BadgeAward.objects.all()] == ["first-hour"]
    with pytest.raises(errors.HoursStateInvalid):
        services.hours_verify(actor=coordinator, entry=entry)


def test_only_the_host_verifies_and_a_reason_is_needed_to_reject(
    confirmed, volunteer, reading, coordinator
):
    entry = services.hours_log(
        volunteer=volunteer, opportunity=reading, worked_on=TODAY, minutes=60, today=TODAY
    )
    outsider = UserFactory(role=Role.VOLUNTEER_COORDINATOR, organisation=OrganisationFactory())
    with pytest.raises(errors.NotHost):
        services.hours_verify(actor=outsider, entry=entry)
    with pytest.raises(errors.HoursInvalid):
        services.hours_reject(actor=coordinator, entry=entry, reason=" ")
    services.hours_reject(actor=coordinator, entry=entry, reason="Not on the rota that day")
    entry.refresh_from_db()
    assert entry.status == HoursStatus.REJECTED


def test_staff_entered_hours_are_marked_and_count(coordinator, volunteer, reading):
    entry = services.hours_enter_by_staff(
        actor=coordinator,
        volunteer=volunteer,
        opportunity=reading,
        worked_on=TODAY,
        minutes=120,
        today=TODAY,
    )
    assert entry.source == HoursSource.STAFF
    assert entry.status == HoursStatus.VERIFIED
    assert entry.entered_by == coordinator


# --- recognition ------------------------------------------------------------------------------


def test_skill_badges_are_awarded_by_hand_once(coordinator, volunteer, badges):
    from placebase.volunteering.models import Badge

    evaluator = Badge.objects.get(slug="young-evaluator")
    services.badge_award(actor=coordinator, volunteer=volunteer, badge=evaluator, reason="x")
    services.badge_award(actor=coordinator, volunteer=volunteer, badge=evaluator)
    assert BadgeAward.objects.count() == 1
    with pytest.raises(errors.VolunteeringInvalid):
        services.badge_award(
            actor=coordinator, volunteer=volunteer, badge=Badge.objects.get(slug="ten-hours")
        )


def test_celebration_invites_volunteers_who_gave_time_and_they_reply(
    coordinator, volunteer, reading, skills
):
    services.hours_enter_by_staff(
        actor=coordinator,
        volunteer=volunteer,
        opportunity=reading,
        worked_on=TODAY,
        minutes=60,
        today=TODAY,
    )
    make_volunteer(email="idle@example.org")  # gave no time: not invited
    event = services.celebration_event_create(
        actor=coordinator, title="Sutton thanks you", venue="Sutton Life Centre", starts_at=soon(30)
    )
    assert services.celebration_invite(actor=coordinator, event=event) == 1
    assert services.celebration_invite(actor=coordinator, event=event) == 0
    invitation = Invitation.objects.get()
    assert invitation.volunteer == volunteer
    with pytest.raises(errors.VolunteeringInvalid):
        services.invitation_reply(volunteer=volunteer, invitation=invitation, reply="maybe")
    services.invitation_reply(
        volunteer=volunteer, invitation=invitation, reply="accepted", guests=1
    )
    invitation.refresh_from_db()
    assert invitation.reply == "accepted" and invitation.guests == 1


def test_thank_you_is_stored_and_emailed(
    coordinator, volunteer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.thank_you_send(actor=coordinator, volunteer=volunteer, message="Thank you!")
    assert volunteer.thanks.get().message == "Thank you!"
    assert mail.outbox[-1].to == [volunteer.email]
    with pytest.raises(errors.VolunteeringInvalid):
        services.thank_you_send(actor=coordinator, volunteer=volunteer, message="  ")


def test_volunteer_links_to_a_casework_person_without_a_second_record(coordinator, volunteer):
    person_model = Volunteer._meta.get_field("casework_person").related_model
    person = person_model.objects.create(
        reference="LAC-TEST1",
        first_name="Sam",
        last_name="Jones",
        organisation=coordinator.organisation,
    )
    stranger = person_model.objects.create(
        reference="LAC-TEST2", first_name="A", last_name="B", organisation=OrganisationFactory()
    )
    with pytest.raises(errors.NotHost):
        services.volunteer_link_casework_person(
            actor=coordinator, volunteer=volunteer, person=stranger
        )
    services.volunteer_link_casework_person(actor=coordinator, volunteer=volunteer, person=person)
    volunteer.refresh_from_db()
    assert volunteer.casework_person == person
    assert person.volunteer_roles.get() == volunteer
