"""Geometry without a spatial database: reading boundary files, reprojection, and a fast
point-in-polygon index. Pure Python + shapely/pyproj/numpy; nothing here touches Django.

The index (`GridIndex`) lays a uniform grid over a boundary set's bounding box. A cell that
no polygon edge comes near is wholly inside one polygon (or outside all of them), so a point
falling there is answered by one array read. Only cells an edge passes near keep a short list
of candidate polygons, and only points in those cells are tested exactly
(`shapely.intersects_xy` on prepared polygons). See docs/adr/0002-geography-without-postgis.md.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
BNG = "EPSG:27700"

# Plausible British National Grid coordinates (metres), with room for the Channel Islands.
_BNG_X = (-100_000.0, 800_000.0)
_BNG_Y = (-100_000.0, 1_400_000.0)


@cache
def bng_to_wgs84() -> Transformer:
    return Transformer.from_crs(BNG, WGS84, always_xy=True)


@cache
def wgs84_to_bng() -> Transformer:
    return Transformer.from_crs(WGS84, BNG, always_xy=True)


def to_bng(geom: Any) -> Any:
    """Reproject WGS84 geometries to British National Grid, where areas are in square metres."""
    transformer = wgs84_to_bng()
    return shapely.transform(
        geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )


def bng_points_to_wgs84(eastings: Any, northings: Any) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = bng_to_wgs84().transform(np.asarray(eastings, float), np.asarray(northings, float))
    return np.asarray(lon), np.asarray(lat)


# ---------------------------------------------------------------------------- reading files


@dataclass
class Problem:
    """One thing wrong with an input file; `index` is the 0-based feature (or line) number."""

    index: int | None
    reason: str

    def __str__(self) -> str:
        return self.reason if self.index is None else f"feature {self.index}: {self.reason}"


@dataclass
class Feature:
    index: int
    code: str
    name: str
    geometry: BaseGeometry  # WGS84, valid, polygonal
    properties: dict[str, Any]
    repaired: bool = False


@dataclass
class ReadResult:
    features: list[Feature] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    crs: str = WGS84
    code_field: str = ""
    name_field: str = ""

    @property
    def repaired(self) -> list[int]:
        return [f.index for f in self.features if f.repaired]


class BoundaryFileError(Exception):
    """The file cannot be read at all (not JSON, no features, unsupported CRS...)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def open_text(path: str | Path) -> str:
    """Read a text file, gunzipping when it ends in .gz."""
    path = Path(path)
    raw = path.read_bytes()
    if path.suffix == ".gz" or raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8-sig")


def _crs_from_geojson(doc: dict[str, Any]) -> str | None:
    crs = doc.get("crs")
    if not crs:
        return None
    name = str((crs.get("properties") or {}).get("name", "")).upper()
    if "27700" in name:
        return BNG
    if name.endswith("CRS84") or name.endswith("4326") or "WGS84" in name or "WGS 84" in name:
        return WGS84
    raise BoundaryFileError(
        [
            Problem(
                None,
                f"the file's coordinate reference system ({name or 'unnamed'}) is not "
                "supported: use WGS84 (EPSG:4326) or British National Grid (EPSG:27700)",
            )
        ]
    )


def _guess_crs(bounds: tuple[float, float, float, float]) -> str | None:
    minx, miny, maxx, maxy = bounds
    if minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90:
        return WGS84
    if _BNG_X[0] <= minx and maxx <= _BNG_X[1] and _BNG_Y[0] <= miny and maxy <= _BNG_Y[1]:
        return BNG
    return None


_CODE_SUFFIX = "CD"
_NAME_SUFFIX = "NM"


def detect_fields(properties: dict[str, Any]) -> tuple[str | None, str | None]:
    """Find the code and name fields: ONS style (`WD25CD`/`WD25NM`) or plain `code`/`name`."""
    keys = list(properties)
    code = None
    for key in keys:
        upper = key.upper()
        # ONS: a prefix then two digits then CD, e.g. WD25CD, LSOA21CD, SICBL23CD; skip the
        # parent codes that files also carry (LAD25CD in a ward file) by preferring the first.
        if upper.endswith(_CODE_SUFFIX) and upper[:-2][-2:].isdigit():
            code = key
            break
    if code is None:
        code = next((k for k in keys if k.lower() in {"code", "gss_code", "id"}), None)
    name = None
    if code and code.upper().endswith(_CODE_SUFFIX) and code.lower() not in {"code"}:
        candidate = code[:-2] + ("NM" if code[-2:].isupper() else "nm")
        name = candidate if candidate in properties else None
    if name is None:
        name = next((k for k in keys if k.lower() in {"name", "area_name"}), None)
    return code, name


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Keep only the polygon parts (make_valid can return lines or points beside them)."""
    if geom.geom_type in {"Polygon", "MultiPolygon"}:
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in {"Polygon", "MultiPolygon"}]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts)


def read_geojson(
    source: str | Path | dict[str, Any] | bytes,
    *,
    code_field: str | None = None,
    name_field: str | None = None,
) -> ReadResult:
    """Parse a GeoJSON FeatureCollection into valid WGS84 polygons, collecting every problem.

    Raises BoundaryFileError when the file as a whole is unusable; otherwise problems with
    single features are listed in `result.problems` (the caller decides: all or nothing).
    """
    if isinstance(source, dict):
        doc = source
    else:
        try:
            text = source.decode("utf-8-sig") if isinstance(source, bytes) else open_text(source)
            doc = json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError, OSError) as error:
            raise BoundaryFileError(
                [Problem(None, f"the file is not valid GeoJSON ({error})")]
            ) from error
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise BoundaryFileError([Problem(None, "the file is not a GeoJSON FeatureCollection")])
    raw_features = doc.get("features") or []
    if not raw_features:
        raise BoundaryFileError([Problem(None, "the file has no features")])
    declared = _crs_from_geojson(doc)

    result = ReadResult()
    first_props = (raw_features[0] or {}).get("properties") or {}
    detected_code, detected_name = detect_fields(first_props)
    result.code_field = code_field or detected_code or ""
    result.name_field = name_field or detected_name or ""
    if not result.code_field:
        raise BoundaryFileError(
            [
                Problem(
                    None,
                    "could not find the code field: give --code-field "
                    f"(fields: {', '.join(first_props) or 'none'})",
                )
            ]
        )
    if not result.name_field:
        raise BoundaryFileError(
            [
                Problem(
                    None,
                    "could not find the name field: give --name-field "
                    f"(fields: {', '.join(first_props) or 'none'})",
                )
            ]
        )

    geoms: list[BaseGeometry | None] = []
    for index, feature in enumerate(raw_features):
        try:
            geom = shapely.from_geojson(json.dumps((feature or {}).get("geometry")))
        except Exception:  # shapely raises GEOSException for any malformed geometry
            geom = None
        if geom is None or geom.is_empty:
            result.problems.append(Problem(index, "has no geometry or an unreadable one"))
            geoms.append(None)
            continue
        if geom.geom_type not in {"Polygon", "MultiPolygon"}:
            result.problems.append(Problem(index, f"is a {geom.geom_type}, not a polygon"))
            geoms.append(None)
            continue
        geoms.append(geom)

    present = [g for g in geoms if g is not None]
    if not present:
        return result
    bounds = tuple(shapely.total_bounds(present))
    guessed = _guess_crs(bounds)  # type: ignore[arg-type]
    crs = declared or guessed
    if crs is None:
        raise BoundaryFileError(
            [
                Problem(
                    None,
                    "coordinates are neither WGS84 longitude/latitude "
                    "nor British National Grid metres",
                )
            ]
        )
    if declared == WGS84 and guessed != WGS84:
        # Find the first offending feature so the user can see which one.
        bad = next(
            i for i, g in enumerate(geoms) if g is not None and _guess_crs(tuple(g.bounds)) != WGS84
        )  # type: ignore[arg-type]
        raise BoundaryFileError(
            [
                Problem(
                    bad,
                    "coordinates are outside longitude/latitude range "
                    "but the file says WGS84: is it British National "
                    "Grid (EPSG:27700)?",
                )
            ]
        )
    if declared == BNG and guessed != BNG:
        bad = next(
            i for i, g in enumerate(geoms) if g is not None and _guess_crs(tuple(g.bounds)) != BNG
        )  # type: ignore[arg-type]
        raise BoundaryFileError(
            [
                Problem(
                    bad,
                    "coordinates are not British National Grid metres but the file says EPSG:27700",
                )
            ]
        )
    result.crs = crs

    seen: dict[str, int] = {}
    for index, (feature, geom) in enumerate(zip(raw_features, geoms, strict=True)):
        if geom is None:
            continue
        props = (feature or {}).get("properties") or {}
        code = str(props.get(result.code_field) or "").strip()
        name = str(props.get(result.name_field) or "").strip()
        if not code:
            result.problems.append(
                Problem(index, f"has no value in the code field '{result.code_field}'")
            )
            continue
        if not name:
            result.problems.append(
                Problem(index, f"has no value in the name field '{result.name_field}'")
            )
            continue
        if code in seen:
            result.problems.append(
                Problem(index, f"repeats the code {code} (first at feature {seen[code]})")
            )
            continue
        seen[code] = index
        if crs == BNG:
            geom = shapely.transform(
                geom, lambda xy: np.column_stack(bng_to_wgs84().transform(xy[:, 0], xy[:, 1]))
            )
        repaired = False
        if not geom.is_valid:
            geom = _polygonal(shapely.make_valid(geom))
            repaired = True
            if geom.is_empty or not geom.is_valid:
                result.problems.append(
                    Problem(index, f"({code}) has an invalid geometry that could not be repaired")
                )
                continue
        result.features.append(
            Feature(
                index=index,
                code=code,
                name=name,
                geometry=geom,
                properties=props,
                repaired=repaired,
            )
        )
    return result


def read_vector_file(path: str | Path, **kwargs: Any) -> ReadResult:
    """GeoJSON always; shapefile and GeoPackage when the optional `pyogrio` wheel is there."""
    suffixes = "".join(Path(path).suffixes).lower()
    if suffixes.endswith((".geojson", ".json", ".geojson.gz", ".json.gz")):
        return read_geojson(path, **kwargs)
    if suffixes.endswith((".shp", ".gpkg", ".zip")):
        return _read_with_pyogrio(path, **kwargs)
    return read_geojson(path, **kwargs)


def _read_with_pyogrio(path: str | Path, **kwargs: Any) -> ReadResult:
    try:
        from pyogrio import raw  # noqa: PLC0415 - optional dependency
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise BoundaryFileError(
            [
                Problem(
                    None,
                    "shapefiles and GeoPackages need the optional 'pyogrio' package; "
                    "use GeoJSON instead",
                )
            ]
        ) from error
    try:
        meta, _fids, wkb, field_data = raw.read(str(path))
    except Exception as error:  # pyogrio wraps GDAL errors in several classes
        raise BoundaryFileError([Problem(None, f"the file could not be read ({error})")]) from error
    fields = list(meta["fields"])
    geoms = shapely.from_wkb(wkb)
    crs = str(meta.get("crs") or "")
    transformer = None
    if crs and "4326" not in crs:
        transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
    features = []
    for i, geom in enumerate(geoms):
        props = {name: _plain(field_data[j][i]) for j, name in enumerate(fields)}
        if transformer is not None and geom is not None:
            t = transformer
            geom = shapely.transform(
                geom, lambda xy, t=t: np.column_stack(t.transform(xy[:, 0], xy[:, 1]))
            )
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": json.loads(shapely.to_geojson(geom)) if geom else None,
            }
        )
    return read_geojson({"type": "FeatureCollection", "features": features}, **kwargs)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def geometry_fingerprint(geom: BaseGeometry) -> str:
    """A stable hash of a geometry, so re-importing the same file changes nothing."""
    return hashlib.sha256(shapely.to_wkb(geom, hex=False, output_dimension=2)).hexdigest()


def area_m2(geom: BaseGeometry) -> float:
    return float(shapely.area(to_bng(geom)))


# ---------------------------------------------------------------------------- the index


class GridIndex:
    """Point-in-polygon for one set of polygons (WGS84 lon/lat), answered mostly by a grid.

    `owner[cell]` is the polygon index for a cell wholly inside one polygon, -1 for a cell
    outside every polygon, and -2-k for a "mixed" cell whose candidates are
    `candidates[starts[k]:starts[k+1]]`. Points on a shared boundary go to the polygon with
    the lowest index, so callers pass polygons in a stable order (by code).
    """

    def __init__(self, geoms: Sequence[BaseGeometry], *, max_cells: int = 1 << 20) -> None:
        self.geoms = np.asarray(list(geoms), dtype=object)
        self.n = len(self.geoms)
        if self.n:
            shapely.prepare(self.geoms)
        if self.n == 0:
            self.x0 = self.y0 = 0.0
            self.cell = 1.0
            self.nx = self.ny = 1
            self.owner = np.full(1, -1, np.int32)
            self.starts = np.zeros(1, np.int64)
            self.candidates = np.zeros(0, np.int32)
            return
        minx, miny, maxx, maxy = shapely.total_bounds(self.geoms)
        width, height = max(maxx - minx, 1e-9), max(maxy - miny, 1e-9)
        cell = math.sqrt(width * height / max_cells)
        self.nx = max(1, math.ceil(width / cell))
        self.ny = max(1, math.ceil(height / cell))
        self.cell = cell
        self.x0, self.y0 = minx, miny
        self._build()

    # -- building

    def _edge_cells(self) -> np.ndarray:
        """Cells any polygon edge passes through or touches (a slight superset)."""
        lines = shapely.get_parts(shapely.boundary(self.geoms))
        coords, ring = shapely.get_coordinates(lines, return_index=True)
        gx = (coords[:, 0] - self.x0) / self.cell
        gy = (coords[:, 1] - self.y0) / self.cell
        same = ring[1:] == ring[:-1]
        ax, ay, bx, by = gx[:-1][same], gy[:-1][same], gx[1:][same], gy[1:][same]
        # Sample each segment every 0.4 cells: every cell the segment touches then lies within
        # one cell of a sample, so marking each sample's 3x3 neighbourhood covers them all.
        length = np.hypot(bx - ax, by - ay)
        steps = np.ceil(length / 0.4).astype(np.int64) + 1
        seg = np.repeat(np.arange(len(ax)), steps)
        offsets = np.arange(len(seg)) - np.repeat(np.cumsum(steps) - steps, steps)
        t = offsets / np.maximum(np.repeat(steps, steps) - 1, 1)
        sx = np.floor(ax[seg] + (bx[seg] - ax[seg]) * t).astype(np.int64)
        sy = np.floor(ay[seg] + (by[seg] - ay[seg]) * t).astype(np.int64)
        marked = np.zeros((self.ny, self.nx), dtype=bool)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                cx = np.clip(sx + dx, 0, self.nx - 1)
                cy = np.clip(sy + dy, 0, self.ny - 1)
                marked[cy, cx] = True
        return marked

    def _build(self) -> None:
        nx, ny = self.nx, self.ny
        mixed = self._edge_cells()

        # Runs of consecutive edge-free cells in a row lie inside the same polygons: test
        # one cell centre per run.
        free = ~mixed
        starts = free.copy()
        starts[:, 1:] &= mixed[:, :-1]
        flat_free = free.ravel()
        flat_starts = starts.ravel()
        run_of_cell = np.cumsum(flat_starts) - 1
        start_cells = np.flatnonzero(flat_starts)
        cx = self.x0 + (start_cells % nx + 0.5) * self.cell
        cy = self.y0 + (start_cells // nx + 0.5) * self.cell
        # Query with the polygons as input so GEOS prepares them (the points/boxes are simple).
        run_polys, run_pts = shapely.STRtree(shapely.points(cx, cy)).query(
            self.geoms, predicate="intersects"
        )
        hits = np.bincount(run_pts, minlength=len(start_cells))
        run_owner = np.full(len(start_cells), -1, np.int32)
        single = hits[run_pts] == 1
        run_owner[run_pts[single]] = run_polys[single]
        owner = np.full(nx * ny, -1, np.int32)
        owner[flat_free] = run_owner[run_of_cell[flat_free]]
        # Overlapping polygons: runs inside more than one are answered exactly, like edges.
        multi_runs = np.flatnonzero(hits > 1)
        mixed_flat = mixed.ravel().copy()
        if len(multi_runs):
            mixed_flat[flat_free & np.isin(run_of_cell, multi_runs)] = True

        mixed_cells = np.flatnonzero(mixed_flat)
        mx = self.x0 + (mixed_cells % nx) * self.cell
        my = self.y0 + (mixed_cells // nx) * self.cell
        boxes = shapely.box(mx, my, mx + self.cell, my + self.cell)
        poly_idx, box_idx = shapely.STRtree(boxes).query(self.geoms, predicate="intersects")
        order = np.lexsort((poly_idx, box_idx))
        box_idx, poly_idx = box_idx[order], poly_idx[order]
        counts = np.bincount(box_idx, minlength=len(mixed_cells))
        # A mixed cell with no candidate is simply outside; keep it -1 with no list.
        slots = np.cumsum(counts > 0) - 1
        has = counts > 0
        owner[mixed_cells[~has]] = -1
        owner[mixed_cells[has]] = -2 - slots[has].astype(np.int32)
        self.starts = np.concatenate([[0], np.cumsum(counts[has])]).astype(np.int64)
        self.candidates = poly_idx.astype(np.int32)
        self.owner = owner
        self.mixed_cells = int(has.sum())

    # -- querying

    def _cells(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        finite = np.isfinite(x) & np.isfinite(y)
        fx = np.where(finite, (x - self.x0) / self.cell, -1.0)
        fy = np.where(finite, (y - self.y0) / self.cell, -1.0)
        inside = finite & (fx >= 0) & (fx < self.nx) & (fy >= 0) & (fy < self.ny)
        ix = np.floor(np.where(inside, fx, 0)).astype(np.int64)
        iy = np.floor(np.where(inside, fy, 0)).astype(np.int64)
        return np.where(inside, iy * self.nx + ix, -1)

    def locate_many(self, x: Iterable[float], y: Iterable[float]) -> np.ndarray:
        """For each point, the index of the polygon covering it (lowest index on a shared
        boundary), or -1 when it is outside every polygon."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        cells = self._cells(x, y)
        valid = cells >= 0
        owner = np.full(len(x), -1, np.int32)
        owner[valid] = self.owner[cells[valid]]
        result = np.where(owner >= 0, owner, -1).astype(np.int32)
        mixed_pts = np.flatnonzero(owner <= -2)
        if len(mixed_pts) == 0:
            return result
        slot = -owner[mixed_pts] - 2
        lo, hi = self.starts[slot], self.starts[slot + 1]
        counts = hi - lo
        pair_pt = np.repeat(mixed_pts, counts)
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        pair_poly = self.candidates[np.repeat(lo, counts) + within]
        # Test pairs polygon by polygon, so each prepared polygon sees all its points at once.
        order = np.argsort(pair_poly, kind="stable")
        pair_pt, pair_poly = pair_pt[order], pair_poly[order]
        bounds = np.flatnonzero(np.diff(pair_poly)) + 1
        hit = np.zeros(len(pair_pt), dtype=bool)
        for a, b in zip(np.r_[0, bounds], np.r_[bounds, len(pair_pt)], strict=True):
            pts = pair_pt[a:b]
            hit[a:b] = shapely.intersects_xy(self.geoms[pair_poly[a]], x[pts], y[pts])
        best = np.full(len(x), np.iinfo(np.int32).max, np.int64)
        np.minimum.at(best, pair_pt[hit], pair_poly[hit])
        found = best[mixed_pts] != np.iinfo(np.int32).max
        result[mixed_pts[found]] = best[mixed_pts][found]
        return result

    def locate_all(self, x: float, y: float) -> list[int]:
        """Every polygon covering one point (more than one only where polygons overlap or
        the point is on a shared boundary)."""
        cells = self._cells(np.array([x]), np.array([y]))
        if cells[0] < 0:
            return []
        owner = int(self.owner[cells[0]])
        if owner >= 0:
            return [owner]
        if owner == -1:
            return []
        slot = -owner - 2
        cands = self.candidates[self.starts[slot] : self.starts[slot + 1]]
        return [int(c) for c in cands if shapely.intersects_xy(self.geoms[c], x, y)]

    def locate_one(self, x: float, y: float) -> int:
        found = self.locate_all(x, y)
        return found[0] if found else -1

    @property
    def nbytes(self) -> int:
        return int(self.owner.nbytes + self.starts.nbytes + self.candidates.nbytes)
