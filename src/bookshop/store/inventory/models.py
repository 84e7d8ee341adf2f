"""The catalogue (Book) and the physical copies on the shelves (BookItem)."""

from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Greatest

from bookshop.store.inventory.validators import (
    normalize_isbn,
    validate_book_image,
    validate_isbn,
    validate_language,
    validate_published_year,
)


class ISBNField(models.CharField):
    """An ISBN kept without hyphens; forms accept it with them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 13)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return normalize_isbn(value) if value else value

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]  # the stubs' overloads
        # Room for "978-0-306-40615-7"; the model's own max_length applies after normalizing.
        return super().formfield(**{**kwargs, "max_length": 20})


class Subject(models.Model):
    """A genre customers browse by ("Science fiction"); a book has any number of them."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Book(models.Model):
    class Format(models.TextChoices):
        HARDCOVER = "hardcover", "Hardcover"
        PAPERBACK = "paperback", "Paperback"
        OTHER = "other", "Other"

    title = models.CharField(max_length=255)
    author = models.CharField(max_length=255, db_index=True)
    isbn = ISBNField("ISBN", blank=True, validators=[validate_isbn], db_index=True)
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    image = models.ImageField(upload_to="books/", blank=True, validators=[validate_book_image])
    subjects = models.ManyToManyField(Subject, blank=True, related_name="books")
    publisher = models.CharField(max_length=255, blank=True)
    published_year = models.SmallIntegerField(
        "year published",
        null=True,
        blank=True,
        validators=[validate_published_year],
        help_text="Year of first publication; negative for BCE.",
    )
    format = models.CharField(max_length=16, choices=Format.choices, default=Format.PAPERBACK)
    pages = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    language = models.CharField(
        max_length=2,
        default="en",
        validators=[validate_language],
        db_index=True,
        help_text="ISO 639-1 code, e.g. en, fr, de.",
    )
    series = models.CharField(max_length=255, blank=True)
    series_number = models.PositiveSmallIntegerField(
        "number in the series", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Inactive books stay in the API (so the shop learns they are gone) "
        "but cannot be ordered.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The shop's incremental sync reads this: every change to availability moves it.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # Stored stock, so that availability is a column rather than two counts per book (the
    # dashboard's "low stock" over 100,000 books took seconds when it counted ~250,000
    # copies). Only the services that change copies or open orders write the two counts,
    # in the same UPDATE that moves `updated_at` and under the books' row locks
    # (`books_touch`); `save()` never writes them, so a stale instance cannot undo them.
    # The database default lets populate_db's raw inserts leave them out.
    copies_in_stock = models.PositiveIntegerField(
        default=0, db_default=0, editable=False, help_text="Copies whose status is in stock."
    )
    units_reserved = models.PositiveIntegerField(
        default=0, db_default=0, editable=False, help_text="Units ordered by open (in work) orders."
    )
    # What customers may order: the database keeps it in step with the counts and
    # is_active, and the index below finds the emptiest active books without a scan.
    stock_available = models.GeneratedField(
        expression=models.Case(
            models.When(is_active=False, then=0),
            default=Greatest(models.F("copies_in_stock") - models.F("units_reserved"), 0),
        ),
        output_field=models.IntegerField(),
        db_persist=True,
        verbose_name="available",
    )

    STOCK_FIELDS = ("copies_in_stock", "units_reserved")

    class Meta:
        ordering = ["title", "id"]
        indexes = [
            # The dashboard's low-stock list (active, available <= n, emptiest first, then
            # by title) and its count are both a range of this index. Partial, as SQLite
            # uses no index for a bare boolean column, and inactive books do not count.
            models.Index(
                fields=["stock_available", "title", "id"],
                condition=models.Q(is_active=True),
                name="book_low_stock",
            ),
            # The catalogue's order: a page of the admin's book list (100,000 books) is
            # read off this index instead of sorting every book first.
            models.Index(fields=["title", "id"], name="book_title_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="book_price_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(format__in=["hardcover", "paperback", "other"]),
                name="book_format_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A full save of an existing book writes every field but the stored counts: the
        # instance may have been read before a service moved them.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and not field.generated
                and field.name not in self.STOCK_FIELDS
            ]
        super().save(*args, **kwargs)


class BookItem(models.Model):
    """One physical copy of a book, on a shelf place."""

    class Status(models.TextChoices):
        IN_STOCK = "in_stock", "In stock"
        SHIPPED = "shipped", "Shipped"

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="items")
    place = models.CharField(
        "shelf place", max_length=64, db_index=True, help_text="Where the copy sits, e.g. A-03-2."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_STOCK)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "copy"
        verbose_name_plural = "copies"
        indexes = [models.Index(fields=["book", "status"], name="bookitem_book_status")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.book.title} @ {self.place}"
