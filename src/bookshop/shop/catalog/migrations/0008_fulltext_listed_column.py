"""SQLite: the full-text index also holds each book's is_active (fulltext.py says why).

The FTS5 table and its triggers are made anew and the index rebuilt from the books; on
PostgreSQL there is nothing to do.
"""

from django.db import migrations

from bookshop.shop.catalog.fulltext import drop_fulltext, ensure_fulltext


def remake(apps, schema_editor):
    drop_fulltext(schema_editor.connection)
    ensure_fulltext(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_stored_search_document")]

    operations = [migrations.RunPython(remake, remake, elidable=False)]
