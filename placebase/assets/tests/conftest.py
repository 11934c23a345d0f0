"""Fixtures for the assets tests: a small fake place, a category tree, listings, and the
Open Referral UK schema validator (schemas vendored in oruk_schema/, fetched from nowhere)."""

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from placebase.accounts.roles import Role
from placebase.assets import geo, services
from placebase.assets import models as m
from placebase.factories import OrganisationFactory, UserFactory
from placebase.places.errors import PostcodeUnknown

SCHEMA_DIR = Path(__file__).resolve().parent / "oruk_schema"
SCHEMA_PREFIX = "https://openreferraluk.org/specifications/3.0/schema/"

# A made-up corner of Sutton: three postcodes, two wards (split at latitude 51.365) and the
# borough around both. Real coordinates, simplified boundaries.
POSTCODES = {
    "SM1 1EA": (51.3618, -0.1945),  # Sutton town centre (south ward)
    "SM6 7LY": (51.3708, -0.1345),  # Wallington North (north ward)
    "SM5 2HQ": (51.3726, -0.1700),  # Carshalton (north ward)
}
SOUTH_WARD = geo.PlaceArea(code="E05000564", name="Sutton Central", level="ward")
NORTH_WARD = geo.PlaceArea(code="E05000555", name="Wallington North", level="ward")
BOROUGH = geo.PlaceArea(code="E09000029", name="Sutton", level="district")


@dataclass
class FakePlace:
    assigned: dict[uuid.UUID, tuple[float, float]]

    def areas(self, lat: float, lon: float) -> list[geo.PlaceArea]:
        if not (51.30 <= lat <= 51.40 and -0.25 <= lon <= -0.10):
            return []
        return [BOROUGH, NORTH_WARD if lat >= 51.365 else SOUTH_WARD]


@pytest.fixture
def place(monkeypatch: pytest.MonkeyPatch) -> FakePlace:
    fake = FakePlace(assigned={})

    def postcode_locate(raw: str) -> geo.PostcodePoint:
        compact = raw.replace(" ", "").upper()
        normal = f"{compact[:-3]} {compact[-3:]}"
        if normal not in POSTCODES:
            raise PostcodeUnknown(f"{normal} is not a known postcode")
        lat, lon = POSTCODES[normal]
        return geo.PostcodePoint(postcode=normal, lat=lat, lon=lon)

    def point_assign(
        *, record_type: str, record_id: uuid.UUID, lat: float, lon: float
    ) -> list[geo.PlaceArea]:
        fake.assigned[record_id] = (lat, lon)
        return fake.areas(lat, lon)

    def point_remove(*, record_type: str, record_id: uuid.UUID) -> None:
        fake.assigned.pop(record_id, None)

    monkeypatch.setattr(geo, "postcode_locate", postcode_locate)
    monkeypatch.setattr(geo, "areas_at", lambda *, lat, lon: fake.areas(lat, lon))
    monkeypatch.setattr(geo, "point_assign", point_assign)
    monkeypatch.setattr(geo, "point_remove", point_remove)
    return fake


@pytest.fixture
def staff(db: Any) -> Any:
    return UserFactory(role=Role.CONNECTOR)


@pytest.fixture
def provider_user(db: Any) -> Any:
    return UserFactory(role=Role.PROVIDER_EDITOR, organisation=OrganisationFactory())


@dataclass
class Categories:
    taxonomy: m.Taxonomy
    health: m.TaxonomyTerm
    mental_health: m.TaxonomyTerm
    social: m.TaxonomyTerm
    crafts: m.TaxonomyTerm
    food: m.TaxonomyTerm


@pytest.fixture
def categories(db: Any, staff: Any) -> Categories:
    taxonomy = services.taxonomy_create(
        actor=staff, name="Placebase directory categories", description="What a listing offers."
    )
    health = services.taxonomy_term_create(actor=staff, taxonomy=taxonomy, name="Health")
    mental = services.taxonomy_term_create(
        actor=staff, taxonomy=taxonomy, name="Mental health", parent=health
    )
    social = services.taxonomy_term_create(
        actor=staff, taxonomy=taxonomy, name="Social groups", code="social"
    )
    crafts = services.taxonomy_term_create(
        actor=staff, taxonomy=taxonomy, name="Crafts", parent=social
    )
    food = services.taxonomy_term_create(actor=staff, taxonomy=taxonomy, name="Food")
    return Categories(taxonomy, health, mental, social, crafts, food)


def listing(**values: Any) -> dict[str, Any]:
    base = {"name": "A listing", "kind": "group", "description": ""}
    base.update(values)
    return base


@pytest.fixture
def make_asset(place: FakePlace, staff: Any) -> Any:
    def make(*, provider: m.DirectoryOrganisation | None = None, **values: Any) -> m.Asset:
        return services.asset_create(actor=staff, values=listing(**values), provider=provider)

    return make


def _registry() -> Registry:
    resources = []
    for path in SCHEMA_DIR.glob("*.json"):
        contents = json.loads(path.read_text())
        resources.append(
            (
                SCHEMA_PREFIX + path.name,
                Resource.from_contents(contents, default_specification=DRAFT202012),
            )
        )
    return Registry().with_resources(resources)


REGISTRY = _registry()


def oruk_validate(payload: Any, schema_name: str) -> None:
    """Raise if `payload` is not valid against the named ORUK schema (formats checked too)."""
    schema = json.loads((SCHEMA_DIR / schema_name).read_text())
    validator = Draft202012Validator(schema, registry=REGISTRY, format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.path))
    if errors:
        details = "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
        raise AssertionError(f"{schema_name}: {len(errors)} error(s): {details}")


@pytest.fixture
def validate() -> Any:
    return oruk_validate
