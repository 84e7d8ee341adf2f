"""The "Pack & ship" screen: one page per order, plain forms that post, each action one
service call.

One slot per ordered unit; "Pick suggested copies" takes the pick list's suggestion; the
scan box takes a copy's label code (a barcode scanner types it and presses Enter); then
"Ship" or "Fail, with a reason". A refusal is a message on the page and changes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from bookshop.store.accounts.selectors import request_actor
from bookshop.store.inventory.codes import copy_code
from bookshop.store.orders.models import Order, OrderEvent, PackingSlot
from bookshop.store.orders.selectors import order_suggested_copies
from bookshop.store.orders.services import (
    OrderConflict,
    order_complete,
    order_fail,
    order_pick_by_code,
    order_pick_suggested,
    order_slot_clear,
)

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    _Base = ModelAdmin[Order]
else:
    _Base = object


SHIPPED_NOTE = "Shipped from the packing screen."


def _said(exc: Exception) -> str:
    if isinstance(exc, OrderConflict):
        return exc.detail
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def event_rows(events: list[OrderEvent]) -> list[dict[str, Any]]:
    """An order's history as staff read it: the move in words, who, when, why."""
    return [
        {
            "move": str(event),
            "who": event.actor.get_username() if event.actor else "the system",
            "when": event.created_at,
            "note": event.note,
        }
        for event in events
    ]


class PackingScreen(_Base):
    """The Order admin's "Pack & ship" page (mixed into OrderAdmin)."""

    def pack_view(self, request: HttpRequest, order_id: int) -> HttpResponse:
        order = get_object_or_404(Order, pk=order_id)
        if not self.has_view_permission(request, order):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_change_permission(request, order):
                raise PermissionDenied
            self._pack_action(request, order)
            return HttpResponseRedirect(request.path)
        return TemplateResponse(
            request, "admin/orders/order/pack.html", self._pack_context(request, order)
        )

    def _pack_action(self, request: HttpRequest, order: Order) -> None:
        actor = request_actor(request=request)
        post = request.POST
        try:
            if "suggest" in post:
                filled = order_pick_suggested(order_id=order.pk, actor=actor)
                if filled:
                    messages.success(request, f"{filled} units filled from the pick list.")
                else:
                    messages.warning(request, "No free copy to suggest for the empty units.")
            elif "scan" in post:
                slot = order_pick_by_code(order_id=order.pk, code=post.get("code", ""), actor=actor)
                messages.success(
                    request,
                    f"Copy {copy_code(slot.book_item_id or 0)} is in "
                    f"“{slot.order_item.title}” #{slot.position}.",
                )
            elif "clear" in post:
                slot_id = post.get("clear", "")
                order_slot_clear(
                    order_id=order.pk,
                    slot_id=int(slot_id) if slot_id.isdigit() else 0,
                    actor=actor,
                )
                messages.success(request, "The unit is empty again.")
            elif "ship" in post:
                order_complete(order_id=order.pk, actor=actor, note=SHIPPED_NOTE)
                messages.success(request, f"{order.number} shipped.")
            elif "fail" in post:
                order_fail(order_id=order.pk, actor=actor, reason=post.get("reason", ""))
                messages.success(request, f"{order.number} failed; its copies are free again.")
        except (OrderConflict, ValidationError) as exc:
            messages.error(request, f"Nothing changed: {_said(exc)}")

    def _pack_context(self, request: HttpRequest, order: Order) -> dict[str, Any]:
        slots = list(
            PackingSlot.objects.filter(order=order)
            .select_related("order_item", "book_item")
            .order_by("order_item_id", "position")
        )
        lines = order.items.aggregate(total=Sum(F("quantity") * F("unit_price")))["total"]
        events = list(OrderEvent.objects.filter(order=order).select_related("actor"))
        rows = [
            {
                "slot": slot,
                "unit": f"{slot.order_item.title} #{slot.position}",
                "code": copy_code(slot.book_item_id) if slot.book_item_id else "",
                "place": slot.book_item.place if slot.book_item else "",
            }
            for slot in slots
        ]
        empty = sum(1 for slot in slots if slot.book_item_id is None)
        return {
            **self.admin_site.each_context(request),
            "title": f"Pack & ship {order.number}",
            "opts": Order._meta,
            "order": order,
            "rows": rows,
            "empty": empty,
            "suggestions": len(order_suggested_copies(order=order)) if empty else 0,
            "total": (lines or Decimal("0")) + order.delivery_fee,
            "history": event_rows(events),
            "example_code": copy_code(42),
        }
