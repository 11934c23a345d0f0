from django.urls import path

from . import views

app_name = "engagement"
urlpatterns = [
    path("", views.index, name="index"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<uuid:activity_id>/", views.activity_detail, name="activity_detail"),
    path(
        "activities/<uuid:activity_id>/participants/add/",
        views.participation_add,
        name="participation_add",
    ),
    path(
        "participations/<int:participation_id>/contributions/add/",
        views.contribution_add,
        name="contribution_add",
    ),
    path("contributions/<uuid:contribution_id>/project/", views.idea_project, name="idea_project"),
    path("breadth/", views.breadth, name="breadth"),
    path("wards/", views.ward_view, name="ward_view"),
    path("councillors/", views.councillor_wards, name="councillor_wards"),
    path(
        "councillors/<uuid:ward_id>/remove/",
        views.councillor_ward_remove,
        name="councillor_ward_remove",
    ),
]
