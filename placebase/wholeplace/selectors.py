"""Reads for Whole Place: footprints and where they are not coterminous, fund balances,
spend per head by area, households served by several agencies (disclosure-controlled),
who pays versus who benefits, and the gaps in the consistency register."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum

from placebase.accounts.models import Organisation
from placebase.accounts.permissions import Action, can
from placebase.core.audit import audit_record
from placebase.core.disclosure import Shown, disclose_count, disclose_table
from placebase.core.errors import NotFound
from placebase.core.money import Money, PriceYearMismatch
from placebase.places import selectors as places_selectors
from placebase.places.models import Area, AreaAttribute, AreaOverlap, BoundarySet, Level

from .errors import MultiAgencyForbidden, PriceYearsDiffer
from .models import (
    Agency,
    AgencySector,
    BenefitFigure,
    CostBearer,
    EntryKind,
    Footprint,
    Involvement,
    LedgerEntry,
    PooledFund,
    RegisterEntry,
    SpendLine,
    SpendTotal,
    SubjectKind,
    Theme,
)

POPULATION_KEY = "population_total"
# Spend recorded at these levels is shared out to the areas it overlaps, by area share.
FINER_LEVELS = (Level.LSOA, Level.OUTPUT_AREA, Level.MSOA)
COTERMINOUS = 0.99  # footprints this close count as the same (boundaries are generalised)


def _light(qs: QuerySet[Area]) -> QuerySet[Area]:
    return qs.defer("geometry", "geometry_wkb")


def area_get_by_id(*, area_id: Any) -> Area:
    try:
        return _light(Area.objects.select_related("boundary_set")).get(pk=area_id)
    except (Area.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound("No such area.") from error


def area_geometries(*, area_ids: Iterable[Any]) -> dict[Any, Area]:
    """Areas with their GeoJSON, for drawing maps."""
    return Area.objects.only("id", "name", "geometry", "area_m2").in_bulk(list(area_ids))


def area_population(*, area_ids: Iterable[Any]) -> dict[Any, float]:
    """Population by area id, from the places app's `population_total` attribute."""
    return dict(
        AreaAttribute.objects.filter(area_id__in=list(area_ids), key=POPULATION_KEY).values_list(
            "area_id", "value"
        )
    )


def area_children_at(*, parent: Area, level: str) -> list[Area]:
    """Areas of `level` whose best fit is `parent` (at least half inside it): a district's
    wards, say. Uses the places overlap table, so it works for any pair of levels."""
    return list(
        _light(Area.objects.select_related("boundary_set"))
        .filter(
            boundary_set__level=level,
            boundary_set__is_active=True,
            overlaps__other=parent,
            overlaps__area_share__gte=0.5,
        )
        .order_by("name")
    )


# --------------------------------------------------------------------------- footprints


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.select_related("organisation").prefetch_related("footprint_areas__area")


def agency_get(*, agency_id: Any) -> Agency:
    try:
        return agency_list().get(pk=agency_id)
    except (Agency.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound("No such agency.") from error


def footprint_areas(*, agency: Agency) -> list[Area]:
    """The areas an agency covers, with their boundary sets, largest level first."""
    return list(
        _light(Area.objects.select_related("boundary_set"))
        .filter(pk__in=Footprint.objects.filter(agency=agency).values("area_id"))
        .order_by("boundary_set__level", "name")
    )


def organisation_choices_for_agency() -> QuerySet[Organisation]:
    """Organisations that are not yet agencies."""
    return Organisation.objects.filter(wholeplace_agency__isnull=True).order_by("name")


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.order_by("name")


def boundary_set_choices() -> QuerySet[BoundarySet]:
    """Active boundary sets a footprint's areas can come from."""
    return places_selectors.boundary_set_list(active_only=True)


def boundary_set_get_active(*, set_id: Any) -> BoundarySet | None:
    """An active boundary set by id, or None for a missing or malformed id."""
    if not set_id:
        return None
    try:
        return BoundarySet.objects.filter(pk=set_id, is_active=True).first()
    except (ValueError, TypeError, ValidationError):
        return None


# Sets with more areas than this (LSOAs of a region, say) are chosen from by code instead.
MAX_AREAS_TO_TICK = 400


def area_choices_in_set(*, boundary_set: BoundarySet) -> list[Area] | None:
    """The areas of a set to tick one by one, or None when there are too many for that."""
    areas = list(
        _light(Area.objects.filter(boundary_set=boundary_set)).order_by("name", "code")[
            : MAX_AREAS_TO_TICK + 1
        ]
    )
    return None if len(areas) > MAX_AREAS_TO_TICK else areas


def areas_by_codes(
    *, boundary_set: BoundarySet, codes: Iterable[str]
) -> tuple[list[Area], list[str]]:
    """The areas of `boundary_set` with these codes (any case), and the codes not found."""
    wanted = {code.strip().upper(): code.strip() for code in codes if code.strip()}
    found = {
        area.code.upper(): area
        for area in _light(Area.objects.filter(boundary_set=boundary_set)).filter(
            code__in=list(wanted.values()) + list(wanted)
        )
    }
    # Codes stored in another case: fall back to a case-insensitive lookup, one by one.
    for key in set(wanted) - set(found):
        match = _light(Area.objects.filter(boundary_set=boundary_set, code__iexact=key)).first()
        if match is not None:
            found[key] = match
    return (
        [found[key] for key in wanted if key in found],
        [wanted[key] for key in wanted if key not in found],
    )


def theme_list() -> QuerySet[Theme]:
    return Theme.objects.order_by("name")


class _Overlaps:
    """Sizes of, and overlaps between, a set of areas: read once, in two queries."""

    def __init__(self, area_ids: set[Any]) -> None:
        self.sizes: dict[Any, float] = dict(
            Area.objects.filter(pk__in=area_ids).order_by().values_list("pk", "area_m2")
        )
        self.share: dict[tuple[Any, Any], float] = {
            (a, b): share
            for a, b, share in AreaOverlap.objects.filter(
                area_id__in=area_ids, other_id__in=area_ids
            )
            .order_by()
            .values_list("area_id", "other_id", "area_share")
        }

    def inside(self, inner: set[Any], outer: set[Any]) -> float | None:
        if not inner:
            return None
        total = weighted = 0.0
        for a in inner:
            size = self.sizes.get(a) or 1.0
            if a in outer:
                share = 1.0
            else:
                direct = [self.share[(a, b)] for b in outer if (a, b) in self.share]
                if direct:
                    share = sum(direct)
                else:  # b inside a, scaled by their sizes
                    share = sum(
                        self.share[(b, a)] * self.sizes.get(b, 0.0) / size
                        for b in outer
                        if (b, a) in self.share
                    )
            total += size
            weighted += size * min(1.0, share)
        return weighted / total if total else None


def footprint_share_inside(*, inner: set[Any], outer: set[Any]) -> float | None:
    """The share (by land area) of footprint `inner` lying inside footprint `outer`.

    Areas of the same boundary set do not overlap, so an area's shares inside the areas of
    `outer` add up. The overlap table is read both ways: `a` inside `b` directly, or from
    `b` inside `a` scaled by their sizes.
    """
    return _Overlaps(inner | outer).inside(inner, outer)


@dataclass
class FootprintRow:
    agency: Agency
    areas: list[Area]
    inside_lead: float | None  # share of this footprint inside the lead council's
    lead_inside: float | None  # share of the lead council's footprint inside this one

    @property
    def coterminous(self) -> bool | None:
        if self.inside_lead is None or self.lead_inside is None:
            return None
        return self.inside_lead >= COTERMINOUS and self.lead_inside >= COTERMINOUS

    @property
    def description(self) -> str:
        if self.coterminous is None:
            return "No footprint recorded"
        if self.coterminous:
            return "Coterminous with the council"
        if (self.inside_lead or 0) >= COTERMINOUS:
            return "Inside the council's area, covering part of it"
        if (self.lead_inside or 0) >= COTERMINOUS:
            return "Covers the council's area and more"
        if not self.inside_lead:
            return "Does not overlap the council's area"
        return "Overlaps the council's area in part"


@dataclass
class FootprintReport:
    lead: Agency | None
    rows: list[FootprintRow]
    # Pairs of agencies whose footprints overlap without being the same: (a, b, a in b, b in a)
    pairs: list[tuple[Agency, Agency, float, float]]


def footprint_report() -> FootprintReport:
    agencies = list(agency_list())
    lead = next((a for a in agencies if a.is_lead_council), None)
    ids = {a.pk: {f.area_id for f in a.footprint_areas.all()} for a in agencies}
    lead_ids = ids[lead.pk] if lead else set()
    overlaps = _Overlaps(set().union(*ids.values()) if ids else set())
    rows = [
        FootprintRow(
            agency=a,
            areas=[f.area for f in a.footprint_areas.all()],
            inside_lead=overlaps.inside(ids[a.pk], lead_ids) if lead_ids else None,
            lead_inside=overlaps.inside(lead_ids, ids[a.pk]) if ids[a.pk] else None,
        )
        for a in agencies
    ]
    pairs = []
    for i, a in enumerate(agencies):
        for b in agencies[i + 1 :]:
            ab = overlaps.inside(ids[a.pk], ids[b.pk]) or 0.0
            ba = overlaps.inside(ids[b.pk], ids[a.pk]) or 0.0
            if (ab or ba) and not (ab >= COTERMINOUS and ba >= COTERMINOUS):
                pairs.append((a, b, ab, ba))
    return FootprintReport(lead=lead, rows=rows, pairs=pairs)


# -------------------------------------------------------------------------- pooled funds


def fund_list() -> QuerySet[PooledFund]:
    return PooledFund.objects.all()


def fund_get(*, fund_id: Any) -> PooledFund:
    try:
        return PooledFund.objects.get(pk=fund_id)
    except (PooledFund.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound("No such fund.") from error


def ledger_entry_get(*, fund: PooledFund, entry_id: Any) -> LedgerEntry:
    try:
        return LedgerEntry.objects.select_related("agency__organisation", "theme").get(
            fund=fund, pk=entry_id
        )
    except (LedgerEntry.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound("No such ledger entry.") from error


def ledger_entry_list(*, fund: PooledFund) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(fund=fund)
        .select_related("agency__organisation", "theme", "area", "entered_by", "reverses")
        .defer("area__geometry", "area__geometry_wkb")
        .annotate(reversal_count=Count("reversed_by"))
        .order_by("-sequence")
    )


@dataclass
class FundSummary:
    fund: PooledFund
    contributions: Money
    commitments: Money
    spend: Money
    outstanding_commitments: Money
    balance: Money  # contributions less spend
    available: Money  # balance less what is committed and not yet spent
    by_agency: list[tuple[Agency, Money]]
    by_theme: list[tuple[Theme, Money, Money]]  # theme, committed, spent


def fund_summary(*, fund: PooledFund) -> FundSummary:
    """Totals from the ledger. Reversals carry negated amounts, so plain sums are right.

    Spend on a theme draws down what was committed to it; a commitment not yet spent is
    still owed, so it comes off what is available.
    """
    year = fund.price_year
    totals: dict[str, Decimal] = defaultdict(Decimal)
    agency_totals: dict[Any, Decimal] = defaultdict(Decimal)
    committed: dict[Any, Decimal] = defaultdict(Decimal)
    spent: dict[Any, Decimal] = defaultdict(Decimal)
    # Summed in Python: exact Decimal arithmetic on every database, and ledgers are short.
    for kind, agency_id, theme_id, amount in LedgerEntry.objects.filter(fund=fund).values_list(
        "kind", "agency_id", "theme_id", "amount"
    ):
        totals[kind] += amount
        if kind == EntryKind.CONTRIBUTION:
            agency_totals[agency_id] += amount
        elif kind == EntryKind.COMMITMENT:
            committed[theme_id] += amount
        else:
            spent[theme_id] += amount
    outstanding = sum(
        (max(Decimal(0), committed[t] - spent.get(t, Decimal(0))) for t in committed), Decimal(0)
    )
    agencies = Agency.objects.select_related("organisation").in_bulk(list(agency_totals))
    themes = Theme.objects.in_bulk([t for t in set(committed) | set(spent) if t])
    balance = totals[EntryKind.CONTRIBUTION] - totals[EntryKind.SPEND]
    return FundSummary(
        fund=fund,
        contributions=Money(totals[EntryKind.CONTRIBUTION], year),
        commitments=Money(totals[EntryKind.COMMITMENT], year),
        spend=Money(totals[EntryKind.SPEND], year),
        outstanding_commitments=Money(outstanding, year),
        balance=Money(balance, year),
        available=Money(balance - outstanding, year),
        by_agency=sorted(
            ((agencies[a], Money(v, year)) for a, v in agency_totals.items()),
            key=lambda row: -row[1].amount,
        ),
        by_theme=sorted(
            (
                (
                    themes[t],
                    Money(committed.get(t, Decimal(0)), year),
                    Money(spent.get(t, Decimal(0)), year),
                )
                for t in themes
            ),
            key=lambda row: row[0].name,
        ),
    )


# ------------------------------------------------------------------------- Total Place


def spend_years() -> list[int]:
    return sorted(
        SpendTotal.objects.values_list("financial_year", flat=True).distinct().order_by(),
        reverse=True,
    )


def _apportion_sources(targets: list[Any]) -> dict[Any, list[tuple[Any, float]]]:
    """Finer areas (LSOAs, MSOAs) whose spend is shared out to the target areas."""
    sources: dict[Any, list[tuple[Any, float]]] = defaultdict(list)
    for source, target, share in AreaOverlap.objects.filter(
        other_id__in=targets,
        area__boundary_set__level__in=FINER_LEVELS,
        area_share__gt=0,
    ).values_list("area_id", "other_id", "area_share"):
        sources[source].append((target, share))
    return sources


def spend_totals(
    *,
    areas: list[Any],
    financial_year: int | None = None,
    by: str = "",
    agency: Agency | None = None,
    theme: Theme | None = None,
    from_lines: bool = False,
) -> tuple[dict[Any, dict[Any, Decimal]], set[int]]:
    """Pence spent in each area, optionally split by "agency" or "theme": lines recorded at
    the area itself, plus lines at finer levels shared out by how much of them lies inside.
    Returns ({area id: {key: pence}}, price years seen).

    Reads the totals kept at import; `from_lines=True` sums the lines themselves instead
    (the same answer, slower: for checking, and for the benchmark)."""
    sources = _apportion_sources(areas)
    model: Any = SpendLine if from_lines else SpendTotal
    lines = model.objects.filter(area_id__in=list(areas) + list(sources))
    if financial_year is not None:
        lines = lines.filter(financial_year=financial_year)
    if agency is not None:
        lines = lines.filter(agency=agency)
    if theme is not None:
        lines = lines.filter(theme=theme)
    group = ["area_id", "amount_price_year"] + ([f"{by}_id"] if by else [])
    out: dict[Any, dict[Any, Decimal]] = {a: defaultdict(Decimal) for a in areas}
    years: set[int] = set()
    wanted = set(areas)
    for row in lines.values(*group).annotate(pence=Sum("amount_pence")).order_by():
        key = row.get(f"{by}_id") if by else None
        years.add(row["amount_price_year"])
        area_id = row["area_id"]
        if area_id in wanted:
            out[area_id][key] += Decimal(row["pence"])
        for target, share in sources.get(area_id, ()):
            out[target][key] += Decimal(row["pence"]) * Decimal(str(share))
    return out, years


def _pounds(pence: Decimal) -> Decimal:
    return (pence / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class SpendRow:
    area: Area
    total: Decimal  # pounds
    population: float | None

    @property
    def per_head(self) -> Decimal | None:
        if not self.population:
            return None
        return (self.total / Decimal(str(self.population))).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class SpendTable:
    parent: Area
    level: str
    financial_year: int | None
    rows: list[SpendRow]
    parent_total: SpendRow  # everything spent in the parent, at any level
    unattributed: Decimal  # recorded against the parent as a whole, not any one child
    price_years: list[int]
    bands: dict[Any, int] = field(default_factory=dict)  # area id -> quintile 1..5 per head

    @property
    def mixed_price_years(self) -> bool:
        return len(self.price_years) > 1


def spend_per_head_children(
    *,
    parent: Area,
    level: str = Level.WARD,
    financial_year: int | None = None,
    from_lines: bool = False,
) -> SpendTable:
    """Spend and spend per head for every child area (e.g. every ward of a district)."""
    children = area_children_at(parent=parent, level=level)
    child_ids = [c.pk for c in children]
    totals, years = spend_totals(
        areas=child_ids, financial_year=financial_year, from_lines=from_lines
    )
    population = area_population(area_ids=child_ids + [parent.pk])
    rows = [
        SpendRow(
            area=c,
            total=_pounds(sum(totals[c.pk].values(), Decimal(0))),
            population=population.get(c.pk),
        )
        for c in children
    ]
    # Lines recorded against the parent itself: not shared out to any one child.
    direct_model: Any = SpendLine if from_lines else SpendTotal
    direct = direct_model.objects.filter(area=parent)
    if financial_year is not None:
        direct = direct.filter(financial_year=financial_year)
    years.update(direct.values_list("amount_price_year", flat=True).distinct().order_by())
    unattributed = _pounds(Decimal(direct.aggregate(p=Sum("amount_pence"))["p"] or 0))
    whole = SpendRow(
        area=parent,
        total=unattributed + sum((r.total for r in rows), Decimal(0)),
        population=population.get(parent.pk) or (sum(r.population or 0 for r in rows) or None),
    )
    return SpendTable(
        parent=parent,
        level=level,
        financial_year=financial_year,
        rows=rows,
        parent_total=whole,
        unattributed=unattributed,
        price_years=sorted(years),
        bands=_quintiles({r.area.pk: r.per_head for r in rows}),
    )


def _quintiles(values: Mapping[Any, Decimal | None]) -> dict[Any, int]:
    known = sorted((v, k) for k, v in values.items() if v is not None)
    if not known:
        return {}
    return {k: 1 + (i * 5) // len(known) for i, (_, k) in enumerate(known)}


@dataclass
class SpendBreakdown:
    area: Area
    population: float | None
    by_agency: list[tuple[Agency, Decimal, Decimal | None]]  # agency, pounds, per head
    by_theme: list[tuple[Theme, Decimal, Decimal | None]]
    price_years: list[int]


def spend_breakdown(*, area: Area, financial_year: int | None = None) -> SpendBreakdown:
    population = area_population(area_ids=[area.pk]).get(area.pk)

    def rows(by: str, model: Any) -> tuple[list[tuple[Any, Decimal, Decimal | None]], set[int]]:
        totals, years = spend_totals(areas=[area.pk], financial_year=financial_year, by=by)
        objects = model.objects.in_bulk([k for k in totals[area.pk] if k])
        out = []
        for key, pence in totals[area.pk].items():
            pounds = _pounds(pence)
            per_head = (
                (pounds / Decimal(str(population))).quantize(Decimal("0.01"))
                if population
                else None
            )
            out.append((objects[key], pounds, per_head))
        return sorted(out, key=lambda r: -r[1]), years

    by_agency, years = rows("agency", Agency)
    by_theme, _ = rows("theme", Theme)
    return SpendBreakdown(area, population, by_agency, by_theme, sorted(years))


def spend_parent_choices() -> list[Area]:
    """Districts worth drilling into: those in an agency's footprint or with spend."""
    with_spend = SpendTotal.objects.values("area_id").distinct()
    areas = list(
        _light(Area.objects.select_related("boundary_set"))
        .filter(
            boundary_set__level__in=[Level.DISTRICT, Level.COUNTY], boundary_set__is_active=True
        )
        .filter(Q(wholeplace_agencies__isnull=False) | Q(pk__in=with_spend))
        .distinct()
        .order_by("name")
    )
    # The lead council's own area first: it is what most people come to see.
    lead = set(
        Footprint.objects.filter(agency__is_lead_council=True).values_list("area_id", flat=True)
    )
    return sorted(areas, key=lambda a: a.pk not in lead)


# -------------------------------------------------------------- multi-agency involvement


@dataclass
class MultiAgencyTable:
    level: str
    bands: list[str]  # column labels: "2 agencies", "3 agencies", "4 or more"
    rows: list[tuple[Area, list[Shown], Shown]]  # area, counts by band, total
    column_totals: list[Shown]
    total: Shown
    subject_kind: str
    # Served by several agencies at once, anywhere, but no agency recorded where they live:
    # not in any row (disclosure-controlled like the rest).
    unplaced: Shown = 0


def _best_fit(area_ids: set[Any], level: str) -> dict[Any, Any]:
    """Each area's best-fit area at `level` (itself when already at that level)."""
    fit: dict[Any, Any] = {}
    at_level = set(
        Area.objects.filter(pk__in=area_ids, boundary_set__level=level).values_list("pk", flat=True)
    )
    fit.update({a: a for a in at_level})
    best: dict[Any, tuple[float, Any]] = {}
    for a, other, share in AreaOverlap.objects.filter(
        area_id__in=area_ids - at_level,
        other__boundary_set__level=level,
        other__boundary_set__is_active=True,
    ).values_list("area_id", "other_id", "area_share"):
        if share > best.get(a, (0.0, None))[0]:
            best[a] = (share, other)
    fit.update({a: other for a, (_, other) in best.items()})
    return fit


def _most_at_once(spans: list[tuple[date, date, Any]]) -> int:
    """The most distinct agencies involved on any one day (spans include both ends)."""
    if len({agency for _, _, agency in spans}) < 2:
        return len(spans) and 1
    events = sorted(
        [(start.toordinal(), 1, agency) for start, _, agency in spans]
        + [(end.toordinal() + 1, -1, agency) for _, end, agency in spans]
    )  # ends sort before starts on the same day: a span ending yesterday is over
    active: dict[Any, int] = defaultdict(int)
    most = 0
    for _, step, agency in events:
        active[agency] += step
        if step > 0:
            most = max(most, sum(1 for n in active.values() if n > 0))
    return most


def multi_agency_by_area(
    *,
    user: Any,
    parent: Area,
    level: str = Level.WARD,
    period_start: date,
    period_end: date,
    subject_kind: str = SubjectKind.HOUSEHOLD,
) -> MultiAgencyTable:
    """Households (or people) served by two or more agencies on the same day during the
    period (counted by the most at once), by area, with disclosure control (small counts
    hidden, others rounded, secondary suppression). Only roles allowed to see it may ask."""
    if not can(user, Action.VIEW_MULTI_AGENCY):
        raise MultiAgencyForbidden("You do not have permission to see multi-agency involvement.")
    active = Involvement.objects.filter(
        subject_kind=subject_kind, started_on__lte=period_end
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period_start))
    spans: dict[str, list[tuple[date, date, Any]]] = defaultdict(list)
    home: dict[str, tuple[date, Any]] = {}
    for key, agency_id, area_id, started, ended in active.values_list(
        "subject_key", "agency_id", "area_id", "started_on", "ended_on"
    ):
        spans[key].append(
            (max(started, period_start), min(ended or period_end, period_end), agency_id)
        )
        # The latest record with an area says where the household lives now.
        if area_id and (key not in home or started >= home[key][0]):
            home[key] = (started, area_id)
    children = area_children_at(parent=parent, level=level)
    fit = _best_fit({area for _, area in home.values()}, level)
    band_labels = ["2 agencies", "3 agencies", "4 or more agencies"]
    counts: dict[Any, list[int]] = {c.pk: [0, 0, 0] for c in children}
    unplaced = 0
    for key, subject_spans in spans.items():
        most = _most_at_once(subject_spans)
        if most < 2:
            continue
        if key not in home:
            unplaced += 1
            continue
        target = fit.get(home[key][1])
        if target in counts:
            counts[target][min(most, 4) - 2] += 1
    audit_record(
        actor=user,
        verb="wholeplace.multi_agency.read",
        target=parent,
        payload={"level": level, "from": str(period_start), "to": str(period_end)},
    )
    if not children:
        return MultiAgencyTable(
            level, band_labels, [], [0, 0, 0], 0, subject_kind, disclose_count(unplaced)
        )
    table = disclose_table([counts[c.pk] for c in children])
    return MultiAgencyTable(
        level=level,
        bands=band_labels,
        rows=[(c, table.cells[i], table.row_totals[i]) for i, c in enumerate(children)],
        column_totals=table.column_totals,
        total=table.total,
        subject_kind=subject_kind,
        unplaced=disclose_count(unplaced),
    )


# ------------------------------------------------------------ who pays, who benefits


@dataclass
class WhoPaysRow:
    cost_bearer: str
    label: str
    agencies: list[tuple[Agency, Money]]
    contributed: Money
    costs_avoided: Money

    @property
    def net(self) -> Money:
        """What the bearer gains over what it paid in (negative: it pays for others)."""
        return self.costs_avoided - self.contributed

    @property
    def avoided_per_pound(self) -> Decimal | None:
        if self.contributed.amount <= 0:
            return None
        return (self.costs_avoided.amount / self.contributed.amount).quantize(Decimal("0.01"))


@dataclass
class WhoPays:
    area: Area | None
    period_start: date
    period_end: date
    price_year: int
    rows: list[WhoPaysRow]
    contributed: Money
    costs_avoided: Money
    sources: list[str]  # evidence runs the benefits come from

    @property
    def wrong_pocket(self) -> list[WhoPaysRow]:
        """Bearers that pay in more than they get back while others gain."""
        return [r for r in self.rows if r.net.amount < 0]


def _in_year(
    money: Money, price_year: int, price_index: Mapping[int, Decimal] | None, what: str
) -> Money:
    if money.price_year == price_year:
        return money
    if price_index is None:
        raise PriceYearsDiffer(
            f"{what} is in {money.price_year} prices but the report is in {price_year} prices: "
            "give a price index (the GDP deflator) to uprate it."
        )
    try:
        return money.uprated(to_year=price_year, index=dict(price_index))
    except PriceYearMismatch as error:
        raise PriceYearsDiffer(str(error)) from error


def who_pays_who_benefits(
    *,
    period_start: date,
    period_end: date,
    price_year: int,
    area: Area | None = None,
    costs_avoided_by_agency: Mapping[str, Money] | None = None,
    price_index: Mapping[int, Decimal] | None = None,
    source: str = "figures supplied by the evidence engine",
) -> WhoPays:
    """Each cost-bearer's contributions to pooled funds for the place and period, beside
    the costs avoided that accrue to it.

    `costs_avoided_by_agency` maps a cost bearer (`"nhs"`, `"council"`, ... as in the
    evidence catalogue) to the money avoided; when it is not given, the figures recorded
    with `benefit_figures_record` for this place and a period inside this one are used.
    """
    funds = PooledFund.objects.all()
    if area is not None:
        funds = funds.filter(places=area)
    entries = LedgerEntry.objects.filter(
        fund__in=funds,
        kind=EntryKind.CONTRIBUTION,
        occurred_on__gte=period_start,
        occurred_on__lte=period_end,
    ).values_list("agency_id", "amount", "amount_price_year")
    by_agency: dict[Any, Money] = {}
    for agency_id, amount, year in entries:
        money = _in_year(Money(amount, year), price_year, price_index, "A contribution")
        by_agency[agency_id] = by_agency.get(agency_id, Money(Decimal(0), price_year)) + money
    sources: list[str] = []
    if costs_avoided_by_agency is None:
        figures = BenefitFigure.objects.filter(
            area=area, period_start__gte=period_start, period_end__lte=period_end
        )
        avoided: dict[str, Money] = {}
        for figure in figures:
            money = _in_year(
                Money(figure.amount, figure.amount_price_year),
                price_year,
                price_index,
                "A benefit figure",
            )
            avoided[figure.cost_bearer] = (
                avoided.get(figure.cost_bearer, Money(Decimal(0), price_year)) + money
            )
            if figure.source_reference not in sources:
                sources.append(figure.source_reference)
    else:
        avoided = {
            bearer: _in_year(money, price_year, price_index, "A cost avoided")
            for bearer, money in costs_avoided_by_agency.items()
        }
        sources.append(source)
    agencies = Agency.objects.select_related("organisation").in_bulk(list(by_agency))
    zero = Money(Decimal(0), price_year)
    labels = dict(CostBearer.choices)
    bearers = sorted({a.cost_bearer for a in agencies.values()} | set(avoided))
    rows = []
    for bearer in bearers:
        members = sorted(
            ((agencies[a], m) for a, m in by_agency.items() if agencies[a].cost_bearer == bearer),
            key=lambda pair: pair[0].name,
        )
        contributed = sum((m for _, m in members), zero)
        rows.append(
            WhoPaysRow(
                bearer, labels.get(bearer, bearer), members, contributed, avoided.get(bearer, zero)
            )
        )
    return WhoPays(
        area=area,
        period_start=period_start,
        period_end=period_end,
        price_year=price_year,
        rows=rows,
        contributed=sum((r.contributed for r in rows), zero),
        costs_avoided=sum((r.costs_avoided for r in rows), zero),
        sources=sources,
    )


# ------------------------------------------------------------------ consistency register


def register_area_choices() -> list[Area]:
    """Areas a register entry can cover: the lead council's footprint, then its wards."""
    footprint = [
        f.area
        for f in Footprint.objects.filter(agency__is_lead_council=True).select_related("area")
    ]
    wards = [w for area in footprint for w in area_children_at(parent=area, level=Level.WARD)]
    return footprint + wards


def register_entry_list() -> QuerySet[RegisterEntry]:
    return RegisterEntry.objects.select_related("agency__organisation").prefetch_related(
        "themes", "areas"
    )


def register_entry_get(*, entry_id: Any) -> RegisterEntry:
    try:
        return register_entry_list().get(pk=entry_id)
    except (RegisterEntry.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound("No such register entry.") from error


TRAINED_TARGET = Decimal("0.5")


@dataclass
class Gaps:
    departments_not_involved: list[Agency]
    themes: list[Theme]
    matrix: list[tuple[Agency, list[bool]]]  # department, uses approach on each theme
    themes_uncovered: list[Theme]
    themes_single_department: list[Theme]
    departments_cherry_picking: list[tuple[Agency, int]]  # on fewer than half of the themes
    area_parent: Area | None
    areas_without_coverage: list[Area]
    areas_total: int
    under_trained: list[tuple[RegisterEntry, Decimal]]
    # Every ward of the council's area with how many register entries cover it.
    coverage: list[tuple[Area, int]] = field(default_factory=list)


def consistency_gaps() -> Gaps:
    """Where place-based working is not applied consistently: departments not involved,
    themes covered by few departments, wards of the council's area no service covers, and
    services where few staff are trained."""
    entries = list(register_entry_list())
    agencies = list(Agency.objects.select_related("organisation"))
    involved = {e.agency_id for e in entries}
    departments = [
        a for a in agencies if a.sector in (AgencySector.COUNCIL_DEPARTMENT, AgencySector.COUNCIL)
    ] or agencies
    themes = list(Theme.objects.all())
    uses: dict[Any, set[Any]] = defaultdict(set)
    for e in entries:
        uses[e.agency_id].update(t.pk for t in e.themes.all())
    involved_departments = [d for d in departments if d.pk in involved]
    matrix = [(d, [t.pk in uses[d.pk] for t in themes]) for d in involved_departments]
    departments_per_theme = {
        t.pk: sum(1 for d in involved_departments if t.pk in uses[d.pk]) for t in themes
    }
    # Areas: the wards of the lead council's district (its footprint's children).
    lead = next((a for a in agencies if a.is_lead_council), None)
    parent = None
    wards: list[Area] = []
    if lead:
        footprint = [f.area for f in Footprint.objects.filter(agency=lead).select_related("area")]
        parent = footprint[0] if footprint else None
        for area in footprint:
            wards += area_children_at(parent=area, level=Level.WARD)
    ward_ids = {w.pk for w in wards}
    services_per_ward: dict[Any, int] = defaultdict(int)
    for e in entries:
        for ward_id in _covered(ward_ids=ward_ids, covering={a.pk for a in e.areas.all()}):
            services_per_ward[ward_id] += 1
    covered = set(services_per_ward)
    under_trained = []
    for e in entries:
        share = Decimal(e.staff_trained) / Decimal(e.staff_total) if e.staff_total else Decimal(0)
        if share < TRAINED_TARGET:
            under_trained.append((e, share.quantize(Decimal("0.01"))))
    return Gaps(
        departments_not_involved=[d for d in departments if d.pk not in involved],
        themes=themes,
        matrix=matrix,
        themes_uncovered=[t for t in themes if departments_per_theme[t.pk] == 0],
        themes_single_department=[t for t in themes if departments_per_theme[t.pk] == 1],
        departments_cherry_picking=[
            (d, len(uses[d.pk])) for d in involved_departments if len(uses[d.pk]) * 2 < len(themes)
        ],
        area_parent=parent,
        areas_without_coverage=[w for w in wards if w.pk not in covered],
        areas_total=len(wards),
        under_trained=under_trained,
        coverage=[(w, services_per_ward.get(w.pk, 0)) for w in wards],
    )


def _covered(*, ward_ids: set[Any], covering: set[Any]) -> set[Any]:
    """Wards a register entry covers: named, inside a covered larger area, or holding a
    covered smaller one (a coordinator's patch, say)."""
    covered = ward_ids & covering
    covered.update(
        AreaOverlap.objects.filter(
            area_id__in=ward_ids, other_id__in=covering, area_share__gte=0.5
        ).values_list("area_id", flat=True)
    )
    covered.update(
        AreaOverlap.objects.filter(
            area_id__in=covering, other_id__in=ward_ids, area_share__gt=0.1
        ).values_list("other_id", flat=True)
    )
    return covered


# ---------------------------------------------------------------------------- overview


@dataclass
class Overview:
    agencies: int
    agencies_not_coterminous: int
    funds: list[Any]  # FundSummary
    latest_year: int | None
    latest_year_spend: Decimal
    register_entries: int
    departments_not_involved: int
    areas_without_coverage: int


def overview() -> Overview:
    report = footprint_report()
    years = spend_years()
    latest = years[0] if years else None
    pence = (
        SpendTotal.objects.filter(financial_year=latest).aggregate(p=Sum("amount_pence"))["p"]
        if latest
        else 0
    )
    gaps = consistency_gaps()
    return Overview(
        agencies=len(report.rows),
        agencies_not_coterminous=sum(1 for r in report.rows if r.coterminous is False),
        funds=[fund_summary(fund=f) for f in fund_list()],
        latest_year=latest,
        latest_year_spend=_pounds(Decimal(pence or 0)),
        register_entries=RegisterEntry.objects.count(),
        departments_not_involved=len(gaps.departments_not_involved),
        areas_without_coverage=len(gaps.areas_without_coverage),
    )
