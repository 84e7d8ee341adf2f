"""Staff screens for orders: packing slot by slot, status changes, pick lists.

Everything that changes an order goes through bookshop.store.orders.services, which alone
check the rules: a save the services refuse is rolled back and the page comes back with
their reasons as form errors (ServiceAdmin).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from bookshop.common.admin import ReadOnlyInline, Refusal, ServiceAdmin
from bookshop.store.accounts.selectors import request_actor
from bookshop.store.orders.admin_packing import PackingScreen
from bookshop.store.orders.admin_returns import ReturnScreen
from bookshop.store.orders.admin_sales import SalesScreen
from bookshop.store.orders.models import Order, OrderEvent, OrderItem, PackingSlot, ShippedCopy
from bookshop.store.orders.selectors import order_pick_list
from bookshop.store.orders.services import (
    OrderConflict,
    order_cancel,
    order_complete,
    order_fail,
    order_pack,
    orders_cancel,
    orders_complete,
    orders_fail,
)

Status = Order.Status


def _stored_open(order: Order) -> bool:
    return getattr(order, "stored_status", order.status) == Status.IN_WORK


class SlotCopyWidget(AutocompleteSelect):
    """The copy picker of one packing slot: searches only that slot's book, and shows the
    copy already picked without a query of its own (the slot list loads it)."""

    book_id: int | None = None
    selected_label: tuple[str, str] | None = None

    def get_url(self) -> str:
        url = super().get_url()
        return f"{url}?book={self.book_id}" if self.book_id else url

    def build_attrs(
        self, base_attrs: dict[str, Any], extra_attrs: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        attrs = super().build_attrs(base_attrs, extra_attrs)
        # The picker's box takes its accessible name from the text it shows; with Django's
        # empty placeholder an empty slot is a combobox without a name.
        attrs["data-placeholder"] = "Pick a copy"
        return attrs

    def optgroups(
        self, name: str, value: Sequence[str], attrs: dict[str, Any] | None = None
    ) -> list[tuple[str | None, list[dict[str, Any]], int | None]]:
        if self.selected_label and [str(v) for v in value] == [self.selected_label[0]]:
            pk, label = self.selected_label
            options = [
                self.create_option(name, "", "", False, 0),
                self.create_option(name, pk, label, True, 1),
            ]
            return [(None, options, 0)]
        return super().optgroups(name, value, attrs)


class PackingSlotForm(forms.ModelForm):
    class Meta:
        model = PackingSlot
        fields = ["book_item"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("book_item")
        if field is None:
            return
        widget = field.widget
        widget = getattr(widget, "widget", widget)  # inside the admin's related-field wrapper
        if isinstance(widget, SlotCopyWidget) and self.instance.pk:
            widget.book_id = self.instance.order_item.book_id
            copy = self.instance.book_item
            if copy is not None:
                widget.selected_label = (str(copy.pk), str(copy))

    def validate_unique(self) -> None:
        # order_pack checks the whole packing, and its messages say which order holds a
        # copy; the database's unique constraint backs it up.
        pass


class PackingSlotFormSet(forms.BaseInlineFormSet):
    def validate_unique(self) -> None:
        pass  # see PackingSlotForm.validate_unique


class PackingSlotInline(admin.TabularInline):
    model = PackingSlot
    form = PackingSlotForm
    formset = PackingSlotFormSet
    fields = ["unit", "book_item", "place"]
    readonly_fields = ["unit", "place"]
    autocomplete_fields = ["book_item"]
    extra = 0
    can_delete = False
    verbose_name = "packing slot"
    verbose_name_plural = "packing slots (one per ordered unit: pick a copy for each)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[PackingSlot]:
        return (
            super()
            .get_queryset(request)
            .select_related("order_item", "book_item__book")
            .order_by("order_item_id", "position")
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Order | None = None) -> list[str]:
        if obj is not None and not _stored_open(obj):
            return [*self.readonly_fields, "book_item"]
        return self.readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if db_field.name == "book_item":
            kwargs["widget"] = SlotCopyWidget(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="unit")
    def unit(self, slot: PackingSlot) -> str:
        return f"{slot.order_item.title} #{slot.position}"

    @admin.display(description="shelf place")
    def place(self, slot: PackingSlot) -> str:
        return slot.book_item.place if slot.book_item is not None else "-"


class OrderItemInline(ReadOnlyInline):
    model = OrderItem
    fields = ["book", "title", "quantity", "unit_price"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderItem]:
        return super().get_queryset(request).select_related("book")


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "actor", "from_status", "to_status", "note"]
    verbose_name_plural = "history"

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderEvent]:
        return super().get_queryset(request).select_related("actor")


class ShippedCopyInline(ReadOnlyInline):
    model = ShippedCopy
    fields = ["book_item_id", "place", "book", "shipped_at", "returned_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ShippedCopy]:
        return super().get_queryset(request).select_related("book")


class OrderAdminForm(forms.ModelForm):
    class Meta:
        model = Order
        fields = ["status", "fail_reason"]
        help_texts = {
            "status": "Success ships the picked copies; fail and cancelled release the "
            "reservation and the picked copies.",
            "fail_reason": "Required to mark the order as fail.",
        }


class FailReasonForm(forms.Form):
    # Not required here: orders_fail says what a reason needs, on this field.
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label="Reason", required=False
    )


def _units_subquery() -> Subquery:
    return Subquery(
        OrderItem.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(n=Sum("quantity"))
        .values("n"),
        output_field=IntegerField(),
    )


def _picked_subquery() -> Subquery:
    return Subquery(
        PackingSlot.objects.filter(order=OuterRef("pk"), book_item__isnull=False)
        .order_by()
        .values("order")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def _total_subquery() -> Subquery:
    return Subquery(
        OrderItem.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(n=Sum(F("quantity") * F("unit_price")))
        .values("n"),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def _age(when: datetime) -> str:
    """A short age for a narrow column: "40 min", "5 h", "3 d"."""
    minutes = int((timezone.now() - when).total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


# Expressions, which the admin sorts by (its type stubs know only field names).
OPEN_FIRST: list[Any] = [
    Case(When(status=Status.IN_WORK, then=0), default=1).asc(),
    Case(When(status=Status.IN_WORK, then=F("created_at")), default=None).asc(),
    F("created_at").desc(),
    F("id").desc(),
]


@admin.register(Order)
class OrderAdmin(PackingScreen, ReturnScreen, SalesScreen, ServiceAdmin):
    form = OrderAdminForm
    refusals = (OrderConflict, ValidationError)
    list_display = [
        "number",
        "customer_email",
        "units",
        "picked",
        "total",
        "status",
        "age",
        "pack_link",
    ]
    list_display_links = ["number"]
    list_filter = ["status"]
    # Open orders first, the oldest on top (they wait longest); then the closed, newest first.
    ordering = OPEN_FIRST
    search_fields = ["customer_email", "shop_order_id"]
    search_help_text = "The customer's order number (5 or #5), their email, or the shop's UUID."
    actions = ["mark_success", "mark_fail", "mark_cancelled"]
    inlines = [OrderItemInline, PackingSlotInline, OrderEventInline, ShippedCopyInline]
    # What the shop sent and when: shown, never edited; the status moves through services.
    readonly_fields = [
        "shop_order_number",
        "shop_order_id",
        "customer_email",
        "delivery_address",
        "delivery_fee",
        "created_by",
        "created_at",
        "updated_at",
        "pick_list",
    ]
    fieldsets = [
        (None, {"fields": list(readonly_fields)}),
        ("Status", {"fields": ["status", "fail_reason"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        # Not super()'s: it sorts before the annotations the sort names exist.
        return Order.objects.annotate(
            units=_units_subquery(),
            picked=_picked_subquery(),
            lines_total=_total_subquery(),
            open_rank=Case(When(status=Status.IN_WORK, then=0), default=1),
            open_since=Case(When(status=Status.IN_WORK, then=F("created_at")), default=None),
        ).order_by(*self.get_ordering(request))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Order], search_term: str
    ) -> tuple[QuerySet[Order], bool]:
        number = search_term.strip().removeprefix("#").strip()
        if number.isdigit() and len(number) < 19:
            # The number the customer quotes, exactly: "5" must find neither #15 nor the
            # UUIDs and emails that happen to hold a 5.
            return queryset.filter(shop_order_number=int(number)), False
        return super().get_search_results(request, queryset, search_term)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Order | None:
        order = super().get_object(request, object_id, from_field)
        if order is not None:
            # The form writes the requested status onto this object while validating; the
            # page shown after a refused change must still follow the stored one.
            order.stored_status = order.status  # type: ignore[attr-defined]  # an extra mark
        return order

    def get_readonly_fields(self, request: HttpRequest, obj: Order | None = None) -> list[str]:
        if obj is not None and not _stored_open(obj):
            return [*self.readonly_fields, "status", "fail_reason"]
        return self.readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders come from the API

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False  # an order's history is kept; fail it instead

    @admin.display(description="units", ordering="units")
    def units(self, order: Order) -> int:
        return getattr(order, "units", None) or 0  # annotated by get_queryset

    @admin.display(description="picked")
    def picked(self, order: Order) -> int:
        return getattr(order, "picked", None) or 0  # annotated by get_queryset

    @admin.display(description="number", ordering="shop_order_number")
    def number(self, order: Order) -> str:
        return order.number

    @admin.display(description="total")
    def total(self, order: Order) -> str:
        lines = getattr(order, "lines_total", None) or Decimal("0")  # annotated
        return f"{lines + order.delivery_fee:.2f}"

    @admin.display(description="age", ordering="created_at")
    def age(self, order: Order) -> str:
        return _age(order.created_at)

    @admin.display(description="")
    def pack_link(self, order: Order) -> str:
        if not order.is_open:
            return ""
        url = reverse("admin:orders_order_pack", args=[order.pk])
        return format_html('<a href="{}">Pack &amp; ship</a>', url)

    @admin.display(description="packing")
    def pick_list(self, order: Order) -> str:
        links = [
            (reverse("admin:orders_order_pick_list", args=[order.pk]), "Print the pick list"),
            (reverse("admin:orders_order_pack", args=[order.pk]), "Pack & ship"),
        ]
        if order.status == Status.SUCCESS:
            url = reverse("admin:orders_order_return", args=[order.pk])
            links.append((url, "Take a copy back"))
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    # -- saving through the services -----------------------------------------------------------

    def save_model(
        self, request: HttpRequest, obj: Order, form: forms.ModelForm, change: bool
    ) -> None:
        # Nothing to write here: the packing and the status move in save_related, through
        # the services, after the slots' new picks are known.
        pass

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        order = form.instance
        stored = Order.objects.get(pk=order.pk)
        for formset in formsets:
            # Writes nothing; fills in what the admin's change message reads.
            formset.save(commit=False)
            if isinstance(formset, PackingSlotFormSet) and stored.is_open and formset.has_changed():
                picks = [f.cleaned_data.get("book_item") for f in formset.forms]
                order_pack(
                    order_id=order.pk,
                    book_item_ids=[copy.pk for copy in picks if copy],
                    actor=request_actor(request=request),
                )
        wanted = form.cleaned_data.get("status")
        if wanted == Status.SUCCESS and stored.status != wanted:
            order_complete(
                order_id=order.pk, actor=request_actor(request=request), note="Marked in the admin."
            )
        elif wanted == Status.FAIL and stored.status != wanted:
            order_fail(
                order_id=order.pk,
                actor=request_actor(request=request),
                reason=form.cleaned_data["fail_reason"],
            )
        elif wanted == Status.CANCELLED and stored.status != wanted:
            order_cancel(
                order_id=order.pk,
                actor=request_actor(request=request),
                note="Cancelled in the admin.",
            )

    def refusal_errors(self, exc: Exception) -> Refusal:
        if isinstance(exc, OrderConflict):
            # The requested status is what these refuse ("not_packed", "invalid_transition");
            # "order_closed" (packing a closed order) is about the whole page.
            return {None if exc.code == "order_closed" else "status": [exc.detail]}
        errors = super().refusal_errors(exc)
        # order_fail's reason is the form's fail_reason; the packing's reasons concern all
        # the slots at once, so they go above the form.
        places: dict[str | None, str | None] = {"reason": "fail_reason", "book_items": None}
        return {places.get(field, field): said for field, said in errors.items()}

    # -- bulk actions --------------------------------------------------------------------------

    def _report(
        self, request: HttpRequest, ids: list[int], errors: dict[int, str], verb: str
    ) -> None:
        done = len(ids) - len(errors)
        if done:
            self.message_user(request, f"{done} orders marked as {verb}.", messages.SUCCESS)
        for pk, error in errors.items():
            self.message_user(request, f"Order {pk}: {error}", messages.ERROR)

    @admin.action(description="Mark as success")
    def mark_success(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        self._report(
            request,
            ids,
            orders_complete(order_ids=ids, actor=request_actor(request=request)),
            "success",
        )

    @admin.action(description="Cancel (release the stock)")
    def mark_cancelled(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        self._report(
            request,
            ids,
            orders_cancel(order_ids=ids, actor=request_actor(request=request)),
            "cancelled",
        )

    @admin.action(description="Mark as fail")
    def mark_fail(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
        form = FailReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            ids = list(queryset.values_list("pk", flat=True))
            try:
                errors = orders_fail(
                    order_ids=ids,
                    actor=request_actor(request=request),
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error("reason", exc.message_dict["reason"])
            else:
                self._report(request, ids, errors, "fail")
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Why did these orders fail?",
            "opts": self.model._meta,
            "orders": queryset,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/orders/order/fail_reason.html", context)

    # -- pick list -----------------------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:order_id>/pick-list/",
                self.admin_site.admin_view(self.pick_list_view),
                name="orders_order_pick_list",
            ),
            path(
                "<int:order_id>/pack/",
                self.admin_site.admin_view(self.pack_view),
                name="orders_order_pack",
            ),
            path("sales/", self.admin_site.admin_view(self.sales_view), name="orders_order_sales"),
            path(
                "sales.csv",
                self.admin_site.admin_view(self.sales_csv_view),
                name="orders_order_sales_csv",
            ),
            path(
                "<int:order_id>/return/",
                self.admin_site.admin_view(self.return_view),
                name="orders_order_return",
            ),
            *super().get_urls(),
        ]

    def pick_list_view(self, request: HttpRequest, order_id: int) -> HttpResponse:
        order = get_object_or_404(Order, pk=order_id)
        if not self.has_view_permission(request, order):
            return HttpResponseRedirect(reverse("admin:index"))
        context = {**self.admin_site.each_context(request), **order_pick_list(order=order)}
        return TemplateResponse(request, "admin/orders/order/pick_list.html", context)
