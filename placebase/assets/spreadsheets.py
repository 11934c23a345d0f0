"""Asset registers as spreadsheets (CSV and XLSX): template, export and import.

Councils keep asset registers in spreadsheets. One row is one listing, in the same flat
shape as LISTING_FIELDS; categories, accessibility features and service areas are lists
separated by semicolons. Import checks every row first and reports each problem with its line;
then writes all rows in one transaction, or only the valid ones when asked to. A row with an
`id` updates that listing, so importing the same file twice changes nothing the second time.
"""

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from openpyxl import Workbook, load_workbook

from placebase.core.audit import audit_record
from placebase.core.errors import ImportRejected, ValidationFailed

from . import geo, search
from . import models as m
from .services import (
    LISTING_FIELDS,
    ListingInvalid,
    _asset_change,
    _changed_fields,
    asset_create,
    asset_snapshot,
    listing_clean,
)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000

COLUMNS: list[tuple[str, str]] = [
    ("id", "Leave empty for a new listing; keep it to update one"),
    ("name", "Required"),
    ("kind", "building, room, green_space, group, service, business or activity"),
    ("description", ""),
    ("status", "active, inactive, defunct or temporarily closed"),
    ("provider", "Who runs it (an organisation's name)"),
    ("location_name", "e.g. the name of the hall"),
    ("address_1", ""),
    ("address_2", ""),
    ("city", ""),
    ("postcode", "Locates the listing when latitude and longitude are empty"),
    ("latitude", ""),
    ("longitude", ""),
    ("transportation", "How to get there"),
    ("phone", ""),
    ("email", ""),
    ("url", "Website, starting https://"),
    ("fees", ""),
    ("is_free", "yes or no"),
    ("minimum_age", ""),
    ("maximum_age", ""),
    ("custodian", "Who looks after it"),
    ("capacity", "People it holds"),
    ("availability", ""),
    ("usage", "unknown, spare, about_right or over_used"),
    ("formality", "formal or informal"),
    ("legal_form", "none, unincorporated, charity, cio, cic, company, cooperative, public_body"),
    ("acv_listed", "yes or no: listed as an Asset of Community Value"),
    ("acv_listed_on", "YYYY-MM-DD"),
    ("acv_expires_on", "YYYY-MM-DD"),
    ("acv_nominated_by", ""),
    ("categories", "Category names or codes, separated by ;"),
    ("access_features", "; separated: " + ", ".join(m.AccessFeature.values)),
    ("service_area_codes", "GSS codes of areas served, separated by ;"),
    ("last_reviewed", "Read only: when the listing was last checked"),
]
HEADERS = [name for name, _ in COLUMNS]
READ_ONLY = {"last_reviewed"}


class RegisterRejected(ImportRejected):
    code = "assets.register_rejected"


@dataclass
class RowProblem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class RegisterImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[RowProblem] = field(default_factory=list)


# --- reading -----------------------------------------------------------------------------------


def _rows(filename: str, content: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise RegisterRejected(
                "The file is not a readable XLSX workbook.",
                problems=[RowProblem(0, "", "not a readable XLSX file")],
            ) from error
        sheet = workbook.worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        header = [str(h or "").strip().lower() for h in next(iterator, ())]
        for line, values in enumerate(iterator, start=2):
            if values is None or all(v in (None, "") for v in values):
                continue
            yield line, dict(zip(header, values, strict=False))
        workbook.close()
        return
    if not name.endswith(".csv"):
        raise RegisterRejected(
            "Upload a .csv or .xlsx file.",
            problems=[RowProblem(0, "", "the file must be .csv or .xlsx")],
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RegisterRejected(
            "The CSV file is not UTF-8 text.", problems=[RowProblem(0, "", "save the CSV as UTF-8")]
        ) from error
    reader = csv.DictReader(io.StringIO(text))
    reader.fieldnames = [(h or "").strip().lower() for h in reader.fieldnames or []]
    for row in reader:
        if all((v or "").strip() == "" for v in row.values() if isinstance(v, str)):
            continue
        yield reader.line_num, row


def _term_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for term_id, name, code in m.TaxonomyTerm.objects.values_list("id", "name", "code"):
        lookup.setdefault(name.strip().lower(), str(term_id))
        if code:
            lookup[code.strip().lower()] = str(term_id)
        lookup[str(term_id)] = str(term_id)
    return lookup


@dataclass
class _Row:
    line: int
    asset_id: uuid.UUID | None
    provider: str
    values: dict[str, Any]


def _check_row(
    line: int, raw: dict[str, Any], terms: dict[str, str], problems: list[RowProblem]
) -> _Row | None:
    before = len(problems)
    values: dict[str, Any] = {}
    for key in LISTING_FIELDS:
        if key == "term_ids":
            continue
        if key in raw:
            values[key] = raw[key]
    names = [n.strip() for n in str(raw.get("categories") or "").split(";") if n.strip()]
    term_ids = []
    for name in names:
        term_id = terms.get(name.lower())
        if term_id is None:
            problems.append(RowProblem(line, "categories", f"unknown category '{name}'"))
        else:
            term_ids.append(term_id)
    values["term_ids"] = term_ids
    asset_id = None
    raw_id = str(raw.get("id") or "").strip()
    if raw_id:
        try:
            asset_id = uuid.UUID(raw_id)
        except ValueError:
            problems.append(RowProblem(line, "id", "not a listing id (leave empty for new)"))
    try:
        clean = listing_clean(values, partial=False)
    except ListingInvalid as error:
        field_errors: dict[str, str] = error.details.get("errors", {})  # type: ignore[assignment]
        for column, message in field_errors.items():
            problems.append(RowProblem(line, str(column), str(message)))
        return None
    if clean.get("latitude") is None and clean.get("postcode"):
        try:
            point = geo.postcode_locate(clean["postcode"])
        except ValidationFailed as error:
            problems.append(RowProblem(line, "postcode", error.message))
        else:
            clean["latitude"], clean["longitude"] = point.lat, point.lon
    if len(problems) > before:
        return None
    return _Row(
        line=line, asset_id=asset_id, provider=str(raw.get("provider") or "").strip(), values=clean
    )


def _provider(
    name: str, cache: dict[str, m.DirectoryOrganisation]
) -> m.DirectoryOrganisation | None:
    if not name:
        return None
    key = name.lower()
    if key not in cache:
        found = m.DirectoryOrganisation.objects.filter(name__iexact=name).first()
        cache[key] = found or m.DirectoryOrganisation.objects.create(
            name=name[:300], search_name=search.normalise(name)
        )
    return cache[key]


def register_import(
    *, actor: Any, filename: str, content: bytes, valid_rows_only: bool = False
) -> RegisterImportReport:
    if len(content) > MAX_BYTES:
        raise RegisterRejected(
            "The file is larger than 10 MB.", problems=[RowProblem(0, "", "file larger than 10 MB")]
        )
    problems: list[RowProblem] = []
    terms = _term_lookup()
    rows: list[_Row] = []
    seen_ids: dict[uuid.UUID, int] = {}
    count = 0
    for line, raw in _rows(filename, content):
        count += 1
        if count > MAX_ROWS:
            problems.append(RowProblem(line, "", f"more than {MAX_ROWS} rows; split the file"))
            break
        missing = [h for h in ("name",) if h not in raw]
        if missing:
            raise RegisterRejected(
                "The file has no 'name' column: use the template.",
                problems=[RowProblem(1, "name", "column missing")],
            )
        row = _check_row(line, raw, terms, problems)
        if row is not None and row.asset_id is not None:
            if row.asset_id in seen_ids:
                problems.append(RowProblem(line, "id", f"same id as line {seen_ids[row.asset_id]}"))
                continue
            seen_ids[row.asset_id] = line
        if row is not None:
            rows.append(row)
    if count == 0:
        raise RegisterRejected("The file has no rows.", problems=[RowProblem(0, "", "no rows")])
    if problems and not valid_rows_only:
        raise RegisterRejected(
            f"{len(problems)} problem(s) found; nothing was imported.", problems=problems
        )
    report = RegisterImportReport(skipped=problems)
    providers: dict[str, m.DirectoryOrganisation] = {}
    with transaction.atomic():
        for row in rows:
            provider = _provider(row.provider, providers)
            asset = (
                m.Asset.objects.select_for_update().filter(pk=row.asset_id).first()
                if row.asset_id
                else None
            )
            if asset is None:
                asset_create(
                    actor=actor, values=row.values, provider=provider, asset_id=row.asset_id
                )
                report.created += 1
                continue
            changed = _changed_fields(asset, row.values)
            provider_changed = provider is not None and asset.provider_id != provider.id
            if provider_changed:
                asset.provider = provider
                asset.save(update_fields=["provider", "updated_at"])
            if changed or provider_changed:
                _asset_change(
                    asset=asset,
                    actor=actor,
                    clean=changed,
                    summary="Updated from an asset register",
                )
                report.updated += 1
            else:
                report.unchanged += 1
        audit_record(
            actor=actor,
            verb="assets.register_imported",
            target_type="assets.asset",
            payload={
                "created": report.created,
                "updated": report.updated,
                "skipped": len(report.skipped),
            },
        )
    return report


# --- writing -----------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else value


def register_rows(assets: Iterable[m.Asset]) -> Iterator[list[Any]]:
    """One row per listing, in the template's columns."""
    term_names = dict(m.TaxonomyTerm.objects.values_list("id", "name"))
    for asset in assets:
        snap = asset_snapshot(asset)
        snap["categories"] = [term_names.get(uuid.UUID(t), t) for t in snap.pop("term_ids")]
        snap["id"] = str(asset.id)
        snap["provider"] = asset.provider.name if asset.provider_id and asset.provider else ""
        snap["last_reviewed"] = asset.last_reviewed_at.date().isoformat()
        yield [_cell(snap.get(h)) for h in HEADERS]


def _example_row() -> list[Any]:
    example = {
        "name": "Hackbridge Community Hall",
        "kind": "room",
        "status": "active",
        "description": "A bright hall for hire with a kitchen.",
        "provider": "Hackbridge Community Association",
        "address_1": "1 London Road",
        "city": "Wallington",
        "postcode": "SM6 7LY",
        "is_free": "no",
        "fees": "£15 an hour",
        "capacity": 80,
        "usage": "spare",
        "access_features": "step_free; accessible_toilet",
    }
    return [example.get(h, "") for h in HEADERS]


def register_csv(assets: Iterable[m.Asset] | None, *, template: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    if template:
        writer.writerow(_example_row())
    for row in register_rows(assets or []):
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM lets Excel read UTF-8


def register_xlsx(assets: Iterable[m.Asset] | None, *, template: bool = False) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Assets")
    sheet.append(HEADERS)
    if template:
        sheet.append(_example_row())
    for row in register_rows(assets or []):
        sheet.append(row)
    guide = workbook.create_sheet("Guidance")
    guide.append(["column", "what to put in it"])
    for name, hint in COLUMNS:
        guide.append([name, hint + (" (ignored on import)" if name in READ_ONLY else "")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def today_stamp() -> str:
    return dt.date.today().isoformat()
