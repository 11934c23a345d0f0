"""The demo place's evidence: the Sutton Local Area Coordination programme with its costs, a
forecast for the last full financial year, and a forecast and an evaluative report whose figures
trace back to the demo case-work records."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from .models import EvidenceReport, Programme, ReportKind, ServiceType
from .services import (
    ForecastLineData,
    evidence_report_create,
    forecast_create,
    programme_cost_add,
    programme_create,
)

PROGRAMME = "Local Area Coordination in Sutton"
CASEWORK_ORGANISATION = "Sutton Council Adult Social Care"
DISTRICT = "E09000029"  # London Borough of Sutton

# (kind, description, amount a year, price year): a small team, priced as a council would.
COSTS_A_YEAR = [
    ("staff", "3 local area coordinator posts (salary and on-costs)", Decimal(130_500), 2024),
    ("staff", "Half a team manager post", Decimal(31_000), 2024),
    ("overhead", "Management, premises, IT and travel (15% of staff)", Decimal(24_225), 2024),
    ("in_kind", "Rooms for drop-ins given free by community centres", Decimal(6_500), 2024),
]

# Expected events avoided per person per year (low, expected, high): the team's own planning
# figures, set before the year, so forecast and actual can differ.
FORECAST_LINES = {
    "ae_attendance": ("0.10", "0.30", "0.50"),
    "emergency_admission": ("0.03", "0.10", "0.20"),
    "gp_appointment": ("0.30", "1.00", "1.50"),
    "police_callout": ("0.00", "0.08", "0.15"),
    "mental_health_crisis_contact": ("0.02", "0.10", "0.20"),
}


def _financial_year_start(day: dt.date) -> dt.date:
    return dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def demo_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last full financial year that ended at least six months ago (so everyone in it has
    been followed for six months or more)."""
    end = _financial_year_start(today - dt.timedelta(days=183)) - dt.timedelta(days=1)
    return _financial_year_start(end), end


def demo_evidence_load(*, seed: int) -> dict[str, int]:
    from placebase.accounts.models import Organisation
    from placebase.places.models import Area, Level

    programme = Programme.objects.filter(name=PROGRAMME).first()
    if programme is None:
        programme = programme_create(
            actor=None,
            name=PROGRAMME,
            description="Coordinators walking alongside residents of their patches.",
            organisation=Organisation.objects.filter(name=CASEWORK_ORGANISATION).first(),
        )
    today = timezone.localdate()
    start, end = demo_period(today)
    if not programme.costs.exists():
        first = start - dt.timedelta(days=365)
        years = 3
        for kind, description, amount, price_year in COSTS_A_YEAR:
            programme_cost_add(
                actor=None,
                programme=programme,
                kind=kind,
                description=description,
                amount=amount * years,
                price_year=price_year,
                starts_on=first,
                ends_on=dt.date(first.year + years, 3, 31),
            )
    if not programme.forecasts.exists():
        types = {t.code: t for t in ServiceType.objects.filter(code__in=FORECAST_LINES)}
        forecast_create(
            actor=None,
            programme=programme,
            area=None,
            period_start=start,
            period_end=end,
            people=150,
            life_satisfaction_change=Decimal("0.8"),
            lines=[
                ForecastLineData(types[code], Decimal(mid), Decimal(low), Decimal(high))
                for code, (low, mid, high) in FORECAST_LINES.items()
                if code in types
            ],
            assumptions_note="The team's planning figures for the year, from the first pilot.",
        )
    forecast = programme.forecasts.order_by("created_at").first()
    if not EvidenceReport.objects.filter(programme=programme).exists():
        # The evaluative report covers the borough, the place Whole Place shows first.
        borough = Area.objects.filter(
            boundary_set__level=Level.DISTRICT, boundary_set__is_active=True, code=DISTRICT
        ).first()
        price_year = 2025  # 2025-26 prices, the latest the deflator gives
        evidence_report_create(
            actor=None,
            kind=ReportKind.FORECAST,
            programme=programme,
            area=None,
            period_start=start,
            period_end=end,
            price_year=price_year,
            forecast=forecast,
        )
        evidence_report_create(
            actor=None,
            kind=ReportKind.EVALUATIVE,
            programme=programme,
            area=borough,
            period_start=start,
            period_end=end,
            price_year=price_year,
        )
    return {
        "evidence programmes": Programme.objects.count(),
        "evidence reports": EvidenceReport.objects.filter(programme=programme).count(),
    }
