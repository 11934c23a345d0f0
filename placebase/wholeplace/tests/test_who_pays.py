"""Who pays, who benefits: contributions by agency beside costs avoided by agency."""

from datetime import date
from decimal import Decimal

import pytest

from placebase.core.money import Money
from placebase.evidence.sroi import AgencyLine
from placebase.wholeplace import services
from placebase.wholeplace.errors import BenefitsInvalid, PriceYearsDiffer
from placebase.wholeplace.models import BenefitFigure, EntryKind
from placebase.wholeplace.selectors import who_pays_who_benefits

pytestmark = pytest.mark.django_db

PERIOD = {"period_start": date(2025, 4, 1), "period_end": date(2026, 3, 31)}


def contribute(fund, agency, amount, on=date(2025, 5, 1)):  # type: ignore[no-untyped-def]
    return services.ledger_entry_record(
        fund=fund,
        kind=EntryKind.CONTRIBUTION,
        agency=agency,
        amount=Decimal(amount),
        occurred_on=on,
    )


@pytest.fixture
def contributions(fund, world):  # type: ignore[no-untyped-def]
    contribute(fund, world.council, "80000")
    contribute(fund, world.housing_dept, "20000")  # a council department: the council's pocket
    contribute(fund, world.nhs, "60000")
    wrong = contribute(fund, world.nhs, "9999")
    services.ledger_entry_reverse(entry=wrong, reason="Keyed in error")


def test_join_with_costs_avoided_from_the_evidence_engine(contributions, geography):
    avoided = {
        "nhs": Money(Decimal("240000"), 2025),
        "police": Money(Decimal("30000"), 2025),
        "council": Money(Decimal("50000"), 2025),
    }
    report = who_pays_who_benefits(
        area=geography.district, price_year=2025, costs_avoided_by_agency=avoided, **PERIOD
    )
    rows = {r.cost_bearer: r for r in report.rows}
    assert rows["council"].contributed.amount == Decimal("100000")
    assert [a.code for a, _ in rows["council"].agencies] == ["sutton-council", "sutton-housing"]
    assert rows["council"].net.amount == Decimal("-50000")
    assert rows["council"].avoided_per_pound == Decimal("0.50")
    assert rows["nhs"].contributed.amount == Decimal("60000")  # the reversal cancels 9,999
    assert rows["nhs"].avoided_per_pound == Decimal("4.00")
    assert rows["police"].contributed.amount == 0 and rows["police"].avoided_per_pound is None
    assert report.contributed.amount == Decimal("160000")
    assert report.costs_avoided.amount == Decimal("320000")
    assert [r.cost_bearer for r in report.wrong_pocket] == ["council"]


def test_other_places_and_periods_are_left_out(contributions, fund, world, geography):
    contribute(fund, world.council, "1000", on=date(2026, 3, 31))
    report = who_pays_who_benefits(
        area=geography.other_district, price_year=2025, costs_avoided_by_agency={}, **PERIOD
    )
    assert report.contributed.amount == 0
    report = who_pays_who_benefits(
        area=geography.district,
        price_year=2025,
        costs_avoided_by_agency={},
        period_start=date(2025, 4, 1),
        period_end=date(2025, 12, 31),
    )
    assert report.contributed.amount == Decimal("160000")


def test_recorded_benefit_figures_from_an_sroi_run(contributions, geography):
    lines = [
        AgencyLine(agency="nhs", present_value=Decimal("120000.40"), share=Decimal("0.6")),
        AgencyLine(agency="council", present_value=Decimal("80000.10"), share=Decimal("0.4")),
    ]
    amounts = services.benefits_from_agency_lines(lines, price_year=2025)
    services.benefit_figures_record(
        source_reference="SROI run 7", area=geography.district, amounts=amounts, **PERIOD
    )
    report = who_pays_who_benefits(area=geography.district, price_year=2025, **PERIOD)
    rows = {r.cost_bearer: r for r in report.rows}
    assert rows["nhs"].costs_avoided.amount == Decimal("120000.40")
    assert rows["council"].costs_avoided.amount == Decimal("80000.10")
    assert report.sources == ["SROI run 7"]
    # Recording the same run again replaces its figures rather than adding to them.
    services.benefit_figures_record(
        source_reference="SROI run 7",
        area=geography.district,
        amounts={"nhs": Money(Decimal("1"), 2025)},
        **PERIOD,
    )
    assert BenefitFigure.objects.count() == 1


def test_price_years_must_agree_or_be_uprated(contributions, geography):
    avoided = {"nhs": Money(Decimal("100000"), 2019)}
    with pytest.raises(PriceYearsDiffer):
        who_pays_who_benefits(
            area=geography.district, price_year=2025, costs_avoided_by_agency=avoided, **PERIOD
        )
    index = {2019: Decimal("100"), 2025: Decimal("125")}
    report = who_pays_who_benefits(
        area=geography.district,
        price_year=2025,
        price_index=index,
        costs_avoided_by_agency=avoided,
        **PERIOD,
    )
    nhs = next(r for r in report.rows if r.cost_bearer == "nhs")
    assert nhs.costs_avoided.amount == Decimal("125000")


def test_bad_benefit_figures_are_refused(geography):
    with pytest.raises(BenefitsInvalid):
        services.benefit_figures_record(
            source_reference="x", amounts={"santa": Money(1, 2025)}, **PERIOD
        )
    with pytest.raises(BenefitsInvalid):
        services.benefit_figures_record(
            source_reference="x", amounts={"nhs": Money(Decimal(-1), 2025)}, **PERIOD
        )
    with pytest.raises(BenefitsInvalid):
        services.benefit_figures_record(source_reference=" ", amounts={}, **PERIOD)
    assert not BenefitFigure.objects.exists()
