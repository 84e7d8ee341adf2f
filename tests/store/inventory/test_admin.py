import re
from decimal import Decimal

import pytest
from django.contrib.admin.models import DELETION, LogEntry

from bookshop.store.inventory.codes import copy_code
from bookshop.store.inventory.models import Book, BookItem
from tests.store.factories import BookFactory, BookItemFactory
from tests.store.forms import form_data
from tests.store.queries import page_queries

pytestmark = pytest.mark.django_db


def test_the_book_list_shows_availability_with_the_same_queries_for_more_rows(
    admin_client, place_order
):
    book = BookFactory(title="Dune", copies=3)
    place_order({book: 1})
    few = page_queries(admin_client, "/admin/inventory/book/")
    for n in range(30):
        BookFactory(copies=n % 3, image="books/x.png")

    assert page_queries(admin_client, "/admin/inventory/book/") == few
    page = admin_client.get("/admin/inventory/book/", {"q": "dune"}).content.decode()
    assert '<td class="field-available">2</td>' in page
    assert '<td class="field-in_stock">3</td>' in page


def test_search_and_price_range(admin_client):
    BookFactory(title="Cheap", price=Decimal("5.00"))
    BookFactory(title="Dear", price=Decimal("60.00"), isbn="9780306406157")

    cheap = admin_client.get("/admin/inventory/book/", {"price": "under-10"}).content.decode()
    by_isbn = admin_client.get("/admin/inventory/book/", {"q": "9780306406157"}).content.decode()

    assert "Cheap" in cheap
    assert "Dear" not in cheap
    assert "Dear" in by_isbn
    assert "Cheap" not in by_isbn


def test_price_is_editable_in_the_list_and_the_sync_sees_it(admin_client):
    book = BookFactory(price=Decimal("5.00"))
    data = form_data(admin_client.get("/admin/inventory/book/").content.decode(), "changelist-form")
    data.update({"form-0-price": "7.25", "_save": "Save"})

    response = admin_client.post("/admin/inventory/book/", data)

    assert response.status_code == 302
    saved = Book.objects.get()
    assert saved.price == Decimal("7.25")
    assert saved.updated_at > book.updated_at


@pytest.mark.parametrize("copies", [2, 40])
def test_the_book_page_has_bounded_queries_as_copies_grow(admin_client, copies, place_order):
    small = BookFactory(copies=2)
    big = BookFactory(copies=copies)
    place_order({big: 1})

    assert page_queries(admin_client, f"/admin/inventory/book/{big.pk}/change/") == page_queries(
        admin_client, f"/admin/inventory/book/{small.pk}/change/"
    )


def test_each_copy_rows_inputs_are_named_for_their_copy(admin_client):
    book = BookFactory(title="Dune", copies=2)
    first, second = (copy_code(pk) for pk in book.items.order_by("pk").values_list("pk", flat=True))

    page = admin_client.get(f"/admin/inventory/book/{book.pk}/change/").content.decode()

    # What a screen reader announces for each input of the copies' table.
    named = dict(re.findall(r'<input[^>]*name="items-(\d+-\w+)"[^>]*aria-label="([^"]+)"', page))
    assert named == {
        "0-place": f"Shelf place of copy {first}",
        "0-DELETE": f"Delete copy {first}",
        "1-place": f"Shelf place of copy {second}",
        "1-DELETE": f"Delete copy {second}",
        "2-place": "Shelf place of a new copy",
    }
    nameless = [
        tag
        for tag in re.findall(r'<input[^>]*name="items-\d+-[^"]*"[^>]*>', page)
        if 'type="hidden"' not in tag and "aria-label=" not in tag
    ]
    assert nameless == []


def test_adding_copies_inline_makes_them_available_and_moves_updated_at(admin_client):
    book = BookFactory()
    url = f"/admin/inventory/book/{book.pk}/change/"
    data = form_data(admin_client.get(url).content.decode(), "book_form")
    data.update({"items-0-place": "Z-9"})

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(BookItem.objects.values_list("place", "status")) == [("Z-9", "in_stock")]
    assert Book.objects.get().updated_at > book.updated_at


def test_the_book_page_shows_the_cover_preview(admin_client, settings, tmp_path):
    book = BookFactory(image="books/dune.png", title="Dune")

    page = admin_client.get(f"/admin/inventory/book/{book.pk}/change/").content.decode()

    assert '<img src="/media/books/dune.png" alt="Cover of Dune"' in page
    assert 'type="file" name="image"' in page


def test_books_are_deactivated_not_deleted(admin_client):
    book = BookFactory()

    response = admin_client.post(
        "/admin/inventory/book/", {"action": "deactivate", "_selected_action": [book.pk]}
    )

    assert response.status_code == 302
    assert Book.objects.get().is_active is False
    page = admin_client.get("/admin/inventory/book/").content.decode()
    assert 'value="delete_selected"' not in page


def test_copies_are_searched_by_title_or_place(admin_client):
    BookItemFactory(book=BookFactory(title="Dune"), place="A-1")
    BookItemFactory(book=BookFactory(title="Emma"), place="Q-7")

    by_title = admin_client.get("/admin/inventory/bookitem/", {"q": "dune"}).content.decode()
    by_place = admin_client.get("/admin/inventory/bookitem/", {"q": "Q-7"}).content.decode()

    assert "A-1" in by_title
    assert "Q-7" not in by_title
    assert "Emma" in by_place
    assert "Dune" not in by_place


@pytest.mark.parametrize("rows", [3, 30])
def test_the_copy_list_has_boundedpage_queries(admin_client, rows, place_order):
    book = BookFactory(copies=rows)
    order = place_order({book: 1})
    baseline = BookFactory(copies=1)

    small = page_queries(admin_client, f"/admin/inventory/bookitem/?book__id__exact={baseline.pk}")
    large = page_queries(admin_client, "/admin/inventory/bookitem/")

    assert large == small
    assert order


def test_the_copy_autocomplete_of_a_packing_slot_offers_only_free_copies_of_its_book(
    admin_client, place_order
):
    book = BookFactory(title="Dune")
    free = BookItemFactory(book=book, place="A-2")
    picked = BookItemFactory(book=book, place="A-1")
    BookItemFactory(book=book, place="A-3", status="shipped")
    BookItemFactory(book=BookFactory(title="Dune Messiah"), place="A-4")
    order = place_order({book: 1})
    other = place_order({book: 1})
    from bookshop.store.orders.services import order_pack

    order_pack(order_id=other.pk, book_item_ids=[picked.pk])

    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "orders",
            "model_name": "packingslot",
            "field_name": "book_item",
            "book": book.pk,
            "term": "dune",
        },
    )

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(free.pk)]
    assert order


def test_a_picked_copy_cannot_be_deleted_from_the_book_page(admin_client, place_order):
    from bookshop.store.orders.services import order_pack

    book = BookFactory(copies=1)
    order = place_order({book: 1})
    copy = BookItem.objects.get()
    order_pack(order_id=order.pk, book_item_ids=[copy.pk])
    url = f"/admin/inventory/book/{book.pk}/change/"
    data = form_data(admin_client.get(url).content.decode(), "book_form")
    data["items-0-DELETE"] = "on"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in (
        response.content.decode()
    )
    assert BookItem.objects.filter(pk=copy.pk).exists()


# -- a copy picked for an order, or shipped, stays with its book ------------------------------


def _copy_form(client, copy):
    url = f"/admin/inventory/bookitem/{copy.pk}/change/"
    return url, form_data(client.get(url).content.decode(), "bookitem_form")


def test_a_picked_copy_cannot_move_to_another_book(admin_client, place_order):
    from bookshop.store.orders.services import order_pack

    dune, emma = BookFactory(title="Dune", copies=1), BookFactory(title="Emma", copies=1)
    order = place_order({dune: 1})
    copy = dune.items.get()
    order_pack(order_id=order.pk, book_item_ids=[copy.pk])
    url, data = _copy_form(admin_client, copy)
    data["book"] = str(emma.pk)

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert f"Copy {copy.pk} is picked for order {order.pk}" in response.content.decode()
    assert BookItem.objects.get(pk=copy.pk).book_id == dune.pk
    availability = admin_client.get("/admin/inventory/book/", {"q": "emma"}).content.decode()
    assert '<td class="field-in_stock">1</td>' in availability


def test_a_shipped_copy_cannot_move_to_another_book(admin_client, place_order, staff):
    from bookshop.store.orders.services import order_complete, order_pack

    dune, emma = BookFactory(title="Dune", copies=1), BookFactory(title="Emma")
    order = place_order({dune: 1})
    copy = dune.items.get()
    order_pack(order_id=order.pk, book_item_ids=[copy.pk])
    order_complete(order_id=order.pk, actor=staff)
    url, data = _copy_form(admin_client, copy)
    data["book"] = str(emma.pk)

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert f"Copy {copy.pk} has shipped" in response.content.decode()
    assert BookItem.objects.get(pk=copy.pk).book_id == dune.pk


def test_a_free_copy_moves_to_another_book_and_both_books_move_updated_at(admin_client):
    dune, emma = BookFactory(title="Dune", copies=1), BookFactory(title="Emma")
    copy = dune.items.get()
    url, data = _copy_form(admin_client, copy)
    data.update({"book": str(emma.pk), "place": "E-1"})

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert BookItem.objects.get(pk=copy.pk).book_id == emma.pk
    assert Book.objects.get(pk=dune.pk).updated_at > dune.updated_at
    assert Book.objects.get(pk=emma.pk).updated_at > emma.updated_at


def test_a_picked_copy_cannot_be_deleted_in_the_copies_admin(admin_client, place_order):
    from bookshop.store.orders.services import order_pack

    book = BookFactory(copies=2)
    order = place_order({book: 1})
    picked, free = book.items.order_by("pk")
    order_pack(order_id=order.pk, book_item_ids=[picked.pk])

    one = admin_client.post(f"/admin/inventory/bookitem/{picked.pk}/delete/", {"post": "yes"})
    bulk = admin_client.post(
        "/admin/inventory/bookitem/",
        {"action": "delete_selected", "_selected_action": [picked.pk, free.pk], "post": "yes"},
    )

    assert one.status_code == 200
    assert bulk.status_code == 200
    assert "Cannot delete copy" in one.content.decode()
    assert "Cannot delete copies" in bulk.content.decode()
    assert BookItem.objects.count() == 2


def test_free_copies_are_deleted_and_their_book_moves_updated_at(admin_client):
    book = BookFactory(copies=3)
    first, second, third = book.items.order_by("pk")

    one = admin_client.post(f"/admin/inventory/bookitem/{first.pk}/delete/", {"post": "yes"})
    touched = Book.objects.get().updated_at
    bulk = admin_client.post(
        "/admin/inventory/bookitem/",
        {"action": "delete_selected", "_selected_action": [second.pk, third.pk], "post": "yes"},
    )

    assert (one.status_code, bulk.status_code) == (302, 302)
    assert not BookItem.objects.exists()
    assert book.updated_at < touched < Book.objects.get().updated_at


def test_removing_a_free_copy_on_the_book_page_moves_updated_at(admin_client):
    book = BookFactory(copies=2)
    url = f"/admin/inventory/book/{book.pk}/change/"
    data = form_data(admin_client.get(url).content.decode(), "book_form")
    data.update({"items-0-DELETE": "on", "items-1-place": "M-2"})

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert list(BookItem.objects.values_list("place", flat=True)) == ["M-2"]
    assert Book.objects.get().updated_at > book.updated_at


def test_a_copy_added_on_the_copies_page_is_available_and_moves_updated_at(admin_client):
    book = BookFactory()

    response = admin_client.post(
        "/admin/inventory/bookitem/add/", {"book": book.pk, "place": "Q-1"}
    )

    copy = BookItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/admin/inventory/bookitem/"
    assert (copy.book_id, copy.place, copy.status) == (book.pk, "Q-1", "in_stock")
    assert Book.objects.get().updated_at > book.updated_at


def test_a_shipped_copy_no_order_protects_is_still_not_deleted(admin_client):
    # No packing slot holds this copy, so nothing in the database protects it: the
    # service's rule alone keeps it, and each page says why.
    book = BookFactory(copies=1)
    copy = BookItem.objects.get()
    BookItem.objects.filter(pk=copy.pk).update(status="shipped")
    refusal = f"Copy {copy.pk} has shipped, so it cannot be removed."
    page_url = f"/admin/inventory/book/{book.pk}/change/"
    data = form_data(admin_client.get(page_url).content.decode(), "book_form")
    data["items-0-DELETE"] = "on"

    one = admin_client.post(
        f"/admin/inventory/bookitem/{copy.pk}/delete/", {"post": "yes"}, follow=True
    )
    bulk = admin_client.post(
        "/admin/inventory/bookitem/",
        {"action": "delete_selected", "_selected_action": [copy.pk], "post": "yes"},
        follow=True,
    )
    inline = admin_client.post(page_url, data)

    assert f"Nothing was deleted: {refusal}" in one.content.decode()
    assert f"Nothing was deleted: {refusal}" in bulk.content.decode()
    assert "Successfully deleted" not in bulk.content.decode()
    assert inline.status_code == 200
    assert refusal in inline.content.decode()
    assert BookItem.objects.filter(pk=copy.pk).exists()
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()  # no deletion logged
