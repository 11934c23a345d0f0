"""Admin for case-work configuration only. People's records are deliberately not here: the
admin would bypass the scoped, audited selectors and services."""

from django.contrib import admin

from placebase.accounts.models import DataSharingAgreement

from .models import ApiToken, Instrument, InstrumentVersion, PatchAssignment


class InstrumentVersionInline(admin.TabularInline):
    model = InstrumentVersion
    extra = 0


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    inlines = [InstrumentVersionInline]


@admin.register(PatchAssignment)
class PatchAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "area", "is_active"]
    list_filter = ["is_active"]
    raw_id_fields = ["user", "area"]


@admin.register(DataSharingAgreement)
class DataSharingAgreementAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "status", "starts_on", "ends_on"]
    list_filter = ["status"]
    filter_horizontal = ["partners"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `manage.py casework_api_token`; here they can only be revoked."""

    list_display = ["name", "user", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "name", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
