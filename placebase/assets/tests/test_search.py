"""The public directory search: the postcode rule, filters and ranking."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from placebase.assets import geo, search, selectors, services
from placebase.assets import models as m
from placebase.assets.selectors import DirectoryQuery

pytestmark = pytest.mark.django_db


def names(results):
    return [h.asset.name for h in results.hits]


def test_postcode_rule_area_covered_or_no_area_and_near(make_asset, place):
    # Near SM1 1EA, no service area: shown.
    near = make_asset(name="Town centre café", postcode="SM1 1EA")
    # Far away (Wallington, ~4 km), no service area: not shown within 1 mile.
    far = make_asset(name="Wallington café", postcode="SM6 7LY")
    # Far away but serves the whole borough: shown, because its area covers the postcode.
    borough = make_asset(
        name="Borough helpline", postcode="SM6 7LY", service_area_codes=["E09000029"]
    )
    # Near, but serves only the north ward: NOT shown to someone in the south ward.
    north_only = make_asset(
        name="North ward visiting", postcode="SM1 1EA", service_area_codes=["E05000555"]
    )
    # No location at all, serves the south ward: shown.
    online = make_asset(name="South ward phone line", service_area_codes=["E05000564"])

    found = selectors.directory_search(query=DirectoryQuery(postcode="SM1 1EA", radius_m=1609))
    ids = set(found.ranked_ids)
    assert near.id in ids and borough.id in ids and online.id in ids
    assert far.id not in ids and north_only.id not in ids
    assert found.hits[0].asset_id == near.id  # nearest first


def test_radius_is_exact_not_the_bounding_box(make_asset, place):
    # A point just inside the box's corner but outside the circle.
    lat, lon = 51.3618, -0.1945
    box = geo.bounding_box(lat, lon, 1000)
    corner = make_asset(name="Corner", latitude=box[1] - 0.0005, longitude=box[3] - 0.0005)
    inside = make_asset(name="Inside", latitude=lat + 0.005, longitude=lon)
    found = selectors.directory_search(query=DirectoryQuery(postcode="SM1 1EA", radius_m=1000))
    assert inside.id in found.ranked_ids and corner.id not in found.ranked_ids


def test_category_finds_narrower_terms(make_asset, categories):
    knit = make_asset(name="Knitting circle", term_ids=[str(categories.crafts.id)])
    make_asset(name="Food bank", term_ids=[str(categories.food.id)])
    found = selectors.directory_search(query=DirectoryQuery(term_ids=(str(categories.social.id),)))
    assert found.ranked_ids == [knit.id]


def test_text_ranks_name_above_description_and_tolerates_typos(make_asset):
    in_name = make_asset(name="Knit and Natter", description="A friendly group")
    in_body = make_asset(name="Tuesday club", description="Tea, cake and knitting")
    make_asset(name="Football", description="Five-a-side")
    found = selectors.directory_search(query=DirectoryQuery(text="knitting"))
    assert found.ranked_ids == [in_name.id, in_body.id]
    typo = selectors.directory_search(query=DirectoryQuery(text="kniting"))
    assert typo.ranked_ids[:2] == [in_name.id, in_body.id]
    assert selectors.directory_search(query=DirectoryQuery(text="zzzzqqq")).total == 0


def test_better_match_and_nearness_both_count(make_asset):
    close_weak = make_asset(name="Community centre", description="Has a garden", postcode="SM1 1EA")
    close_strong = make_asset(name="Community garden", postcode="SM1 1EA")
    found = selectors.directory_search(query=DirectoryQuery(postcode="SM1 1EA", text="garden"))
    assert found.ranked_ids == [close_strong.id, close_weak.id]


def test_stale_listings_are_demoted(make_asset):
    stale = make_asset(name="Garden club A", postcode="SM1 1EA")
    fresh = make_asset(name="Garden club B", postcode="SM1 1EA")
    m.Asset.objects.filter(pk=stale.pk).update(
        last_reviewed_at=timezone.now() - dt.timedelta(days=400)
    )
    found = selectors.directory_search(query=DirectoryQuery(postcode="SM1 1EA", text="garden"))
    assert found.ranked_ids == [fresh.id, stale.id]
    assert found.hits[1].stale is True


def test_filters_free_open_day_time_accessibility_kind(make_asset, staff):
    free = make_asset(
        name="Free walk", is_free=True, access_features=["step_free"], postcode="SM1 1EA"
    )
    paid = make_asset(name="Paid class", kind="activity", postcode="SM1 1EA")
    m.Schedule.objects.create(
        asset=paid, freq="WEEKLY", byday="TU,TH", opens_at=dt.time(10), closes_at=dt.time(12)
    )
    q = selectors.directory_search
    assert q(query=DirectoryQuery(free_only=True)).ranked_ids == [free.id]
    assert q(query=DirectoryQuery(access_features=("step_free",))).ranked_ids == [free.id]
    assert q(query=DirectoryQuery(open_day=1)).ranked_ids == [paid.id]
    assert q(query=DirectoryQuery(open_day=1, open_at=dt.time(11))).ranked_ids == [paid.id]
    assert q(query=DirectoryQuery(open_day=1, open_at=dt.time(13))).ranked_ids == []
    assert q(query=DirectoryQuery(open_day=0)).ranked_ids == []
    assert q(query=DirectoryQuery(kinds=("activity",))).ranked_ids == [paid.id]


def test_closed_listings_are_not_shown(make_asset, staff):
    gone = make_asset(name="Old club")
    services.asset_edit(
        actor=staff, asset_id=gone.id, expected_version=1, changes={"status": "defunct"}
    )
    assert selectors.directory_search(query=DirectoryQuery()).total == 0


def test_bad_postcode_is_a_clear_error(place):
    with pytest.raises(selectors.ValidationFailed) as error:
        selectors.directory_search(query=DirectoryQuery(postcode="SM9 9ZZ"))
    assert error.value.code == "places.postcode_unknown"


def test_paging(make_asset):
    for i in range(5):
        make_asset(name=f"Club {i}")
    first = selectors.directory_search(query=DirectoryQuery(per_page=2))
    last = selectors.directory_search(query=DirectoryQuery(per_page=2, page=3))
    assert (first.total, first.pages, len(first.hits), len(last.hits)) == (5, 3, 2, 1)


def test_naive_peer_agrees_on_a_plain_query(make_asset, categories):
    for i, postcode in enumerate(["SM1 1EA", "SM6 7LY", "SM5 2HQ", "SM1 1EA"]):
        make_asset(name=f"Lunch club {i}", postcode=postcode, term_ids=[str(categories.food.id)])
    lat, lon = 51.3618, -0.1945
    query = DirectoryQuery(
        lat=lat,
        lon=lon,
        area_codes=(),
        radius_m=3000,
        text="lunch",
        term_ids=(str(categories.food.id),),
    )
    ours = set(selectors.directory_search(query=query).ranked_ids)
    assert ours == set(selectors.directory_search_naive(query=query))


@given(st.text(max_size=60))
def test_words_never_fail_and_stay_short(text):
    for word in search.words(text):
        assert 0 < len(word) <= search.MAX_TOKEN
