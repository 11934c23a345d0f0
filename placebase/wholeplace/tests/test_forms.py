"""Staff forms: add an agency and set its footprint, add a theme, set up a pooled fund, and
import an agency's involvement. Each works with plain GET and POST (no JavaScript), shows
GOV.UK errors, writes nothing when the input is bad, and is refused to other roles."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from placebase.accounts.models import Organisation, OrganisationKind
from placebase.accounts.roles import Role
from placebase.core.models import AuditEvent
from placebase.factories import OrganisationFactory, UserFactory
from placebase.places.models import BoundarySet, Level
from placebase.testing.auth import sign_in_client
from placebase.wholeplace import selectors, services
from placebase.wholeplace.errors import AgencyInvalid, ThemeInvalid
from placebase.wholeplace.models import (
    Agency,
    AgencySector,
    Footprint,
    Involvement,
    PooledFund,
    Theme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_role(client):  # type: ignore[no-untyped-def]
    def make(role: str):  # type: ignore[no-untyped-def]
        user = UserFactory(role=role)
        sign_in_client(client, user)
        client.user = user
        return client

    return make


def footprint_codes(agency: Agency) -> set[str]:
    return set(Footprint.objects.filter(agency=agency).values_list("area__code", flat=True))


# ------------------------------------------------------------------------------- agencies


def test_add_an_agency_with_a_new_organisation(world, as_role):
    client = as_role(Role.ANALYST)
    assert client.get(reverse("wholeplace:agency_new")).status_code == 200
    council = world.council.organisation
    response = client.post(
        reverse("wholeplace:agency_new"),
        {
            "organisation_name": "Sutton Council Libraries",
            "parent": council.pk,
            "sector": AgencySector.COUNCIL_DEPARTMENT,
            "cost_bearer": "council",
            "code": "",
        },
    )
    agency = Agency.objects.get(code="sutton-council-libraries")
    assert response.status_code == 302
    assert response["Location"] == reverse("wholeplace:agency_footprint", args=[agency.pk])
    assert agency.organisation.kind == OrganisationKind.COUNCIL
    assert agency.organisation.parent == council
    assert not agency.is_lead_council
    event = AuditEvent.objects.get(verb="wholeplace.agency.create", target_id=str(agency.pk))
    assert event.actor == client.user
    assert AuditEvent.objects.filter(
        verb="wholeplace.organisation.create", target_id=str(agency.organisation.pk)
    ).exists()


def test_add_an_agency_for_an_organisation_already_known(world, as_role):
    client = as_role(Role.MANAGER)
    foodbank = OrganisationFactory(name="Sutton Foodbank", kind=OrganisationKind.VCS)
    page = client.get(reverse("wholeplace:agency_new"))
    choices = [str(o) for o in page.context["form"].fields["organisation"].queryset]
    # Organisations that are agencies already are not offered again.
    assert "Sutton Foodbank" in choices and "Sutton Council" not in choices
    response = client.post(
        reverse("wholeplace:agency_new"),
        {
            "organisation": foodbank.pk,
            "sector": AgencySector.VCS,
            "cost_bearer": "other",
            "code": "foodbank",
        },
    )
    assert response.status_code == 302
    assert Agency.objects.get(code="foodbank").organisation == foodbank


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sector": "vcs", "cost_bearer": "other"}, b"Choose an organisation or enter"),
        (
            {"organisation_name": "New", "sector": "vcs", "cost_bearer": "other", "code": "B d"},
            b"Use lower-case letters",
        ),
        (
            {
                "organisation_name": "New",
                "sector": "police",
                "cost_bearer": "police",
                "code": "met",
            },
            b"is already used",
        ),
        (
            {"organisation_name": "Met Police", "sector": "police", "cost_bearer": "police"},
            b"There is already an organisation called Met Police",
        ),
        (
            {
                "organisation_name": "Kingston Council",
                "sector": "council",
                "cost_bearer": "council",
                "is_lead_council": "on",
            },
            b"Sutton Council is already the lead council",
        ),
        ({"organisation_name": "New", "cost_bearer": "other"}, b"Select the type of agency"),
    ],
)
def test_bad_agencies_are_refused_and_nothing_is_written(world, as_role, data, message):
    client = as_role(Role.MANAGER)
    agencies, organisations = Agency.objects.count(), Organisation.objects.count()
    response = client.post(reverse("wholeplace:agency_new"), data)
    assert response.status_code == 200
    assert b"There is a problem" in response.content and message in response.content
    assert response.context["form"].errors
    assert (Agency.objects.count(), Organisation.objects.count()) == (agencies, organisations)


def test_both_an_organisation_and_a_new_name_is_ambiguous(world, as_role):
    client = as_role(Role.MANAGER)
    foodbank = OrganisationFactory(name="Sutton Foodbank")
    response = client.post(
        reverse("wholeplace:agency_new"),
        {"organisation": foodbank.pk, "organisation_name": "Other", "sector": "vcs"},
    )
    assert b"not both" in response.content
    assert not Agency.objects.filter(organisation=foodbank).exists()
    response = client.post(
        reverse("wholeplace:agency_new"),
        {
            "organisation": foodbank.pk,
            "parent": world.council.organisation.pk,
            "sector": "vcs",
            "cost_bearer": "other",
        },
    )
    assert b"Only a new organisation can be given the body it is part of" in response.content
    assert not Agency.objects.filter(organisation=foodbank).exists()
    foodbank.refresh_from_db()
    assert foodbank.parent is None


def test_only_a_council_can_lead(world):
    Agency.objects.filter(is_lead_council=True).update(is_lead_council=False)
    with pytest.raises(AgencyInvalid, match="Only a council"):
        services.agency_create(
            organisation_name="Sutton PCN",
            code="pcn",
            sector=AgencySector.PCN,
            cost_bearer="nhs",
            is_lead_council=True,
        )
    assert not Organisation.objects.filter(name="Sutton PCN").exists()


# ----------------------------------------------------------------------------- footprints


def test_footprint_page_shows_current_areas_ticked(world, geography, as_role):
    client = as_role(Role.MANAGER)
    response = client.get(reverse("wholeplace:agency_footprint", args=[world.police.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Sutton (E09000029, Local authority district 2024)" in content
    assert content.count(" checked") == 2  # the two districts of the police footprint


def test_set_a_footprint_by_codes_keeping_some_areas(world, geography, as_role):
    client = as_role(Role.MANAGER)
    wards = BoundarySet.objects.get(level=Level.WARD)
    url = reverse("wholeplace:agency_footprint", args=[world.police.pk])
    response = client.post(
        url,
        {
            "keep": [str(geography.other_district.pk)],  # Sutton unticked
            "boundary_set": str(wards.pk),
            "codes": "e05000001, E05000002\nE05000002",
            "action": "save",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("wholeplace:agencies")
    assert footprint_codes(world.police) == {"E09000021", "E05000001", "E05000002"}
    event = AuditEvent.objects.filter(verb="wholeplace.footprint.set").latest("id")
    assert event.actor == client.user
    assert (event.payload["added"], event.payload["removed"]) == (2, 1)
    # Kingston plus two of Sutton's three wards: two thirds of the council's area.
    row = next(r for r in selectors.footprint_report().rows if r.agency == world.police)
    assert row.lead_inside == pytest.approx(2 / 3)
    assert row.description == "Overlaps the council's area in part"


def test_unknown_codes_or_codes_without_a_set_change_nothing(world, geography, as_role):
    client = as_role(Role.MANAGER)
    wards = BoundarySet.objects.get(level=Level.WARD)
    url = reverse("wholeplace:agency_footprint", args=[world.nhs.pk])
    before = footprint_codes(world.nhs)
    response = client.post(
        url, {"boundary_set": str(wards.pk), "codes": "E05000001 E05999999", "action": "save"}
    )
    assert response.status_code == 200
    assert b"These are not areas of ward 2024: E05999999" in response.content
    assert b"There is a problem" in response.content
    response = client.post(url, {"codes": "E05000001", "action": "save"})
    assert b"Choose the set of boundaries the codes belong to" in response.content
    assert footprint_codes(world.nhs) == before
    assert not AuditEvent.objects.filter(
        verb="wholeplace.footprint.set", target_id=str(world.nhs.pk), actor__isnull=False
    ).exists()


def test_show_the_areas_of_a_set_then_tick_them(world, geography, as_role):
    client = as_role(Role.ANALYST)
    wards = BoundarySet.objects.get(level=Level.WARD)
    url = reverse("wholeplace:agency_footprint", args=[world.housing_dept.pk])
    shown = client.post(url, {"boundary_set": str(wards.pk), "codes": "", "action": "show"})
    assert shown.status_code == 200 and not shown.context["form"].errors
    assert b"Areas of ward 2024 to add" in shown.content
    assert b"Ward C (E05000003)" in shown.content
    assert not Footprint.objects.filter(agency=world.housing_dept).exists()  # nothing saved
    # The same by following a link, as a bookmarkable GET.
    assert b"Ward C (E05000003)" in client.get(url, {"set": str(wards.pk)}).content
    saved = client.post(
        url,
        {
            "boundary_set": str(wards.pk),
            "areas": [str(geography.wards[0].pk), str(geography.wards[2].pk)],
            "action": "save",
        },
    )
    assert saved.status_code == 302
    assert footprint_codes(world.housing_dept) == {"E05000001", "E05000003"}


def test_sets_with_many_areas_are_chosen_from_by_code(world, geography, as_role, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_AREAS_TO_TICK", 2)
    client = as_role(Role.MANAGER)
    wards = BoundarySet.objects.get(level=Level.WARD)
    url = reverse("wholeplace:agency_footprint", args=[world.nhs.pk])
    response = client.get(url, {"set": str(wards.pk)})
    assert b"has more than 2 areas" in response.content
    assert b"Ward C (E05000003)" not in response.content


def test_saving_the_same_footprint_again_logs_nothing(world, geography, as_role):
    client = as_role(Role.MANAGER)
    url = reverse("wholeplace:agency_footprint", args=[world.council.pk])
    count = AuditEvent.objects.filter(verb="wholeplace.footprint.set").count()
    response = client.post(url, {"keep": [str(geography.district.pk)], "action": "save"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(verb="wholeplace.footprint.set").count() == count
    # Unticking everything leaves the agency with no footprint recorded.
    assert client.post(url, {"action": "save"}).status_code == 302
    assert footprint_codes(world.council) == set()


def test_footprint_pages_are_refused_or_not_found(world, as_role):
    url = reverse("wholeplace:agency_footprint", args=[world.nhs.pk])
    partner = as_role(Role.PARTNER_VIEWER)
    assert partner.get(url).status_code == 403
    assert partner.post(url, {"action": "save"}).status_code == 403
    assert partner.get(reverse("wholeplace:agency_new")).status_code == 403
    assert footprint_codes(world.nhs) == {"E54000030"}
    manager = as_role(Role.MANAGER)
    missing = reverse("wholeplace:agency_footprint", args=["00000000-0000-0000-0000-000000000000"])
    assert manager.get(missing).status_code == 404


def test_agencies_page_has_a_map_and_table_of_non_coterminous_footprints(world, as_role):
    client = as_role(Role.PARTNER_VIEWER)
    response = client.get(reverse("wholeplace:agencies"))
    content = response.content.decode()
    report = response.context["report"]
    assert {r.agency.code: r.coterminous for r in report.rows} == {
        "sutton-council": True,
        "swl-icb": False,
        "met": False,
        "sutton-housing": None,
    }
    # One path per area in a footprint; the council's drawn as the lead.
    assert content.count("<path ") == 4
    assert 'class="pb-wp-lead"' in content
    assert "Covers the council&#x27;s area and more" in content
    pairs = {frozenset((a.code, b.code)) for a, b, _, _ in report.pairs}
    assert frozenset(("sutton-council", "swl-icb")) in pairs
    # Partners may look but not change.
    assert "Add an agency" not in content and "/footprint/" not in content
    manager = as_role(Role.MANAGER).get(reverse("wholeplace:agencies")).content.decode()
    assert "Add an agency" in manager and manager.count("/footprint/") == 4


# --------------------------------------------------------------------------------- themes


def test_add_a_theme(world, as_role):
    client = as_role(Role.MANAGER)
    response = client.post(reverse("wholeplace:theme_new"), {"name": "Ageing well", "code": ""})
    assert response.status_code == 302
    theme = Theme.objects.get(code="ageing-well")
    assert theme.name == "Ageing well"
    assert AuditEvent.objects.get(verb="wholeplace.theme.create", target_id=str(theme.pk)).actor
    page = client.get(reverse("wholeplace:themes")).content
    assert b"Ageing well" in page and b"ageing-well" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Homes", "code": "housing"}, b"already used, by Housing"),
        ({"name": "HOUSING", "code": "homes"}, b"There is already a theme called Housing"),
        ({"name": "Homes", "code": "Homes!"}, b"Use lower-case letters"),
        ({"name": "", "code": "homes"}, b"Enter the theme"),
    ],
)
def test_bad_themes_are_refused(world, as_role, data, message):
    client = as_role(Role.ANALYST)
    count = Theme.objects.count()
    response = client.post(reverse("wholeplace:theme_new"), data)
    assert response.status_code == 200 and message in response.content
    assert Theme.objects.count() == count


def test_theme_create_is_idempotent_for_loaders_but_not_forms(world):
    assert services.theme_create(code="housing", name="Housing") == world.themes["housing"]
    with pytest.raises(ThemeInvalid):
        services.theme_create(code="housing", name="Housing", must_be_new=True)
    with pytest.raises(ThemeInvalid):
        services.theme_create(code="", name="Nameless")


def test_theme_pages_need_permission(world, as_role):
    partner = as_role(Role.PARTNER_VIEWER)
    assert partner.get(reverse("wholeplace:themes")).status_code == 200
    assert b"Add a theme" not in partner.get(reverse("wholeplace:themes")).content
    assert partner.post(reverse("wholeplace:theme_new"), {"name": "X"}).status_code == 403
    assert as_role(Role.COORDINATOR).get(reverse("wholeplace:themes")).status_code == 403
    assert not Theme.objects.filter(name="X").exists()


# ---------------------------------------------------------------------------------- funds


def test_set_up_a_pooled_fund(world, geography, as_role):
    client = as_role(Role.MANAGER)
    page = client.get(reverse("wholeplace:fund_new"))
    assert page.status_code == 200
    offered = {a.code for a in page.context["form"].fields["places"].queryset}
    assert offered == {"E09000029", "E05000001", "E05000002", "E05000003"}
    response = client.post(
        reverse("wholeplace:fund_new"),
        {
            "name": "Ward A Prevention Fund",
            "description": "Pooled for prevention in ward A",
            "price_year": "2025",
            "starts_on": "2025-04-01",
            "ends_on": "2027-03-31",
            "places": [str(geography.wards[0].pk)],
            "themes": [str(world.themes["housing"].pk), str(world.themes["health"].pk)],
        },
    )
    fund = PooledFund.objects.get(name="Ward A Prevention Fund")
    assert response.status_code == 302
    assert response["Location"] == reverse("wholeplace:fund_detail", args=[fund.pk])
    assert (fund.price_year, fund.starts_on, fund.ends_on) == (
        2025,
        date(2025, 4, 1),
        date(2027, 3, 31),
    )
    assert list(fund.places.all()) == [geography.wards[0]]
    assert {t.code for t in fund.themes.all()} == {"housing", "health"}
    assert fund.created_by == client.user
    assert AuditEvent.objects.filter(verb="wholeplace.fund.create", target_id=str(fund.pk))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"name": "F", "price_year": "2025", "starts_on": "2025-04-01", "ends_on": "2025-01-01"},
            b"The end date must be on or after the start date",
        ),
        ({"name": "F", "price_year": "25", "starts_on": "2025-04-01"}, b"like 2025"),
        ({"name": "F", "price_year": "2025", "starts_on": "1/4/2025"}, b"Enter a real date"),
        ({"price_year": "2025", "starts_on": "2025-04-01"}, b"Enter the fund"),
        (
            {"name": "Sutton Better Lives Fund", "price_year": "2025", "starts_on": "2025-04-01"},
            b"There is already a fund called",
        ),
    ],
)
def test_bad_funds_are_refused(fund, as_role, data, message):
    client = as_role(Role.ANALYST)
    response = client.post(reverse("wholeplace:fund_new"), data)
    assert response.status_code == 200 and message in response.content
    assert b"There is a problem" in response.content
    assert PooledFund.objects.count() == 1


def test_fund_form_needs_permission(world, as_role):
    partner = as_role(Role.PARTNER_VIEWER)
    assert partner.get(reverse("wholeplace:fund_new")).status_code == 403
    assert b"Set up a pooled fund" not in partner.get(reverse("wholeplace:funds")).content
    manager = as_role(Role.MANAGER)
    assert b"Set up a pooled fund" in manager.get(reverse("wholeplace:funds")).content


# -------------------------------------------------------------------------- involvement


INVOLVEMENT_CSV = """identifier,subject_kind,started_on,ended_on,area_code,consent
1000 2000 3000,household,2025-05-01,,E05000001,DSA-2025-4
1000 2000 3001,household,2025-05-01,2025-09-30,E05000002,DSA-2025-4
"""


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("involvement.csv", text.encode(), content_type="text/csv")


def test_import_involvement_for_an_agency(world, geography, as_role):
    client = as_role(Role.ANALYST)
    page = client.get(reverse("wholeplace:involvement"))
    assert b"Import an agency" in page.content
    url = reverse("wholeplace:involvement_import")
    response = client.post(url, {"agency": world.nhs.pk, "file": upload(INVOLVEMENT_CSV)})
    assert b"2 rows added, 0 already imported" in response.content
    assert set(Involvement.objects.values_list("agency__code", flat=True)) == {"swl-icb"}
    response = client.post(url, {"agency": world.nhs.pk, "file": upload(INVOLVEMENT_CSV)})
    assert b"0 rows added, 2 already imported" in response.content
    event = AuditEvent.objects.get(verb="wholeplace.involvement.import")
    assert event.actor == client.user and event.personal_data


def test_involvement_import_lists_bad_rows_and_writes_nothing(world, geography, as_role):
    client = as_role(Role.MANAGER)
    text = INVOLVEMENT_CSV + "4242 5353 6464,family,2025-13-01,,E05999999,\n"
    response = client.post(
        reverse("wholeplace:involvement_import"), {"agency": world.nhs.pk, "file": upload(text)}
    )
    content = response.content.decode()
    assert response.status_code == 200 and "Rows with problems" in content
    problems = response.context["problems"]
    assert [p["line"] for p in problems] == [4]
    reasons = " | ".join(problems[0]["reasons"])
    for expected in ("subject_kind", "not a date", "not a known area", "consent is blank"):
        assert expected in reasons
    assert "4242" not in content and "5353" not in content
    assert not Involvement.objects.exists()


def test_involvement_import_needs_an_agency_and_a_csv(world, as_role):
    client = as_role(Role.MANAGER)
    url = reverse("wholeplace:involvement_import")
    response = client.post(url, {"file": upload(INVOLVEMENT_CSV)})
    assert b"Select the agency whose records these are" in response.content
    response = client.post(url, {"agency": world.nhs.pk})
    assert b"Choose a CSV file to import" in response.content
    bad = SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad", content_type="text/csv")
    response = client.post(url, {"agency": world.nhs.pk, "file": bad})
    assert b"saved as UTF-8" in response.content
    response = client.post(url, {"agency": world.nhs.pk, "file": upload("who,what\n1,2\n")})
    assert b"lacks the column" in response.content
    assert not Involvement.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.PARTNER_VIEWER, Role.COUNCILLOR, Role.COORDINATOR, Role.VOLUNTEER]
)
def test_involvement_import_is_refused_to_other_roles(world, as_role, role):
    client = as_role(role)
    url = reverse("wholeplace:involvement_import")
    assert client.get(url).status_code == 403
    response = client.post(url, {"agency": world.nhs.pk, "file": upload(INVOLVEMENT_CSV)})
    assert response.status_code == 403
    assert not Involvement.objects.exists()


def test_ledger_entry_dates_are_checked_with_a_clear_message(fund, world, as_role):
    client = as_role(Role.MANAGER)
    response = client.post(
        reverse("wholeplace:entry_new", args=[fund.pk]),
        {"kind": "contribution", "agency": world.nhs.pk, "amount": "10", "occurred_on": "1/6/25"},
    )
    assert b"Enter a real date in the format year-month-day" in response.content
    assert not fund.entries.exists()


# ------------------------------------------------------------------------------ register


def test_change_a_register_entry_with_optimistic_locking(world, geography, as_role):
    from placebase.wholeplace.models import Approach, RegisterEntry

    entry = services.register_entry_save(
        agency=world.housing_dept,
        service_name="Tenancy sustainment",
        approach=Approach.WHOLE_PLACE,
        themes=[world.themes["housing"]],
        areas=[geography.wards[0]],
        staff_total=10,
        staff_trained=2,
        notes="Set up in 2024",
    )
    services.register_entry_save(
        agency=world.council, service_name="Libraries", approach=Approach.ABCD
    )
    client = as_role(Role.MANAGER)
    url = reverse("wholeplace:register_edit", args=[entry.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["version"].value() == 1
    assert str(world.themes["housing"].pk) in [
        str(v) for v in page.context["form"]["themes"].value()
    ]
    data = {
        "agency": world.housing_dept.pk,
        "service_name": "Tenancy sustainment",
        "approach": Approach.WHOLE_PLACE,
        "themes": [str(world.themes["housing"].pk), str(world.themes["health"].pk)],
        "areas": [str(geography.wards[0].pk), str(geography.wards[1].pk)],
        "staff_total": "10",
        "staff_trained": "8",
        "version": "1",
    }
    assert client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert (entry.version, entry.staff_trained, entry.notes) == (2, 8, "Set up in 2024")
    assert entry.areas.count() == 2 and entry.updated_by == client.user
    # Someone who opened version 1 and saves now is told, and changes nothing.
    stale = client.post(url, {**data, "staff_trained": "1"})
    assert b"Someone else changed this entry" in stale.content
    # Renaming it to another entry's name is refused too.
    clash = client.post(
        url,
        {**data, "agency": world.council.pk, "service_name": "Libraries", "approach": "abcd"},
    )
    assert b"already in the register" in clash.content
    entry.refresh_from_db()
    assert (entry.version, entry.staff_trained, entry.agency) == (2, 8, world.housing_dept)
    assert RegisterEntry.objects.count() == 2
    consistency = client.get(reverse("wholeplace:consistency")).content.decode()
    assert url in consistency


def test_register_edit_is_refused_or_not_found(world, as_role):
    from placebase.wholeplace.models import Approach

    entry = services.register_entry_save(
        agency=world.council, service_name="Libraries", approach=Approach.ABCD
    )
    url = reverse("wholeplace:register_edit", args=[entry.pk])
    partner = as_role(Role.PARTNER_VIEWER)
    assert partner.get(url).status_code == 403
    assert partner.post(url, {"service_name": "X"}).status_code == 403
    assert url not in partner.get(reverse("wholeplace:consistency")).content.decode()
    manager = as_role(Role.MANAGER)
    missing = reverse("wholeplace:register_edit", args=["00000000-0000-0000-0000-000000000000"])
    assert manager.get(missing).status_code == 404
