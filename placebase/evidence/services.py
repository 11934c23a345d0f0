"""Writes for evidence: service types, unit costs and valuation parameters (all versioned)."""

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

from django.db import transaction
from django.db.models import Max

from placebase.core.audit import audit_record
from placebase.core.errors import Conflict, ImportRejected, ValidationFailed

from .models import (
    Agency,
    CostKind,
    EvidenceReport,
    Forecast,
    ForecastLine,
    ParameterSet,
    Programme,
    ProgrammeCost,
    ReportKind,
    ReportStatus,
    ServiceType,
    UnitCost,
    UnitCostShare,
)
from .valuation import ParametersInvalid, parameters_from_dict

DATA_DIR = Path(__file__).resolve().parent / "data"
STARTER_SERVICE_TYPES = DATA_DIR / "service_types.csv"
STARTER_UNIT_COSTS = DATA_DIR / "unit_costs_starter.csv"
STARTER_PARAMETERS = DATA_DIR / "parameters.json"

UNIT_COST_COLUMNS = (
    "code",
    "service_type",
    "item",
    "unit",
    "value",
    "price_year",
    "agencies",
    "confidence_grade",
    "source",
    "source_url",
    "licence",
    "notes",
)
UNIT_COST_REQUIRED = (
    "code",
    "item",
    "unit",
    "value",
    "price_year",
    "agencies",
    "confidence_grade",
    "source",
    "licence",
)
MAX_UNIT_COST_ROWS = 5000


class UnitCostsRejected(ImportRejected):
    code = "evidence.unit_costs_rejected"

    @property
    def problems(self) -> list[tuple[int, str]]:
        """Each bad row as (line, reason)."""
        return cast(list[tuple[int, str]], self.details.get("problems", []))


class ParametersRejected(ValidationFailed):
    code = "evidence.parameters_invalid"


class UnitCostInvalid(ValidationFailed):
    code = "evidence.unit_cost_invalid"

    @property
    def problems(self) -> list[str]:
        return cast(list[str], self.details.get("problems", []))


class VersionConflict(Conflict):
    code = "evidence.version_conflict"


@dataclass(frozen=True)
class UnitCostData:
    """A checked unit cost, before it is written."""

    code: str
    service_type: str
    item: str
    unit: str
    value: Decimal
    price_year: int
    shares: tuple[tuple[str, Decimal], ...]
    confidence_grade: int
    source: str
    source_url: str
    licence: str
    notes: str

    def content_hash(self) -> str:
        payload = {k: str(v) for k, v in self.__dict__.items() if k != "shares"}
        payload["shares"] = ";".join(f"{a}:{s.normalize()}" for a, s in sorted(self.shares))
        payload["value"] = str(self.value.normalize())
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class LoadResult:
    created: int = 0
    revised: int = 0
    unchanged: int = 0


def _parse_shares(text: str) -> tuple[tuple[str, Decimal], ...]:
    """'nhs:0.6;council:0.4' -> (('nhs', 0.6), ('council', 0.4)); shares must sum to 1."""
    shares: dict[str, Decimal] = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        agency, _, share_text = part.partition(":")
        agency = agency.strip().lower()
        if agency not in Agency.values:
            raise ValueError(f"unknown agency '{agency}' (use one of {', '.join(Agency.values)})")
        if agency in shares:
            raise ValueError(f"agency '{agency}' is listed twice")
        try:
            share = Decimal(share_text.strip())
        except InvalidOperation:
            raise ValueError(f"the share for '{agency}' is not a number") from None
        if (
            not share.is_finite()
            or not Decimal(0) < share <= 1
            or share != share.quantize(Decimal("0.0001"))
        ):
            raise ValueError(
                f"the share for '{agency}' must be above 0 and at most 1, "
                "with at most 4 decimal places"
            )
        shares[agency] = share
    if not shares:
        raise ValueError("give at least one agency, like nhs:1 or nhs:0.6;council:0.4")
    if sum(shares.values()) != 1:
        raise ValueError(f"agency shares add up to {sum(shares.values())}, not 1")
    return tuple(shares.items())


def unit_cost_data_check(
    row: dict[str, str], *, known_service_types: set[str]
) -> tuple[UnitCostData | None, list[str]]:
    """Check one unit cost given as text fields; returns the data or the reasons it is bad."""
    cells = {key: (row.get(key) or "").strip() for key in UNIT_COST_COLUMNS}
    problems = [f"{key.replace('_', ' ')} is blank" for key in UNIT_COST_REQUIRED if not cells[key]]
    if problems:
        return None, problems
    code = cells["code"].lower()
    if not code.replace("-", "").replace("_", "").isalnum() or len(code) > 100:
        problems.append("code must use only letters, numbers, - and _ (at most 100)")
    if cells["service_type"] and cells["service_type"] not in known_service_types:
        problems.append(f"unknown service type '{cells['service_type']}'")
    value = Decimal(0)
    try:
        value = Decimal(cells["value"].replace(",", "").replace("£", ""))
        if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
            problems.append("value must be a number of pounds, at least 0, to the penny")
    except InvalidOperation:
        problems.append(f"value '{cells['value']}' is not a number")
    price_year = 0
    if cells["price_year"].isdigit() and 1900 <= int(cells["price_year"]) <= 2100:
        price_year = int(cells["price_year"])
    else:
        problems.append("price year must be a year like 2022 (meaning 2022-23)")
    grade = 0
    if cells["confidence_grade"] in {"1", "2", "3", "4", "5", "6"}:
        grade = int(cells["confidence_grade"])
    else:
        problems.append("confidence grade must be a whole number from 1 to 6")
    shares: tuple[tuple[str, Decimal], ...] = ()
    try:
        shares = _parse_shares(cells["agencies"])
    except ValueError as error:
        problems.append(str(error))
    if cells["source_url"] and not cells["source_url"].startswith(("https://", "http://")):
        problems.append("source URL must start with https:// or http://")
    for key, limit in (("item", 300), ("unit", 100), ("licence", 300), ("source_url", 500)):
        if len(cells[key]) > limit:
            problems.append(f"{key.replace('_', ' ')} is longer than {limit} characters")
    if problems:
        return None, problems
    return UnitCostData(
        code=code,
        service_type=cells["service_type"],
        item=cells["item"],
        unit=cells["unit"],
        value=value,
        price_year=price_year,
        shares=shares,
        confidence_grade=grade,
        source=cells["source"],
        source_url=cells["source_url"],
        licence=cells["licence"],
        notes=cells["notes"],
    ), []


def _write_version(data: UnitCostData, *, actor: Any) -> str:
    """Write `data` as the next version of its code unless it equals the current one."""
    digest = data.content_hash()
    current = UnitCost.objects.select_for_update().filter(code=data.code, is_current=True).first()
    if current is not None and current.content_hash == digest:
        return "unchanged"
    latest = UnitCost.objects.filter(code=data.code).aggregate(v=Max("version"))["v"] or 0
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current", "updated_at"])
    service_type = ServiceType.objects.get(code=data.service_type) if data.service_type else None
    unit_cost = UnitCost.objects.create(
        code=data.code,
        version=latest + 1,
        is_current=True,
        service_type=service_type,
        item=data.item,
        unit=data.unit,
        value=data.value,
        value_price_year=data.price_year,
        confidence_grade=data.confidence_grade,
        source=data.source,
        source_url=data.source_url,
        licence=data.licence,
        notes=data.notes,
        content_hash=digest,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    UnitCostShare.objects.bulk_create(
        UnitCostShare(unit_cost=unit_cost, agency=agency, share=share)
        for agency, share in data.shares
    )
    return "revised" if current is not None else "created"


def _csv_reader(
    text: str, required: Sequence[str], rejected: type[ImportRejected]
) -> csv.DictReader[str]:
    """A reader over CSV text (a spreadsheet's byte-order mark allowed) with its header in
    lower case, or `rejected` for an empty file or missing columns (as line 1)."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise rejected("The file is empty.", problems=[(1, "the file is empty")])
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in required if name not in header]
    if missing:
        raise rejected(
            "The file is missing columns.", problems=[(1, f"missing columns: {', '.join(missing)}")]
        )
    reader.fieldnames = header
    return reader


def _csv_rows_checked[T](
    reader: csv.DictReader[str],
    check: Callable[[int, dict[str, str]], tuple[T | None, list[str]]],
    max_rows: int,
) -> tuple[list[T], list[tuple[int, str]]]:
    """Every non-blank row through `check(line, values)`: the rows that passed, and each
    problem with its line (the header is line 1)."""
    checked: list[T] = []
    problems: list[tuple[int, str]] = []
    try:
        for row in reader:
            line = reader.line_num
            values = {k: v for k, v in row.items() if isinstance(k, str) and isinstance(v, str)}
            if not any(v.strip() for v in values.values()):
                continue
            if len(checked) + len(problems) >= max_rows:
                problems.append((line, f"a file may have at most {max_rows} rows"))
                break
            item, reasons = check(line, values)
            problems.extend((line, reason) for reason in reasons)
            if item is not None:
                checked.append(item)
    except csv.Error as error:
        problems.append((reader.line_num, f"the file is not valid CSV: {error}"))
    if not checked and not problems:
        problems.append((2, "the file has a header but no rows"))
    return checked, problems


@transaction.atomic
def unit_costs_load(*, actor: Any, text: str, source_name: str) -> LoadResult:
    """Load unit costs from CSV text (the format of data/unit_costs_starter.csv).

    Every row is checked before anything is written; any bad row rejects the whole file,
    listing each problem with its line. A row equal to the current version of its code
    changes nothing, so loading the same file twice is harmless."""
    reader = _csv_reader(text, UNIT_COST_REQUIRED, UnitCostsRejected)
    known = set(ServiceType.objects.values_list("code", flat=True))
    seen: dict[str, int] = {}

    def check(line: int, values: dict[str, str]) -> tuple[UnitCostData | None, list[str]]:
        data, reasons = unit_cost_data_check(values, known_service_types=known)
        if data is not None:
            if data.code in seen:
                reasons = [*reasons, f"code '{data.code}' is also on line {seen[data.code]}"]
            seen[data.code] = line
        return data, reasons

    checked, problems = _csv_rows_checked(reader, check, MAX_UNIT_COST_ROWS)
    if problems:
        raise UnitCostsRejected(
            f"{len(problems)} problem(s) in {source_name}; nothing was loaded.", problems=problems
        )
    outcomes = [_write_version(data, actor=actor) for data in checked]
    result = LoadResult(
        created=outcomes.count("created"),
        revised=outcomes.count("revised"),
        unchanged=outcomes.count("unchanged"),
    )
    audit_record(
        actor=actor,
        verb="evidence.unit_costs.load",
        target_type="evidence.unitcost",
        payload={
            "source": source_name[:200],
            "created": result.created,
            "revised": result.revised,
            "unchanged": result.unchanged,
        },
    )
    return result


@transaction.atomic
def service_types_load_starter(*, actor: Any = None) -> int:
    """Create the shipped service types that do not exist yet; returns how many it created."""
    created = 0
    with STARTER_SERVICE_TYPES.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            _, was_created = ServiceType.objects.get_or_create(
                code=row["code"],
                defaults={"label": row["label"], "description": row["description"]},
            )
            created += was_created
    if created:
        audit_record(
            actor=actor,
            verb="evidence.service_types.load_starter",
            target_type="evidence.servicetype",
            payload={"created": created},
        )
    return created


@transaction.atomic
def unit_costs_load_starter(*, actor: Any = None) -> LoadResult:
    """Load the shipped service types and starter unit costs. Idempotent."""
    service_types_load_starter(actor=actor)
    return unit_costs_load(
        actor=actor,
        text=STARTER_UNIT_COSTS.read_text(encoding="utf-8"),
        source_name="Placebase starter unit costs",
    )


@transaction.atomic
def unit_cost_revise(
    *, actor: Any, code: str, expected_version: int, fields: dict[str, str]
) -> UnitCost:
    """Save an edited unit cost as a new version of `code`.

    `expected_version` is the version the editor started from: if someone saved another
    version since, this raises VersionConflict rather than silently overwrite their work."""
    current = UnitCost.objects.select_for_update().filter(code=code, is_current=True).first()
    if current is None:
        raise UnitCostInvalid(f"There is no unit cost with code {code}.")
    if current.version != expected_version:
        raise VersionConflict(
            "Someone saved a newer version of this unit cost while you were "
            f"editing (now version {current.version}). Review it and try "
            "again."
        )
    known = set(ServiceType.objects.values_list("code", flat=True))
    data, problems = unit_cost_data_check({**fields, "code": code}, known_service_types=known)
    if data is None:
        raise UnitCostInvalid("The unit cost has problems.", problems=problems)
    outcome = _write_version(data, actor=actor)
    revised = UnitCost.objects.get(code=code, is_current=True)
    if outcome != "unchanged":
        audit_record(
            actor=actor,
            verb="evidence.unit_cost.revise",
            target=revised,
            payload={"code": code, "version": revised.version},
        )
    return revised


def _document_hash(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def _check_parameters(values: dict[str, Any]) -> None:
    try:
        parameters_from_dict(values)
    except ParametersInvalid as error:
        raise ParametersRejected(str(error)) from error


@transaction.atomic
def parameter_set_publish(
    *, actor: Any, values: dict[str, Any], label: str, expected_current_version: int | None
) -> ParameterSet:
    """Publish a new version of the valuation parameters and make it current."""
    _check_parameters(values)
    label = label.strip()[:300]
    if not label:
        raise ParametersRejected("Give the parameter set a label.")
    current = ParameterSet.objects.select_for_update().filter(is_current=True).first()
    if (current.version if current else None) != expected_current_version:
        raise VersionConflict(
            "Someone published other parameters while you were editing. Review them and try again."
        )
    latest = ParameterSet.objects.aggregate(v=Max("version"))["v"] or 0
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current", "updated_at"])
    created = ParameterSet.objects.create(
        version=latest + 1,
        is_current=True,
        label=label,
        values=values,
        content_hash=_document_hash(values),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        verb="evidence.parameters.publish",
        target=created,
        payload={"version": created.version},
    )
    return created


@transaction.atomic
def parameter_set_load_starter(*, actor: Any = None) -> ParameterSet:
    """Load the shipped parameters. Idempotent: an identical set already stored is returned
    as it is. The loaded set becomes current only when no set is current, so reloading never
    overrides parameters an analyst has published."""
    values = json.loads(STARTER_PARAMETERS.read_text(encoding="utf-8"))
    _check_parameters(values)
    digest = _document_hash(values)
    existing = ParameterSet.objects.filter(content_hash=digest).order_by("-version").first()
    if existing is not None:
        return existing
    has_current = ParameterSet.objects.select_for_update().filter(is_current=True).exists()
    latest = ParameterSet.objects.aggregate(v=Max("version"))["v"] or 0
    created = ParameterSet.objects.create(
        version=latest + 1,
        is_current=not has_current,
        label=values.get("label", "Starter parameters")[:300],
        values=values,
        content_hash=digest,
    )
    audit_record(
        actor=actor,
        verb="evidence.parameters.load_starter",
        target=created,
        payload={"version": created.version, "current": created.is_current},
    )
    return created


@transaction.atomic
def evidence_load_starter(*, actor: Any = None) -> tuple[LoadResult, ParameterSet]:
    """Everything the evidence engine ships with: service types, unit costs, parameters."""
    return unit_costs_load_starter(actor=actor), parameter_set_load_starter(actor=actor)


# --- programmes, forecasts and reports ---------------------------------------------------------


class ProgrammeInvalid(ValidationFailed):
    code = "evidence.programme_invalid"


class ForecastInvalid(ValidationFailed):
    code = "evidence.forecast_invalid"


class ReportInvalid(ValidationFailed):
    code = "evidence.report_invalid"


def _creator(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def programme_create(
    *, actor: Any, name: str, description: str = "", organisation: Any = None
) -> Programme:
    name = name.strip()[:200]
    if not name:
        raise ProgrammeInvalid("Give the programme a name.")
    if Programme.objects.filter(name__iexact=name).exists():
        raise ProgrammeInvalid("A programme with this name already exists.")
    programme = Programme.objects.create(
        name=name, description=description.strip(), organisation=organisation
    )
    audit_record(actor=actor, verb="evidence.programme.create", target=programme)
    return programme


@transaction.atomic
def programme_cost_add(
    *,
    actor: Any,
    programme: Programme,
    kind: str,
    description: str,
    amount: Decimal,
    price_year: int,
    starts_on: dt.date,
    ends_on: dt.date,
) -> ProgrammeCost:
    """Add a cost (a post, an overhead, an in-kind gift) over a span of dates."""
    found = _cost_problems(kind, description, amount, price_year, starts_on, ends_on)
    if found:
        problems = [problem for _, problem in found]
        raise ProgrammeInvalid(" ".join(problems), problems=problems)
    cost = ProgrammeCost.objects.create(
        programme=programme,
        kind=kind,
        description=description.strip()[:300],
        amount=amount,
        amount_price_year=price_year,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=_creator(actor),
    )
    audit_record(
        actor=actor,
        verb="evidence.programme.cost_add",
        target=cost,
        payload={"programme": str(programme.pk), "amount": str(amount), "kind": kind},
    )
    return cost


def _cost_problems(
    kind: str,
    description: str,
    amount: Decimal | None,
    price_year: int,
    starts_on: dt.date,
    ends_on: dt.date,
) -> list[tuple[str, str]]:
    """What is wrong with a cost, as (the field it is about, the problem)."""
    problems = []
    if kind not in CostKind.values:
        problems.append(
            ("kind", f"Choose what kind of cost this is ({', '.join(CostKind.values)}).")
        )
    if not description.strip():
        problems.append(("description", "Say what the cost is."))
    if amount is None or amount <= 0:
        problems.append(("amount", "The amount must be more than £0."))
    if not 1990 <= price_year <= 2100:
        problems.append(("price_year", "Give the price year as a year, like 2025."))
    if ends_on < starts_on:
        problems.append(("ends_on", "The cost must end on or after the day it starts."))
    return problems


class ProgrammeCostsRejected(ImportRejected):
    code = "evidence.programme_costs_rejected"


PROGRAMME_COST_COLUMNS = ("kind", "description", "amount", "price_year", "starts_on", "ends_on")
MAX_PROGRAMME_COST_ROWS = 5_000
# Words a finance export may use for each kind of cost, beside the codes themselves.
COST_KIND_WORDS = {
    "staff": CostKind.STAFF,
    "staffing": CostKind.STAFF,
    "salaries": CostKind.STAFF,
    "overheads": CostKind.OVERHEAD,
    "in kind": CostKind.IN_KIND,
    "in-kind": CostKind.IN_KIND,
}


@dataclass(frozen=True)
class CostsImported:
    added: int
    skipped: int  # rows equal to a cost the programme already has: importing twice is harmless


def _cost_date(raw: str, column: str, reasons: list[str]) -> dt.date | None:
    """ISO (2025-04-01) or the UK's day/month/year (01/04/2025), as finance exports write."""
    raw = raw.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    reasons.append(f"{column} must be a date like 2025-04-01 or 01/04/2025, not '{raw[:20]}'")
    return None


def _cost_amount(raw: str, reasons: list[str]) -> Decimal | None:
    cleaned = raw.strip().replace("£", "").replace(",", "").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        reasons.append(f"amount must be a number of pounds like 38000.00, not '{raw[:20]}'")
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        reasons.append("amount must be in pounds and pence (at most 2 decimal places)")
        return None
    return amount


def _cost_row(row: dict[str, str]) -> tuple[tuple[Any, ...] | None, list[str]]:
    """One row as (kind, description, amount, price year, starts, ends), or its problems."""
    reasons: list[str] = []
    word = row.get("kind", "").strip().lower()
    kind = COST_KIND_WORDS.get(word, word.replace(" ", "_").replace("-", "_"))
    amount = _cost_amount(row.get("amount", ""), reasons)
    year_text = row.get("price_year", "").strip()
    price_year = int(year_text) if year_text.isdigit() else 0
    starts = _cost_date(row.get("starts_on", ""), "starts_on", reasons)
    ends = _cost_date(row.get("ends_on", ""), "ends_on", reasons)
    description = row.get("description", "").strip()
    # Values that could not be read are reported already; stand-ins keep their checks quiet.
    found = _cost_problems(
        kind,
        description,
        Decimal(1) if amount is None else amount,
        price_year,
        starts or dt.date.min,
        ends or dt.date.max,
    )
    reasons.extend(f"{column}: {problem}" for column, problem in found)
    if reasons:
        return None, reasons
    return (kind, description[:300], amount, price_year, starts, ends), []


@transaction.atomic
def programme_costs_import(*, actor: Any, programme: Programme, text: str) -> CostsImported:
    """Add a programme's costs from a CSV export of its spend (columns kind, description,
    amount, price_year, starts_on, ends_on). Every row is checked first; any bad row rejects
    the whole file with each problem and its line, and nothing is written. A row equal to a
    cost the programme already has is skipped."""
    reader = _csv_reader(text, PROGRAMME_COST_COLUMNS, ProgrammeCostsRejected)
    rows, problems = _csv_rows_checked(
        reader, lambda _line, values: _cost_row(values), MAX_PROGRAMME_COST_ROWS
    )
    if problems:
        raise ProgrammeCostsRejected(
            f"{len(problems)} problem(s) in the file; no costs were added.", problems=problems
        )
    have = set(
        ProgrammeCost.objects.filter(programme=programme).values_list(
            "kind", "description", "amount", "amount_price_year", "starts_on", "ends_on"
        )
    )
    new = list(dict.fromkeys(r for r in rows if r not in have))
    ProgrammeCost.objects.bulk_create(
        ProgrammeCost(
            programme=programme,
            kind=kind,
            description=description,
            amount=amount,
            amount_price_year=price_year,
            starts_on=starts,
            ends_on=ends,
            created_by=_creator(actor),
        )
        for kind, description, amount, price_year, starts, ends in new
    )
    result = CostsImported(added=len(new), skipped=len(rows) - len(new))
    audit_record(
        actor=actor,
        verb="evidence.programme.costs_import",
        target=programme,
        payload={"added": result.added, "skipped": result.skipped},
    )
    return result


@dataclass(frozen=True)
class ForecastLineData:
    service_type: ServiceType
    avoided_per_person: Decimal
    low: Decimal
    high: Decimal


@transaction.atomic
def forecast_create(
    *,
    actor: Any,
    programme: Programme,
    area: Any,
    period_start: dt.date,
    period_end: dt.date,
    people: int,
    life_satisfaction_change: Decimal,
    lines: list[ForecastLineData],
    assumptions_note: str = "",
) -> Forecast:
    """Record planned activity: people to support and the change expected per person."""
    problems = []
    if period_end < period_start:
        problems.append("The period must end on or after the day it starts.")
    if people < 1:
        problems.append("Plan to support at least one person.")
    if not Decimal(-10) <= life_satisfaction_change <= Decimal(10):
        problems.append("Life satisfaction runs from 0 to 10: a change must be within ±10.")
    seen = set()
    for line in lines:
        label = line.service_type.label
        if line.service_type.pk in seen:
            problems.append(f"{label} appears twice.")
        seen.add(line.service_type.pk)
        if not line.low <= line.avoided_per_person <= line.high:
            problems.append(f"{label}: the low must not exceed the expected, nor it the high.")
    if not lines and not life_satisfaction_change:
        problems.append("Say what change you expect: events avoided, or life satisfaction.")
    if problems:
        raise ForecastInvalid(" ".join(problems), problems=problems)
    forecast = Forecast.objects.create(
        programme=programme,
        area=area,
        period_start=period_start,
        period_end=period_end,
        people=people,
        life_satisfaction_change=life_satisfaction_change,
        assumptions_note=assumptions_note.strip(),
        created_by=_creator(actor),
    )
    ForecastLine.objects.bulk_create(
        ForecastLine(
            forecast=forecast,
            service_type=line.service_type,
            avoided_per_person=line.avoided_per_person,
            low=line.low,
            high=line.high,
        )
        for line in lines
    )
    audit_record(actor=actor, verb="evidence.forecast.create", target=forecast)
    return forecast


def _current_costs() -> list[dict[str, Any]]:
    """The unit cost a report values each service type with: the current version of the best
    graded cost for that type (ties: the most recently revised)."""
    chosen: dict[Any, UnitCost] = {}
    rows = UnitCost.objects.filter(is_current=True, service_type__isnull=False).order_by(
        "service_type_id", "confidence_grade", "-updated_at"
    )
    for cost in rows:
        chosen.setdefault(cost.service_type_id, cost)
    return [
        {"unit_cost_id": str(c.pk), "code": c.code, "version": c.version}
        for c in sorted(chosen.values(), key=lambda c: c.code)
    ]


@transaction.atomic
def evidence_report_create(
    *,
    actor: Any,
    kind: str,
    programme: Programme | None,
    area: Any,
    period_start: dt.date,
    period_end: dt.date,
    price_year: int,
    assumptions: Any = None,
    forecast: Forecast | None = None,
    as_of: dt.date | None = None,
    title: str = "",
) -> EvidenceReport:
    """Store a report's settings (the current parameters and unit costs, whole) and queue its
    figures. The figures are computed by `evidence_report_build` in the background."""
    from django.utils import timezone

    from .records import Assumptions
    from .reports import default_as_of
    from .selectors import parameters_current

    assumptions = assumptions or Assumptions()
    if kind not in ReportKind.values:
        raise ReportInvalid("Choose an evaluative or a forecast report.")
    if kind == ReportKind.FORECAST:
        if forecast is None:
            raise ReportInvalid("Choose the forecast to report on.")
        programme, area = forecast.programme, forecast.area
        period_start, period_end = forecast.period_start, forecast.period_end
    if period_end < period_start:
        raise ReportInvalid("The period must end on or after the day it starts.")
    current = parameters_current()
    if price_year not in current.parameters.deflator.values:
        years = sorted(current.parameters.deflator.values)
        raise ReportInvalid(
            f"The GDP deflator runs from {years[0]} to {years[-1]}: choose a price year in it."
        )
    today = timezone.localdate()
    as_of = as_of or default_as_of(period_end, today)
    if kind == ReportKind.EVALUATIVE and period_start > today:
        raise ReportInvalid("An evaluative report needs a period that has started.")
    where = area.name if area is not None else "everywhere"
    report = EvidenceReport.objects.create(
        kind=kind,
        title=(
            title.strip()
            or f"{programme.name if programme else 'All case work'}, {where}, "
            f"{period_start:%-d %b %Y} to {period_end:%-d %b %Y}"
        )[:300],
        programme=programme,
        forecast=forecast,
        area=area,
        period_start=period_start,
        period_end=period_end,
        as_of=as_of,
        price_year=price_year,
        parameter_version=current.version,
        parameters=current.document,
        unit_costs=_current_costs(),
        assumptions=assumptions.to_dict(),
        created_by=_creator(actor),
    )
    audit_record(actor=actor, verb="evidence.report.create", target=report, payload={"kind": kind})
    transaction.on_commit(lambda: _enqueue_build(report.pk))
    return report


def _enqueue_build(report_id: Any) -> None:
    from .tasks import evidence_report_build_task

    evidence_report_build_task.enqueue(str(report_id))


def evidence_report_build(*, report_id: Any) -> EvidenceReport:
    """Compute and store a report's figures; a failure is stored on the report for its author."""
    from .records import METHOD_VERSION, EvidenceUnavailable
    from .reports import report_figures

    report = EvidenceReport.objects.select_related("programme", "forecast", "area").get(
        pk=report_id
    )
    try:
        figures = report_figures(report)
    except EvidenceUnavailable as error:
        report.status, report.error = ReportStatus.FAILED, str(error)
        report.save(update_fields=["status", "error", "updated_at"])
        return report
    report.results, report.data_hash = figures.results, figures.data_hash
    report.status, report.error = ReportStatus.READY, ""
    report.method_version = METHOD_VERSION
    report.save(
        update_fields=["results", "data_hash", "method_version", "status", "error", "updated_at"]
    )
    audit_record(actor=None, verb="evidence.report.build", target=report)
    return report


@dataclass(frozen=True)
class Verification:
    same_data: bool
    same_figures: bool
    data_hash: str
    same_method: bool  # False: made with an earlier method, so figures may differ


def evidence_report_verify(*, actor: Any, report: EvidenceReport) -> Verification:
    """Re-run a report on its stored settings and say whether the data and figures match."""
    from .records import METHOD_VERSION
    from .reports import report_figures

    figures = report_figures(report)
    audit_record(actor=actor, verb="evidence.report.verify", target=report)
    return Verification(
        same_data=figures.data_hash == report.data_hash,
        same_figures=figures.results == report.results,
        data_hash=figures.data_hash,
        same_method=report.method_version == METHOD_VERSION,
    )
