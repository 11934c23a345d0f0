"""The demo directory: every kind and category, schedules, accessibility, projects at every
stage, gifts and needs, and loading it twice changes nothing."""

import pytest

from placebase.assets import demo, selectors
from placebase.assets import models as m
from placebase.assets.selectors import DirectoryQuery

pytestmark = pytest.mark.django_db


def test_demo_covers_every_kind_and_is_idempotent(place):
    first = demo.load(seed=7, count=len(demo.TEMPLATES))
    assert first["assets"] == len(demo.TEMPLATES)
    assert set(m.Asset.objects.values_list("kind", flat=True)) == set(m.AssetKind.values)
    used_terms = set(m.Attribute.objects.values_list("term__name", flat=True))
    children = {c for kids in demo.CATEGORIES.values() for c in kids}
    assert children <= used_terms
    assert m.Schedule.objects.count() == first["assets"]
    assert m.Accessibility.objects.exists() and m.Asset.objects.filter(acv_listed=True).exists()
    stages = set(m.CommunityProject.objects.values_list("stage", flat=True))
    assert stages == {"idea", "first_gathering", "meeting_regularly", "self_sustaining", "ended"}
    assert m.ProjectGrant.objects.exists() and m.Gift.objects.count() == len(demo.GIFTS)
    assert m.UnmetNeed.objects.count() == len(demo.UNMET_NEEDS)
    assert selectors.asset_list_stale().exists()  # some listings want checking

    again = demo.load(seed=7, count=len(demo.TEMPLATES))
    assert again == first
    found = selectors.directory_search(query=DirectoryQuery(text="knit"))
    assert found.total >= 1


def test_demo_postcodes_are_real_sutton_postcodes():
    rows = demo._postcodes()
    assert len(rows) >= 50
    for postcode, lat, lon in rows:
        assert postcode.startswith("SM") and 51.3 < lat < 51.42 and -0.26 < lon < -0.1
