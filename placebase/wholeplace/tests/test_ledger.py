"""The pooled-fund ledger: append-only, reversals, balances, and its CSV import."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from placebase.core.models import AuditEvent
from placebase.core.money import Money
from placebase.wholeplace import services
from placebase.wholeplace.errors import (
    AlreadyReversed,
    EntryInvalid,
    LedgerFileRejected,
)
from placebase.wholeplace.models import EntryKind, LedgerEntry, LedgerImmutable
from placebase.wholeplace.selectors import fund_summary

pytestmark = pytest.mark.django_db


def record(fund, agency, kind, amount, theme=None, **kw):  # type: ignore[no-untyped-def]
    return services.ledger_entry_record(
        fund=fund,
        kind=kind,
        agency=agency,
        amount=Decimal(amount),
        occurred_on=kw.pop("occurred_on", date(2025, 6, 1)),
        theme=theme,
        **kw,
    )


def test_balance_contributions_commitments_and_spend(fund, world, manager):
    record(fund, world.council, EntryKind.CONTRIBUTION, "100000.00", user=manager)
    record(fund, world.nhs, EntryKind.CONTRIBUTION, "50000.00")
    record(fund, world.council, EntryKind.COMMITMENT, "40000.00", world.themes["housing"])
    record(fund, world.council, EntryKind.SPEND, "15000.50", world.themes["housing"])
    record(fund, world.nhs, EntryKind.SPEND, "5000.00", world.themes["health"])
    summary = fund_summary(fund=fund)
    assert summary.contributions == Money(Decimal("150000.00"), 2025)
    assert summary.spend.amount == Decimal("20000.50")
    assert summary.balance.amount == Decimal("129999.50")
    # 40,000 committed to housing, 15,000.50 of it spent: 24,999.50 still owed.
    assert summary.outstanding_commitments.amount == Decimal("24999.50")
    assert summary.available.amount == Decimal("105000.00")
    assert [(a.code, m.amount) for a, m in summary.by_agency] == [
        ("sutton-council", Decimal("100000.00")),
        ("swl-icb", Decimal("50000.00")),
    ]
    entries = list(LedgerEntry.objects.filter(fund=fund).order_by("sequence"))
    assert [e.sequence for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].entered_by == manager
    assert AuditEvent.objects.filter(verb="wholeplace.ledger.record").count() == 5


def test_entries_cannot_be_changed_or_deleted(fund, world):
    entry = record(fund, world.council, EntryKind.CONTRIBUTION, "10.00")
    entry.amount = Decimal("99.00")
    with pytest.raises(LedgerImmutable):
        entry.save()
    with pytest.raises(LedgerImmutable):
        entry.delete()
    with pytest.raises(LedgerImmutable):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(LedgerImmutable):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.amount == Decimal("10.00")
    # No service edits or deletes, and the admin cannot either.
    assert not [
        name
        for name in dir(services)
        if name.startswith("ledger_entry_")
        and name.split("_")[-1] in {"update", "delete", "edit", "change"}
    ]
    admin = site._registry[LedgerEntry]
    request = RequestFactory().get("/")
    assert not admin.has_change_permission(request, entry)
    assert not admin.has_delete_permission(request, entry)
    assert not admin.has_add_permission(request)


def test_reversal_cancels_an_entry_and_keeps_it(fund, world, manager):
    entry = record(fund, world.council, EntryKind.CONTRIBUTION, "2500.00")
    record(fund, world.nhs, EntryKind.CONTRIBUTION, "1000.00")
    reversal = services.ledger_entry_reverse(entry=entry, reason="Keyed twice", user=manager)
    assert reversal.amount == Decimal("-2500.00")
    assert reversal.reverses == entry
    assert reversal.kind == entry.kind and reversal.agency == entry.agency
    assert reversal.sequence == 3
    assert "Keyed twice" in reversal.description
    assert LedgerEntry.objects.filter(fund=fund).count() == 3  # the original is still there
    assert fund_summary(fund=fund).contributions.amount == Decimal("1000.00")
    event = AuditEvent.objects.get(verb="wholeplace.ledger.reverse")
    assert event.payload["reverses"] == str(entry.pk)
    assert event.actor == manager


def test_an_entry_is_reversed_once_and_reversals_are_not_reversed(fund, world):
    entry = record(fund, world.council, EntryKind.CONTRIBUTION, "2500.00")
    reversal = services.ledger_entry_reverse(entry=entry, reason="Wrong fund")
    with pytest.raises(AlreadyReversed) as error:
        services.ledger_entry_reverse(entry=entry, reason="Again")
    assert error.value.code == "wholeplace.already_reversed"
    with pytest.raises(EntryInvalid):
        services.ledger_entry_reverse(entry=reversal, reason="Undo the undo")
    with pytest.raises(EntryInvalid):
        services.ledger_entry_reverse(entry=entry, reason="  ")
    assert LedgerEntry.objects.filter(fund=fund).count() == 2


@pytest.mark.parametrize(
    ("kind", "amount", "theme", "occurred_on", "message"),
    [
        ("refund", "10", "housing", date(2025, 6, 1), "Kind must be one of"),
        ("spend", "0", "housing", date(2025, 6, 1), "more than zero"),
        ("spend", "-5", "housing", date(2025, 6, 1), "more than zero"),
        ("spend", "1.234", "housing", date(2025, 6, 1), "two decimal places"),
        ("spend", "10", None, date(2025, 6, 1), "need a theme"),
        ("contribution", "10", None, date(2024, 6, 1), "outside the fund's life"),
    ],
)
def test_bad_entries_are_refused_and_write_nothing(
    fund, world, kind, amount, theme, occurred_on, message
):
    with pytest.raises(EntryInvalid) as error:
        record(
            fund,
            world.council,
            kind,
            amount,
            world.themes.get(theme or ""),
            occurred_on=occurred_on,
        )
    assert message in str(error.value)
    assert error.value.code == "wholeplace.entry_invalid"
    assert not LedgerEntry.objects.exists()


def test_money_in_another_price_year_is_refused(fund, world):
    with pytest.raises(EntryInvalid, match="2025 prices, not 2019"):
        services.ledger_entry_record(
            fund=fund,
            kind=EntryKind.CONTRIBUTION,
            agency=world.council,
            amount=Money(Decimal("10"), 2019),
            occurred_on=date(2025, 6, 1),
        )
    assert not LedgerEntry.objects.exists()


LEDGER_CSV = """date,kind,agency,theme,area_code,amount,reference,description
2025-05-01,contribution,sutton-council,,,"100,000.00",C1,Council share
2025-05-02,contribution,SWL ICB,,,60000,C2,ICB share
2025-06-01,spend,sutton-council,housing,E05000001,1200.00,S1,Tenancy support
2025-06-01,spend,sutton-council,housing,E05000001,1200.00,S1,Tenancy support
"""


def test_ledger_import_adds_rows_and_is_idempotent(fund, world, geography, manager):
    result = services.ledger_import_csv(fund=fund, text=LEDGER_CSV, filename="l.csv", user=manager)
    assert (result.added, result.skipped) == (4, 0)
    summary = fund_summary(fund=fund)
    assert summary.contributions.amount == Decimal("160000.00")
    # Two identical lines in one file are two payments, not one.
    assert summary.spend.amount == Decimal("2400.00")
    assert LedgerEntry.objects.filter(area=geography.wards[0]).count() == 2
    again = services.ledger_import_csv(fund=fund, text=LEDGER_CSV, user=manager)
    assert (again.added, again.skipped) == (0, 4)
    assert LedgerEntry.objects.filter(fund=fund).count() == 4
    assert [e.sequence for e in LedgerEntry.objects.filter(fund=fund).order_by("sequence")] == [
        1,
        2,
        3,
        4,
    ]


def test_ledger_import_reports_every_bad_row_and_writes_nothing(fund, world, geography):
    text = """date,kind,agency,theme,area_code,amount
2025-05-01,contribution,sutton-council,,,1000
2025-13-01,contribution,nobody,,,1000
2025-06-01,spend,sutton-council,,E05999999,12.345
2025-06-01,spend,met,housing,,-4
"""
    with pytest.raises(LedgerFileRejected) as error:
        services.ledger_import_csv(fund=fund, text=text)
    problems = {p["line"]: p["reasons"] for p in error.value.details["problems"]}
    assert sorted(problems) == [3, 4, 5]
    assert any("is not a date" in r for r in problems[3])
    assert any("'nobody' is not a known agency" in r for r in problems[3])
    assert any("not a known area" in r for r in problems[4])
    assert any("two decimal places" in r for r in problems[4])
    assert any("more than zero" in r for r in problems[5])
    assert not LedgerEntry.objects.exists()


def test_ledger_import_needs_its_columns(fund):
    with pytest.raises(LedgerFileRejected) as error:
        services.ledger_import_csv(fund=fund, text="when,who\n2025-01-01,x\n")
    assert error.value.details["problems"][0]["line"] == 1
    assert "date" in error.value.details["problems"][0]["reasons"][0]
