"""The statistics the database's query planner keeps about the mirror's tables.

SQLite has none until something runs ANALYZE, and without them it guesses that a facet
value (a language, say) matches few books: it reads every English book through the
language index and sorts them, 99 ms for page 200 by price at 100,000 books, where with
statistics it walks the price index and stops at the page (15 ms). PostgreSQL's
autovacuum analyses a table on its own once enough of it changed, where it is on; asking
at once after a large sync costs it a sample of the table.
"""

from __future__ import annotations

from django.db import connection

from bookshop.shop.catalog.models import Book

# A sync that wrote at least this share of the mirror's books changes what the planner
# should know (the first sync above all); a few changed prices or stocks do not. So does a
# mirror whose number of books moved this far from the planner's, one small sync at a time.
CHANGED_SHARE = 0.1


def planner_statistics_refresh(*, changed: int) -> bool:
    """ANALYZE the books and their subject links if `changed` books are a large share of
    the mirror, or if the planner's count of books is that far out or missing; True if it
    did."""
    if changed <= 0:
        return False
    books = Book.objects.count()
    if changed < CHANGED_SHARE * books:
        known = planner_book_rows()
        if known is not None and abs(books - known) < CHANGED_SHARE * books:
            return False
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (Book, Book.subjects.through):
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
    return True


def planner_book_rows() -> float | None:
    """How many books the planner's statistics say the mirror holds (None: it has none)."""
    table = Book._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # -1 until the table is first analysed or vacuumed.
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            row = cursor.fetchone()
            return None if row is None or row[0] < 0 else float(row[0])
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return None
        # Each index's row there starts with its number of rows: a partial index's are
        # fewer, a full one's (the store id's) are the table's.
        cursor.execute(
            "SELECT max(CAST(stat AS INTEGER)) FROM sqlite_stat1 WHERE tbl = %s", [table]
        )
        row = cursor.fetchone()
        return None if row is None or row[0] is None else float(row[0])
