"""The catalogue: starter data, loading your own unit costs, versions, parameter sets."""

import csv
import json
from decimal import Decimal

import pytest

from placebase.core.models import AuditEvent
from placebase.evidence import selectors, services
from placebase.evidence.models import ParameterSet, ServiceType, UnitCost, UnitCostShare
from placebase.factories import UserFactory

pytestmark = pytest.mark.django_db

REQUIRED_SERVICE_TYPES = {
    "ae_attendance",
    "emergency_admission",
    "gp_appointment",
    "ambulance_callout",
    "police_callout",
    "asb_report",
    "homelessness_application",
    "eviction",
    "home_care_week",
    "residential_care_week",
    "mental_health_crisis_contact",
}
HEADER = (
    "code,service_type,item,unit,value,price_year,agencies,confidence_grade,source,"
    "source_url,licence,notes\n"
)


def test_starter_catalogue_loads_once_and_covers_every_service_type():
    first = services.unit_costs_load_starter()
    assert first.created == UnitCost.objects.count() >= len(REQUIRED_SERVICE_TYPES)
    assert set(ServiceType.objects.values_list("code", flat=True)) >= REQUIRED_SERVICE_TYPES
    for code in REQUIRED_SERVICE_TYPES:
        assert selectors.unit_cost_for_service_type(code=code) is not None, code
    again = services.unit_costs_load_starter()
    assert (again.created, again.revised, again.unchanged) == (0, 0, first.created)
    assert UnitCost.objects.count() == first.created


def test_every_starter_unit_cost_is_cited_licensed_and_split_to_one():
    services.unit_costs_load_starter()
    for cost in UnitCost.objects.prefetch_related("shares"):
        assert cost.source and cost.licence and 1 <= cost.confidence_grade <= 6
        assert sum(s.share for s in cost.shares.all()) == 1, cost.code
    assert UnitCostShare.objects.filter(unit_cost__code="placebase-asb-report").count() == 3


def test_no_hact_social_value_bank_values_are_shipped():
    text = services.STARTER_UNIT_COSTS.read_text().lower()
    assert "hact" not in text and "social value bank" not in text


def test_own_unit_costs_load_and_a_changed_row_becomes_a_new_version():
    services.unit_costs_load_starter()
    text = HEADER + (
        "local-ae,ae_attendance,Local A&E attendance,attendance,250.00,2023,"
        "nhs:1,2,Our trust's costing,,Licensed to us,\n"
    )
    assert services.unit_costs_load(actor=None, text=text, source_name="ours.csv").created == 1
    changed = text.replace("250.00", "260.00")
    result = services.unit_costs_load(actor=None, text=changed, source_name="ours.csv")
    assert (result.created, result.revised) == (0, 1)
    versions = list(UnitCost.objects.filter(code="local-ae").order_by("version"))
    assert [(v.version, v.value, v.is_current) for v in versions] == [
        (1, Decimal("250.00"), False),
        (2, Decimal("260.00"), True),
    ]
    assert AuditEvent.objects.filter(verb="evidence.unit_costs.load").count() >= 3


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("x,,Item,unit,12,2022,nhs:0.5;council:0.4,2,Src,,Lic,", "add up to 0.9"),
        ("x,,Item,unit,12,2022,martians:1,2,Src,,Lic,", "unknown agency"),
        ("x,,Item,unit,-1,2022,nhs:1,2,Src,,Lic,", "at least 0"),
        ("x,,Item,unit,abc,2022,nhs:1,2,Src,,Lic,", "not a number"),
        ("x,,Item,unit,12,22,nhs:1,2,Src,,Lic,", "price year"),
        ("x,,Item,unit,12,2022,nhs:1,7,Src,,Lic,", "confidence grade"),
        ("x,nowhere,Item,unit,12,2022,nhs:1,2,Src,,Lic,", "unknown service type"),
        ("x,,Item,unit,12,2022,nhs:1,2,,,Lic,", "source is blank"),
        ("x,,Item,unit,12,2022,nhs:1,2,Src,ftp://x,Lic,", "source URL"),
    ],
)
def test_a_bad_row_rejects_the_whole_file_with_its_line(row, reason):
    good = "good,,Item,unit,10,2022,nhs:1,2,Src,,Lic,"
    with pytest.raises(services.UnitCostsRejected) as caught:
        services.unit_costs_load(
            actor=None, text=HEADER + good + "\n" + row + "\n", source_name="bad.csv"
        )
    problems = caught.value.problems
    assert any(line == 3 and reason in message for line, message in problems), problems
    assert not UnitCost.objects.exists()


def test_empty_headerless_and_duplicate_files_are_refused():
    for text, reason in [
        ("", "empty"),
        ("code,item\n", "missing columns"),
        (HEADER, "no rows"),
        (HEADER + "a,,I,u,1,2022,nhs:1,1,S,,L,\na,,I,u,2,2022,nhs:1,1,S,,L,\n", "also on line 2"),
    ]:
        with pytest.raises(services.UnitCostsRejected) as caught:
            services.unit_costs_load(actor=None, text=text, source_name="f.csv")
        assert any(reason in message for _, message in caught.value.problems)
    assert not UnitCost.objects.exists()


def _fields(cost: UnitCost, **changes: str) -> dict[str, str]:
    fields = {
        "item": cost.item,
        "unit": cost.unit,
        "value": str(cost.value),
        "price_year": str(cost.value_price_year),
        "agencies": ";".join(f"{s.agency}:{s.share}" for s in cost.shares.all()),
        "confidence_grade": str(cost.confidence_grade),
        "service_type": cost.service_type.code if cost.service_type else "",
        "source": cost.source,
        "source_url": cost.source_url,
        "licence": cost.licence,
        "notes": cost.notes,
    }
    fields.update(changes)
    return fields


def test_revising_a_unit_cost_keeps_the_old_version_for_old_reports():
    services.unit_costs_load_starter()
    analyst = UserFactory(role="analyst")
    old = UnitCost.objects.get(code="pssru-2023-gp-consultation")
    new = services.unit_cost_revise(
        actor=analyst,
        code=old.code,
        expected_version=1,
        fields=_fields(old, value="52.00", agencies="nhs:0.9;council:0.1"),
    )
    old.refresh_from_db()
    assert (old.version, old.value, old.is_current) == (1, Decimal("49.00"), False)
    assert (new.version, new.value, new.is_current, new.created_by) == (
        2,
        Decimal("52.00"),
        True,
        analyst,
    )
    assert {s.agency: s.share for s in new.shares.all()} == {
        "nhs": Decimal("0.9"),
        "council": Decimal("0.1"),
    }
    assert AuditEvent.objects.filter(
        verb="evidence.unit_cost.revise", target_id=str(new.pk)
    ).exists()
    with pytest.raises(services.VersionConflict):
        services.unit_cost_revise(
            actor=analyst, code=old.code, expected_version=1, fields=_fields(new, value="53.00")
        )
    with pytest.raises(services.UnitCostInvalid):
        services.unit_cost_revise(
            actor=analyst,
            code=old.code,
            expected_version=2,
            fields=_fields(new, agencies="nhs:0.5"),
        )
    assert UnitCost.objects.filter(code=old.code).count() == 2


def test_starter_parameters_load_once_and_become_current_only_if_none_is():
    first = services.parameter_set_load_starter()
    assert (first.version, first.is_current) == (1, True)
    assert services.parameter_set_load_starter() == first
    assert ParameterSet.objects.count() == 1
    current = selectors.parameters_current()
    assert current.version == 1
    assert current.parameters.wellby.central == 13000


def test_publishing_parameters_makes_a_new_current_version():
    services.parameter_set_load_starter()
    analyst = UserFactory(role="analyst")
    values = json.loads(services.STARTER_PARAMETERS.read_text())
    values["first_year"] = "undiscounted"
    published = services.parameter_set_publish(
        actor=analyst, values=values, label="Green Book year 0", expected_current_version=1
    )
    assert (published.version, published.is_current) == (2, True)
    assert not ParameterSet.objects.get(version=1).is_current
    assert selectors.parameters_current().parameters.first_year == "undiscounted"
    # Reloading the starter file does not take "current" back from the analyst's version.
    services.parameter_set_load_starter()
    assert selectors.parameters_current().version == 2
    with pytest.raises(services.VersionConflict):
        services.parameter_set_publish(
            actor=analyst, values=values, label="Again", expected_current_version=1
        )
    values["wellby"]["low"] = "99999"
    with pytest.raises(services.ParametersRejected):
        services.parameter_set_publish(
            actor=analyst, values=values, label="Bad", expected_current_version=2
        )
    assert ParameterSet.objects.count() == 2


def test_parameters_fall_back_to_the_shipped_file_when_none_is_stored():
    current = selectors.parameters_current()
    assert current.version is None
    assert current.parameters.discount.bands[0].rate == Decimal("0.035")


def test_starter_csv_and_service_types_agree():
    with services.STARTER_SERVICE_TYPES.open() as handle:
        codes = {row["code"] for row in csv.DictReader(handle)}
    assert codes == REQUIRED_SERVICE_TYPES
    with services.STARTER_UNIT_COSTS.open() as handle:
        used = {row["service_type"] for row in csv.DictReader(handle)}
    assert used == REQUIRED_SERVICE_TYPES
