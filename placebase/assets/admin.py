"""Django admin for the directory: reference data is editable; listings and personal data are
read-only here, because their writes go through services (versions, moderation, audit)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import models as m


@admin.register(m.Taxonomy)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "version"]
    search_fields = ["name"]


@admin.register(m.TaxonomyTerm)
class TaxonomyTermAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "taxonomy", "code"]
    list_filter = ["taxonomy"]
    search_fields = ["name", "code"]


@admin.register(m.DirectoryOrganisation)
class DirectoryOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "account_organisation", "website"]
    search_fields = ["name"]
    exclude = ["search_name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.Asset)
class AssetAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "status", "usage", "last_reviewed_at", "version"]
    list_filter = ["kind", "status", "usage", "acv_listed"]
    search_fields = ["name"]


@admin.register(m.EditProposal)
class EditProposalAdmin(ReadOnlyAdmin):
    list_display = ["asset", "kind", "status", "created_at"]
    list_filter = ["status", "kind"]


@admin.register(m.CommunityProject)
class CommunityProjectAdmin(ReadOnlyAdmin):
    list_display = ["name", "stage", "area_name"]
    list_filter = ["stage"]


@admin.register(m.UnmetNeed)
class UnmetNeedAdmin(ReadOnlyAdmin):
    list_display = ["area_code", "term", "created_at", "met_at"]
