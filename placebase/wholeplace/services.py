"""Writes for Whole Place: agencies and footprints, the pooled-fund ledger (append-only),
Total Place spend imports, multi-agency involvement, benefits by agency, the register."""

import csv
import hashlib
import hmac
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from placebase.accounts.models import Organisation, OrganisationKind
from placebase.core.audit import audit_record
from placebase.core.errors import ValidationFailed
from placebase.core.money import Money
from placebase.places.models import Area

from .errors import (
    AgencyInvalid,
    AlreadyReversed,
    BenefitsInvalid,
    EntryInvalid,
    FootprintInvalid,
    InvolvementFileRejected,
    LedgerFileRejected,
    RegisterEntryInvalid,
    RegisterEntryStale,
    SpendFileRejected,
    ThemeInvalid,
)
from .models import (
    Agency,
    AgencySector,
    Approach,
    BenefitFigure,
    CostBearer,
    EntryKind,
    Footprint,
    Involvement,
    InvolvementSource,
    LedgerEntry,
    PooledFund,
    RegisterEntry,
    SpendImport,
    SpendLine,
    SpendTotal,
    SubjectKind,
    Theme,
)

PENNY = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")


@dataclass
class ImportResult:
    added: int = 0
    skipped: int = 0  # rows already imported before: importing twice changes nothing
    problems: list[dict[str, Any]] = field(default_factory=list)


# --------------------------------------------------------------------- agencies and themes


# The kind of organisation a new agency's organisation is, by the agency's sector.
ORGANISATION_KIND_FOR_SECTOR: dict[str, str] = {
    AgencySector.COUNCIL: OrganisationKind.COUNCIL,
    AgencySector.COUNCIL_DEPARTMENT: OrganisationKind.COUNCIL,
    AgencySector.ICB: OrganisationKind.NHS,
    AgencySector.NHS_TRUST: OrganisationKind.NHS,
    AgencySector.PCN: OrganisationKind.NHS,
    AgencySector.POLICE: OrganisationKind.POLICE,
    AgencySector.HOUSING: OrganisationKind.HOUSING,
    AgencySector.VCS: OrganisationKind.VCS,
}
CODE_PATTERN = r"[a-z0-9][a-z0-9-]{0,63}"


@transaction.atomic
def agency_create(
    *,
    code: str,
    sector: str,
    cost_bearer: str,
    organisation: Organisation | None = None,
    organisation_name: str = "",
    parent: Organisation | None = None,
    is_lead_council: bool = False,
    user: Any = None,
) -> Agency:
    """Make an organisation an agency in whole-place working. Pass an existing
    `organisation`, or `organisation_name` to create the organisation too (its kind follows
    the sector; `parent` is the body it belongs to, e.g. the council for a department).
    There is at most one lead council: the one the other footprints are compared with."""
    problems: list[str] = []
    name = organisation_name.strip()
    if organisation is None:
        if not name:
            problems.append("Choose an organisation or enter a new organisation's name.")
        elif Organisation.objects.filter(name__iexact=name).exists():
            problems.append(f"There is already an organisation called {name}: choose it instead.")
    elif Agency.objects.filter(organisation=organisation).exists():
        problems.append(f"{organisation} is already an agency.")
    if sector not in AgencySector.values:
        problems.append(f"Unknown sector {sector!r}.")
    if cost_bearer not in CostBearer.values:
        problems.append(f"Unknown cost bearer {cost_bearer!r}.")
    if not re.fullmatch(CODE_PATTERN, code):
        problems.append("An agency code uses lower-case letters, digits and hyphens.")
    elif Agency.objects.filter(code=code).exists():
        problems.append(f"The agency code {code!r} is already used.")
    if is_lead_council:
        if sector != AgencySector.COUNCIL:
            problems.append("Only a council can be the lead council.")
        lead = Agency.objects.filter(is_lead_council=True).select_related("organisation").first()
        if lead is not None:
            problems.append(f"{lead.name} is already the lead council.")
    if problems:
        raise AgencyInvalid(" ".join(problems), problems=problems)
    try:
        # Someone else may have taken the name, code or lead a moment ago.
        with transaction.atomic():
            if organisation is None:
                organisation = Organisation.objects.create(
                    name=name,
                    kind=ORGANISATION_KIND_FOR_SECTOR.get(sector, OrganisationKind.VCS),
                    parent=parent,
                )
                audit_record(actor=user, verb="wholeplace.organisation.create", target=organisation)
            agency = Agency.objects.create(
                organisation=organisation,
                code=code,
                sector=sector,
                cost_bearer=cost_bearer,
                is_lead_council=is_lead_council,
            )
    except IntegrityError as error:
        raise AgencyInvalid(
            "Someone else has just added an agency with this name, code or lead role. "
            "Check the agencies and try again."
        ) from error
    audit_record(
        actor=user,
        verb="wholeplace.agency.create",
        target=agency,
        payload={"code": code, "sector": sector, "cost_bearer": cost_bearer},
    )
    return agency


@transaction.atomic
def agency_footprint_set(*, agency: Agency, areas: Iterable[Area], user: Any = None) -> None:
    """Replace the areas an agency covers (any mix of levels). Setting the same areas
    again changes nothing and logs nothing."""
    wanted = {area.pk for area in areas}
    have = set(Footprint.objects.filter(agency=agency).values_list("area_id", flat=True))
    if wanted == have:
        return
    if wanted and Area.objects.filter(pk__in=wanted).count() != len(wanted):
        raise FootprintInvalid("One or more of the areas no longer exists.")
    Footprint.objects.filter(agency=agency).exclude(area_id__in=wanted).delete()
    Footprint.objects.bulk_create(
        [Footprint(agency=agency, area_id=area_id) for area_id in wanted - have]
    )
    audit_record(
        actor=user,
        verb="wholeplace.footprint.set",
        target=agency,
        payload={
            "areas": sorted(str(a) for a in wanted),
            "added": len(wanted - have),
            "removed": len(have - wanted),
        },
    )


@transaction.atomic
def theme_create(*, code: str, name: str, must_be_new: bool = False, user: Any = None) -> Theme:
    """A theme that spend, commitments and register entries are recorded against. The same
    code again returns the existing theme (so loaders can re-run) unless `must_be_new`, as
    when someone adds a theme on a form."""
    problems = []
    name = name.strip()
    if not name:
        problems.append("Enter the theme's name.")
    elif len(name) > 200:
        problems.append("The theme's name must be 200 characters or fewer.")
    if not re.fullmatch(CODE_PATTERN, code):
        problems.append("A theme code uses lower-case letters, digits and hyphens.")
    if problems:
        raise ThemeInvalid(" ".join(problems), problems=problems)
    existing = Theme.objects.filter(code=code).first()
    if existing is not None and must_be_new:
        raise ThemeInvalid(f"The theme code {code!r} is already used, by {existing.name}.")
    if existing is not None:
        return existing
    # CSV files may name a theme instead of giving its code, so names are unique too.
    clash = Theme.objects.filter(name__iexact=name).first()
    if clash is not None:
        raise ThemeInvalid(f"There is already a theme called {clash.name}.")
    try:
        with transaction.atomic():
            theme = Theme.objects.create(code=code, name=name)
    except IntegrityError as error:
        raise ThemeInvalid(
            f"The theme code {code!r} has just been used by someone else."
        ) from error
    audit_record(actor=user, verb="wholeplace.theme.create", target=theme, payload={"code": code})
    return theme


# ----------------------------------------------------------------------------- pooled funds


@transaction.atomic
def fund_create(
    *,
    name: str,
    price_year: int,
    starts_on: date,
    ends_on: date | None = None,
    description: str = "",
    places: Iterable[Area] = (),
    themes: Iterable[Theme] = (),
    user: Any = None,
) -> PooledFund:
    if not name.strip():
        raise EntryInvalid("Enter the fund's name.")
    if ends_on is not None and ends_on < starts_on:
        raise EntryInvalid("The fund cannot end before it starts.")
    Money(Decimal(0), price_year)  # checks the price year is plausible
    if PooledFund.objects.filter(name=name.strip()).exists():
        raise EntryInvalid(f"There is already a fund called {name.strip()!r}.")
    fund = PooledFund.objects.create(
        name=name.strip(),
        price_year=price_year,
        starts_on=starts_on,
        ends_on=ends_on,
        description=description,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    fund.places.set(list(places))
    fund.themes.set(list(themes))
    audit_record(actor=user, verb="wholeplace.fund.create", target=fund)
    return fund


def _as_money(amount: Money | Decimal | int | str, price_year: int) -> Money:
    if isinstance(amount, Money):
        return amount
    try:
        return Money(Decimal(str(amount)), price_year)
    except InvalidOperation as error:
        raise EntryInvalid(f"{amount!r} is not an amount of money.") from error


def _entry_problems(
    *,
    fund: PooledFund,
    kind: str,
    money: Money,
    occurred_on: date,
    theme: Theme | None,
) -> list[str]:
    problems = []
    if kind not in EntryKind.values:
        problems.append(f"kind must be one of {', '.join(EntryKind.values)}")
    if money.price_year != fund.price_year:
        problems.append(
            f"the fund keeps its ledger in {fund.price_year} prices, not {money.price_year}"
        )
    if money.amount <= 0:
        problems.append("the amount must be more than zero (corrections are reversals)")
    elif money.amount > MAX_AMOUNT:
        problems.append("the amount is too large")
    elif money.amount != money.amount.quantize(PENNY):
        problems.append("the amount has more than two decimal places")
    if occurred_on < fund.starts_on or (fund.ends_on and occurred_on > fund.ends_on):
        problems.append("the date is outside the fund's life")
    if kind in (EntryKind.COMMITMENT, EntryKind.SPEND) and theme is None:
        problems.append("commitments and spend need a theme")
    return problems


def _next_sequence(fund: PooledFund) -> int:
    # Locks the fund row so two people entering at once get distinct sequence numbers.
    PooledFund.objects.select_for_update().filter(pk=fund.pk).first()
    last = LedgerEntry.objects.filter(fund=fund).aggregate(m=Max("sequence"))["m"]
    return (last or 0) + 1


def _actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


@transaction.atomic
def ledger_entry_record(
    *,
    fund: PooledFund,
    kind: str,
    agency: Agency,
    amount: Money | Decimal | int | str,
    occurred_on: date,
    theme: Theme | None = None,
    area: Area | None = None,
    description: str = "",
    reference: str = "",
    user: Any = None,
) -> LedgerEntry:
    """Append one contribution, commitment or spend to a fund's ledger."""
    money = _as_money(amount, fund.price_year)
    problems = _entry_problems(
        fund=fund, kind=kind, money=money, occurred_on=occurred_on, theme=theme
    )
    if problems:
        message = "; ".join(problems)
        raise EntryInvalid(message[0].upper() + message[1:] + ".", problems=problems)
    entry = LedgerEntry.objects.create(
        fund=fund,
        sequence=_next_sequence(fund),
        kind=kind,
        agency=agency,
        theme=theme,
        area=area,
        occurred_on=occurred_on,
        amount=money.amount,
        amount_price_year=money.price_year,
        description=description[:300],
        reference=reference[:100],
        entered_by=_actor(user),
        entered_at=timezone.now(),
    )
    audit_record(
        actor=user,
        verb="wholeplace.ledger.record",
        target=entry,
        payload={"fund": str(fund.pk), "kind": kind, "amount": str(money.amount)},
    )
    return entry


@transaction.atomic
def ledger_entry_reverse(*, entry: LedgerEntry, reason: str, user: Any = None) -> LedgerEntry:
    """Cancel an entry with a reversing one: same fund, kind, agency, theme and area, the
    amount negated. The original stays in the ledger, and may be reversed only once."""
    if not reason.strip():
        raise EntryInvalid("Say why the entry is being reversed.")
    entry = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.reverses_id is not None:
        raise EntryInvalid("A reversal cannot itself be reversed: record a new entry instead.")
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise AlreadyReversed("This entry has already been reversed.")
    try:
        with transaction.atomic():
            reversal = LedgerEntry.objects.create(
                fund=entry.fund,
                sequence=_next_sequence(entry.fund),
                kind=entry.kind,
                agency=entry.agency,
                theme=entry.theme,
                area=entry.area,
                # It corrects the original, so it counts in the original's period; when it
                # was made is `entered_at`.
                occurred_on=entry.occurred_on,
                amount=-entry.amount,
                amount_price_year=entry.amount_price_year,
                description=f"Reversal of entry {entry.sequence}: {reason.strip()}"[:300],
                reference=entry.reference,
                reverses=entry,
                entered_by=_actor(user),
                entered_at=timezone.now(),
            )
    except IntegrityError as error:  # someone else reversed it a moment ago
        raise AlreadyReversed("This entry has already been reversed.") from error
    audit_record(
        actor=user,
        verb="wholeplace.ledger.reverse",
        target=reversal,
        payload={"reverses": str(entry.pk), "reason": reason.strip()[:200]},
    )
    return reversal


# ----------------------------------------------------------------------------- CSV helpers


def _read_csv(text: str, required: Sequence[str]) -> tuple[list[tuple[int, dict[str, str]]], str]:
    """Rows with their line numbers (the header is line 1), or a problem with the header."""
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [name for name in required if name not in headers]
    if missing:
        return [], f"the header row lacks the column(s): {', '.join(missing)}"
    reader.fieldnames = headers
    rows = []
    for row in reader:
        values = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if any(values.values()):
            rows.append((reader.line_num, values))
    return rows, ""


def _parse_date(raw: str, column: str, reasons: list[str]) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        reasons.append(f"{column} {raw!r} is not a date like 2025-04-01")
        return None


def _parse_pounds(raw: str, column: str, reasons: list[str]) -> Decimal | None:
    cleaned = raw.replace(",", "").replace("£", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        reasons.append(f"{column} {raw!r} is not an amount of money")
        return None
    if not value.is_finite():
        reasons.append(f"{column} {raw!r} is not an amount of money")
        return None
    if value != value.quantize(PENNY):
        reasons.append(f"{column} {raw!r} has more than two decimal places")
        return None
    if abs(value) > MAX_AMOUNT:
        reasons.append(f"{column} {raw!r} is too large")
        return None
    return value


def _parse_year(raw: str, column: str, reasons: list[str]) -> int | None:
    if not raw.isdigit() or not 1900 <= int(raw) <= 2200:
        reasons.append(f"{column} {raw!r} is not a year like 2025")
        return None
    return int(raw)


def _agency_lookup() -> dict[str, Agency]:
    agencies = list(Agency.objects.select_related("organisation"))
    lookup = {a.code.lower(): a for a in agencies}
    lookup.update({a.organisation.name.lower(): a for a in agencies})
    return lookup


class _AreaResolver:
    """GSS code (optionally with a level and vintage) to an area of an active boundary set.

    Codes that did not change between vintages (most LSOAs from 2011 to 2021) resolve to the
    newest vintage unless a vintage is given; a code used at two levels needs the level."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, str, str], Area | str] = {}

    def resolve(self, code: str, level: str, vintage: str = "") -> Area | str:
        key = (code.upper(), level.lower(), vintage)
        if key not in self.cache:
            self.cache[key] = self._find(code, level, vintage)
        return self.cache[key]

    def _find(self, code: str, level: str, vintage: str) -> Area | str:
        areas = Area.objects.filter(code__iexact=code, boundary_set__is_active=True)
        if level:
            areas = areas.filter(boundary_set__level=level.lower())
        if vintage:
            if not vintage.isdigit():
                return f"vintage {vintage!r} is not a year"
            areas = areas.filter(boundary_set__vintage=int(vintage))
        found = list(
            areas.select_related("boundary_set")
            .defer("geometry", "geometry_wkb")
            .order_by("-boundary_set__vintage")
        )
        if not found:
            return f"area_code {code!r} is not a known area"
        if len({a.boundary_set.level for a in found}) > 1:
            return f"area_code {code!r} is ambiguous: add a level column"
        return found[0]


def _row_hash(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def financial_year_of(day: date) -> int:
    """UK financial years start on 1 April: 2026-03-31 is in 2025-26 (returned as 2025)."""
    return day.year if day.month >= 4 else day.year - 1


# ------------------------------------------------------------------------- ledger import

LEDGER_COLUMNS = ("date", "kind", "agency", "amount")


@transaction.atomic
def ledger_import_csv(
    *, fund: PooledFund, text: str, filename: str = "", user: Any = None
) -> ImportResult:
    """Import ledger lines (columns date, kind, agency, amount; optional theme, area_code,
    level, reference, description). Every row is checked first; one bad row rejects the
    file and nothing is written. Rows imported before are skipped, so a second run of the
    same file changes nothing."""
    rows, header_problem = _read_csv(text, LEDGER_COLUMNS)
    if header_problem:
        raise LedgerFileRejected(
            "The file cannot be read.", problems=[{"line": 1, "reasons": [header_problem]}]
        )
    agencies = _agency_lookup()
    themes = {t.code.lower(): t for t in Theme.objects.all()}
    themes.update({t.name.lower(): t for t in themes.copy().values()})
    areas = _AreaResolver()
    parsed, problems = [], []
    seen: Counter[str] = Counter()
    for line, row in rows:
        reasons: list[str] = []
        occurred_on = _parse_date(row.get("date", ""), "date", reasons)
        kind = row.get("kind", "").lower() or EntryKind.SPEND
        agency = agencies.get(row.get("agency", "").lower())
        if agency is None:
            reasons.append(f"agency {row.get('agency', '')!r} is not a known agency code or name")
        amount = _parse_pounds(row.get("amount", ""), "amount", reasons)
        theme = None
        if row.get("theme"):
            theme = themes.get(row["theme"].lower())
            if theme is None:
                reasons.append(f"theme {row['theme']!r} is not a known theme")
        area = None
        if row.get("area_code"):
            resolved = areas.resolve(row["area_code"], row.get("level", ""), row.get("vintage", ""))
            if isinstance(resolved, str):
                reasons.append(resolved)
            else:
                area = resolved
        if occurred_on and amount is not None:
            reasons += _entry_problems(
                fund=fund,
                kind=kind,
                money=Money(amount, fund.price_year),
                occurred_on=occurred_on,
                theme=theme,
            )
        if reasons:
            problems.append({"line": line, "reasons": reasons})
            continue
        assert occurred_on is not None and amount is not None and agency is not None
        identity = (
            fund.pk,
            occurred_on,
            kind,
            agency.pk,
            amount,
            theme.pk if theme else "",
            area.pk if area else "",
            row.get("reference", ""),
            row.get("description", ""),
        )
        # The nth identical row of a file is a distinct line, and stays the nth next time.
        seen[_row_hash(*identity)] += 1
        parsed.append(
            (
                row,
                occurred_on,
                kind,
                agency,
                amount,
                theme,
                area,
                _row_hash(*identity, seen[_row_hash(*identity)]),
            )
        )
    if problems:
        raise LedgerFileRejected(
            f"{len(problems)} row(s) have problems; nothing was imported.", problems=problems
        )
    existing = set(
        LedgerEntry.objects.filter(fund=fund, row_hash__in=[p[-1] for p in parsed]).values_list(
            "row_hash", flat=True
        )
    )
    result = ImportResult()
    sequence = _next_sequence(fund)
    now = timezone.now()
    new = []
    for row, occurred_on, kind, agency, amount, theme, area, digest in parsed:
        if digest in existing:
            result.skipped += 1
            continue
        new.append(
            LedgerEntry(
                fund=fund,
                sequence=sequence,
                kind=kind,
                agency=agency,
                theme=theme,
                area=area,
                occurred_on=occurred_on,
                amount=amount,
                amount_price_year=fund.price_year,
                description=row.get("description", "")[:300],
                reference=row.get("reference", "")[:100],
                row_hash=digest,
                entered_by=_actor(user),
                entered_at=now,
            )
        )
        sequence += 1
    if not new:  # a re-import that adds nothing changes nothing, not even the log
        return result
    LedgerEntry.objects.bulk_create(new)
    result.added = len(new)
    audit_record(
        actor=user,
        verb="wholeplace.ledger.import",
        target=fund,
        payload={"filename": filename[:200], "added": result.added, "skipped": result.skipped},
    )
    return result


# -------------------------------------------------------------------- Total Place spend

SPEND_COLUMNS = ("agency", "area_code", "theme", "period_start", "period_end", "amount")


@transaction.atomic
def spend_import_csv(*, text: str, filename: str = "", user: Any = None) -> ImportResult:
    """Import public spend lines (columns agency, area_code, theme, period_start, period_end,
    amount; optional level, price_year, reference). Validated whole before anything is
    written; rows already imported are skipped."""
    rows, header_problem = _read_csv(text, SPEND_COLUMNS)
    if header_problem:
        raise SpendFileRejected(
            "The file cannot be read.", problems=[{"line": 1, "reasons": [header_problem]}]
        )
    agencies = _agency_lookup()
    themes = {t.code.lower(): t for t in Theme.objects.all()}
    themes.update({t.name.lower(): t for t in themes.copy().values()})
    areas = _AreaResolver()
    parsed, problems = [], []
    seen: Counter[str] = Counter()
    for line, row in rows:
        reasons: list[str] = []
        agency = agencies.get(row.get("agency", "").lower())
        if agency is None:
            reasons.append(f"agency {row.get('agency', '')!r} is not a known agency code or name")
        theme = themes.get(row.get("theme", "").lower())
        if theme is None:
            reasons.append(f"theme {row.get('theme', '')!r} is not a known theme")
        resolved = areas.resolve(
            row.get("area_code", ""), row.get("level", ""), row.get("vintage", "")
        )
        area = None if isinstance(resolved, str) else resolved
        if isinstance(resolved, str):
            reasons.append(resolved)
        start = _parse_date(row.get("period_start", ""), "period_start", reasons)
        end = _parse_date(row.get("period_end", ""), "period_end", reasons)
        if start and end:
            if end < start:
                reasons.append("period_end is before period_start")
            elif financial_year_of(start) != financial_year_of(end):
                reasons.append("the period crosses a financial year (1 April): split the row")
        amount = _parse_pounds(row.get("amount", ""), "amount", reasons)
        price_year = (
            _parse_year(row["price_year"], "price_year", reasons)
            if row.get("price_year")
            else (financial_year_of(start) if start else None)
        )
        if reasons:
            problems.append({"line": line, "reasons": reasons})
            continue
        assert agency and theme and area and start and end and amount is not None and price_year
        pence = int(amount * 100)
        identity = (
            agency.pk,
            area.pk,
            theme.pk,
            start,
            end,
            pence,
            price_year,
            row.get("reference", ""),
        )
        base = _row_hash(*identity)
        seen[base] += 1
        parsed.append(
            SpendLine(
                agency=agency,
                area=area,
                theme=theme,
                period_start=start,
                period_end=end,
                financial_year=financial_year_of(start),
                amount_pence=pence,
                amount_price_year=price_year,
                row_hash=_row_hash(*identity, seen[base]),
            )
        )
    if problems:
        raise SpendFileRejected(
            f"{len(problems)} row(s) have problems; nothing was imported.", problems=problems
        )
    existing: set[str] = set()
    hashes = [line.row_hash for line in parsed]
    for start_at in range(0, len(hashes), 5000):
        existing.update(
            SpendLine.objects.filter(row_hash__in=hashes[start_at : start_at + 5000]).values_list(
                "row_hash", flat=True
            )
        )
    new = [line for line in parsed if line.row_hash not in existing]
    if not new:  # a re-import that adds nothing changes nothing, not even the log
        return ImportResult(added=0, skipped=len(parsed))
    batch = SpendImport.objects.create(
        filename=filename[:255],
        file_sha256=hashlib.sha256(text.encode()).hexdigest(),
        rows_added=len(new),
        rows_skipped=len(parsed) - len(new),
        imported_by=_actor(user),
    )
    for spend_line in new:
        spend_line.batch = batch
    SpendLine.objects.bulk_create(new, batch_size=2000)
    _spend_totals_add(new)
    audit_record(
        actor=user,
        verb="wholeplace.spend.import",
        target=batch,
        payload={"filename": filename[:200], "added": len(new), "skipped": batch.rows_skipped},
    )
    return ImportResult(added=len(new), skipped=batch.rows_skipped)


def _spend_totals_add(lines: Sequence[SpendLine]) -> None:
    """Add new lines to the running totals (same transaction as the lines)."""
    deltas: dict[tuple[Any, ...], list[int]] = {}
    for line in lines:
        key = (
            line.area_id,
            line.financial_year,
            line.agency_id,
            line.theme_id,
            line.amount_price_year,
        )
        delta = deltas.setdefault(key, [0, 0])
        delta[0] += line.amount_pence
        delta[1] += 1
    if not deltas:
        return
    existing = {
        (t.area_id, t.financial_year, t.agency_id, t.theme_id, t.amount_price_year): t
        for t in SpendTotal.objects.select_for_update().filter(
            area_id__in={k[0] for k in deltas}, financial_year__in={k[1] for k in deltas}
        )
    }
    new = []
    for key, (pence, count) in deltas.items():
        total = existing.get(key)
        if total is None:
            new.append(
                SpendTotal(
                    area_id=key[0],
                    financial_year=key[1],
                    agency_id=key[2],
                    theme_id=key[3],
                    amount_price_year=key[4],
                    amount_pence=pence,
                    lines=count,
                )
            )
        else:
            SpendTotal.objects.filter(pk=total.pk).update(
                amount_pence=F("amount_pence") + pence, lines=F("lines") + count
            )
    SpendTotal.objects.bulk_create(new, batch_size=2000)


SPEND_TOTAL_KEY = "area_id, financial_year, agency_id, theme_id, amount_price_year"


@transaction.atomic
def spend_totals_rebuild(*, user: Any = None) -> int:
    """Recompute the spend totals from the lines (after a bulk load outside the import, or
    to check them). Returns how many totals there are."""
    from django.db import connection

    SpendTotal.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SpendTotal._meta.db_table} "  # noqa: S608 - no user input here
            f"({SPEND_TOTAL_KEY}, amount_pence, lines) "
            f"SELECT {SPEND_TOTAL_KEY}, SUM(amount_pence), COUNT(*) "
            f"FROM {SpendLine._meta.db_table} GROUP BY {SPEND_TOTAL_KEY}"
        )
    count = SpendTotal.objects.count()
    audit_record(actor=user, verb="wholeplace.spend.totals_rebuild", payload={"totals": count})
    return count


# ----------------------------------------------------------- multi-agency involvement


def _pseudonym_key() -> bytes:
    configured = getattr(settings, "WHOLEPLACE_PSEUDONYM_KEY", "")
    if configured:
        return str(configured).encode()
    # Derived, never the secret key itself: rotating one does not expose the other.
    return hmac.new(
        settings.SECRET_KEY.encode(), b"placebase.wholeplace.pseudonym", hashlib.sha256
    ).digest()


def identifier_normalise(raw: str) -> str:
    """Spaces, hyphens and case do not make a different person or household."""
    return re.sub(r"[\s\-]", "", raw).upper()


def pseudonymise(*, identifier: str, subject_kind: str) -> str:
    """A keyed HMAC of the identifier: stable (so agencies' records match) and not
    reversible without the key. The raw identifier is never stored."""
    normalised = identifier_normalise(identifier)
    if not normalised:
        raise EntryInvalid("The identifier is empty.")
    message = f"{subject_kind}:{normalised}".encode()
    return hmac.new(_pseudonym_key(), message, hashlib.sha256).hexdigest()


@transaction.atomic
def involvement_record(
    *,
    agency: Agency,
    subject_kind: str,
    identifier: str,
    started_on: date,
    ended_on: date | None = None,
    area: Area | None = None,
    source: str = InvolvementSource.CASEWORK,
    lawful_basis: str,
    user: Any = None,
) -> Involvement:
    """Record that an agency is (or was) involved with a household or person. Case work
    calls this with the person's or household's identifier; only its pseudonym is kept."""
    if subject_kind not in SubjectKind.values:
        raise EntryInvalid(f"Unknown subject kind {subject_kind!r}.")
    if not lawful_basis.strip():
        raise EntryInvalid("Record the consent or lawful basis for sharing this record.")
    if ended_on and ended_on < started_on:
        raise EntryInvalid("The involvement cannot end before it starts.")
    key = pseudonymise(identifier=identifier, subject_kind=subject_kind)
    involvement, created = Involvement.objects.get_or_create(
        agency=agency,
        subject_kind=subject_kind,
        subject_key=key,
        started_on=started_on,
        defaults={
            "ended_on": ended_on,
            "area": area,
            "source": source,
            "lawful_basis": lawful_basis.strip()[:200],
            "recorded_by": _actor(user),
            "recorded_at": timezone.now(),
        },
    )
    if created:
        audit_record(
            actor=user,
            verb="wholeplace.involvement.record",
            target=involvement,
            personal_data=True,
        )
    return involvement


INVOLVEMENT_COLUMNS = ("identifier", "subject_kind", "started_on", "consent")


@transaction.atomic
def involvement_import_csv(
    *, agency: Agency, text: str, filename: str = "", user: Any = None
) -> ImportResult:
    """Import an agency's involvements (columns identifier, subject_kind, started_on,
    consent; optional ended_on, area_code, level). `consent` holds the consent reference or
    lawful basis and must not be blank. Identifiers are pseudonymised as they are read."""
    rows, header_problem = _read_csv(text, INVOLVEMENT_COLUMNS)
    if header_problem:
        raise InvolvementFileRejected(
            "The file cannot be read.", problems=[{"line": 1, "reasons": [header_problem]}]
        )
    areas = _AreaResolver()
    parsed, problems = [], []
    for line, row in rows:
        reasons: list[str] = []
        kind = row.get("subject_kind", "").lower()
        if kind not in SubjectKind.values:
            reasons.append("subject_kind must be household or person")
        if not identifier_normalise(row.get("identifier", "")):
            reasons.append("identifier is blank")
        if not row.get("consent"):
            reasons.append("consent is blank: record the consent reference or lawful basis")
        started = _parse_date(row.get("started_on", ""), "started_on", reasons)
        ended = _parse_date(row["ended_on"], "ended_on", reasons) if row.get("ended_on") else None
        if started and ended and ended < started:
            reasons.append("ended_on is before started_on")
        area = None
        if row.get("area_code"):
            resolved = areas.resolve(row["area_code"], row.get("level", ""), row.get("vintage", ""))
            if isinstance(resolved, str):
                reasons.append(resolved)
            else:
                area = resolved
        if reasons:
            # The reason never repeats the identifier: problems are shown on screen.
            problems.append({"line": line, "reasons": reasons})
            continue
        assert started is not None
        parsed.append(
            (
                kind,
                pseudonymise(identifier=row["identifier"], subject_kind=kind),
                started,
                ended,
                area,
                row["consent"][:200],
            )
        )
    if problems:
        raise InvolvementFileRejected(
            f"{len(problems)} row(s) have problems; nothing was imported.", problems=problems
        )
    existing = set(
        Involvement.objects.filter(agency=agency).values_list(
            "subject_kind", "subject_key", "started_on"
        )
    )
    now = timezone.now()
    new = {}
    for kind, key, started, ended, area, consent in parsed:
        identity = (kind, key, started)
        if identity in existing or identity in new:
            continue
        new[identity] = Involvement(
            agency=agency,
            subject_kind=kind,
            subject_key=key,
            started_on=started,
            ended_on=ended,
            area=area,
            source=InvolvementSource.IMPORT,
            lawful_basis=consent,
            recorded_by=_actor(user),
            recorded_at=now,
        )
    result = ImportResult(added=len(new), skipped=len(parsed) - len(new))
    if not new:  # a re-import that adds nothing changes nothing, not even the log
        return result
    Involvement.objects.bulk_create(list(new.values()), batch_size=2000)
    audit_record(
        actor=user,
        verb="wholeplace.involvement.import",
        target=agency,
        personal_data=True,
        payload={"filename": filename[:200], "added": result.added, "skipped": result.skipped},
    )
    return result


# ------------------------------------------------------------------- benefits by agency


@transaction.atomic
def benefit_figures_record(
    *,
    source_reference: str,
    period_start: date,
    period_end: date,
    amounts: Mapping[str, Money],
    area: Area | None = None,
    user: Any = None,
) -> list[BenefitFigure]:
    """Record the costs avoided by cost-bearer (`"nhs"`, `"council"`, ...) from one evidence
    run. Recording the same run again replaces its figures, so re-running is harmless."""
    if not source_reference.strip():
        raise BenefitsInvalid("Say which evidence run the figures come from.")
    if period_end < period_start:
        raise BenefitsInvalid("The period cannot end before it starts.")
    unknown = sorted(set(amounts) - set(CostBearer.values))
    if unknown:
        raise BenefitsInvalid(f"Unknown cost bearer(s): {', '.join(unknown)}.")
    if any(m.amount < 0 for m in amounts.values()):
        raise BenefitsInvalid("Costs avoided cannot be negative.")
    recorded = BenefitFigure.objects.filter(source_reference=source_reference.strip())
    wanted = {
        (bearer, money.rounded().amount, money.price_year) for bearer, money in amounts.items()
    }
    same_run = recorded.filter(area=area, period_start=period_start, period_end=period_end)
    if len(recorded) == len(wanted) and wanted == {
        (f.cost_bearer, f.amount, f.amount_price_year) for f in same_run
    }:
        return list(recorded)  # the same figures again: nothing to change or log
    recorded.delete()
    figures = [
        BenefitFigure.objects.create(
            source_reference=source_reference.strip(),
            cost_bearer=bearer,
            area=area,
            period_start=period_start,
            period_end=period_end,
            amount=money.rounded().amount,
            amount_price_year=money.price_year,
            recorded_by=_actor(user),
        )
        for bearer, money in sorted(amounts.items())
    ]
    audit_record(
        actor=user,
        verb="wholeplace.benefits.record",
        target_type="wholeplace.benefitfigure",
        target_id=source_reference.strip()[:64],
        payload={b: str(m.amount) for b, m in amounts.items()},
    )
    return figures


def benefits_from_agency_lines(lines: Iterable[Any], *, price_year: int) -> dict[str, Money]:
    """The evidence engine's per-agency lines (`sroi.AgencyLine`: `.agency`, `.present_value`)
    as amounts by cost bearer, ready for `benefit_figures_record`."""
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line.agency] = totals.get(line.agency, Decimal(0)) + Decimal(line.present_value)
    return {agency: Money(total, price_year) for agency, total in totals.items()}


# ------------------------------------------------------------------- consistency register


@transaction.atomic
def register_entry_save(
    *,
    agency: Agency,
    service_name: str,
    approach: str,
    themes: Iterable[Theme] = (),
    areas: Iterable[Area] = (),
    staff_total: int = 0,
    staff_trained: int = 0,
    notes: str = "",
    entry: RegisterEntry | None = None,
    version: int | None = None,
    user: Any = None,
) -> RegisterEntry:
    """Add a register entry, or update `entry` if nobody else has since `version`."""
    problems = []
    if not service_name.strip():
        problems.append("Enter the department or service's name.")
    if approach not in Approach.values:
        problems.append(f"Unknown approach {approach!r}.")
    if staff_total < 0 or staff_trained < 0:
        problems.append("Staff numbers cannot be negative.")
    if staff_trained > staff_total:
        problems.append("Staff trained cannot be more than the staff in the service.")
    if problems:
        raise RegisterEntryInvalid(" ".join(problems), problems=problems)
    fields = {
        "agency": agency,
        "service_name": service_name.strip(),
        "approach": approach,
        "staff_total": staff_total,
        "staff_trained": staff_trained,
        "notes": notes,
        "updated_by": _actor(user),
    }
    duplicate = RegisterEntry.objects.filter(
        agency=agency, service_name=fields["service_name"], approach=approach
    )
    if entry is not None:
        duplicate = duplicate.exclude(pk=entry.pk)
    if duplicate.exists():
        raise RegisterEntryInvalid("That service is already in the register.")
    if entry is None:
        entry = RegisterEntry.objects.create(**fields)
        verb = "wholeplace.register.create"
    else:
        if version is None:
            raise RegisterEntryInvalid("Say which version of the entry you are changing.")
        updated = RegisterEntry.objects.filter(pk=entry.pk, version=version).update(
            **fields, version=version + 1, updated_at=timezone.now()
        )
        if not updated:
            raise RegisterEntryStale(
                "Someone else changed this entry since you opened it. Check it and try again."
            )
        entry.refresh_from_db()
        verb = "wholeplace.register.update"
    entry.themes.set(list(themes))
    entry.areas.set(list(areas))
    audit_record(actor=user, verb=verb, target=entry, payload={"version": entry.version})
    return entry


# ----------------------------------------------------------------------------- demo place

DEMO_COUNCIL = "London Borough of Sutton"
# (organisation, kind, parent, agency code, sector, cost bearer, footprint GSS codes)
DEMO_AGENCIES: list[tuple[str, str, str | None, str, str, str, list[str]]] = [
    (
        DEMO_COUNCIL,
        "council",
        None,
        "sutton-council",
        AgencySector.COUNCIL,
        "council",
        ["E09000029"],
    ),
    (
        "Sutton Council Adult Social Care",
        "council",
        DEMO_COUNCIL,
        "sutton-asc",
        AgencySector.COUNCIL_DEPARTMENT,
        "council",
        ["E09000029"],
    ),
    (
        "Sutton Council Housing",
        "council",
        DEMO_COUNCIL,
        "sutton-housing",
        AgencySector.COUNCIL_DEPARTMENT,
        "council",
        ["E09000029"],
    ),
    (
        "Sutton Council Public Health",
        "council",
        DEMO_COUNCIL,
        "sutton-public-health",
        AgencySector.COUNCIL_DEPARTMENT,
        "council",
        ["E09000029"],
    ),
    (
        "Sutton Council Children's Services",
        "council",
        DEMO_COUNCIL,
        "sutton-childrens",
        AgencySector.COUNCIL_DEPARTMENT,
        "council",
        ["E09000029"],
    ),
    (
        "Sutton Council Libraries and Leisure",
        "council",
        DEMO_COUNCIL,
        "sutton-libraries",
        AgencySector.COUNCIL_DEPARTMENT,
        "council",
        ["E09000029"],
    ),
    (
        "NHS South West London Integrated Care Board",
        "nhs",
        None,
        "swl-icb",
        AgencySector.ICB,
        "nhs",
        ["E54000031"],
    ),
    (
        "Epsom and St Helier University Hospitals NHS Trust",
        "nhs",
        None,
        "esth-trust",
        AgencySector.NHS_TRUST,
        "nhs",
        ["E09000029", "E09000024"],
    ),
    (
        "Metropolitan Police Service",
        "police",
        None,
        "met-police",
        AgencySector.POLICE,
        "police",
        ["E12000007"],
    ),
    (
        "Sutton Homes Association",
        "housing",
        None,
        "sutton-homes",
        AgencySector.HOUSING,
        "housing",
        ["E09000029"],
    ),
    (
        "Community Action Sutton",
        "vcs",
        None,
        "community-action-sutton",
        AgencySector.VCS,
        "other",
        ["E09000029"],
    ),
]
DEMO_THEMES = [
    ("housing", "Housing and homelessness"),
    ("health", "Health and wellbeing"),
    ("ageing-well", "Ageing well"),
    ("children-families", "Children and families"),
    ("community-safety", "Community safety"),
    ("employment", "Employment and skills"),
]
# Which agency spends on which theme, and roughly how much a head a year (pounds).
DEMO_SPEND: list[tuple[str, str, int]] = [
    ("sutton-council", "housing", 45),
    ("sutton-asc", "ageing-well", 310),
    ("sutton-childrens", "children-families", 240),
    ("sutton-public-health", "health", 38),
    ("swl-icb", "health", 1650),
    ("esth-trust", "health", 720),
    ("met-police", "community-safety", 190),
    ("sutton-homes", "housing", 85),
    ("sutton-council", "employment", 12),
]
DEMO_FUND = "Sutton Stronger Together Pooled Fund"
DEMO_BENEFITS_SOURCE = "Demo evidence run: Sutton LAC and prevention 2025-26 (illustrative)"


def _demo_area(code: str) -> Area | None:
    return (
        Area.objects.filter(code=code, boundary_set__is_active=True)
        .defer("geometry", "geometry_wkb")
        .order_by("-boundary_set__vintage")
        .first()
    )


@transaction.atomic
def demo_wholeplace_load(*, seed: int) -> dict[str, int]:
    """Load (or top up) the whole-place demo for Sutton: agencies and footprints, a pooled
    fund with its ledger, Total Place spend by ward, theme and agency, multi-agency
    involvement, illustrative benefits by agency and a consistency register with gaps.
    Idempotent: a second run changes nothing. Needs the places demo (Sutton's geography)."""
    import random

    from faker import Faker

    from .selectors import area_children_at, area_population

    district = _demo_area("E09000029")
    if district is None:
        raise ValidationFailed(
            "Load the demo place (Sutton's geography) before the whole-place demo.",
            code="wholeplace.demo_needs_places",
        )
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)

    organisations: dict[str, Organisation] = {}
    agencies: dict[str, Agency] = {}
    for name, kind, parent, code, sector, bearer, footprint in DEMO_AGENCIES:
        org, _ = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "parent": organisations.get(parent or "")}
        )
        organisations[name] = org
        agency = Agency.objects.filter(organisation=org).first() or agency_create(
            organisation=org,
            code=code,
            sector=sector,
            cost_bearer=bearer,
            is_lead_council=(code == "sutton-council"),
        )
        agencies[code] = agency
        areas = [a for a in (_demo_area(c) for c in footprint) if a is not None]
        if set(Footprint.objects.filter(agency=agency).values_list("area_id", flat=True)) != {
            a.pk for a in areas
        }:
            agency_footprint_set(agency=agency, areas=areas)
    themes = {code: theme_create(code=code, name=name) for code, name in DEMO_THEMES}

    wards = area_children_at(parent=district, level="ward")
    population = area_population(area_ids=[w.pk for w in wards])
    # LSOAs do not nest in wards: take those mostly inside one of the district's wards.
    lsoas = list(
        Area.objects.filter(
            boundary_set__level="lsoa",
            boundary_set__is_active=True,
            overlaps__other__in=wards,
            overlaps__area_share__gte=0.5,
        )
        .defer("geometry", "geometry_wkb")
        .select_related("boundary_set")
        .distinct()
    )
    newest = max((a.boundary_set.vintage for a in lsoas), default=0)
    lsoas = [a for a in lsoas if a.boundary_set.vintage == newest]

    # Total Place spend: quarterly lines by ward, agency and theme for two financial years,
    # the ICB's community health spend by LSOA, and some spend for the borough as a whole.
    quarters = [("04-01", "06-30"), ("07-01", "09-30"), ("10-01", "12-31"), ("01-01", "03-31")]
    lines = ["agency,area_code,level,theme,period_start,period_end,amount,price_year"]
    for year in (2024, 2025):
        for ward in wards:
            people = population.get(ward.pk) or 10000
            for code, theme, per_head in DEMO_SPEND:
                if code == "swl-icb":
                    continue  # recorded by LSOA below
                for q, (start, end) in enumerate(quarters):
                    y = year if q < 3 else year + 1
                    amount = people * per_head / 4 * rng.uniform(0.6, 1.5)
                    lines.append(
                        f"{code},{ward.code},ward,{theme},{y}-{start},{y}-{end},{amount:.2f},{year}"
                    )
        for lsoa in lsoas:
            amount = 1650 * 1600 * rng.uniform(0.7, 1.4)
            lines.append(
                f"swl-icb,{lsoa.code},lsoa,health,{year}-04-01,{year + 1}-03-31,{amount:.2f},{year}"
            )
        lines.append(
            f"sutton-council,E09000029,district,housing,{year}-04-01,{year + 1}-03-31,"
            f"{2_400_000 * rng.uniform(0.9, 1.1):.2f},{year}"
        )
    spend = spend_import_csv(text="\n".join(lines) + "\n", filename="demo-spend.csv")

    # The pooled fund and its ledger.
    fund = PooledFund.objects.filter(name=DEMO_FUND).first() or fund_create(
        name=DEMO_FUND,
        price_year=2025,
        starts_on=date(2025, 4, 1),
        ends_on=date(2026, 3, 31),
        description="Council, NHS and police money pooled for prevention in Sutton's wards.",
        places=[district],
        themes=[themes[c] for c in ("housing", "health", "ageing-well", "community-safety")],
    )
    ledger = ["date,kind,agency,theme,area_code,amount,reference,description"]
    for code, amount in [
        ("sutton-council", 650000),
        ("swl-icb", 480000),
        ("met-police", 120000),
        ("esth-trust", 90000),
    ]:
        ledger.append(f"2025-04-01,contribution,{code},,,{amount},C-{code},Annual contribution")
    ledger.append("2025-04-02,contribution,swl-icb,,,48000,C-dup,Annual contribution")
    for theme, amount in [
        ("housing", 320000),
        ("health", 410000),
        ("ageing-well", 260000),
        ("community-safety", 90000),
    ]:
        ledger.append(
            f"2025-04-15,commitment,sutton-council,{theme},,{amount},K-{theme},"
            "Commissioned prevention"
        )
    for month in range(4, 13):
        for theme, payee in [
            ("housing", "sutton-homes"),
            ("health", "swl-icb"),
            ("ageing-well", "sutton-asc"),
        ]:
            paid_in = wards[rng.randrange(len(wards))] if wards else None
            reference = fake.bothify("INV-####-??").upper()
            ledger.append(
                f"2025-{month:02d}-28,spend,{payee},{theme},"
                f"{paid_in.code if paid_in else ''},{rng.randint(8000, 30000)}.00,"
                f"{reference},Monthly delivery"
            )
    ledger_result = ledger_import_csv(
        fund=fund, text="\n".join(ledger) + "\n", filename="demo-ledger.csv"
    )
    mistaken = LedgerEntry.objects.filter(fund=fund, reference="C-dup").first()
    if mistaken and not LedgerEntry.objects.filter(reverses=mistaken).exists():
        ledger_entry_reverse(entry=mistaken, reason="Keyed twice: the ICB paid once")

    # Multi-agency involvement: pseudonymised households, imported agency by agency.
    involved_codes = [
        "sutton-asc",
        "sutton-housing",
        "sutton-childrens",
        "swl-icb",
        "met-police",
        "sutton-homes",
    ]
    rows: dict[str, list[str]] = {code: [] for code in involved_codes}
    for _ in range(900):
        uprn = fake.numerify("1000########")
        home = wards[rng.randrange(len(wards))] if wards else None
        count = rng.choices([1, 2, 3, 4], weights=[60, 25, 10, 5])[0]
        for code in rng.sample(involved_codes, count):
            started = date(2025, 4, 1) + timedelta(days=rng.randrange(300))
            ended = started + timedelta(days=rng.randrange(30, 400)) if rng.random() < 0.4 else None
            rows[code].append(
                f"{uprn},household,{started},{ended or ''},"
                f"{home.code if home else ''},ward,DSA-2025-{rng.randint(1, 40)}"
            )
    involvements = 0
    for code, body in rows.items():
        text = "identifier,subject_kind,started_on,ended_on,area_code,level,consent\n"
        result = involvement_import_csv(
            agency=agencies[code],
            text=text + "\n".join(body) + "\n",
            filename="demo-involvement.csv",
        )
        involvements += result.added

    benefit_figures_record(
        source_reference=DEMO_BENEFITS_SOURCE,
        area=district,
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
        amounts={
            "nhs": Money(Decimal("812400"), 2025),
            "council": Money(Decimal("368500"), 2025),
            "police": Money(Decimal("96300"), 2025),
            "housing": Money(Decimal("54200"), 2025),
        },
    )

    register = [
        (
            "sutton-asc",
            "Local Area Coordination",
            Approach.LOCAL_AREA_COORDINATION,
            ["ageing-well", "health", "housing"],
            wards[:8],
            60,
            41,
        ),
        (
            "sutton-public-health",
            "Community connectors",
            Approach.ABCD,
            ["health", "ageing-well"],
            [district],
            25,
            20,
        ),
        (
            "sutton-housing",
            "Tenancy sustainment",
            Approach.WHOLE_PLACE,
            ["housing"],
            wards[8:13],
            80,
            22,
        ),
        (
            "swl-icb",
            "Integrated neighbourhood teams",
            Approach.WHOLE_PLACE,
            ["health"],
            wards[:10],
            140,
            35,
        ),
    ]
    for code, service, approach, theme_codes, areas, total, trained in register:
        if not RegisterEntry.objects.filter(agency=agencies[code], service_name=service).exists():
            register_entry_save(
                agency=agencies[code],
                service_name=service,
                approach=approach,
                themes=[themes[t] for t in theme_codes],
                areas=areas,
                staff_total=total,
                staff_trained=trained,
            )
    return {
        "agencies": Agency.objects.count(),
        "spend lines": SpendLine.objects.count(),
        "spend lines added": spend.added,
        "ledger entries": LedgerEntry.objects.filter(fund=fund).count(),
        "ledger entries added": ledger_result.added,
        "involvements": Involvement.objects.count(),
        "involvements added": involvements,
        "register entries": RegisterEntry.objects.count(),
    }
