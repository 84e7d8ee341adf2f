import datetime as dt
import uuid

import pytest

from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.orders.models import Order
from tests.store.factories import BookFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def _body(*lines, shop_order_id=None, **fields):
    return {
        "shop_order_id": str(shop_order_id or uuid.uuid4()),
        "customer_email": "reader@example.com",
        "delivery_address": "1 Long Street\nSpringfield",
        "items": [{"book": book.pk, "quantity": n} for book, n in lines],
        **fields,
    }


def _quantity(api, book):
    return api.get(f"/api/v1/books/{book.pk}/").json()["quantity"]


def test_a_new_order_is_201_with_the_order(service_api, api):
    book = BookFactory(copies=3, title="Dune", price="12.50")
    body = _body((book, 2), shop_order_number=5)

    response = service_api.post(ORDERS, body)

    assert response.status_code == 201
    order = response.json()
    created_at, updated_at = order.pop("created_at"), order.pop("updated_at")
    assert order == {
        "id": Order.objects.get().pk,
        "shop_order_id": body["shop_order_id"],
        "shop_order_number": 5,
        "customer_email": "reader@example.com",
        "delivery_address": "1 Long Street\nSpringfield",
        "delivery_fee": "0.00",
        "status": "in_work",
        "fail_reason": "",
        "items": [{"book": book.pk, "title": "Dune", "quantity": 2, "unit_price": "12.50"}],
    }
    assert dt.datetime.fromisoformat(created_at) <= dt.datetime.fromisoformat(updated_at)
    assert _quantity(api, book) == 1


def test_the_same_order_twice_is_201_then_200_and_one_order(service_api, api):
    book = BookFactory(copies=3)
    body = _body((book, 2))

    first = service_api.post(ORDERS, body)
    second = service_api.post(ORDERS, body)

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert Order.objects.count() == 1
    assert _quantity(api, book) == 1


def test_the_same_id_with_other_content_is_409(service_api):
    book = BookFactory(copies=3)
    key = uuid.uuid4()
    service_api.post(ORDERS, _body((book, 1), shop_order_id=key))

    response = service_api.post(ORDERS, _body((book, 2), shop_order_id=key))

    assert response.status_code == 409
    assert response.json() == {
        "code": "shop_order_id_conflict",
        "detail": f"An order with shop_order_id {key} already exists with other content.",
    }
    assert Order.objects.get().items.get().quantity == 1


def test_short_stock_is_409_with_the_short_lines_and_nothing_reserved(service_api, api):
    enough, short = BookFactory(copies=4, title="Emma"), BookFactory(copies=1, title="Dune")
    gone = BookFactory(copies=2, title="Ulysses", is_active=False)

    response = service_api.post(ORDERS, _body((enough, 2), (short, 3), (gone, 1)))

    assert response.status_code == 409
    assert response.json() == {
        "code": "insufficient_stock",
        "detail": "Not enough copies available of “Dune”, “Ulysses”.",
        "items": [
            {"book": short.pk, "title": "Dune", "requested": 3, "available": 1},
            {"book": gone.pk, "title": "Ulysses", "requested": 1, "available": 0},
        ],
    }
    assert Order.objects.count() == 0
    assert (_quantity(api, enough), _quantity(api, short)) == (4, 1)


def test_a_service_account_lists_and_reads_only_its_own_orders(
    service_api, other_service_api, staff_api, place_order, other_service_account
):
    book = BookFactory(copies=5)
    mine = place_order({book: 1})
    theirs = place_order({book: 1}, actor=other_service_account)

    assert [o["id"] for o in service_api.get(ORDERS).json()["results"]] == [mine.pk]
    assert [o["id"] for o in other_service_api.get(ORDERS).json()["results"]] == [theirs.pk]
    assert service_api.get(f"{ORDERS}{theirs.pk}/").status_code == 404
    assert service_api.get(f"{ORDERS}{mine.pk}/").status_code == 200
    assert [o["id"] for o in staff_api.get(ORDERS).json()["results"]] == [theirs.pk, mine.pk]


def test_orders_filter_by_status_and_updated_after(staff_api, place_order, staff):
    book = BookFactory(copies=5)
    first, second, third = (place_order({book: 1}) for _ in range(3))
    staff_api.post(f"{ORDERS}{second.pk}/fail/", {"reason": "no"})
    mark = Order.objects.get(pk=second.pk).updated_at

    def ids(**params):
        response = staff_api.get(ORDERS, {"ordering": "updated_at", **params})
        return [o["id"] for o in response.json()["results"]]

    assert ids(status="fail") == [second.pk]
    assert ids(status="in_work") == [first.pk, third.pk]
    assert ids(updated_after=mark.isoformat()) == []
    assert ids(updated_after=(mark - dt.timedelta(microseconds=1)).isoformat()) == [second.pk]


@pytest.mark.parametrize("rows", [2, 20])
def test_the_order_list_costs_the_same_queries_however_many_rows(
    service_api, place_order, rows, django_assert_num_queries
):
    books = [BookFactory(copies=50) for _ in range(3)]
    for _ in range(rows):
        place_order({books[0]: 1, books[1]: 2, books[2]: 1})

    # token, orders, their items
    with django_assert_num_queries(3):
        response = service_api.get(ORDERS, {"page_size": 100})

    assert len(response.json()["results"]) == rows


# -- packing through the API ------------------------------------------------------------------


def test_staff_pack_complete_and_the_copies_leave(staff_api, api, place_order):
    book = BookFactory(copies=3)
    order = place_order({book: 2})
    copies = list(BookItem.objects.values_list("pk", flat=True))[:2]

    packed = staff_api.post(f"{ORDERS}{order.pk}/pack/", {"book_items": copies})
    done = staff_api.post(f"{ORDERS}{order.pk}/complete/", {})

    assert packed.status_code == 200
    assert packed.json()["status"] == "in_work"
    assert done.status_code == 200
    assert done.json()["status"] == "success"
    assert sorted(BookItem.objects.filter(status="shipped").values_list("pk", flat=True)) == copies
    assert _quantity(api, book) == 1


def test_complete_before_packing_is_409(staff_api, place_order):
    order = place_order({BookFactory(copies=2): 2})

    response = staff_api.post(f"{ORDERS}{order.pk}/complete/", {})

    assert response.status_code == 409
    assert response.json() == {"code": "not_packed", "detail": "2 of 2 units are not picked yet."}


def test_a_pack_breaking_the_rules_is_400_with_every_reason(staff_api, place_order):
    book = BookFactory(copies=1, title="Emma")
    order = place_order({book: 1})
    stranger = BookFactory(copies=1, title="Dune").items.get()

    response = staff_api.post(f"{ORDERS}{order.pk}/pack/", {"book_items": [stranger.pk, 424242]})

    assert response.status_code == 400
    assert response.json() == {
        "book_items": [
            "Copy 424242 does not exist.",
            f"Copy {stranger.pk} is of “Dune”, which this order does not hold.",
        ]
    }


def test_fail_releases_the_stock_and_then_nothing_moves(staff_api, api, place_order):
    book = BookFactory(copies=2)
    order = place_order({book: 2})

    failed = staff_api.post(f"{ORDERS}{order.pk}/fail/", {"reason": "Customer cancelled"})
    again = staff_api.post(f"{ORDERS}{order.pk}/complete/", {})
    pack = staff_api.post(f"{ORDERS}{order.pk}/pack/", {"book_items": []})

    assert failed.status_code == 200
    assert (failed.json()["status"], failed.json()["fail_reason"]) == (
        "fail",
        "Customer cancelled",
    )
    assert _quantity(api, book) == 2
    assert again.status_code == 409
    assert again.json() == {
        "code": "invalid_transition",
        "detail": "A fail order cannot become success.",
    }
    assert pack.status_code == 409
    assert pack.json()["code"] == "order_closed"


def test_fail_needs_a_reason(staff_api, place_order):
    order = place_order({BookFactory(copies=1): 1})

    response = staff_api.post(f"{ORDERS}{order.pk}/fail/", {"reason": " "})

    assert response.status_code == 400
    assert response.json() == {"reason": ["Say why the order failed."]}


def test_book_inactive_after_the_order_does_not_change_the_order(service_api, place_order):
    book = BookFactory(copies=2)
    order = place_order({book: 1})
    Book.objects.filter(pk=book.pk).update(is_active=False)

    response = service_api.get(f"{ORDERS}{order.pk}/")

    assert response.json()["items"][0]["quantity"] == 1
