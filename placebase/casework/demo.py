"""The demo's case work: a few hundred fictional Sutton residents walked alongside by four
coordinators, each with a patch made from real Sutton wards.

Everything comes from the seed (Faker en_GB and `random.Random`), so every machine gets the
same people. Effects are plausible and imperfect: wellbeing rises on average but falls for
some people, and crisis service use drops on average but not for everyone. The rows are
written in bulk (a demo is set-up, not case work), with one audit entry for the load.
"""

import datetime
import json
import random
from typing import Any

import shapely
from django.db import transaction
from django.utils import timezone
from faker import Faker

from placebase.accounts.models import (
    AgreementStatus,
    DataSharingAgreement,
    Organisation,
    OrganisationKind,
    Team,
    User,
)
from placebase.accounts.roles import Role
from placebase.core.audit import audit_record
from placebase.evidence.models import ServiceType

from .models import (
    Assessment,
    AvoidedDemand,
    Connection,
    ConnectionEvent,
    ConnectionStatus,
    ConsentRecord,
    Contact,
    Goal,
    Instrument,
    Introduction,
    IntroductionStatus,
    NetworkMember,
    PatchAssignment,
    Person,
    PersonStatus,
    Review,
    ServiceUseEvent,
    Strength,
    UnmetNeed,
)

ORGANISATION = "Sutton Council Adult Social Care"
TEAM = "Local Area Coordination"
PARTNER = "NHS South West London Integrated Care Board"
PEOPLE = 320
REFERENCE_PREFIX = "LAC-D"

# Each coordinator's patch: a group of neighbouring Sutton wards (2025 boundaries).
PATCHES: list[tuple[str, str, list[str]]] = [
    ("coordinator", "St Helier and The Wrythe", ["St Helier East", "St Helier West", "The Wrythe"]),
    (
        "coordinator2",
        "Hackbridge and Beddington",
        ["Hackbridge", "Beddington", "South Beddington & Roundshaw"],
    ),
    ("coordinator3", "Sutton town", ["Sutton Central", "Sutton North", "Sutton South"]),
    ("coordinator4", "Wallington", ["Wallington North", "Wallington South"]),
]
EXTRA_COORDINATORS = [
    ("coordinator2", "Priya", "Shah"),
    ("coordinator3", "Tom", "Okafor"),
    ("coordinator4", "Ellen", "Byrne"),
]

SOURCES = [
    ("gp", 24),
    ("social_care", 18),
    ("self", 12),
    ("family", 10),
    ("neighbour", 6),
    ("housing", 10),
    ("vcs", 10),
    ("police", 4),
    ("hospital", 6),
]
REASONS = [
    "Lonely since a bereavement and going out less.",
    "Frequent calls to the GP surgery; the GP thinks company would help more than appointments.",
    "Struggling to manage at home after a hospital stay.",
    "Worried about rent arrears and how to keep the flat.",
    "Caring for a parent and has no time or people of their own.",
    "New to the area and knows nobody.",
    "Repeated calls to the police about neighbours; both sides are unhappy.",
    "Lost confidence after a fall and rarely leaves the house.",
]
VISIONS = [
    "To feel part of the neighbourhood again and have people to talk to.",
    "To stay in my own home and keep my garden going.",
    "To get back to work, even part-time.",
    "To have a reason to get up in the morning.",
    "To sort my money out and stop worrying at night.",
]
TARGETS = [
    ("asset", "Roundshaw Community Garden"),
    ("asset", "Carshalton Beeches Walking Group"),
    ("asset", "Hackbridge Men's Shed"),
    ("asset", "Wallington Knit and Natter"),
    ("asset", "Sutton Library reading group"),
    ("volunteering", "Sutton foodbank volunteering"),
    ("volunteering", "Befriending volunteer"),
    ("person", "A neighbour who also gardens"),
    ("other", "Citizens Advice debt clinic"),
    ("asset", "St Helier Youth Football Club"),
]
NEEDS = [
    "No daytime social group for older men in the patch",
    "No affordable evening exercise class nearby",
    "No peer support group for carers that meets at weekends",
    "No digital skills help within walking distance",
]
# Yearly rates of crisis service use for people introduced to LAC (before introduction).
BASE_RATES = {
    "gp_appointment": 6.0,
    "ae_attendance": 1.2,
    "emergency_admission": 0.4,
    "ambulance_callout": 0.5,
    "police_callout": 0.3,
    "asb_report": 0.2,
    "mental_health_crisis_contact": 0.4,
    "homelessness_application": 0.05,
}


def _coordinators(org: Organisation, team: Team) -> dict[str, User]:
    from placebase.accounts.services import user_create
    from placebase.demo.services import DEMO_PASSWORD

    users: dict[str, User] = {}
    existing = User.objects.filter(username="coordinator").first()
    if existing is not None:
        users["coordinator"] = existing
    for username, first, last in EXTRA_COORDINATORS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=DEMO_PASSWORD,
                role=Role.COORDINATOR,
                first_name=first,
                last_name=last,
                email=f"{username}@demo.placebase.invalid",
                organisation=org,
                mfa_exempt_in_demo=True,
            )
        users[username] = user
    for user in users.values():
        user.teams.add(team)
    return users


def _patches(users: dict[str, User]) -> dict[str, Any]:
    """Patches from groups of real wards, through the places app's custom-area service."""
    from placebase.places.models import Area, Level
    from placebase.places.services import custom_area_save

    wards = {
        a.name: a
        for a in Area.objects.filter(boundary_set__level=Level.WARD, boundary_set__is_active=True)
    }
    patches: dict[str, Any] = {}
    for username, name, ward_names in PATCHES:
        if username not in users or not all(w in wards for w in ward_names):
            continue
        area = Area.objects.filter(boundary_set__level=Level.PATCH, name=name).first()
        if area is None:
            shape = shapely.union_all([shapely.from_geojson(wards[w].geometry) for w in ward_names])
            area = custom_area_save(
                actor=None,
                name=name,
                geometry=json.dumps(shapely.geometry.mapping(shape)),
                level=Level.PATCH,
            )
        PatchAssignment.objects.get_or_create(user=users[username], area=area)
        patches[username] = area
    return patches


def _postcodes(rng: random.Random) -> list[tuple[str, Any, Any]]:
    from placebase.places.models import Postcode

    rows = list(
        Postcode.objects.filter(terminated="", lat__isnull=False, district_code="E09000029")
        .order_by("postcode")
        .values_list("postcode", "lat", "lon")[:20000]
    )
    return rng.sample(rows, min(len(rows), PEOPLE * 2)) if rows else []


def _clip(value: float) -> int:
    return max(0, min(10, round(value)))


@transaction.atomic
def casework_demo_load(*, seed: int, people: int = PEOPLE) -> dict[str, int]:
    org = Organisation.objects.filter(name=ORGANISATION).first()
    if org is None:
        org = Organisation.objects.create(name=ORGANISATION, kind=OrganisationKind.COUNCIL)
    if Person.objects.filter(reference__startswith=REFERENCE_PREFIX).exists():
        return _counts()
    from placebase.evidence.services import service_types_load_starter
    from placebase.places.services import located_point_assign

    service_types_load_starter()
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    team, _ = Team.objects.get_or_create(organisation=org, name=TEAM)
    users = _coordinators(org, team)
    patches = _patches(users)
    by_patch = {area.id: users[name] for name, area in patches.items()}
    partner = Organisation.objects.filter(name=PARTNER).first()
    if partner is not None and not DataSharingAgreement.objects.filter(owner=org).exists():
        agreement = DataSharingAgreement.objects.create(
            name="Local Area Coordination and NHS South West London",
            owner=org,
            purposes=["direct_care", "evaluation"],
            starts_on=datetime.date(2025, 4, 1),
            status=AgreementStatus.ACTIVE,
        )
        agreement.partners.add(partner)
    types = {t.code: t for t in ServiceType.objects.all()}
    ons4 = Instrument.objects.get(code="ons4").versions.get(number=1)
    today = timezone.localdate()
    postcodes = _postcodes(rng)

    residents: list[Person] = []
    intros: list[Introduction] = []
    rows: dict[str, list[Any]] = {
        k: []
        for k in [
            "contacts",
            "goals",
            "strengths",
            "network",
            "connections",
            "events",
            "reviews",
            "assessments",
            "service_use",
            "avoided",
            "needs",
            "consents",
        ]
    }
    for n in range(people):
        sex = rng.random() < 0.55
        first = fake.first_name_female() if sex else fake.first_name_male()
        last = fake.last_name()
        age = rng.choice([rng.randint(25, 64), rng.randint(65, 92), rng.randint(65, 92)])
        postcode, lat, lon = postcodes[n] if n < len(postcodes) else ("", None, None)
        person = Person(
            reference=f"{REFERENCE_PREFIX}{n + 1:05d}",
            organisation=org,
            team=team,
            first_name=first,
            last_name=last,
            last_name_key=last.lower(),
            date_of_birth=today - datetime.timedelta(days=age * 365 + rng.randint(0, 364)),
            phone=f"020 8{rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            address_line_1=fake.street_address(),
            town="Sutton",
            postcode=postcode,
            postcode_key=postcode.replace(" ", "").lower(),
            latitude=lat,
            longitude=lon,
            preferred_contact=rng.choice(["phone", "phone", "in_person", "text", "email"]),
            preferred_language=rng.choice(["English"] * 8 + ["Tamil", "Polish", "Urdu"]),
        )
        residents.append(person)
    Person.objects.bulk_create(residents)
    located = 0
    for person in residents:
        if person.latitude is None or person.longitude is None:
            continue
        areas = located_point_assign(
            record_type="casework.person",
            record_id=person.id,
            lat=person.latitude,
            lon=person.longitude,
        )
        located += 1
        patch = next((a for a in areas if a.boundary_set.level == "patch"), None)
        if patch is not None:
            person.patch_area_id, person.patch_code, person.patch_name = (
                patch.id,
                patch.code,
                patch.name,
            )
    for person in residents:
        coordinator = by_patch.get(person.patch_area_id) or rng.choice(list(users.values()))
        person.coordinator = coordinator
        _journey(person, coordinator, rng, today, types, ons4, rows, intros)
    Person.objects.bulk_update(
        residents,
        ["patch_area_id", "patch_code", "patch_name", "coordinator", "status", "closed_at"],
        batch_size=500,
    )
    Introduction.objects.bulk_create(intros)
    tables: list[tuple[Any, str]] = [
        (Contact, "contacts"),
        (Goal, "goals"),
        (Strength, "strengths"),
        (NetworkMember, "network"),
        (Connection, "connections"),
        (ConnectionEvent, "events"),
        (Review, "reviews"),
        (Assessment, "assessments"),
        (ServiceUseEvent, "service_use"),
        (AvoidedDemand, "avoided"),
        (UnmetNeed, "needs"),
    ]
    for model, key in tables:
        model.objects.bulk_create(rows[key], batch_size=1000)
    consents = ConsentRecord.objects.bulk_create(rows["consents"])
    if partner is not None:
        through = ConsentRecord.organisations.through
        through.objects.bulk_create(
            [
                through(consentrecord_id=c.id, organisation_id=partner.id)
                for c in consents
                if c.purposes
            ]
        )
    from .services import area_combinations_refresh

    area_combinations_refresh()
    audit_record(
        actor=None,
        verb="casework.demo.loaded",
        target_type="casework.person",
        payload={"people": len(residents), "located": located, "seed": seed},
    )
    return _counts()


def _journey(
    person: Person,
    coordinator: User,
    rng: random.Random,
    today: datetime.date,
    types: dict[str, ServiceType],
    ons4: Any,
    rows: dict[str, list[Any]],
    intros: list[Introduction],
) -> None:
    """One person's journey so far, with before/after service use and wellbeing."""
    introduced = today - datetime.timedelta(days=rng.randint(10, 720))
    sources, weights = zip(*SOURCES, strict=True)
    intro = Introduction(
        person=person,
        organisation_id=person.organisation_id,
        coordinator=coordinator,
        patch_code=person.patch_code,
        source=rng.choices(sources, weights)[0],
        introduced_on=introduced,
        reason=rng.choice(REASONS),
        auto_assigned=bool(person.patch_code),
        vision=rng.choice(VISIONS),
        can_do_myself="Walk to the shops most days; cook.",
        family_community_can_do="A neighbour offered lifts; a cousin phones weekly.",
        services_role="GP for the diabetes; nothing else for now.",
    )
    intros.append(intro)
    days_in = (today - introduced).days
    engaged = rng.random() < 0.85  # some people never really engage
    first = introduced + datetime.timedelta(days=rng.randint(2, 21))
    if engaged and first <= today:
        intro.first_conversation_on = first
        intro.days_to_first_conversation = (first - introduced).days
        contact_days = sorted(
            {rng.randint((first - introduced).days, days_in) for _ in range(rng.randint(3, 14))}
        )
        for i, day in enumerate([(first - introduced).days, *contact_days]):
            rows["contacts"].append(
                Contact(
                    person=person,
                    introduction=intro,
                    coordinator=coordinator,
                    happened_on=introduced + datetime.timedelta(days=day),
                    kind="conversation"
                    if i == 0
                    else rng.choice(
                        ["conversation", "phone", "phone", "group", "message", "meeting"]
                    ),
                    duration_minutes=rng.choice([15, 20, 30, 45, 60, 90]),
                    notes="Talked about what a good week looks like." if i == 0 else "",
                )
            )
    rows["goals"].extend(
        Goal(
            person=person,
            introduction=intro,
            description=d,
            status=rng.choice(["not_started", "in_progress", "in_progress", "achieved"]),
            progress=rng.randint(0, 10),
        )
        for d in rng.sample(
            [
                "Go out twice a week",
                "Join a group",
                "Sort out the bills",
                "See my grandchildren more",
                "Volunteer somewhere",
            ],
            rng.randint(1, 3),
        )
    )
    rows["strengths"].extend(
        Strength(person=person, kind=k, description=d)
        for k, d in rng.sample(
            [
                ("hand", "Good at fixing bikes"),
                ("heart", "Loves gardening"),
                ("head", "Knows the local history"),
                ("strength", "Determined"),
                ("hand", "Bakes for the street party"),
            ],
            rng.randint(1, 3),
        )
    )
    for kind, name in rng.sample(
        [
            ("family", "Daughter"),
            ("friend", "Old workmate"),
            ("neighbour", "Next-door neighbour"),
            ("service", "GP"),
            ("group", "Church"),
            ("family", "Brother"),
        ],
        rng.randint(2, 5),
    ):
        rows["network"].append(
            NetworkMember(
                person=person, name=name, kind=kind, strength=rng.choice([1, 2, 3, 3, 4, 5])
            )
        )
    if engaged:
        for kind, target in rng.sample(TARGETS, rng.randint(1, 4)):
            suggested = min(today, first + datetime.timedelta(days=rng.randint(0, 60)))
            roll = rng.random()
            path = (
                ["introduced", "attended", "sustained"]
                if roll < 0.45
                else ["introduced", "did_not_stick"]
                if roll < 0.65
                else ["introduced", "attended"]
                if roll < 0.85
                else []
            )
            connection = Connection(
                person=person,
                organisation_id=person.organisation_id,
                introduction=intro,
                target_kind=kind,
                target_name=target,
                suggested_on=suggested,
                status_on=suggested,
                status="suggested",
                follow_up_on=suggested + datetime.timedelta(days=rng.randint(7, 28)),
            )
            rows["events"].append(
                ConnectionEvent(
                    connection=connection, to_status="suggested", on=suggested, by=coordinator
                )
            )
            step_on = suggested
            for step in path:
                step_on = min(today, step_on + datetime.timedelta(days=rng.randint(3, 40)))
                rows["events"].append(
                    ConnectionEvent(
                        connection=connection,
                        from_status=connection.status,
                        to_status=step,
                        on=step_on,
                        by=coordinator,
                    )
                )
                connection.status, connection.status_on = step, step_on
            if connection.status == ConnectionStatus.DID_NOT_STICK:
                connection.did_not_stick_reason = rng.choice(
                    ["Too far to travel", "Did not feel welcome", "Times clashed with caring"]
                )
            if connection.status in (ConnectionStatus.SUSTAINED, ConnectionStatus.DID_NOT_STICK):
                connection.follow_up_on = None
            rows["connections"].append(connection)
    # Wellbeing: low at introduction; a modest average gain at reviews, not for everyone.
    baseline = {
        "life_satisfaction": rng.gauss(4.6, 1.8),
        "worthwhile": rng.gauss(5.0, 1.8),
        "happiness": rng.gauss(4.8, 2.0),
        "anxiety": rng.gauss(6.0, 2.2),
    }
    if engaged:
        rows["assessments"].append(
            Assessment(
                person=person,
                introduction=intro,
                instrument_version=ons4,
                occasion="introduction",
                recorded_on=first,
                answers={k: _clip(v) for k, v in baseline.items()},
            )
        )
    gain = rng.gauss(1.0, 1.6) if engaged else rng.gauss(0.1, 1.0)
    review_day = introduced + datetime.timedelta(days=90)
    while engaged and review_day < today:
        rows["reviews"].append(
            Review(
                person=person,
                introduction=intro,
                reviewed_on=review_day,
                summary="Reviewed the vision and connections together.",
                by=coordinator,
            )
        )
        progress = min(1.0, (review_day - introduced).days / 270)
        rows["assessments"].append(
            Assessment(
                person=person,
                introduction=intro,
                instrument_version=ons4,
                occasion="review",
                recorded_on=review_day,
                answers={
                    "life_satisfaction": _clip(
                        baseline["life_satisfaction"] + gain * progress + rng.gauss(0, 0.7)
                    ),
                    "worthwhile": _clip(
                        baseline["worthwhile"] + 0.8 * gain * progress + rng.gauss(0, 0.7)
                    ),
                    "happiness": _clip(
                        baseline["happiness"] + 0.9 * gain * progress + rng.gauss(0, 0.9)
                    ),
                    "anxiety": _clip(
                        baseline["anxiety"] - 0.7 * gain * progress + rng.gauss(0, 0.9)
                    ),
                },
            )
        )
        review_day += datetime.timedelta(days=90)
    intro.next_review_on = review_day if engaged else None
    # Crisis service use: 12 months before, and after at a reduced (noisy) rate.
    reduction = max(0.2, min(1.4, rng.gauss(0.7 if engaged else 0.95, 0.25)))
    for code, rate in BASE_RATES.items():
        if code not in types:
            continue
        personal = rate * rng.lognormvariate(0, 0.6)
        for start, days, factor in [
            (introduced - datetime.timedelta(days=365), 365, 1.0),
            (introduced, min(365, days_in), reduction),
        ]:
            expected = personal * factor * days / 365
            for _ in range(_poisson(rng, expected)):
                rows["service_use"].append(
                    ServiceUseEvent(
                        person=person,
                        service_type=types[code],
                        occurred_on=start
                        + datetime.timedelta(days=rng.randint(0, max(0, days - 1))),
                        quantity=1,
                        source=rng.choice(["self_reported", "records"]),
                    )
                )
    if engaged and rng.random() < 0.2 and "home_care_week" in types:
        rows["avoided"].append(
            AvoidedDemand(
                person=person,
                service_type=types[
                    rng.choice(
                        ["home_care_week", "emergency_admission", "homelessness_application"]
                    )
                ],
                recorded_on=min(today, first + datetime.timedelta(days=60)),
                what="Support that would otherwise have been arranged",
                why="Neighbours and a group now give the help that was missing.",
                evidence="Discussed with the social worker.",
                confidence=rng.randint(2, 5),
            )
        )
    if rng.random() < 0.1:
        rows["needs"].append(
            UnmetNeed(
                person=person,
                description=rng.choice(NEEDS),
                area_code=person.patch_code,
                recorded_on=min(today, first),
            )
        )
    rows["consents"].append(
        ConsentRecord(
            person=person,
            lawful_basis="public_task",
            given_on=introduced,
            method="verbal",
            recorded_by=coordinator,
            special_category_condition="Art. 9(2)(h) health or social care",
            information_given="What Local Area Coordination records, why, who sees it, and how "
            "long it is kept; that they can ask for a copy or for it to be erased.",
            purposes=["direct_care", "evaluation"] if rng.random() < 0.4 else [],
        )
    )
    if days_in > 240 and rng.random() < 0.45:
        closed = min(today, introduced + datetime.timedelta(days=rng.randint(200, days_in)))
        intro.status, intro.closed_on, intro.next_review_on = (
            IntroductionStatus.CLOSED,
            closed,
            None,
        )
        intro.closure_reason = rng.choice(
            ["goals_met", "goals_met", "declined", "moved", "no_contact"]
        )
        person.status = PersonStatus.CLOSED
        person.closed_at = timezone.make_aware(datetime.datetime.combine(closed, datetime.time(12)))
        for connection in rows["connections"]:
            if connection.person is person:
                connection.follow_up_on = None


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small means here.
    import math

    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _counts() -> dict[str, int]:
    demo = Person.objects.filter(reference__startswith=REFERENCE_PREFIX)
    return {
        "casework people": demo.count(),
        "casework contacts": Contact.objects.filter(person__in=demo).count(),
        "casework service use events": ServiceUseEvent.objects.filter(person__in=demo).count(),
    }
