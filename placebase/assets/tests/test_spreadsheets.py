"""Asset registers as CSV and XLSX: round trip, row-level errors with lines, all or nothing,
valid-rows-only, idempotent re-import."""

import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from placebase.assets import models as m
from placebase.assets import services, spreadsheets
from placebase.assets.spreadsheets import RegisterRejected

pytestmark = pytest.mark.django_db


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_round_trip_changes_nothing(kind, make_asset, categories, staff):
    make_asset(
        name="Hackbridge Hall",
        kind="room",
        postcode="SM1 1EA",
        address_1="1 Road",
        city="Sutton",
        capacity=80,
        usage="spare",
        is_free=False,
        fees="£15 an hour",
        term_ids=[str(categories.crafts.id)],
        access_features=["step_free"],
        acv_listed=True,
        acv_listed_on="2024-05-01",
        acv_expires_on="2029-05-01",
    )
    make_asset(name="Choir", kind="group", service_area_codes=["E09000029"])
    assets = m.Asset.objects.order_by("name")
    content = (
        spreadsheets.register_csv(assets) if kind == "csv" else spreadsheets.register_xlsx(assets)
    )
    versions = list(m.Asset.objects.values_list("version", flat=True))
    report = services.asset_register_import(actor=staff, filename=f"r.{kind}", content=content)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert list(m.Asset.objects.values_list("version", flat=True)) == versions


def test_import_creates_and_updates_by_id(staff, categories, place):
    report = services.asset_register_import(
        actor=staff,
        filename="r.csv",
        content=csv_bytes(
            "name,kind,postcode,categories,access_features,provider,is_free",
            "Community fridge,service,SM6 7LY,Food,step_free;hearing_loop,Sutton Mutual Aid,yes",
        ),
    )
    assert report.created == 1
    asset = m.Asset.objects.get()
    assert asset.provider.name == "Sutton Mutual Aid" and asset.is_free
    assert asset.service_at_locations.get().location.ward_code == "E05000555"
    report = services.asset_register_import(
        actor=staff,
        filename="r.csv",
        content=csv_bytes(
            "id,name,kind,postcode", f"{asset.id},Community fridge and pantry,service,SM6 7LY"
        ),
    )
    assert report.updated == 1
    asset.refresh_from_db()
    assert asset.name == "Community fridge and pantry" and m.Asset.objects.count() == 1


def test_bad_rows_are_reported_with_lines_and_nothing_is_written(staff, categories, place):
    content = csv_bytes(
        "name,kind,postcode,email,categories,capacity",
        "Good hall,room,SM1 1EA,,,10",
        ",group,,,,",
        "Bad group,castle,SM9 9ZZ,nope,Astrology,lots",
    )
    with pytest.raises(RegisterRejected) as error:
        services.asset_register_import(actor=staff, filename="r.csv", content=content)
    problems = [str(p) for p in error.value.details["problems"]]
    assert "line 3, name: Enter a value" in problems
    assert (
        "line 4, kind: Choose one of: building, room, green_space, group, service, "
        "business, activity" in problems
    )
    assert any(p.startswith("line 4, categories: unknown category") for p in problems)
    assert any(p.startswith("line 4, email") for p in problems)
    assert any(p.startswith("line 4, capacity") for p in problems)
    assert m.Asset.objects.count() == 0

    report = services.asset_register_import(
        actor=staff, filename="r.csv", content=content, valid_rows_only=True
    )
    assert report.created == 1 and len(report.skipped) >= 4
    assert list(m.Asset.objects.values_list("name", flat=True)) == ["Good hall"]


def test_unknown_postcode_is_a_row_error(staff, place):
    with pytest.raises(RegisterRejected) as error:
        services.asset_register_import(
            actor=staff, filename="r.csv", content=csv_bytes("name,postcode", "Hall,SM9 9ZZ")
        )
    assert (
        str(error.value.details["problems"][0])
        == "line 2, postcode: SM9 9ZZ is not a known postcode"
    )


def test_xlsx_rows_and_broken_files(staff, place):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "kind", "capacity", "acv_listed_on"])
    sheet.append(["Allotments", "green_space", 40, None])
    sheet.append([None, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = services.asset_register_import(
        actor=staff, filename="r.xlsx", content=buffer.getvalue()
    )
    assert report.created == 1 and m.Asset.objects.get().capacity == 40
    with pytest.raises(RegisterRejected):
        services.asset_register_import(actor=staff, filename="r.xlsx", content=b"not a zip")
    with pytest.raises(RegisterRejected):
        services.asset_register_import(actor=staff, filename="r.txt", content=b"x")
    with pytest.raises(RegisterRejected):
        services.asset_register_import(actor=staff, filename="r.csv", content=b"name\n")
    with pytest.raises(RegisterRejected):
        services.asset_register_import(actor=staff, filename="r.csv", content=b"title\nSomething\n")


def test_duplicate_ids_in_one_file(staff, make_asset):
    asset = make_asset(name="Hall")
    with pytest.raises(RegisterRejected) as error:
        services.asset_register_import(
            actor=staff,
            filename="r.csv",
            content=csv_bytes("id,name", f"{asset.id},Hall", f"{asset.id},Hall again"),
        )
    assert "same id as line 2" in str(error.value.details["problems"][0])


def test_template_has_guidance_and_an_example(tmp_path):
    book = load_workbook(io.BytesIO(spreadsheets.register_xlsx(None, template=True)))
    assert book.sheetnames == ["Assets", "Guidance"]
    assert [c.value for c in book["Assets"][1]] == spreadsheets.HEADERS
    assert book["Assets"]["B2"].value == "Hackbridge Community Hall"


def test_commands_export_and_import(tmp_path, make_asset, capsys):
    make_asset(name="Hall", kind="room")
    path = tmp_path / "register.xlsx"
    call_command("export-asset-register", str(path))
    call_command("import-asset-register", str(path))
    assert "0 new, 0 updated, 1 unchanged." in capsys.readouterr().out
