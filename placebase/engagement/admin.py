"""Read-only admin: engagement is changed through its services (which check and audit), so
the admin only helps an administrator look things up."""

from typing import Any

from django.contrib import admin

from .models import Activity, CouncillorWard


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnly):
    list_display = ["title", "kind", "area_name", "held_on"]
    list_filter = ["kind"]
    search_fields = ["title", "area_name", "area_code"]


@admin.register(CouncillorWard)
class CouncillorWardAdmin(ReadOnly):
    list_display = ["user", "area_name", "area_code"]
