"""Fill the catalogue with made-up books and copies, fast enough for 100 000 books."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from bookshop.store.inventory.covers import GENRES, CoverSpec, covers_render
from bookshop.store.inventory.made_up import MadeUpBooks
from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.inventory.services import subjects_get_or_create

BOOK_COLUMNS = [
    "title",
    "author",
    "isbn",
    "description",
    "price",
    "image",
    "is_active",
    "created_at",
    "updated_at",
    # Raw rows skip the model's defaults: every column is given.
    "publisher",
    "published_year",
    "format",
    "pages",
    "language",
    "series",
    "series_number",
]
COPY_COLUMNS = ["book", "place", "status", "created_at", "updated_at"]
SUBJECT_COLUMNS = ["book", "subject"]
# The fixed set of subjects made-up books get one or two of (the covers' genres).
SUBJECTS = GENRES
PUBLISHERS = (
    "Harrow & Vale",
    "Lanternfield Press",
    "Marlowe & Finch",
    "Northgate Books",
    "Quillstone",
    "Redfern House",
    "Saltmarsh Editions",
    "Tidewater Publishing",
)
SERIES = ("The Harbour Quartet", "Inspector Vance", "The Longwater Saga", "Tales of Emberfell")
# Draw tables: a uniform pick from one is a weighted pick of its values (a value listed
# twice is twice as likely), far cheaper than rng.choices for 100 000 rows.
FORMAT_DRAW = ("paperback",) * 14 + ("hardcover",) * 5 + ("other",)
LANGUAGE_DRAW = ("en",) * 22 + ("fr", "de", "es")
PUBLISHER_DRAW = (*PUBLISHERS, "")  # one book in nine without a publisher
SERIES_SHARE = 0.08


AISLES = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)  # a concrete field: it has a column
    assert field.column
    return field.column


def _insert(
    cursor: CursorWrapper, model: type[models.Model], fields: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """Write many rows whose values are already in the database's form.

    bulk_create spends most of its time preparing each value through its field: at
    350 000 rows that alone takes most of a minute. PostgreSQL gets COPY, the fastest way
    in; SQLite multi-row INSERTs of 500 rows.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(_column(model, name)) for name in fields)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # DEBUG's query log formats every parameter of every statement, a third of the run at
    # 100 000 books: go past it, unless queries are being captured on purpose (the tests'
    # query counts, CaptureQueriesContext), which must see every statement.
    raw = cursor if connection.force_debug_cursor else cursor.cursor
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        raw.execute(
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_marks] * len(chunk))}",  # noqa: S608
            [value for row in chunk for value in row],
        )


def _book_id_reserver(cursor):
    """A function that inserts rows of books and returns their new ids, in order.

    No other writer may add books meanwhile, so the new ids are exactly those above the
    previous maximum: SQLite's IMMEDIATE transactions already exclude other writers;
    on PostgreSQL the table is locked against writes (reads go on) until the commit.
    """
    table = connection.ops.quote_name(Book._meta.db_table)
    if connection.vendor == "postgresql":
        cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")

    def insert(cursor: CursorWrapper, rows: list[tuple[Any, ...]]) -> list[int]:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        floor = cursor.fetchone()[0]
        _insert(cursor, Book, BOOK_COLUMNS, rows)
        cursor.execute(f"SELECT id FROM {table} WHERE id > %s ORDER BY id", [floor])  # noqa: S608
        ids = [row[0] for row in cursor.fetchall()]
        if len(ids) != len(rows):
            raise CommandError("Another process added books meanwhile; nothing was saved.")
        return ids

    return insert


class Details:
    """Made-up bibliographic details of one book after another: the rest of its row
    (publisher, year, format, pages, language, series, number) and its subjects."""

    def __init__(self, rng: random.Random) -> None:
        self.random = rng.random

    def row(self) -> tuple[Any, ...]:
        r = self.random
        # Mostly books of the last decades, some older classics.
        year = 1950 + int(r() * 76) if r() < 0.85 else 1600 + int(r() * 350)
        series, number = "", None
        if r() < SERIES_SHARE:
            series, number = SERIES[int(r() * len(SERIES))], 1 + int(r() * 7)
        return (
            PUBLISHER_DRAW[int(r() * len(PUBLISHER_DRAW))],
            year,
            FORMAT_DRAW[int(r() * len(FORMAT_DRAW))],
            64 + int(r() * 897),
            LANGUAGE_DRAW[int(r() * len(LANGUAGE_DRAW))],
            series,
            number,
        )

    def subjects(self) -> tuple[int, ...]:
        """One or two different indexes into SUBJECTS."""
        r, count = self.random, len(SUBJECTS)
        first = int(r() * count)
        if r() < 0.5:
            return (first,)
        second = int(r() * (count - 1))
        return (first, second + (second >= first))


def isbn13(rng: random.Random) -> str:
    """A random ISBN-13 with a correct check digit."""
    body = f"978{rng.randrange(10**9):09d}"
    total = sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(body))
    return body + str((10 - total % 10) % 10)


class Command(BaseCommand):
    help = (
        "Add made-up books (titles, authors and blurbs composed with Faker's help) and 0 to "
        "--max-copies copies of each; --covers draws a cover for each book too. Use --seed "
        "for the same catalogue every time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--books", type=int, default=50, help="how many books (default 50)")
        parser.add_argument(
            "--max-copies", type=int, default=5, help="copies per book, 0 to this (default 5)"
        )
        parser.add_argument("--seed", type=int, default=None, help="repeatable randomness")
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="rows per INSERT batch (default 5000)"
        )
        parser.add_argument(
            "--covers",
            action="store_true",
            help="draw a cover for every book (about 30 ms of CPU each, spread over the cores)",
        )
        parser.add_argument(
            "--workers", type=int, default=None, help="processes drawing covers (default: cores)"
        )

    def handle(
        self,
        *args: Any,
        books: int,
        max_copies: int,
        seed: int | None,
        batch_size: int,
        covers: bool,
        workers: int | None,
        **_: Any,
    ) -> None:
        if books < 0 or max_copies < 0 or batch_size < 1 or (workers is not None and workers < 1):
            raise CommandError(
                "--books and --max-copies must be 0 or more, --batch-size and --workers 1 or more"
            )
        started = time.monotonic()
        rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
        made_up = MadeUpBooks(seed=seed, authors=min(max(books // 20, 50), 5000))
        places = [
            f"{aisle}-{shelf:02d}-{slot}"
            for aisle in AISLES
            for shelf in range(1, 41)
            for slot in range(1, 9)
        ]
        made_books = made_copies = 0
        now = timezone.now()
        copy_stamp = connection.ops.adapt_datetimefield_value(now)
        in_stock = BookItem.Status.IN_STOCK.value
        stored: list[str] = []
        drawing = 0.0

        details = Details(rng)

        try:
            with transaction.atomic(), connection.cursor() as cursor:
                subject_ids = [subject.pk for subject in subjects_get_or_create(names=SUBJECTS)]
                new_book_ids = _book_id_reserver(cursor)
                for start in range(0, books, batch_size):
                    batch = [
                        (made_up.title(), made_up.author(), isbn13(rng), made_up.blurb())
                        for _ in range(start, min(start + batch_size, books))
                    ]
                    picked = [details.subjects() for _ in batch]
                    images = [""] * len(batch)
                    if covers:
                        began = time.monotonic()
                        genres = [SUBJECTS[indexes[0]] for indexes in picked]
                        images = self._draw_covers(batch, genres, workers, stored)
                        drawing += time.monotonic() - began
                    rows = []
                    for n, ((title, author, isbn, blurb), image) in enumerate(
                        zip(batch, images, strict=True), start=start
                    ):
                        # A microsecond apart: the sync's cursor pages by updated_at, and
                        # 100 000 equal timestamps would make it page by ever deeper offsets.
                        at = connection.ops.adapt_datetimefield_value(
                            now + timedelta(microseconds=n)
                        )
                        price = Decimal(rng.randint(299, 5999)) / 100
                        rows.append(
                            (title, author, isbn, blurb, price, image, True, at, at, *details.row())
                        )
                    ids = new_book_ids(cursor, rows)
                    _insert(
                        cursor,
                        Book.subjects.through,
                        SUBJECT_COLUMNS,
                        [
                            (book_id, subject_ids[index])
                            for book_id, indexes in zip(ids, picked, strict=True)
                            for index in indexes
                        ],
                    )
                    copies = [
                        (book_id, rng.choice(places), in_stock, copy_stamp, copy_stamp)
                        for book_id in ids
                        for _ in range(rng.randint(0, max_copies))
                    ]
                    _insert(cursor, BookItem, COPY_COLUMNS, copies)
                    # The books' stored stock count (which the services keep from now on),
                    # one UPDATE per count: a few per batch.
                    per_book = Counter(book_id for book_id, *_ in copies)
                    by_count: dict[int, list[int]] = {}
                    for book_id, n in per_book.items():
                        by_count.setdefault(n, []).append(book_id)
                    for n, book_ids in by_count.items():
                        Book.objects.filter(pk__in=book_ids).update(copies_in_stock=n)
                    made_books += len(rows)
                    made_copies += len(copies)
        except BaseException:
            # The rows are rolled back; the cover files they named must go too.
            for name in stored:
                default_storage.delete(name)
            raise
        took = f"in {time.monotonic() - started:.1f} s"
        if covers:
            self.stdout.write(
                f"Added {made_books} books, {made_copies} copies and {len(stored)} covers "
                f"{took} (drawing the covers took {drawing:.1f} s)."
            )
        else:
            self.stdout.write(f"Added {made_books} books and {made_copies} copies {took}.")

    @staticmethod
    def _draw_covers(
        batch: list[tuple[str, str, str, str]],
        genres: list[str],
        workers: int | None,
        stored: list[str],
    ) -> list[str]:
        """Draw and store a cover for each (title, author, isbn, blurb), on its genre's
        palette; their file names."""
        specs = [
            CoverSpec(title=title, author=author, seed=isbn, genre=genre)
            for (title, author, isbn, _), genre in zip(batch, genres, strict=True)
        ]
        names = []
        for (_, _, isbn, _), png in zip(batch, covers_render(specs, workers=workers), strict=True):
            name = default_storage.save(f"books/{isbn}.png", ContentFile(png))
            stored.append(name)
            names.append(name)
        return names
