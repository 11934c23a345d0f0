from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from .models import Organisation, Team, User


def _sign_in_through_placebase(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    # The admin's own login form would skip the throttling and lockout of Placebase's.
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


admin.site.login = _sign_in_through_placebase  # type: ignore[method-assign]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role", "organisation", "is_active"]
    list_filter = ["role", "organisation", "is_active"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Placebase", {"fields": ("role", "organisation", "teams")}),
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
