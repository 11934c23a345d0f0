"""Reads: breadth for a scope against a small case worked by hand, population weighting,
reach, maps, and disclosure control (including secondary suppression) on the ward view."""

import datetime

import pytest

from placebase.core.disclosure import SUPPRESSED
from placebase.core.errors import PermissionDenied
from placebase.engagement import selectors, services
from placebase.engagement.errors import PeriodInvalid
from placebase.engagement.models import CouncillorWard, Participant, Participation

D = datetime.date


@pytest.fixture
def world(place, connector):
    """Four participants, four activities (one before the period, one in the other ward)."""

    def act(ward, day, title):
        return services.activity_create(
            actor=connector, kind="meeting", title=title, held_on=day, area_id=ward.id
        )

    act0 = act(place.ward_a, D(2025, 6, 1), "Last year")
    act1 = act(place.ward_a, D(2026, 2, 1), "Visioning")
    act2 = act(place.ward_a, D(2026, 3, 1), "Follow-up")
    act3 = act(place.ward_b, D(2026, 1, 15), "Next door")
    p1 = services.participant_register(actor=connector, age_band="65_plus", home_postcode="SM1 1AA")
    p2 = services.participant_register(actor=connector, age_band="16_24", home_postcode="SM2 2AA")
    p3 = services.participant_register(actor=connector, age_band="35_49", home_postcode="SM1 1AB")
    p4 = services.participant_register(actor=connector, age_band="25_34")

    def took_part(activity, person, contributions=0):
        participation = services.participation_record(
            actor=connector, activity=activity, participant=person
        )
        for _ in range(contributions):
            services.contribution_record(actor=connector, participation=participation, kind="vote")

    took_part(act0, p1, 3)
    took_part(act1, p1, 5)
    took_part(act2, p1, 1)
    took_part(act3, p2, 2)
    took_part(act1, p2, 0)
    took_part(act1, p3, 1)
    took_part(act2, p4, 2)
    return {"acts": [act0, act1, act2, act3], "people": [p1, p2, p3, p4]}


def test_breadth_for_a_ward_and_period_matches_the_hand_computation(place, world):
    scope = selectors.Scope(area_id=place.ward_a.id, start=D(2026, 1, 1), end=D(2026, 12, 31))
    b = selectors.breadth_compute_for(scope=scope)
    assert b.participants == 4
    assert b.participations == 5
    assert b.contributions == 9  # p1 5+1, p2 0, p3 1, p4 2
    assert b.population == pytest.approx(1200)
    assert b.per_thousand == pytest.approx(4 / 1.2)
    assert b.top_share == pytest.approx(6 / 9)
    # Sorted 0,1,2,6: 2·(0+2+6+24)/(4·9) − 5/4.
    assert b.gini == pytest.approx(64 / 36 - 1.25)
    assert b.repeat_rate == pytest.approx(0.25)  # only p1 came twice in the period
    # p3 and p4 first took part here; p1 began last year, p2 in the other ward.
    assert b.first_timer_share == pytest.approx(0.5)
    assert b.by_quintile == {1: 1, 2: 1, 3: 0, 4: 0, 5: 1}
    assert b.quintile_ratios[1] == pytest.approx((1 / 3) / 0.5)
    assert b.quintile_ratios[2] is None  # ward A has no residents in quintile 2
    assert {a.code for a in b.alerts} == {
        "engagement.alert.top_share",
        "engagement.alert.most_deprived",
    }


def test_breadth_for_one_activity_and_the_other_ward(place, world):
    act1 = world["acts"][1]
    b = selectors.breadth_compute_for(scope=selectors.Scope(activity_id=act1.id))
    assert b.participants == 3 and b.contributions == 6
    assert b.first_timers == 1  # only p3 began here
    b = selectors.breadth_compute_for(scope=selectors.Scope(area_id=place.ward_b.id))
    assert b.participants == 1 and b.first_timers == 1
    assert b.population == pytest.approx(1500)


def test_period_must_run_forwards():
    with pytest.raises(PeriodInvalid):
        selectors.Scope(start=D(2026, 2, 1), end=D(2026, 1, 1))


def test_area_population_weights_lsoas_by_overlap(place):
    from placebase.places.models import AreaOverlap

    pop = selectors.area_population(area_id=place.ward_b.id)
    assert pop.total == pytest.approx(1500)
    assert pop.by_quintile[2] == pytest.approx(1200)
    assert pop.by_quintile[3] == pytest.approx(300)
    assert pop.by_age_band["65_plus"] == pytest.approx(250)
    # Half of B2 lies outside: only half its people count.
    AreaOverlap.objects.filter(area=place.lsoas["B2"]).update(area_share=0.5)
    assert selectors.area_population(area_id=place.ward_b.id).by_quintile[3] == (pytest.approx(150))
    # An LSOA answers from its own figures.
    assert selectors.area_population(area_id=place.lsoas["A1"].id).by_quintile == {
        1: 600,
        2: 0,
        3: 0,
        4: 0,
        5: 0,
    }


def test_small_numbers_are_hidden_with_everything_built_on_them(place, world):
    b = selectors.breadth_compute_for(scope=selectors.Scope(area_id=place.ward_a.id))
    shown = selectors.breadth_view(breadth=b, disclosed=True)
    assert shown.participants == SUPPRESSED
    assert shown.per_thousand == SUPPRESSED
    assert shown.top_share == SUPPRESSED and shown.gini == SUPPRESSED
    assert shown.repeat_rate == SUPPRESSED and shown.first_timer_share == SUPPRESSED
    assert shown.alerts == []  # alerts quote figures
    assert all(row.ratio in (SUPPRESSED, None) for row in shown.by_quintile)
    plain = selectors.breadth_view(breadth=b, disclosed=False)
    assert plain.participants == 4


def _bulk_people(activity, ward_code, band, n, quintile=3):
    people = Participant.objects.bulk_create(
        Participant(
            reference=f"T-{ward_code[-1]}{band}{i}",
            age_band=band,
            home_ward_code=ward_code,
            deprivation_quintile=quintile,
        )
        for i in range(n)
    )
    Participation.objects.bulk_create(
        Participation(
            activity=activity,
            participant=p,
            held_on=activity.held_on,
            contributions=1,
            is_first=True,
            age_band=band,
            deprivation_quintile=quintile,
        )
        for p in people
    )


def test_ward_view_applies_secondary_suppression(place, connector, councillor, admin_user):
    services.councillor_ward_assign(actor=admin_user, user=councillor, area_id=place.ward_a.id)
    services.councillor_ward_assign(actor=admin_user, user=councillor, area_id=place.ward_b.id)
    day = datetime.date.today() - datetime.timedelta(days=10)
    act_a = services.activity_create(
        actor=connector, kind="event", title="A", held_on=day, area_id=place.ward_a.id
    )
    act_b = services.activity_create(
        actor=connector, kind="event", title="B", held_on=day, area_id=place.ward_b.id
    )
    _bulk_people(act_a, "E05000001", "65_plus", 20)
    _bulk_people(act_a, "E05000001", "16_24", 3)  # the one small count
    _bulk_people(act_b, "E05000002", "65_plus", 20)
    _bulk_people(act_b, "E05000002", "16_24", 10)
    view = selectors.ward_view(user=councillor)
    assert [w.name for w in view.wards] == ["Northfield", "Southmead"]
    table = view.sections[0].tables[0]
    row_a = table.cells[0] + [table.row_totals[0]]
    col = [row[1] for row in table.cells] + [table.column_totals[1]]
    assert table.cells[0][1] == SUPPRESSED
    # Its row and its column each hide a second figure, so 3 cannot be worked out by
    # subtraction from what is shown.
    assert row_a.count(SUPPRESSED) >= 2
    assert col.count(SUPPRESSED) >= 2
    # Nothing shown is an unrounded small count.
    shown = [v for row in table.cells for v in row] + table.row_totals + table.column_totals
    assert all(v == SUPPRESSED or v % 5 == 0 for v in shown)
    # Ward breadth: 23 participants rounds to 25; the 16-24 share is hidden with its count.
    ward_a = view.breadth[0].breadth
    assert ward_a.participants == 25
    band = next(r for r in ward_a.by_age_band if r.code == "16_24")
    assert band.participants == SUPPRESSED and band.participant_share == SUPPRESSED
    assert band.ratio == SUPPRESSED


def test_a_councillor_sees_only_their_own_wards(place, councillor, admin_user):
    services.councillor_ward_assign(actor=admin_user, user=councillor, area_id=place.ward_a.id)
    view = selectors.ward_view(user=councillor, area_ids=[place.ward_b.id])
    assert view.wards == []
    view = selectors.ward_view(user=councillor)
    assert [w.code for w in view.wards] == ["E05000001"]
    assert CouncillorWard.objects.count() == 1


def test_ward_view_refuses_roles_without_it(place, connector):
    with pytest.raises(PermissionDenied):
        selectors.ward_view(user=connector)


def test_ward_view_sections_say_when_data_is_not_there(place, councillor, admin_user):
    services.councillor_ward_assign(actor=admin_user, user=councillor, area_id=place.ward_a.id)
    view = selectors.ward_view(user=councillor)
    titles = {s.title: s for s in view.sections}
    assert len(titles) == 4
    for section in view.sections:
        assert section.unavailable in ("", selectors.NOT_AVAILABLE)
        assert section.tables or section.unavailable


def test_choropleth_rates_by_home_ward(place, world, councillor, connector):
    data = selectors.choropleth(user=connector, level="ward")
    rows = {r.code: r for r in data.rows}
    assert rows["E05000001"].participants == 2  # p1 and p3 live in ward A
    assert rows["E05000001"].per_thousand == pytest.approx(2 / 1.2)
    assert rows["E05000002"].participants == 1
    disclosed = selectors.choropleth(user=connector, level="ward", disclosed=True)
    assert {r.per_thousand for r in disclosed.rows} == {SUPPRESSED}
    lsoa = selectors.choropleth(user=connector, level="lsoa")
    assert {r.code for r in lsoa.rows} == {"E01000001", "E01000002", "E01000003"}


def test_reach_headline(place, world, connector):
    from placebase.assets.models import CommunityProject, Connector

    CommunityProject.objects.create(
        name="Fridge", area_code="E05000001", stage="meeting_regularly", started_on=D(2026, 4, 1)
    )
    CommunityProject.objects.create(
        name="Old", area_code="E05000001", stage="ended", started_on=D(2024, 4, 1)
    )
    Connector.objects.create(display_name="A connector", area_code="E05000001")
    scope = selectors.Scope(area_id=place.ward_a.id, start=D(2026, 1, 1), end=D(2026, 12, 31))
    reach = selectors.reach_headline(user=connector, scope=scope)
    assert reach.people_involved == 4
    assert reach.projects_started == 1 and reach.projects_active == 1
    assert reach.connectors == 1
    hidden = selectors.reach_headline(user=connector, scope=scope, disclosed=True)
    assert hidden.people_involved == SUPPRESSED and hidden.connectors == SUPPRESSED


def test_reach_for_a_larger_area_counts_what_is_recorded_in_its_wards(place, world, connector):
    """The borough (or a neighbourhood) holds the projects and connectors of the wards mostly
    inside it; a ward only partly inside does not bring its own."""
    from placebase.assets.models import CommunityProject, Connector
    from placebase.places.models import Area, AreaMembership, AreaOverlap, BoundarySet

    district_set = BoundarySet.objects.create(level="district", vintage=2025, name="Districts")
    district = Area.objects.get(pk=place.ward_a.pk)  # a copy of the ward's shape will do
    district.pk = None
    district._state.adding = True
    district.boundary_set, district.code, district.name = district_set, "E09000029", "Sutton"
    district.save()
    AreaOverlap.objects.create(area=place.ward_a, other=district, area_share=1.0)
    AreaOverlap.objects.create(area=place.ward_b, other=district, area_share=0.2)
    for activity in world["acts"]:
        AreaMembership.objects.create(
            area=district,
            boundary_set=district_set,
            record_type="engagement.activity",
            record_id=activity.id,
        )
    CommunityProject.objects.create(
        name="Fridge", area_code="E05000001", stage="meeting_regularly", started_on=D(2026, 4, 1)
    )
    CommunityProject.objects.create(
        name="Elsewhere", area_code="E05000002", stage="meeting_regularly", started_on=D(2026, 4, 1)
    )
    Connector.objects.create(display_name="A connector", area_code="E05000001")
    scope = selectors.Scope(area_id=district.id, start=D(2026, 1, 1), end=D(2026, 12, 31))
    reach = selectors.reach_headline(user=connector, scope=scope)
    assert reach.people_involved == 4  # p1, p2, p3, p4 at activities in both wards
    assert reach.projects_started == 1 and reach.projects_active == 1
    assert reach.connectors == 1
    given = selectors.reach_headline(user=connector, scope=scope, people=4)
    assert given.people_involved == 4
