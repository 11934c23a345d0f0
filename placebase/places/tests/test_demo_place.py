"""The demo place's real geography: Sutton, its postcodes, and its NHS footprints.

Loading it takes a few seconds, so this module loads it once and removes it afterwards;
each test still runs in its own rolled-back transaction on top.
"""

import csv
import gzip
import json
import uuid

import pytest
from django.core.management import call_command
from django.urls import reverse

from placebase.core.models import AuditEvent
from placebase.places import selectors, services
from placebase.places.models import (
    Area,
    AreaOverlap,
    BoundarySet,
    ImportJob,
    LocatedPoint,
    Postcode,
)

SUTTON = "E09000029"
SWL_ICB = "E54000031"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        counts = services.demo_place_load()
        yield counts
        BoundarySet.objects.all().delete()
        Postcode.objects.all().delete()
        LocatedPoint.objects.all().delete()
        ImportJob.objects.all().delete()
        AuditEvent.objects.filter(verb__startswith="places.").delete()


@pytest.mark.django_db
def test_demo_place_loads_every_set_and_is_idempotent(demo):
    assert demo["boundary sets"] == 8
    assert demo["postcodes"] == 5167
    assert demo["areas"] == Area.objects.count() > 700
    versions = dict(BoundarySet.objects.values_list("id", "geometry_version"))
    overlaps = AreaOverlap.objects.count()
    assert services.demo_place_load() == demo
    assert dict(BoundarySet.objects.values_list("id", "geometry_version")) == versions
    assert AreaOverlap.objects.count() == overlaps
    columns = sorted(s.column_name for s in BoundarySet.objects.all())
    assert columns == [
        "district_2024",
        "icb_2023",
        "lsoa_2011",
        "lsoa_2021",
        "msoa_2021",
        "region_2023",
        "sub_icb_2023",
        "ward_2025",
    ]


@pytest.mark.django_db
def test_locate_agrees_with_the_postcode_files_own_lsoa(demo, tmp_path):
    source = tmp_path / "postcodes.csv"
    with gzip.open(services.DATA_DIR / "nspl-2021-11-sutton.csv.gz", "rt") as f:
        live = [r for r in csv.DictReader(f) if not r["doterm"]]
    with source.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["pcds", "lat", "long", "lsoa11"])
        writer.writeheader()
        writer.writerows({k: r[k] for k in ("pcds", "lat", "long", "lsoa11")} for r in live)
    out = tmp_path / "located.csv"
    call_command(
        "locate", str(source), "--lat-field", "lat", "--lon-field", "long", "--out", str(out)
    )
    rows = list(csv.DictReader(out.open()))
    agree = sum(r["lsoa_2011"] == r["lsoa11"] for r in rows)
    rate = agree / len(rows)
    print(
        f"locate agrees with NSPL lsoa11 for {agree} of {len(rows)} live Sutton postcodes "
        f"({rate:.2%})"
    )
    assert len(rows) == len(live) > 3000
    assert rate >= 0.95
    assert all(r["district_2024"] == SUTTON for r in rows[:50])


@pytest.mark.django_db
def test_postcode_lookup_and_locate_name_the_same_lsoa(demo):
    found = selectors.postcode_lookup("sm1 1aa")
    assert found.source == "NSPL 2021-11"
    codes = selectors.area_codes_at_point(lat=found.lat, lon=found.lon)
    assert codes["lsoa_2011"] == [found.lsoa_code]
    assert codes["icb_2023"] == [SWL_ICB]


@pytest.mark.django_db
def test_sutton_wards_sit_inside_the_south_west_london_icb(demo):
    wards = Area.objects.filter(boundary_set__level="ward")
    assert wards.count() == 20
    for ward in wards:
        rows = selectors.area_overlaps(area=ward)
        icb = next(rows for s, rows in rows.items() if s.level == "icb")
        assert icb[0].area.code == SWL_ICB and icb[0].area_share > 0.95  # generalised edges
    sutton = selectors.area_get(code=SUTTON, level="district")
    children = selectors.area_children(area=sutton)
    ward_rows = next(rows for s, rows in children.items() if s.level == "ward")
    assert len(ward_rows) == 20
    profile = selectors.area_profile(area=sutton)
    assert profile.population_total is not None and 200_000 < profile.population_total < 220_000


@pytest.mark.django_db
def test_the_icb_spans_several_councils(demo):
    icb = selectors.area_get(code=SWL_ICB)
    districts = {
        row.area.code
        for s, rows in selectors.area_overlaps(area=icb).items()
        if s.level == "district"
        for row in rows
        if row.area_share > 0.01
    }
    # Croydon, Kingston, Merton, Richmond, Sutton, Wandsworth.
    assert {"E09000008", "E09000021", "E09000024", "E09000027", SUTTON, "E09000032"} <= districts


@pytest.mark.django_db
def test_lsoa_has_census_population_and_deprivation(demo):
    lsoa = selectors.area_get(code="E01004076", level="lsoa", vintage=2021)
    profile = selectors.area_profile(area=lsoa)
    assert len(profile.population_by_age) == 6
    assert profile.population_total == sum(n for _, n in profile.population_by_age)
    assert 1 <= (profile.imd_decile or 0) <= 10


@pytest.mark.django_db
def test_rollup_to_every_level(demo):
    ids = [uuid.uuid4() for _ in range(5)]
    for record_id in ids:
        services.located_point_assign(
            record_type="test.thing", record_id=record_id, lat=51.3597, lon=-0.1931
        )
    for boundary_set in BoundarySet.objects.all():
        rollup = selectors.area_rollup(
            record_type="test.thing", level=boundary_set.level, vintage=boundary_set.vintage
        )
        assert rollup.total == 5, boundary_set


@pytest.mark.django_db
def test_area_page_for_a_real_ward(demo, analyst_client):
    ward = selectors.area_get(code="E05013754")  # Beddington
    response = analyst_client.get(reverse("places:area_detail", args=[ward.id]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "NHS South West London Integrated Care Board" in page
    assert "Population by age" in page and "65 years and over" in page
    assert 'style="' not in page
    data = response.context["map_data"]
    roles = [f["properties"]["role"] for f in data["features"]["features"]]
    assert roles[0] == "main" and "child" in roles and roles[-1] == "point"
    assert data["tiles"]["url"] == ""  # no tile server unless configured
    assert json.loads(ward.geometry)["type"] in {"Polygon", "MultiPolygon"}


@pytest.mark.django_db
def test_picker_finds_areas_for_a_postcode(demo, analyst_client):
    response = analyst_client.get(reverse("places:picker"), {"q": "sm11aa"})
    assert response.status_code == 200
    codes = [area.code for area, _ in response.context["rows"]]
    assert "E05013765" in codes and SWL_ICB in codes  # Sutton Central ward; the ICB
