"""The "Take a copy back" page of a shipped order: staff choose the shipped copy, the
shelf place it goes to and why it came back; order_return_copy does the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from bookshop.store.accounts.selectors import request_actor
from bookshop.store.inventory.codes import copy_code
from bookshop.store.orders.models import Order, ShippedCopy
from bookshop.store.orders.services import order_return_copy

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    _Base = ModelAdmin[Order]
else:
    _Base = object


class ShippedCopyChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{copy_code(obj.book_item_id)}: {obj.book.title} (shipped from {obj.place})"


class ReturnForm(forms.Form):
    # Not required here: order_return_copy says what each field needs.
    shipped_copy = ShippedCopyChoice(
        queryset=ShippedCopy.objects.none(),
        label="Shipped copy",
        widget=forms.RadioSelect,
        empty_label=None,
    )
    place = forms.CharField(label="Shelf place", max_length=64, required=False)
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["shipped_copy"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            ShippedCopy.objects.filter(order=order, returned_at__isnull=True)
            .select_related("book")
            .order_by("book_item_id")
        )


class ReturnScreen(_Base):
    """The Order admin's return page (mixed into OrderAdmin)."""

    def return_view(self, request: HttpRequest, order_id: int) -> HttpResponse:
        order = get_object_or_404(Order, pk=order_id)
        if not self.has_view_permission(request, order):
            raise PermissionDenied
        form = ReturnForm(request.POST if request.method == "POST" else None, order=order)
        if form.is_bound:
            if not self.has_change_permission(request, order):
                raise PermissionDenied
            if form.is_valid():
                try:
                    copy = order_return_copy(
                        shipped_copy_id=form.cleaned_data["shipped_copy"].pk,
                        place=form.cleaned_data["place"],
                        reason=form.cleaned_data["reason"],
                        actor=request_actor(request=request),
                    )
                except ValidationError as exc:
                    for field, said in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, said)
                else:
                    messages.success(
                        request, f"Copy {copy_code(copy.pk)} is back in stock at {copy.place}."
                    )
                    return HttpResponseRedirect(reverse("admin:orders_order_pack", args=[order.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Take a copy back: {order.number}",
            "opts": Order._meta,
            "order": order,
            "form": form,
            "returnable": form.fields["shipped_copy"].queryset.exists(),  # type: ignore[attr-defined]
        }
        return TemplateResponse(request, "admin/orders/order/return.html", context)
