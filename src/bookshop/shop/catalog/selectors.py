"""Reads of the catalogue mirror: listing, search and one book."""

from __future__ import annotations

import hashlib
import re
import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Replace
from django.http import HttpRequest

from bookshop.common.languages import language_name
from bookshop.shop.catalog.fulltext import FTS_TABLE, FTS_TEXT_COLUMNS
from bookshop.shop.catalog.models import Book, Subject, book_search_document

SORT_RELEVANCE = "relevance"
# Best matches first: every word in the title, then the full-text rank, then by title.
RELEVANCE_ORDER = ("-title_hit", "-rank", "title", "id")
SORTS: dict[str, tuple[str, ...]] = {
    "title": ("title", "id"),
    "price": ("price", "title", "id"),
    "-price": ("-price", "title", "id"),
    # The store numbers books as it adds them, so its id is the order of arrival.
    "newest": ("-store_id",),
}
# The FTS5 lookups of fulltext.py's table; only the query terms vary, as a parameter.
_FTS_MATCHED = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
# bm25 is lower for a better match; its weights follow fulltext.FTS_COLUMNS (is_active
# is never searched).
_FTS_BM25 = f"-bm25({FTS_TABLE}, 10.0, 4.0, 1.0, 10.0, 0.0)"
_FTS_COUNT = f"SELECT COUNT(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
_WORD = re.compile(r"\w+", re.UNICODE)
_ISBN_LIKE = re.compile(r"^[\d\s-]*\d[\d\s-]*[\dXx]?$")


def book_search(
    *,
    query: str = "",
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    sort: str = "",
    subject: str = "",
    format: str = "",
    language: str = "",
    in_stock: bool = False,
    author: str = "",
    broad: bool = False,
) -> QuerySet[Book]:
    """Listed books matching a free-text query over title, author, ISBN and description,
    facets (subject slug, format, language, in stock only, author slug), a price range and
    a sort order. With a query and no sort, the best matches come first: a book whose title
    has every word before one that has them only in the author or description.

    Words match whole words or word prefixes ("hobb" finds "Hobbit", "the" does not find
    "Matthewside"): FTS5 on SQLite, the GIN-indexed tsvector on PostgreSQL.

    `broad`: the same books, for a caller that has counted more than CATALOG_RANK_LIMIT
    of them. They are listed by title instead of by relevance: ranking "the" means scoring
    nearly every book (2 s at 100,000 books on PostgreSQL, 250 ms on SQLite) to order a
    list nobody reads as ranked. And on SQLite the query's words and the subject become a
    test of each book while the database walks the sort's index and stops at the page,
    instead of every match being looked up and sorted: 19 against 39 ms for page 50 of
    "the" at 100,000 books, 26 against 51 ms for a subject's far page by price. (For a
    narrow match the walk would pass most of the index to find a far page, so it is only
    for broad ones.)
    """
    walk_index = broad and connection.vendor == "sqlite"
    books: QuerySet[Book] = Book.objects.listed().defer("description")
    if min_price is not None:
        books = books.filter(price__gte=min_price)
    if max_price is not None:
        books = books.filter(price__lte=max_price)
    if subject:
        # An uncorrelated IN, not a join: with a search, a join lets SQLite run the
        # full-text MATCH once per book of the subject instead of once.
        links = Book.subjects.through.objects.filter(subject__slug=subject)
        books = _pk_in(books, links.values("book_id"), tested=walk_index)
    if format:
        books = books.filter(format=format)
    if language:
        books = books.filter(language=language)
    if in_stock:
        books = books.filter(quantity__gt=0)
    if author:
        books = books.filter(author_slug=author)
    words = _WORD.findall(query or "")
    ranked = False
    if words:
        books, ranked = _match(books, query.strip(), words, walk_index=walk_index)
    ranked = ranked and not broad
    if sort == SORT_RELEVANCE or sort not in SORTS:
        sort = SORT_RELEVANCE if ranked else "title"
    if sort == SORT_RELEVANCE:
        return books.order_by(*RELEVANCE_ORDER)
    return books.order_by(*SORTS[sort])


def book_search_count(**arguments: Any) -> int:
    """How many books `book_search(**arguments)` lists.

    A search by words alone is counted on SQLite inside the full-text index, which holds
    each book's is_active (fulltext.py): the query's count reads every match's row for
    its flag (37 ms for "the" at 100,000 books, against 12).
    """
    query = arguments.get("query") or ""
    words = _WORD.findall(query)
    bare = narrowing(arguments) == {"query"}
    if connection.vendor == "sqlite" and words and bare and not _ISBN_LIKE.match(query.strip()):
        with connection.cursor() as cursor:
            cursor.execute(_FTS_COUNT, [f"({_fts_terms(words)}) AND is_active : 1"])
            (count,) = cursor.fetchone()
        return int(count)
    return book_search(**arguments).count()


def narrowing(arguments: dict[str, Any]) -> set[str]:
    """The names of the `book_search` arguments that narrow its list (the query too; a
    price of 0 counts, a sort does not)."""
    unset = (None, "")
    return {
        name
        for name, value in arguments.items()
        if name not in ("sort", "broad") and value not in unset and value is not False
    }


def _fts_terms(words: list[str], *, columns: tuple[str, ...] = FTS_TEXT_COLUMNS) -> str:
    """FTS5's query for `words` in `columns`: every word quoted (so nothing in it is query
    syntax) and a prefix, all required."""
    required = " AND ".join('"{}"*'.format(word.replace('"', "")) for word in words)
    return f"{{{' '.join(columns)}}} : ({required})"


def _pk_in(books: QuerySet[Book], ids: QuerySet[Any] | RawSQL, *, tested: bool) -> QuerySet[Book]:
    """`books` whose id is among `ids`. `tested`: as `+id IN (…)`, the same test, which
    SQLite's planner will not use to look books up by id, so it walks the sort's index and
    tests each book instead. (A unary plus drops a column's type affinity too; on an
    integer id compared with integers that changes nothing.)"""
    if not tested:
        return books.filter(pk__in=ids)
    unindexed = Func(F("pk"), template="+%(expressions)s", output_field=IntegerField())
    return books.alias(tested_pk=unindexed).filter(tested_pk__in=ids)


def _match(
    books: QuerySet[Book], query: str, words: list[str], *, walk_index: bool = False
) -> tuple[QuerySet[Book], bool]:
    isbn_clause = Q(pk__in=[])
    if _ISBN_LIKE.match(query):
        # ISBNs are written with or without hyphens; compare digits with digits.
        digits = re.sub(r"[\s-]", "", query)
        books = books.annotate(isbn_plain=Replace(F("isbn"), Value("-"), Value("")))
        isbn_clause = Q(isbn_plain__icontains=digits)
    if connection.vendor == "postgresql":
        # Words are \w+ only, so they are safe to join into a raw tsquery; ":*" makes
        # "hobb" find "Hobbit" as the customer types.
        search = SearchQuery(
            " & ".join(f"{word}:*" for word in words), search_type="raw", config="simple"
        )
        vector = book_search_document()
        books = books.annotate(
            document=vector,
            title_document=SearchVector("title", config="simple"),
            rank=SearchRank(vector, search),
        ).annotate(
            title_hit=Case(
                When(title_document=search, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        return books.filter(Q(document=search) | isbn_clause), True
    terms = _fts_terms(words)
    title_hits = RawSQL(_FTS_MATCHED, [_fts_terms(words, columns=("title",))])  # noqa: S611 - as below
    if _ISBN_LIKE.match(query):
        # Digits: the FTS5 words or the ISBN without its hyphens; a number ranks nothing.
        matched = RawSQL(_FTS_MATCHED, [terms])  # noqa: S611 - fixed SQL, terms a parameter
        return books.filter(Q(pk__in=matched) | isbn_clause), False
    if walk_index:
        # Each book the sort's index gives is looked up in the matches (SQLite builds the
        # set once); nothing is ranked.
        matched = RawSQL(_FTS_MATCHED, [terms])  # noqa: S611 - as above
        return _pk_in(books, matched, tested=True), False
    # The index is joined once and bm25() read from the join: a rank looked up per book
    # (a correlated MATCH) costs a full prefix search per row, minutes for "the" at
    # 100,000 books. The title test is one uncorrelated IN, which SQLite runs once.
    books = books.extra(  # noqa: S610 - fixed SQL; the terms are a parameter
        tables=[FTS_TABLE],
        where=[f"{FTS_TABLE}.rowid = catalog_book.id", f"{FTS_TABLE} MATCH %s"],
        params=[terms],
        select={"rank": _FTS_BM25},
    ).annotate(
        title_hit=Case(
            When(pk__in=title_hits, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    )
    return books, True


def subjects_listed() -> QuerySet[Subject]:
    """Subjects with at least one listed book, with how many."""
    return (
        Subject.objects.annotate(book_count=Count("books", filter=Q(books__is_active=True)))
        .filter(book_count__gt=0)
        .order_by("name")
    )


def languages_listed() -> list[tuple[str, str]]:
    """(code, English name) of the languages of listed books, by name."""
    codes = Book.objects.listed().order_by().values_list("language", flat=True).distinct()
    return sorted(((code, language_name(code) or code) for code in codes), key=lambda c: c[1])


def subject_get(*, slug: str) -> Subject | None:
    return Subject.objects.filter(slug=slug).first()


def author_name(*, slug: str) -> str | None:
    """The author's name as the books spell it, or None if no listed book has it."""
    return (
        Book.objects.listed()
        .filter(author_slug=slug)
        .order_by()
        .values_list("author", flat=True)
        .first()
    )


RELATED_LIMIT = 6


def _in_stock_first(books: QuerySet[Book], *, limit: int) -> list[Book]:
    """Up to `limit` of `books`, in stock first, each part by title, in one query that
    sorts them all: for a set as small as an author's books."""
    stocked = Case(When(quantity__gt=0, then=Value(1)), default=Value(0))
    ordered = books.defer("description").alias(stocked=stocked)
    return list(ordered.order_by("-stocked", "title", "id")[:limit])


def _in_stock_then_out(books: QuerySet[Book], *, limit: int) -> list[Book]:
    """What `_in_stock_first` gives, read in two steps, the second only if the first found
    too few: sorted by "in stock" first, which no index holds, the database read every
    book of a subject (a quarter of the catalogue) for six of them (34 ms at 100,000
    books on SQLite), where by title it walks the title index and stops at the sixth."""
    books = books.defer("description").order_by("title", "id")
    found = list(books.filter(quantity__gt=0)[:limit])
    if len(found) < limit:
        found += books.filter(quantity=0)[: limit - len(found)]
    return found


def books_by_author(*, book: Book, limit: int = RELATED_LIMIT) -> list[Book]:
    """Other listed books by the same author, in stock first."""
    if not book.author_slug:
        return []
    others = Book.objects.listed().filter(author_slug=book.author_slug).exclude(pk=book.pk)
    return _in_stock_first(others, limit=limit)


def books_in_subject(
    *,
    book: Book,
    subject: Subject | None,
    subject_books: int | None = None,
    limit: int = RELATED_LIMIT,
) -> list[Book]:
    """Other listed books in `subject`, in stock first, not repeating the author's.

    `subject_books`, how many books the subject lists if the caller knows: with more than
    CATALOG_RANK_LIMIT, SQLite walks the title index and tests each book's subject, as
    PostgreSQL's planner chooses to itself, instead of reading all of the subject's books
    to sort them (3 against 43 ms at 100,000 books).
    """
    if subject is None:
        return []
    listed = Book.objects.listed()
    if (
        subject_books is not None
        and subject_books > settings.CATALOG_RANK_LIMIT
        and connection.vendor == "sqlite"
    ):
        links = Book.subjects.through.objects.filter(subject=subject).values("book_id")
        others = _pk_in(listed, links, tested=True)
    else:
        others = listed.filter(subjects=subject)
    others = others.exclude(pk=book.pk)
    if book.author_slug:
        others = others.exclude(author_slug=book.author_slug)
    return _in_stock_then_out(others, limit=limit)


def book_get_for_page(*, pk: int) -> Book | None:
    """The book a book page shows, listed or not (an inactive book's page says so)."""
    return Book.objects.filter(pk=pk).prefetch_related("subjects").first()


def catalog_version() -> str:
    """Changes whenever the mirror does: every sync that writes stamps `synced_at`.

    Read from the database (an index lookup), not from a cache key the sync would bump,
    because in the embedded mode each process has a cache of its own.
    """
    # Plain SQL: every catalogue page asks, and the ORM's aggregate costs ten times the
    # index lookup itself. The value is only compared, so its text form is enough (with
    # no space: it goes into cache keys).
    table = connection.ops.quote_name(Book._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(synced_at) FROM {table}")  # noqa: S608 - our table's name
        (latest,) = cursor.fetchone()
    return str(latest).replace(" ", "T") if latest else "empty"


class _RecentVersion:
    """The catalogue's version as this process last read it, and when (monotonic)."""

    read_at = float("-inf")
    version = ""


def recent_catalog_version() -> str:
    """`catalog_version` as this process read it at most CATALOG_VERSION_SECONDS ago.

    Every catalogue page asks, and with PostgreSQL the read is two round trips (Django's
    health check of a kept connection, then the query): a third of a kept page's time.
    A change reaches the pages that much later than the mirror, which itself follows the
    store a sync interval behind; orders never read it (checkout reads the books).
    """
    return _version_at_most(settings.CATALOG_VERSION_SECONDS)[0]


def _version_at_most(seconds: float) -> tuple[str, bool]:
    """The version this process read at most `seconds` ago, and whether it read it now."""
    now = time.monotonic()
    if seconds > 0 and now - _RecentVersion.read_at < seconds:
        return _RecentVersion.version, False
    # Two threads may both read it; either value is right.
    _RecentVersion.version, _RecentVersion.read_at = catalog_version(), now
    return _RecentVersion.version, True


def catalog_version_for(request: HttpRequest, *, current: bool = False) -> str:
    """`recent_catalog_version`, the same for every part of one page that asks.

    With `current`, the version as the database has it now: read again unless it was read
    for this request, and from then on the one this request and process use. Results about
    to be rendered anew list the mirror as it is, so their count and facets must be of
    that version, not of one read up to a second ago.
    """
    version: str | None = getattr(request, "_catalog_version", None)
    if version is None or (current and not getattr(request, "_catalog_version_read", False)):
        seconds = 0 if current else settings.CATALOG_VERSION_SECONDS
        version, read = _version_at_most(seconds)
        request._catalog_version = version  # type: ignore[attr-defined]
        request._catalog_version_read = read  # type: ignore[attr-defined]
    return version


def catalog_results_key(
    *, arguments: dict, page: str, path: str, version: str | None = None
) -> str:
    """The cache key of one rendering of the catalogue's results (every filter, the page
    and the path are part of it, so subject and author pages have keys of their own)."""
    digest = hashlib.sha256(repr((sorted(arguments.items()), page, path)).encode()).hexdigest()
    return f"catalog:results:{version or catalog_version()}:{digest[:32]}"
