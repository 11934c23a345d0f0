"""The volunteering app's one doorway to the places engine, and the distance arithmetic.

Postcodes are looked up by the places engine; until its selectors are installed the embedded
postcode directory it ships is used directly, so pages work on a fresh checkout.
"""

import contextlib
import math
import re
import uuid
from dataclasses import dataclass
from typing import Any

from placebase.core.errors import ValidationFailed

EARTH_RADIUS_KM = 6371.0088
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


class PostcodeNotFound(ValidationFailed):
    code = "volunteering.postcode_not_found"


@dataclass(frozen=True)
class Point:
    postcode: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Ward:
    code: str
    name: str


def postcode_point(raw: str) -> Point:
    """The point of a postcode; raises a ValidationFailed subclass with a clear message."""
    places: Any = None
    with contextlib.suppress(ImportError):  # places is part of the product
        from placebase.places import selectors as places
    lookup = getattr(places, "postcode_lookup", None)
    if lookup is not None:
        found = lookup(raw)
        return Point(postcode=found.postcode, lat=float(found.lat), lon=float(found.lon))
    return _embedded_point(raw)


def _embedded_point(raw: str) -> Point:
    compact = re.sub(r"\s+", "", (raw or "").upper())
    match = _POSTCODE.match(compact)
    if not match:
        raise ValidationFailed(
            "Enter a full UK postcode, like SM1 1EA", code="volunteering.postcode_malformed"
        )
    postcode = f"{match.group(1)} {match.group(2)}"
    from placebase.places.geocoder import embedded_lookup

    found = embedded_lookup(postcode)
    if found is None or found.lat is None or found.lon is None:
        raise PostcodeNotFound(f"We could not find the postcode {postcode}")
    return Point(postcode=postcode, lat=found.lat, lon=found.lon)


def ward_at(*, lat: float, lon: float) -> Ward | None:
    """The ward a point falls in, when the places engine knows one."""
    try:
        from placebase.places import selectors as places
    except ImportError:  # pragma: no cover
        return None
    finder = getattr(places, "areas_at_point", None)
    if finder is None:
        return None
    try:
        areas = finder(lat=lat, lon=lon, level="ward")
    except ValidationFailed:
        return None
    return Ward(code=areas[0].code, name=areas[0].name) if areas else None


def point_assign(*, record_type: str, record_id: uuid.UUID, lat: float, lon: float) -> None:
    """Record which areas a located record falls in, once, at write time (DESIGN.md)."""
    try:
        from placebase.places import services as places
    except ImportError:  # pragma: no cover
        return
    assign: Any = getattr(places, "located_point_assign", None)
    if assign is not None:
        assign(record_type=record_type, record_id=record_id, lat=lat, lon=lon)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) holding every point within the radius."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    # Use the cosine at the pole-ward edge so the box never cuts the circle.
    edge = min(89.0, abs(lat) + dlat)
    dlon = math.degrees(radius_km / (EARTH_RADIUS_KM * math.cos(math.radians(edge))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def point_remove(*, record_type: str, record_id: uuid.UUID) -> None:
    """Forget where a record is (an erased volunteer's home, say)."""
    try:
        from placebase.places import services as places
    except ImportError:  # pragma: no cover
        return
    remove: Any = getattr(places, "located_point_remove", None)
    if remove is not None:
        remove(record_type=record_type, record_id=record_id)
