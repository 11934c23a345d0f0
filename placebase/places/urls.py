from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.index, name="index"),
    path("find/", views.picker, name="picker"),
    path("sets/<uuid:set_id>/", views.set_detail, name="set_detail"),
    path("areas/<uuid:area_id>/", views.area_detail, name="area_detail"),
    path("import/<str:kind>/", views.import_start, name="import"),
    path("imports/<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("custom-areas/new/", views.custom_area_edit, name="custom_area_create"),
    path("custom-areas/<uuid:area_id>/redraw/", views.custom_area_edit, name="custom_area_edit"),
]
