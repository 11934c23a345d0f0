"""Evidence reports: from a stored report's settings to its figures, and its downloads.

`report_figures` is a pure function of the report's stored settings (parameter document,
unit-cost versions, assumptions, the day the records are read to) and the records, so running
it again on unchanged records gives identical figures: the data hash says whether they changed.
"""

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from placebase.core.disclosure import disclose_series

from . import records, sroi
from .models import EvidenceReport, ProgrammeCost, ReportKind, ServiceType, UnitCost
from .valuation import DiscountSchedule, FirstYear, Parameters, parameters_from_dict

PENNY = Decimal("0.01")


@dataclass(frozen=True)
class Figures:
    results: dict[str, Any]
    data_hash: str


def _money(value: Decimal) -> str:
    return str(value.quantize(PENNY, ROUND_HALF_UP))


def stored_costs(report: EvidenceReport) -> dict[str, records.CostUsed]:
    """The unit-cost versions the report recorded when it was made."""
    ids = [c["unit_cost_id"] for c in report.unit_costs]
    rows = UnitCost.objects.filter(pk__in=ids).prefetch_related("shares")
    return records.costs_used(rows)


def _options(parameters: Parameters) -> sroi.Options:
    return sroi.Options(discount=parameters.discount, first_year=parameters.first_year)


def _agency_ranges(
    outcomes: Sequence[sroi.Outcome], options: sroi.Options, draws: int, seed: int
) -> dict[str, tuple[Decimal, Decimal]]:
    """p5 and p95 of each agency's present value, simulated on its own outcomes."""
    import numpy as np

    by_agency: dict[str, list[sroi.Outcome]] = {}
    for outcome in outcomes:
        by_agency.setdefault(outcome.agency, []).append(outcome)
    ranges = {}
    for agency, own in by_agency.items():
        if not sroi.has_ranges(own):
            continue
        pvs = sroi.simulate_present_values(own, options=options, draws=draws, seed=seed)
        low, high = np.percentile(pvs, [5, 95])
        ranges[agency] = (Decimal(repr(float(low))), Decimal(repr(float(high))))
    return ranges


def _agency_rows(
    whole: dict[str, Any] | None, ranges: Mapping[str, tuple[Decimal, Decimal]]
) -> list[dict[str, Any]]:
    """Present value by who benefits, with each one's simulated 5th and 95th percentiles."""
    rows = []
    for line in (whole or {}).get("by_agency", []):
        low, high = ranges.get(line["agency"], (None, None))
        rows.append(
            {
                "agency": line["agency"],
                "label": records.agency_label(line["agency"]),
                "present_value": line["present_value"],
                "p5": None if low is None else float(round(low, 2)),
                "p95": None if high is None else float(round(high, 2)),
            }
        )
    return rows


def _monthly(figures: records.RecordFigures) -> list[dict]:
    """Crisis use per 100 people observed, month by month around introduction."""
    rows = []
    for flag, group in ((1, "supported"), (0, "comparison")):
        people = figures.people.get(flag, 0)
        observed = figures.follow_up_months.get(flag, [0] * 12)
        events: dict[int, int] = {}
        for _type, supported, month, n in figures.events:
            if supported == flag:
                events[month] = events.get(month, 0) + n
        for month in range(-12, 12):
            base = people if month < 0 else observed[month]
            n = events.get(month, 0)
            rows.append(
                {
                    "group": group,
                    "month": month,
                    "events": n,
                    "people_observed": base,
                    "per_100_people": round(100 * n / base, 2) if base else None,
                }
            )
    return rows


def _areas(figures: records.RecordFigures) -> list[dict[str, Any]]:
    """People supported by ward with disclosure control (small counts hidden, others rounded,
    and secondary suppression so no hidden count follows from the rest): reports travel."""
    ordered = sorted(figures.by_area, key=lambda r: r[1])
    shown, _total = disclose_series({area_id: n for area_id, _, _, n in ordered})
    return [
        {"area_id": area_id, "code": code, "name": name, "people": shown[area_id]}
        for area_id, code, name, _ in ordered
    ]


def _sroi_block(
    outcomes: list[sroi.Outcome], inputs: Decimal, options: sroi.Options, report: EvidenceReport
) -> dict[str, Any] | None:
    if not outcomes or inputs <= 0:
        return None
    run = sroi.run(outcomes, inputs=inputs, options=options, draws=report.draws, seed=report.seed)
    return sroi.report_to_dict(run)


def report_figures(report: EvidenceReport) -> Figures:
    """Compute a report's figures from its stored settings and the records."""
    parameters = parameters_from_dict(report.parameters)
    assumptions = records.Assumptions.from_dict(report.assumptions)
    costs = stored_costs(report)
    labels = {str(pk): label for pk, label in ServiceType.objects.values_list("pk", "label")}
    inputs = []
    if report.programme_id is not None:
        inputs = records.programme_inputs(
            costs=ProgrammeCost.objects.filter(programme_id=report.programme_id).order_by(
                "starts_on", "pk"
            ),
            start=report.period_start,
            end=report.period_end,
            price_year=report.price_year,
            parameters=parameters,
        )
    if report.kind == ReportKind.FORECAST:
        assert report.forecast is not None
        figures = records.RecordFigures()
        valuation = records.value_forecast(
            forecast=report.forecast,
            costs=costs,
            labels=labels,
            parameters=parameters,
            assumptions=assumptions,
            price_year=report.price_year,
            inputs=inputs,
        )
        volunteer = None
        people = report.forecast.people
    else:
        scope = records.Scope(
            area_id=report.area_id,
            organisation_id=report.programme.organisation_id if report.programme else None,
            period_start=report.period_start,
            period_end=report.period_end,
            as_of=report.as_of,
        )
        figures = records.read_figures(scope)
        volunteer = records.volunteer_input(
            minutes=figures.volunteer_minutes, parameters=parameters, price_year=report.price_year
        )
        if volunteer is not None:
            inputs.append(volunteer[0])
        valuation = records.value_figures(
            figures=figures,
            costs=costs,
            labels=labels,
            parameters=parameters,
            assumptions=assumptions,
            price_year=report.price_year,
            inputs=inputs,
        )
        people = figures.people.get(1, 0)
    if valuation.all_inputs <= 0:
        raise records.EvidenceUnavailable(
            "The programme has no costs in this period, so there is no ratio to give: add the "
            "programme's costs (staff, overheads, in-kind) first."
        )
    options = _options(parameters)
    fiscal = [o for o in valuation.outcomes if o.agency not in records.WELLBEING_AGENCIES]
    agency_ranges = _agency_ranges(valuation.outcomes, options, report.draws, report.seed)
    whole = _sroi_block(valuation.outcomes, valuation.all_inputs, options, report)
    results: dict[str, Any] = {
        "kind": report.kind,
        "people_supported": people,
        "comparison_people": figures.people.get(0, 0),
        "median_follow_up_months": round(figures.median_follow_up_days / records.DAYS_PER_MONTH, 1),
        "inputs": [
            {"label": i.label, "kind": i.kind, "amount": _money(i.amount), "cash": i.cash}
            for i in valuation.inputs
        ],
        "cash_inputs": _money(valuation.cash_inputs),
        "all_inputs": _money(valuation.all_inputs),
        "sroi": whole,
        "fiscal": _sroi_block(fiscal, valuation.cash_inputs, options, report),
        "by_agency": _agency_rows(whole, agency_ranges),
        "service_use": [
            {
                "service_type": s.label,
                "before": s.before,
                "after": s.after,
                "after_annualised": str(s.after_annualised.quantize(Decimal("0.1"))),
                "reduction": str(s.reduction.quantize(Decimal("0.1"))),
                "reduction_low": str(s.reduction_low.quantize(Decimal("0.1"))),
                "reduction_high": str(s.reduction_high.quantize(Decimal("0.1"))),
                "deadweight": str(s.deadweight),
                "deadweight_basis": s.deadweight_basis,
            }
            for s in valuation.service_use
        ],
        "impact_map": [
            {
                "line": o.line,
                "outcome": o.outcome,
                "stakeholder": o.stakeholder,
                "agency": o.agency,
                "quantity": str(o.quantity.quantize(Decimal("0.01"))),
                "financial_proxy": str(o.financial_proxy),
                "deadweight": str(o.deadweight),
                "displacement": str(o.displacement),
                "attribution": str(o.attribution),
                "drop_off": str(o.drop_off),
                "duration_years": o.duration_years,
                "ranges": {
                    k: [
                        str(v[0].quantize(Decimal("0.0001"))),
                        str(v[1].quantize(Decimal("0.0001"))),
                    ]
                    for k, v in o.ranges.items()
                },
            }
            for o in valuation.outcomes
        ],
        "monthly": _monthly(figures) if report.kind == ReportKind.EVALUATIVE else [],
        "areas": _areas(figures),
        "volunteering": None
        if volunteer is None
        else {
            "hours": str((Decimal(figures.volunteer_minutes) / 60).quantize(Decimal("0.1"))),
            "volunteers": figures.volunteers,
            "low": _money(volunteer[1]),
            "central": _money(volunteer[2]),
            "low_basis": parameters.volunteer_rates.low.basis,
            "central_basis": parameters.volunteer_rates.central.basis,
        },
        "warnings": valuation.warnings,
        "notes": valuation.notes,
        "method": _method(report, parameters, assumptions, costs, figures),
    }
    if report.kind == ReportKind.FORECAST:
        assert report.forecast is not None
        return Figures(results, records.forecast_digest(report.forecast))
    return Figures(results, figures.digest())


def _method(
    report: EvidenceReport,
    parameters: Parameters,
    assumptions: records.Assumptions,
    costs: Mapping[str, records.CostUsed],
    figures: records.RecordFigures,
) -> dict[str, Any]:
    """Every parameter, convention, source and count the figures rest on."""
    schedule: DiscountSchedule = parameters.discount
    return {
        "parameters": report.parameters.get("label", ""),
        "parameter_version": report.parameter_version,
        "price_year": report.price_year,
        "discounting": sroi.describe_discounting(_options(parameters)),
        "discount_bands": [
            {"from": b.first_year, "to": b.last_year, "rate": str(b.rate)} for b in schedule.bands
        ],
        "first_year": "discounted once"
        if parameters.first_year == FirstYear.DISCOUNTED
        else "undiscounted",
        "deflator": parameters.deflator.source,
        "wellby": {
            "low": str(parameters.wellby.low),
            "central": str(parameters.wellby.central),
            "high": str(parameters.wellby.high),
            "price_year": parameters.wellby.price_year,
            "source": parameters.wellby.source,
        },
        "optimism_bias": {str(k): str(v) for k, v in sorted(parameters.optimism_bias.items())},
        "volunteer_rates": {
            which: f"£{rate.amount} an hour ({rate.year}): {rate.basis}"
            for which, rate in (
                ("low", parameters.volunteer_rates.low),
                ("central", parameters.volunteer_rates.central),
            )
        },
        "assumptions": assumptions.to_dict(),
        "unit_costs": [
            {
                "code": c.code,
                "version": c.version,
                "item": c.item,
                "value": str(c.value),
                "price_year": c.price_year,
                "grade": c.grade,
                "agencies": ", ".join(f"{a} {s}" for a, s in c.shares),
                "source": c.source,
            }
            for c in sorted(costs.values(), key=lambda c: c.code)
        ],
        "simulation": {"draws": report.draws, "seed": report.seed},
        "method_version": records.METHOD_VERSION,
        "as_of": report.as_of.isoformat(),
        "counts": {
            "people_supported": figures.people.get(1, 0),
            "comparison_people": figures.people.get(0, 0),
            "service_use_events": sum(n for *_, n in figures.events),
            "avoided_records": sum(n for *_, n in figures.avoided),
            "wellbeing_pairs": figures.wellbeing.get(1, (0, 0.0, 0.0))[0],
            "volunteer_minutes": figures.volunteer_minutes,
        },
        "method": (records.__doc__ or "").strip(),
    }


# --- downloads --------------------------------------------------------------------------------


def _sections(report: EvidenceReport) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The report's tables as (name, headers, rows), shared by the CSV and XLSX downloads."""
    r = report.results
    headline = [
        ["People supported", r.get("people_supported")],
        ["Inputs (all, £)", r.get("all_inputs")],
        ["Cash inputs (£)", r.get("cash_inputs")],
    ]
    for key, label in (("sroi", "SROI"), ("fiscal", "Fiscal")):
        block = r.get(key) or {}
        headline.append([f"{label} present value (£)", block.get("present_value")])
        headline.append([f"{label} ratio", block.get("ratio")])
        rng = (block.get("range") or {}).get("ratio") or {}
        headline.append([f"{label} ratio p5", rng.get("p5")])
        headline.append([f"{label} ratio p95", rng.get("p95")])
    sections = [("Headline", ["figure", "value"], headline)]
    sections.append(
        (
            "Who benefits",
            ["agency", "present value (£)", "p5 (£)", "p95 (£)"],
            [[a["label"], a["present_value"], a["p5"], a["p95"]] for a in r.get("by_agency", [])],
        )
    )
    sections.append(
        (
            "Service use",
            [
                "service type",
                "before (12 months)",
                "after (observed)",
                "after (annualised)",
                "reduction",
                "reduction low",
                "reduction high",
                "deadweight",
                "deadweight basis",
            ],
            [
                [
                    s["service_type"],
                    s["before"],
                    s["after"],
                    s["after_annualised"],
                    s["reduction"],
                    s["reduction_low"],
                    s["reduction_high"],
                    s["deadweight"],
                    s["deadweight_basis"],
                ]
                for s in r.get("service_use", [])
            ],
        )
    )
    sections.append(
        (
            "Impact map",
            [
                "line",
                "outcome",
                "stakeholder",
                "agency",
                "quantity",
                "financial proxy (£)",
                "deadweight",
                "displacement",
                "attribution",
                "drop-off",
                "duration (years)",
            ],
            [
                [
                    o["line"],
                    o["outcome"],
                    o["stakeholder"],
                    o["agency"],
                    o["quantity"],
                    o["financial_proxy"],
                    o["deadweight"],
                    o["displacement"],
                    o["attribution"],
                    o["drop_off"],
                    o["duration_years"],
                ]
                for o in r.get("impact_map", [])
            ],
        )
    )
    sections.append(
        (
            "Inputs",
            ["input", "kind", "amount (£)", "public money"],
            [
                [i["label"], i["kind"], i["amount"], "yes" if i["cash"] else "no"]
                for i in r.get("inputs", [])
            ],
        )
    )
    sections.append(
        (
            "Crisis use by month",
            ["group", "month from introduction", "events", "people observed", "per 100 people"],
            [
                [m["group"], m["month"], m["events"], m["people_observed"], m["per_100_people"]]
                for m in r.get("monthly", [])
            ],
        )
    )
    sections.append(
        (
            "Areas",
            ["code", "name", "people supported (small numbers hidden)"],
            [[a["code"], a["name"], a["people"]] for a in r.get("areas", [])],
        )
    )
    return sections


def report_csv(report: EvidenceReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([report.title])
    for name, headers, rows in _sections(report):
        writer.writerow([])
        writer.writerow([name])
        writer.writerow(headers)
        writer.writerows(rows)
    return out.getvalue()


def report_xlsx(report: EvidenceReport) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for name, headers, rows in _sections(report):
        sheet = book.create_sheet(name[:31])
        sheet.append(headers)
        for row in rows:
            sheet.append([_cell(v) for v in row])
    method = book.create_sheet("Method")
    for key, value in _flat(report.results.get("method", {})):
        method.append([key, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    """Figures stored as text ("1234.50") become numbers in the spreadsheet; words stay."""
    if isinstance(value, str) and value.lstrip("-").replace(".", "", 1).isdigit():
        return float(value)
    return value


def _flat(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _flat(v, f"{prefix}{k}.")]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in _flat(v, f"{prefix}{i}.")]
    return [(prefix.rstrip("."), "" if value is None else str(value))]


def report_json(report: EvidenceReport) -> str:
    document = {
        "id": str(report.pk),
        "title": report.title,
        "kind": report.kind,
        "area": None
        if report.area is None
        else {"code": report.area.code, "name": report.area.name},
        "programme": None if report.programme is None else report.programme.name,
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "as_of": report.as_of.isoformat(),
        "price_year": report.price_year,
        "parameter_version": report.parameter_version,
        "unit_costs": report.unit_costs,
        "assumptions": report.assumptions,
        "data_hash": report.data_hash,
        "results": report.results,
    }
    return json.dumps(document, indent=2, sort_keys=True)


def default_as_of(period_end: dt.date, today: dt.date) -> dt.date:
    """Records are read up to a year after the period (to follow people up), or today."""
    return min(today, period_end + dt.timedelta(days=365))
