"""Total Place: spend import (validation, atomicity, idempotence) and spend per head,
checked against figures worked out by hand."""

from decimal import Decimal

import pytest

from placebase.core.models import AuditEvent
from placebase.wholeplace import services
from placebase.wholeplace.errors import SpendFileRejected
from placebase.wholeplace.models import SpendImport, SpendLine
from placebase.wholeplace.selectors import spend_breakdown, spend_per_head_children

pytestmark = pytest.mark.django_db

SPEND_CSV = """agency,area_code,level,theme,period_start,period_end,amount,price_year
sutton-council,E05000001,,housing,2025-04-01,2026-03-31,1000.00,2025
swl-icb,E05000002,ward,health,2025-04-01,2025-06-30,3000,2025
Met Police,E05000003,,Community safety,2025-07-01,2025-09-30,250.00,2025
sutton-council,E01000001,lsoa,housing,2025-04-01,2026-03-31,400,2025
sutton-council,E09000029,,housing,2025-04-01,2026-03-31,700,2025
swl-icb,E05000001,,health,2024-04-01,2025-03-31,500,2024
"""


@pytest.fixture
def imported(world, geography, manager):  # type: ignore[no-untyped-def]
    return services.spend_import_csv(text=SPEND_CSV, filename="spend.csv", user=manager)


def test_spend_per_head_for_every_ward_matches_hand_figures(imported, geography):
    assert (imported.added, imported.skipped) == (6, 0)
    table = spend_per_head_children(parent=geography.district, financial_year=2025)
    rows = {r.area.code: (r.total, r.population, r.per_head) for r in table.rows}
    # Ward A: 1,000 + half of the straddling LSOA's 400 = 1,200 for 1,000 people.
    assert rows["E05000001"] == (Decimal("1200.00"), 1000, Decimal("1.20"))
    assert rows["E05000002"] == (Decimal("3200.00"), 2000, Decimal("1.60"))
    assert rows["E05000003"] == (Decimal("250.00"), 500, Decimal("0.50"))
    # Spent across the district as a whole: shown, not shared out to wards.
    assert table.unattributed == Decimal("700.00")
    assert table.parent_total.total == Decimal("5350.00")
    assert table.parent_total.per_head == Decimal("1.53")
    assert table.price_years == [2025]
    assert table.bands[geography.wards[1].pk] > table.bands[geography.wards[2].pk]


def test_spend_per_head_over_all_years_and_mixed_price_years(imported, geography):
    table = spend_per_head_children(parent=geography.district)
    ward_a = next(r for r in table.rows if r.area.code == "E05000001")
    assert ward_a.total == Decimal("1700.00")
    assert table.mixed_price_years


def test_spend_by_agency_and_theme(imported, geography):
    breakdown = spend_breakdown(area=geography.wards[0], financial_year=2025)
    assert [(a.code, t, h) for a, t, h in breakdown.by_agency] == [
        ("sutton-council", Decimal("1200.00"), Decimal("1.20"))
    ]
    breakdown = spend_breakdown(area=geography.wards[0])
    assert {t.code: total for t, total, _ in breakdown.by_theme} == {
        "housing": Decimal("1200.00"),
        "health": Decimal("500.00"),
    }


def test_spend_import_is_idempotent(imported, world, manager):
    again = services.spend_import_csv(text=SPEND_CSV, user=manager)
    assert (again.added, again.skipped) == (0, 6)
    assert SpendLine.objects.count() == 6
    # One new line in an otherwise repeated file: only it is added.
    more = SPEND_CSV + "swl-icb,E05000002,,health,2025-04-01,2025-06-30,3000,2025\n"
    result = services.spend_import_csv(text=more, user=manager)
    assert (result.added, result.skipped) == (1, 6)
    # The repeat that added nothing left no batch and no log entry; the other two did.
    assert AuditEvent.objects.filter(verb="wholeplace.spend.import").count() == 2
    assert SpendImport.objects.count() == 2


def test_spend_import_reports_bad_rows_by_line_and_writes_nothing(world, geography):
    text = """agency,area_code,theme,period_start,period_end,amount
sutton-council,E05000001,housing,2025-04-01,2026-03-31,1000.00
dwp,E05000001,housing,2025-04-01,2026-03-31,10
sutton-council,E05999999,parks,2025-04-01,2026-03-31,10
sutton-council,E05000001,housing,2025-04-01,2026-04-30,10
sutton-council,E05000001,housing,2025-06-01,2025-05-01,ten pounds
sutton-council,E05000001,housing,01/06/2025,2025-07-01,10
"""
    with pytest.raises(SpendFileRejected) as error:
        services.spend_import_csv(text=text)
    assert error.value.code == "wholeplace.spend_file_rejected"
    problems = {p["line"]: " | ".join(p["reasons"]) for p in error.value.details["problems"]}
    assert sorted(problems) == [3, 4, 5, 6, 7]
    assert "'dwp' is not a known agency" in problems[3]
    assert "'E05999999' is not a known area" in problems[4]
    assert "'parks' is not a known theme" in problems[4]
    assert "crosses a financial year" in problems[5]
    assert "period_end is before period_start" in problems[6]
    assert "not an amount of money" in problems[6]
    assert "not a date" in problems[7]
    assert not SpendLine.objects.exists()
    assert not SpendImport.objects.exists()


def test_spend_import_rejects_a_file_without_its_columns(world):
    with pytest.raises(SpendFileRejected) as error:
        services.spend_import_csv(text="agency,amount\nsutton-council,5\n")
    reason = error.value.details["problems"][0]["reasons"][0]
    assert "area_code" in reason and "theme" in reason
    assert not SpendLine.objects.exists()


def test_ambiguous_area_codes_need_a_level(world, geography):
    from placebase.places.models import BoundarySet, Level

    from .conftest import make_area

    other_set = BoundarySet.objects.create(level=Level.PATCH, vintage=2024, name="Patches")
    make_area(other_set, "E05000001", "A patch with a clashing code", (0, 0, 1, 1))
    text = (
        "agency,area_code,theme,period_start,period_end,amount\n"
        "sutton-council,E05000001,housing,2025-04-01,2026-03-31,10\n"
    )
    with pytest.raises(SpendFileRejected, match="problems") as error:
        services.spend_import_csv(text=text)
    assert "ambiguous" in error.value.details["problems"][0]["reasons"][0]
    result = services.spend_import_csv(
        text=text.replace("area_code,", "area_code,level,").replace("E05000001,", "E05000001,ward,")
    )
    assert result.added == 1


def test_totals_kept_at_import_match_the_lines(imported, world, geography):
    from placebase.wholeplace.models import SpendTotal

    kept = sorted(
        SpendTotal.objects.values_list("area_id", "financial_year", "amount_pence", "lines")
    )
    # A second line for an existing total adds to it rather than making a new one.
    services.spend_import_csv(
        text="agency,area_code,theme,period_start,period_end,amount\n"
        "sutton-council,E05000001,housing,2025-04-01,2025-04-30,0.50\n"
    )
    assert SpendTotal.objects.count() == len(kept)
    after = sorted(
        SpendTotal.objects.values_list("area_id", "financial_year", "amount_pence", "lines")
    )
    assert services.spend_totals_rebuild() == len(kept)
    assert (
        sorted(SpendTotal.objects.values_list("area_id", "financial_year", "amount_pence", "lines"))
        == after
    )
    for year in (2025, None):
        from_totals = spend_per_head_children(parent=geography.district, financial_year=year)
        from_lines = spend_per_head_children(
            parent=geography.district, financial_year=year, from_lines=True
        )
        assert [(r.total, r.per_head) for r in from_totals.rows] == [
            (r.total, r.per_head) for r in from_lines.rows
        ]
        assert from_totals.unattributed == from_lines.unattributed
