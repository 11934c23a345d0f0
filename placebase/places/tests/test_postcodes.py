"""Postcodes: normalising, the imported table, and the embedded whole-UK geocoder."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placebase.core.errors import ValidationFailed
from placebase.places import selectors
from placebase.places.errors import PostcodeMalformed, PostcodeTerminated, PostcodeUnknown
from placebase.places.models import Postcode


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sm11aa", "SM1 1AA"),
        (" SM1 1AA ", "SM1 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("m1 1ae", "M1 1AE"),
        ("b33 8th", "B33 8TH"),
        ("ec1a-1bb", "EC1A 1BB"),
    ],
)
def test_postcode_normalise(raw, expected):
    assert selectors.postcode_normalise(raw) == expected


@pytest.mark.parametrize("raw", ["", "SM1", "1AA SM1", "SM1 1A", "SMM11AAA", "12345", "Ä1 1AA"])
def test_malformed_postcodes_are_refused_with_a_stable_code(raw):
    with pytest.raises(PostcodeMalformed) as caught:
        selectors.postcode_normalise(raw)
    assert caught.value.code == "places.postcode_malformed"
    assert isinstance(caught.value, ValidationFailed)


@given(
    st.sampled_from(["SM1 1AA", "SW1A 1AA", "M1 1AE", "CR0 2RH"]),
    st.sampled_from(["", " ", "  "]),
    st.booleans(),
)
def test_normalising_ignores_case_and_spacing(postcode, gap, lower):
    outward, inward = postcode.split(" ")
    raw = f"{outward}{gap}{inward}"
    assert selectors.postcode_normalise(raw.lower() if lower else raw) == postcode


def test_embedded_geocoder_finds_any_uk_postcode_without_an_import(db):
    found = selectors.postcode_lookup("sw1a 1aa")  # Buckingham Palace
    assert found.postcode == "SW1A 1AA"
    assert found.lat == pytest.approx(51.501, abs=0.002)
    assert found.lon == pytest.approx(-0.1416, abs=0.002)
    assert found.district_code == "E09000033"  # Westminster
    assert "embedded" in found.source
    assert found.lsoa_code is None


def test_embedded_geocoder_unknown_postcode(db):
    with pytest.raises(PostcodeUnknown) as caught:
        selectors.postcode_lookup("ZZ9 9ZZ")
    assert caught.value.code == "places.postcode_unknown"


def test_imported_postcodes_come_first_and_know_terminations(db):
    Postcode.objects.create(
        postcode="SM1 1AA", lat=51.1, lon=-0.1, lsoa11_code="E01004142", source="NSPL test"
    )
    Postcode.objects.create(postcode="SM1 1AB", lat=51.35, lon=-0.19, terminated="200207")
    Postcode.objects.create(postcode="SM1 9ZZ", lat=None, lon=None)
    found = selectors.postcode_lookup("SM11AA")
    assert (found.lat, found.lon, found.lsoa_code, found.source) == (
        51.1,
        -0.1,
        "E01004142",
        "NSPL test",
    )
    with pytest.raises(PostcodeTerminated, match="2002-07") as caught:
        selectors.postcode_lookup("sm1 1ab")
    assert caught.value.code == "places.postcode_terminated"
    with pytest.raises(PostcodeUnknown, match="no grid reference"):
        selectors.postcode_lookup("SM1 9ZZ")


def test_malformed_lookup_is_told_apart_from_unknown(db):
    with pytest.raises(PostcodeMalformed):
        selectors.postcode_lookup("not a postcode")
