from django.contrib import admin

from bookshop.common.admin import ReadOnlyAdmin
from bookshop.shop.alerts.models import StockAlert


@admin.register(StockAlert)
class StockAlertAdmin(ReadOnlyAdmin):
    """Who waits for which book, and what was sent: written by customers and the sync."""

    list_display = ["email", "book", "created_at", "ending", "ended_at", "sent_at", "attempts"]
    list_filter = ["ending"]
    search_fields = ["email", "book__title", "=book__store_id"]
    list_select_related = ["book"]
    raw_id_fields = ["book", "user"]
    ordering = ["-created_at", "-id"]
    list_per_page = 50
