"""Whole Place pages: each view parses input, checks permission, calls one service or
selector and renders."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from placebase.accounts.permissions import Action, can, require
from placebase.core.errors import ImportRejected, NotFound, PlacebaseError
from placebase.evidence.selectors import costs_avoided_by_agency
from placebase.places.models import Level

from . import selectors, services
from .forms import (
    AgencyForm,
    CsvUploadForm,
    FootprintForm,
    FundForm,
    InvolvementFilterForm,
    InvolvementUploadForm,
    LedgerEntryForm,
    PeriodForm,
    RegisterEntryForm,
    ReverseForm,
    SpendFilterForm,
    ThemeForm,
    financial_year_start,
)
from .graphics import bar_chart, svg_map
from .models import SubjectKind


def _or_404(fn: Any, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except NotFound as error:
        raise Http404(error.message) from error


def _permissions(request: HttpRequest) -> dict[str, bool]:
    return {
        "can_manage": can(request.user, Action.MANAGE_WHOLE_PLACE),
        "can_see_multi_agency": can(request.user, Action.VIEW_MULTI_AGENCY),
        "can_record_involvement": can(request.user, Action.RECORD_INVOLVEMENT),
    }


@require(Action.VIEW_WHOLE_PLACE)
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "wholeplace/index.html",
        {"overview": selectors.overview(), **_permissions(request)},
    )


@require(Action.VIEW_WHOLE_PLACE)
def agencies(request: HttpRequest) -> HttpResponse:
    report = selectors.footprint_report()
    items = []
    for number, row in enumerate(report.rows):
        for area in row.areas:
            css = "pb-wp-lead" if row.agency.is_lead_council else f"pb-wp-footprint-{number % 6}"
            items.append((area, css, f"{row.agency.name}: {area.name}"))
    # Larger footprints first, so smaller ones are drawn on top and stay visible.
    items.sort(key=lambda item: -(item[0].area_m2 or 0))
    return render(
        request,
        "wholeplace/agencies.html",
        {"report": report, "map": svg_map(items), **_permissions(request)},
    )


@require(Action.VIEW_WHOLE_PLACE)
def funds(request: HttpRequest) -> HttpResponse:
    summaries = [selectors.fund_summary(fund=f) for f in selectors.fund_list()]
    return render(
        request, "wholeplace/funds.html", {"summaries": summaries, **_permissions(request)}
    )


@require(Action.VIEW_WHOLE_PLACE)
def fund_detail(request: HttpRequest, fund_id: Any) -> HttpResponse:
    fund = _or_404(selectors.fund_get, fund_id=fund_id)
    return render(
        request,
        "wholeplace/fund_detail.html",
        {
            "summary": selectors.fund_summary(fund=fund),
            "entries": selectors.ledger_entry_list(fund=fund)[:500],
            **_permissions(request),
        },
    )


@require(Action.MANAGE_WHOLE_PLACE)
def entry_new(request: HttpRequest, fund_id: Any) -> HttpResponse:
    fund = _or_404(selectors.fund_get, fund_id=fund_id)
    form = LedgerEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.ledger_entry_record(
                fund=fund,
                kind=data["kind"],
                agency=data["agency"],
                theme=data["theme"],
                amount=data["amount"],
                occurred_on=data["occurred_on"],
                reference=data["reference"],
                description=data["description"],
                user=request.user,
            )
        except PlacebaseError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "The entry has been added to the ledger.")
            return redirect("wholeplace:fund_detail", fund_id=fund.pk)
    return render(request, "wholeplace/entry_form.html", {"fund": fund, "form": form})


@require(Action.MANAGE_WHOLE_PLACE)
def entry_reverse(request: HttpRequest, fund_id: Any, entry_id: Any) -> HttpResponse:
    fund = _or_404(selectors.fund_get, fund_id=fund_id)
    entry = _or_404(selectors.ledger_entry_get, fund=fund, entry_id=entry_id)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ledger_entry_reverse(
                entry=entry, reason=form.cleaned_data["reason"], user=request.user
            )
        except PlacebaseError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Entry {entry.sequence} has been reversed.")
            return redirect("wholeplace:fund_detail", fund_id=fund.pk)
    return render(
        request, "wholeplace/entry_reverse.html", {"fund": fund, "entry": entry, "form": form}
    )


def _import_page(
    request: HttpRequest,
    *,
    template: str,
    run: Any,
    context: dict[str, Any],
    form_class: type[CsvUploadForm] = CsvUploadForm,
) -> HttpResponse:
    form = form_class(request.POST or None, request.FILES or None)
    problems: list[dict[str, Any]] = []
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = run(
                text=form.cleaned_data["file"], filename=form.filename, data=form.cleaned_data
            )
        except ImportRejected as error:
            found: Any = error.details.get("problems", [])
            problems = list(found)
            form.add_error("file", error.message)
        except PlacebaseError as error:
            form.add_error("file", error.message)
    return render(
        request, template, {"form": form, "problems": problems, "result": result, **context}
    )


@require(Action.MANAGE_WHOLE_PLACE)
def fund_import(request: HttpRequest, fund_id: Any) -> HttpResponse:
    fund = _or_404(selectors.fund_get, fund_id=fund_id)

    def run(*, text: str, filename: str, data: dict[str, Any]) -> services.ImportResult:
        return services.ledger_import_csv(
            fund=fund, text=text, filename=filename, user=request.user
        )

    return _import_page(
        request, template="wholeplace/fund_import.html", run=run, context={"fund": fund}
    )


@require(Action.VIEW_WHOLE_PLACE)
def spend(request: HttpRequest) -> HttpResponse:
    parents = selectors.spend_parent_choices()
    years = selectors.spend_years()
    form = SpendFilterForm(request.GET or None, areas=parents, years=years)
    area = parents[0] if parents else None
    year = years[0] if years else None
    if request.GET and form.is_valid():
        area = form.cleaned_data["area"] or area
        year = form.cleaned_data["year"] if form.cleaned_data["year"] != "" else None
    elif not request.GET:
        form = SpendFilterForm(
            initial={"area": area.pk if area else None, "year": year}, areas=parents, years=years
        )
    table = (
        selectors.spend_per_head_children(parent=area, level=Level.WARD, financial_year=year)
        if area
        else None
    )
    spend_map = None
    if table and table.rows:
        geometries = selectors.area_geometries(area_ids=[r.area.pk for r in table.rows])
        spend_map = svg_map(
            [
                (
                    geometries[r.area.pk],
                    f"pb-wp-band-{table.bands.get(r.area.pk, 0)}",
                    f"{r.area.name}: £{r.per_head} a head" if r.per_head else r.area.name,
                )
                for r in table.rows
            ]
        )
    return render(
        request,
        "wholeplace/spend.html",
        {"form": form, "table": table, "year": year, "map": spend_map, **_permissions(request)},
    )


@require(Action.VIEW_WHOLE_PLACE)
def spend_area(request: HttpRequest, area_id: Any) -> HttpResponse:
    area = _or_404(selectors.area_get_by_id, area_id=area_id)
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if raw_year.isdigit() else None
    return render(
        request,
        "wholeplace/spend_area.html",
        {
            "breakdown": selectors.spend_breakdown(area=area, financial_year=year),
            "year": year,
            **_permissions(request),
        },
    )


@require(Action.MANAGE_WHOLE_PLACE)
def spend_import(request: HttpRequest) -> HttpResponse:
    def run(*, text: str, filename: str, data: dict[str, Any]) -> services.ImportResult:
        return services.spend_import_csv(text=text, filename=filename, user=request.user)

    return _import_page(request, template="wholeplace/spend_import.html", run=run, context={})


def _place_and_period(
    request: HttpRequest, form_class: type[PeriodForm]
) -> tuple[PeriodForm, tuple[Any, date, date, dict[str, Any]] | None]:
    """The filter form, and the chosen place and period (this financial year by default);
    None when the form has errors."""
    parents = selectors.spend_parent_choices()
    default = parents[0] if parents else None
    if not request.GET:
        form = form_class(areas=parents, initial={"area": default.pk if default else None})
        data: dict[str, Any] = {}
    else:
        form = form_class(request.GET, areas=parents)
        if not form.is_valid():
            return form, None
        data = form.cleaned_data
    start = data.get("period_start") or financial_year_start(timezone.localdate())
    end = data.get("period_end") or date(financial_year_start(start).year + 1, 3, 31)
    return form, (data.get("area") or default, start, end, data)


@require(Action.VIEW_MULTI_AGENCY)
def involvement(request: HttpRequest) -> HttpResponse:
    form, chosen = _place_and_period(request, InvolvementFilterForm)
    table = None
    if chosen and chosen[0] is not None:
        area, start, end, data = chosen
        table = selectors.multi_agency_by_area(
            user=request.user,
            parent=area,
            level=Level.WARD,
            period_start=start,
            period_end=end,
            subject_kind=data.get("subject_kind") or SubjectKind.HOUSEHOLD,
        )
    return render(
        request,
        "wholeplace/involvement.html",
        {
            "form": form,
            "table": table,
            "period": chosen[1:3] if chosen else None,
            **_permissions(request),
        },
    )


@require(Action.VIEW_WHOLE_PLACE)
def who_pays(request: HttpRequest) -> HttpResponse:
    form, chosen = _place_and_period(request, PeriodForm)
    report, chart, problem, evidence = None, None, "", None
    if chosen:
        area, start, end, _ = chosen
        # Costs avoided come from the evidence engine's latest report on this place and
        # period; without one, from figures recorded by hand (benefit_figures_record).
        evidence = costs_avoided_by_agency(area=area, period_start=start, period_end=end)
        from_evidence: dict[str, Any] = {}
        if evidence is not None:
            from_evidence = {
                "costs_avoided_by_agency": evidence.by_agency,
                "price_index": evidence.price_index,
                "source": f"the evidence report “{evidence.report.title}”",
            }
        try:
            # Reported in the prices of the year the period starts in.
            report = selectors.who_pays_who_benefits(
                area=area,
                period_start=start,
                period_end=end,
                price_year=start.year,
                **from_evidence,
            )
        except PlacebaseError as error:
            problem = error.message
        if report and report.rows:
            chart = bar_chart(
                [(r.label, [r.contributed.amount, r.costs_avoided.amount]) for r in report.rows],
                series=[("Contributed", "pb-wp-bar-paid"), ("Costs avoided", "pb-wp-bar-saved")],
            )
    return render(
        request,
        "wholeplace/who_pays.html",
        {
            "form": form,
            "report": report,
            "chart": chart,
            "problem": problem,
            "evidence_report": evidence.report if evidence else None,
            "can_view_evidence": can(request.user, Action.VIEW_EVIDENCE),
            **_permissions(request),
        },
    )


@require(Action.VIEW_WHOLE_PLACE)
def consistency(request: HttpRequest) -> HttpResponse:
    gaps = selectors.consistency_gaps()
    geometries = selectors.area_geometries(area_ids=[ward.pk for ward, _ in gaps.coverage])
    coverage_map = svg_map(
        [
            (
                geometries[ward.pk],
                "pb-wp-covered" if count else "pb-wp-uncovered",
                f"{ward.name}: {count} service{'s' if count != 1 else ''}"
                if count
                else f"{ward.name}: no service covers it",
            )
            for ward, count in gaps.coverage
            if ward.pk in geometries
        ]
    )
    return render(
        request,
        "wholeplace/consistency.html",
        {
            "entries": selectors.register_entry_list(),
            "gaps": gaps,
            "map": coverage_map,
            **_permissions(request),
        },
    )


@require(Action.MANAGE_WHOLE_PLACE)
def register_new(request: HttpRequest) -> HttpResponse:
    form = RegisterEntryForm(request.POST or None, areas=selectors.register_area_choices())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.register_entry_save(
                agency=data["agency"],
                service_name=data["service_name"],
                approach=data["approach"],
                themes=data["themes"],
                areas=data["areas"],
                staff_total=data["staff_total"],
                staff_trained=data["staff_trained"],
                user=request.user,
            )
        except PlacebaseError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "The service has been added to the register.")
            return redirect("wholeplace:consistency")
    return render(request, "wholeplace/register_form.html", {"form": form})


# ------------------------------------------------------------- agencies, themes and funds


@require(Action.MANAGE_WHOLE_PLACE)
def agency_new(request: HttpRequest) -> HttpResponse:
    form = AgencyForm(
        request.POST or None,
        organisations=selectors.organisation_choices_for_agency(),
        parents=selectors.organisation_list(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agency = services.agency_create(
                organisation=data["organisation"],
                organisation_name="" if data["organisation"] else data["organisation_name"],
                parent=data["parent"],
                code=data["code"],
                sector=data["sector"],
                cost_bearer=data["cost_bearer"],
                is_lead_council=data["is_lead_council"],
                user=request.user,
            )
        except PlacebaseError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{agency.name} is now an agency. Set the areas it covers.")
            return redirect("wholeplace:agency_footprint", agency_id=agency.pk)
    return render(request, "wholeplace/agency_form.html", {"form": form})


@require(Action.MANAGE_WHOLE_PLACE)
def agency_footprint(request: HttpRequest, agency_id: Any) -> HttpResponse:
    agency = _or_404(selectors.agency_get, agency_id=agency_id)
    current = selectors.footprint_areas(agency=agency)
    posted = request.method == "POST"
    chosen = selectors.boundary_set_get_active(
        set_id=request.POST.get("boundary_set") if posted else request.GET.get("set")
    )
    set_areas = selectors.area_choices_in_set(boundary_set=chosen) if chosen else None
    options: dict[str, Any] = {
        "current": current,
        "boundary_sets": selectors.boundary_set_choices(),
        "set_areas": set_areas,
        "resolve": lambda boundary_set, codes: selectors.areas_by_codes(
            boundary_set=boundary_set, codes=codes
        ),
    }
    if posted and request.POST.get("action") == "show":
        # "Show the areas of this set": the same form again, with the set's areas to tick.
        form = FootprintForm(
            initial={
                "keep": request.POST.getlist("keep"),
                "boundary_set": chosen.pk if chosen else None,
                "codes": request.POST.get("codes", ""),
                "areas": request.POST.getlist("areas"),
            },
            **options,
        )
    elif posted:
        form = FootprintForm(request.POST, **options)
        if form.is_valid():
            try:
                services.agency_footprint_set(
                    agency=agency, areas=form.cleaned_data["footprint"], user=request.user
                )
            except PlacebaseError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"The areas {agency.name} covers have been saved.")
                return redirect("wholeplace:agencies")
    else:
        form = FootprintForm(
            initial={
                "keep": [a.pk for a in current],
                "boundary_set": chosen.pk if chosen else None,
            },
            **options,
        )
    return render(
        request,
        "wholeplace/footprint_form.html",
        {
            "agency": agency,
            "form": form,
            "chosen": chosen,
            "too_many": chosen is not None and set_areas is None,
            "max_areas": selectors.MAX_AREAS_TO_TICK,
        },
    )


@require(Action.VIEW_WHOLE_PLACE)
def themes(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "wholeplace/themes.html",
        {"themes": selectors.theme_list(), **_permissions(request)},
    )


@require(Action.MANAGE_WHOLE_PLACE)
def theme_new(request: HttpRequest) -> HttpResponse:
    form = ThemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            theme = services.theme_create(
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                must_be_new=True,
                user=request.user,
            )
        except PlacebaseError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"The theme {theme.name} ({theme.code}) has been added.")
            return redirect("wholeplace:themes")
    return render(request, "wholeplace/theme_form.html", {"form": form})


@require(Action.MANAGE_WHOLE_PLACE)
def fund_new(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    initial = {"price_year": financial_year_start(today).year}
    form = FundForm(request.POST or None, initial=initial, areas=selectors.register_area_choices())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fund = services.fund_create(
                name=data["name"],
                description=data["description"],
                price_year=data["price_year"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                places=data["places"],
                themes=data["themes"],
                user=request.user,
            )
        except PlacebaseError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{fund.name} has been set up. Add its first entries.")
            return redirect("wholeplace:fund_detail", fund_id=fund.pk)
    return render(request, "wholeplace/fund_form.html", {"form": form})


@require(Action.RECORD_INVOLVEMENT)
def involvement_import(request: HttpRequest) -> HttpResponse:
    def run(*, text: str, filename: str, data: dict[str, Any]) -> services.ImportResult:
        return services.involvement_import_csv(
            agency=data["agency"], text=text, filename=filename, user=request.user
        )

    return _import_page(
        request,
        template="wholeplace/involvement_import.html",
        run=run,
        context={},
        form_class=InvolvementUploadForm,
    )


@require(Action.MANAGE_WHOLE_PLACE)
def register_edit(request: HttpRequest, entry_id: Any) -> HttpResponse:
    entry = _or_404(selectors.register_entry_get, entry_id=entry_id)
    initial = {
        "agency": entry.agency_id,
        "service_name": entry.service_name,
        "approach": entry.approach,
        "themes": [t.pk for t in entry.themes.all()],
        "areas": [a.pk for a in entry.areas.all()],
        "staff_total": entry.staff_total,
        "staff_trained": entry.staff_trained,
        "version": entry.version,
    }
    form = RegisterEntryForm(
        request.POST or None, initial=initial, areas=selectors.register_area_choices()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.register_entry_save(
                entry=entry,
                version=data["version"],
                agency=data["agency"],
                service_name=data["service_name"],
                approach=data["approach"],
                themes=data["themes"],
                areas=data["areas"],
                staff_total=data["staff_total"],
                staff_trained=data["staff_trained"],
                notes=entry.notes,
                user=request.user,
            )
        except PlacebaseError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{data['service_name']} has been updated.")
            return redirect("wholeplace:consistency")
    return render(request, "wholeplace/register_form.html", {"form": form, "entry": entry})
