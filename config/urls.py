from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("placebase.web.urls")),
    path("account/", include("placebase.accounts.urls")),
    path("places/", include("placebase.places.urls")),
    path("core/", include("placebase.core.urls")),
    path("", include("placebase.api.urls")),
    path("directory/", include("placebase.assets.urls")),
    path("django-admin/", admin.site.urls),
]

handler403 = "placebase.web.views.error_403"
handler404 = "placebase.web.views.error_404"
handler500 = "placebase.web.views.error_500"
