from django.contrib import admin

from bookshop.shop.core.models import SyncState


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model only the shop's own code writes: staff may look, not touch."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyAdmin):
    list_display = ["name", "cursor", "last_started_at", "last_succeeded_at", "healthy"]

    @admin.display(boolean=True, description="last run ok")
    def healthy(self, state: SyncState) -> bool:
        return not state.last_error
