"""The participation summary (packed blocks per area and day or month) gives exactly the
figures participations alone give, for
any area and period; the services keep it current; a stale area falls back to participations;
periods split into whole months and the days either side."""

import datetime
import random
import uuid

import numpy as np
import pytest
from django.core.management import call_command

from placebase.engagement import selectors, services, summary
from placebase.engagement.models import (
    ACTIVITY_RECORD_TYPE,
    ALL_AREAS,
    ParticipationBlock,
    ParticipationMonthArea,
)
from placebase.places.models import Area, AreaMembership

D = datetime.date


def _histogram(rows: selectors.ParticipantRows) -> list[tuple]:
    return sorted(
        zip(
            rows.contributions.tolist(),
            rows.participations.tolist(),
            rows.first_time.tolist(),
            rows.age_bands,
            rows.quintiles,
            strict=True,
        ),
        key=repr,
    )


def _same(scope: selectors.Scope) -> None:
    fast = selectors.participant_rows(scope=scope, use_summary=True)
    slow = selectors.participant_rows(scope=scope, use_summary=False)
    assert _histogram(fast) == _histogram(slow), scope
    a = selectors.breadth_compute_for(scope=scope, use_summary=True)
    b = selectors.breadth_compute_for(scope=scope, use_summary=False)
    assert a == b, scope


@pytest.fixture
def busy(place, connector):
    """Activities on many days over 14 months in both wards; participants from every LSOA
    (and one not located), some coming often, contributions of every kind, all recorded
    through the services (out of date order, so first participations move)."""
    rng = random.Random(5)
    days = [D(2025, 1, 1) + datetime.timedelta(days=rng.randrange(0, 425)) for _ in range(24)]
    activities = [
        services.activity_create(
            actor=connector,
            kind="meeting",
            title=f"Meeting {i}",
            held_on=day,
            area_id=(place.ward_a if i % 3 else place.ward_b).id,
            venue_postcode=place.postcodes[("A1", "A2")[i % 2] if i % 3 else ("B1", "B2")[i % 2]],
        )
        for i, day in enumerate(days)
    ]
    bands = ["0_15", "16_24", "25_34", "35_49", "50_64", "65_plus"]
    postcodes = [*place.postcodes.values(), ""]
    people = [
        services.participant_register(
            actor=connector, age_band=bands[i % 6], home_postcode=postcodes[i % len(postcodes)]
        )
        for i in range(14)
    ]
    for activity in activities:
        for person in rng.sample(people, rng.randint(1, 6)):
            participation = services.participation_record(
                actor=connector, activity=activity, participant=person
            )
            for _ in range(rng.choice([0, 0, 1, 2, 5])):
                services.contribution_record(
                    actor=connector, participation=participation, kind="vote"
                )
    return activities


def test_summary_is_current_after_the_services_write(busy):
    """What the services left equals a rebuild from participations."""

    def rows() -> dict[tuple, list[tuple]]:
        return {
            (area_id, grain, start): np.frombuffer(bytes(data), dtype=summary.BLOCK).tolist()
            for area_id, grain, start, data in ParticipationBlock.objects.values_list(
                "area_id", "grain", "start", "data"
            )
        }

    kept = rows()
    assert kept, "the services wrote summary rows"
    summary.summary_rebuild()
    assert rows() == kept


def test_fast_and_straightforward_agree_for_any_area_and_period(place, busy):
    rng = random.Random(9)
    areas = [None, place.ward_a.id, place.ward_b.id, place.lsoas["A1"].id, place.lsoas["B2"].id]
    periods = [
        (None, None),
        (D(2025, 1, 1), D(2025, 12, 31)),  # whole months only
        (D(2025, 3, 1), D(2025, 3, 31)),  # exactly one month
        (D(2025, 3, 2), D(2025, 3, 30)),  # inside one month: no whole month
        (D(2025, 2, 15), D(2025, 4, 10)),  # a whole month and days either side
        (None, D(2025, 6, 17)),
        (D(2025, 6, 17), None),
        (D(2025, 1, 31), D(2025, 3, 1)),  # one day either side of February
        (D(2026, 2, 28), D(2026, 2, 28)),
    ]
    for _ in range(12):
        start = D(2025, 1, 1) + datetime.timedelta(days=rng.randrange(0, 420))
        periods.append((start, start + datetime.timedelta(days=rng.randrange(0, 200))))
    for area_id in areas:
        for start, end in periods:
            _same(selectors.Scope(area_id=area_id, start=start, end=end))


def test_the_product_uses_the_summary_when_it_is_current(place, busy):
    assert summary.summary_usable(area_id=None)
    assert summary.summary_usable(area_id=place.ward_a.id)
    assert summary.summary_usable(area_id=place.lsoas["A1"].id)
    scope = selectors.Scope(area_id=place.ward_a.id, start=D(2025, 2, 1), end=D(2025, 5, 31))
    assert selectors._summary_split(scope=scope, use_summary=None) is not None


def test_a_relocated_activity_makes_its_areas_read_participations(place, busy):
    """Places moves an activity into another LSOA behind engagement's back: both LSOAs'
    summaries are stale, the figures still match participations, and a rebuild mends it."""
    activity = next(a for a in busy if a.area_id == place.ward_a.id and a.participations.exists())
    old = AreaMembership.objects.get(
        record_type=ACTIVITY_RECORD_TYPE, record_id=activity.id, area__boundary_set__level="lsoa"
    )
    new_lsoa = next(a for a in place.lsoas.values() if a.pk != old.area_id)
    before = selectors.breadth_compute_for(
        scope=selectors.Scope(area_id=new_lsoa.id), use_summary=False
    )
    old.delete()
    AreaMembership.objects.create(
        area=new_lsoa,
        boundary_set_id=new_lsoa.boundary_set_id,
        record_type=ACTIVITY_RECORD_TYPE,
        record_id=activity.id,
    )
    assert not summary.summary_usable(area_id=new_lsoa.id)
    assert not summary.summary_usable(area_id=old.area_id)
    assert summary.summary_usable(area_id=place.ward_b.id)
    for area_id in (new_lsoa.id, old.area_id):
        scope = selectors.Scope(area_id=area_id, start=D(2025, 1, 1), end=D(2025, 12, 31))
        shown = selectors.breadth_compute_for(scope=scope)
        assert shown == selectors.breadth_compute_for(scope=scope, use_summary=False)
    moved = selectors.breadth_compute_for(scope=selectors.Scope(area_id=new_lsoa.id))
    assert moved.participations == before.participations + activity.participations.count()
    call_command("engagement-summary-rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert summary.summary_usable(area_id=new_lsoa.id)
    assert summary.summary_usable(area_id=old.area_id)
    _same(selectors.Scope(area_id=new_lsoa.id, start=D(2025, 1, 1), end=D(2025, 12, 31)))


def test_a_new_activity_keeps_its_areas_current(place, busy, connector):
    activity = services.activity_create(
        actor=connector,
        kind="event",
        title="Fair",
        held_on=D(2025, 7, 4),
        area_id=place.ward_b.id,
        venue_postcode=place.postcodes["B1"],
    )
    assert summary.summary_usable(area_id=place.ward_b.id)
    assert summary.summary_usable(area_id=place.lsoas["B1"].id)
    person = services.participant_register(actor=connector, age_band="50_64")
    services.participation_record(actor=connector, activity=activity, participant=person)
    _same(selectors.Scope(area_id=place.lsoas["B1"].id, start=D(2025, 7, 1), end=D(2025, 7, 31)))


def test_an_unbuilt_summary_is_never_used(place, busy):
    ParticipationMonthArea.objects.filter(area_id=ALL_AREAS).delete()
    assert not summary.summary_usable(area_id=None)
    assert not summary.summary_usable(area_id=place.ward_a.id)
    scope = selectors.Scope(area_id=place.ward_a.id, start=D(2025, 1, 1), end=D(2025, 12, 31))
    assert selectors._summary_split(scope=scope, use_summary=None) is None


def test_an_area_the_summary_never_heard_of_reads_participations(place, busy):
    assert not summary.summary_usable(area_id=uuid.uuid4())
    unknown = Area.objects.exclude(pk__in=ParticipationMonthArea.objects.values("area_id")).first()
    if unknown is not None:
        assert not summary.summary_usable(area_id=unknown.pk)


@pytest.mark.parametrize(
    ("start", "end", "first", "last", "edges"),
    [
        (D(2025, 1, 1), D(2025, 12, 31), D(2025, 1, 1), D(2025, 12, 1), []),
        (
            D(2025, 1, 15),
            D(2025, 3, 10),
            D(2025, 2, 1),
            D(2025, 2, 1),
            [(D(2025, 1, 15), D(2025, 1, 31)), (D(2025, 3, 1), D(2025, 3, 10))],
        ),
        (D(2024, 2, 1), D(2024, 2, 29), D(2024, 2, 1), D(2024, 2, 1), []),  # leap year
        (None, D(2025, 3, 10), None, D(2025, 2, 1), [(D(2025, 3, 1), D(2025, 3, 10))]),
        (D(2025, 12, 2), None, D(2026, 1, 1), None, [(D(2025, 12, 2), D(2025, 12, 31))]),
        (None, None, None, None, []),
    ],
)
def test_period_split(start, end, first, last, edges):
    split = summary.period_split(start, end)
    assert split is not None
    assert (split.first_month, split.last_month, split.edges) == (first, last, edges)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2025, 1, 2), D(2025, 1, 31)),
        (D(2025, 1, 15), D(2025, 2, 14)),
        (D(2025, 3, 1), D(2025, 3, 30)),
    ],
)
def test_period_split_without_a_whole_month(start, end):
    assert summary.period_split(start, end) is None


def test_participations_written_outside_the_services_are_noticed(place, busy):
    """A bulk load that skips the services leaves the blocks short: the figures read
    participations until the summary is rebuilt, then the blocks again."""
    from placebase.engagement.models import Participant, Participation

    activity = busy[0]
    stranger = Participant.objects.create(reference="BULK-1", age_band="16_24")
    Participation.objects.create(
        activity=activity,
        participant=stranger,
        held_on=activity.held_on,
        contributions=4,
        age_band="16_24",
    )
    scope = selectors.Scope(start=D(2025, 1, 1), end=D(2026, 12, 31))
    assert not summary.summary_usable(area_id=None)
    assert not summary.summary_usable(area_id=place.ward_a.id)
    shown = selectors.breadth_compute_for(scope=scope)
    assert shown == selectors.breadth_compute_for(scope=scope, use_summary=False)
    assert shown != selectors.breadth_compute_for(scope=scope, use_summary=True)
    summary.summary_rebuild()
    assert summary.summary_usable(area_id=None)
    _same(scope)
