"""The demo catalogue: the shipped file itself, and how it goes into an empty store."""

import csv
import datetime
import hashlib
import io
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from PIL import Image

from bookshop.store.inventory.covers import GENRES, HEIGHT, WIDTH
from bookshop.store.inventory.demo import services as demo_services
from bookshop.store.inventory.demo.catalog import (
    CATALOG_CSV,
    COLUMNS,
    SERIES_CSV,
    read_catalog,
)
from bookshop.store.inventory.demo.services import demo_catalog_seed
from bookshop.store.inventory.models import Book, BookItem, Subject
from tests.store.factories import BookFactory

# The CSV import's format (docs/store.md), which this file must load through one day.
HEADER = (
    "isbn,title,author,price,description,publisher,published_year,format,pages,language,"
    "subjects,copies"
)


def isbn13_check_digit_ok(isbn: str) -> bool:
    return sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(isbn)) % 10 == 0


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    text = CATALOG_CSV.read_bytes().decode("utf-8")  # strict: a stray byte fails here
    assert text.splitlines()[0] == HEADER
    return list(csv.DictReader(io.StringIO(text)))


# -- the file ------------------------------------------------------------------------------


def test_the_file_holds_about_a_hundred_distinct_books(rows):
    assert 95 <= len(rows) <= 110
    assert len({row["isbn"] for row in rows}) == len(rows)
    assert len({(row["title"], row["author"]) for row in rows}) == len(rows)
    assert tuple(HEADER.split(",")) == COLUMNS


def test_every_isbn_is_a_valid_isbn13(rows):
    bad = [
        row["isbn"]
        for row in rows
        if not re.fullmatch(r"97[89]\d{10}", row["isbn"]) or not isbn13_check_digit_ok(row["isbn"])
    ]
    assert bad == []


def test_titles_authors_and_descriptions_are_filled_in_and_each_description_is_its_own(rows):
    for row in rows:
        assert row["title"].strip() == row["title"] != ""
        assert row["author"].strip() == row["author"] != ""
        assert 150 <= len(row["description"]) <= 800, row["title"]
        assert "\n" not in row["description"]
    assert len({row["description"] for row in rows}) == len(rows)


def test_years_are_first_publications_before_today(rows):
    this_year = datetime.date.today().year  # noqa: DTZ011 - a calendar year is enough
    for row in rows:
        assert 1500 <= int(row["published_year"]) <= this_year, row["title"]


def test_prices_are_plausible_with_two_decimals(rows):
    for row in rows:
        assert re.fullmatch(r"\d+\.\d\d", row["price"]), row["price"]
        assert Decimal("2.00") <= Decimal(row["price"]) <= Decimal("50.00")


def test_genres_come_from_the_fixed_list_one_or_two_a_book(rows):
    for row in rows:
        subjects = row["subjects"].split(";")
        assert 1 <= len(subjects) <= 2, row["title"]
        assert set(subjects) <= set(GENRES), row["title"]
    used = Counter(s for row in rows for s in row["subjects"].split(";"))
    assert set(used) == set(GENRES)  # every genre, so every palette, appears


def test_format_pages_language_and_publisher(rows):
    for row in rows:
        assert row["format"] in {"hardcover", "paperback", "other"}
        assert 16 <= int(row["pages"]) <= 2000
        assert re.fullmatch(r"[a-z]{2}", row["language"])
        assert row["publisher"] == row["publisher"].strip()
    languages = Counter(row["language"] for row in rows)
    assert languages["en"] >= 0.8 * len(rows)
    assert set(languages) <= {"en", "fr", "de", "es", "it"}


def test_copies_are_zero_to_five_on_named_shelf_places(rows):
    totals = []
    for row in rows:
        total = 0
        for part in filter(None, row["copies"].split(";")):
            place, count = part.split(":")
            assert re.fullmatch(r"[A-Z]\d-\d\d", place), part
            assert 1 <= int(count) <= 5
            total += int(count)
        assert total <= 5, row["title"]
        totals.append(total)
    assert 0 in totals  # a few are out of stock, as in a real shop
    assert sum(1 for total in totals if total >= 2) >= len(rows) // 2


def test_series_name_books_of_the_file_once_each_numbered_from_one(rows):
    isbns = {row["isbn"] for row in rows}
    with SERIES_CSV.open(encoding="utf-8", newline="") as handle:
        series = list(csv.DictReader(handle))
    assert [row["isbn"] for row in series if row["isbn"] not in isbns] == []
    assert len({row["isbn"] for row in series}) == len(series)
    assert all(1 <= int(row["series_number"]) <= 10 for row in series)
    by_title = {book.title: book for book in read_catalog()}
    holmes = by_title["The Hound of the Baskervilles"]
    assert (holmes.series, holmes.series_number) == ("Sherlock Holmes", 5)
    assert (by_title["Dracula"].series, by_title["Dracula"].series_number) == ("", None)


def test_the_reader_keeps_every_column(rows):
    books = read_catalog()
    assert len(books) == len(rows)
    first, row = books[0], rows[0]
    assert (first.isbn, first.title) == (row["isbn"], row["title"])
    assert first.price == Decimal(row["price"])
    assert first.published_year == int(row["published_year"])
    assert ";".join(first.subjects) == row["subjects"]
    assert ";".join(f"{place}:{n}" for place, n in first.copies) == row["copies"]


def test_no_two_covers_are_alike():
    digests = {
        hashlib.sha256(image).digest()
        for image in (
            demo_services.cover_png(
                title=book.title, author=book.author, genre=book.subjects[0], seed=book.isbn
            )
            for book in read_catalog()
        )
    }
    assert len(digests) == len(read_catalog())


# -- seeding -------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.django_db
def test_an_empty_store_gets_the_whole_catalogue_with_covers_and_copies(media):
    books = read_catalog()

    result = demo_catalog_seed()

    assert result is not None
    assert result.books == Book.objects.count() == len(books)
    assert result.copies == BookItem.objects.count() == sum(b.copy_count for b in books)
    for row in books[:5]:
        book = Book.objects.get(isbn=row.isbn)
        assert (book.title, book.author, book.price) == (row.title, row.author, row.price)
        assert book.description == row.description
        assert book.is_active
        assert sorted(book.items.values_list("place", flat=True)) == sorted(
            place for place, count in row.copies for _ in range(count)
        )
        with Image.open(media / book.image.name) as cover:
            assert (cover.format, cover.size) == ("PNG", (WIDTH, HEIGHT))
    assert len(list((media / "books").iterdir())) == len(books)


@pytest.mark.django_db
def test_the_seed_fills_every_bibliographic_field_and_the_genres(media):
    books = read_catalog()

    demo_catalog_seed(covers=False)

    for row in books:
        book = Book.objects.get(isbn=row.isbn)
        assert sorted(s.name for s in book.subjects.all()) == sorted(row.subjects), row.title
        assert (book.publisher, book.published_year, book.format) == (
            row.publisher,
            row.published_year,
            row.format,
        )
        assert (book.pages, book.language) == (row.pages, row.language)
        assert (book.series, book.series_number) == (row.series, row.series_number)
    assert Book.objects.filter(subjects__isnull=True).count() == 0
    assert Book.objects.filter(published_year__isnull=True).count() == 0
    assert set(Subject.objects.values_list("name", flat=True)) == set(GENRES)
    hound = Book.objects.get(title="The Hound of the Baskervilles")
    assert (hound.series, hound.series_number) == ("Sherlock Holmes", 5)


@pytest.mark.django_db
def test_a_store_with_books_is_never_touched(media):
    BookFactory(title="Our own stock", is_active=False)

    assert demo_catalog_seed() is None

    assert list(Book.objects.values_list("title", flat=True)) == ["Our own stock"]
    assert not media.exists()


@pytest.mark.django_db
def test_a_second_seed_adds_nothing(media):
    demo_catalog_seed(covers=False)
    count, copies = Book.objects.count(), BookItem.objects.count()

    assert demo_catalog_seed(covers=False) is None

    assert (Book.objects.count(), BookItem.objects.count()) == (count, copies)


@pytest.mark.django_db
def test_a_failure_halfway_leaves_no_book_and_no_cover_file(media, monkeypatch):
    added = []
    real = demo_services.book_items_add

    def fail_on_the_tenth(**kwargs):
        added.append(kwargs["book"])
        if len(added) == 10:
            raise RuntimeError("disk full")  # a fault injected on purpose
        return real(**kwargs)

    monkeypatch.setattr(demo_services, "book_items_add", fail_on_the_tenth)

    with pytest.raises(RuntimeError):
        demo_catalog_seed()

    assert Book.objects.count() == 0
    assert list((media / "books").iterdir()) == []


@pytest.mark.django_db
def test_seed_demo_says_what_it_did(media):
    first, second = io.StringIO(), io.StringIO()

    call_command("seed_demo", "--no-covers", stdout=first)
    call_command("seed_demo", "--no-covers", stdout=second)

    count = len(read_catalog())
    copies = sum(book.copy_count for book in read_catalog())
    assert first.getvalue().strip() == f"demo catalogue: added {count} books and {copies} copies"
    assert second.getvalue().strip() == (
        f"demo catalogue: not added, the store already has {count} books "
        "(it only goes into an empty store)"
    )
