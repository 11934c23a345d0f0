"""Admin for places. Uploads go through the places import pages (background tasks with
progress); the admin lists what is there and can switch sets on or off for locating."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import Area, AreaAttribute, BoundarySet, ImportJob, ImportKind, Postcode


@admin.register(BoundarySet)
class BoundarySetAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "vintage", "is_active", "source", "licence"]
    list_filter = ["level", "is_active"]
    readonly_fields = ["geometry_version"]
    actions = ["activate", "deactivate", "locate_existing"]

    @admin.action(description="Use for locating records")
    def activate(self, request: HttpRequest, queryset: QuerySet[BoundarySet]) -> None:
        for boundary_set in queryset:
            services.boundary_set_activate(
                boundary_set=boundary_set, is_active=True, actor=request.user
            )

    @admin.action(description="Stop using for locating records")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[BoundarySet]) -> None:
        for boundary_set in queryset:
            services.boundary_set_activate(
                boundary_set=boundary_set, is_active=False, actor=request.user
            )

    @admin.action(description="Place existing records in these sets (in the background)")
    def locate_existing(self, request: HttpRequest, queryset: QuerySet[BoundarySet]) -> None:
        for boundary_set in queryset:
            services.import_job_start(
                kind=ImportKind.LOCATE,
                actor=request.user,
                options={"boundary_set": str(boundary_set.id)},
            )


class AreaAttributeInline(admin.TabularInline):
    model = AreaAttribute
    extra = 0


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "boundary_set", "version"]
    list_filter = ["boundary_set"]
    search_fields = ["name", "code"]
    exclude = ["geometry_wkb"]
    readonly_fields = [
        "geometry",
        "geometry_hash",
        "min_lon",
        "min_lat",
        "max_lon",
        "max_lat",
        "centroid_lat",
        "centroid_lon",
        "area_m2",
        "version",
    ]
    inlines = [AreaAttributeInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Area]:
        return super().get_queryset(request).defer("geometry_wkb")


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin):
    list_display = ["postcode", "lat", "lon", "terminated", "lsoa11_code", "source"]
    search_fields = ["postcode"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["kind", "filename", "status", "done", "total", "created_at"]
    list_filter = ["kind", "status"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
