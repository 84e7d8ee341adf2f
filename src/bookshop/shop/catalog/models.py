from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from bookshop.common.languages import language_name


def book_search_document() -> RawSQL:
    """The weighted full-text document of a book (PostgreSQL only).

    A stored generated column, made with its GIN index by migration 0007 outside the
    model state (SQLite has no such column; it searches its FTS5 table): title and ISBN
    weighted A, author B, description C, in the "simple" configuration (no stemming, no
    stop words), which matches what SQLite's FTS5 does, so both backends find the same
    books: words and word prefixes.
    """
    return RawSQL(  # noqa: S611 - fixed SQL, no parameters
        f'"{Book._meta.db_table}"."search_document"', [], output_field=SearchVectorField()
    )


class Subject(models.Model):
    """The shop's mirror of one store subject (a genre); written only by the sync."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["name", "slug"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:subject", args=[self.slug])


class BookFormat(models.TextChoices):
    HARDCOVER = "hardcover", "Hardcover"
    PAPERBACK = "paperback", "Paperback"
    OTHER = "other", "Other"


class BookQuerySet(models.QuerySet):
    def listed(self) -> "BookQuerySet":
        """Books customers may see in the catalogue."""
        return self.filter(is_active=True)


LISTED = models.Q(is_active=True)


class Book(models.Model):
    """The shop's read-only mirror of one book in the store's catalogue.

    Only the catalogue sync writes these rows (see services.book_upsert_many); the store
    stays the source of truth for prices and availability.
    """

    store_id = models.PositiveIntegerField("store id", unique=True)
    title = models.CharField(max_length=300)
    author = models.CharField(max_length=300, blank=True)
    isbn = models.CharField("ISBN", max_length=32, blank=True)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    image_url = models.URLField("image URL", max_length=1000, blank=True)
    quantity = models.PositiveIntegerField("available", default=0)
    is_active = models.BooleanField("active", default=True)
    # The author's page key: computed by the sync from `author`, so a name spelt the
    # same way on two books is one page.
    author_slug = models.SlugField(max_length=300, blank=True, db_index=True)
    subjects = models.ManyToManyField(Subject, related_name="books", blank=True)
    publisher = models.CharField(max_length=255, blank=True)
    published_year = models.IntegerField("year published", null=True, blank=True)  # < 0: BCE
    format = models.CharField(
        max_length=20, choices=BookFormat.choices, default=BookFormat.PAPERBACK, blank=True
    )
    pages = models.PositiveIntegerField(null=True, blank=True)
    language = models.CharField(max_length=8, default="en")
    series = models.CharField(max_length=255, blank=True)
    series_number = models.PositiveIntegerField(null=True, blank=True)
    store_updated_at = models.DateTimeField("updated in the store")
    synced_at = models.DateTimeField("synced", default=timezone.now)

    objects = BookQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        indexes = [
            # One index per catalogue order (selectors.SORTS) with every column of its
            # ORDER BY, over listed books only: a far page walks the index instead of
            # sorting the table. Partial, because the catalogue asks `WHERE is_active`,
            # which SQLite matches to an index's condition but not to an indexed column.
            models.Index(
                fields=["title", "id"], condition=LISTED, name="catalog_book_listed_title"
            ),
            # The price orders also hold the quantity, so a price range with or without
            # "in stock" is counted and sorted off the index alone (SQLite read each
            # book's row for its quantity: 39 ms against 1.6 ms at 100,000 books).
            models.Index(
                fields=["price", "title", "id", "quantity"],
                condition=LISTED,
                name="catalog_book_listed_price",
            ),
            models.Index(
                fields=["-price", "title", "id", "quantity"],
                condition=LISTED,
                name="catalog_book_listed_dear",
            ),
            models.Index(fields=["-store_id"], condition=LISTED, name="catalog_book_listed_new"),
            # The language facet: the distinct languages of listed books, read off the
            # index; with the format, the two facets together are counted off it too. (A
            # plain index on language would be the one SQLite picks for a language, and it
            # reads each row to know whether the book is listed.)
            models.Index(
                fields=["language", "format"], condition=LISTED, name="catalog_book_listed_lang"
            ),
            models.Index(fields=["store_updated_at"], name="catalog_book_store_updated"),
            # The catalogue's version (the newest synced_at) keys its cached pages.
            models.Index(fields=["synced_at"], name="catalog_book_synced"),
            models.Index(fields=["is_active", "format"], name="catalog_book_active_format"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="catalog_book_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.author})" if self.author else self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:book_detail", args=[self.pk, self.slug])

    @property
    def slug(self) -> str:
        return slugify(self.title)[:80].strip("-") or "book"

    @property
    def author_url(self) -> str:
        return reverse("catalog:author", args=[self.author_slug]) if self.author_slug else ""

    @property
    def language_name(self) -> str:
        return language_name(self.language) or self.language

    @property
    def in_stock(self) -> bool:
        return self.is_active and self.quantity > 0
