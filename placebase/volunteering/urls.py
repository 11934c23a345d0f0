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
    path("manage/", views.manage, name="manage"),
    path("manage/opportunities/new/", views.manage_opportunity_new, name="manage_opportunity_new"),
    path("manage/opportunities/<uuid:pk>/", views.manage_opportunity, name="manage_opportunity"),
    path("manage/pledges/<uuid:pk>/<str:action>/", views.manage_pledge, name="manage_pledge"),
    path("manage/hours/<uuid:pk>/<str:action>/", views.manage_hours, name="manage_hours"),
    path("manage/volunteers/<uuid:pk>/", views.manage_volunteer, name="manage_volunteer"),
    path("manage/value/", views.manage_value, name="manage_value"),
    path("manage/celebrations/", views.manage_celebrations, name="manage_celebrations"),
]
