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
# should know (the first sync above all); a few changed prices or stocks do not.
CHANGED_SHARE = 0.1


def planner_statistics_refresh(*, changed: int) -> bool:
    """ANALYZE the books and their subject links if `changed` books are a large share of
    the mirror; True if it did."""
    if changed <= 0 or changed < CHANGED_SHARE * Book.objects.count():
        return False
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (Book, Book.subjects.through):
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
    return True
