"""The import commands: they report bad rows by line and write nothing."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from placebase.wholeplace.models import LedgerEntry, SpendLine

from .test_spend import SPEND_CSV

pytestmark = pytest.mark.django_db


def test_import_spend_command(world, tmp_path, capsys):
    path = tmp_path / "spend.csv"
    path.write_text(SPEND_CSV, encoding="utf-8")
    call_command("import-spend", str(path))
    assert "Added 6 spend lines; 0 already there." in capsys.readouterr().out
    call_command("import-spend", str(path))
    assert "Added 0 spend lines; 6 already there." in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(SPEND_CSV.replace("sutton-council,E05000001", "nobody,E05000001"))
    with pytest.raises(CommandError, match="line 2: agency 'nobody'"):
        call_command("import-spend", str(bad))
    assert SpendLine.objects.count() == 6


def test_import_ledger_command(fund, tmp_path, capsys):
    path = tmp_path / "ledger.csv"
    path.write_text("date,kind,agency,amount\n2025-05-01,contribution,met,10\n")
    call_command("import-ledger", str(path), fund=fund.name)
    assert "Added 1 entries" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no pooled fund"):
        call_command("import-ledger", str(path), fund="Nope")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import-ledger", str(tmp_path / "missing.csv"), fund=fund.name)
    assert LedgerEntry.objects.count() == 1
