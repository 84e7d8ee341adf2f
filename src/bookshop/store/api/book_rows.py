"""Books as the API reads them out, built straight from database rows.

`BookSerializer` defines the shape and does every write. Reading through it costs DRF's
field machinery per book and per field (about 0.1 ms a book, most of a 500-book page),
so the list and the detail build the same dicts here from `values()` rows and one query
for the page's subjects. tests/store/api/test_book_rows.py holds the two to each other,
byte for byte, on the same books.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import ISO_8601
from rest_framework.settings import api_settings

from bookshop.common.plain_reads import values_by
from bookshop.store.api.serializers import BookSerializer
from bookshop.store.inventory.models import Book, Subject

# What a row holds: the serializer's fields by their model names (`quantity` reads the
# `available` annotation); the subjects come from a query of their own.
COLUMNS = tuple(
    getattr(BookSerializer._declared_fields.get(name), "source", None) or name
    for name in BookSerializer.Meta.fields
    if name != "subjects"
)
CENTS = Decimal("0.01")


def book_values(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The books of `queryset` (filtered, ordered, annotated by `book_list`) as rows, with
    the fields it is ordered by too: the cursor pagination reads its position off a row."""
    ordered_by = [str(term).lstrip("-") for term in queryset.query.order_by]
    extra = [name for name in ordered_by if name not in COLUMNS and name != "pk"]
    # A column read only to be dropped costs its conversion (a datetime parse on SQLite).
    return queryset.prefetch_related(None).values(*COLUMNS, *extra)


def book_row(pk: int) -> dict[str, Any] | None:
    """One book's row as `book_values` gives it, active or not, in one plain query."""
    row = values_by(Book, "pk", pk)
    if row is not None:
        row["available"] = row["stock_available"]  # as book_list() annotates it
    return row


def book_dicts(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """What `BookSerializer(books, many=True).data` gives for these books, in one query
    (their subjects) whatever their number."""
    subjects = _subjects_by_book([row["id"] for row in rows])
    image_url = Book._meta.get_field("image").storage.url
    public_url = settings.STORE_PUBLIC_URL
    moment = _moment_formatter()
    return [
        {
            "id": row["id"],
            "title": row["title"],
            "author": row["author"],
            "isbn": row["isbn"],
            "description": row["description"],
            "price": format(row["price"].quantize(CENTS), "f"),
            "image": f"{public_url}{image_url(row['image'])}" if row["image"] else None,
            "quantity": row["available"],
            "is_active": row["is_active"],
            "subjects": subjects.get(row["id"], []),
            "publisher": row["publisher"],
            "published_year": row["published_year"],
            "format": row["format"],
            "pages": row["pages"],
            "language": row["language"],
            "series": row["series"],
            "series_number": row["series_number"],
            "updated_at": moment(row["updated_at"]),
        }
        for row in rows
    ]


def _subjects_by_book(book_ids: list[int]) -> dict[int, list[dict[str, str]]]:
    if not book_ids:
        return {}
    # Plain SQL: the ORM's `book_id__in` prepares each of up to 1,000 ids one by one, which
    # cost four times the query itself.
    links, subjects = Book.subjects.through._meta, Subject._meta
    quote = connection.ops.quote_name

    def column(meta: Any, field: str) -> str:
        return quote(meta.get_field(field).column)

    # Names from the models, every value a parameter.
    sql = (
        f"SELECT l.{column(links, 'book')}, s.{column(subjects, 'name')}, "  # noqa: S608
        f"s.{column(subjects, 'slug')} "
        f"FROM {quote(links.db_table)} l JOIN {quote(subjects.db_table)} s "
        f"ON s.{column(subjects, 'id')} = l.{column(links, 'subject')} "
        + (
            # One array parameter: psycopg rewrites a statement of more than 50 parameters
            # afresh every time.
            f"WHERE l.{column(links, 'book')} = ANY(%s)"
            if connection.vendor == "postgresql"
            else f"WHERE l.{column(links, 'book')} IN ({', '.join(['%s'] * len(book_ids))})"
        )
    )
    by_book: dict[int, list[tuple[str, str]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [book_ids] if connection.vendor == "postgresql" else book_ids)
        for book_id, name, slug in cursor.fetchall():
            by_book.setdefault(book_id, []).append((name, slug))
    # Sorted by name in Python, as SubjectsField does: not by the database's collation.
    return {
        book_id: [{"name": name, "slug": slug} for name, slug in sorted(pairs)]
        for book_id, pairs in by_book.items()
    }


def _moment_formatter() -> Any:
    """DRF's DateTimeField.to_representation for the settings in force, made once a page."""
    if str(api_settings.DATETIME_FORMAT).lower() != ISO_8601:
        from rest_framework.fields import DateTimeField

        return DateTimeField().to_representation
    zone = timezone.get_current_timezone() if settings.USE_TZ else None

    def moment(value: datetime | None) -> str | None:
        if not value:
            return None
        if zone is not None:
            value = value.astimezone(zone) if timezone.is_aware(value) else value
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return moment
