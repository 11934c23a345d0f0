"""An unmet need recorded in case work feeds the directory's gap analysis: the person's ward
and the theme only, never who they are."""

import json

import pytest
import shapely
from django.urls import reverse

from placebase.assets import models as assets_models
from placebase.casework import services
from placebase.casework.models import UnmetNeed
from placebase.places import services as places_services

from .conftest import introduce

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward(db, tmp_path):
    """An electoral ward round Sutton town centre (the civic offices are inside it)."""
    path = tmp_path / "wards.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"WD25CD": "E05000564", "WD25NM": "Sutton Central"},
                        "geometry": json.loads(
                            shapely.to_geojson(shapely.box(-0.21, 51.35, -0.17, 51.38))
                        ),
                    }
                ],
            }
        )
    )
    places_services.boundary_set_import(path=path, level="ward", vintage=2025, name="Wards")
    return "E05000564"


@pytest.fixture
def theme(db):
    taxonomy = assets_models.Taxonomy.objects.create(name="Placebase themes")
    return assets_models.TaxonomyTerm.objects.create(taxonomy=taxonomy, name="Singing")


def test_a_need_reaches_the_gap_analysis_by_ward_and_theme(
    client_for, coordinator, patch, ward, theme
):
    person = introduce(coordinator).person
    need = services.unmet_need_record(
        user=coordinator,
        person_id=person.id,
        description="No daytime choir for Ada near the High Street",
        theme_id=str(theme.id),
    )
    assert need.theme_name == "Singing"
    directory_need = assets_models.UnmetNeed.objects.get(pk=need.directory_need_id)
    assert directory_need.area_code == ward
    assert directory_need.area_name == "Sutton Central"
    assert directory_need.term == theme
    # Nothing about the person crosses over: not the name, not the description.
    assert directory_need.note == ""
    assert "Ada" not in json.dumps(
        {f.name: str(getattr(directory_need, f.name)) for f in directory_need._meta.fields}
    )
    body = client_for(coordinator).get(reverse("assets:gaps")).content.decode()
    assert "Singing" in body and "Lovelace" not in body


def test_the_form_offers_themes_and_records_through_the_page(
    client_for, coordinator, patch, ward, theme
):
    person = introduce(coordinator).person
    client = client_for(coordinator)
    url = reverse("casework:unmet_need_new", args=[person.id])
    assert "Singing" in client.get(url).content.decode()
    response = client.post(url, {"description": "No choir", "theme_id": str(theme.id)})
    assert response.status_code == 302
    assert assets_models.UnmetNeed.objects.filter(term=theme, area_code=ward).count() == 1


def test_a_theme_is_required_once_the_directory_has_themes_and_nothing_is_saved(
    client_for, coordinator, patch, ward, theme
):
    person = introduce(coordinator).person
    client = client_for(coordinator)
    url = reverse("casework:unmet_need_new", args=[person.id])
    for posted, message in (
        ({"description": "No choir"}, "Choose the theme of the need"),
        ({"description": "No choir", "theme_id": "nope"}, "Select an option from the list"),
    ):
        response = client.post(url, posted)
        body = response.content.decode()
        assert response.status_code == 400
        assert "govuk-error-summary" in body and message in body
    assert not UnmetNeed.objects.exists()
    assert not assets_models.UnmetNeed.objects.exists()
    with pytest.raises(services.CaseworkInvalid):
        services.unmet_need_record(
            user=coordinator,
            person_id=person.id,
            description="No choir",
            theme_id="4a8a5c0e-0000-4000-8000-000000000000",  # no such theme
        )


def test_a_person_in_no_ward_keeps_the_need_in_case_work_only(coordinator, patch, theme):
    person = introduce(coordinator).person  # no ward boundaries are loaded
    need = services.unmet_need_record(
        user=coordinator, person_id=person.id, description="No choir", theme_id=theme.id
    )
    assert need.directory_need_id is None and need.area_code == person.patch_code
    assert not assets_models.UnmetNeed.objects.exists()
