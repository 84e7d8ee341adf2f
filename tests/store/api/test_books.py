import base64
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from bookshop.store.inventory.models import Book
from bookshop.store.inventory.services import subjects_get_or_create
from tests.store.factories import BookFactory, BookItemFactory
from tests.store.images import upload

pytestmark = pytest.mark.django_db

BOOKS = "/api/v1/books/"


def _all_pages(api, params):
    """Follow `next` links like the shop's sync does; return every row in order."""
    rows, response = [], api.get(BOOKS, params)
    while True:
        assert response.status_code == 200, response.content
        rows.extend(response.json()["results"])
        if not response.json()["next"]:
            return rows
        response = api.get(response.json()["next"])


def test_a_book_as_json(api, settings):
    settings.STORE_PUBLIC_URL = "https://store.example.com"
    book = BookFactory(
        title="Dune",
        author="Frank Herbert",
        isbn="9780441013593",
        description="Sand.",
        price=Decimal("12.5"),
        copies=2,
    )

    response = api.get(f"{BOOKS}{book.pk}/")

    assert response.status_code == 200
    body = response.json()
    updated_at = body.pop("updated_at")
    assert body == {
        "id": book.pk,
        "title": "Dune",
        "author": "Frank Herbert",
        "isbn": "9780441013593",
        "description": "Sand.",
        "price": "12.50",
        "image": None,
        "quantity": 2,
        "is_active": True,
        "subjects": [],
        "publisher": "",
        "published_year": None,
        "format": "paperback",
        "pages": None,
        "language": "en",
        "series": "",
        "series_number": None,
    }
    assert dt.datetime.fromisoformat(updated_at) == Book.objects.get().updated_at


def test_the_image_is_an_absolute_url_on_the_public_address(staff_api, api, settings, tmp_path):
    settings.STORE_PUBLIC_URL = "https://store.example.com"
    settings.MEDIA_ROOT = tmp_path
    book = BookFactory()

    staff_api.patch(f"{BOOKS}{book.pk}/", {"image": upload("c.png")}, format="multipart")

    image = api.get(f"{BOOKS}{book.pk}/").json()["image"]
    assert image.startswith("https://store.example.com/media/books/c")
    assert image.endswith(".png")


def test_quantity_is_copies_in_stock_minus_open_reservations(api, place_order, staff):
    book = BookFactory(copies=5)
    BookItemFactory(book=book, status="shipped")
    place_order({book: 2})

    assert api.get(f"{BOOKS}{book.pk}/").json()["quantity"] == 3


def test_inactive_books_stay_visible_with_quantity_zero(api):
    book = BookFactory(copies=3, is_active=False)

    listed = api.get(BOOKS).json()["results"]
    detail = api.get(f"{BOOKS}{book.pk}/").json()

    assert [(b["id"], b["is_active"], b["quantity"]) for b in listed] == [(book.pk, False, 0)]
    assert (detail["is_active"], detail["quantity"]) == (False, 0)
    assert [b["id"] for b in api.get(BOOKS, {"is_active": "true"}).json()["results"]] == []
    assert [b["id"] for b in api.get(BOOKS, {"is_active": "false"}).json()["results"]] == [book.pk]


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_costs_the_same_queries_however_many_rows(
    api, service_api, rows, django_assert_num_queries
):
    subjects = subjects_get_or_create(names=["Poetry", "Drama"])
    for n in range(rows):
        BookFactory(copies=n % 3).subjects.set(subjects[: n % 3])

    # The page, then every subject of its books at once.
    with django_assert_num_queries(2):
        assert len(api.get(BOOKS, {"page_size": 100}).json()["results"]) == rows
    # The service account pays one more query: its token.
    with django_assert_num_queries(3):
        assert len(service_api.get(BOOKS, {"page_size": 100}).json()["results"]) == rows


def test_search_matches_title_author_and_isbn(api):
    BookFactory(title="The Hobbit", author="J. R. R. Tolkien")
    BookFactory(title="Emma", author="Jane Austen", isbn="9780141439587")
    BookFactory(title="Persuasion", author="Jane Austen")

    def titles(term):
        return sorted(b["title"] for b in api.get(BOOKS, {"search": term}).json()["results"])

    assert titles("hobbit") == ["The Hobbit"]
    assert titles("austen") == ["Emma", "Persuasion"]
    assert titles("9780141439587") == ["Emma"]


def test_price_range(api):
    for price in ("5.00", "10.00", "15.00", "20.00"):
        BookFactory(price=Decimal(price))

    response = api.get(BOOKS, {"min_price": "10", "max_price": "15.00"})

    assert [b["price"] for b in response.json()["results"]] == ["10.00", "15.00"]


def test_updated_after_is_strictly_after(api):
    old, new = BookFactory(), BookFactory()
    stamp = timezone.now() - dt.timedelta(hours=1)
    Book.objects.filter(pk=old.pk).update(updated_at=stamp)
    Book.objects.filter(pk=new.pk).update(updated_at=stamp + dt.timedelta(microseconds=1))

    response = api.get(BOOKS, {"updated_after": stamp.isoformat()})

    assert [b["id"] for b in response.json()["results"]] == [new.pk]
    assert api.get(BOOKS, {"updated_after": "2999-01-01T00:00:00Z"}).json()["results"] == []


@pytest.mark.parametrize(
    ("ordering", "key"),
    [
        ("title", lambda b: (b["title"], b["id"])),
        ("-title", lambda b: (b["title"], b["id"])),
        ("price", lambda b: (Decimal(b["price"]), b["id"])),
        ("-price", lambda b: (Decimal(b["price"]), b["id"])),
        ("updated_at", lambda b: (b["updated_at"], b["id"])),
        ("-updated_at", lambda b: (b["updated_at"], b["id"])),
        ("id", lambda b: b["id"]),
        ("-id", lambda b: b["id"]),
        ("created_at", lambda b: b["id"]),
        ("-created_at", lambda b: b["id"]),
    ],
)
def test_every_ordering_pages_through_every_book_once(api, ordering, key):
    # Few distinct values: most rows tie, which is what the cursor must get right.
    books = [BookFactory(title=f"T{n % 3}", price=Decimal(n % 4)) for n in range(23)]
    stamp = timezone.now()
    Book.objects.filter(pk__in=[b.pk for b in books[5:17]]).update(updated_at=stamp)

    rows = _all_pages(api, {"ordering": ordering, "page_size": 4})

    assert sorted(r["id"] for r in rows) == sorted(b.pk for b in books)
    assert rows == sorted(rows, key=key, reverse=ordering.startswith("-"))


def test_the_sync_pattern_follows_next_links_from_a_cursor(api):
    books = [BookFactory() for _ in range(7)]
    mark = Book.objects.order_by("updated_at")[2].updated_at

    rows = _all_pages(
        api, {"updated_after": mark.isoformat(), "ordering": "updated_at", "page_size": 2}
    )

    assert [r["id"] for r in rows] == [b.pk for b in books[3:]]


def test_page_size_defaults_to_50_and_allows_up_to_1000(api):
    Book.objects.bulk_create(Book(title=f"B{n}", author="A", price=Decimal(1)) for n in range(1001))

    assert len(api.get(BOOKS).json()["results"]) == 50
    response = api.get(BOOKS, {"page_size": 1000})
    assert len(response.json()["results"]) == 1000
    assert response.json()["next"]


@pytest.mark.parametrize("size", ["1001", "0", "-5", "1000000000", "ten", "1.5", "9" * 5000])
def test_a_page_size_out_of_range_is_a_400(api, size):
    response = api.get(BOOKS, {"page_size": size})

    assert response.status_code == 400
    assert response.json() == {"page_size": ["Enter a whole number from 1 to 1000."]}


@pytest.mark.parametrize(
    ("ordering", "expected"), [("price", 404), ("updated_at", 404), ("id", 404), ("title", 200)]
)
def test_a_made_up_cursor_is_a_404_not_a_crash(api, ordering, expected):
    BookFactory()
    # A cursor is base64 of "o=<offset>&p=<position>"; this position fits no number or date.
    cursor = base64.b64encode(b"o=0&p=not-a-value").decode()

    response = api.get(BOOKS, {"ordering": ordering, "cursor": cursor})

    assert response.status_code == expected
    assert api.get(BOOKS, {"cursor": "garbage"}).status_code == 404


# -- staff writes -----------------------------------------------------------------------------


def test_staff_add_a_book_with_json(staff_api):
    response = staff_api.post(
        BOOKS,
        {"title": "Emma", "author": "Jane Austen", "price": "7.5", "isbn": "978-0-14-143958-7"},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["price"], body["isbn"], body["quantity"], body["image"]) == (
        "Emma",
        "7.50",
        "9780141439587",
        0,
        None,
    )
    assert Book.objects.get().title == "Emma"


def test_staff_add_a_book_with_a_cover(staff_api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    response = staff_api.post(
        BOOKS,
        {
            "title": "Emma",
            "author": "Jane Austen",
            "price": "7.50",
            "image": upload("e.webp", "WEBP"),
        },
        format="multipart",
    )

    assert response.status_code == 201
    assert (tmp_path / Book.objects.get().image.name).is_file()


def test_staff_change_a_price_and_the_book_moves_in_the_sync(staff_api):
    book = BookFactory(price=Decimal("5.00"))
    before = book.updated_at

    response = staff_api.patch(f"{BOOKS}{book.pk}/", {"price": "6.25"})

    assert response.status_code == 200
    assert response.json()["price"] == "6.25"
    assert Book.objects.get().updated_at > before


def test_delete_is_soft(staff_api, api):
    book = BookFactory(copies=2)

    assert staff_api.delete(f"{BOOKS}{book.pk}/").status_code == 204

    body = api.get(f"{BOOKS}{book.pk}/").json()
    assert (body["is_active"], body["quantity"]) == (False, 0)
    assert Book.objects.get().updated_at > book.updated_at


MONEY = 'Enter an amount such as "12.50": up to 8 digits, at most 2 decimals.'


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"price": "-1"}, "price", MONEY),
        ({"price": "abc"}, "price", MONEY),
        ({"price": "1.234"}, "price", MONEY),
        ({"price": 7.5}, "price", MONEY),
        ({"price": "1e2"}, "price", MONEY),
        ({"price": " 7.50"}, "price", MONEY),
        ({"price": "123456789"}, "price", MONEY),
        ({"isbn": "12345"}, "isbn", "Enter a valid ISBN-10 or ISBN-13 (check digit included)."),
        ({"title": ""}, "title", "This field may not be blank."),
        ({"title": "x" * 256}, "title", "Ensure this field has no more than 255 characters."),
        ({"is_active": "perhaps"}, "is_active", "Must be a valid boolean."),
    ],
)
def test_bad_book_fields_are_400_with_the_field(staff_api, payload, field, message):
    book = BookFactory()

    response = staff_api.patch(f"{BOOKS}{book.pk}/", payload)

    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_a_cover_that_is_not_an_image_is_a_400(staff_api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    book = BookFactory()

    response = staff_api.patch(
        f"{BOOKS}{book.pk}/", {"image": upload("x.png", content=b"GIF89a nope")}, format="multipart"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["image"]
    assert not list(tmp_path.rglob("*.png"))
