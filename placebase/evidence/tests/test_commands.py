"""`placebase sroi`, `placebase load-unit-costs` and `placebase load-evidence-starter`."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from placebase.evidence.models import ParameterSet, UnitCost
from placebase.evidence.services import DATA_DIR

HEADER = (
    "outcome,stakeholder,quantity,financial_proxy,deadweight,displacement,attribution,"
    "drop_off,duration_years,starts_year"
)


def write(tmp_path: Path, text: str, name: str = "map.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def sroi(*args: str, **options: object) -> str:
    out = StringIO()
    call_command("sroi", *args, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_json_output_has_the_figures_and_the_parameters_used(tmp_path):
    path = write(tmp_path, HEADER + ",agency\nFewer visits,Residents,120,100,0,0,0,0,1,1,nhs\n")
    data = json.loads(sroi(path, inputs="6000", discount_rate="0", format="json"))
    assert data["present_value"] == 12000.0
    assert data["ratio"] == 2.0 and data["net_ratio"] == 1.0
    assert data["payback_months"] == 6.0
    assert data["by_agency"] == [{"agency": "nhs", "present_value": 12000.0, "share": 1.0}]
    assert data["parameters"]["version"] is None  # nothing stored: the shipped defaults
    assert "range" not in data


@pytest.mark.django_db
def test_defaults_are_the_green_book_schedule_and_the_first_year_convention(tmp_path):
    path = write(tmp_path, HEADER + "\nA,B,1,1000,0,0,0,0,1,1\n")
    discounted = json.loads(sroi(path, inputs="100", format="json"))
    assert discounted["present_value"] == 966.18  # 1,000 / 1.035
    undiscounted = json.loads(sroi(path, inputs="100", format="json", first_year="undiscounted"))
    assert undiscounted["present_value"] == 1000.0


@pytest.mark.django_db
def test_ranges_are_seeded_and_reproducible(tmp_path):
    path = str(DATA_DIR / "example_map.csv")
    first = json.loads(sroi(path, inputs="150000", format="json", draws=2000, seed=5))
    again = json.loads(sroi(path, inputs="150000", format="json", draws=2000, seed=5))
    assert first["range"] == again["range"]
    assert first["range"]["ratio"]["p5"] < first["ratio"] < first["range"]["ratio"]["p95"]
    assert first["tornado"] and len(first["switching_values"]) == 5 * 6


@pytest.mark.django_db
def test_table_output_is_readable(tmp_path):
    text = sroi(str(DATA_DIR / "example_map.csv"), inputs="£150,000", draws=500)
    assert "SROI ratio" in text and "Switching values" in text and "Tornado" in text
    assert "Parameters: " in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "line 1: the file is empty"),
        ("outcome,stakeholder\nA,B\n", "line 1: missing columns"),
        (HEADER + "\nA,B,1,1,1.5,0,0,0,1,1\n", "line 2: deadweight 1.5 is outside 0 to 1"),
        (
            HEADER + "\nA,B,1,1,0,0,0,0,1,1\nC,D,-2,1,0,0,0,0,1,1\n",
            "line 3: quantity -2 is negative",
        ),
        (HEADER + "\nA,B,many,1,0,0,0,0,1,1\n", "line 2: quantity 'many' is not a number"),
    ],
)
@pytest.mark.django_db
def test_bad_maps_fail_with_line_and_reason(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(CommandError) as caught:
        sroi(path, inputs="100")
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"inputs": "0"}, "more than zero"),
        ({"inputs": "lots"}, "not a number"),
        ({"inputs": "100", "discount_rate": "3.5"}, "fraction"),
        ({"inputs": "100", "draws": 0}, "--draws"),
    ],
)
@pytest.mark.django_db
def test_bad_options_fail_clearly(tmp_path, options, expected):
    path = write(tmp_path, HEADER + "\nA,B,1,1,0,0,0,0,1,1\n")
    with pytest.raises(CommandError) as caught:
        sroi(path, **options)
    assert expected in str(caught.value)


def test_missing_file_fails(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        sroi(str(tmp_path / "nope.csv"), inputs="100")


@pytest.mark.django_db
def test_the_command_line_exits_non_zero_on_a_bad_map(tmp_path, capsys):
    # Through the same entry point as the `placebase` console script, not call_command.
    path = write(tmp_path, HEADER + "\nA,B,1,1,0,0,0,0,1,1\nC,D,1,1,0,0,2,0,1,1\n")
    with pytest.raises(SystemExit) as caught:
        ManagementUtility(["placebase", "sroi", path, "--inputs", "100"]).execute()
    assert caught.value.code != 0
    captured = capsys.readouterr()
    assert "line 3: attribution 2 is outside 0 to 1" in captured.err
    assert captured.out == ""


@pytest.mark.django_db
def test_load_evidence_starter_then_load_unit_costs(tmp_path):
    out = StringIO()
    call_command("load-evidence-starter", stdout=out)
    call_command("load-evidence-starter", stdout=out)
    assert ParameterSet.objects.count() == 1
    count = UnitCost.objects.count()
    assert "0 new" in out.getvalue().splitlines()[-1]
    path = write(
        tmp_path,
        "code,service_type,item,unit,value,price_year,agencies,"
        "confidence_grade,source,licence\n"
        "my-gp,gp_appointment,GP visit,visit,45,2023,nhs:1,2,Local,Ours\n",
        "costs.csv",
    )
    call_command("load-unit-costs", path, stdout=out)
    assert UnitCost.objects.count() == count + 1
    bad = write(
        tmp_path,
        "code,service_type,item,unit,value,price_year,agencies,"
        "confidence_grade,source,licence\n"
        "b,gp_appointment,GP,visit,45,2023,nhs:2,2,Local,Ours\n",
        "bad.csv",
    )
    with pytest.raises(CommandError, match="line 2: the share for 'nhs'"):
        call_command("load-unit-costs", bad, stdout=out)
    assert UnitCost.objects.count() == count + 1
