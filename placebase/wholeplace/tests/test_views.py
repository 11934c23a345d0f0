"""The whole-place pages: who may open them, and that each journey works without
JavaScript (plain GET and POST)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from placebase.accounts.roles import Role
from placebase.factories import UserFactory
from placebase.testing.auth import sign_in_client
from placebase.wholeplace import services
from placebase.wholeplace.models import EntryKind, LedgerEntry, RegisterEntry, SpendLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):  # type: ignore[no-untyped-def]
    def make(role: str):  # type: ignore[no-untyped-def]
        user = UserFactory(role=role)
        sign_in_client(client, user)
        return client

    return make


@pytest.fixture
def demo(geography):  # type: ignore[no-untyped-def]
    services.demo_wholeplace_load(seed=3)


@pytest.fixture
def small(world, fund):  # type: ignore[no-untyped-def]
    """Lighter than the demo: a fund with one contribution and a few spend lines."""
    from .test_spend import SPEND_CSV

    services.ledger_entry_record(
        fund=fund,
        kind=EntryKind.CONTRIBUTION,
        agency=world.council,
        amount=Decimal("1000"),
        occurred_on=date(2025, 5, 1),
    )
    services.spend_import_csv(text=SPEND_CSV)


READ_PAGES = ["index", "agencies", "themes", "funds", "spend", "who_pays", "consistency"]
MANAGE_PAGES = ["agency_new", "theme_new", "fund_new", "spend_import", "register_new"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.ANALYST, Role.PARTNER_VIEWER])
def test_permitted_roles_see_every_page(small, signed_in, role):
    client = signed_in(role)
    for name in READ_PAGES:
        response = client.get(reverse(f"wholeplace:{name}"))
        assert response.status_code == 200, name
        assert response["Cache-Control"] == "no-store"
    fund = services.PooledFund.objects.get()
    assert client.get(reverse("wholeplace:fund_detail", args=[fund.pk])).status_code == 200


@pytest.mark.parametrize(
    "role",
    [
        Role.COORDINATOR,
        Role.CONNECTOR,
        Role.COUNCILLOR,
        Role.VOLUNTEER,
        Role.PROVIDER_EDITOR,
    ],
)
def test_other_roles_are_refused(signed_in, role):
    client = signed_in(role)
    for name in READ_PAGES + MANAGE_PAGES + ["involvement", "involvement_import"]:
        assert client.get(reverse(f"wholeplace:{name}")).status_code == 403, name
        assert client.post(reverse(f"wholeplace:{name}")).status_code == 403, name


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.ANALYST])
def test_managing_roles_open_every_form(small, signed_in, role):
    client = signed_in(role)
    for name in MANAGE_PAGES + ["involvement", "involvement_import"]:
        assert client.get(reverse(f"wholeplace:{name}")).status_code == 200, name


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("wholeplace:index"))
    assert response.status_code == 302 and "/account/" in response["Location"]


def test_partner_viewers_cannot_see_multi_agency_counts_or_change_anything(small, signed_in):
    client = signed_in(Role.PARTNER_VIEWER)
    fund = services.PooledFund.objects.get()
    assert client.get(reverse("wholeplace:involvement")).status_code == 403
    assert b"Multi-agency involvement" not in client.get(reverse("wholeplace:index")).content
    assert client.get(reverse("wholeplace:entry_new", args=[fund.pk])).status_code == 403
    assert client.post(reverse("wholeplace:spend_import")).status_code == 403
    for name in MANAGE_PAGES + ["involvement_import"]:
        assert client.get(reverse(f"wholeplace:{name}")).status_code == 403, name


def test_demo_pages_render_and_multi_agency_counts_are_disclosed(demo, signed_in):
    client = signed_in(Role.ANALYST)
    for name in READ_PAGES:
        assert client.get(reverse(f"wholeplace:{name}")).status_code == 200, name
    response = client.get(
        reverse("wholeplace:involvement"),
        {"period_start": "2025-04-01", "period_end": "2026-03-31"},
    )
    assert response.status_code == 200
    table = response.context["table"]
    shown = [v for _, cells, total in table.rows for v in [*cells, total]]
    assert shown and all(v == "*" or v % 5 == 0 for v in shown)


def test_period_filters_are_validated(small, signed_in):
    client = signed_in(Role.MANAGER)
    response = client.get(
        reverse("wholeplace:who_pays"), {"period_start": "2026-01-01", "period_end": "2025-01-01"}
    )
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert response.context["report"] is None
    response = client.get(reverse("wholeplace:who_pays"), {"period_start": "31/12/2025"})
    assert b"Enter a real date" in response.content


def test_ledger_entry_and_reversal_journey(small, signed_in):
    client = signed_in(Role.MANAGER)
    fund = services.PooledFund.objects.get()
    before = LedgerEntry.objects.count()
    url = reverse("wholeplace:entry_new", args=[fund.pk])
    agency = services.Agency.objects.get(code="swl-icb")
    bad = client.post(
        url, {"kind": "spend", "agency": agency.pk, "amount": "12", "occurred_on": "2025-06-01"}
    )
    assert bad.status_code == 200 and b"need a theme" in bad.content
    assert LedgerEntry.objects.count() == before
    response = client.post(
        url,
        {
            "kind": EntryKind.CONTRIBUTION,
            "agency": agency.pk,
            "amount": "1234.50",
            "occurred_on": "2025-06-01",
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.order_by("-sequence").first()
    assert entry.amount == Decimal("1234.50")
    reverse_url = reverse("wholeplace:entry_reverse", args=[fund.pk, entry.pk])
    assert client.get(reverse_url).status_code == 200
    assert b"Enter why" in client.post(reverse_url, {"reason": ""}).content
    assert client.post(reverse_url, {"reason": "Wrong agency"}).status_code == 302
    assert LedgerEntry.objects.filter(reverses=entry, amount=Decimal("-1234.50")).exists()
    again = client.post(reverse_url, {"reason": "Twice"})
    assert b"already been reversed" in again.content


def test_spend_import_page_lists_bad_rows(small, signed_in):
    client = signed_in(Role.ANALYST)
    before = SpendLine.objects.count()
    text = (
        "agency,area_code,theme,period_start,period_end,amount\n"
        "nobody,E05000001,housing,2025-04-01,2025-06-30,10\n"
    )
    upload = SimpleUploadedFile("spend.csv", text.encode(), content_type="text/csv")
    response = client.post(reverse("wholeplace:spend_import"), {"file": upload})
    assert response.status_code == 200
    assert b"Rows with problems" in response.content
    assert b"&#x27;nobody&#x27; is not a known agency" in response.content
    assert SpendLine.objects.count() == before
    good = text.replace("nobody", "sutton-council")
    upload = SimpleUploadedFile("spend.csv", good.encode(), content_type="text/csv")
    response = client.post(reverse("wholeplace:spend_import"), {"file": upload})
    assert b"1 row added" in response.content
    assert SpendLine.objects.count() == before + 1


def test_spend_page_drills_down_to_a_ward(demo, signed_in, geography):
    client = signed_in(Role.ANALYST)
    response = client.get(
        reverse("wholeplace:spend"), {"area": geography.district.pk, "year": "2025"}
    )
    assert response.status_code == 200
    assert [r.area.code for r in response.context["table"].rows] == [
        "E05000001",
        "E05000002",
        "E05000003",
    ]
    assert b"<svg" in response.content and b"style=" not in response.content
    ward = client.get(
        reverse("wholeplace:spend_area", args=[geography.wards[0].pk]), {"year": "2025"}
    )
    assert ward.status_code == 200 and b"By agency" in ward.content
    assert (
        client.get(
            reverse("wholeplace:spend_area", args=["00000000-0000-0000-0000-000000000000"])
        ).status_code
        == 404
    )


def test_who_pays_page_shows_table_and_chart(demo, signed_in):
    client = signed_in(Role.PARTNER_VIEWER)
    response = client.get(
        reverse("wholeplace:who_pays"), {"period_start": "2025-04-01", "period_end": "2026-03-31"}
    )
    assert response.status_code == 200
    assert b"<rect" in response.content and b"Costs avoided" in response.content
    assert response.context["report"].contributed.amount == Decimal("1340000")


def test_register_journey(small, signed_in, geography):
    client = signed_in(Role.MANAGER)
    agency = services.Agency.objects.get(code="sutton-housing")
    bad = client.post(
        reverse("wholeplace:register_new"),
        {
            "agency": agency.pk,
            "service_name": "Tenancy support",
            "approach": "abcd",
            "staff_total": "3",
            "staff_trained": "9",
        },
    )
    assert b"cannot be more than staff" in bad.content
    assert not RegisterEntry.objects.filter(agency=agency).exists()
    ok = client.post(
        reverse("wholeplace:register_new"),
        {
            "agency": agency.pk,
            "service_name": "Tenancy support",
            "approach": "abcd",
            "staff_total": "9",
            "staff_trained": "3",
            "areas": [str(geography.wards[1].pk)],
        },
    )
    assert ok.status_code == 302
    entry = RegisterEntry.objects.get(agency=agency)
    assert list(entry.areas.all()) == [geography.wards[1]]
    assert b"Ward C" in client.get(reverse("wholeplace:register_new")).content


def test_fund_import_page(small, signed_in):
    client = signed_in(Role.ADMIN)
    fund = services.PooledFund.objects.get()
    text = "date,kind,agency,amount\n2025-07-01,contribution,met,500\n"
    url = reverse("wholeplace:fund_import", args=[fund.pk])
    for expected in (b"1 row added", b"0 rows added, 1 already imported"):
        upload = SimpleUploadedFile("l.csv", text.encode(), content_type="text/csv")
        assert expected in client.post(url, {"file": upload}).content
    assert LedgerEntry.objects.filter(fund=fund, occurred_on=date(2025, 7, 1)).count() == 1
