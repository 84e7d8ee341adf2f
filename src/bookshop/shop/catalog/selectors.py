"""Reads of the catalogue mirror: listing, search and one book."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Max, Q, QuerySet, Value
from django.db.models.functions import Replace

from bookshop.shop.catalog.models import Book, book_search_vector

SORT_RELEVANCE = "relevance"
SORTS: dict[str, tuple[str, ...]] = {
    "title": ("title", "id"),
    "price": ("price", "title", "id"),
    "-price": ("-price", "title", "id"),
    # The store numbers books as it adds them, so its id is the order of arrival.
    "newest": ("-store_id",),
}
_WORD = re.compile(r"\w+", re.UNICODE)
_ISBN_LIKE = re.compile(r"^[\d\s-]*\d[\d\s-]*[\dXx]?$")


def book_search(
    *,
    query: str = "",
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    sort: str = "",
) -> QuerySet[Book]:
    """Listed books matching a free-text query over title, author and ISBN, a price range
    and a sort order. With a query and no sort, the best matches come first.

    On PostgreSQL the query is full-text (English stemming, every word as a prefix, ranked,
    GIN-indexed); on SQLite every word must appear somewhere in title, author or ISBN.
    """
    books: QuerySet[Book] = Book.objects.listed().defer("description")
    if min_price is not None:
        books = books.filter(price__gte=min_price)
    if max_price is not None:
        books = books.filter(price__lte=max_price)
    words = _WORD.findall(query or "")
    ranked = False
    if words:
        books, ranked = _match(books, query.strip(), words)
    if sort == SORT_RELEVANCE or sort not in SORTS:
        sort = SORT_RELEVANCE if ranked else "title"
    if sort == SORT_RELEVANCE:
        return books.order_by("-rank", "title", "id")
    return books.order_by(*SORTS[sort])


def _match(books: QuerySet[Book], query: str, words: list[str]) -> tuple[QuerySet[Book], bool]:
    isbn_clause = Q()
    if _ISBN_LIKE.match(query):
        # ISBNs are written with or without hyphens; compare digits with digits.
        digits = re.sub(r"[\s-]", "", query)
        books = books.annotate(isbn_plain=Replace(F("isbn"), Value("-"), Value("")))
        isbn_clause = Q(isbn_plain__icontains=digits)
    if connection.vendor == "postgresql":
        # Words are \w+ only, so they are safe to join into a raw tsquery; ":*" makes
        # "hobb" find "Hobbit" as the customer types.
        search = SearchQuery(
            " & ".join(f"{word}:*" for word in words), search_type="raw", config="english"
        )
        vector = book_search_vector()
        books = books.annotate(document=vector, rank=SearchRank(vector, search))
        return books.filter(Q(document=search) | isbn_clause), True
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word) | Q(author__icontains=word) | Q(isbn__icontains=word)
    return books.filter(condition | isbn_clause), False


def book_get_for_page(*, pk: int) -> Book | None:
    """The book a book page shows, listed or not (an inactive book's page says so)."""
    return Book.objects.filter(pk=pk).first()


def catalog_version() -> str:
    """Changes whenever the mirror does: every sync that writes stamps `synced_at`.

    Read from the database (an index lookup), not from a cache key the sync would bump,
    because in the embedded mode each process has a cache of its own.
    """
    latest = Book.objects.aggregate(latest=Max("synced_at"))["latest"]
    return latest.isoformat() if latest else "empty"


def catalog_results_key(*, arguments: dict, page: str, path: str) -> str:
    """The cache key of one rendering of the catalogue's results."""
    digest = hashlib.sha256(repr((sorted(arguments.items()), page, path)).encode()).hexdigest()
    return f"catalog:results:{catalog_version()}:{digest[:32]}"
