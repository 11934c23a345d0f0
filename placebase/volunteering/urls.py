from django.urls import path

from . import views

app_name = "volunteering"
urlpatterns = [
    path("", views.index, name="index"),
    path("opportunities/<uuid:pk>/", views.opportunity_detail, name="opportunity"),
    path("opportunities/<uuid:pk>/pledge/", views.pledge_start, name="pledge_start"),
    path("opportunities/<uuid:pk>/pledge/check/", views.pledge_check, name="pledge_check"),
    path("pledged/", views.pledge_done, name="pledge_done"),
    path("sign-up/", views.sign_up, name="sign_up"),
    path("guardian/<str:token>/", views.guardian_approve, name="guardian"),
    path("me/", views.me, name="me"),
    path("me/invitations/<uuid:pk>/", views.me_invitation, name="me_invitation"),
    path("me/pledges/<uuid:pk>/withdraw/", views.me_withdraw, name="me_withdraw"),
    path("me/details/", views.me_profile, name="me_profile"),
    path("me/wellbeing/", views.me_wellbeing, name="me_wellbeing"),
    path("me/export.json", views.me_export, name="me_export"),
    path("me/erase/", views.me_erase, name="me_erase"),
    path("manage/", views.manage, name="manage"),
    path("manage/opportunities/new/", views.manage_opportunity_new, name="manage_opportunity_new"),
    path("manage/opportunities/<uuid:pk>/", views.manage_opportunity, name="manage_opportunity"),
    path(
        "manage/opportunities/<uuid:pk>/edit/",
        views.manage_opportunity_edit,
        name="manage_opportunity_edit",
    ),
    path(
        "manage/opportunities/<uuid:pk>/status/",
        views.manage_opportunity_status,
        name="manage_opportunity_status",
    ),
    path("manage/opportunities/<uuid:pk>/sites/new/", views.manage_site, name="manage_site_new"),
    path(
        "manage/opportunities/<uuid:pk>/sites/<uuid:site_pk>/",
        views.manage_site,
        name="manage_site",
    ),
    path("manage/opportunities/<uuid:pk>/shifts/new/", views.manage_shift, name="manage_shift_new"),
    path(
        "manage/opportunities/<uuid:pk>/shifts/<uuid:shift_pk>/",
        views.manage_shift,
        name="manage_shift",
    ),
    path("manage/pledges/<uuid:pk>/<str:action>/", views.manage_pledge, name="manage_pledge"),
    path("manage/hours/<uuid:pk>/<str:action>/", views.manage_hours, name="manage_hours"),
    path("manage/volunteers/<uuid:pk>/", views.manage_volunteer, name="manage_volunteer"),
    path(
        "manage/volunteers/<uuid:pk>/export.json",
        views.manage_volunteer_export,
        name="manage_volunteer_export",
    ),
    path(
        "manage/volunteers/<uuid:pk>/erase/",
        views.manage_volunteer_erase,
        name="manage_volunteer_erase",
    ),
    path("manage/value/", views.manage_value, name="manage_value"),
    path("manage/celebrations/", views.manage_celebrations, name="manage_celebrations"),
]
