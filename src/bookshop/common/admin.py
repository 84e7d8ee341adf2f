"""Admin building blocks both services use for records only their own code writes."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model only the service's own code writes: staff may look, not touch."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown with their parent (an order's items, its history), never edited there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
