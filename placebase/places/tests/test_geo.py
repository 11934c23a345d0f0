"""The geometry engine: reading files, reprojection, and the grid index."""

import json

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from placebase.places.geo import (
    BNG,
    BoundaryFileError,
    GridIndex,
    detect_fields,
    read_geojson,
    to_bng,
)

from .factories import EAST, WEST, collection, square


def _polygons() -> list[shapely.Geometry]:
    # A ring with a hole, a triangle inside the hole, and a neighbour sharing an edge.
    ring = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (3, 1), (3, 3), (1, 3)]])
    inner = shapely.Polygon([(1.5, 1.5), (2.5, 1.5), (2, 2.5)])
    neighbour = shapely.box(4, 0, 6, 2)
    return [ring, inner, neighbour]


def test_grid_index_agrees_with_brute_force_on_random_points() -> None:
    polys = _polygons()
    index = GridIndex(polys, max_cells=4096)
    rng = np.random.default_rng(7)
    x, y = rng.uniform(-1, 7, 20_000), rng.uniform(-1, 5, 20_000)
    got = index.locate_many(x, y)
    expected = np.full(len(x), -1)
    for i in reversed(range(len(polys))):  # lowest index wins, as in the index
        expected[shapely.intersects_xy(polys[i], x, y)] = i
    assert (got == expected).all()


@settings(max_examples=200, deadline=None)
@given(st.floats(-1, 7), st.floats(-1, 5))
def test_single_point_answer_matches_bulk(x: float, y: float) -> None:
    index = GridIndex(_polygons(), max_cells=1024)
    assert index.locate_one(x, y) == int(index.locate_many([x], [y])[0])


def test_point_on_shared_edge_gets_one_deterministic_answer() -> None:
    index = GridIndex(_polygons(), max_cells=256)
    # (4, 1) is on the edge between the ring (index 0) and its neighbour (index 2).
    assert index.locate_all(4.0, 1.0) == [0, 2]
    assert index.locate_one(4.0, 1.0) == 0
    assert index.locate_many([4.0], [1.0]).tolist() == [0]


def test_points_in_a_hole_and_outside_everything() -> None:
    index = GridIndex(_polygons(), max_cells=256)
    assert index.locate_one(1.2, 2.8) == -1  # in the ring's hole, not in the triangle
    assert index.locate_one(2.0, 1.8) == 1  # in the triangle inside the hole
    assert index.locate_one(50, 50) == -1
    assert index.locate_many([np.nan], [np.nan]).tolist() == [-1]


def test_overlapping_polygons_are_all_found() -> None:
    index = GridIndex([shapely.box(0, 0, 2, 2), shapely.box(1, 1, 3, 3)], max_cells=64)
    assert index.locate_all(1.5, 1.5) == [0, 1]
    assert index.locate_all(0.5, 0.5) == [0]


def test_empty_index_finds_nothing() -> None:
    index = GridIndex([])
    assert index.locate_many([0.0], [0.0]).tolist() == [-1]
    assert index.locate_all(0, 0) == []


def test_detect_fields_prefers_the_sets_own_code() -> None:
    assert detect_fields({"FID": 1, "WD25CD": "E05", "WD25NM": "A", "LAD25CD": "E09"}) == (
        "WD25CD",
        "WD25NM",
    )
    assert detect_fields({"code": "x", "name": "y"}) == ("code", "name")
    assert detect_fields({"foo": 1}) == (None, None)


def test_read_geojson_detects_fields_and_keeps_wgs84() -> None:
    result = read_geojson(collection([WEST, EAST]))
    assert (result.code_field, result.name_field) == ("TS25CD", "TS25NM")
    assert [f.code for f in result.features] == ["X01", "X02"]
    assert result.crs == "EPSG:4326"
    assert result.problems == []


def test_bng_coordinates_are_reprojected_to_wgs84() -> None:
    original = shapely.box(-0.20, 51.36, -0.19, 51.37)
    bng = to_bng(original)
    doc = collection(
        [("X01", "West", json.loads(shapely.to_geojson(bng)))], crs="urn:ogc:def:crs:EPSG::27700"
    )
    result = read_geojson(doc)
    assert result.crs == BNG
    back = result.features[0].geometry
    assert back.bounds == pytest.approx(original.bounds, abs=1e-4)
    # Without a crs member the coordinates' range gives BNG away too.
    del doc["crs"]
    assert read_geojson(doc).features[0].geometry.bounds == pytest.approx(original.bounds, abs=1e-4)


def test_bng_coordinates_in_a_file_that_claims_wgs84_are_refused() -> None:
    bng = json.loads(shapely.to_geojson(to_bng(shapely.box(-0.2, 51.36, -0.19, 51.37))))
    doc = collection([WEST, ("X02", "Bad", bng)], crs="urn:ogc:def:crs:OGC:1.3:CRS84")
    with pytest.raises(BoundaryFileError) as caught:
        read_geojson(doc)
    assert caught.value.problems[0].index == 1
    assert "British National Grid" in caught.value.problems[0].reason


def test_unsupported_crs_is_refused() -> None:
    doc = collection([WEST], crs="EPSG:3857")
    with pytest.raises(BoundaryFileError, match="not supported"):
        read_geojson(doc)


def test_invalid_geometry_is_repaired_and_reported() -> None:
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    result = read_geojson(collection([("X01", "Bowtie", bowtie)]))
    assert result.repaired == [0]
    geom = result.features[0].geometry
    assert geom.is_valid and geom.area == pytest.approx(0.5)


def test_each_bad_feature_is_reported_with_its_index() -> None:
    point = {"type": "Point", "coordinates": [0, 0]}
    features = [
        WEST,
        ("X01", "Again", square(0, 0)),
        ("", "No code", square(1, 1)),
        ("X03", "Point", point),
    ]
    result = read_geojson(collection(features))
    reasons = {p.index: p.reason for p in result.problems}
    assert "repeats the code X01" in reasons[1]
    assert "code field" in reasons[2]
    assert "not a polygon" in reasons[3]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (b"not json", "not valid GeoJSON"),
        (json.dumps({"type": "FeatureCollection", "features": []}).encode(), "no features"),
        (json.dumps({"type": "Feature"}).encode(), "not a GeoJSON FeatureCollection"),
        (json.dumps(collection([WEST], code_field="foo", name_field="bar")).encode(), "code field"),
    ],
)
def test_unusable_files_are_refused_as_a_whole(source: bytes, message: str) -> None:
    with pytest.raises(BoundaryFileError, match=message):
        read_geojson(source)
