from django.urls import path

from . import views

app_name = "casework"
P = "people/<uuid:person_id>/"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("patches/", views.patches, name="patches"),
    path("patches/<uuid:assignment_id>/end/", views.patch_end, name="patch_end"),
    path("people/", views.people, name="people"),
    path("people/introduce/", views.introduce, name="introduce"),
    path(P, views.person, name="person"),
    path(P + "details/", views.person_edit, name="person_edit"),
    path(P + "coordinator/", views.reassign, name="reassign"),
    path(P + "contacts/new/", views.contact_new, name="contact_new"),
    path(P + "vision/", views.plan_edit, name="plan_edit"),
    path(P + "goals/new/", views.goal_new, name="goal_new"),
    path(P + "goals/<uuid:goal_id>/", views.goal_update, name="goal_update"),
    path(P + "strengths/new/", views.strength_new, name="strength_new"),
    path(P + "network/new/", views.network_new, name="network_new"),
    path(P + "network/<uuid:member_id>/remove/", views.network_remove, name="network_remove"),
    path(P + "connections/new/", views.connection_new, name="connection_new"),
    path(
        P + "connections/<uuid:connection_id>/",
        views.connection_update,
        name="connection_update",
    ),
    path(P + "wellbeing/new/", views.assessment_new, name="assessment_new"),
    path(P + "reviews/new/", views.review_new, name="review_new"),
    path(P + "service-use/new/", views.service_use_new, name="service_use_new"),
    path(P + "avoided/new/", views.avoided_new, name="avoided_new"),
    path(P + "unmet-needs/new/", views.unmet_need_new, name="unmet_need_new"),
    path(P + "close/", views.close, name="close"),
    path(P + "reintroduce/", views.reintroduce, name="reintroduce"),
    path(P + "consent/new/", views.consent_new, name="consent_new"),
    path(
        P + "consent/<uuid:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"
    ),
    path(P + "export/", views.export_html, name="export_html"),
    path(P + "export.json", views.export_json, name="export_json"),
    path(P + "erase/", views.erase, name="erase"),
    path(P + "legal-hold/", views.legal_hold, name="legal_hold"),
]
