"""Imports of boundaries, postcodes and area data: good files, bad files, and re-runs."""

import gzip
import json

import pytest
import shapely
from django.core.management import CommandError, call_command

from placebase.core.models import AuditEvent
from placebase.places import services
from placebase.places.errors import (
    AreaDataRejected,
    BoundaryFileRejected,
    BoundarySetMissing,
    PostcodeFileRejected,
)
from placebase.places.geo import to_bng
from placebase.places.models import Area, AreaAttribute, BoundarySet, Postcode

from .factories import EAST, WEST, collection, import_set, square, write

pytestmark = pytest.mark.django_db


def test_boundary_import_creates_areas_with_bbox_and_centroid(tmp_path):
    boundary_set = import_set(tmp_path, [WEST, EAST])
    west = Area.objects.get(boundary_set=boundary_set, code="X01")
    assert west.name == "West"
    assert west.bbox == pytest.approx((-0.20, 51.36, -0.19, 51.37))
    assert (west.centroid_lon, west.centroid_lat) == pytest.approx((-0.195, 51.365))
    assert 600_000 < west.area_m2 < 800_000  # 0.01 x 0.01 degrees at 51N
    assert json.loads(west.geometry)["type"] == "Polygon"
    assert shapely.from_wkb(bytes(west.geometry_wkb)).equals(shapely.box(-0.2, 51.36, -0.19, 51.37))
    assert boundary_set.name == "Electoral ward 2025"
    assert AuditEvent.objects.filter(verb="places.boundaries_imported").count() == 1


def test_boundary_import_is_idempotent(tmp_path):
    path = write(tmp_path / "w.geojson", collection([WEST, EAST]))
    first = services.boundary_set_import(path=path, level="ward", vintage=2025)
    second = services.boundary_set_import(path=path, level="ward", vintage=2025)
    assert (first.created, second.created, second.updated, second.unchanged) == (2, 0, 0, 2)
    assert second.boundary_set.geometry_version == first.boundary_set.geometry_version
    assert Area.objects.count() == 2


def test_changed_geometry_updates_the_area_and_its_version(tmp_path):
    import_set(tmp_path, [WEST, EAST])
    moved = ("X01", "West", square(-0.21, 51.36))
    outcome = services.boundary_set_import(
        path=write(tmp_path / "w2.geojson", collection([moved])), level="ward", vintage=2025
    )
    assert (outcome.created, outcome.updated) == (0, 1)
    west = Area.objects.get(code="X01")
    assert west.version == 2 and west.min_lon == pytest.approx(-0.21)
    assert Area.objects.filter(code="X02").exists()  # not in the file, kept


def test_bng_file_is_stored_in_wgs84(tmp_path):
    bng = json.loads(shapely.to_geojson(to_bng(shapely.box(-0.2, 51.36, -0.19, 51.37))))
    doc = collection([("X01", "West", bng)], crs="urn:ogc:def:crs:EPSG::27700")
    services.boundary_set_import(
        path=write(tmp_path / "bng.geojson", doc), level="ward", vintage=2025
    )
    west = Area.objects.get(code="X01")
    assert west.bbox == pytest.approx((-0.20, 51.36, -0.19, 51.37), abs=1e-4)


def test_gzipped_files_are_read(tmp_path):
    path = tmp_path / "w.geojson.gz"
    path.write_bytes(gzip.compress(json.dumps(collection([WEST])).encode()))
    outcome = services.boundary_set_import(path=path, level="ward", vintage=2025)
    assert outcome.created == 1


def test_a_bad_feature_rejects_the_whole_file_and_writes_nothing(tmp_path):
    doc = collection([WEST, EAST, ("X01", "Duplicate", square(0, 0))])
    with pytest.raises(BoundaryFileRejected) as caught:
        services.boundary_set_import(
            path=write(tmp_path / "bad.geojson", doc), level="ward", vintage=2025
        )
    assert caught.value.code == "places.boundary_file_rejected"
    assert caught.value.details["problems"] == [
        {"index": 2, "reason": "repeats the code X01 (first at feature 0)"}
    ]
    assert not BoundarySet.objects.exists() and not Area.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "not valid GeoJSON"),
        (json.dumps({"type": "FeatureCollection", "features": []}), "no features"),
        (json.dumps(collection([WEST], code_field="REF", name_field="LABEL")), "code field"),
    ],
)
def test_unusable_boundary_files_get_clear_errors(tmp_path, content, expected):
    with pytest.raises(BoundaryFileRejected, match=expected):
        services.boundary_set_import(
            path=write(tmp_path / "x.geojson", content), level="ward", vintage=2025
        )
    assert not Area.objects.exists()


def test_fields_can_be_named_when_they_cannot_be_detected(tmp_path):
    doc = collection([WEST], code_field="ID", name_field="LABEL")
    outcome = services.boundary_set_import(
        path=write(tmp_path / "x.geojson", doc),
        level="patch",
        vintage=2026,
        code_field="ID",
        name_field="LABEL",
    )
    assert outcome.created == 1


def test_unknown_level_and_silly_vintage_are_refused(tmp_path):
    path = write(tmp_path / "w.geojson", collection([WEST]))
    with pytest.raises(BoundaryFileRejected, match="unknown level"):
        services.boundary_set_import(path=path, level="galaxy", vintage=2025)
    with pytest.raises(BoundaryFileRejected, match="not a year"):
        services.boundary_set_import(path=path, level="ward", vintage=25)


def test_import_boundaries_command_reports_problems_with_feature_index(tmp_path):
    doc = collection([WEST, ("X02", "", square(0, 0))])
    with pytest.raises(CommandError) as caught:
        call_command(
            "import-boundaries",
            str(write(tmp_path / "b.geojson", doc)),
            "--level",
            "ward",
            "--vintage",
            "2025",
            "--no-progress",
        )
    assert "feature 1: has no value in the name field" in str(caught.value)
    assert not Area.objects.exists()


def test_import_boundaries_command_imports(tmp_path, capsys):
    call_command(
        "import-boundaries",
        str(write(tmp_path / "b.geojson", collection([WEST]))),
        "--level",
        "ward",
        "--vintage",
        "2025",
        "--no-progress",
    )
    assert "1 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert Area.objects.filter(code="X01").exists()


# ---------------------------------------------------------------------------- postcodes

NSPL_HEADER = "pcds,dointr,doterm,lat,long,laua,ward,lsoa11,msoa11\n"


def test_postcode_import_and_reimport(tmp_path):
    path = write(
        tmp_path / "p.csv",
        NSPL_HEADER
        + "SM1 1AA,199002,,51.359722,-0.193121,E09000029,E05000564,E01004142,E02000851\n"
        + "sm11ab,199912,200207,51.359919,-0.193024,E09000029,E05000564,E01004142,\n"
        + "SM1 9ZZ,199912,,99.999999,0.000000,,,,\n",
    )
    assert services.postcode_import(path=path) == {"postcodes": 3, "terminated": 1}
    assert services.postcode_import(path=path) == {"postcodes": 3, "terminated": 1}
    assert Postcode.objects.count() == 3
    live = Postcode.objects.get(postcode="SM1 1AA")
    assert (live.lat, live.lon, live.lsoa11_code) == (51.359722, -0.193121, "E01004142")
    assert Postcode.objects.get(postcode="SM1 1AB").terminated == "200207"
    assert Postcode.objects.get(postcode="SM1 9ZZ").lat is None  # no grid reference


def test_bad_postcode_rows_are_listed_by_line_and_nothing_is_written(tmp_path):
    path = write(
        tmp_path / "p.csv",
        NSPL_HEADER
        + "SM1 1AA,,,51.35,-0.19,,,,\n"
        + "NOT A POSTCODE,,,51.35,-0.19,,,,\n"
        + "SM1 1AB,,,north,-0.19,,,,\n"
        + "SM1 1AD,,,40.0,-0.19,,,,\n",
    )
    with pytest.raises(PostcodeFileRejected) as caught:
        services.postcode_import(path=path)
    lines = [p["line"] for p in caught.value.details["problems"]]
    assert lines == [3, 4, 5]
    assert not Postcode.objects.exists()


def test_postcode_file_without_required_columns_is_refused(tmp_path):
    with pytest.raises(PostcodeFileRejected, match="lat"):
        services.postcode_import(path=write(tmp_path / "p.csv", "pcds,long\nSM1 1AA,0\n"))
    with pytest.raises(PostcodeFileRejected, match="no postcodes"):
        services.postcode_import(path=write(tmp_path / "p.csv", NSPL_HEADER))


# ---------------------------------------------------------------------------- area data


def test_area_data_import_stores_numbers_and_updates_on_rerun(tmp_path):
    import_set(tmp_path, [WEST, EAST], level="lsoa", vintage=2021)
    path = write(
        tmp_path / "d.csv", "code,name,Households,Median age\nX01,West,120,41.5\nX02,East,,39\n"
    )
    assert services.area_data_import(path=path, level="lsoa", vintage=2021) == {
        "areas": 2,
        "values": 3,
    }
    values = dict(AreaAttribute.objects.filter(area__code="X01").values_list("key", "value"))
    assert values == {"households": 120.0, "median_age": 41.5}
    write(path, "code,Households\nX01,125\n")
    services.area_data_import(path=path, level="lsoa", vintage=2021)
    assert AreaAttribute.objects.get(area__code="X01", key="households").value == 125.0
    assert AreaAttribute.objects.count() == 3


def test_area_data_with_unknown_codes_or_words_is_rejected_whole(tmp_path):
    import_set(tmp_path, [WEST, EAST], level="lsoa", vintage=2021)
    path = write(tmp_path / "d.csv", "code,Households\nX01,120\nZ99,3\nX02,many\n")
    with pytest.raises(AreaDataRejected) as caught:
        services.area_data_import(path=path, level="lsoa", vintage=2021)
    assert [p["line"] for p in caught.value.details["problems"]] == [3, 4]
    assert not AreaAttribute.objects.exists()


def test_area_data_for_a_missing_set_or_without_a_code_column(tmp_path):
    path = write(tmp_path / "d.csv", "code,Households\nX01,120\n")
    with pytest.raises(BoundarySetMissing):
        services.area_data_import(path=path, level="lsoa", vintage=2021)
    import_set(tmp_path, [WEST], level="lsoa", vintage=2021)
    with pytest.raises(AreaDataRejected, match="no code column"):
        services.area_data_import(
            path=write(tmp_path / "e.csv", "where,n\nX01,1\n"), level="lsoa", vintage=2021
        )
    with pytest.raises(CommandError, match="no code column"):
        call_command(
            "import-area-data",
            str(tmp_path / "e.csv"),
            "--level",
            "lsoa",
            "--vintage",
            "2021",
            "--no-progress",
        )


def test_geopackage_in_british_national_grid_when_pyogrio_is_installed(tmp_path):
    raw = pytest.importorskip("pyogrio.raw")
    import numpy as np

    geom = to_bng(shapely.box(-0.2, 51.36, -0.19, 51.37))
    path = tmp_path / "wards.gpkg"
    raw.write(
        str(path),
        np.array([shapely.to_wkb(geom)], dtype=object),
        [np.array(["X01"], dtype=object), np.array(["West"], dtype=object)],
        fields=["WD25CD", "WD25NM"],
        geometry_type="Polygon",
        crs="EPSG:27700",
        driver="GPKG",
    )
    services.boundary_set_import(path=path, level="ward", vintage=2025)
    west = Area.objects.get(code="X01")
    assert west.name == "West"
    assert west.bbox == pytest.approx((-0.20, 51.36, -0.19, 51.37), abs=1e-4)
