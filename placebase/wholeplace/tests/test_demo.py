"""The demo loader: builds every part of the whole-place demo, and is idempotent."""

import pytest

from placebase.core.errors import ValidationFailed
from placebase.wholeplace.models import Involvement, LedgerEntry, SpendLine
from placebase.wholeplace.selectors import (
    consistency_gaps,
    fund_list,
    fund_summary,
    spend_per_head_children,
    who_pays_who_benefits,
)
from placebase.wholeplace.services import demo_wholeplace_load

pytestmark = pytest.mark.django_db


def test_demo_needs_the_demo_place():
    with pytest.raises(ValidationFailed) as error:
        demo_wholeplace_load(seed=1)
    assert error.value.code == "wholeplace.demo_needs_places"


def test_demo_loads_everything_once(geography):
    from datetime import date

    first = demo_wholeplace_load(seed=7)
    assert first["agencies"] == 11
    assert first["spend lines added"] == first["spend lines"] > 0
    assert first["involvements added"] > 0
    counts = (SpendLine.objects.count(), LedgerEntry.objects.count(), Involvement.objects.count())
    second = demo_wholeplace_load(seed=7)
    assert second["spend lines added"] == 0 and second["ledger entries added"] == 0
    assert second["involvements added"] == 0
    assert counts == (
        SpendLine.objects.count(),
        LedgerEntry.objects.count(),
        Involvement.objects.count(),
    )
    summary = fund_summary(fund=fund_list().get())
    assert summary.contributions.amount == 1_340_000  # the keyed-twice 48,000 is reversed
    assert summary.spend.amount > 0
    table = spend_per_head_children(parent=geography.district, financial_year=2025)
    assert all(row.per_head and row.per_head > 0 for row in table.rows)
    report = who_pays_who_benefits(
        area=geography.district,
        price_year=2025,
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
    )
    assert {r.cost_bearer for r in report.rows} >= {"nhs", "council", "police"}
    gaps = consistency_gaps()
    assert {a.code for a in gaps.departments_not_involved} >= {
        "sutton-childrens",
        "sutton-libraries",
    }
    assert {t.code for t in gaps.themes_uncovered} == {
        "children-families",
        "community-safety",
        "employment",
    }
