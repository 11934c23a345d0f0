import pytest

from placebase.volunteering.models import (
    HoursEntry,
    HoursStatus,
    Opportunity,
    OpportunityKind,
    Site,
)
from placebase.volunteering.selectors import volunteer_hours_value
from placebase.volunteering.services import demo_volunteering_load

pytestmark = pytest.mark.django_db


def test_demo_loads_sutton_volunteering_once():
    first = demo_volunteering_load(seed=7)
    assert first["volunteers"] == 80
    reading = Opportunity.objects.get(kind=OpportunityKind.PLACEMENT)
    assert Site.objects.filter(opportunity=reading).count() == 10
    assert reading.pledges.filter(status="confirmed").count() == 50
    assert Opportunity.objects.filter(kind=OpportunityKind.MICRO, duration_minutes=15).count() == 4
    assert Opportunity.objects.filter(kind=OpportunityKind.EVENT_ROLE).exists()
    assert HoursEntry.objects.filter(status=HoursStatus.LOGGED).exists()  # some to verify
    assert first["badges_awarded"] > 0 and first["celebration_invitations"] > 0
    assert all(o.postcode.startswith("SM") for o in Opportunity.objects.all())
    assert volunteer_hours_value().central.amount > 0
    assert demo_volunteering_load(seed=7) == first
