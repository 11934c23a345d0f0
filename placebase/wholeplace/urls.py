from django.urls import path

from . import views

app_name = "wholeplace"
urlpatterns = [
    path("", views.index, name="index"),
    path("agencies/", views.agencies, name="agencies"),
    path("agencies/new/", views.agency_new, name="agency_new"),
    path("agencies/<uuid:agency_id>/footprint/", views.agency_footprint, name="agency_footprint"),
    path("themes/", views.themes, name="themes"),
    path("themes/new/", views.theme_new, name="theme_new"),
    path("funds/", views.funds, name="funds"),
    path("funds/new/", views.fund_new, name="fund_new"),
    path("funds/<uuid:fund_id>/", views.fund_detail, name="fund_detail"),
    path("funds/<uuid:fund_id>/entries/new/", views.entry_new, name="entry_new"),
    path(
        "funds/<uuid:fund_id>/entries/<uuid:entry_id>/reverse/",
        views.entry_reverse,
        name="entry_reverse",
    ),
    path("funds/<uuid:fund_id>/import/", views.fund_import, name="fund_import"),
    path("spend/", views.spend, name="spend"),
    path("spend/areas/<uuid:area_id>/", views.spend_area, name="spend_area"),
    path("spend/import/", views.spend_import, name="spend_import"),
    path("involvement/", views.involvement, name="involvement"),
    path("involvement/import/", views.involvement_import, name="involvement_import"),
    path("who-pays/", views.who_pays, name="who_pays"),
    path("consistency/", views.consistency, name="consistency"),
    path("consistency/new/", views.register_new, name="register_new"),
    path("consistency/<uuid:entry_id>/", views.register_edit, name="register_edit"),
]
