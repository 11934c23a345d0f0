"""A tiny world of case-work records for evidence tests (see test_records.py for the sums)."""

import datetime as dt
import itertools
from decimal import Decimal

from placebase.accounts.models import OrganisationKind
from placebase.casework.models import (
    Assessment,
    Instrument,
    Introduction,
    Person,
    ServiceUseEvent,
)
from placebase.evidence import services
from placebase.evidence.models import ServiceType, UnitCost, UnitCostShare
from placebase.factories import OrganisationFactory

D = Decimal
PERIOD = (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
AS_OF = dt.date(2026, 6, 30)
INTRODUCED = dt.date(2025, 5, 1)
_refs = itertools.count(1)


def make_world():
    services.service_types_load_starter()
    org = OrganisationFactory(name="Sutton LAC", kind=OrganisationKind.COUNCIL)
    ae = ServiceType.objects.get(code="ae_attendance")
    admission = ServiceType.objects.get(code="emergency_admission")
    UnitCost.objects.filter(service_type__in=[ae, admission]).delete()
    for service_type, value, code in ((ae, 100, "t-ae"), (admission, 1000, "t-adm")):
        cost = UnitCost.objects.create(
            code=code,
            version=1,
            service_type=service_type,
            item=service_type.label,
            unit="event",
            value=D(value),
            value_price_year=2024,
            confidence_grade=1,
            source="test",
            licence="test",
            content_hash=code,
        )
        UnitCostShare.objects.create(unit_cost=cost, agency="nhs", share=D(1))
    programme = services.programme_create(actor=None, name="LAC", organisation=org)
    services.programme_cost_add(
        actor=None,
        programme=programme,
        kind="staff",
        description="Coordinator",
        amount=D(1000),
        price_year=2024,
        starts_on=dt.date(2025, 4, 1),
        ends_on=dt.date(2026, 3, 31),
    )
    return {"org": org, "ae": ae, "admission": admission, "programme": programme}


def person(world, *, supported=True, introduced=INTRODUCED):
    p = Person.objects.create(
        reference=f"T{next(_refs):05d}",
        organisation=world["org"],
        first_name="Test",
        last_name="Person",
    )
    Introduction.objects.create(
        person=p,
        organisation=world["org"],
        source="gp",
        introduced_on=introduced,
        reason="test",
        first_conversation_on=introduced + dt.timedelta(days=7) if supported else None,
    )
    return p


def events(p, service_type, *days_from_introduction, introduced=INTRODUCED):
    for days in days_from_introduction:
        ServiceUseEvent.objects.create(
            person=p,
            service_type=service_type,
            occurred_on=introduced + dt.timedelta(days=days),
            source="records",
        )


def life_satisfaction(p, *scores):
    version = Instrument.objects.get(code="ons4").versions.get(number=1)
    for i, score in enumerate(scores):
        Assessment.objects.create(
            person=p,
            instrument_version=version,
            occasion="introduction" if i == 0 else "review",
            recorded_on=INTRODUCED + dt.timedelta(days=7 + 90 * i),
            answers={"life_satisfaction": score},
        )
