"""Django admin for Whole Place. The ledger, spend lines and involvements are read-only
here: the ledger is append-only (corrections are reversing entries, made in the service),
and the others come from validated imports."""

from typing import Any

from django.contrib import admin

from .models import (
    Agency,
    BenefitFigure,
    Involvement,
    LedgerEntry,
    PooledFund,
    RegisterEntry,
    SpendImport,
    SpendLine,
    SpendTotal,
    Theme,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "code", "sector", "cost_bearer", "is_lead_council"]
    list_filter = ["sector", "cost_bearer"]


@admin.register(Theme)
class ThemeAdmin(ReadOnlyAdmin):
    list_display = ["name", "code"]


@admin.register(PooledFund)
class PooledFundAdmin(ReadOnlyAdmin):
    list_display = ["name", "price_year", "starts_on", "ends_on"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["fund", "sequence", "kind", "agency", "amount", "occurred_on", "entered_by"]
    list_filter = ["kind", "fund"]


@admin.register(SpendImport)
class SpendImportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "filename", "rows_added", "rows_skipped", "imported_by"]


@admin.register(SpendLine)
class SpendLineAdmin(ReadOnlyAdmin):
    list_display = ["agency", "area", "theme", "financial_year", "amount_pence"]
    list_select_related = ["agency__organisation", "area", "theme"]
    show_full_result_count = False  # millions of rows: do not count them on every page


@admin.register(Involvement)
class InvolvementAdmin(ReadOnlyAdmin):
    # The subject key is a pseudonym, but still never listed: nothing here needs it.
    list_display = ["agency", "subject_kind", "started_on", "ended_on", "source"]
    exclude = ["subject_key"]


@admin.register(BenefitFigure)
class BenefitFigureAdmin(ReadOnlyAdmin):
    list_display = ["source_reference", "cost_bearer", "amount", "amount_price_year"]


@admin.register(RegisterEntry)
class RegisterEntryAdmin(ReadOnlyAdmin):
    list_display = ["agency", "service_name", "approach", "staff_total", "staff_trained"]


@admin.register(SpendTotal)
class SpendTotalAdmin(ReadOnlyAdmin):
    list_display = ["area", "financial_year", "agency", "theme", "amount_pence", "lines"]
    show_full_result_count = False
