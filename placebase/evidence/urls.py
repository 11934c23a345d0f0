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
]
