from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from bookshop.common.admin import ReadOnlyAdmin
from bookshop.shop import dispatch
from bookshop.shop.core.models import SyncState


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyAdmin):
    list_display = ["name", "cursor", "last_succeeded_at", "healthy", "last_error"]
    change_list_template = "admin/core/syncstate/change_list.html"

    @admin.display(boolean=True, description="last run ok")
    def healthy(self, state: SyncState) -> bool:
        return not state.last_error

    def get_urls(self):
        sync_now = self.admin_site.admin_view(require_POST(self.sync_now))
        return [
            path("sync-now/", sync_now, name="core_syncstate_sync_now"),
            *super().get_urls(),
        ]

    def sync_now(self, request: HttpRequest) -> HttpResponseRedirect:
        """Queue a catalogue sync (full with `full=1`) and an order status sync."""
        if not self.has_view_permission(request):
            messages.error(request, "You may not start a sync.")
        else:
            full = request.POST.get("full") == "1"
            dispatch.catalog_sync_enqueue(full=full)
            dispatch.order_status_sync_enqueue()
            what = "A full catalogue reconciliation" if full else "A catalogue sync"
            messages.success(
                request, f"{what} and an order status sync are queued; reload in a moment."
            )
        return HttpResponseRedirect(reverse("admin:core_syncstate_changelist"))
