"""Reads for evidence: the catalogue, the current parameters, and the SROI calculator."""

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import DatabaseError
from django.db.models import Prefetch, QuerySet

from placebase.core.errors import NotFound
from placebase.core.money import Money

from . import sroi
from .models import (
    EvidenceReport,
    Forecast,
    ParameterSet,
    Programme,
    ProgrammeCost,
    ReportKind,
    ReportStatus,
    ServiceType,
    UnitCost,
    UnitCostShare,
)
from .services import STARTER_PARAMETERS
from .valuation import DiscountSchedule, FirstYear, Parameters, parameters_from_dict


def service_type_list() -> QuerySet[ServiceType]:
    return ServiceType.objects.all()


def _with_shares(queryset: QuerySet[UnitCost]) -> QuerySet[UnitCost]:
    return queryset.select_related("service_type").prefetch_related(
        Prefetch("shares", queryset=UnitCostShare.objects.order_by("-share", "agency"))
    )


def unit_cost_list_current(*, service_type: str = "") -> QuerySet[UnitCost]:
    costs = UnitCost.objects.filter(is_current=True)
    if service_type:
        costs = costs.filter(service_type__code=service_type)
    return _with_shares(costs).order_by("service_type__label", "item")


def unit_cost_get(*, unit_cost_id: UUID | str) -> UnitCost:
    try:
        return _with_shares(UnitCost.objects.all()).get(pk=unit_cost_id)
    except (UnitCost.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such unit cost.") from None


def unit_cost_versions(*, code: str) -> QuerySet[UnitCost]:
    return _with_shares(UnitCost.objects.filter(code=code)).order_by("-version")


def unit_cost_for_service_type(*, code: str) -> UnitCost | None:
    """The current unit cost case work values a service type with: best confidence first."""
    return (
        _with_shares(UnitCost.objects.filter(is_current=True, service_type__code=code))
        .order_by("confidence_grade", "-updated_at")
        .first()
    )


def parameter_set_list() -> QuerySet[ParameterSet]:
    return ParameterSet.objects.order_by("-version")


def parameter_set_get(*, version: int) -> ParameterSet:
    try:
        return ParameterSet.objects.get(version=version)
    except ParameterSet.DoesNotExist:
        raise NotFound("No such parameter set.") from None


@dataclass(frozen=True)
class CurrentParameters:
    parameters: Parameters
    version: int | None  # None: nothing stored yet, so the shipped starter file is used
    label: str
    document: dict[str, Any]  # the cited parameter document, for the method statement
    is_current: bool = True

    @property
    def description(self) -> str:
        where = f"parameter set version {self.version}" if self.version else "shipped defaults"
        return f"{self.label} ({where})"


def starter_parameter_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(STARTER_PARAMETERS.read_text(encoding="utf-8"))
    return document


def _starter_parameters() -> CurrentParameters:
    values = starter_parameter_document()
    return CurrentParameters(parameters_from_dict(values), None, values.get("label", ""), values)


def parameters_current() -> CurrentParameters:
    """The current parameter set, or the shipped starter values when none is stored (or the
    database has not been set up, so that `placebase sroi` works on a fresh checkout)."""
    try:
        current = ParameterSet.objects.filter(is_current=True).first()
    except DatabaseError:
        return _starter_parameters()
    if current is None:
        return _starter_parameters()
    return _from_stored(current)


def _from_stored(stored: ParameterSet) -> CurrentParameters:
    return CurrentParameters(
        parameters_from_dict(stored.values),
        stored.version,
        stored.label,
        stored.values,
        stored.is_current,
    )


def parameters_of_version(*, version: int | None) -> CurrentParameters:
    """A stored parameter set by version, or the current parameters when version is None."""
    if version is None:
        return parameters_current()
    return _from_stored(parameter_set_get(version=version))


def sroi_options(
    *,
    current: CurrentParameters,
    discount_rate: Decimal | None = None,
    first_year: str | None = None,
) -> sroi.Options:
    """Calculator options: the current schedule and convention unless overridden."""
    schedule = (
        current.parameters.discount
        if discount_rate is None
        else DiscountSchedule.flat(discount_rate)
    )
    convention = FirstYear(first_year) if first_year else current.parameters.first_year
    return sroi.Options(discount=schedule, first_year=convention)


def sroi_report(
    *,
    outcomes: Sequence[sroi.Outcome],
    inputs: Decimal,
    discount_rate: Decimal | None = None,
    first_year: str | None = None,
    draws: int = 10_000,
    seed: int = 1,
) -> tuple[sroi.Report, CurrentParameters]:
    """Run the SROI calculator on a checked impact map with the current parameters."""
    current = parameters_current()
    options = sroi_options(current=current, discount_rate=discount_rate, first_year=first_year)
    return sroi.run(outcomes, inputs=inputs, options=options, draws=draws, seed=seed), current


# --- programmes, forecasts and reports (aggregates only: no personal data) -------------------


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.select_related("organisation").order_by("name")


def programme_get(*, programme_id: UUID | str) -> Programme:
    try:
        return Programme.objects.select_related("organisation").get(pk=programme_id)
    except (Programme.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such programme.") from None


def programme_costs(*, programme: Programme) -> QuerySet[ProgrammeCost]:
    return programme.costs.order_by("starts_on", "kind", "pk")


def forecast_list(*, programme: Programme | None = None) -> QuerySet[Forecast]:
    forecasts = Forecast.objects.select_related("programme", "area")
    if programme is not None:
        forecasts = forecasts.filter(programme=programme)
    return forecasts.order_by("-period_start", "-created_at")


def forecast_get(*, forecast_id: UUID | str) -> Forecast:
    try:
        return Forecast.objects.select_related("programme", "area").get(pk=forecast_id)
    except (Forecast.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such forecast.") from None


def report_list() -> QuerySet[EvidenceReport]:
    return EvidenceReport.objects.select_related("programme", "area").defer("results")


def report_get(*, report_id: UUID | str) -> EvidenceReport:
    try:
        return EvidenceReport.objects.select_related("programme", "area", "forecast").get(
            pk=report_id
        )
    except (EvidenceReport.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such report.") from None


def report_forecasts_to_compare(*, report: EvidenceReport) -> QuerySet[EvidenceReport]:
    """Ready forecast reports of the same programme whose period overlaps this report's."""
    return report_list().filter(
        kind=ReportKind.FORECAST,
        status=ReportStatus.READY,
        programme=report.programme,
        period_start__lte=report.period_end,
        period_end__gte=report.period_start,
    )


def report_area_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Areas a report can cover, grouped by level: every active boundary set, custom included."""
    from placebase.places.models import Area

    rows = (
        Area.objects.filter(boundary_set__is_active=True)
        .order_by("boundary_set__level", "name")
        .values_list("pk", "name", "code", "boundary_set__level", "boundary_set__name")
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for pk, name, code, _level, set_name in rows:
        groups.setdefault(set_name, []).append((str(pk), f"{name} ({code})"))
    return list(groups.items())


def area_by_id(*, area_id: UUID | str) -> Any:
    from placebase.places.models import Area

    try:
        return Area.objects.get(pk=area_id)
    except (Area.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such area.") from None


def area_shapes(*, area_ids: Sequence[str], tolerance: float = 0.0002) -> dict[str, dict]:
    """Simplified GeoJSON geometries by area id, small enough to draw as SVG."""
    from shapely.geometry import mapping, shape

    from placebase.places.models import Area

    shapes = {}
    for pk, geometry in Area.objects.filter(pk__in=area_ids).values_list("pk", "geometry"):
        try:
            simple = shape(json.loads(geometry)).simplify(tolerance, preserve_topology=True)
        except (ValueError, TypeError, AttributeError):
            continue
        shapes[str(pk)] = json.loads(json.dumps(mapping(simple)))
    return shapes


def organisation_choices() -> list[tuple[str, str]]:
    from placebase.accounts.models import Organisation

    return [
        (str(pk), name)
        for pk, name in Organisation.objects.order_by("name").values_list("pk", "name")
    ]


def organisation_by_id(*, organisation_id: str | None) -> Any:
    """The organisation a programme's records come from; None for "every organisation"."""
    from placebase.accounts.models import Organisation

    if not organisation_id:
        return None
    return Organisation.objects.filter(pk=organisation_id).first()


def price_years() -> list[int]:
    """The price years a report can use: those the current GDP deflator covers."""
    return sorted(parameters_current().parameters.deflator.values, reverse=True)


def service_type_choices() -> list[tuple[str, str]]:
    return [
        (str(pk), label)
        for pk, label in ServiceType.objects.order_by("label").values_list("pk", "label")
    ]


def report_comparison(*, actual: EvidenceReport, forecast: EvidenceReport) -> dict[str, Any]:
    """Forecast beside actual: people, inputs, present values by agency and the ratios."""

    def block(report: EvidenceReport, key: str) -> dict[str, Any]:
        return report.results.get(key) or {}

    agencies: dict[str, dict[str, Any]] = {}
    for side, report in (("forecast", forecast), ("actual", actual)):
        for line in report.results.get("by_agency", []):
            row = agencies.setdefault(line["agency"], {"label": line["label"]})
            row[side] = line["present_value"]
    rows = []
    for key, label in (("sroi", "SROI"), ("fiscal", "Net fiscal")):
        f, a = block(forecast, key), block(actual, key)
        rows.append(
            {
                "label": f"{label} ratio",
                "forecast": f.get("ratio" if key == "sroi" else "net_ratio"),
                "actual": a.get("ratio" if key == "sroi" else "net_ratio"),
                "is_ratio": True,
            }
        )
        rows.append(
            {
                "label": f"{label} present value",
                "forecast": f.get("present_value"),
                "actual": a.get("present_value"),
                "is_ratio": False,
            }
        )
    return {
        "people": (
            forecast.results.get("people_supported"),
            actual.results.get("people_supported"),
        ),
        "inputs": (forecast.results.get("all_inputs"), actual.results.get("all_inputs")),
        "rows": rows,
        "agencies": sorted(agencies.values(), key=lambda r: r["label"]),
    }


@dataclass(frozen=True)
class CostsAvoided:
    """Costs avoided by agency from one evidence report, for other apps (e.g. Whole Place)."""

    report: EvidenceReport
    by_agency: dict[str, Money]
    price_index: dict[int, Decimal]


def costs_avoided_by_agency(
    *, area: Any, period_start: dt.date, period_end: dt.date
) -> CostsAvoided | None:
    """The fiscal present value by agency of the latest ready evaluative report on this area
    whose period lies inside the one asked for; None when there is none."""
    found = (
        EvidenceReport.objects.filter(
            kind=ReportKind.EVALUATIVE,
            status=ReportStatus.READY,
            area=area,
            period_start__gte=period_start,
            period_end__lte=period_end,
        )
        .order_by("-created_at")
        .first()
    )
    if found is None:
        return None
    fiscal = found.results.get("fiscal") or {}
    amounts = {
        line["agency"]: Money(Decimal(str(line["present_value"])), found.price_year)
        for line in fiscal.get("by_agency", [])
    }
    index = parameters_from_dict(found.parameters).deflator.values
    return CostsAvoided(found, amounts, dict(index))
