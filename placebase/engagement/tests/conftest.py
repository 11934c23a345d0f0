"""A small, fully known place for engagement tests: two wards, each of two LSOAs, with
Census-style populations, IoD deciles and one postcode per LSOA.

    ward E05000001 "Northfield"           ward E05000002 "Southmead"
    LSOA A1 decile 1 (q1) 100 per band     LSOA B1 decile 4 (q2) 200 per band
    LSOA A2 decile 9 (q5) 100 per band     LSOA B2 decile 6 (q3)  50 per band
"""

import json
from dataclasses import dataclass
from typing import Any

import pytest
import shapely

from placebase.accounts.roles import Role
from placebase.engagement.metrics import AGE_BANDS
from placebase.factories import UserFactory
from placebase.places import services as places_services
from placebase.places.models import Area, AreaAttribute, AreaOverlap, Postcode


def _collection(features: list[tuple[str, str, Any]], code: str, name: str) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {code: c, name: n},
                "geometry": json.loads(shapely.to_geojson(geom)),
            }
            for c, n, geom in features
        ],
    }


@dataclass
class Place:
    ward_a: Area
    ward_b: Area
    lsoas: dict[str, Area]
    postcodes: dict[str, str]  # LSOA key -> postcode inside it


LSOAS = {
    # key: (code, ward, west edge, decile, people per band)
    "A1": ("E01000001", "a", -0.20, 1, 100),
    "A2": ("E01000002", "a", -0.19, 9, 100),
    "B1": ("E01000003", "b", -0.18, 4, 200),
    "B2": ("E01000004", "b", -0.17, 6, 50),
}
POSTCODES = {"A1": "SM1 1AA", "A2": "SM1 1AB", "B1": "SM2 2AA", "B2": "SM2 2AB"}


@pytest.fixture
def place(db, tmp_path) -> Place:
    wards_file = tmp_path / "wards.geojson"
    wards_file.write_text(
        json.dumps(
            _collection(
                [
                    ("E05000001", "Northfield", shapely.box(-0.20, 51.36, -0.18, 51.38)),
                    ("E05000002", "Southmead", shapely.box(-0.18, 51.36, -0.16, 51.38)),
                ],
                "WD25CD",
                "WD25NM",
            )
        )
    )
    lsoa_file = tmp_path / "lsoas.geojson"
    lsoa_file.write_text(
        json.dumps(
            _collection(
                [
                    (code, f"LSOA {key}", shapely.box(west, 51.36, west + 0.01, 51.38))
                    for key, (code, _, west, _, _) in LSOAS.items()
                ],
                "LSOA21CD",
                "LSOA21NM",
            )
        )
    )
    places_services.boundary_set_import(path=wards_file, level="ward", vintage=2025, name="Wards")
    places_services.boundary_set_import(path=lsoa_file, level="lsoa", vintage=2021, name="LSOAs")
    ward_a = Area.objects.get(code="E05000001")
    ward_b = Area.objects.get(code="E05000002")
    lsoas = {key: Area.objects.get(code=code) for key, (code, *_rest) in LSOAS.items()}
    ward_totals: dict[int, dict[str, float]] = {}
    for key, (_, ward_key, west, decile, per_band) in LSOAS.items():
        lsoa = lsoas[key]
        ward = ward_a if ward_key == "a" else ward_b
        for code, _label in AGE_BANDS:
            AreaAttribute.objects.create(area=lsoa, key=f"population_{code}", value=per_band)
            totals = ward_totals.setdefault(ward.pk, {})
            totals[f"population_{code}"] = totals.get(f"population_{code}", 0) + per_band
        AreaAttribute.objects.create(area=lsoa, key="population_total", value=per_band * 6)
        AreaAttribute.objects.create(area=lsoa, key="imd_decile", value=decile)
        totals["population_total"] = totals.get("population_total", 0) + per_band * 6
        AreaOverlap.objects.create(area=lsoa, other=ward, area_share=1.0)
        Postcode.objects.create(
            postcode=POSTCODES[key], lat=51.37, lon=west + 0.005, ward_code=ward.code, source="test"
        )
    for ward_pk, values in ward_totals.items():
        for k, v in values.items():
            AreaAttribute.objects.create(area_id=ward_pk, key=k, value=v)
    return Place(ward_a=ward_a, ward_b=ward_b, lsoas=lsoas, postcodes=POSTCODES)


@pytest.fixture
def connector(db):
    return UserFactory(role=Role.CONNECTOR)


@pytest.fixture
def councillor(db):
    return UserFactory(role=Role.COUNCILLOR)


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.ADMIN)
