from django.contrib import admin
from django.db import models

from bookshop.common.admin import ReadOnlyAdmin
from bookshop.shop.catalog.models import Book


@admin.register(Book)
class BookAdmin(ReadOnlyAdmin):
    """The mirror of the store's catalogue: read-only here, changed in the store."""

    list_display = [
        "store_id",
        "title",
        "author",
        "isbn",
        "price",
        "quantity",
        "is_active",
        "store_updated_at",
        "synced_at",
    ]
    list_display_links = ["store_id", "title"]
    list_filter = ["is_active"]
    search_fields = ["title", "author", "isbn", "=store_id"]
    ordering = ["title", "id"]
    list_per_page = 50
    show_full_result_count = False
    # Only shown, never edited; naming the scheme keeps Django 6's default change quiet.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
