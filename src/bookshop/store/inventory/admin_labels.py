"""The label sheet: an A4 page of copy labels to print, for a book's copies, a selection of
copies (an action on the copy list) or every copy added today."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from bookshop.store.inventory.labels import MAX_LABELS, copies_for_labels, labels_for
from bookshop.store.inventory.models import BookItem

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    _Base = ModelAdmin[BookItem]
else:
    _Base = object


class LabelSheets(_Base):
    """Mixed into the copy admin: its `labels/` page and the "Print labels" action."""

    def label_urls(self) -> list[Any]:
        return [
            path(
                "labels/",
                self.admin_site.admin_view(self.labels_view),
                name="inventory_bookitem_labels",
            )
        ]

    def labels_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        book, ids = request.GET.get("book", ""), request.GET.get("ids", "")
        if book.isdigit():
            copies = copies_for_labels(book_id=int(book))
            heading = "Labels for a book's copies"
        elif ids:
            wanted = [int(pk) for pk in ids.split(",") if pk.isdigit()]
            copies = copies_for_labels(ids=wanted)
            heading = "Labels for the selected copies"
        else:
            copies = copies_for_labels(added_on=timezone.localdate())
            heading = "Labels for the copies added today"
        return self._sheet(request, copies, heading)

    def _sheet(
        self, request: HttpRequest, copies: QuerySet[BookItem], heading: str
    ) -> HttpResponse:
        chosen = list(copies[: MAX_LABELS + 1])
        context = {
            "heading": heading,
            "labels": labels_for(chosen[:MAX_LABELS]),
            "left_out": len(chosen) > MAX_LABELS,
            "max_labels": MAX_LABELS,
        }
        return TemplateResponse(request, "admin/inventory/bookitem/labels.html", context)

    @admin.action(description="Print labels for the selected copies")
    def print_labels(self, request: HttpRequest, queryset: QuerySet[BookItem]) -> HttpResponse:
        copies = copies_for_labels(ids=queryset.values_list("pk", flat=True))
        return self._sheet(request, copies, "Labels for the selected copies")
