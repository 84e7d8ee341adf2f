from django.contrib.postgres.search import SearchVector
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.expressions import CombinedExpression
from django.urls import reverse
from django.utils import timezone


def book_search_vector() -> CombinedExpression:
    """The weighted full-text document of a book (PostgreSQL only).

    The GIN index made in migration 0001 is built on exactly this expression; change one
    and you must change the other, or searches stop using the index.
    """
    return (
        SearchVector("title", weight="A", config="english")
        + SearchVector("author", weight="B", config="english")
        + SearchVector("isbn", weight="A", config="english")
    )


class BookQuerySet(models.QuerySet):
    def listed(self) -> "BookQuerySet":
        """Books customers may see in the catalogue."""
        return self.filter(is_active=True)


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
    store_updated_at = models.DateTimeField("updated in the store")
    synced_at = models.DateTimeField("synced", default=timezone.now)

    objects = BookQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        indexes = [
            models.Index(fields=["is_active", "title"], name="catalog_book_active_title"),
            models.Index(fields=["is_active", "price"], name="catalog_book_active_price"),
            models.Index(fields=["store_updated_at"], name="catalog_book_store_updated"),
            # The catalogue's version (the newest synced_at) keys its cached pages.
            models.Index(fields=["synced_at"], name="catalog_book_synced"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="catalog_book_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.author})" if self.author else self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:book_detail", args=[self.pk])

    @property
    def in_stock(self) -> bool:
        return self.is_active and self.quantity > 0
