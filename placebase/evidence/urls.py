from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("", views.index, name="index"),
    path("sroi/", views.sroi_calculator, name="sroi"),
    path("unit-costs/", views.unit_cost_list, name="unit_cost_list"),
    path("unit-costs/<uuid:unit_cost_id>/", views.unit_cost_detail, name="unit_cost_detail"),
    path("unit-costs/<uuid:unit_cost_id>/edit/", views.unit_cost_revise, name="unit_cost_revise"),
    path("parameters/", views.parameters, name="parameters"),
    path("programmes/", views.programmes, name="programmes"),
    path("programmes/<uuid:programme_id>/", views.programme, name="programme"),
    path(
        "programmes/<uuid:programme_id>/costs/import/",
        views.programme_costs_import,
        name="programme_costs_import",
    ),
    path("programmes/<uuid:programme_id>/forecasts/new/", views.forecast_new, name="forecast_new"),
    path("forecasts/<uuid:forecast_id>/report/", views.forecast_report, name="forecast_report"),
    path("reports/", views.reports, name="reports"),
    path("reports/<uuid:report_id>/", views.report, name="report"),
    path("reports/<uuid:report_id>/verify/", views.report_verify, name="report_verify"),
    path(
        "reports/<uuid:report_id>/download.<str:fmt>",
        views.report_download,
        name="report_download",
    ),
    path(
        "reports/<uuid:report_id>/compare/<uuid:forecast_report_id>/",
        views.report_compare,
        name="report_compare",
    ),
]
