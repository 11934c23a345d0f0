"""Writes for places: importing boundaries, postcodes and area data; locating records;
overlaps; custom areas; and the demo place's real geography."""

from __future__ import annotations

import copy
import csv
import io
import json
import logging
import math
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.module_loading import import_string
from django.utils.text import slugify
from shapely.geometry.base import BaseGeometry

from placebase.core.audit import audit_record

from . import selectors
from .errors import (
    AreaDataRejected,
    BoundaryFileRejected,
    BoundarySetMissing,
    CustomAreaInvalid,
    PostcodeFileRejected,
)
from .geo import (
    BoundaryFileError,
    Feature,
    Problem,
    ReadResult,
    area_m2,
    geometry_fingerprint,
    open_text,
    read_geojson,
    read_vector_file,
    to_bng,
)
from .models import (
    CUSTOM_LEVELS,
    LEVEL_RANK,
    Area,
    AreaAttribute,
    AreaCombination,
    AreaMembership,
    AreaOverlap,
    AreaVersion,
    BoundarySet,
    ImportJob,
    ImportKind,
    ImportStatus,
    Level,
    LocatedPoint,
    Postcode,
    combination_key,
)

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None] | None

DATA_DIR = Path(__file__).resolve().parent / "data"
ONS_SOURCE = "Office for National Statistics, Open Geography Portal"
OGL = "Open Government Licence v3.0"
BATCH = 5000
# Population figures are given only where LSOAs cover this share of an area: generalised
# boundaries of different sets never match exactly, so demanding 100% would show nothing.
MIN_LSOA_COVER = 0.97


def _tick(progress: Progress, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _chunks[T](items: list[T], size: int = BATCH) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------------------- boundaries


@dataclass
class ImportOutcome:
    boundary_set: BoundarySet
    created: int
    updated: int
    unchanged: int
    repaired: list[int]

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def as_dict(self) -> dict[str, Any]:
        return {
            "boundary_set": str(self.boundary_set.id),
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "repaired": self.repaired,
        }


def _problems_payload(problems: list[Problem]) -> list[dict[str, Any]]:
    return [{"index": p.index, "reason": p.reason} for p in problems]


def boundary_file_read(
    *, path: str | Path, code_field: str | None = None, name_field: str | None = None
) -> ReadResult:
    """Read and check a boundary file; raise BoundaryFileRejected listing every problem."""
    try:
        result = read_vector_file(path, code_field=code_field, name_field=name_field)
    except BoundaryFileError as error:
        raise BoundaryFileRejected(
            str(error), problems=_problems_payload(error.problems)
        ) from error
    except FileNotFoundError as error:
        raise BoundaryFileRejected(
            f"file not found: {Path(path).name}",
            problems=[{"index": None, "reason": "file not found"}],
        ) from error
    if result.problems:
        shown = "; ".join(str(p) for p in result.problems[:5])
        more = f" (and {len(result.problems) - 5} more)" if len(result.problems) > 5 else ""
        raise BoundaryFileRejected(
            f"{len(result.problems)} problem(s): {shown}{more}",
            problems=_problems_payload(result.problems),
        )
    if not result.features:
        raise BoundaryFileRejected(
            "the file has no usable features",
            problems=[{"index": None, "reason": "no usable features"}],
        )
    return result


def _area_fields(geom: BaseGeometry) -> dict[str, Any]:
    minx, miny, maxx, maxy = geom.bounds
    # A representative point is always inside, unlike the centroid of a crescent.
    centre = geom.centroid if geom.contains(geom.centroid) else geom.representative_point()
    return {
        "geometry": shapely.to_geojson(geom),
        "geometry_wkb": shapely.to_wkb(geom, output_dimension=2),
        "geometry_hash": geometry_fingerprint(geom),
        "min_lon": minx,
        "min_lat": miny,
        "max_lon": maxx,
        "max_lat": maxy,
        "centroid_lat": round(centre.y, 6),
        "centroid_lon": round(centre.x, 6),
        "area_m2": area_m2(geom),
    }


@transaction.atomic
def boundary_set_import(
    *,
    level: str,
    vintage: int,
    path: str | Path | None = None,
    read: ReadResult | None = None,
    name: str = "",
    source: str = "",
    licence: str = "",
    code_field: str | None = None,
    name_field: str | None = None,
    actor: Any = None,
    progress: Progress = None,
) -> ImportOutcome:
    """Add or update the areas of one boundary set (level + vintage) from a boundary file.

    All or nothing: any bad feature rejects the whole file. Idempotent: areas whose name and
    geometry are unchanged are left alone. Areas already in the set but not in the file stay
    (a set can be filled one council at a time). Existing records are placed in the new
    areas by `boundary_set_locate_existing`, which callers run next, in the background.
    """
    if level not in Level.values:
        raise BoundaryFileRejected(
            f"unknown level '{level}'", problems=[{"index": None, "reason": "unknown level"}]
        )
    if not 1900 <= int(vintage) <= 2100:
        raise BoundaryFileRejected(
            f"vintage {vintage} is not a year",
            problems=[{"index": None, "reason": "vintage is not a year"}],
        )
    if read is None:
        if path is None:
            raise ValueError("give a path or a read result")
        read = boundary_file_read(path=path, code_field=code_field, name_field=name_field)
    label = Level(level).label
    boundary_set, _ = BoundarySet.objects.get_or_create(
        level=level,
        vintage=vintage,
        defaults={"name": name or f"{label} {vintage}", "source": source, "licence": licence},
    )
    changes = {
        k: v
        for k, v in {"name": name, "source": source, "licence": licence}.items()
        if v and getattr(boundary_set, k) != v
    }
    if changes:
        BoundarySet.objects.filter(pk=boundary_set.pk).update(**changes)

    existing = {
        a.code: a
        for a in Area.objects.filter(boundary_set=boundary_set).only(
            "id", "code", "name", "geometry_hash"
        )
    }
    created = updated = unchanged = 0
    to_create: list[Area] = []
    total = len(read.features)
    for i, feature in enumerate(read.features, 1):
        current = existing.get(feature.code)
        fingerprint = geometry_fingerprint(feature.geometry)
        if (
            current is not None
            and current.geometry_hash == fingerprint
            and current.name == feature.name
        ):
            unchanged += 1
        elif current is not None:
            Area.objects.filter(pk=current.pk).update(
                name=feature.name, version=F("version") + 1, **_area_fields(feature.geometry)
            )
            updated += 1
        else:
            to_create.append(
                Area(
                    boundary_set=boundary_set,
                    code=feature.code,
                    name=feature.name,
                    **_area_fields(feature.geometry),
                )
            )
            created += 1
        if i % 50 == 0 or i == total:
            _tick(progress, i, total)
    Area.objects.bulk_create(to_create, batch_size=500)
    if created or updated:
        BoundarySet.objects.filter(pk=boundary_set.pk).update(
            geometry_version=F("geometry_version") + 1
        )
    boundary_set.refresh_from_db()
    outcome = ImportOutcome(boundary_set, created, updated, unchanged, read.repaired)
    audit_record(
        actor=actor,
        verb="places.boundaries_imported",
        target=boundary_set,
        payload={
            "level": level,
            "vintage": vintage,
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
            "repaired": len(read.repaired),
        },
    )
    return outcome


@transaction.atomic
def boundary_set_activate(*, boundary_set: BoundarySet, is_active: bool, actor: Any) -> None:
    # Membership rows (and so combinations) keep every set's areas, active or not: rollups
    # pick the active sets' areas when they read, so nothing is rewritten here.
    BoundarySet.objects.filter(pk=boundary_set.pk).update(is_active=is_active)
    audit_record(
        actor=actor,
        verb="places.boundary_set_activated" if is_active else "places.boundary_set_deactivated",
        target=boundary_set,
    )


def boundary_set_locate_existing(
    *, boundary_set: BoundarySet, progress: Progress = None
) -> dict[str, int]:
    """Place every already-located record in the areas of this set (replacing its earlier
    rows for the set). Runs in batches, each in its own transaction, so a big run shows
    progress and a crash loses at most one batch (running it again finishes the job)."""
    set_index = selectors.set_index_get(boundary_set=boundary_set)
    points = list(
        LocatedPoint.objects.order_by("id").values_list(
            "id", "record_type", "record_id", "lat", "lon", "combination_id"
        )
    )
    set_area_ids = {str(a) for a in set_index.area_ids}
    total = len(points)
    located = 0
    _tick(progress, 0, total)
    for chunk_no, chunk in enumerate(_chunks(points, 20_000)):
        lat = np.array([p[3] for p in chunk], float)
        lon = np.array([p[4] for p in chunk], float)
        if set_index.many:
            found = [set_index.locate(x, y) for x, y in zip(lon, lat, strict=True)]
        else:
            hits = set_index.index.locate_many(lon, lat)
            found = [[int(h)] if h >= 0 else [] for h in hits]
        rows = [
            AreaMembership(
                area_id=set_index.area_ids[i],
                boundary_set_id=boundary_set.id,
                record_type=p[1],
                record_id=p[2],
            )
            for p, idxs in zip(chunk, found, strict=True)
            for i in idxs
        ]
        with transaction.atomic():
            by_type: dict[str, list[uuid.UUID]] = {}
            for p in chunk:
                by_type.setdefault(p[1], []).append(p[2])
            for record_type, record_ids in by_type.items():
                for part in _chunks(record_ids, 900):
                    AreaMembership.objects.filter(
                        boundary_set=boundary_set, record_type=record_type, record_id__in=part
                    ).delete()
            AreaMembership.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
            hit_ids: list[int] = [p[0] for p, idxs in zip(chunk, found, strict=True) if idxs]
            for pk_part in _chunks(hit_ids, 900):
                LocatedPoint.objects.filter(id__in=pk_part, outside=True).update(outside=False)
            # Each combination swaps its areas of this set for the new ones; points with no
            # combination yet get theirs from all their membership rows.
            known = _combination_areas({p[5] for p in chunk if p[5] is not None})
            wanted: dict[int, list[str]] = {}
            for p, idxs in zip(chunk, found, strict=True):
                if p[5] is not None and p[5] in known:
                    kept = [a for a in known[p[5]] if a not in set_area_ids]
                    wanted[p[0]] = kept + [str(set_index.area_ids[i]) for i in idxs]
            missing = [(p[0], p[1], p[2]) for p in chunk if p[0] not in wanted]
            wanted |= _membership_areas(missing)
            _points_combine(wanted, current={p[0]: p[5] for p in chunk})
        located += sum(1 for idxs in found if idxs)
        _tick(progress, min((chunk_no + 1) * 20_000, total), total)
    if total:
        transaction.on_commit(_after_relocation)
    return {"records": total, "located": located, "outside": total - located}


def _after_relocation() -> None:
    """Queue the refreshes other apps named in settings.PLACES_AFTER_RELOCATION."""
    for path in settings.PLACES_AFTER_RELOCATION:
        import_string(path).enqueue()


# ---------------------------------------------------------------------------- combinations

# Combination key -> id, per process, so locating a record usually needs no query for it.
# Filled only when the row's transaction commits (a rolled-back id must never be reused);
# rows are never deleted, so an entry stays true. The empty set is not kept: it is rare.
_combination_cache: dict[str, int] = {}
_COMBINATION_CACHE_MAX = 100_000


def _combination_cache_add(found: Mapping[str, int], empty: str) -> None:
    if len(_combination_cache) + len(found) > _COMBINATION_CACHE_MAX:
        _combination_cache.clear()
    _combination_cache.update((k, v) for k, v in found.items() if k != empty)


_EMPTY_KEY = combination_key([])[0]


def _combination_ids(wanted: Mapping[str, list[str]]) -> dict[str, int]:
    """Ids of the combinations with these keys (key -> sorted area ids), creating any that
    do not exist yet (safely when two processes create the same one at once)."""
    found = {k: _combination_cache[k] for k in wanted if k in _combination_cache}
    missing = [k for k in wanted if k not in found]
    if not missing:
        return found
    fetched: dict[str, int] = {}
    for part in _chunks(missing, 900):
        fetched.update(AreaCombination.objects.filter(key__in=part).values_list("key", "id"))
    new = [AreaCombination(key=k, area_ids=wanted[k]) for k in missing if k not in fetched]
    if new:
        AreaCombination.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        for part in _chunks([c.key for c in new], 900):
            fetched.update(AreaCombination.objects.filter(key__in=part).values_list("key", "id"))
    transaction.on_commit(lambda: _combination_cache_add(fetched, _EMPTY_KEY))
    return found | fetched


def _combination_areas(ids: Iterable[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for part in _chunks(sorted(ids), 900):
        out.update(AreaCombination.objects.filter(id__in=part).values_list("id", "area_ids"))
    return out


def _membership_areas(points: list[tuple[int, str, uuid.UUID]]) -> dict[int, list[str]]:
    """Point id -> the area ids of its record's membership rows (empty when it has none)."""
    by_record: dict[tuple[str, uuid.UUID], list[str]] = defaultdict(list)
    by_type: dict[str, list[uuid.UUID]] = defaultdict(list)
    for _pk, record_type, record_id in points:
        by_type[record_type].append(record_id)
    for record_type, record_ids in by_type.items():
        for part in _chunks(record_ids, 900):
            for record_id, area_id in AreaMembership.objects.filter(
                record_type=record_type, record_id__in=part
            ).values_list("record_id", "area_id"):
                by_record[(record_type, record_id)].append(str(area_id))
    return {pk: by_record.get((t, r), []) for pk, t, r in points}


def _points_combine(
    wanted: Mapping[int, Iterable[str]], *, current: Mapping[int, int | None] | None = None
) -> None:
    """Point each LocatedPoint (by id) at the combination of the given areas; points
    already pointing at it are left alone."""
    keyed = {pk: combination_key(areas) for pk, areas in wanted.items()}
    ids = _combination_ids({key: areas for key, areas in keyed.values()})
    moves: dict[int, list[int]] = defaultdict(list)
    for pk, (key, _areas) in keyed.items():
        if current is None or current.get(pk) != ids[key]:
            moves[ids[key]].append(pk)
    for combination_id, pks in moves.items():
        for part in _chunks(pks, 900):
            LocatedPoint.objects.filter(id__in=part).update(combination_id=combination_id)


def located_point_combinations_fill(
    *, record_type: str | None = None, progress: Progress = None
) -> int:
    """Give a combination to every located record that has none (rows written straight to
    the tables rather than through `located_point_assign`). Batches, each atomic; safe to
    run again. Returns how many records were filled."""
    qs = LocatedPoint.objects.filter(combination__isnull=True)
    if record_type is not None:
        qs = qs.filter(record_type=record_type)
    total = qs.count()
    done = last = 0
    _tick(progress, 0, total)
    while True:
        batch = list(
            qs.filter(id__gt=last)
            .order_by("id")
            .values_list("id", "record_type", "record_id")[:BATCH]
        )
        if not batch:
            return done
        with transaction.atomic():
            _points_combine(_membership_areas(batch))
        last = batch[-1][0]
        done += len(batch)
        _tick(progress, min(done, total), total)


# ---------------------------------------------------------------------------- locating


@transaction.atomic
def located_point_assign(
    *, record_type: str, record_id: uuid.UUID, lat: float, lon: float
) -> list[Area]:
    """Put a record in every area of every active boundary set containing its point,
    replacing where it was before. A point outside every area is kept (so later boundary
    sets can place it), logged without personal data, and counted by
    `selectors.located_point_outside_count`."""
    selectors._check_point(lat, lon)
    lat, lon = float(lat), float(lon)
    rows: list[AreaMembership] = []
    found: list[Area] = []
    for set_index in selectors.active_indexes():
        for i in set_index.locate(lon, lat):
            found.append(copy.copy(set_index.areas[i]))
            rows.append(
                AreaMembership(
                    area_id=set_index.area_ids[i],
                    boundary_set_id=set_index.set_id,
                    record_type=record_type,
                    record_id=record_id,
                )
            )
    AreaMembership.objects.filter(record_type=record_type, record_id=record_id).delete()
    AreaMembership.objects.bulk_create(rows)
    key, area_ids = combination_key(r.area_id for r in rows)
    combination_id = _combination_ids({key: area_ids})[key]
    LocatedPoint.objects.update_or_create(
        record_type=record_type,
        record_id=record_id,
        defaults={"lat": lat, "lon": lon, "outside": not rows, "combination_id": combination_id},
    )
    if not rows:
        logger.warning("places.point_outside_every_area record_type=%s", record_type)
    found.sort(key=lambda a: (LEVEL_RANK.get(a.boundary_set.level, 99), a.code))
    return found


@transaction.atomic
def located_point_remove(*, record_type: str, record_id: uuid.UUID) -> None:
    # The combination row stays: other records may share it, and rows are never deleted.
    AreaMembership.objects.filter(record_type=record_type, record_id=record_id).delete()
    LocatedPoint.objects.filter(record_type=record_type, record_id=record_id).delete()


# ---------------------------------------------------------------------------- postcodes


def _csv_rows(path: str | Path) -> tuple[list[str], Iterator[dict[str, str]]]:
    text = open_text(path)
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), reader


def _float_or_none(value: str) -> float | None:
    value = (value or "").strip()
    if not value:
        return None
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("not a number")
    return number


@transaction.atomic
def postcode_import(
    *, path: str | Path, source: str = "", actor: Any = None, progress: Progress = None
) -> dict[str, int]:
    """Import an ONSPD/NSPL CSV (`pcds`, `lat`, `long`, `doterm`, optional `dointr`, `laua`,
    `ward`, `lsoa11`, `msoa11`, `lsoa21`). Every row is checked first; any bad row rejects
    the file, with its line number. Running it twice changes nothing."""
    try:
        fields, reader = _csv_rows(path)
    except (OSError, UnicodeDecodeError) as error:
        raise PostcodeFileRejected(
            f"the file could not be read ({error})",
            problems=[{"line": None, "reason": "unreadable"}],
        ) from error
    missing = [f for f in ("pcds", "lat", "long") if f not in fields]
    if missing:
        raise PostcodeFileRejected(
            f"the file lacks the column(s) {', '.join(missing)}",
            problems=[{"line": 1, "reason": f"missing column {m}"} for m in missing],
        )
    rows: dict[str, Postcode] = {}
    problems: list[dict[str, Any]] = []
    label = source or Path(path).name.split(".")[0]
    for line, row in enumerate(reader, start=2):
        try:
            postcode = selectors.postcode_normalise(row.get("pcds", ""))
        except Exception:
            problems.append(
                {"line": line, "reason": f"'{row.get('pcds', '')[:12]}' is not a postcode"}
            )
            continue
        try:
            lat, lon = _float_or_none(row["lat"]), _float_or_none(row["long"])
        except ValueError:
            problems.append({"line": line, "reason": "lat or long is not a number"})
            continue
        # ONSPD writes 99.999999 / 0.000000 for postcodes without a grid reference.
        if lat is not None and (lat > 90 or lat < -90):
            lat = lon = None
        if lat is not None and lon is not None and not (49 <= lat <= 61.5 and -9 <= lon <= 3):
            problems.append({"line": line, "reason": "lat/long is outside the UK"})
            continue
        rows[postcode] = Postcode(
            postcode=postcode,
            lat=lat,
            lon=lon,
            introduced=(row.get("dointr") or "").strip()[:6],
            terminated=(row.get("doterm") or "").strip()[:6],
            district_code=(row.get("laua") or row.get("lad") or "").strip()[:9],
            ward_code=(row.get("ward") or "").strip()[:9],
            lsoa11_code=(row.get("lsoa11") or "").strip()[:9],
            msoa11_code=(row.get("msoa11") or "").strip()[:9],
            lsoa21_code=(row.get("lsoa21") or "").strip()[:9],
            source=label[:100],
        )
    if problems:
        shown = "; ".join(f"line {p['line']}: {p['reason']}" for p in problems[:5])
        raise PostcodeFileRejected(f"{len(problems)} bad row(s): {shown}", problems=problems)
    if not rows:
        raise PostcodeFileRejected(
            "the file has no postcodes", problems=[{"line": None, "reason": "no rows"}]
        )
    items = list(rows.values())
    update = [
        "lat",
        "lon",
        "introduced",
        "terminated",
        "district_code",
        "ward_code",
        "lsoa11_code",
        "msoa11_code",
        "lsoa21_code",
        "source",
    ]
    for done, chunk in enumerate(_chunks(items), 1):
        Postcode.objects.bulk_create(
            chunk, update_conflicts=True, unique_fields=["postcode"], update_fields=update
        )
        _tick(progress, min(done * BATCH, len(items)), len(items))
    terminated = sum(1 for p in items if p.terminated)
    audit_record(
        actor=actor,
        verb="places.postcodes_imported",
        target_type="places.postcode",
        payload={"rows": len(items), "terminated": terminated, "source": label},
    )
    return {"postcodes": len(items), "terminated": terminated}


# ---------------------------------------------------------------------------- area data


_CODE_COLUMNS = ("code", "area_code", "gss_code")


def _code_column(fields: list[str]) -> str | None:
    for field in fields:
        lowered = field.lower()
        if lowered in _CODE_COLUMNS or lowered.endswith(("_code", "cd")):
            return field
    return None


def attribute_key(header: str) -> str:
    """A CSV header as an attribute key: "Aged 16 to 24 years" -> "aged_16_to_24_years"."""
    return slugify(header).replace("-", "_")[:100]


@transaction.atomic
def area_data_import(
    *,
    path: str | Path,
    level: str,
    vintage: int,
    source: str = "",
    rename: dict[str, str] | None = None,
    actor: Any = None,
    progress: Progress = None,
) -> dict[str, int]:
    """Per-area numbers from a CSV: a code column, then one numeric column per attribute.
    Unknown codes and non-numbers reject the file with their line numbers. Blank cells are
    skipped. Re-running updates values in place."""
    boundary_set = BoundarySet.objects.filter(level=level, vintage=vintage).first()
    if boundary_set is None:
        raise BoundarySetMissing(
            f"there is no {level} {vintage} boundary set: import its boundaries first"
        )
    try:
        fields, reader = _csv_rows(path)
    except (OSError, UnicodeDecodeError) as error:
        raise AreaDataRejected(
            f"the file could not be read ({error})",
            problems=[{"line": None, "reason": "unreadable"}],
        ) from error
    code_col = _code_column(fields)
    if code_col is None:
        raise AreaDataRejected(
            "the file has no code column (e.g. 'code' or 'lsoa21_code')",
            problems=[{"line": 1, "reason": "no code column"}],
        )
    rename = rename or {}
    value_cols = [
        f
        for f in fields
        if f != code_col and (f in rename or not f.lower().endswith(("_name", "nm", "name")))
    ]
    if not value_cols:
        raise AreaDataRejected(
            "the file has no value columns", problems=[{"line": 1, "reason": "no value columns"}]
        )
    areas = dict(Area.objects.filter(boundary_set=boundary_set).values_list("code", "id"))
    values: list[AreaAttribute] = []
    problems: list[dict[str, Any]] = []
    label = source or Path(path).name.split(".")[0]
    line = 1
    for line, row in enumerate(reader, start=2):
        code = (row.get(code_col) or "").strip()
        area_id = areas.get(code)
        if area_id is None:
            problems.append(
                {"line": line, "reason": f"no area with code '{code[:20]}' in {level} {vintage}"}
            )
            continue
        for col in value_cols:
            raw = (row.get(col) or "").strip()
            if not raw:
                continue
            try:
                number = float(raw.replace(",", ""))
                if not math.isfinite(number):
                    raise ValueError
            except ValueError:
                problems.append({"line": line, "reason": f"'{col}' is not a number"})
                continue
            values.append(
                AreaAttribute(
                    area_id=area_id,
                    key=rename.get(col) or attribute_key(col),
                    value=number,
                    source=label[:200],
                )
            )
    if line == 1:
        raise AreaDataRejected(
            "the file has no rows", problems=[{"line": None, "reason": "no rows"}]
        )
    if problems:
        shown = "; ".join(f"line {p['line']}: {p['reason']}" for p in problems[:5])
        raise AreaDataRejected(f"{len(problems)} problem(s): {shown}", problems=problems)
    for done, chunk in enumerate(_chunks(values), 1):
        AreaAttribute.objects.bulk_create(
            chunk,
            update_conflicts=True,
            unique_fields=["area", "key"],
            update_fields=["value", "source"],
        )
        _tick(progress, min(done * BATCH, len(values)), len(values))
    audit_record(
        actor=actor,
        verb="places.area_data_imported",
        target=boundary_set,
        payload={"values": len(values), "source": label},
    )
    return {"areas": len({v.area_id for v in values}), "values": len(values)}


AGE_COLUMNS = {
    "Aged 15 years and under": "population_0_15",
    "Aged 16 to 24 years": "population_16_24",
    "Aged 25 to 34 years": "population_25_34",
    "Aged 35 to 49 years": "population_35_49",
    "Aged 50 to 64 years": "population_50_64",
    "Aged 65 years and over": "population_65_plus",
}
IOD_COLUMNS = {"IMD_rank": "imd_rank", "IMD_decile": "imd_decile", "IMD_score": "imd_score"}


@transaction.atomic
def population_totals_refresh(*, boundary_set: BoundarySet) -> int:
    """population_total = the sum of the age bands, for each area that has them."""
    keys = list(AGE_COLUMNS.values())
    totals: dict[uuid.UUID, float] = {}
    for area_id, value in AreaAttribute.objects.filter(
        area__boundary_set=boundary_set, key__in=keys
    ).values_list("area_id", "value"):
        totals[area_id] = totals.get(area_id, 0.0) + value
    AreaAttribute.objects.bulk_create(
        [
            AreaAttribute(area_id=a, key="population_total", value=v, source="sum of age bands")
            for a, v in totals.items()
        ],
        update_conflicts=True,
        unique_fields=["area", "key"],
        update_fields=["value", "source"],
    )
    return len(totals)


# ---------------------------------------------------------------------------- overlaps


def _set_geoms(boundary_set: BoundarySet) -> tuple[list[uuid.UUID], np.ndarray]:
    rows = list(
        Area.objects.filter(boundary_set=boundary_set)
        .order_by("code")
        .values_list("id", "geometry_wkb")
    )
    geoms = shapely.from_wkb([bytes(r[1]) for r in rows]) if rows else np.array([], object)
    return [r[0] for r in rows], to_bng(geoms) if len(rows) else geoms


def _lsoa_population() -> tuple[np.ndarray, np.ndarray] | None:
    lsoa_set = (
        BoundarySet.objects.filter(level=Level.LSOA, vintage__gte=2021).order_by("-vintage").first()
    )
    if lsoa_set is None:
        return None
    rows = list(
        Area.objects.filter(boundary_set=lsoa_set, attributes__key="population_total").values_list(
            "geometry_wkb", "attributes__value"
        )
    )
    if not rows:
        return None
    return to_bng(shapely.from_wkb([bytes(r[0]) for r in rows])), np.array([r[1] for r in rows])


@transaction.atomic
def overlap_compute(
    *, from_set: BoundarySet, to_set: BoundarySet, progress: Progress = None
) -> int:
    """Record, both ways, how much of each area of one set lies in each area of the other:
    by area, and by population (Census 2021 LSOA populations spread evenly over each
    LSOA's area) where LSOA populations cover the area."""
    if from_set.pk == to_set.pk:
        raise ValueError("overlaps are between two different sets")
    a_ids, a_geoms = _set_geoms(from_set)
    b_ids, b_geoms = _set_geoms(to_set)
    AreaOverlap.objects.filter(area__boundary_set=from_set, other__boundary_set=to_set).delete()
    AreaOverlap.objects.filter(area__boundary_set=to_set, other__boundary_set=from_set).delete()
    if not a_ids or not b_ids:
        return 0
    ai, bi = shapely.STRtree(b_geoms).query(a_geoms, predicate="intersects")
    inter = shapely.intersection(a_geoms[ai], b_geoms[bi])
    inter_area = shapely.area(inter)
    a_area = shapely.area(a_geoms)
    b_area = shapely.area(b_geoms)
    keep = inter_area > 1.0  # touching along an edge is not overlapping
    ai, bi, inter, inter_area = ai[keep], bi[keep], inter[keep], inter_area[keep]

    pop_a = pop_b = pop_inter = None
    population = _lsoa_population()
    if population is not None:
        lsoas, pops = population
        lsoa_area = np.maximum(shapely.area(lsoas), 1e-9)
        tree = shapely.STRtree(lsoas)

        def people(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """People in each geometry, and the share of its area the LSOAs cover."""
            gi, li = tree.query(geoms, predicate="intersects")
            part = shapely.area(shapely.intersection(geoms[gi], lsoas[li]))
            est = np.bincount(gi, weights=pops[li] * part / lsoa_area[li], minlength=len(geoms))
            covered = np.bincount(gi, weights=part, minlength=len(geoms))
            return est, covered / np.maximum(shapely.area(geoms), 1e-9)

        pop_a, cover_a = people(a_geoms)
        pop_b, cover_b = people(b_geoms)
        pop_inter, _ = people(inter)
    rows = []
    for k in range(len(ai)):
        i, j = int(ai[k]), int(bi[k])
        share_ab = share_ba = None
        if pop_a is not None and pop_b is not None and pop_inter is not None:
            if cover_a[i] > MIN_LSOA_COVER and pop_a[i] > 0:
                share_ab = min(float(pop_inter[k] / pop_a[i]), 1.0)
            if cover_b[j] > MIN_LSOA_COVER and pop_b[j] > 0:
                share_ba = min(float(pop_inter[k] / pop_b[j]), 1.0)
        rows.append(
            AreaOverlap(
                area_id=a_ids[i],
                other_id=b_ids[j],
                area_share=min(float(inter_area[k] / a_area[i]), 1.0),
                population_share=share_ab,
            )
        )
        rows.append(
            AreaOverlap(
                area_id=b_ids[j],
                other_id=a_ids[i],
                area_share=min(float(inter_area[k] / b_area[j]), 1.0),
                population_share=share_ba,
            )
        )
    AreaOverlap.objects.bulk_create(rows, batch_size=BATCH)
    _tick(progress, len(rows), len(rows))
    return len(rows)


@transaction.atomic
def population_estimates_refresh(*, boundary_set: BoundarySet) -> int:
    """Estimate each area's population by age from LSOA 2021 populations (area-weighted),
    for sets that are not LSOAs themselves. Areas the LSOAs do not cover get nothing."""
    lsoa_set = (
        BoundarySet.objects.filter(level=Level.LSOA, vintage__gte=2021).order_by("-vintage").first()
    )
    if lsoa_set is None or lsoa_set.pk == boundary_set.pk:
        return 0
    keys = [*AGE_COLUMNS.values(), "population_total"]
    lsoa_rows = list(Area.objects.filter(boundary_set=lsoa_set).values_list("id", "geometry_wkb"))
    if not lsoa_rows:
        return 0
    lsoa_values: dict[uuid.UUID, dict[str, float]] = {}
    for area_id, key, value in AreaAttribute.objects.filter(
        area__boundary_set=lsoa_set, key__in=keys
    ).values_list("area_id", "key", "value"):
        lsoa_values.setdefault(area_id, {})[key] = value
    lsoas = to_bng(shapely.from_wkb([bytes(r[1]) for r in lsoa_rows]))
    lsoa_area = np.maximum(shapely.area(lsoas), 1e-9)
    ids, geoms = _set_geoms(boundary_set)
    if not ids:
        return 0
    gi, li = shapely.STRtree(lsoas).query(geoms, predicate="intersects")
    part = shapely.area(shapely.intersection(geoms[gi], lsoas[li]))
    covered = np.bincount(gi, weights=part, minlength=len(ids)) / np.maximum(
        shapely.area(geoms), 1e-9
    )
    estimates: dict[int, dict[str, float]] = {}
    for g, lsoa, share in zip(gi, li, part / lsoa_area[li], strict=True):
        for key, value in lsoa_values.get(lsoa_rows[lsoa][0], {}).items():
            bucket = estimates.setdefault(int(g), {})
            bucket[key] = bucket.get(key, 0.0) + value * float(share)
    rows = []
    for g, values in estimates.items():
        if covered[g] < MIN_LSOA_COVER:
            continue  # partly outside the LSOAs we hold: a total would undercount
        rows += [
            AreaAttribute(
                area_id=ids[g], key=k, value=v, source="estimated from Census 2021 LSOA populations"
            )
            for k, v in values.items()
        ]
        rows.append(
            AreaAttribute(
                area_id=ids[g],
                key="population_estimated",
                value=1,
                source="estimated from Census 2021 LSOA populations",
            )
        )
    AreaAttribute.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["area", "key"],
        update_fields=["value", "source"],
    )
    return len({r.area_id for r in rows})


# ---------------------------------------------------------------------------- custom areas


def custom_geometry_parse(text: str) -> BaseGeometry:
    """One polygon (or multipolygon) from pasted/uploaded GeoJSON: a geometry, a Feature, or
    a FeatureCollection whose polygons are merged. WGS84 or British National Grid."""
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, TypeError) as error:
        raise CustomAreaInvalid("The shape is not valid GeoJSON") from error
    if not isinstance(doc, dict):
        raise CustomAreaInvalid("The shape is not valid GeoJSON")
    if doc.get("type") in {"Polygon", "MultiPolygon"}:
        doc = {"type": "Feature", "geometry": doc, "properties": {}}
    if doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    for feature in doc.get("features") or []:
        if isinstance(feature, dict):
            feature["properties"] = {"code": "shape", "name": "shape"}
    # Codes repeat on purpose here: merge the polygons rather than reject them.
    for i, feature in enumerate(doc.get("features") or []):
        if isinstance(feature, dict):
            feature["properties"]["code"] = f"shape-{i}"
    try:
        result = read_geojson(doc, code_field="code", name_field="name")
    except BoundaryFileError as error:
        raise CustomAreaInvalid(f"The shape cannot be used: {error}") from error
    if result.problems:
        raise CustomAreaInvalid(f"The shape cannot be used: {result.problems[0]}")
    if not result.features:
        raise CustomAreaInvalid("The shape has no polygon")
    geom = shapely.union_all([f.geometry for f in result.features])
    if area_m2(geom) < 100:
        raise CustomAreaInvalid("The shape is too small: draw at least three points apart")
    return geom


def _custom_set(level: str, vintage: int) -> BoundarySet:
    boundary_set, _ = BoundarySet.objects.get_or_create(
        level=level,
        vintage=vintage,
        defaults={
            "name": f"{Level(level).label}s {vintage}",
            "source": "Drawn or uploaded in Placebase",
            "licence": "Your organisation",
        },
    )
    return boundary_set


@transaction.atomic
def custom_area_save(
    *,
    actor: Any,
    name: str,
    geometry: str,
    level: str = Level.PATCH,
    vintage: int | None = None,
    area: Area | None = None,
) -> Area:
    """Create a custom area, or save a new version of one. Every version is kept with its
    population estimate; records are placed in the new shape by
    `boundary_set_locate_existing` (the view queues it)."""
    from django.utils import timezone  # noqa: PLC0415

    name = (name or "").strip()
    if not name:
        raise CustomAreaInvalid("Enter a name for the area")
    if len(name) > 200:
        raise CustomAreaInvalid("The name must be 200 characters or fewer")
    if area is None and level not in CUSTOM_LEVELS:
        raise CustomAreaInvalid("Custom areas are patches or neighbourhoods")
    geom = custom_geometry_parse(geometry)
    population = selectors.population_estimate(geometry=geom)
    fields = _area_fields(geom)
    if area is None:
        boundary_set = _custom_set(level, vintage or timezone.now().year)
        base = slugify(name)[:50] or "area"
        code, n = base, 1
        while Area.objects.filter(boundary_set=boundary_set, code=code).exists():
            n += 1
            code = f"{base}-{n}"
        area = Area.objects.create(
            boundary_set=boundary_set,
            code=code,
            name=name,
            created_by=actor if getattr(actor, "pk", None) else None,
            **fields,
        )
        verb = "places.custom_area_created"
    else:
        if area.boundary_set.level not in CUSTOM_LEVELS:
            raise CustomAreaInvalid("Only custom areas can be redrawn")
        Area.objects.filter(pk=area.pk).update(name=name, version=F("version") + 1, **fields)
        area.refresh_from_db()
        verb = "places.custom_area_redrawn"
    AreaVersion.objects.create(
        area=area,
        version=area.version,
        name=name,
        geometry=fields["geometry"],
        population_estimate=population,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if population is not None:
        AreaAttribute.objects.update_or_create(
            area=area,
            key="population_total",
            defaults={"value": population, "source": "estimated from Census 2021 LSOA populations"},
        )
        AreaAttribute.objects.update_or_create(
            area=area, key="population_estimated", defaults={"value": 1}
        )
    else:
        AreaAttribute.objects.filter(
            area=area, key__in=["population_total", "population_estimated"]
        ).delete()
    BoundarySet.objects.filter(pk=area.boundary_set_id).update(
        geometry_version=F("geometry_version") + 1
    )
    area.boundary_set.refresh_from_db()
    audit_record(actor=actor, verb=verb, target=area, payload={"version": area.version})
    return area


# ---------------------------------------------------------------------------- the demo place


@dataclass(frozen=True)
class ShippedSet:
    level: str
    vintage: int
    filename: str
    name: str


DEMO_SETS = [
    ShippedSet(Level.REGION, 2023, "rgn-2023-en-buc.geojson.gz", "English regions 2023"),
    ShippedSet(Level.ICB, 2023, "icb-2023-en-bsc.geojson.gz", "NHS integrated care boards 2023"),
    ShippedSet(Level.SUB_ICB, 2023, "sub-icb-2023-en-bsc.geojson.gz", "NHS sub-ICB locations 2023"),
    ShippedSet(
        Level.DISTRICT, 2024, "lad-2024-uk-bsc.geojson.gz", "Local authority districts 2024"
    ),
    ShippedSet(Level.WARD, 2025, "ward-2025-E09000029.geojson.gz", "Electoral wards 2025"),
    ShippedSet(Level.MSOA, 2021, "msoa-2021-E09000029.geojson.gz", "MSOAs 2021"),
    ShippedSet(Level.LSOA, 2021, "lsoa-2021-E09000029.geojson.gz", "LSOAs 2021"),
    ShippedSet(Level.LSOA, 2011, "lsoa-2011-E09000029.geojson.gz", "LSOAs 2011"),
]
# The pairs whose overlaps the area pages show: Sutton's small areas against each other,
# and against the NHS footprints and districts they sit in.
DEMO_OVERLAPS = [
    ((Level.LSOA, 2021), (Level.WARD, 2025)),
    ((Level.LSOA, 2021), (Level.MSOA, 2021)),
    ((Level.MSOA, 2021), (Level.WARD, 2025)),
    ((Level.LSOA, 2011), (Level.WARD, 2025)),
    ((Level.LSOA, 2011), (Level.LSOA, 2021)),
    ((Level.WARD, 2025), (Level.DISTRICT, 2024)),
    ((Level.WARD, 2025), (Level.SUB_ICB, 2023)),
    ((Level.WARD, 2025), (Level.ICB, 2023)),
    ((Level.LSOA, 2021), (Level.SUB_ICB, 2023)),
    ((Level.DISTRICT, 2024), (Level.ICB, 2023)),
    ((Level.DISTRICT, 2024), (Level.SUB_ICB, 2023)),
    ((Level.SUB_ICB, 2023), (Level.ICB, 2023)),
    ((Level.DISTRICT, 2024), (Level.REGION, 2023)),
]


def demo_place_load(*, progress: bool = False) -> dict[str, int]:
    """Load the demo place's real geography (idempotent): Sutton's wards, LSOAs (2011 and
    2021) and MSOAs, England's districts, regions, ICBs and sub-ICBs, Sutton's postcodes,
    Census 2021 population by age and IoD 2025 for Sutton's LSOAs, then overlaps and
    population estimates. Returns counts of what is there afterwards."""
    bar = _progress_bar(progress, total=len(DEMO_SETS) + 4)
    changed = False
    sets: dict[tuple[str, int], BoundarySet] = {}
    for shipped in DEMO_SETS:
        outcome = boundary_set_import(
            level=shipped.level,
            vintage=shipped.vintage,
            path=DATA_DIR / shipped.filename,
            name=shipped.name,
            source=ONS_SOURCE,
            licence=OGL,
        )
        sets[(shipped.level, shipped.vintage)] = outcome.boundary_set
        changed |= outcome.changed
        if outcome.changed and LocatedPoint.objects.exists():
            boundary_set_locate_existing(boundary_set=outcome.boundary_set)
        bar(f"{shipped.name}")
    postcodes = postcode_import(path=DATA_DIR / "nspl-2021-11-sutton.csv.gz", source="NSPL 2021-11")
    bar("postcodes")
    lsoa21 = (Level.LSOA, 2021)
    area_data_import(
        path=DATA_DIR / "census2021-age-sutton-lsoa21.csv",
        level=lsoa21[0],
        vintage=lsoa21[1],
        source="Census 2021 (ONS)",
        rename=AGE_COLUMNS,
    )
    population_totals_refresh(boundary_set=sets[lsoa21])
    area_data_import(
        path=DATA_DIR / "iod2025-sutton-lsoa21.csv",
        level=lsoa21[0],
        vintage=lsoa21[1],
        source="English Indices of Deprivation 2025 (MHCLG)",
        rename=IOD_COLUMNS,
    )
    bar("area data")
    have_overlaps = AreaOverlap.objects.filter(area__boundary_set=sets[lsoa21]).exists()
    if changed or not have_overlaps:
        for a, b in DEMO_OVERLAPS:
            overlap_compute(from_set=sets[a], to_set=sets[b])
        bar("overlaps")
        for key in [
            (Level.WARD, 2025),
            (Level.MSOA, 2021),
            (Level.LSOA, 2011),
            (Level.DISTRICT, 2024),
            (Level.SUB_ICB, 2023),
        ]:
            population_estimates_refresh(boundary_set=sets[key])
        bar("population estimates")
    return {
        "boundary sets": len(sets),
        "areas": Area.objects.filter(boundary_set__in=sets.values()).count(),
        "postcodes": postcodes["postcodes"],
        "overlaps": AreaOverlap.objects.count(),
    }


def _progress_bar(enabled: bool, *, total: int) -> Callable[[str], None]:
    if not enabled:
        return lambda _label: None
    from tqdm import tqdm  # noqa: PLC0415 - only the CLI wants a bar

    bar = tqdm(total=total, desc="Demo place", unit="step")

    def step(label: str) -> None:
        bar.set_postfix_str(label)
        bar.update(1)
        if bar.n >= total:
            bar.close()

    return step


def features_from(features: Iterable[Feature]) -> ReadResult:
    """A ReadResult from features already in hand (tests and custom callers)."""
    return ReadResult(features=list(features))


# ---------------------------------------------------------------------------- background jobs

JOB_DIR = "places-imports"
MAX_ATTEMPTS = 3


def _job_progress(job_id: uuid.UUID) -> Callable[[int, int], None]:
    def update(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(done=done, total=total)

    return update


@transaction.atomic
def import_job_start(
    *, kind: str, actor: Any, options: dict[str, Any], upload: Any = None
) -> ImportJob:
    """Record an import (keeping the uploaded file) and queue it; returns the job to watch."""
    from django.core.files.storage import default_storage  # noqa: PLC0415

    from . import tasks  # noqa: PLC0415 - tasks import services

    if kind not in ImportKind.values:
        raise ValueError(f"unknown import kind {kind}")
    job = ImportJob.objects.create(
        kind=kind, options=options, created_by=actor if getattr(actor, "pk", None) else None
    )
    if upload is not None:
        safe = Path(getattr(upload, "name", "upload")).name[-100:] or "upload"
        stored = default_storage.save(f"{JOB_DIR}/{job.id}/{safe}", upload)
        ImportJob.objects.filter(pk=job.pk).update(filename=safe, stored_path=stored)
        job.refresh_from_db()
    audit_record(actor=actor, verb="places.import_queued", target=job, payload={"kind": kind})
    transaction.on_commit(lambda: tasks.import_job_task.enqueue(str(job.id)))
    return job


def _problem_list(details: dict[str, Any]) -> list[dict[str, Any]]:
    problems = details.get("problems")
    return list(problems) if isinstance(problems, list) else []


def import_job_run(*, job_id: uuid.UUID) -> ImportJob:
    """Run one queued job. Bad input fails at once (running it again would not help); an
    unexpected error is retried up to MAX_ATTEMPTS times, then shown as failed."""
    from django.core.files.storage import default_storage  # noqa: PLC0415

    from placebase.core.errors import PlacebaseError  # noqa: PLC0415

    from . import tasks  # noqa: PLC0415

    job = ImportJob.objects.get(pk=job_id)
    if job.status == ImportStatus.SUCCEEDED:
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, attempts=F("attempts") + 1, message=""
    )
    job.refresh_from_db()
    progress = _job_progress(job.pk)
    opts = job.options
    path = default_storage.path(job.stored_path) if job.stored_path else ""
    result: dict[str, Any]
    try:
        if job.kind == ImportKind.BOUNDARIES:
            outcome = boundary_set_import(
                path=path,
                level=opts["level"],
                vintage=int(opts["vintage"]),
                name=opts.get("name", ""),
                code_field=opts.get("code_field") or None,
                name_field=opts.get("name_field") or None,
                source=opts.get("source", ""),
                licence=opts.get("licence", ""),
                actor=job.created_by,
                progress=progress,
            )
            result = outcome.as_dict()
            ImportJob.objects.filter(pk=job.pk).update(message="Placing existing records")
            result |= boundary_set_locate_existing(
                boundary_set=outcome.boundary_set, progress=progress
            )
        elif job.kind == ImportKind.POSTCODES:
            result = postcode_import(
                path=path, source=opts.get("source", ""), actor=job.created_by, progress=progress
            )
        elif job.kind == ImportKind.AREA_DATA:
            result = area_data_import(
                path=path,
                level=opts["level"],
                vintage=int(opts["vintage"]),
                source=opts.get("source", ""),
                actor=job.created_by,
                progress=progress,
            )
        else:
            boundary_set = BoundarySet.objects.get(pk=opts["boundary_set"])
            result = boundary_set_locate_existing(boundary_set=boundary_set, progress=progress)
    except PlacebaseError as error:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            message=error.message,
            problems=_problem_list(error.details)[:500],
        )
    except Exception:
        logger.exception("places.import_job_error kind=%s", job.kind)
        job.refresh_from_db()
        if job.attempts < MAX_ATTEMPTS:
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.QUEUED, message="Something went wrong; trying again"
            )
            tasks.import_job_task.enqueue(str(job.pk))
        else:
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.FAILED,
                message="Something went wrong and the import stopped. Nothing was changed. "
                "Try again, or ask your administrator to check the logs.",
            )
    else:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.SUCCEEDED, result=result, message=""
        )
        if job.stored_path:
            default_storage.delete(job.stored_path)
    job.refresh_from_db()
    return job
