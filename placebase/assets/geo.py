"""The assets app's one doorway to the places engine.

Everything the directory needs from places (postcode to point, point to areas, assigning a
location's point to its areas) goes through these four functions, so the rest of the app does
not care how places does it, and tests can stand in a small fake place.
"""

import math
import uuid
from dataclasses import dataclass
from typing import Any

from placebase.core.errors import ValidationFailed

LOCATION_RECORD_TYPE = "assets.location"
GIFT_RECORD_TYPE = "assets.gift"


class PostcodeSearchUnavailable(ValidationFailed):
    code = "assets.postcode_search_unavailable"


@dataclass(frozen=True)
class PlaceArea:
    code: str
    name: str
    level: str

    @property
    def is_ward(self) -> bool:
        return self.code.startswith("E05") or "ward" in self.level.lower()


@dataclass(frozen=True)
class PostcodePoint:
    postcode: str
    lat: float
    lon: float


def _as_area(area: Any) -> PlaceArea:
    level = getattr(getattr(area, "boundary_set", None), "level", "") or ""
    return PlaceArea(code=area.code, name=area.name, level=str(level))


def postcode_locate(raw: str) -> PostcodePoint:
    """The point of a postcode. Raises the places engine's PostcodeMalformed / PostcodeUnknown /
    PostcodeTerminated (ValidationFailed subclasses) for bad ones."""
    try:
        from placebase.places import selectors as places
    except ImportError as error:  # pragma: no cover - places is part of the product
        raise PostcodeSearchUnavailable("Postcode search is not available.") from error
    lookup = getattr(places, "postcode_lookup", None)
    if lookup is None:
        raise PostcodeSearchUnavailable("Postcode search is not available yet.")
    found = lookup(raw)
    return PostcodePoint(postcode=found.postcode, lat=float(found.lat), lon=float(found.lon))


def areas_at(*, lat: float, lon: float) -> list[PlaceArea]:
    from placebase.places import selectors as places

    finder = getattr(places, "areas_at_point", None)
    if finder is None:
        return []
    return [_as_area(area) for area in finder(lat=lat, lon=lon)]


def point_assign(
    *, record_type: str, record_id: uuid.UUID, lat: float, lon: float
) -> list[PlaceArea]:
    """Assign a located record to its areas, once, at write time (DESIGN.md)."""
    from placebase.places import services as places

    assign = getattr(places, "located_point_assign", None)
    if assign is None:
        return []
    return [
        _as_area(a) for a in assign(record_type=record_type, record_id=record_id, lat=lat, lon=lon)
    ]


def point_remove(*, record_type: str, record_id: uuid.UUID) -> None:
    from placebase.places import services as places

    remove = getattr(places, "located_point_remove", None)
    if remove is not None:
        remove(record_type=record_type, record_id=record_id)


EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) that contains every point within the radius."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    # Widen by the cosine at the pole-ward edge so the box never cuts the circle.
    edge = min(89.0, abs(lat) + dlat)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * math.cos(math.radians(edge))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def record_ids_in_area(*, record_type: str, area_code: str) -> set[uuid.UUID]:
    """Ids of located records the places engine assigned to the area (any level)."""
    try:
        from placebase.places.models import AreaMembership  # type: ignore[attr-defined]
    except ImportError:
        return set()
    return set(
        AreaMembership.objects.filter(record_type=record_type, area__code=area_code).values_list(
            "record_id", flat=True
        )
    )
