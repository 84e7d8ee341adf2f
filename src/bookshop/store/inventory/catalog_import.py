"""Importing the catalogue from CSV: what each row means for the stored books, and applying it.

One transaction for the whole file. By default all or nothing: any invalid row and the
transaction rolls back, with every error listed. `skip_invalid` keeps the valid rows;
`dry_run` runs everything and rolls back, so its report is exactly what an import would do.
Rows go in chunks: per chunk a fixed number of queries (the books by ISBN with their
subjects and copies per place, then bulk writes), whatever the chunk's size.

Copies sit in this module's reach only through services: inventory's bulk functions add
them, and orders' `book_items_remove_free` knows which may go. (The import builds on
orders for that one rule, as the admin does.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.db.models import Count

from bookshop.store.inventory.catalog_csv import (
    REQUIRED_FOR_NEW,
    CatalogRow,
    FileError,
    RowError,
    isbn10,
    read_rows,
    write_rows,
)
from bookshop.store.inventory.models import Book, BookItem, Subject
from bookshop.store.inventory.services import (
    book_items_add_many,
    books_create_many,
    books_lock,
    books_subjects_replace,
    books_update_many,
    subject_slug,
    subjects_get_or_create,
)
from bookshop.store.orders.services import book_items_remove_free

NEW, UPDATED, UNCHANGED, ERROR = "new", "updated", "unchanged", "error"


@dataclass
class RowOutcome:
    row: int
    isbn: str
    title: str
    outcome: str
    errors: list[RowError] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # what changed, for people to read


@dataclass
class ImportReport:
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[RowError] = field(default_factory=list)
    rows: list[RowOutcome] = field(default_factory=list)  # only with keep_rows
    written: bool = False

    @property
    def summary(self) -> str:
        c = self.counts
        return f"{c[NEW]} new, {c[UPDATED]} updated, {c[UNCHANGED]} unchanged, {c[ERROR]} errors"


def catalog_import(
    file: IO[bytes],
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    keep_rows: bool = False,
    chunk_size: int = 500,
) -> ImportReport:
    """Import a catalogue CSV (binary, seekable); return what happened to each row.

    `keep_rows` keeps every row's outcome (the admin's preview); otherwise only the counts
    and the errors, so memory does not grow with the file.
    """
    report = ImportReport()
    seen: dict[str, int] = {}  # ISBN -> the row that had it first
    try:
        with transaction.atomic():
            for chunk in read_rows(file, chunk_size=chunk_size):
                for outcome in _apply_chunk(chunk, seen):
                    report.counts[outcome.outcome] += 1
                    report.errors.extend(outcome.errors)
                    if keep_rows:
                        report.rows.append(outcome)
            report.written = not dry_run and (skip_invalid or not report.errors)
            if not report.written:
                transaction.set_rollback(True)
    except FileError as exc:
        report.errors.append(exc.error)
        report.counts[ERROR] += 1
    return report


def _apply_chunk(chunk: list[CatalogRow], seen: dict[str, int]) -> Iterator[RowOutcome]:
    for row in chunk:
        if row.isbn:
            if row.isbn in seen:
                row.errors.append(
                    RowError(row.row, "isbn", f"the same ISBN as row {seen[row.isbn]}")
                )
            else:
                seen[row.isbn] = row.row
    valid = [row for row in chunk if not row.errors]
    existing, subjects_now, copies_now = _stored(valid)
    for row in valid:
        matches = existing.get(row.isbn, [])
        if len(matches) > 1:
            ids = ", ".join(str(book.pk) for book in matches)
            row.errors.append(RowError(row.row, "isbn", f"books {ids} all have this ISBN"))
        elif not matches:
            row.errors.extend(
                RowError(row.row, name, "required for a new book")
                for name in REQUIRED_FOR_NEW
                if name not in row.fields
            )
    valid = [row for row in valid if not row.errors]
    subjects = _subjects(valid)

    new_rows = [row for row in valid if row.isbn not in existing]
    new_books = books_create_many(books=[Book(isbn=row.isbn, **row.fields) for row in new_rows])
    changes: dict[int, list[str]] = {row.row: [] for row in valid}
    book_of: dict[int, Book] = {}
    for row, book in zip(new_rows, new_books, strict=True):
        book_of[row.row] = book
        copies_now[book.pk] = {}
        subjects_now[book.pk] = set()

    changed_books: list[Book] = []
    changed_fields: set[str] = set()
    for row in valid:
        if row.isbn not in existing:
            continue
        book = existing[row.isbn][0]
        book_of[row.row] = book
        diff = [name for name, value in row.fields.items() if getattr(book, name) != value]
        if book.isbn != row.isbn:  # stored as an ISBN-10 before
            diff.append("isbn")
        for name in diff:
            setattr(book, name, row.isbn if name == "isbn" else row.fields[name])
        if diff:
            changed_books.append(book)
            changed_fields.update(diff)
            changes[row.row].extend(diff)
    books_update_many(books=changed_books, fields=changed_fields)

    replace: dict[int, list[Subject]] = {}
    for row in valid:
        if row.subjects is None:
            continue
        book = book_of[row.row]
        wanted = [subjects[subject_slug(name)] for name in row.subjects]
        if {s.pk for s in wanted} != subjects_now[book.pk]:
            replace[book.pk] = wanted
            changes[row.row].append("subjects")
    books_subjects_replace(subjects=replace)

    _copies(valid, book_of, copies_now, changes)

    for row in chunk:
        if row.errors:
            title = row.fields.get("title", "")
            yield RowOutcome(row.row, row.isbn, title, ERROR, errors=row.errors)
            continue
        book = book_of[row.row]
        is_new = row.isbn not in existing
        # A note that copies were kept is not a change.
        moved = any("kept" not in note for note in changes[row.row])
        outcome = NEW if is_new else UPDATED if moved else UNCHANGED
        yield RowOutcome(row.row, row.isbn, book.title, outcome, changes=changes[row.row])


def _stored(
    rows: list[CatalogRow],
) -> tuple[dict[str, list[Book]], dict[int, set[int]], dict[int, dict[str, int]]]:
    """The stored books these rows name (locked), their subjects and in-stock copies."""
    wanted = {row.isbn for row in rows}
    also = {old: isbn for isbn in wanted if (old := isbn10(isbn))}
    ids = Book.objects.filter(isbn__in=sorted(wanted | set(also))).values_list("pk", flat=True)
    books = books_lock(book_ids=list(ids))
    existing: dict[str, list[Book]] = {}
    for book in books.values():
        existing.setdefault(also.get(book.isbn, book.isbn), []).append(book)
    subjects: dict[int, set[int]] = {pk: set() for pk in books}
    for book_id, subject_id in Book.subjects.through.objects.filter(
        book_id__in=list(books)
    ).values_list("book_id", "subject_id"):
        subjects[book_id].add(subject_id)
    copies: dict[int, dict[str, int]] = {pk: {} for pk in books}
    for book_id, place, n in (
        BookItem.objects.filter(book_id__in=list(books), status=BookItem.Status.IN_STOCK)
        .values("book_id", "place")
        .annotate(n=Count("pk"))
        .values_list("book_id", "place", "n")
        .order_by()
    ):
        copies[book_id][place] = n
    return existing, subjects, copies


def _subjects(rows: list[CatalogRow]) -> dict[str, Subject]:
    names = [name for row in rows for name in row.subjects or []]
    return {subject.slug: subject for subject in subjects_get_or_create(names=names)}


def _copies(
    rows: list[CatalogRow],
    book_of: dict[int, Book],
    copies_now: dict[int, dict[str, int]],
    changes: dict[int, list[str]],
) -> None:
    """Add or remove copies to reach each row's counts; note what was done on the row."""
    add: list[tuple[int, str, int]] = []
    remove: dict[tuple[int, str], int] = {}
    for row in rows:
        book = book_of[row.row]
        for place, target in (row.copies or {}).items():
            now = copies_now[book.pk].get(place, 0)
            if target > now:
                add.append((book.pk, place, target - now))
            elif target < now:
                remove[(book.pk, place)] = now - target
    book_items_add_many(copies=add)
    removed = book_items_remove_free(wanted=remove)
    added = {(book_id, place): n for book_id, place, n in add}
    for row in rows:
        book = book_of[row.row]
        for place in row.copies or {}:
            key = (book.pk, place)
            if key in added:
                changes[row.row].append(f"copies: {place} +{added[key]}")
            elif key in remove:
                gone = removed.get(key, 0)
                if gone:
                    changes[row.row].append(f"copies: {place} -{gone}")
                if gone < remove[key]:
                    changes[row.row].append(
                        f"copies: {place} {remove[key] - gone} kept (reserved or picked for orders)"
                    )


def catalog_export(file: IO[str], *, chunk_size: int = 500) -> tuple[int, int]:
    """Write every book with an ISBN as the import reads it, copies as in-stock counts per
    place; return (books written, books left out for having no ISBN)."""
    return write_rows(file, _export_rows(chunk_size)), Book.objects.filter(isbn="").count()


def _export_rows(chunk_size: int) -> Iterator[dict[str, Any]]:
    books = Book.objects.exclude(isbn="").order_by("pk").prefetch_related("subjects")
    chunk: list[Book] = []
    for book in books.iterator(chunk_size=chunk_size):
        chunk.append(book)
        if len(chunk) >= chunk_size:
            yield from _export_chunk(chunk)
            chunk = []
    yield from _export_chunk(chunk)


def _export_chunk(books: list[Book]) -> Iterator[dict[str, Any]]:
    copies: dict[int, list[str]] = {}
    for book_id, place, n in (
        BookItem.objects.filter(book__in=books, status=BookItem.Status.IN_STOCK)
        .values("book_id", "place")
        .annotate(n=Count("pk"))
        .values_list("book_id", "place", "n")
        .order_by("book_id", "place")
    ):
        copies.setdefault(book_id, []).append(f"{place}:{n}")
    for book in books:
        yield {
            "isbn": book.isbn,
            "title": book.title,
            "author": book.author,
            "price": f"{book.price:.2f}",
            "description": book.description,
            "publisher": book.publisher,
            "published_year": "" if book.published_year is None else book.published_year,
            "format": book.format,
            "pages": "" if book.pages is None else book.pages,
            "language": book.language,
            "subjects": ";".join(subject.name for subject in book.subjects.all()),
            "copies": ";".join(copies.get(book.pk, [])),
        }
