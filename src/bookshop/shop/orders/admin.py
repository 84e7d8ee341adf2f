import contextlib
import uuid

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from bookshop.common.admin import ReadOnlyInline
from bookshop.shop.orders.models import Order, OrderEvent, OrderItem


class OrderItemInline(ReadOnlyInline):
    model = OrderItem
    fields = ["title", "store_book_id", "book", "unit_price", "quantity"]
    readonly_fields = tuple(fields)  # type: ignore[arg-type]


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "from_status", "to_status", "note", "actor_display"]
    readonly_fields = tuple(fields)  # type: ignore[arg-type]
    verbose_name_plural = "history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Customers' orders. Statuses change only through the store (and the status sync),
    so everything here is read-only; the history inline shows every move."""

    list_display = [
        "number_display",
        "uuid",
        "email",
        "status",
        "total",
        "created_at",
        "status_changed_at",
        "store_order_id",
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["email"]
    search_help_text = "Email, order number or UUID"
    date_hierarchy = "created_at"
    inlines = [OrderItemInline, OrderEventInline]
    fields = [
        "uuid",
        "user",
        "email",
        "status",
        "fail_reason",
        "status_changed_at",
        "store_order_id",
        "total",
        "delivery_address",
        "phone",
        "created_at",
        "updated_at",
    ]
    readonly_fields = tuple(fields)  # type: ignore[arg-type]
    list_per_page = 50

    @admin.display(description="order", ordering="id")
    def number_display(self, order: Order) -> str:
        return f"#{order.pk}"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Order], search_term: str
    ) -> tuple[QuerySet[Order], bool]:
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().lstrip("#")
        extra = Q()
        with contextlib.suppress(ValueError):
            extra |= Q(uuid=uuid.UUID(term))
        if term.isdigit():
            extra |= Q(pk=int(term))
        if extra:
            queryset |= self.model.objects.filter(extra)
        return queryset, may_have_duplicates

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False
