"""Evidence from the records, checked against figures worked out by hand on a tiny world.

The world: a programme that spent £1,000 over 2025-26 (2024 prices); a report on people
introduced in April to June 2025 (so 91/365 of the cost), read to 30 June 2026 (a full year of
follow-up for everyone). One unit cost: an A&E attendance at £100 (2024 prices, NHS, grade 1).
"""

import datetime as dt
import json
from decimal import Decimal

import pytest

from placebase.accounts.models import OrganisationKind
from placebase.casework.models import AvoidedDemand, ServiceUseEvent
from placebase.evidence import records, services
from placebase.evidence.models import (
    EvidenceReport,
    ReportKind,
    ReportStatus,
    ServiceType,
    UnitCost,
)
from placebase.evidence.reports import report_csv, report_json, report_xlsx
from placebase.evidence.selectors import parameters_current
from placebase.evidence.tests.worlds import (
    AS_OF,
    INTRODUCED,
    PERIOD,
    events,
    life_satisfaction,
    make_world,
    person,
)
from placebase.factories import OrganisationFactory
from placebase.places.models import Area, AreaMembership, BoundarySet

D = Decimal


@pytest.fixture
def world(db):
    return make_world()


def scope(world, **overrides):
    values = {
        "area_id": None,
        "organisation_id": world["org"].pk,
        "period_start": PERIOD[0],
        "period_end": PERIOD[1],
        "as_of": AS_OF,
    }
    values.update(overrides)
    return records.Scope(**values)


def value(world, figures, **assumptions):
    parameters = parameters_current().parameters
    costs = records.costs_used(
        UnitCost.objects.filter(code__in=["t-ae", "t-adm"]).prefetch_related("shares")
    )
    labels = {str(pk): label for pk, label in ServiceType.objects.values_list("pk", "label")}
    return records.value_figures(
        figures=figures,
        costs=costs,
        labels=labels,
        parameters=parameters,
        assumptions=records.Assumptions(**assumptions),
        price_year=2024,
        inputs=[],
    )


@pytest.fixture
def two_people(world):
    a, b = person(world), person(world)
    events(a, world["ae"], -300, -200, -100, -10, 50)  # 4 before, 1 after
    events(b, world["ae"], -40, -20, 100)  # 2 before, 1 after
    events(b, world["ae"], -400, 400)  # outside the two windows: not counted
    life_satisfaction(a, 4, 6)  # +2
    life_satisfaction(b, 5, 6)  # +1
    return a, b


def test_before_after_reduction_by_hand(world, two_people):
    figures = records.read_figures(scope(world))
    assert figures.people == {1: 2}
    assert figures.follow_up_days == {1: 730}  # both followed for the whole year
    valuation = value(world, figures)
    (line,) = valuation.service_use
    # before 6; after 2 over 730 person-days = 2 a year for the 2 people; reduction 4.
    assert (line.before, line.after) == (6, 2)
    assert line.after_annualised == D(2)
    assert line.reduction == D(4)
    # Poisson spread: 1.96 x sqrt(6 + 2) = 5.54.
    assert round(line.reduction_high - line.reduction, 2) == D("5.54")
    assert line.deadweight_basis == "assumed"


def test_fiscal_outcome_applies_filters_in_sequence(world, two_people):
    valuation = value(world, records.read_figures(scope(world)))
    fiscal = [o for o in valuation.outcomes if o.agency == "nhs"]
    (ae,) = fiscal
    # 4 x £100 x (1 - 0.25 deadweight) x (1 - 0) x (1 - 0.25 attribution) = £225
    assert ae.first_year_impact == D("225.00")
    assert ae.ranges["attribution"] == (D("0.10"), D("0.40"))


def test_wellbeing_in_wellbys_uprated(world, two_people):
    valuation = value(world, records.read_figures(scope(world)))
    (wellbeing,) = [o for o in valuation.outcomes if o.agency == records.WELLBEING_AGENCY]
    parameters = parameters_current().parameters
    index = parameters.deflator.values
    expected_proxy = (D(13000) * index[2024] / index[2019]).quantize(D("0.01"))
    assert wellbeing.quantity == D(3)  # +2 and +1 points, one year each
    assert wellbeing.financial_proxy == expected_proxy
    assert wellbeing.first_year_impact == D(3) * expected_proxy * D("0.75") * D("0.75")


def test_comparison_matched_on_prior_use_sets_deadweight(world):
    """Two strata, worked by hand. At a crisis (4 events in the last 3 months): the supported
    person falls from 4 to 1 a year, the comparison person from 4 to 2. Low use (1 event, not
    recent): the supported person falls from 1 to 0, the two comparison people each keep 1.
    Expected fall (would have happened anyway): (4 - 2) + (1 - 1) = 2; actual: 3 + 1 = 4;
    deadweight 2 / 4 = 0.5. Pooling without matching would say (6 - 4) / 6 over 4 / 5 = 0.42,
    because the comparison has more low users, whose use does not fall."""
    crisis, low = person(world), person(world)
    events(crisis, world["ae"], -80, -60, -40, -20, 100)
    events(low, world["ae"], -200)
    c_crisis, c_low, c_low2 = (person(world, supported=False) for _ in range(3))
    events(c_crisis, world["ae"], -85, -65, -45, -25, 50, 150)
    events(c_low, world["ae"], -250, 100)
    events(c_low2, world["ae"], -300, 200)
    figures = records.read_figures(scope(world))
    # (supported, stratum = band x 2 + recent, people, follow-up days, before, after)
    assert sorted(figures.strata) == [
        (0, 2, 2, 730, 2, 2),
        (0, 7, 1, 365, 4, 2),
        (1, 2, 1, 365, 1, 0),
        (1, 7, 1, 365, 4, 1),
    ]
    valuation = value(world, figures, min_comparison=1)
    (line,) = valuation.service_use
    assert line.deadweight == D("0.5000")
    assert line.deadweight_basis == "matched comparison"
    assert any("2 of 2 people supported matched, in 2 strata" in n for n in valuation.notes)


def test_wellbeing_deadweight_is_matched_on_the_first_score(world):
    """Low first scores (0-4) tend to rise anyway. Supported: 3 -> 6 (+3, low band) and 8 -> 8
    (0, high band). Comparison: 4 -> 5 and 3 -> 4 (+1 each, low band), 7 -> 7 (0, high band).
    Expected anyway: 1 x (+1) + 1 x 0 = 1, actual 3: deadweight 1/3. Unmatched, the means
    would say (2/3) / 1.5 = 0.44."""
    for scores in ((3, 6), (8, 8)):
        life_satisfaction(person(world), *scores)
    for scores in ((4, 5), (3, 4), (7, 7)):
        life_satisfaction(person(world, supported=False), *scores)
    figures = records.read_figures(scope(world))
    assert figures.wellbeing_strata == [
        (0, 0, 2, 2.0, 2.0),
        (0, 2, 1, 0.0, 0.0),
        (1, 0, 1, 3.0, 9.0),
        (1, 2, 1, 0.0, 0.0),
    ]
    valuation = value(world, figures, min_comparison=1)
    (wellbeing,) = [o for o in valuation.outcomes if o.agency == records.WELLBEING_AGENCY]
    assert wellbeing.deadweight == D("0.3333")
    assert any("matched on the first life-satisfaction score" in n for n in valuation.notes)
    unmatched = value(world, figures, min_comparison=4)  # too few comparison pairs: assumed
    (assumed,) = [o for o in unmatched.outcomes if o.agency == records.WELLBEING_AGENCY]
    assert assumed.deadweight == D("0.25")


def test_unmatched_comparison_falls_back_to_the_assumption(world):
    """The only comparison person used nothing before introduction; the supported people all
    did, so none can be matched and the stated deadweight stands, with a warning."""
    for _ in range(2):
        events(person(world), world["ae"], -30, 60)
    events(person(world, supported=False), world["ae"], 30)
    valuation = value(world, records.read_figures(scope(world)), min_comparison=1)
    (line,) = valuation.service_use
    assert (line.deadweight, line.deadweight_basis) == (D("0.25"), "assumed")
    assert any("Only 0 of 2 people supported" in w for w in valuation.warnings)


def test_avoided_records_count_only_where_before_after_does_not(world, two_people):
    a, b = two_people
    for p, service_type in ((a, world["ae"]), (b, world["admission"])):
        AvoidedDemand.objects.create(
            person=p,
            service_type=service_type,
            recorded_on=INTRODUCED + dt.timedelta(days=60),
            what="x",
            why="y",
            evidence="z",
            confidence=3,
        )
    figures = records.read_figures(scope(world))
    # a's A&E is already in the before/after; only b's admission counts.
    assert figures.avoided == [(str(world["admission"].pk), 3, 1)]
    valuation = value(world, figures)
    (avoided,) = [o for o in valuation.outcomes if "avoided" in o.outcome]
    # grade 3 evidence: optimism bias 10% off £1,000
    assert avoided.financial_proxy == D("900.00")


def test_cohort_is_scoped_by_period_organisation_and_area(world, two_people):
    a, _ = two_people
    late = person(world, introduced=dt.date(2025, 8, 1))
    events(late, world["ae"], -10, introduced=dt.date(2025, 8, 1))
    other_org = OrganisationFactory(name="Elsewhere", kind=OrganisationKind.VCS)
    assert records.read_figures(scope(world)).people == {1: 2}
    assert records.read_figures(scope(world, organisation_id=other_org.pk)).people == {}
    ward_set = BoundarySet.objects.create(level="ward", vintage=1999, name="Wards", is_active=True)
    ward = Area.objects.create(
        boundary_set=ward_set,
        code="E05000001",
        name="Test ward",
        geometry="{}",
        geometry_wkb=b"",
        min_lon=0,
        min_lat=0,
        max_lon=0,
        max_lat=0,
        centroid_lat=0,
        centroid_lon=0,
    )
    AreaMembership.objects.create(
        area=ward, boundary_set=ward_set, record_type="casework.person", record_id=a.pk
    )
    figures = records.read_figures(scope(world, area_id=ward.pk))
    assert figures.people == {1: 1}
    assert figures.by_area == [(str(ward.pk), "E05000001", "Test ward", 1)]


def test_follow_up_is_cut_at_the_day_records_are_read_to(world, two_people):
    figures = records.read_figures(scope(world, as_of=INTRODUCED + dt.timedelta(days=59)))
    # 60 days each (introduction day included); only a's day-50 event falls in it
    assert figures.follow_up_days == {1: 120}
    (line,) = value(world, figures).service_use
    assert line.after == 1
    assert line.after_annualised == D(1) * D(730) / D(120)
    assert any("followed for under" in w for w in value(world, figures).warnings)


def test_events_fall_in_months_from_introduction_on_either_reading(world):
    """Both ways of summing events (grouped by the database; keys counted with numpy, which
    SQLite uses) give the months worked out by hand, at the window's edges too."""
    a, c = person(world), person(world, supported=False)
    events(a, world["ae"], -365, -31, 0, 364)  # months -12, -2, 0, 11
    events(a, world["ae"], -366, 365)  # outside the year either side
    events(c, world["admission"], -1, 30)  # comparison: months -1, 0
    ServiceUseEvent.objects.create(
        person=a,
        service_type=world["admission"],
        occurred_on=INTRODUCED + dt.timedelta(days=40),
        quantity=3,
        source="records",
    )
    ae, admission = str(world["ae"].pk), str(world["admission"].pk)
    expected = sorted(
        [(ae, 1, -12, 1), (ae, 1, -2, 1), (ae, 1, 0, 1), (ae, 1, 11, 1), (admission, 1, 1, 3)]
        + [(admission, 0, -1, 1), (admission, 0, 0, 1)]
    )
    assert sorted(records.read_figures(scope(world)).events) == expected
    cohort_sql, params = records._cohort(scope(world)).query.sql_with_params()
    types = list(ServiceType.objects.order_by("pk").values_list("pk", flat=True))
    read = (types, cohort_sql, params, scope(world))
    grouped, counted = records._event_sums_grouped(*read), records._event_sums_counted(*read)
    assert grouped == counted
    assert sum(grouped.values()) == 9


def test_wellbeing_change_is_first_to_latest_score(world):
    a, b, lone = person(world), person(world), person(world)
    life_satisfaction(a, 4, 9, 5)  # first 4, latest 5: +1, not the best score
    life_satisfaction(b, 7, 6)  # -1
    life_satisfaction(lone, 3)  # one score: no change to count
    figures = records.read_figures(scope(world))
    assert figures.wellbeing == {1: (2, 0.0, 2.0)}


def test_crisis_spike_before_introduction_is_warned(world):
    p = person(world)
    events(p, world["ae"], -20, -15, -10, -5, -200)  # 4 of 5 in the last 3 months
    warnings = value(world, records.read_figures(scope(world))).warnings
    assert any("regression to the mean" in w for w in warnings)
    assert any("Only 1 people" in w for w in warnings)


def test_no_cohort_is_a_clear_error(world):
    with pytest.raises(records.EvidenceUnavailable, match="No one was introduced"):
        value(world, records.read_figures(scope(world)))


def test_assumptions_are_checked():
    with pytest.raises(ValueError, match="attribution"):
        records.Assumptions(attribution=D("0.5"), attribution_high=D("0.4"))
    with pytest.raises(ValueError, match="duration"):
        records.Assumptions(duration_years=0)
    assumed = records.Assumptions(attribution=D("0.3"), duration_years=3)
    assert records.Assumptions.from_dict(assumed.to_dict()) == assumed


def _report(world, **overrides):
    values = {
        "actor": None,
        "kind": ReportKind.EVALUATIVE,
        "programme": world["programme"],
        "area": None,
        "period_start": PERIOD[0],
        "period_end": PERIOD[1],
        "price_year": 2024,
        "as_of": AS_OF,
    }
    values.update(overrides)
    with_commit = services.evidence_report_create(**values)
    return EvidenceReport.objects.get(pk=with_commit.pk)


@pytest.mark.django_db(transaction=True)
def test_report_is_built_stored_and_reproducible(world, two_people):
    report = _report(world)
    assert report.status == ReportStatus.READY, report.error
    results = report.results
    # inputs: £1,000 x 91/365 of the year
    assert results["cash_inputs"] == str((D(1000) * 91 / 365).quantize(D("0.01")))
    fiscal = results["fiscal"]
    assert fiscal["present_value"] == pytest.approx(225 / 1.035, abs=0.01)
    assert fiscal["range"]["ratio"]["p5"] < fiscal["ratio"] < fiscal["range"]["ratio"]["p95"]
    assert {a["agency"] for a in results["by_agency"]} == {"nhs", "people"}
    assert results["method"]["unit_costs"][0]["code"] == "t-adm"
    assert results["method"]["counts"]["service_use_events"] == 8

    check = services.evidence_report_verify(actor=None, report=report)
    assert check.same_data and check.same_figures

    a, _ = two_people
    events(a, world["ae"], 200)
    check = services.evidence_report_verify(actor=None, report=report)
    assert not check.same_data and not check.same_figures


@pytest.mark.django_db(transaction=True)
def test_a_report_made_with_an_earlier_method_says_so_on_rerun(world, two_people):
    report = _report(world)
    assert report.method_version == records.METHOD_VERSION
    assert services.evidence_report_verify(actor=None, report=report).same_method
    EvidenceReport.objects.filter(pk=report.pk).update(method_version=1)
    report.refresh_from_db()
    assert not services.evidence_report_verify(actor=None, report=report).same_method


@pytest.mark.django_db(transaction=True)
def test_report_keeps_its_unit_cost_versions(world, two_people):
    report = _report(world)
    services.unit_cost_revise(
        actor=None,
        code="t-ae",
        expected_version=1,
        fields={
            "code": "t-ae",
            "service_type": "ae_attendance",
            "item": "A&E",
            "unit": "event",
            "value": "500",
            "price_year": "2024",
            "agencies": "nhs:1",
            "confidence_grade": "1",
            "source": "test",
            "licence": "test",
        },
    )
    assert UnitCost.objects.get(code="t-ae", is_current=True).value == D(500)
    check = services.evidence_report_verify(actor=None, report=report)
    assert check.same_figures  # still valued at the £100 version it recorded


@pytest.mark.django_db(transaction=True)
def test_report_without_costs_fails_visibly(world, two_people):
    world["programme"].costs.all().delete()
    report = _report(world)
    assert report.status == ReportStatus.FAILED
    assert "no costs in this period" in report.error


@pytest.mark.django_db(transaction=True)
def test_forecast_report_and_downloads(world):
    forecast = services.forecast_create(
        actor=None,
        programme=world["programme"],
        area=None,
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        people=10,
        life_satisfaction_change=D("1.0"),
        lines=[services.ForecastLineData(world["ae"], D("0.5"), D("0.2"), D("0.8"))],
    )
    report = _report(world, kind=ReportKind.FORECAST, forecast=forecast)
    assert report.status == ReportStatus.READY, report.error
    (ae,) = [o for o in report.results["impact_map"] if o["agency"] == "nhs"]
    assert ae["quantity"] == "5.00"  # 10 people x 0.5 avoided each
    assert ae["ranges"]["quantity"] == ["2.0000", "8.0000"]
    assert "Impact map" in report_csv(report)
    assert json.loads(report_json(report))["results"]["kind"] == "forecast"
    assert report_xlsx(report)[:2] == b"PK"


def test_forecast_bad_input_is_refused(world):
    with pytest.raises(services.ForecastInvalid) as caught:
        services.forecast_create(
            actor=None,
            programme=world["programme"],
            area=None,
            period_start=PERIOD[1],
            period_end=PERIOD[0],
            people=0,
            life_satisfaction_change=D(0),
            lines=[services.ForecastLineData(world["ae"], D("0.5"), D("0.6"), D("0.8"))],
        )
    problems = caught.value.details["problems"]
    assert len(problems) == 3


def test_programme_cost_bad_input_is_refused(world):
    with pytest.raises(services.ProgrammeInvalid, match="more than £0"):
        services.programme_cost_add(
            actor=None,
            programme=world["programme"],
            kind="staff",
            description="x",
            amount=D(0),
            price_year=2024,
            starts_on=PERIOD[0],
            ends_on=PERIOD[1],
        )


def test_volunteer_time_is_an_input_and_their_wellbeing_an_outcome(world, two_people):
    figures = records.read_figures(scope(world))
    figures.volunteers, figures.volunteer_minutes = 2, 600
    figures.volunteer_wellbeing = (2, 3.0, 5.0)  # +1 and +2 points
    parameters = parameters_current().parameters
    line, low, central = records.volunteer_input(
        minutes=600, parameters=parameters, price_year=2024
    )
    assert low < central and not line.cash  # in kind: never in the net fiscal return
    valuation = value(world, figures)
    (volunteers,) = [o for o in valuation.outcomes if o.agency == records.VOLUNTEER_AGENCY]
    assert volunteers.quantity == D(3)
    # the outcome stands alone: nothing is subtracted from it for the time given
    assert volunteers.first_year_impact == D(3) * volunteers.financial_proxy * D("0.75") ** 2
