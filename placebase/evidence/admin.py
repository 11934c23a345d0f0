"""Read-only admin: unit costs and parameters change only through services, which version
them and write the audit trail."""

from django.contrib import admin
from django.http import HttpRequest

from .models import ParameterSet, ServiceType, UnitCost, UnitCostShare


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ServiceType)
class ServiceTypeAdmin(ReadOnlyAdmin):
    list_display = ["code", "label"]
    search_fields = ["code", "label"]


class UnitCostShareInline(admin.TabularInline):
    model = UnitCostShare
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(UnitCost)
class UnitCostAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "version",
        "is_current",
        "item",
        "value",
        "value_price_year",
        "confidence_grade",
    ]
    list_filter = ["is_current", "confidence_grade", "service_type"]
    search_fields = ["code", "item", "source"]
    inlines = [UnitCostShareInline]


@admin.register(ParameterSet)
class ParameterSetAdmin(ReadOnlyAdmin):
    list_display = ["version", "label", "is_current", "created_at"]
