from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from placebase.accounts.permissions import Action, can, require
from placebase.core.errors import NotFound, PlacebaseError

from . import records, selectors, services, sroi
from . import reports as reports_module
from .charts import area_map, interval_chart, month_chart, tornado_chart
from .forms import (
    ROW_COLUMNS,
    CalculatorOptionsForm,
    CostsUploadForm,
    ForecastForm,
    ImpactRowFormSet,
    MapUploadForm,
    ProgrammeCostForm,
    ProgrammeForm,
    ReportForm,
    UnitCostForm,
)
from .models import ReportKind, ReportStatus
from .services import DATA_DIR

PREFIX = "rows"


@require(Action.VIEW_EVIDENCE)
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "evidence/index.html",
        {
            "current": selectors.parameters_current(),
            "unit_cost_count": selectors.unit_cost_list_current().count(),
        },
    )


def _rows_formset(rows: list[dict[str, str]]) -> Any:
    return ImpactRowFormSet(prefix=PREFIX, initial=rows or [{}])


def _rows_from_outcomes(outcomes: list[sroi.Outcome]) -> list[dict[str, str]]:
    rows = []
    for o in outcomes:
        row = {
            "outcome": o.outcome,
            "stakeholder": o.stakeholder,
            "agency": o.agency,
            "duration_years": str(o.duration_years),
            "starts_year": str(o.starts_year),
        }
        for name in sroi.ESTIMATES:
            row[name] = _plain(getattr(o, name))
            if name in o.ranges:
                row[f"low_{name}"], row[f"high_{name}"] = (_plain(v) for v in o.ranges[name])
        rows.append(row)
    return rows


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _submitted_rows(formset: Any) -> list[dict[str, str]]:
    """The rows as typed, kept even when they are not (yet) valid."""
    if not formset.is_valid():  # only a tampered management form or over-long cells
        return [
            {
                column: str(form.data.get(f"{form.prefix}-{column}", ""))[:200]
                for column in ROW_COLUMNS
            }
            for form in formset.forms
        ]
    return [
        {column: form.cleaned_data.get(column, "") for column in ROW_COLUMNS}
        for form in formset.forms
    ]


def _problem_errors(formset: Any, problems: list[sroi.Problem]) -> list[dict[str, str]]:
    """Attach the calculator's problems to the row cells and list them for the summary."""
    summary = []
    for problem in problems:
        index = problem.line - 1
        column = problem.column if problem.column in ROW_COLUMNS else "outcome"
        message = f"Row {problem.line}: {problem.message[:1].upper()}{problem.message[1:]}"
        if 0 <= index < len(formset.forms) and hasattr(formset.forms[index], "cleaned_data"):
            formset.forms[index].add_error(column, message)
        summary.append({"href": f"#id_{PREFIX}-{index}-{column}", "text": message})
    return summary


@require(Action.VIEW_EVIDENCE)
@require_http_methods(["GET", "POST"])
def sroi_calculator(request: HttpRequest) -> HttpResponse:
    """The impact map as an editable table. Adding and removing rows are submit buttons, so
    the page works without JavaScript; uploading a CSV fills the table."""
    action = request.POST.get("action", "")
    upload_form = MapUploadForm()
    options_form = CalculatorOptionsForm(initial={"discount": "schedule", "first_year": "default"})
    errors: list[dict[str, str]] = []
    context: dict[str, Any] = {}
    status = 200

    if request.method == "GET":
        rows: list[dict[str, str]] = []
        if request.GET.get("example"):
            rows = _rows_from_outcomes(
                sroi.read_map_csv((DATA_DIR / "example_map.csv").read_text(encoding="utf-8"))
            )
            options_form = CalculatorOptionsForm(
                initial={"inputs": "150000", "discount": "schedule", "first_year": "default"}
            )
        formset = _rows_formset(rows)
    elif action == "upload":
        upload_form = MapUploadForm(request.POST, request.FILES)
        formset = _rows_formset([])
        if upload_form.is_valid():
            try:
                outcomes = sroi.read_map_csv(upload_form.cleaned_data["file"])
            except sroi.MapInvalid as error:
                for problem in error.problems[:50]:
                    upload_form.add_error(
                        "file",
                        f"Line {problem.line}: {problem.message[:1].upper()}{problem.message[1:]}",
                    )
            else:
                formset = _rows_formset(_rows_from_outcomes(outcomes))
                messages.success(
                    request,
                    f"Uploaded {len(outcomes)} outcome"
                    f"{'s' if len(outcomes) != 1 else ''}. Enter the value "
                    "of inputs and calculate.",
                )
        if upload_form.errors:
            errors = [{"href": "#id_file", "text": str(e)} for e in upload_form.errors["file"]]
            status = 400
    else:
        bound = ImpactRowFormSet(request.POST, prefix=PREFIX)
        rows = _submitted_rows(bound)
        options_form = CalculatorOptionsForm(request.POST)
        if action == "add":
            rows.append({})
            formset = _rows_formset(rows[:200])
            options_form = CalculatorOptionsForm(initial=request.POST.dict())
        elif action.startswith("remove-"):
            index = action.removeprefix("remove-")
            if index.isdigit() and int(index) < len(rows):
                del rows[int(index)]
            formset = _rows_formset(rows)
            options_form = CalculatorOptionsForm(initial=request.POST.dict())
        else:
            # The bound formset shows what was typed and can carry errors on each cell.
            formset = bound if bound.is_valid() else _rows_formset(rows)
            checked: list[sroi.Outcome] = []
            try:
                checked = sroi.parse_records(enumerate(rows, start=1))
                if not checked:
                    errors.append(
                        {"href": f"#id_{PREFIX}-0-outcome", "text": "Enter at least one outcome"}
                    )
            except sroi.MapInvalid as error:
                errors = _problem_errors(formset, error.problems)
            if options_form.is_valid() and checked and not errors:
                data = options_form.cleaned_data
                report, current = selectors.sroi_report(
                    outcomes=checked,
                    inputs=data["inputs"],
                    discount_rate=data.get("rate_fraction"),
                    first_year=None if data["first_year"] == "default" else data["first_year"],
                    draws=data["draws"],
                    seed=data["seed"],
                )
                context.update(_results_context(report, current))
            else:
                errors += [
                    {"href": f"#id_{name}", "text": str(message)}
                    for name, field_errors in options_form.errors.items()
                    for message in field_errors
                ]
                status = 400
    return render(
        request,
        "evidence/sroi.html",
        {
            "formset": formset,
            "options_form": options_form,
            "upload_form": upload_form,
            "errors": errors,
            "estimates": sroi.ESTIMATES,
            **context,
        },
        status=status,
    )


def _results_context(report: sroi.Report, current: selectors.CurrentParameters) -> dict[str, Any]:
    result = report.result
    return {
        "report": report,
        "result": result,
        "parameters": current,
        "discounting": sroi.describe_discounting(result.options),
        "tornado": tornado_chart(report.tornado, central=result.ratio),
        "any_switching_value": any(s.value is not None for s in report.switching),
    }


@require(Action.VIEW_EVIDENCE)
def unit_cost_list(request: HttpRequest) -> HttpResponse:
    service_type = request.GET.get("service_type", "")[:64]
    return render(
        request,
        "evidence/unit_cost_list.html",
        {
            "unit_costs": selectors.unit_cost_list_current(service_type=service_type),
            "service_types": selectors.service_type_list(),
            "chosen": service_type,
            "can_edit": can(request.user, Action.EDIT_EVIDENCE),
        },
    )


def _get_unit_cost(unit_cost_id: Any) -> Any:
    try:
        return selectors.unit_cost_get(unit_cost_id=unit_cost_id)
    except NotFound:
        raise Http404("No such unit cost.") from None


@require(Action.VIEW_EVIDENCE)
def unit_cost_detail(request: HttpRequest, unit_cost_id: Any) -> HttpResponse:
    unit_cost = _get_unit_cost(unit_cost_id)
    return render(
        request,
        "evidence/unit_cost_detail.html",
        {
            "unit_cost": unit_cost,
            "versions": selectors.unit_cost_versions(code=unit_cost.code),
            "can_edit": can(request.user, Action.EDIT_EVIDENCE) and unit_cost.is_current,
        },
    )


@require(Action.EDIT_EVIDENCE)
@require_http_methods(["GET", "POST"])
def unit_cost_revise(request: HttpRequest, unit_cost_id: Any) -> HttpResponse:
    unit_cost = _get_unit_cost(unit_cost_id)
    if not unit_cost.is_current:
        raise PermissionDenied("Only the current version can be edited.")
    initial = {
        "expected_version": unit_cost.version,
        "item": unit_cost.item,
        "unit": unit_cost.unit,
        "value": unit_cost.value,
        "price_year": unit_cost.value_price_year,
        "agencies": ";".join(f"{s.agency}:{s.share.normalize()}" for s in unit_cost.shares.all()),
        "confidence_grade": unit_cost.confidence_grade,
        "service_type": unit_cost.service_type.code if unit_cost.service_type else "",
        "source": unit_cost.source,
        "source_url": unit_cost.source_url,
        "licence": unit_cost.licence,
        "notes": unit_cost.notes,
    }
    form = UnitCostForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            fields = {k: str(v) for k, v in form.cleaned_data.items() if k != "expected_version"}
            fields["price_year"] = fields["price_year"].strip()
            try:
                revised = services.unit_cost_revise(
                    actor=request.user,
                    code=unit_cost.code,
                    expected_version=form.cleaned_data["expected_version"],
                    fields=fields,
                )
            except PlacebaseError as error:
                form.add_error(None, error.message)
                for problem in getattr(error, "problems", []):
                    form.add_error(None, f"{problem[:1].upper()}{problem[1:]}")
            else:
                messages.success(request, f"Saved as version {revised.version}.")
                return redirect("evidence:unit_cost_detail", unit_cost_id=revised.pk)
        status = 400
    return render(
        request,
        "evidence/unit_cost_form.html",
        {"form": form, "unit_cost": unit_cost},
        status=status,
    )


@require(Action.VIEW_EVIDENCE)
def parameters(request: HttpRequest) -> HttpResponse:
    version = request.GET.get("version", "")
    try:
        shown = selectors.parameters_of_version(version=int(version) if version.isdigit() else None)
    except NotFound:
        raise Http404("No such parameter set.") from None
    return render(
        request,
        "evidence/parameters.html",
        {
            "shown": shown,
            "versions": selectors.parameter_set_list(),
        },
    )


# --- programmes, forecasts and reports --------------------------------------------------------


def _or_404(getter: Any, **kwargs: Any) -> Any:
    try:
        return getter(**kwargs)
    except NotFound:
        raise Http404("Not found.") from None


def _form_errors(error: PlacebaseError) -> list[str]:
    return list(error.details.get("problems") or [error.message])  # type: ignore[call-overload]


@require(Action.VIEW_EVIDENCE)
@require_http_methods(["GET", "POST"])
def programmes(request: HttpRequest) -> HttpResponse:
    may_edit = can(request.user, Action.EDIT_EVIDENCE)
    form = ProgrammeForm(request.POST or None, organisations=selectors.organisation_choices())
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("Only analysts can add programmes.")
        if form.is_valid():
            organisation = form.cleaned_data["organisation"] or None
            try:
                programme = services.programme_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    organisation=selectors.organisation_by_id(organisation_id=organisation),
                )
            except PlacebaseError as error:
                form.add_error("name", error.message)
            else:
                messages.success(request, f"Programme {programme.name} added.")
                return redirect("evidence:programme", programme.pk)
        status = 400
    return render(
        request,
        "evidence/programmes.html",
        {"programmes": selectors.programme_list(), "form": form, "may_edit": may_edit},
        status=status,
    )


@require(Action.VIEW_EVIDENCE)
@require_http_methods(["GET", "POST"])
def programme(request: HttpRequest, programme_id: Any) -> HttpResponse:
    found = _or_404(selectors.programme_get, programme_id=programme_id)
    may_edit = can(request.user, Action.EDIT_EVIDENCE)
    form = ProgrammeCostForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("Only analysts can add costs.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.programme_cost_add(
                    actor=request.user,
                    programme=found,
                    kind=data["kind"],
                    description=data["description"],
                    amount=data["amount"],
                    price_year=data["price_year"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
            except PlacebaseError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Cost added.")
                return redirect("evidence:programme", found.pk)
        status = 400
    return render(
        request,
        "evidence/programme.html",
        {
            "programme": found,
            "costs": selectors.programme_costs(programme=found),
            "forecasts": selectors.forecast_list(programme=found),
            "form": form,
            "may_edit": may_edit,
        },
        status=status,
    )


@require(Action.EDIT_EVIDENCE)
@require_http_methods(["GET", "POST"])
def programme_costs_import(request: HttpRequest, programme_id: Any) -> HttpResponse:
    """Add a programme's costs from a CSV export of its spend; a bad file adds nothing and
    lists each problem by line."""
    found = _or_404(selectors.programme_get, programme_id=programme_id)
    form = CostsUploadForm(request.POST or None, request.FILES or None)
    problems: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.programme_costs_import(
                actor=request.user, programme=found, text=form.cleaned_data["file"]
            )
        except services.ProgrammeCostsRejected as error:
            problems = list(error.details.get("problems", []))  # type: ignore[call-overload]
            form.add_error("file", error.message)
        else:
            skipped = f"; {result.skipped} already there were skipped" if result.skipped else ""
            messages.success(request, f"{result.added} cost(s) added{skipped}.")
            return redirect("evidence:programme", found.pk)
    return render(
        request,
        "evidence/programme_costs_import.html",
        {"programme": found, "form": form, "problems": problems},
        status=400 if form.errors else 200,
    )


@require(Action.EDIT_EVIDENCE)
@require_http_methods(["GET", "POST"])
def forecast_new(request: HttpRequest, programme_id: Any) -> HttpResponse:
    found = _or_404(selectors.programme_get, programme_id=programme_id)
    form = ForecastForm(
        request.POST or None,
        areas=selectors.report_area_choices(),
        service_types=selectors.service_type_choices(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        types = {str(t.pk): t for t in selectors.service_type_list()}
        try:
            forecast = services.forecast_create(
                actor=request.user,
                programme=found,
                area=_area_or_none(data["area"]),
                period_start=data["period_start"],
                period_end=data["period_end"],
                people=data["people"],
                life_satisfaction_change=data["life_satisfaction_change"],
                lines=[
                    services.ForecastLineData(types[pk], e, lo, hi) for pk, e, lo, hi in form.lines
                ],
                assumptions_note=data["assumptions_note"],
            )
        except PlacebaseError as error:
            for problem in _form_errors(error):
                form.add_error(None, problem)
        else:
            messages.success(request, "Forecast saved. Make a forecast report from it below.")
            return redirect(
                f"{reverse('evidence:programme', args=[found.pk])}#forecast-{forecast.pk}"
            )
    return render(
        request,
        "evidence/forecast_form.html",
        {"programme": found, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _area_or_none(area_id: str) -> Any:
    return _or_404(selectors.area_by_id, area_id=area_id) if area_id else None


def _assumptions(data: dict[str, Any]) -> records.Assumptions:
    names = ("attribution", "deadweight")
    values = {f"{n}{s}": data[f"{n}{s}"] for n in names for s in ("", "_low", "_high")}
    return records.Assumptions(duration_years=data["duration_years"], **values)


@require(Action.VIEW_EVIDENCE)
@require_http_methods(["GET", "POST"])
def reports(request: HttpRequest) -> HttpResponse:
    """The list of reports and the form for a new evaluative one."""
    form = ReportForm(
        request.POST or None,
        programmes=[(str(p.pk), p.name) for p in selectors.programme_list()],
        areas=selectors.report_area_choices(),
        price_years=selectors.price_years(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.evidence_report_create(
                actor=request.user,
                kind=ReportKind.EVALUATIVE,
                programme=_or_404(selectors.programme_get, programme_id=data["programme"]),
                area=_area_or_none(data["area"]),
                period_start=data["period_start"],
                period_end=data["period_end"],
                price_year=data["price_year"],
                assumptions=_assumptions(data),
            )
        except PlacebaseError as error:
            form.add_error(None, error.message)
        else:
            return redirect("evidence:report", report.pk)
    return render(
        request,
        "evidence/reports.html",
        {"reports": selectors.report_list()[:100], "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require(Action.EDIT_EVIDENCE)
@require_http_methods(["POST"])
def forecast_report(request: HttpRequest, forecast_id: Any) -> HttpResponse:
    forecast = _or_404(selectors.forecast_get, forecast_id=forecast_id)
    years = selectors.price_years()
    try:
        price_year = int(request.POST.get("price_year") or years[0])
        report = services.evidence_report_create(
            actor=request.user,
            kind=ReportKind.FORECAST,
            programme=forecast.programme,
            area=forecast.area,
            period_start=forecast.period_start,
            period_end=forecast.period_end,
            price_year=price_year,
            forecast=forecast,
        )
    except (PlacebaseError, ValueError) as error:
        messages.error(request, getattr(error, "message", "Choose a price year."))
        return redirect("evidence:programme", forecast.programme_id)
    return redirect("evidence:report", report.pk)


def _report_charts(report: Any) -> dict[str, Any]:
    results = report.results
    ratios = []
    for key, label in (("sroi", "Social return (SROI ratio)"), ("fiscal", "Fiscal return")):
        block = results.get(key) or {}
        rng = (block.get("range") or {}).get("ratio") or {}
        ratios.append((label, block.get("ratio"), rng.get("p5"), rng.get("p95")))
    agencies = [
        (a["label"], a["present_value"], a["p5"], a["p95"]) for a in results.get("by_agency", [])
    ]
    shapes = selectors.area_shapes(area_ids=[a["area_id"] for a in results.get("areas", [])])
    return {
        "ratio_chart": interval_chart(ratios, reference=Decimal(1)),
        "agency_chart": interval_chart(agencies),
        "month_chart": month_chart(results.get("monthly", [])),
        "area_map": area_map(
            [
                (a["code"], a["name"], shapes[a["area_id"]], a["people"])
                for a in results.get("areas", [])
                if a["area_id"] in shapes
            ]
        ),
    }


@require(Action.VIEW_EVIDENCE)
def report(request: HttpRequest, report_id: Any) -> HttpResponse:
    found = _or_404(selectors.report_get, report_id=report_id)
    context: dict[str, Any] = {"report": found, "results": found.results}
    if found.status == ReportStatus.READY:
        context.update(_report_charts(found))
        if found.kind == ReportKind.EVALUATIVE:
            context["forecasts"] = selectors.report_forecasts_to_compare(report=found)
    return render(request, "evidence/report.html", context)


DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", reports_module.report_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        reports_module.report_xlsx,
    ),
    "json": ("application/json", reports_module.report_json),
}


@require(Action.VIEW_EVIDENCE)
def report_download(request: HttpRequest, report_id: Any, fmt: str) -> HttpResponse:
    found = _or_404(selectors.report_get, report_id=report_id)
    if fmt not in DOWNLOADS or found.status != ReportStatus.READY:
        raise Http404("No such download.")
    content_type, render_as = DOWNLOADS[fmt]
    response = HttpResponse(render_as(found), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="evidence-report-{found.pk}.{fmt}"'
    return response


@require(Action.VIEW_EVIDENCE)
@require_http_methods(["POST"])
def report_verify(request: HttpRequest, report_id: Any) -> HttpResponse:
    found = _or_404(selectors.report_get, report_id=report_id)
    if found.status != ReportStatus.READY:
        raise Http404("The report has no figures to check.")
    try:
        check = services.evidence_report_verify(actor=request.user, report=found)
    except records.EvidenceUnavailable as error:
        messages.error(request, str(error))
        return redirect("evidence:report", found.pk)
    if check.same_figures:
        messages.success(request, "Re-run on the stored settings: the figures are identical.")
    elif not check.same_method:
        messages.error(
            request,
            f"Re-run: this report was made with method version {found.method_version} and "
            f"Placebase now uses version {records.METHOD_VERSION}, so the figures differ for "
            "that reason, whether or not the records changed. The stored figures stand as made; "
            "make a new report to use the current method.",
        )
    elif check.same_data:
        messages.error(request, "Re-run: the data are unchanged but the figures differ.")
    else:
        messages.error(
            request,
            "Re-run: the records have changed since this report was made, so the figures "
            "differ. Make a new report for the current records.",
        )
    return redirect("evidence:report", found.pk)


@require(Action.VIEW_EVIDENCE)
def report_compare(request: HttpRequest, report_id: Any, forecast_report_id: Any) -> HttpResponse:
    actual = _or_404(selectors.report_get, report_id=report_id)
    forecast = _or_404(selectors.report_get, report_id=forecast_report_id)
    if (
        actual.kind != ReportKind.EVALUATIVE
        or forecast.kind != ReportKind.FORECAST
        or actual.status != ReportStatus.READY
        or forecast.status != ReportStatus.READY
    ):
        raise Http404("Compare a ready evaluative report with a ready forecast report.")
    return render(
        request,
        "evidence/report_compare.html",
        {
            "actual": actual,
            "forecast": forecast,
            "comparison": selectors.report_comparison(actual=actual, forecast=forecast),
        },
    )
