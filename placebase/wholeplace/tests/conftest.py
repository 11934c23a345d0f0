"""A small made-up geography for the whole-place tests: one district with three wards, an
LSOA straddling two of them, a second district, and an ICB covering both districts."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date

import pytest
import shapely
from shapely.geometry import box

from placebase.accounts.models import OrganisationKind
from placebase.accounts.roles import Role
from placebase.factories import OrganisationFactory, UserFactory
from placebase.places.models import Area, AreaAttribute, AreaOverlap, BoundarySet, Level
from placebase.wholeplace import services
from placebase.wholeplace.models import AgencySector


def make_set(level: str, vintage: int = 2024) -> BoundarySet:
    return BoundarySet.objects.create(level=level, vintage=vintage, name=f"{level} {vintage}")


def make_area(
    boundary_set: BoundarySet,
    code: str,
    name: str,
    bounds: tuple[float, float, float, float],
    population: float | None = None,
) -> Area:
    geom = box(*bounds)
    area = Area.objects.create(
        boundary_set=boundary_set,
        code=code,
        name=name,
        geometry=json.dumps(shapely.geometry.mapping(geom)),
        geometry_wkb=shapely.to_wkb(geom),
        geometry_hash=hashlib.sha256(shapely.to_wkb(geom)).hexdigest(),
        min_lon=bounds[0],
        min_lat=bounds[1],
        max_lon=bounds[2],
        max_lat=bounds[3],
        centroid_lon=(bounds[0] + bounds[2]) / 2,
        centroid_lat=(bounds[1] + bounds[3]) / 2,
        area_m2=geom.area * 1e10,
    )
    if population is not None:
        AreaAttribute.objects.create(area=area, key="population_total", value=population)
    return area


def overlap(area: Area, other: Area, share: float) -> None:
    AreaOverlap.objects.create(area=area, other=other, area_share=share)


@dataclass
class Geography:
    district: Area
    other_district: Area
    wards: list[Area]
    lsoa: Area
    icb: Area


@pytest.fixture
def geography(db) -> Geography:  # type: ignore[no-untyped-def]
    districts = make_set(Level.DISTRICT)
    wards_set = make_set(Level.WARD)
    lsoas = make_set(Level.LSOA, 2021)
    icbs = make_set(Level.ICB, 2023)
    district = make_area(districts, "E09000029", "Sutton", (0, 0, 3, 1), population=3500)
    other = make_area(districts, "E09000021", "Kingston", (3, 0, 5, 1), population=2000)
    wards = [
        make_area(wards_set, "E05000001", "Ward A", (0, 0, 1, 1), population=1000),
        make_area(wards_set, "E05000002", "Ward B", (1, 0, 2, 1), population=2000),
        make_area(wards_set, "E05000003", "Ward C", (2, 0, 3, 1), population=500),
    ]
    for ward in wards:
        overlap(ward, district, 1.0)
    lsoa = make_area(lsoas, "E01000001", "LSOA straddling A and B", (0.6, 0, 1.4, 0.5))
    overlap(lsoa, wards[0], 0.5)
    overlap(lsoa, wards[1], 0.5)
    overlap(lsoa, district, 1.0)
    icb = make_area(icbs, "E54000030", "South West London ICB", (0, 0, 5, 1))
    overlap(district, icb, 1.0)
    overlap(other, icb, 1.0)
    return Geography(district, other, wards, lsoa, icb)


@dataclass
class World:
    council: object
    nhs: object
    police: object
    housing_dept: object
    themes: dict


@pytest.fixture
def world(geography: Geography) -> World:
    def agency(name: str, kind: str, code: str, sector: str, bearer: str, **kw):  # type: ignore[no-untyped-def]
        org = OrganisationFactory(name=name, kind=kind)
        return services.agency_create(
            organisation=org, code=code, sector=sector, cost_bearer=bearer, **kw
        )

    council = agency(
        "Sutton Council",
        OrganisationKind.COUNCIL,
        "sutton-council",
        AgencySector.COUNCIL,
        "council",
        is_lead_council=True,
    )
    nhs = agency("SWL ICB", OrganisationKind.NHS, "swl-icb", AgencySector.ICB, "nhs")
    police = agency("Met Police", OrganisationKind.POLICE, "met", AgencySector.POLICE, "police")
    housing = agency(
        "Sutton Housing",
        OrganisationKind.COUNCIL,
        "sutton-housing",
        AgencySector.COUNCIL_DEPARTMENT,
        "council",
    )
    services.agency_footprint_set(agency=council, areas=[geography.district])
    services.agency_footprint_set(agency=nhs, areas=[geography.icb])
    services.agency_footprint_set(
        agency=police, areas=[geography.district, geography.other_district]
    )
    themes = {
        code: services.theme_create(code=code, name=name)
        for code, name in [
            ("housing", "Housing"),
            ("health", "Health"),
            ("safety", "Community safety"),
        ]
    }
    return World(council, nhs, police, housing, themes)


@pytest.fixture
def fund(world: World, geography: Geography):  # type: ignore[no-untyped-def]
    return services.fund_create(
        name="Sutton Better Lives Fund",
        price_year=2025,
        starts_on=date(2025, 4, 1),
        ends_on=date(2026, 3, 31),
        places=[geography.district],
        themes=list(world.themes.values()),
    )


@pytest.fixture
def manager(db):  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.MANAGER)
