"""Writes about the catalogue and the copies on the shelves.

Whether a copy may move to another book or leave the shelf depends on the orders that
picked it, so `book_item_update` and `book_items_remove` are in orders/services.py, which
also states the lock order these functions follow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.text import slugify

from bookshop.store.inventory.models import Book, BookItem, Subject

BOOK_FIELDS = (
    "title",
    "author",
    "isbn",
    "description",
    "price",
    "image",
    "is_active",
    "publisher",
    "published_year",
    "format",
    "pages",
    "language",
    "series",
    "series_number",
)


def books_lock(*, book_ids: Iterable[int]) -> dict[int, Book]:
    """Lock the books' rows for the rest of the transaction, one by one in id order.

    The first lock every stock change takes (see the lock order in orders/services.py).
    A single UPDATE would lock the rows in whatever order the table stores them, which
    two transactions can meet in opposite orders. Returns the books found, by id.
    """
    ids = sorted(set(book_ids))
    if not ids:
        return {}
    return {
        book.pk: book for book in Book.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }


def books_touch(
    *,
    book_ids: Iterable[int],
    in_stock: Mapping[int, int] | None = None,
    reserved: Mapping[int, int] | None = None,
) -> None:
    """Move the books' `updated_at` so the shop's incremental sync fetches them again, and
    their stored stock by these amounts: copies in stock (`in_stock`, book id -> change)
    and units reserved by open orders (`reserved`).

    Called by every write that changes a book's availability without saving the book,
    after it has locked the books with `books_lock`: the counts then move in the same
    transaction as the copies or orders they count, one writer at a time per book, and
    in the same single UPDATE as the timestamp.
    """
    changes: dict[str, Any] = {"updated_at": timezone.now()}
    ids = set(book_ids)
    for field, deltas in (("copies_in_stock", in_stock), ("units_reserved", reserved)):
        moved = {pk: n for pk, n in (deltas or {}).items() if n}
        if moved:
            ids.update(moved)
            changes[field] = F(field) + Case(
                *(When(pk=pk, then=Value(n)) for pk, n in sorted(moved.items())),
                default=Value(0),
            )
    if ids:
        Book.objects.filter(pk__in=sorted(ids)).update(**changes)


def subject_slug(name: str) -> str:
    """The URL slug of a subject's name ("Science Fiction" -> "science-fiction")."""
    return slugify(" ".join(name.split()))[:100]


@transaction.atomic
def subjects_get_or_create(*, names: Iterable[str]) -> list[Subject]:
    """The subjects of these names, made when new, in the order given (duplicates once).

    Names match by slug, so "Science fiction" and "science  Fiction" are one subject; a
    new one keeps the spelling it first arrived with.
    """
    wanted: dict[str, str] = {}
    for raw in names:
        name = " ".join(raw.split())
        slug = subject_slug(name)
        if not slug:
            raise ValueError(f"{raw!r} is not a usable subject name")
        wanted.setdefault(slug, name)
    found = {subject.slug: subject for subject in Subject.objects.filter(slug__in=wanted)}
    missing = [Subject(name=wanted[slug], slug=slug) for slug in wanted if slug not in found]
    if missing:
        # ignore_conflicts: two imports creating the same subject at once both succeed.
        Subject.objects.bulk_create(missing, ignore_conflicts=True)
        found = {subject.slug: subject for subject in Subject.objects.filter(slug__in=wanted)}
    return [found[slug] for slug in wanted]


def _book_subjects_set(book: Book, subjects: Iterable[Subject] | None) -> None:
    if subjects is None:
        return
    wanted = {subject.pk for subject in subjects}
    if wanted != set(book.subjects.values_list("pk", flat=True)):
        book.subjects.set(list(wanted))
        books_touch(book_ids=[book.pk])


@transaction.atomic
def book_create(*, data: dict[str, Any]) -> Book:
    """Add a book to the catalogue. `data["subjects"]`, if given, is a list of Subjects."""
    book = Book(**{name: value for name, value in data.items() if name in BOOK_FIELDS})
    book.full_clean()
    book.save()
    _book_subjects_set(book, data.get("subjects"))
    return book


@transaction.atomic
def book_update(*, book: Book, data: dict[str, Any]) -> Book:
    """Change some of a book's fields (the others stay as they are). `data["subjects"]`,
    if given, replaces the book's subjects (a list of Subjects)."""
    for name, value in data.items():
        if name in BOOK_FIELDS:
            setattr(book, name, "" if name == "image" and value is None else value)
    book.full_clean()
    book.save()
    _book_subjects_set(book, data.get("subjects"))
    return book


@transaction.atomic
def subject_rename(*, subject: Subject, name: str) -> Subject:
    """Rename a subject (its slug follows) and move its books, so the shop syncs them."""
    subject.name = " ".join(name.split())
    subject.slug = subject_slug(subject.name)
    subject.full_clean()
    subject.save()
    books_touch(book_ids=subject.books.values_list("pk", flat=True))
    return subject


def subject_create(*, name: str) -> Subject:
    """Add a subject; one whose slug is taken already is refused (on `name`)."""
    name = " ".join(name.split())
    slug = subject_slug(name)
    if not slug:
        raise ValidationError({"name": "Give the subject a name with a letter or a digit."})
    if Subject.objects.filter(slug=slug).exists():
        raise ValidationError({"name": f"A subject with the slug {slug!r} exists already."})
    subject = Subject(name=name, slug=slug)
    subject.full_clean()
    subject.save()
    return subject


@transaction.atomic
def subjects_delete(*, subject_ids: Iterable[int]) -> int:
    """Delete subjects; their books lose them and move in the sync. Returns how many."""
    ids = list(subject_ids)
    books_touch(
        book_ids=Book.subjects.through.objects.filter(subject_id__in=ids).values_list(
            "book_id", flat=True
        )
    )
    _, per_model = Subject.objects.filter(pk__in=ids).delete()
    return per_model.get(Subject._meta.label, 0)


def book_deactivate(*, book: Book) -> Book:
    """Soft delete: the book stays visible with is_active=false, so syncs see it go."""
    if book.is_active:
        book.is_active = False
        book.save(update_fields=["is_active", "updated_at"])
    return book


@transaction.atomic
def books_set_active(*, book_ids: Iterable[int], active: bool) -> int:
    """Activate or deactivate several books at once; return how many changed."""
    locked = books_lock(book_ids=book_ids)
    return (
        Book.objects.filter(pk__in=list(locked))
        .exclude(is_active=active)
        .update(is_active=active, updated_at=timezone.now())
    )


@transaction.atomic
def book_items_add(*, book: Book, place: str, count: int = 1) -> list[BookItem]:
    """Put `count` new copies of a book on the shelf at `place`."""
    if count < 1:
        raise ValueError("count must be at least 1")
    books_lock(book_ids=[book.pk])
    items = BookItem.objects.bulk_create(
        [BookItem(book=book, place=place.strip()) for _ in range(count)]
    )
    books_touch(book_ids=[book.pk], in_stock={book.pk: count})
    return items


# -- many at once, for the CSV import (catalog_import.py) -------------------------------------
# The same rules as the single functions above, in a fixed number of queries per call.


def _book_clean(book: Book) -> None:
    # An import row may name no author (only isbn, title and price are required there).
    # The check constraints are left out: Django runs one query per constraint per book for
    # them, and the database enforces them anyway.
    book.full_clean(
        exclude=["author"] if not book.author else None,
        validate_unique=False,
        validate_constraints=False,
    )


@transaction.atomic
def books_create_many(*, books: list[Book]) -> list[Book]:
    """Add these (unsaved) books in one statement; raise ValidationError if one is bad."""
    for book in books:
        _book_clean(book)
    return Book.objects.bulk_create(books)


@transaction.atomic
def books_update_many(*, books: list[Book], fields: Iterable[str]) -> None:
    """Save `fields` of these books (changed by the caller, who holds their locks)."""
    names = sorted(set(fields) & set(BOOK_FIELDS))
    if not books or not names:
        return
    now = timezone.now()
    for book in books:
        _book_clean(book)
        book.updated_at = now
    Book.objects.bulk_update(books, [*names, "updated_at"], batch_size=500)


@transaction.atomic
def books_subjects_replace(*, subjects: dict[int, list[Subject]]) -> None:
    """Give each book (by id) exactly these subjects; the books' `updated_at` moves."""
    if not subjects:
        return
    through = Book.subjects.through
    through.objects.filter(book_id__in=list(subjects)).delete()
    through.objects.bulk_create(
        [
            through(book_id=book_id, subject_id=pk)
            for book_id, wanted in subjects.items()
            for pk in sorted({subject.pk for subject in wanted})
        ]
    )
    books_touch(book_ids=subjects)


@transaction.atomic
def book_items_add_many(*, copies: Iterable[tuple[int, str, int]]) -> int:
    """Put copies on the shelves: (book id, place, count) each; return how many."""
    wanted = [(book_id, place.strip(), count) for book_id, place, count in copies if count > 0]
    if not wanted:
        return 0
    added: Counter[int] = Counter()
    for book_id, _, count in wanted:
        added[book_id] += count
    books_lock(book_ids=added)
    items = BookItem.objects.bulk_create(
        [
            BookItem(book_id=book_id, place=place)
            for book_id, place, count in wanted
            for _ in range(count)
        ],
        batch_size=1000,
    )
    books_touch(book_ids=added, in_stock=added)
    return len(items)
