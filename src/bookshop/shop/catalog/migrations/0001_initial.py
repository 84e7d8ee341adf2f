import django.core.validators
import django.utils.timezone
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

# The full-text index exists on PostgreSQL only; it is not part of the model state, so
# SQLite never sees it (not even when it rebuilds the table for a later migration).
# Its expression must stay identical to catalog.models.book_search_vector().
SEARCH_INDEX_NAME = "catalog_book_search"


def _search_index():
    return GinIndex(
        SearchVector("title", weight="A", config="english")
        + SearchVector("author", weight="B", config="english")
        + SearchVector("isbn", weight="A", config="english"),
        name=SEARCH_INDEX_NAME,
    )


def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("catalog", "Book"), _search_index())


def remove_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("catalog", "Book"), _search_index())


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Book",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("store_id", models.PositiveIntegerField(unique=True, verbose_name="store id")),
                ("title", models.CharField(max_length=300)),
                ("author", models.CharField(blank=True, max_length=300)),
                ("isbn", models.CharField(blank=True, max_length=32, verbose_name="ISBN")),
                ("description", models.TextField(blank=True)),
                (
                    "price",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=10,
                        validators=[django.core.validators.MinValueValidator(0)],
                    ),
                ),
                (
                    "image_url",
                    models.URLField(blank=True, max_length=1000, verbose_name="image URL"),
                ),
                ("quantity", models.PositiveIntegerField(default=0, verbose_name="available")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("store_updated_at", models.DateTimeField(verbose_name="updated in the store")),
                (
                    "synced_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="synced"),
                ),
            ],
            options={
                "ordering": ["title", "id"],
                "indexes": [
                    models.Index(fields=["is_active", "title"], name="catalog_book_active_title"),
                    models.Index(fields=["is_active", "price"], name="catalog_book_active_price"),
                    models.Index(fields=["store_updated_at"], name="catalog_book_store_updated"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("price__gte", 0)), name="catalog_book_price_gte_0"
                    )
                ],
            },
        ),
        migrations.RunPython(add_search_index, remove_search_index, elidable=False),
    ]
