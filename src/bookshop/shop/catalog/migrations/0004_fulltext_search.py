from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

from bookshop.shop.catalog.fulltext import drop_fulltext, ensure_fulltext

OLD_INDEX = "catalog_book_search"
# Must stay identical to catalog.models.book_search_vector().
NEW_INDEX = "catalog_book_search_words"


def _old_index():
    return GinIndex(
        SearchVector("title", weight="A", config="english")
        + SearchVector("author", weight="B", config="english")
        + SearchVector("isbn", weight="A", config="english"),
        name=OLD_INDEX,
    )


def _new_index():
    return GinIndex(
        SearchVector("title", weight="A", config="simple")
        + SearchVector("author", weight="B", config="simple")
        + SearchVector("isbn", weight="A", config="simple")
        + SearchVector("description", weight="C", config="simple"),
        name=NEW_INDEX,
    )


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        book = apps.get_model("catalog", "Book")
        schema_editor.remove_index(book, _old_index())
        schema_editor.add_index(book, _new_index())
    ensure_fulltext(connection)


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        book = apps.get_model("catalog", "Book")
        schema_editor.remove_index(book, _new_index())
        schema_editor.add_index(book, _old_index())
    drop_fulltext(connection)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_bibliographic_fields_and_subjects")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
