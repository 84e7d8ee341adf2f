"""PostgreSQL: the search document becomes a stored generated column with its GIN index.

The GIN index on the expression (0004) found the matches, but ranking them and telling
the matches of a broad search apart computed the expression again for each one: 45 ms
to rank the 1,600 books "river" finds among 100,000. A stored column is computed once
per write (the sync's), and read. Like 0004's index it is PostgreSQL's own, outside the
model state: SQLite searches its FTS5 table (fulltext.py). Adding the column rewrites
the table, about 10 s for 100,000 books.
"""

from django.db import migrations

OLD_INDEX = "catalog_book_search_words"
NEW_INDEX = "catalog_book_search_document"
SEARCH_DOCUMENT = "search_document"
# 0004's expression: title A, author B, ISBN A, description C, the "simple" configuration.
SEARCH_DOCUMENT_SQL = " || ".join(
    f"setweight(to_tsvector('simple'::regconfig, COALESCE({column}, '')), '{weight}')"
    for column, weight in (("title", "A"), ("author", "B"), ("isbn", "A"), ("description", "C"))
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE catalog_book ADD COLUMN {SEARCH_DOCUMENT} tsvector "
        f"GENERATED ALWAYS AS ({SEARCH_DOCUMENT_SQL}) STORED"
    )
    schema_editor.execute(f"CREATE INDEX {NEW_INDEX} ON catalog_book USING gin ({SEARCH_DOCUMENT})")
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX {OLD_INDEX} ON catalog_book USING gin (({SEARCH_DOCUMENT_SQL}))"
    )
    schema_editor.execute(f"ALTER TABLE catalog_book DROP COLUMN {SEARCH_DOCUMENT}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_listed_indexes_cover_filters")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
