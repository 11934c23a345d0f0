"""Multi-agency involvement: pseudonymised identifiers, imports, disclosure-controlled
counts by area, and who may see them."""

from datetime import date

import pytest

from placebase.accounts.roles import Role
from placebase.core.disclosure import SUPPRESSED
from placebase.core.models import AuditEvent
from placebase.factories import UserFactory
from placebase.wholeplace import services
from placebase.wholeplace.errors import InvolvementFileRejected, MultiAgencyForbidden
from placebase.wholeplace.models import Involvement, SubjectKind
from placebase.wholeplace.selectors import multi_agency_by_area

pytestmark = pytest.mark.django_db

PERIOD = {"period_start": date(2025, 4, 1), "period_end": date(2026, 3, 31)}


def involve(agency, uprn, area, started=date(2025, 5, 1), ended=None):  # type: ignore[no-untyped-def]
    return services.involvement_record(
        agency=agency,
        subject_kind=SubjectKind.HOUSEHOLD,
        identifier=uprn,
        area=area,
        started_on=started,
        ended_on=ended,
        lawful_basis="Consent form v2",
    )


def test_pseudonyms_are_stable_keyed_and_never_the_identifier(world, geography):
    key = services.pseudonymise(identifier="1000 1234 5678", subject_kind="household")
    assert key == services.pseudonymise(identifier="100012345678", subject_kind="household")
    assert key != services.pseudonymise(identifier="100012345678", subject_kind="person")
    assert len(key) == 64 and "100012345678" not in key
    involvement = involve(world.council, "100012345678", geography.wards[0])
    stored = [str(v) for v in Involvement.objects.filter(pk=involvement.pk).values().get().values()]
    assert not any("100012345678" in value for value in stored)
    assert AuditEvent.objects.get(verb="wholeplace.involvement.record").personal_data


def test_pseudonym_key_comes_from_settings(settings):
    before = services.pseudonymise(identifier="X1", subject_kind="person")
    settings.WHOLEPLACE_PSEUDONYM_KEY = "another-key"
    assert services.pseudonymise(identifier="X1", subject_kind="person") != before


def test_households_served_by_several_agencies_by_ward(world, geography):
    ward_a, ward_b, _ = geography.wards
    for n in range(10):
        involve(world.council, f"A{n}", ward_a)
        involve(world.nhs, f"A{n}", None)  # the NHS record has no address: the council's does
    for n in range(20):
        involve(world.council, f"B{n}", ward_b)
        involve(world.police, f"B{n}", ward_b)
    involve(world.council, "single", ward_a)
    # Ended before the period: not served at the same time as anything in it.
    involve(world.nhs, "old", ward_a, started=date(2023, 1, 1), ended=date(2024, 1, 1))
    involve(world.council, "old", ward_a)
    manager = UserFactory(role=Role.MANAGER)
    table = multi_agency_by_area(user=manager, parent=geography.district, **PERIOD)
    rows = {area.code: (cells, total) for area, cells, total in table.rows}
    assert rows["E05000001"] == ([10, 0, 0], 10)
    assert rows["E05000002"] == ([20, 0, 0], 20)
    assert rows["E05000003"] == ([0, 0, 0], 0)
    assert table.total == 30
    event = AuditEvent.objects.get(verb="wholeplace.multi_agency.read")
    assert event.actor == manager


def test_small_counts_are_hidden_and_lsoa_homes_fit_their_ward(world, geography):
    ward_a = geography.wards[0]
    for n in range(12):
        involve(world.council, f"A{n}", ward_a)
        involve(world.nhs, f"A{n}", ward_a)
    for n in range(3):  # three households served by three agencies, living in the LSOA
        involve(world.council, f"L{n}", geography.lsoa)
        involve(world.nhs, f"L{n}", geography.lsoa)
        involve(world.police, f"L{n}", geography.lsoa)
    table = multi_agency_by_area(
        user=UserFactory(role=Role.ANALYST), parent=geography.district, **PERIOD
    )
    cells = {area.code: (c, total) for area, c, total in table.rows}
    # The LSOA lies half in ward A and half in ward B; ties go to the first best fit.
    lsoa_ward = next(code for code, (c, _) in cells.items() if c[1] != 0)
    assert cells[lsoa_ward][0][1] == SUPPRESSED
    shown = [v for c, t in cells.values() for v in [*c, t]] + [*table.column_totals, table.total]
    assert 3 not in shown and 12 not in shown and 15 not in [v for v in shown[:3]]
    assert all(v == SUPPRESSED or v % 5 == 0 for v in shown)


@pytest.mark.parametrize(
    "role", [Role.PARTNER_VIEWER, Role.COUNCILLOR, Role.COORDINATOR, Role.VOLUNTEER]
)
def test_only_permitted_roles_see_multi_agency_counts(world, geography, role):
    with pytest.raises(MultiAgencyForbidden):
        multi_agency_by_area(user=UserFactory(role=role), parent=geography.district, **PERIOD)
    assert not AuditEvent.objects.filter(verb="wholeplace.multi_agency.read").exists()


INVOLVEMENT_CSV = """identifier,subject_kind,started_on,ended_on,area_code,consent
1000 2000 3000,household,2025-05-01,,E05000001,Consent ref 77
1000 2000 3001,household,2025-05-01,2025-09-30,E05000002,Consent ref 78
"""


def test_involvement_import_pseudonymises_and_is_idempotent(world, geography):
    result = services.involvement_import_csv(agency=world.nhs, text=INVOLVEMENT_CSV)
    assert (result.added, result.skipped) == (2, 0)
    again = services.involvement_import_csv(agency=world.nhs, text=INVOLVEMENT_CSV)
    assert (again.added, again.skipped) == (0, 2)
    assert not Involvement.objects.filter(subject_key__contains="2000").exists()
    assert set(Involvement.objects.values_list("source", flat=True)) == {"import"}


def test_involvement_import_rejects_bad_rows_without_echoing_identifiers(world, geography):
    text = """identifier,subject_kind,started_on,consent
1000 2000 3000,household,2025-05-01,Consent ref 77
9999 8888 7777,family,2025-05-01,
 ,person,yesterday,Consent ref 80
"""
    with pytest.raises(InvolvementFileRejected) as error:
        services.involvement_import_csv(agency=world.nhs, text=text)
    problems = {p["line"]: " | ".join(p["reasons"]) for p in error.value.details["problems"]}
    assert sorted(problems) == [3, 4]
    assert "subject_kind" in problems[3] and "consent is blank" in problems[3]
    assert "identifier is blank" in problems[4] and "not a date" in problems[4]
    assert "9999" not in str(error.value.details)
    assert not Involvement.objects.exists()


def test_agencies_must_be_involved_at_the_same_time(world, geography):
    ward_a = geography.wards[0]
    for n in range(10):
        # One after the other: never two at once.
        involve(world.council, f"S{n}", ward_a, started=date(2025, 5, 1), ended=date(2025, 6, 30))
        involve(world.police, f"S{n}", ward_a, started=date(2025, 7, 1), ended=date(2025, 8, 1))
    for n in range(10):
        # Overlapping by one day, then a third agency later on its own.
        involve(world.council, f"O{n}", ward_a, started=date(2025, 5, 1), ended=date(2025, 6, 30))
        involve(world.police, f"O{n}", ward_a, started=date(2025, 6, 30))
        involve(world.nhs, f"O{n}", ward_a, started=date(2025, 1, 1), ended=date(2025, 4, 30))
    table = multi_agency_by_area(
        user=UserFactory(role=Role.MANAGER), parent=geography.district, **PERIOD
    )
    rows = {area.code: (cells, total) for area, cells, total in table.rows}
    assert rows["E05000001"] == ([10, 0, 0], 10)


def test_households_with_no_known_home_are_counted_apart(world, geography):
    for n in range(9):  # nine households, two agencies each, no area from either
        involve(world.council, f"N{n}", None)
        involve(world.nhs, f"N{n}", None)
    for n in range(3):
        involve(world.council, f"M{n}", None)
        involve(world.police, f"M{n}", None)
    involve(world.nhs, "alone", None)  # one agency only: not multi-agency
    table = multi_agency_by_area(
        user=UserFactory(role=Role.MANAGER), parent=geography.district, **PERIOD
    )
    assert table.total == 0
    assert table.unplaced == 10  # 12 rounded to the nearest 5
    for n in range(5):
        services.involvement_record(
            agency=world.council,
            subject_kind=SubjectKind.HOUSEHOLD,
            identifier=f"N{n}",
            area=geography.wards[0],
            started_on=date(2025, 6, 1),
            lawful_basis="Consent form v2",
        )
    table = multi_agency_by_area(
        user=UserFactory(role=Role.MANAGER), parent=geography.district, **PERIOD
    )
    assert table.unplaced == SUPPRESSED  # 7 left without a home: small, so hidden
