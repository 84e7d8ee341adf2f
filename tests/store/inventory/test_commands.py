import io
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from PIL import Image
from rest_framework.authtoken.models import Token

from bookshop.store.inventory.covers import GENRES
from bookshop.store.inventory.made_up import PLACES
from bookshop.store.inventory.models import Book, BookItem, Subject
from bookshop.store.inventory.validators import isbn_is_valid
from bookshop.store.orders.models import Order
from tests.store.factories import BookFactory
from tests.store.stock import assert_stored_stock_is_right

pytestmark = pytest.mark.django_db


def _populate(*args):
    out = io.StringIO()
    call_command("populate_db", *args, stdout=out)
    return out.getvalue()


def test_populate_db_adds_50_books_with_0_to_5_copies_by_default(api):
    output = _populate()

    assert Book.objects.count() == 50
    copies = BookItem.objects.count()
    assert output.startswith(f"Added 50 books and {copies} copies in ")
    per_book = [b.items.count() for b in Book.objects.all()]
    assert min(per_book) >= 0
    assert max(per_book) <= 5
    assert all(isbn_is_valid(isbn) for isbn in Book.objects.values_list("isbn", flat=True))
    rows = api.get("/api/v1/books/", {"page_size": 50}).json()["results"]
    assert sum(row["quantity"] for row in rows) == copies
    assert all(row["title"] and row["author"] and row["price"] for row in rows)
    assert_stored_stock_is_right()  # every book's stored count, not only their sum


# What Faker's own names and cities used to put in titles and bylines.
NOT_BOOKISH = re.compile(
    r"\b(MD|DDS|DVM|PhD|Jr|Sr|II|III|IV|Mr|Mrs|Ms|Miss|Dr|Suite|Apt|Street|Avenue|Boulevard)\b"
    r"|\w(burgh|furt|ville|stad|bury|borough|mouth|haven|chester)\b"
)


def test_populate_db_titles_and_authors_read_like_books():
    _populate("--books", "3000", "--seed", "3")

    titles, authors = zip(*Book.objects.values_list("title", "author"), strict=True)
    # Real places may end like Faker's made-up towns ("Seville"); those are fine.
    without_places = [" ".join(w for w in t.split() if w not in " ".join(PLACES)) for t in titles]
    assert [t for t in without_places if NOT_BOOKISH.search(t)] == []
    assert [t for t in titles if re.search(r"\b[Aa] [AEIOU]", t)] == []  # "A Evening"
    assert [t for t in titles if re.search(r"\b(\w+) \1\b", t)] == []  # "Sailor Sailor"
    assert [
        a for a in authors if not re.fullmatch(r"[A-Z][a-z]+( [A-Z]\.)? [A-Z][A-Za-z]+", a)
    ] == []
    assert len(set(titles)) > 2000
    blurbs = set(Book.objects.values_list("description", flat=True))
    assert all(blurb.endswith(".") and len(blurb) > 80 for blurb in blurbs)


def test_populate_db_fills_the_bibliographic_fields_from_a_fixed_set_of_subjects(api):
    _populate("--books", "400", "--seed", "5")

    books = list(Book.objects.prefetch_related("subjects"))
    counts = Counter(len(book.subjects.all()) for book in books)
    assert set(counts) == {1, 2}
    assert set(Subject.objects.values_list("name", flat=True)) == set(GENRES)
    assert all(1600 <= book.published_year <= 2025 for book in books)
    assert all(64 <= book.pages <= 960 for book in books)
    assert {book.format for book in books} == {"paperback", "hardcover", "other"}
    languages = Counter(book.language for book in books)
    assert languages["en"] > 0.7 * len(books)
    assert set(languages) <= {"en", "fr", "de", "es"}
    in_series = [book for book in books if book.series]
    assert 0 < len(in_series) < len(books) // 4
    assert all(1 <= book.series_number <= 7 for book in in_series)
    assert all(book.series_number is None for book in books if not book.series)
    for book in books[:20]:
        book.full_clean()  # what the raw rows hold passes the model's own checks
    # The API serves them, subjects included.
    row = api.get(f"/api/v1/books/{books[0].pk}/").json()
    assert [s["name"] for s in row["subjects"]] == sorted(s.name for s in books[0].subjects.all())


def test_populate_db_reuses_the_subjects_of_an_earlier_run():
    _populate("--books", "20", "--seed", "1")
    _populate("--books", "20", "--seed", "2")

    assert Subject.objects.count() == len(GENRES)


def test_populate_db_with_covers_draws_one_for_each_book(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    output = _populate("--books", "8", "--covers", "--workers", "2", "--seed", "4")

    assert output.startswith("Added 8 books, ")
    assert " and 8 covers in " in output
    names = list(Book.objects.values_list("image", flat=True))
    assert len(set(names)) == 8
    for name in names:
        with Image.open(tmp_path / name) as cover:
            assert (cover.format, cover.size) == ("PNG", (480, 720))


def test_populate_db_without_covers_leaves_books_without_images():
    _populate("--books", "3")

    assert set(Book.objects.values_list("image", flat=True)) == {""}


def test_populate_db_with_a_seed_makes_the_same_catalogue():
    _populate("--books", "30", "--seed", "7")
    first = list(Book.objects.order_by("id").values_list("title", "author", "isbn", "price"))
    first_copies = BookItem.objects.count()
    call_command("clear_db", "--yes", stdout=io.StringIO())

    _populate("--books", "30", "--seed", "7")

    assert list(Book.objects.order_by("id").values_list("title", "author", "isbn", "price")) == (
        first
    )
    assert BookItem.objects.count() == first_copies


def test_populate_db_writes_in_batches(django_assert_max_num_queries):
    # 2 000 books in batches of 500: a few statements per batch, not one per row.
    with django_assert_max_num_queries(60):
        _populate("--books", "2000", "--batch-size", "500", "--seed", "1")

    assert Book.objects.count() == 2000
    assert Book.objects.values("updated_at").distinct().count() == 2000


def test_populate_db_adds_to_an_existing_catalogue():
    BookFactory(title="Kept")

    _populate("--books", "5")

    assert Book.objects.count() == 6
    assert Book.objects.filter(title="Kept").exists()


def test_populate_db_refuses_negative_numbers():
    with pytest.raises(CommandError):
        _populate("--books", "-1")


def test_clear_db_with_yes_deletes_books_copies_and_orders_but_not_accounts(
    place_order, service_account
):
    place_order({BookFactory(copies=3): 2})

    out = io.StringIO()
    call_command("clear_db", "--yes", stdout=out)

    assert not Book.objects.exists()
    assert not BookItem.objects.exists()
    assert not Order.objects.exists()
    assert "bookshop shop sync_catalog --full" in out.getvalue()
    assert Token.objects.filter(user=service_account).exists()


def test_clear_db_deletes_books_with_subjects_and_keeps_the_subjects():
    _populate("--books", "30", "--seed", "1")

    call_command("clear_db", "--yes", stdout=io.StringIO())

    assert not Book.objects.exists()
    assert not Book.subjects.through.objects.exists()
    assert Subject.objects.count() == len(GENRES)


def test_clear_db_asks_first(monkeypatch):
    BookFactory()
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    out = io.StringIO()

    call_command("clear_db", stdout=out)

    assert "Nothing deleted." in out.getvalue()
    assert Book.objects.count() == 1
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    call_command("clear_db", stdout=out)
    assert not Book.objects.exists()


def test_clear_db_without_a_terminal_needs_yes():
    BookFactory()

    with pytest.raises(CommandError, match="--yes"):
        call_command("clear_db", "--noinput")

    assert Book.objects.count() == 1


def test_clear_db_removes_the_cover_files(settings, tmp_path):
    from bookshop.store.inventory.services import book_create
    from tests.store.images import upload

    settings.MEDIA_ROOT = tmp_path
    book = book_create(data={"title": "T", "author": "A", "price": 1, "image": upload()})
    assert (tmp_path / book.image.name).exists()

    call_command("clear_db", "--yes", stdout=io.StringIO())

    assert not (tmp_path / book.image.name).exists()
