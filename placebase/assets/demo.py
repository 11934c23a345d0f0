"""The demo directory for Sutton: a few hundred fictional listings of every kind, people's
gifts, connectors, community projects at every stage, and unmet needs.

Everything is generated from a seed, so every machine gets the same demo, and every record has
a stable id, so loading it again changes nothing. Listings sit at real Sutton postcodes (ONS
NSPL, `data/demo_postcodes.csv`); the groups, people and projects are made up.
"""

import csv
import datetime as dt
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from faker import Faker

from placebase.core.errors import ValidationFailed

from . import models as m
from . import services

NAMESPACE = uuid.UUID("0f6a3e52-8b1f-4a59-9d8e-5c1e2f7a9b30")
DATA = Path(__file__).resolve().parent / "data" / "demo_postcodes.csv"
COUNCIL = "London Borough of Sutton"


def _id(kind: str, key: Any) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{kind}:{key}")


CATEGORIES: dict[str, list[str]] = {
    "Health and wellbeing": [
        "Mental health",
        "Physical activity",
        "Carers' support",
        "Long-term conditions",
    ],
    "Social and community": ["Lunch clubs", "Befriending", "Faith groups", "Community centres"],
    "Learning and skills": ["Digital skills", "English language (ESOL)", "Adult learning"],
    "Arts and creativity": ["Crafts", "Music and singing", "Drama"],
    "Food": ["Food banks", "Community meals", "Growing food"],
    "Children and families": ["Parent and toddler", "Youth clubs"],
    "Money and work": ["Debt advice", "Employment support"],
    "Green space and environment": ["Parks", "Allotments", "Gardening"],
    "Sport": ["Football", "Walking", "Swimming"],
    "Housing": ["Housing advice"],
    "Older people": [],
    "Volunteering": [],
}

NEIGHBOURHOODS = [
    "Sutton",
    "Carshalton",
    "Wallington",
    "Cheam",
    "Belmont",
    "Hackbridge",
    "Rosehill",
    "St Helier",
    "Worcester Park",
    "Beddington",
    "Roundshaw",
    "Sutton Common",
    "Benhilton",
    "Stonecot",
    "The Wrythe",
    "Carshalton Beeches",
    "North Cheam",
    "Sutton South",
]
STREETS = [
    "High Street",
    "Church Road",
    "Station Road",
    "Manor Road",
    "Park Lane",
    "Grove Road",
    "Stanley Road",
    "Westmead Road",
    "Green Wrythe Lane",
    "Cheam Road",
    "London Road",
    "Mulgrave Road",
    "Brighton Road",
    "Stafford Road",
    "Woodcote Road",
]


@dataclass(frozen=True)
class Template:
    kind: str
    name: str  # "{place}" is replaced by a neighbourhood
    description: str
    categories: tuple[str, ...]
    free: bool = True
    venue: str = ""


TEMPLATES = [
    Template(
        "group",
        "{place} Knit and Natter",
        "A friendly group that meets to knit, crochet "
        "and chat over tea. Beginners welcome; wool and needles to borrow.",
        ("Crafts", "Older people"),
        venue="{place} Library",
    ),
    Template(
        "group",
        "{place} Walking Group",
        "Gentle led walks of about an hour on local "
        "paths and parks, finishing with a coffee. Walk at your own pace.",
        ("Walking", "Physical activity"),
    ),
    Template(
        "group",
        "{place} Community Choir",
        "A choir for everyone: no auditions and no "
        "need to read music. We sing pop, folk and gospel.",
        ("Music and singing",),
        venue="St Mary's Church Hall, {place}",
    ),
    Template(
        "group",
        "{place} Men's Shed",
        "A workshop where men (and women) share skills in "
        "woodwork and repairs, make things for the community and have a cuppa.",
        ("Crafts", "Mental health"),
        venue="{place} Community Workshop",
    ),
    Template(
        "group",
        "{place} Residents' Association",
        "Residents working together on local "
        "issues: litter picks, planters, summer fair and a monthly newsletter.",
        ("Community centres", "Volunteering"),
    ),
    Template(
        "activity",
        "{place} Lunch Club",
        "A hot two-course lunch and good company for older residents. Transport can be arranged.",
        ("Lunch clubs", "Older people"),
        free=False,
        venue="{place} Methodist Church",
    ),
    Template(
        "activity",
        "{place} Parent and Toddler Group",
        "Play, songs and stories for under fives and a chance for parents and carers to meet.",
        ("Parent and toddler",),
        free=False,
        venue="{place} Children's Centre",
    ),
    Template(
        "activity",
        "{place} Youth Club",
        "Games, sport, cooking and trips for young "
        "people aged 11 to 18, run by trained youth workers.",
        ("Youth clubs",),
        venue="{place} Youth Centre",
    ),
    Template(
        "activity",
        "{place} Chair Yoga",
        "Seated yoga to improve strength, balance and "
        "breathing. Suitable for people with limited mobility.",
        ("Physical activity", "Long-term conditions"),
        free=False,
    ),
    Template(
        "activity",
        "{place} Digital Drop-in",
        "Bring your phone, tablet or laptop and get "
        "help with email, video calls, online forms and staying safe online.",
        ("Digital skills",),
        venue="{place} Library",
    ),
    Template(
        "activity",
        "{place} Conversation Café",
        "Practise your English in a relaxed café. All levels welcome; free tea and biscuits.",
        ("English language (ESOL)", "Adult learning"),
        venue="{place} Library",
    ),
    Template(
        "activity",
        "{place} Walking Football",
        "Football at walking pace for over-50s: no running, no slide tackles, lots of laughs.",
        ("Football", "Older people"),
        free=False,
        venue="{place} Recreation Ground",
    ),
    Template(
        "group",
        "{place} Interfaith Tea",
        "People of all faiths and none meet for tea, conversation and a shared meal each month.",
        ("Faith groups",),
        venue="{place} Friends Meeting House",
    ),
    Template(
        "group",
        "{place} Community Theatre",
        "Acting, set-building and costume-making for a show each spring. No experience needed.",
        ("Drama",),
        venue="{place} Community Centre",
    ),
    Template(
        "activity",
        "{place} Aqua Fit",
        "Gentle exercise in the water, good for joints. Changing Places toilet on site.",
        ("Swimming", "Physical activity"),
        free=False,
        venue="{place} Leisure Centre",
    ),
    Template(
        "service",
        "{place} Housing Advice Drop-in",
        "Advice on renting, repairs, homelessness and housing benefit.",
        ("Housing advice",),
        venue="{place} Civic Offices",
    ),
    Template(
        "service",
        "{place} Food Bank",
        "Emergency food parcels for people in crisis, with "
        "advice on benefits and debt. Referral helps but is not required.",
        ("Food banks",),
        venue="{place} Baptist Church",
    ),
    Template(
        "service",
        "{place} Carers' Café",
        "A monthly café for unpaid carers with information, peer support and someone to listen.",
        ("Carers' support",),
    ),
    Template(
        "service",
        "{place} Money Advice Surgery",
        "Free, confidential advice on debt, benefits and budgeting from trained advisers.",
        ("Debt advice",),
        venue="{place} Community Centre",
    ),
    Template(
        "service",
        "{place} Job Club",
        "Help with CVs, applications and interview practice, and news of local vacancies.",
        ("Employment support",),
        venue="{place} Library",
    ),
    Template(
        "service",
        "{place} Befriending Scheme",
        "Volunteers visit or phone people who are lonely or isolated for a weekly chat.",
        ("Befriending", "Older people"),
    ),
    Template(
        "building",
        "{place} Community Centre",
        "A community centre with a main hall, "
        "meeting rooms and a kitchen, home to many local groups.",
        ("Community centres",),
        free=False,
    ),
    Template(
        "building",
        "{place} Library",
        "Books, computers, study space, children's "
        "activities and information about local services.",
        ("Adult learning", "Digital skills"),
    ),
    Template(
        "room",
        "{place} Scout Hut",
        "A hall for hire with kitchen and toilets, holds 60 people. Evenings and weekends.",
        ("Community centres",),
        free=False,
    ),
    Template(
        "room",
        "St Andrew's Hall, {place}",
        "A church hall for hire for parties, classes "
        "and meetings. Step-free access and a small stage.",
        ("Community centres",),
        free=False,
    ),
    Template(
        "green_space",
        "{place} Recreation Ground",
        "Open grass, a playground, outdoor gym and a café in summer.",
        ("Parks", "Physical activity"),
    ),
    Template(
        "green_space",
        "{place} Allotments",
        "Allotment plots to rent, with a waiting list. "
        "A communal plot welcomes newcomers on Saturdays.",
        ("Allotments", "Growing food"),
        free=False,
    ),
    Template(
        "green_space",
        "{place} Community Garden",
        "A garden run by volunteers where anyone "
        "can help grow vegetables, flowers and friendships.",
        ("Gardening", "Growing food", "Volunteering"),
    ),
    Template(
        "business",
        "{place} Repair Café",
        "A local café that hosts volunteer fixers once a "
        "month: bring broken things and learn to mend them.",
        ("Crafts", "Volunteering"),
        free=False,
    ),
    Template(
        "business",
        "{place} Community Pharmacy",
        "Prescriptions, health checks and advice; a quiet room for private conversations.",
        ("Long-term conditions",),
        free=False,
    ),
    Template(
        "business",
        "{place} Pantry",
        "A membership food club: a weekly shop of groceries for a small fee.",
        ("Community meals", "Food banks"),
        free=False,
    ),
]

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
DAY_NAMES = ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"]

GIFTS = [
    "Can teach basic sewing and alterations",
    "Happy to help with gardening",
    "Plays guitar and could lead a sing-along",
    "Speaks Tamil and can help translate",
    "Retired accountant: can help with budgeting",
    "Loves baking and could run a class",
    "Can fix bikes",
    "Keen photographer",
    "Knows a lot about local history",
    "Good with computers and phones",
    "Can teach chess",
    "Enjoys walking and could lead a walk",
    "Qualified first-aider",
    "Can do simple DIY for neighbours",
    "Speaks Polish",
    "Plays the piano",
    "Good listener, happy to befriend",
    "Can teach knitting",
    "Loves dogs and could walk them",
    "Can help with CVs",
]

PROJECTS = [
    ("Roundshaw Community Fridge", "Sharing surplus food from local shops.", "idea"),
    ("Hackbridge Repair Café", "Volunteer fixers mending things once a month.", "first_gathering"),
    (
        "Rosehill Street Party",
        "An annual street party that grew into a residents' group.",
        "meeting_regularly",
    ),
    (
        "St Helier Memory Café",
        "A welcoming café for people living with dementia and carers.",
        "self_sustaining",
    ),
    ("Wallington Seed Swap", "Swapping seeds and seedlings every spring.", "meeting_regularly"),
    ("Cheam Teen Cooking Club", "Young people cooking for older neighbours.", "ended"),
    (
        "Beddington Wildflower Verges",
        "Residents sowing wildflowers on grass verges.",
        "first_gathering",
    ),
]
STAGE_PATH = ["idea", "first_gathering", "meeting_regularly", "self_sustaining"]

UNMET_NEEDS = [
    ("Mental health", "Young men who will not go to a clinic: nothing local and informal."),
    ("Befriending", "Long waiting list for visiting befrienders."),
    ("English language (ESOL)", "No evening ESOL class for people who work days."),
    ("Carers' support", "Young carers have no group of their own."),
    ("Swimming", "No women-only swimming session."),
    ("Debt advice", "Advice surgery is always full by 10am."),
    ("Youth clubs", "Nothing open on Friday evenings."),
    ("Digital skills", "No help in languages other than English."),
]


def _postcodes() -> list[tuple[str, float, float]]:
    with DATA.open(encoding="utf-8") as handle:
        rows = [line for line in handle if not line.startswith("#")]
    return [(r["postcode"], float(r["lat"]), float(r["lon"])) for r in csv.DictReader(rows)]


def _taxonomy() -> dict[str, m.TaxonomyTerm]:
    taxonomy, _ = m.Taxonomy.objects.get_or_create(
        id=_id("taxonomy", "directory"),
        defaults={
            "name": "Placebase community directory",
            "description": "What a listing offers, broad to narrow.",
            "version": "2026",
        },
    )
    terms: dict[str, m.TaxonomyTerm] = {}
    for parent_name, children in CATEGORIES.items():
        parent, _ = m.TaxonomyTerm.objects.get_or_create(
            id=_id("term", parent_name),
            defaults={"taxonomy": taxonomy, "name": parent_name, "description": parent_name},
        )
        terms[parent_name] = parent
        for child in children:
            terms[child], _ = m.TaxonomyTerm.objects.get_or_create(
                id=_id("term", child),
                defaults={
                    "taxonomy": taxonomy,
                    "parent": parent,
                    "name": child,
                    "description": child,
                },
            )
    return terms


def _providers(rnd: random.Random) -> list[m.DirectoryOrganisation]:
    from placebase.accounts.models import Organisation

    names = [
        "Community Action Sutton",
        "Sutton Carers Centre",
        "Age UK Sutton",
        "Sutton Council Libraries",
        "Sutton Council Parks",
        "Citizens Advice Sutton",
        "Sutton Mental Health Foundation",
        "Sutton Youth Trust",
        "Hackbridge Men's Shed",
        "Wallington Knit and Natter",
        "Roundshaw Community Garden Group",
        "Carshalton Beeches Walking Group",
        "St Helier Youth Football Club",
        "Sutton Churches Together",
        "Sutton Food Alliance",
    ]
    out = []
    for name in names:
        org, created = m.DirectoryOrganisation.objects.get_or_create(
            id=_id("provider", name),
            defaults={
                "name": name,
                "description": f"{name} runs services and groups in the London Borough of Sutton.",
                "search_name": name.lower(),
            },
        )
        linked = Organisation.objects.filter(name=name).first()
        if linked is not None and org.account_organisation_id != linked.id:
            org.account_organisation = linked  # a demo provider has claimed it
            org.save(update_fields=["account_organisation"])
        out.append(org)
    return out


def _asset_values(
    i: int,
    rnd: random.Random,
    terms: dict[str, m.TaxonomyTerm],
    postcodes: list[tuple[str, float, float]],
) -> tuple[Template, dict[str, Any]]:
    template = TEMPLATES[i % len(TEMPLATES)]
    place = NEIGHBOURHOODS[(i // len(TEMPLATES) + i) % len(NEIGHBOURHOODS)]
    postcode, lat, lon = postcodes[rnd.randrange(len(postcodes))]
    features = rnd.sample(list(m.AccessFeature.values), rnd.randint(0, 4))
    capacity = rnd.choice([None, 15, 20, 30, 40, 60, 80, 120])
    values: dict[str, Any] = {
        "name": template.name.format(place=place),
        "kind": template.kind,
        "description": template.description,
        "status": "temporarily closed" if i % 97 == 13 else "active",
        "is_free": template.free,
        "fees": ""
        if template.free
        else rnd.choice(["£2 a session", "£3.50 including lunch", "£15 an hour", "£5 a month"]),
        "location_name": template.venue.format(place=place) if template.venue else "",
        "address_1": f"{rnd.randint(1, 240)} {rnd.choice(STREETS)}",
        "city": place if place not in {"Sutton Common", "Sutton South"} else "Sutton",
        "postcode": postcode,
        "latitude": lat,
        "longitude": lon,
        "transportation": rnd.choice(
            [
                "Buses 80, 151 and 154 stop nearby.",
                "Ten minutes' walk from the station.",
                "Free parking on site; bus 407 stops outside.",
                "",
            ]
        ),
        "phone": f"020 8{rnd.randint(100, 999)} {rnd.randint(1000, 9999)}",
        "email": f"hello{i}@example.org",
        "url": f"https://example.org/sutton/{i}",
        "term_ids": [str(terms[c].id) for c in template.categories],
        "access_features": features,
        "capacity": capacity,
        "usage": rnd.choice(
            ["spare", "spare", "about_right", "about_right", "over_used", "unknown"]
        ),
        "custodian": rnd.choice(
            ["Volunteer committee", "Sutton Council", "Parish church", "Management committee", ""]
        ),
        "formality": "informal" if template.kind in {"group", "activity"} and i % 3 else "formal",
        "legal_form": rnd.choice(["unincorporated", "charity", "cio", "none"])
        if template.kind in {"group", "activity", "service"}
        else "",
        "service_area_codes": ["E09000029"] if template.kind == "service" and i % 4 == 0 else [],
    }
    if template.kind in {"building", "green_space"} and i % 5 == 0:
        listed = dt.date(2023, 1, 1) + dt.timedelta(days=rnd.randint(0, 900))
        values.update(
            acv_listed=True,
            acv_listed_on=listed.isoformat(),
            acv_expires_on=listed.replace(year=listed.year + 5).isoformat(),
            acv_nominated_by=f"{place} Residents' Association",
        )
    return template, values


@transaction.atomic
def load(*, seed: int, count: int = 324) -> dict[str, int]:
    rnd = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    postcodes = _postcodes()
    terms = _taxonomy()
    providers = _providers(rnd)
    now = timezone.now()
    for i in range(count):
        template, values = _asset_values(i, rnd, terms, postcodes)
        asset_id = _id("asset", i)
        day = rnd.randrange(7)
        opens = dt.time(rnd.choice([9, 10, 10, 13, 14, 18, 19]), rnd.choice([0, 30]))
        age_days = rnd.choice([10, 30, 60, 90, 120, 150, 250, 300]) if i % 9 else 400
        if m.Asset.objects.filter(pk=asset_id).exists():
            continue
        provider = providers[i % len(providers)] if i % 3 else None
        asset = services.asset_create(
            actor=None,
            values=values,
            provider=provider,
            asset_id=asset_id,
            organisation=provider.account_organisation if provider else None,
            reviewed_at=now - dt.timedelta(days=age_days),
        )
        m.Schedule.objects.create(
            id=_id("schedule", i),
            asset=asset,
            freq="WEEKLY",
            interval=1,
            byday=DAYS[day],
            opens_at=opens,
            closes_at=(dt.datetime.combine(dt.date.today(), opens) + dt.timedelta(hours=2)).time(),
            description=f"{DAY_NAMES[day]}, {_clock(opens)} for two hours",
        )
        if not template.free:
            m.CostOption.objects.create(
                id=_id("cost", i),
                asset=asset,
                option="Standard",
                amount=Decimal(rnd.choice(["2.00", "3.50", "15.00"])),
                amount_description=values["fees"],
            )
    gifts = _gifts(fake, rnd, postcodes, terms)
    projects = _projects(rnd, terms)
    needs = _needs(rnd, terms)
    return {
        "assets": m.Asset.objects.count(),
        "gifts": gifts,
        "projects": projects,
        "unmet_needs": needs,
        "taxonomy_terms": len(terms),
    }


def _clock(value: dt.time) -> str:
    hour = value.hour % 12 or 12
    minutes = f".{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


def _gifts(
    fake: Faker,
    rnd: random.Random,
    postcodes: list[tuple[str, float, float]],
    terms: dict[str, m.TaxonomyTerm],
) -> int:
    for i, text in enumerate(GIFTS):
        name = fake.name()  # drawn every time so names stay stable
        if m.Gift.objects.filter(description=text).exists():
            continue
        postcode = postcodes[rnd.randrange(len(postcodes))][0]
        try:
            services.gift_record(
                actor=None,
                person_name=name,
                description=text,
                postcode=postcode,
                consent_statement="Agreed to share this gift with neighbours through a "
                "community connector; shown publicly without name or address.",
                show_publicly=i % 5 != 0,
                kind=rnd.choice(list(m.GiftKind.values)),
            )
        except ValidationFailed:  # the postcode is unknown to this machine's places data
            services.gift_record(
                actor=None,
                person_name=name,
                description=text,
                consent_statement="Agreed to share this gift with neighbours.",
                show_publicly=i % 5 != 0,
            )
    return m.Gift.objects.count()


def _projects(rnd: random.Random, terms: dict[str, m.TaxonomyTerm]) -> int:
    for i, (name, description, stage) in enumerate(PROJECTS):
        if m.CommunityProject.objects.filter(name=name).exists():
            continue
        place = name.split()[0]
        connector, _ = m.Connector.objects.get_or_create(
            id=_id("connector", place),
            defaults={"display_name": f"{place} connector", "area_name": place},
        )
        vision, _ = m.VisioningExercise.objects.get_or_create(
            id=_id("vision", place),
            defaults={
                "title": f"What could {place} do together?",
                "held_on": dt.date(2025, 9, 1) + dt.timedelta(days=20 * i),
                "area_name": place,
                "facilitator": connector,
                "participants": rnd.randint(8, 40),
            },
        )
        project = services.project_create(
            actor=None,
            name=name,
            description=description,
            area_name=place,
            connector=connector,
            visioning_exercise=vision,
            asset_ids=list(
                m.Asset.objects.filter(name__startswith=place).values_list("id", flat=True)[:2]
            ),
        )
        project_id = project.id
        project.people_involved = rnd.randint(3, 40)
        project.save(update_fields=["people_involved"])
        path = (
            STAGE_PATH[1 : STAGE_PATH.index(stage) + 1]
            if stage != "ended"
            else ["first_gathering", "meeting_regularly", "ended"]
        )
        for step in path:
            services.project_stage_advance(
                actor=None,
                project_id=project_id,
                to_stage=step,
                on=dt.date(2025, 10, 1) + dt.timedelta(days=30 * i),
            )
        if stage in {"meeting_regularly", "self_sustaining", "ended"}:
            services.project_grant_record(
                actor=None,
                project_id=project_id,
                funder="Sutton Community Fund",
                amount=rnd.choice(["250", "500", "750", "1000"]),
                price_year=2025,
                awarded_on=dt.date(2025, 11, 1),
                purpose="Start-up costs",
            )
    return m.CommunityProject.objects.count()


def _needs(rnd: random.Random, terms: dict[str, m.TaxonomyTerm]) -> int:
    # The wards the places engine put the demo listings in; 2021 codes if it has no wards.
    wards = sorted(
        set(m.Location.objects.exclude(ward_code="").values_list("ward_code", "ward_name"))
    )[:6] or [("E05000555", ""), ("E05000564", ""), ("E05000559", ""), ("E05000566", "")]
    for i, (theme, note) in enumerate(UNMET_NEEDS):
        if m.UnmetNeed.objects.filter(note=note).exists():
            continue
        code, name = wards[i % len(wards)]
        services.unmet_need_record(
            actor=None, area_code=code, area_name=name, term_id=terms[theme].id, note=note
        )
    return m.UnmetNeed.objects.count()
