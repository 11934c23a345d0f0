"""Test helpers: users, and small synthetic boundary files whose answers are known."""

import json
from pathlib import Path
from typing import Any

import factory
import shapely

from placebase.accounts.models import User
from placebase.accounts.roles import Role
from placebase.places import services
from placebase.places.models import BoundarySet


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"places-user-{n}")
    role = Role.ANALYST
    password = factory.django.Password("a-long-test-password")


def square(x: float, y: float, size: float = 0.01) -> dict[str, Any]:
    return json.loads(shapely.to_geojson(shapely.box(x, y, x + size, y + size)))


def collection(
    features: list[tuple[str, str, dict[str, Any]]],
    *,
    code_field: str = "TS25CD",
    name_field: str = "TS25NM",
    crs: str | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {code_field: code, name_field: name},
                "geometry": geometry,
            }
            for code, name, geometry in features
        ],
    }
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return doc


def write(path: Path, doc: dict[str, Any] | str) -> Path:
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return path


# Two 0.01-degree squares side by side near Sutton, sharing the edge lon = -0.19.
WEST = ("X01", "West", square(-0.20, 51.36))
EAST = ("X02", "East", square(-0.19, 51.36))


def import_set(
    tmp_path: Path,
    features: list[tuple[str, str, dict[str, Any]]],
    *,
    level: str = "ward",
    vintage: int = 2025,
    name: str = "",
) -> BoundarySet:
    path = write(tmp_path / f"{level}-{vintage}.geojson", collection(features))
    return services.boundary_set_import(
        path=path, level=level, vintage=vintage, name=name
    ).boundary_set
