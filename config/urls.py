from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("placebase.web.urls")),
    path("account/", include("placebase.accounts.urls")),
    path("places/", include("placebase.places.urls")),
    path("casework/", include("placebase.casework.urls")),
    path("core/", include("placebase.core.urls")),
    path("", include("placebase.api.urls")),
    path("directory/", include("placebase.assets.urls")),
    path("evidence/", include("placebase.evidence.urls")),
    path("engagement/", include("placebase.engagement.urls")),
    path("volunteering/", include("placebase.volunteering.urls")),
    path("whole-place/", include("placebase.wholeplace.urls")),
    path("django-admin/", admin.site.urls),
]

handler403 = "placebase.web.views.error_403"
handler404 = "placebase.web.views.error_404"
handler500 = "placebase.web.views.error_500"
