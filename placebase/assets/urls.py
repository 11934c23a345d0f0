from django.urls import path

from . import views

app_name = "assets"
urlpatterns = [
    path("", views.search, name="search"),
    path("listing/<uuid:asset_id>/", views.listing, name="listing"),
    path("listing/<uuid:asset_id>/report/", views.report, name="report"),
    path("listing/<uuid:asset_id>/shortlist/", views.shortlist_toggle, name="shortlist_toggle"),
    path("shortlist/", views.shortlist, name="shortlist"),
    path("gifts/", views.gifts, name="gifts"),
    path("gifts/offer/", views.gift_offer, name="gift_offer"),
    path("gifts/offer/thank-you/", views.gift_offer_thanks, name="gift_offer_thanks"),
    path("manage/gifts/", views.gifts_manage, name="gifts_manage"),
    path("manage/gifts/new/", views.gift_new, name="gift_new"),
    path("manage/gifts/<uuid:gift_id>/review/", views.gift_review, name="gift_review"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.create, name="create"),
    path("manage/listing/<uuid:asset_id>/", views.listing_manage, name="listing_manage"),
    path("manage/listing/<uuid:asset_id>/edit/", views.edit, name="edit"),
    path("manage/listing/<uuid:asset_id>/reviewed/", views.reviewed, name="reviewed"),
    path("manage/listing/<uuid:asset_id>/locations/", views.locations, name="locations"),
    path(
        "manage/listing/<uuid:asset_id>/locations/new/",
        views.location_edit,
        name="location_new",
    ),
    path(
        "manage/listing/<uuid:asset_id>/locations/<uuid:location_id>/",
        views.location_edit,
        name="location_edit",
    ),
    path(
        "manage/listing/<uuid:asset_id>/locations/<uuid:location_id>/remove/",
        views.location_remove,
        name="location_remove",
    ),
    path("manage/listing/<uuid:asset_id>/claim/", views.claim, name="claim"),
    path("manage/suggestions/<uuid:proposal_id>/", views.proposal, name="proposal"),
    path("manage/claims/<uuid:claim_id>/", views.claim_decide, name="claim_decide"),
    path("manage/import/", views.register_import, name="register_import"),
    path(
        "manage/template.csv",
        views.register_template,
        {"kind": "csv"},
        name="register_template_csv",
    ),
    path(
        "manage/template.xlsx",
        views.register_template,
        {"kind": "xlsx"},
        name="register_template_xlsx",
    ),
    path("manage/export.csv", views.register_export, {"kind": "csv"}, name="register_export_csv"),
    path(
        "manage/export.xlsx", views.register_export, {"kind": "xlsx"}, name="register_export_xlsx"
    ),
    path("gaps/", views.gaps, name="gaps"),
    path("projects/", views.projects, name="projects"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<uuid:project_id>/", views.project, name="project"),
    path("projects/<uuid:project_id>/grant/", views.project_grant, name="project_grant"),
    path("connectors/new/", views.connector_new, name="connector_new"),
    path("visioning/new/", views.visioning_new, name="visioning_new"),
]
