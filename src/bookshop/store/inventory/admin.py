"""Staff screens for the catalogue and the copies on the shelves.

They show what orders reserve and save copies through the order rules, so this module
(unlike inventory's models and services) builds on orders, as the API does.
Every write goes through a service, which also moves the books' `updated_at`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from bookshop.common.admin import ServiceAdmin
from bookshop.store.inventory import subject_admin  # noqa: F401  (registers SubjectAdmin)
from bookshop.store.inventory.admin_labels import LabelSheets
from bookshop.store.inventory.catalog_admin import CatalogCsvAdmin
from bookshop.store.inventory.codes import copy_code, copy_id_from_code
from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.inventory.services import (
    BOOK_FIELDS,
    book_create,
    book_items_add,
    book_update,
    books_set_active,
)
from bookshop.store.orders.selectors import book_list
from bookshop.store.orders.services import book_item_update, book_items_remove

if TYPE_CHECKING:
    from bookshop.store.orders.selectors import StockedBook

    _CopyAdminBase = admin.options.BaseModelAdmin[BookItem]
else:  # the admin's classes are not generic at run time
    _CopyAdminBase = object


class PriceRangeFilter(admin.SimpleListFilter):
    title = "price"
    parameter_name = "price"
    RANGES = {
        "under-10": (None, Decimal(10)),
        "10-20": (Decimal(10), Decimal(20)),
        "20-50": (Decimal(20), Decimal(50)),
        "50-up": (Decimal(50), None),
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("under-10", "under 10"),
            ("10-20", "10 to under 20"),
            ("20-50", "20 to under 50"),
            ("50-up", "50 and more"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Book]) -> QuerySet[Book]:
        low, high = self.RANGES.get(self.value() or "", (None, None))
        if low is not None:
            queryset = queryset.filter(price__gte=low)
        if high is not None:
            queryset = queryset.filter(price__lt=high)
        return queryset


class CopyPickedFor(_CopyAdminBase):
    """What both copy listings show: the order a copy is picked for, fetched with it."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[BookItem]:
        return super().get_queryset(request).select_related("book", "packing_slot")

    @admin.display(description="picked for order")
    def picked_for(self, item: BookItem) -> str:
        slot = getattr(item, "packing_slot", None)
        return f"order {slot.order_id}" if slot else "-"


class _NamedCopiesFormSet(BaseInlineFormSet):
    """The copy rows' inputs, each named for its copy ("Shelf place of copy C00000042",
    "Delete copy C00000042"): the table's column headers are no labels, so a screen
    reader would otherwise meet a column of nameless boxes."""

    def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
        super().add_fields(form, index)
        copy = getattr(form, "instance", None)
        name = f"copy {copy_code(copy.pk)}" if copy is not None and copy.pk else "a new copy"
        if "place" in form.fields:
            form.fields["place"].widget.attrs["aria-label"] = f"Shelf place of {name}"
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = f"Delete {name}"


class BookItemInline(CopyPickedFor, admin.TabularInline):
    model = BookItem
    formset = _NamedCopiesFormSet
    fields = ["place", "status", "picked_for"]
    readonly_fields = ["status", "picked_for"]
    extra = 1
    show_change_link = True


def _cover(book: Book, size: str) -> SafeString | str:
    if not book.image:
        return "-"
    # Sized by a class in store/staff.css: the CSP allows no style attributes.
    return format_html(
        '<img src="{}" alt="Cover of {}" class="cover-{}">', book.image.url, book.title, size
    )


def _named_price_form(form: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """The list's price boxes, each named for its book ("Price of Dune"): the column's
    header is no label, so a screen reader would meet a row of nameless boxes."""

    class NamedPrice(form):  # type: ignore[valid-type, misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if "price" in self.fields and self.instance.pk:
                self.fields["price"].widget.attrs["aria-label"] = f"Price of {self.instance}"

    return NamedPrice


@admin.register(Book)
class BookAdmin(CatalogCsvAdmin, ServiceAdmin):
    list_display = [
        "title",
        "author",
        "isbn",
        "price",
        "available",
        "in_stock",
        "is_active",
        "updated_at",
        "thumbnail",
    ]
    list_display_links = ["title"]
    list_editable = ["price"]
    list_filter = ["is_active", PriceRangeFilter, "subjects", "format", "language"]
    search_fields = ["title", "author", "isbn"]
    list_per_page = 50
    inlines = [BookItemInline]
    actions = ["deactivate", "activate"]
    readonly_fields = ["cover", "availability", "labels", "created_at", "updated_at"]
    autocomplete_fields = ["subjects"]
    fieldsets = [
        (None, {"fields": ["title", "author", "isbn", "description", "price", "is_active"]}),
        (
            "Details",
            {
                "fields": [
                    "subjects",
                    "publisher",
                    "published_year",
                    "format",
                    "pages",
                    "language",
                    ("series", "series_number"),
                ]
            },
        ),
        ("Cover", {"fields": ["image", "cover"]}),
        ("Stock", {"fields": ["availability", "labels", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[StockedBook]:
        return book_list(queryset=super().get_queryset(request))

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> type[forms.ModelForm]:
        return _named_price_form(super().get_changelist_form(request, **kwargs))

    def has_delete_permission(self, request: HttpRequest, obj: Book | None = None) -> bool:
        # The shop only learns a book is gone from a tombstone: deactivate, never delete.
        return False

    @admin.display(description="available", ordering="available")
    def available(self, book: StockedBook) -> int:
        return book.available

    @admin.display(description="in stock", ordering="in_stock")
    def in_stock(self, book: StockedBook) -> int:
        return book.in_stock

    @admin.display(description="cover")
    def thumbnail(self, book: Book) -> SafeString | str:
        return _cover(book, "thumbnail")

    @admin.display(description="preview")
    def cover(self, book: Book) -> SafeString | str:
        return _cover(book, "preview")

    @admin.display(description="labels")
    def labels(self, book: Book) -> SafeString | str:
        if book._state.adding:
            return "-"
        url = reverse("admin:inventory_bookitem_labels") + f"?book={book.pk}"
        return format_html('<a href="{}">Print labels for this book\'s copies</a>', url)

    @admin.display(description="availability")
    def availability(self, book: Book) -> str:
        if book._state.adding:  # the add page's new book has no stock yet
            return "-"
        stocked = cast("StockedBook", book)  # any other page's book came from get_queryset
        return (
            f"{stocked.in_stock} in stock, {stocked.reserved} reserved by open orders, "
            f"{stocked.available} available"
        )

    def save_model(
        self, request: HttpRequest, obj: Book, form: forms.ModelForm, change: bool
    ) -> None:
        # The form has put its values on `obj` already; the service checks and saves them,
        # and sets the subjects (moving updated_at when they change) instead of save_m2m.
        data: dict[str, Any] = {
            name: getattr(obj, name) for name in BOOK_FIELDS if name in form.cleaned_data
        }
        if "subjects" in form.cleaned_data:
            data["subjects"] = list(form.cleaned_data["subjects"])
        if change:
            book_update(book=obj, data=data)
        else:
            # The page's messages, the log and the copies inline name the book it made.
            obj.pk = book_create(data=data).pk

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        # save_model has set the subjects; only the copies are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool
    ) -> None:
        # Writes nothing: sorts the rows into removed, changed and new, for the services and
        # for the change message the admin logs.
        formset.save(commit=False)
        book = form.instance
        if formset.deleted_objects:
            book_items_remove(book_item_ids=[copy.pk for copy in formset.deleted_objects])
        for copy, _ in formset.changed_objects:
            book_item_update(book_item_id=copy.pk, book_id=book.pk, place=copy.place)
        formset.new_objects = [
            book_items_add(book=book, place=copy.place)[0] for copy in formset.new_objects
        ]

    @admin.action(description="Deactivate selected books (hide them from the shop)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Book]) -> None:
        count = books_set_active(book_ids=list(queryset.values_list("pk", flat=True)), active=False)
        self.message_user(request, f"{count} books deactivated.", messages.SUCCESS)

    @admin.action(description="Activate selected books")
    def activate(self, request: HttpRequest, queryset: QuerySet[Book]) -> None:
        count = books_set_active(book_ids=list(queryset.values_list("pk", flat=True)), active=True)
        self.message_user(request, f"{count} books activated.", messages.SUCCESS)


@admin.register(BookItem)
class BookItemAdmin(LabelSheets, CopyPickedFor, ServiceAdmin):
    list_display = ["id", "code", "book", "place", "status", "picked_for", "updated_at"]
    actions = ["delete_selected", "print_labels"]
    list_filter = ["status"]
    search_fields = ["book__title", "place"]
    search_help_text = "A label code (C00000042), a title or a shelf place."
    autocomplete_fields = ["book"]
    readonly_fields = ["status", "picked_for"]
    fields = ["book", "place", "status", "picked_for"]
    list_per_page = 100

    def get_urls(self) -> list[Any]:
        return [*self.label_urls(), *super().get_urls()]

    @admin.display(description="label code", ordering="id")
    def code(self, item: BookItem) -> str:
        return copy_code(item.pk)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[BookItem], search_term: str
    ) -> tuple[QuerySet[BookItem], bool]:
        copy_id = copy_id_from_code(search_term) if search_term.strip()[:1] in "Cc" else None
        if copy_id is not None:
            # A scanned or typed label code finds its copy.
            queryset, may_have_duplicates = queryset.filter(pk=copy_id), False
        else:
            queryset, may_have_duplicates = super().get_search_results(
                request, queryset, search_term
            )
        if request.GET.get("model_name") == "packingslot":
            # The packing slot's autocomplete: only free in-stock copies of the slot's book.
            queryset = queryset.filter(
                status=BookItem.Status.IN_STOCK, packing_slot__isnull=True
            ).order_by("place", "id")
            book = request.GET.get("book", "")
            if book.isdigit():
                queryset = queryset.filter(book_id=int(book))
        return queryset, may_have_duplicates

    def save_model(
        self, request: HttpRequest, obj: BookItem, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            book_item_update(book_item_id=obj.pk, book_id=obj.book_id, place=obj.place)
        else:
            # The page's messages and the admin's log name the copy the service made.
            obj.pk = book_items_add(book=obj.book, place=obj.place)[0].pk

    def delete_model(self, request: HttpRequest, obj: BookItem) -> None:
        book_items_remove(book_item_ids=[obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[BookItem]) -> None:
        book_items_remove(book_item_ids=list(queryset.values_list("pk", flat=True)))
