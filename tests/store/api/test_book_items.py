import pytest

from bookshop.store.inventory.models import BookItem
from tests.store.factories import BookFactory, BookItemFactory

pytestmark = pytest.mark.django_db


def test_staff_list_a_books_copies_and_filter_the_ones_in_stock(staff_api):
    book = BookFactory()
    here = BookItemFactory(book=book, place="A-1")
    BookItemFactory(book=book, place="A-2", status="shipped")
    BookItemFactory(place="elsewhere")

    everything = staff_api.get(f"/api/v1/books/{book.pk}/items/").json()["results"]
    in_stock = staff_api.get(f"/api/v1/books/{book.pk}/items/", {"status": "in_stock"})

    assert [(c["place"], c["status"]) for c in everything] == [
        ("A-1", "in_stock"),
        ("A-2", "shipped"),
    ]
    assert in_stock.json()["results"] == [{"id": here.pk, "place": "A-1", "status": "in_stock"}]


def test_staff_add_copies_and_they_are_available(staff_api, api):
    book = BookFactory()

    response = staff_api.post(f"/api/v1/books/{book.pk}/items/", {"place": " C-7 ", "count": 3})

    assert response.status_code == 201
    assert [(c["place"], c["status"]) for c in response.json()] == [("C-7", "in_stock")] * 3
    assert api.get(f"/api/v1/books/{book.pk}/").json()["quantity"] == 3


def test_copies_of_a_book_that_does_not_exist_are_404(staff_api):
    assert staff_api.get("/api/v1/books/999/items/").status_code == 404
    assert staff_api.post("/api/v1/books/999/items/", {"place": "A"}).status_code == 404
    assert not BookItem.objects.exists()
