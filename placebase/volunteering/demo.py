"""The demo's volunteering in Sutton: fictional volunteers (Faker en_GB from the seed) giving
time at real Sutton places and postcodes. Idempotent: a second run changes nothing."""

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone
from faker import Faker

from placebase.accounts.models import Organisation, OrganisationKind

from . import geo
from .models import (
    OPPORTUNITY_RECORD_TYPE,
    VOLUNTEER_RECORD_TYPE,
    Badge,
    BadgeAward,
    CelebrationEvent,
    CheckLevel,
    HoursEntry,
    HoursSource,
    HoursStatus,
    Invitation,
    Opportunity,
    OpportunityKind,
    Pledge,
    PledgeStatus,
    SafeguardingCheck,
    Site,
    Skill,
    ThankYou,
    Volunteer,
    VolunteerStatus,
)

MARKER_TITLE = "Reading buddies in Sutton primary schools"

# Sutton primary schools and the postcodes used for them (real Sutton postcodes).
SCHOOLS = [
    ("Avenue Primary Academy", "SM2 6JE"),
    ("Robin Hood Junior School", "SM1 2SD"),
    ("Devonshire Primary School", "SM2 5JL"),
    ("Stanley Park Junior School", "SM5 3JL"),
    ("Foresters Primary School", "SM6 9DP"),
    ("Muschamp Primary School", "SM5 2SE"),
    ("Cheam Park Farm Primary Academy", "SM3 8PW"),
    ("Barrow Hedges Primary School", "SM5 4LA"),
    ("Wallington Primary Academy", "SM6 7NH"),
    ("Westbourne Primary School", "SM1 2PH"),
]

MICRO_PLEDGES = [
    (
        "15 minutes: check on a neighbour",
        "Knock on a neighbour's door, say hello and ask if they need anything.",
        "SM1 1EA",
        15,
        "befriending",
    ),
    (
        "15 minutes: pick litter on your street",
        "Borrow a litter picker from Sutton Library and clear your street.",
        "SM1 1EB",
        15,
        "gardening",
    ),
    (
        "15 minutes: phone a lonely older person",
        "A friendly call from home to someone who asked for one.",
        "SM6 0AH",
        15,
        "befriending",
    ),
    (
        "15 minutes: water the Carshalton Ponds planters",
        "Keep the community planters alive in a dry spell.",
        "SM5 3BY",
        15,
        "gardening",
    ),
]

VOLUNTEERS = 80


def _org() -> Organisation:
    existing = Organisation.objects.filter(
        kind=OrganisationKind.COUNCIL, name__icontains="Sutton"
    ).first()
    if existing is not None:
        return existing
    org, _ = Organisation.objects.get_or_create(
        name="London Borough of Sutton", defaults={"kind": OrganisationKind.COUNCIL}
    )
    return org


def _opportunity(org: Organisation, **fields: Any) -> Opportunity:
    point = geo.postcode_point(fields.pop("postcode"))
    skills = fields.pop("skills", [])
    ward = geo.ward_at(lat=point.lat, lon=point.lon)
    opportunity = Opportunity.objects.create(
        organisation=org,
        postcode=point.postcode,
        lat=point.lat,
        lon=point.lon,
        ward_code=ward.code if ward else "",
        ward_name=ward.name if ward else "",
        **fields,
    )
    opportunity.skills.set(Skill.objects.filter(slug__in=skills))
    geo.point_assign(
        record_type=OPPORTUNITY_RECORD_TYPE, record_id=opportunity.pk, lat=point.lat, lon=point.lon
    )
    return opportunity


def _counts() -> dict[str, int]:
    return {
        "volunteering_opportunities": Opportunity.objects.count(),
        "volunteers": Volunteer.objects.count(),
        "pledges": Pledge.objects.count(),
        "verified_hours_entries": HoursEntry.objects.filter(status=HoursStatus.VERIFIED).count(),
        "badges_awarded": BadgeAward.objects.count(),
        "celebration_invitations": Invitation.objects.count(),
    }


@transaction.atomic
def load(*, seed: int) -> dict[str, int]:
    from .services import reference_data_ensure

    reference_data_ensure()
    org = _org()
    if Opportunity.objects.filter(organisation=org, title=MARKER_TITLE).exists():
        return _counts()
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    today = timezone.localdate()

    reading = _opportunity(
        org,
        title=MARKER_TITLE,
        host_name="Sutton Council Education Services",
        summary="An hour a week hearing children read in one of ten primary schools.",
        description="Fifty volunteers, five in each of ten schools, hear children read once a "
        "week in term time. Training is given.",
        kind=OpportunityKind.PLACEMENT,
        skills=["reading-with-children"],
        regulated_activity=True,
        check_level=CheckLevel.ENHANCED_BARRED,
        minimum_age=18,
        capacity=50,
        postcode="SM1 1EA",
        availability=0,
        starts_on=dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1),
    )
    sites = []
    for name, postcode in SCHOOLS:
        point = geo.postcode_point(postcode)
        sites.append(
            Site.objects.create(
                opportunity=reading,
                name=name,
                postcode=point.postcode,
                lat=point.lat,
                lon=point.lon,
                capacity=5,
            )
        )
    micros = [
        _opportunity(
            org,
            title=title,
            host_name="Sutton Council",
            summary=summary,
            kind=OpportunityKind.MICRO,
            duration_minutes=minutes,
            postcode=postcode,
            skills=[skill],
        )
        for title, summary, postcode, minutes, skill in MICRO_PLEDGES
    ]
    promoter = _opportunity(
        org,
        title="Volunteer promoter: rural touring theatre at Carshalton Village",
        host_name="Sutton Arts Network",
        kind=OpportunityKind.EVENT_ROLE,
        summary="Choose a touring show, sell tickets and run the evening in your village hall.",
        description="Promoters pick a show from the touring menu, publicise it, set up the hall "
        "and welcome the audience. The touring scheme pays the company.",
        skills=["promoting", "events", "arts"],
        capacity=4,
        postcode="SM5 3BY",
    )
    evaluators = _opportunity(
        org,
        title="Young evaluators: review the youth service",
        host_name="Sutton Youth Service",
        kind=OpportunityKind.ONE_OFF,
        summary="Help judge how well the youth service works.",
        skills=["evaluation"],
        minimum_age=14,
        capacity=8,
        postcode="SM1 4AE",
    )

    volunteers = []
    postcodes = [pc for _, pc in SCHOOLS] + [
        "SM1 1EB",
        "SM6 8DZ",
        "SM5 3BY",
        "SM1 4SQ",
        "SM2 6BS",
        "SM3 8QT",
        "SM5 2NL",
        "SM6 8NY",
    ]
    all_skills = list(Skill.objects.all())
    for i in range(VOLUNTEERS):
        young = i >= VOLUNTEERS - 6
        age = rng.randint(15, 17) if young else rng.randint(19, 80)
        point = geo.postcode_point(rng.choice(postcodes))
        first, last = fake.first_name(), fake.last_name()
        volunteer = Volunteer.objects.create(
            organisation=org,
            first_name=first,
            last_name=last,
            email=f"{first}.{last}.{i}@example.org".lower().replace("'", ""),
            date_of_birth=today - dt.timedelta(days=age * 365 + rng.randint(0, 300)),
            postcode=point.postcode,
            lat=point.lat,
            lon=point.lon,
            travel_km=rng.choice([2, 5, 5, 10]),
            availability=rng.choice([0, 0, 0b111, 7 << 15]),
            status=VolunteerStatus.ACTIVE,
            consent_given_at=timezone.now(),
            consent_statement="Demo: fictional volunteer.",
            guardian_name=fake.name() if young else "",
            guardian_email=f"guardian{i}@example.org" if young else "",
            guardian_approved_at=timezone.now() if young else None,
        )
        volunteer.skills.set(rng.sample(all_skills, k=min(len(all_skills), rng.randint(1, 3))))
        geo.point_assign(
            record_type=VOLUNTEER_RECORD_TYPE, record_id=volunteer.pk, lat=point.lat, lon=point.lon
        )
        volunteers.append(volunteer)

    reading_skill = Skill.objects.filter(slug="reading-with-children").first()
    reference = 0

    def pledge(
        opportunity: Opportunity, volunteer: Volunteer | None, status: str, **extra: Any
    ) -> Pledge:
        nonlocal reference
        reference += 1
        return Pledge.objects.create(
            opportunity=opportunity,
            volunteer=volunteer,
            status=status,
            reference=f"D{seed % 1000:03d}{reference:04d}",
            **extra,
        )

    # Five readers per school, each with an in-date enhanced check and a term of hours.
    adults = [v for v in volunteers if v.guardian_email == ""]
    for index, volunteer in enumerate(adults[:50]):
        if reading_skill:
            volunteer.skills.add(reading_skill)
        certificate = today - dt.timedelta(days=rng.randint(30, 1000))
        SafeguardingCheck.objects.create(
            volunteer=volunteer,
            level=CheckLevel.ENHANCED_BARRED,
            certificate_date=certificate,
            renewal_due_on=certificate.replace(year=certificate.year + 3)
            if not (certificate.month == 2 and certificate.day == 29)
            else certificate.replace(year=certificate.year + 3, day=28),
        )
        p = pledge(reading, volunteer, PledgeStatus.CONFIRMED, site=sites[index // 5])
        for week in range(rng.randint(4, 14)):
            HoursEntry.objects.create(
                volunteer=volunteer,
                opportunity=reading,
                pledge=p,
                worked_on=today - dt.timedelta(days=7 * (week + 1)),
                minutes=60,
                source=HoursSource.STAFF if week % 5 == 0 else HoursSource.VOLUNTEER,
                status=HoursStatus.VERIFIED,
                verified_at=timezone.now(),
            )
        if rng.random() < 0.15:  # this week's session, waiting for the school to verify
            HoursEntry.objects.create(
                volunteer=volunteer,
                opportunity=reading,
                pledge=p,
                worked_on=today - dt.timedelta(days=1),
                minutes=60,
                source=HoursSource.VOLUNTEER,
                status=HoursStatus.LOGGED,
            )

    # Micro pledges from volunteers and from guests.
    for volunteer in volunteers:
        for micro in rng.sample(micros, k=rng.randint(0, 2)):
            p = pledge(micro, volunteer, PledgeStatus.PLEDGED, minutes=micro.duration_minutes)
            HoursEntry.objects.create(
                volunteer=volunteer,
                opportunity=micro,
                pledge=p,
                worked_on=today - dt.timedelta(days=rng.randint(1, 60)),
                minutes=micro.duration_minutes or 15,
                source=HoursSource.VOLUNTEER,
                status=HoursStatus.VERIFIED,
                verified_at=timezone.now(),
            )
    for _ in range(40):
        micro = rng.choice(micros)
        pledge(
            micro,
            None,
            PledgeStatus.PLEDGED,
            guest_name=fake.first_name(),
            guest_email=f"guest{rng.randint(1, 10**6)}@example.org",
            minutes=micro.duration_minutes,
        )

    # Two touring promoters, and young evaluators (one still waiting to be confirmed).
    for volunteer in adults[50:52]:
        p = pledge(promoter, volunteer, PledgeStatus.CONFIRMED)
        HoursEntry.objects.create(
            volunteer=volunteer,
            opportunity=promoter,
            pledge=p,
            worked_on=today - dt.timedelta(days=20),
            minutes=6 * 60,
            source=HoursSource.VOLUNTEER,
            status=HoursStatus.VERIFIED,
            verified_at=timezone.now(),
        )
    young_people = [v for v in volunteers if v.guardian_email]
    evaluator_badge = Badge.objects.filter(slug="young-evaluator").first()
    for n, volunteer in enumerate(young_people):
        status = PledgeStatus.REQUESTED if n == 0 else PledgeStatus.CONFIRMED
        p = pledge(evaluators, volunteer, status)
        if status == PledgeStatus.CONFIRMED:
            HoursEntry.objects.create(
                volunteer=volunteer,
                opportunity=evaluators,
                pledge=p,
                worked_on=today - dt.timedelta(days=10),
                minutes=150,
                source=HoursSource.VOLUNTEER,
                status=HoursStatus.VERIFIED,
                verified_at=timezone.now(),
            )
            if evaluator_badge:
                BadgeAward.objects.get_or_create(
                    badge=evaluator_badge,
                    volunteer=volunteer,
                    defaults={"reason": "Youth service review"},
                )

    # Milestone badges for verified time, thanks, and a celebration with replies.
    from .services import _milestones_award

    for volunteer in volunteers:
        _milestones_award(volunteer=volunteer)
    for volunteer in adults[:10]:
        ThankYou.objects.create(
            volunteer=volunteer,
            opportunity=reading,
            message="Thank you for hearing our children read this term. "
            "Their reading ages are up and they look forward to it.",
        )
    event = CelebrationEvent.objects.create(
        organisation=org,
        title="Sutton Volunteers' Thank You Evening",
        description="Tea, cake and certificates for everyone who gave their time this year.",
        venue="Sutton Life Centre, SM1 3BW",
        starts_at=timezone.now() + dt.timedelta(days=21),
    )
    given = set(
        HoursEntry.objects.filter(
            status=HoursStatus.VERIFIED, opportunity__organisation=org
        ).values_list("volunteer_id", flat=True)
    )
    for n, volunteer in enumerate(v for v in volunteers if v.pk in given):
        reply = ["accepted", "accepted", "declined", "none"][n % 4]
        Invitation.objects.create(
            event=event,
            volunteer=volunteer,
            reply=reply,
            replied_at=timezone.now() if reply != "none" else None,
            guests=1 if reply == "accepted" and n % 3 == 0 else 0,
        )
    return _counts()
