"""Admin: read-mostly views for support staff. Changes go through the product's services."""

from django.contrib import admin

from .models import Badge, CelebrationEvent, Opportunity, Skill


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "hours_threshold")


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "organisation", "status")
    list_filter = ("kind", "status")
    search_fields = ("title",)

    def has_add_permission(self, request: object) -> bool:  # created through the service
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(CelebrationEvent)
class CelebrationEventAdmin(admin.ModelAdmin):
    list_display = ("title", "starts_at", "organisation")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
