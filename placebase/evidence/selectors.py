"""Reads for evidence: the catalogue, the current parameters, and the SROI calculator."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import DatabaseError
from django.db.models import Prefetch, QuerySet

from placebase.core.errors import NotFound

from . import sroi
from .models import ParameterSet, ServiceType, UnitCost, UnitCostShare
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
