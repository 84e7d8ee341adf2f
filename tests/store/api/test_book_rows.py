"""The book list and detail build their JSON from rows (book_rows), not through
BookSerializer: the bytes a client gets must be the serializer's, rendered by DRF."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.renderers import JSONRenderer

from bookshop.store.api.serializers import BookSerializer
from bookshop.store.inventory.models import Book
from bookshop.store.inventory.services import subjects_get_or_create
from bookshop.store.orders.selectors import book_list
from tests.store.factories import BookFactory, BookItemFactory

pytestmark = pytest.mark.django_db

BOOKS = "/api/v1/books/"


@pytest.fixture
def catalogue(place_order):
    """Books covering what a field can hold: covers or none, subjects or none (named so
    that Python's order and a database's collation differ), inactive, null numbers, BCE
    years, extreme prices, characters JSON escapes, reserved and shipped copies."""
    poetry, drama, zen, accents = subjects_get_or_create(
        names=["poetry", "Drama", "Zen", "Émile's picks"]
    )
    plain = BookFactory(title="Plain", price=Decimal("0"), copies=0)
    full = BookFactory(
        title='Ünïcode \u2028 line\u2029 "quoted" \\ tab\t nul-free \x01 😀',
        author="Frank Herbert",
        isbn="9780441013593",
        description="Line one\nline two\r\n</script>",
        price=Decimal("99999999.99"),
        publisher="Ace",
        published_year=-350,
        format=Book.Format.HARDCOVER,
        pages=100_000,
        language="fr",
        series="Dune",
        series_number=1,
        copies=4,
    )
    full.subjects.set([poetry, drama, zen, accents])
    inactive = BookFactory(title="Gone", is_active=False, price=Decimal("5.5"), copies=2)
    inactive.subjects.set([zen])
    covered = BookFactory(title="Covered", price=Decimal("12.05"), copies=1)
    Book.objects.filter(pk=covered.pk).update(image="books/a cover é.png")
    BookItemFactory(book=full, status="shipped")
    place_order({full: 3})
    return [plain, full, inactive, covered]


def serializer_body(data):
    return JSONRenderer().render(data)


def serialized(pk):
    return BookSerializer(book_list().prefetch_related("subjects").get(pk=pk)).data


@pytest.mark.parametrize("zone", ["UTC", "America/St_Johns"])
@pytest.mark.parametrize("ordering", ["", "-price", "title", "updated_at", "-created_at"])
def test_a_page_is_what_the_serializer_gives(
    staff_api, service_api, api, catalogue, settings, zone, ordering
):
    settings.STORE_PUBLIC_URL = "https://store.example.com"
    settings.TIME_ZONE = zone
    params = {"page_size": 3, **({"ordering": ordering} if ordering else {})}

    for client in (api, service_api, staff_api):
        response = client.get(BOOKS, params)
        while True:
            assert response.status_code == 200
            assert response["Content-Type"] == "application/json"
            body = response.json()
            expected = [serialized(row["id"]) for row in body["results"]]
            assert len(expected) in (1, 3)
            assert response.content == serializer_body(
                {"next": body["next"], "previous": body["previous"], "results": expected}
            )
            if not body["next"]:
                break
            response = client.get(body["next"])


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kathmandu"])
def test_one_book_is_what_the_serializer_gives(staff_api, api, catalogue, settings, zone):
    settings.TIME_ZONE = zone

    for book in catalogue:
        for client in (api, staff_api):
            response = client.get(f"{BOOKS}{book.pk}/")
            assert response.status_code == 200
            assert response.content == serializer_body(serialized(book.pk))


def test_the_rows_carry_every_edge_the_fixture_means(api, catalogue, settings):
    """The comparison above is only as good as its books: they hold what they claim."""
    settings.STORE_PUBLIC_URL = "https://store.example.com"
    plain, full, inactive, covered = (api.get(f"{BOOKS}{book.pk}/").json() for book in catalogue)

    assert (plain["image"], plain["subjects"], plain["price"]) == (None, [], "0.00")
    assert (plain["published_year"], plain["pages"], plain["series_number"]) == (None,) * 3
    assert [s["name"] for s in full["subjects"]] == ["Drama", "Zen", "poetry", "Émile's picks"]
    assert (full["price"], full["quantity"], full["published_year"]) == ("99999999.99", 1, -350)
    assert (inactive["is_active"], inactive["quantity"], inactive["price"]) == (False, 0, "5.50")
    assert covered["image"] == "https://store.example.com/media/books/a%20cover%20%C3%A9.png"
    updated = dt.datetime.fromisoformat(full["updated_at"])
    assert full["updated_at"].endswith("Z")
    assert updated.microsecond
    assert b"\\u2028 line\\u2029" in api.get(f"{BOOKS}{catalogue[1].pk}/").content


def test_a_book_that_does_not_exist_is_the_same_404(api):
    response = api.get(f"{BOOKS}999999/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No Book matches the given query."}
