import re

import pytest

from bookshop.store.inventory.models import BookItem
from bookshop.store.orders.models import Order, PackingSlot
from bookshop.store.orders.services import order_complete, order_pack
from tests.store.factories import BookFactory, BookItemFactory
from tests.store.forms import form_data
from tests.store.queries import page_queries

pytestmark = pytest.mark.django_db


def _change_url(order):
    return f"/admin/orders/order/{order.pk}/change/"


def _form(client, order):
    return form_data(client.get(_change_url(order)).content.decode(), "order_form")


def _slot_fields(data):
    return sorted(k for k in data if k.startswith("slots-") and k.endswith("-book_item"))


@pytest.fixture
def order_of_three(place_order):
    """An order for two Dune and one Emma, with spare copies on the shelves."""
    dune = BookFactory(title="Dune")
    emma = BookFactory(title="Emma")
    for place in ("C-3", "A-1", "B-2"):
        BookItemFactory(book=dune, place=place)
    BookItemFactory(book=emma, place="E-5")
    return place_order({dune: 2, emma: 1}, email="reader@example.com")


def test_the_order_list_filters_and_searches(admin_client, place_order, order_of_three):
    book = BookFactory(copies=2)
    other = place_order({book: 1}, email="someone@example.org")
    admin_client.post(
        "/admin/orders/order/",
        {"action": "mark_fail", "_selected_action": [other.pk], "apply": "1", "reason": "x"},
    )

    failed = admin_client.get("/admin/orders/order/", {"status__exact": "fail"}).content.decode()
    by_email = admin_client.get("/admin/orders/order/", {"q": "someone@"}).content.decode()
    by_uuid = admin_client.get(
        "/admin/orders/order/", {"q": str(order_of_three.shop_order_id)}
    ).content.decode()

    assert "someone@example.org" in failed
    assert "reader@example.com" not in failed
    assert "someone@example.org" in by_email
    assert "reader@example.com" in by_uuid
    assert "someone@example.org" not in by_uuid


def test_the_order_list_has_boundedpage_queries(admin_client, place_order):
    book = BookFactory(copies=60)
    place_order({book: 2})
    few = page_queries(admin_client, "/admin/orders/order/")
    for _ in range(20):
        place_order({book: 2})

    assert page_queries(admin_client, "/admin/orders/order/") == few


def test_the_order_page_has_bounded_queries_as_slots_grow(admin_client, place_order, staff):
    small_book, big_book = BookFactory(copies=4), BookFactory(copies=40)
    small = place_order({small_book: 2})
    big = place_order({big_book: 30})
    order_pack(
        order_id=small.pk, book_item_ids=list(small_book.items.values_list("pk", flat=True)[:1])
    )
    order_pack(
        order_id=big.pk, book_item_ids=list(big_book.items.values_list("pk", flat=True)[:15])
    )

    assert page_queries(admin_client, _change_url(big)) == page_queries(
        admin_client, _change_url(small)
    )


def test_the_order_page_links_its_pick_list(admin_client, order_of_three):
    page = admin_client.get(_change_url(order_of_three)).content.decode()

    assert f'href="/admin/orders/order/{order_of_three.pk}/pick-list/"' in page
    assert "Print the pick list" in page


def test_each_slots_copy_picker_searches_only_its_own_book(admin_client, order_of_three):
    page = admin_client.get(_change_url(order_of_three)).content.decode()
    dune, emma = (item.book_id for item in order_of_three.items.order_by("id"))

    assert page.count(f'data-ajax--url="/admin/autocomplete/?book={dune}"') == 2
    assert page.count(f'data-ajax--url="/admin/autocomplete/?book={emma}"') == 1


def test_the_same_copy_in_two_slots_is_a_form_error(admin_client, order_of_three):
    data = _form(admin_client, order_of_three)
    slots = _slot_fields(data)
    copy = BookItem.objects.get(place="A-1").pk
    data[slots[0]] = data[slots[1]] = copy

    response = admin_client.post(_change_url(order_of_three), data)

    assert response.status_code == 200
    assert f"Copy {copy} is listed more than once." in response.content.decode()


def test_packing_slot_by_slot_in_the_admin(admin_client, order_of_three):
    data = _form(admin_client, order_of_three)
    slots = _slot_fields(data)
    copies = {c.place: c.pk for c in BookItem.objects.all()}
    # Slots come ordered by line then position: Dune #1, Dune #2, Emma #1.
    data[slots[0]], data[slots[1]], data[slots[2]] = copies["B-2"], copies["A-1"], copies["E-5"]

    response = admin_client.post(_change_url(order_of_three), data)

    assert response.status_code == 302
    assert list(
        PackingSlot.objects.order_by("order_item_id", "position").values_list(
            "book_item__place", flat=True
        )
    ) == ["B-2", "A-1", "E-5"]


def test_a_copy_of_a_book_the_order_does_not_hold_is_a_form_error(admin_client, order_of_three):
    stranger = BookItemFactory(book=BookFactory(title="Ulysses"))
    data = _form(admin_client, order_of_three)
    data[_slot_fields(data)[2]] = stranger.pk

    response = admin_client.post(_change_url(order_of_three), data)

    assert response.status_code == 200
    assert f"Copy {stranger.pk} is of “Ulysses”, which this order does not hold." in (
        response.content.decode()
    )
    assert not PackingSlot.objects.exclude(book_item=None).exists()


def test_a_copy_picked_for_another_order_is_a_form_error(admin_client, order_of_three, place_order):
    dune = BookItem.objects.get(place="A-1").book
    other = place_order({dune: 1})
    order_pack(order_id=other.pk, book_item_ids=[BookItem.objects.get(place="A-1").pk])
    data = _form(admin_client, order_of_three)
    data[_slot_fields(data)[0]] = BookItem.objects.get(place="A-1").pk

    response = admin_client.post(_change_url(order_of_three), data)

    assert response.status_code == 200
    assert f"is already picked for order {other.pk}" in response.content.decode()


def test_success_before_every_unit_is_picked_is_a_form_error(admin_client, order_of_three):
    data = _form(admin_client, order_of_three)
    data[_slot_fields(data)[0]] = BookItem.objects.get(place="A-1").pk
    data["status"] = "success"

    response = admin_client.post(_change_url(order_of_three), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert '<ul class="errorlist" id="id_status_error"><li>2 of 3 units are not picked yet.' in page
    assert f'<option value="{data[_slot_fields(data)[0]]}" selected>' in page  # kept as typed
    assert Order.objects.get().status == "in_work"
    assert not PackingSlot.objects.exclude(book_item=None).exists()


def test_pick_and_succeed_in_one_save(admin_client, order_of_three):
    data = _form(admin_client, order_of_three)
    slots = _slot_fields(data)
    for slot, place in zip(slots, ["A-1", "B-2", "E-5"], strict=True):
        data[slot] = BookItem.objects.get(place=place).pk
    data["status"] = "success"

    response = admin_client.post(_change_url(order_of_three), data)

    assert response.status_code == 302
    order = Order.objects.get()
    assert order.status == "success"
    assert set(BookItem.objects.filter(status="shipped").values_list("place", flat=True)) == {
        "A-1",
        "B-2",
        "E-5",
    }
    event = order.events.last()
    assert (event.actor.username, event.to_status) == ("admin", "success")
    page = admin_client.get(_change_url(order)).content.decode()
    assert 'name="status"' not in page  # final: nothing left to change


def test_fail_needs_a_reason_in_the_form(admin_client, order_of_three):
    data = _form(admin_client, order_of_three)
    data["status"] = "fail"

    response = admin_client.post(_change_url(order_of_three), data)

    assert response.status_code == 200
    assert '<ul class="errorlist" id="id_fail_reason_error"><li>Say why the order failed.' in (
        response.content.decode()
    )
    assert Order.objects.get().status == "in_work"

    data["fail_reason"] = "Out of print"
    assert admin_client.post(_change_url(order_of_three), data).status_code == 302
    assert Order.objects.get().fail_reason == "Out of print"


def test_bulk_mark_as_success_reports_the_orders_it_could_not_complete(admin_client, place_order):
    book = BookFactory(copies=3)
    packed, unpacked = place_order({book: 1}), place_order({book: 1})
    order_pack(order_id=packed.pk, book_item_ids=[book.items.first().pk])

    response = admin_client.post(
        "/admin/orders/order/",
        {"action": "mark_success", "_selected_action": [packed.pk, unpacked.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "1 orders marked as success." in page
    assert f"Order {unpacked.pk}: 1 of 1 units are not picked yet." in page
    assert dict(Order.objects.values_list("pk", "status")) == {
        packed.pk: "success",
        unpacked.pk: "in_work",
    }


def test_bulk_mark_as_fail_asks_for_the_reason_first(admin_client, place_order):
    book = BookFactory(copies=3)
    first, second = place_order({book: 1}), place_order({book: 1})
    chosen = {"action": "mark_fail", "_selected_action": [first.pk, second.pk]}

    ask = admin_client.post("/admin/orders/order/", chosen)
    empty = admin_client.post("/admin/orders/order/", {**chosen, "apply": "1", "reason": ""})
    done = admin_client.post(
        "/admin/orders/order/", {**chosen, "apply": "1", "reason": "Warehouse flooded"}
    )

    assert ask.status_code == 200
    assert "Why did these orders fail?" in ask.content.decode()
    assert empty.status_code == 200
    assert "Say why the order failed." in empty.content.decode()
    assert done.status_code == 302
    assert set(Order.objects.values_list("status", "fail_reason")) == {
        ("fail", "Warehouse flooded")
    }


def test_the_pick_list_sorts_picked_copies_by_place_and_suggests_places(
    admin_client, order_of_three, staff
):
    dune_copy = BookItem.objects.get(place="C-3")
    emma_copy = BookItem.objects.get(place="E-5")
    order_pack(order_id=order_of_three.pk, book_item_ids=[emma_copy.pk, dune_copy.pk])

    page = admin_client.get(f"/admin/orders/order/{order_of_three.pk}/pick-list/")

    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("<td>C-3</td>") < html.index("<td>E-5</td>")
    assert "<td>A-1, B-2</td>" in html  # where the last Dune unit can come from
    assert "1 Long Street" in html


def test_the_pick_list_has_boundedpage_queries(admin_client, place_order):
    small_book, big_book = BookFactory(copies=3), BookFactory(copies=50)
    small = place_order({small_book: 1})
    big = place_order({big_book: 30, **{BookFactory(copies=2): 1 for _ in range(5)}})
    order_pack(
        order_id=big.pk, book_item_ids=list(big_book.items.values_list("pk", flat=True)[:20])
    )

    assert page_queries(admin_client, f"/admin/orders/order/{big.pk}/pick-list/") == page_queries(
        admin_client, f"/admin/orders/order/{small.pk}/pick-list/"
    )


def test_a_finished_orders_page_is_read_only(admin_client, order_of_three, staff):
    order_pack(
        order_id=order_of_three.pk,
        book_item_ids=[BookItem.objects.get(place=p).pk for p in ("A-1", "B-2", "E-5")],
    )
    order_complete(order_id=order_of_three.pk, actor=staff)

    page = admin_client.get(_change_url(order_of_three)).content.decode()

    assert "book_item" not in form_data(page, "order_form").keys().__str__()
    assert "A-1" in page  # shipped copies listed


def test_the_pick_list_prints_without_an_inline_handler_under_the_csp(admin_client, order_of_three):
    response = admin_client.get(f"/admin/orders/order/{order_of_three.pk}/pick-list/")

    html = response.content.decode()
    nonces = set(re.findall(r'<(?:script|style) nonce="([^"]+)"', html))
    assert len(nonces) == 1
    assert f"'nonce-{nonces.pop()}'" in response["Content-Security-Policy"]
    assert "onclick" not in html


def test_cancelling_in_the_order_form_releases_the_picked_copies(admin_client, order_of_three):
    copy = BookItem.objects.filter(book__title="Emma").get()
    order_pack(order_id=order_of_three.pk, book_item_ids=[copy.pk])
    data = _form(admin_client, order_of_three)
    data["status"] = "cancelled"

    assert admin_client.post(_change_url(order_of_three), data).status_code == 302
    assert Order.objects.get().status == "cancelled"
    assert not PackingSlot.objects.filter(book_item__isnull=False).exists()


def test_bulk_cancel_reports_the_orders_it_could_not_cancel(admin_client, place_order):
    book = BookFactory(copies=3)
    open_order, shipped = place_order({book: 1}), place_order({book: 1})
    order_pack(order_id=shipped.pk, book_item_ids=[book.items.first().pk])
    order_complete(order_id=shipped.pk, actor=None)

    response = admin_client.post(
        "/admin/orders/order/",
        {"action": "mark_cancelled", "_selected_action": [open_order.pk, shipped.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "1 orders marked as cancelled." in page
    assert f"Order {shipped.pk}: The order is success; it can no longer be cancelled." in page
    assert dict(Order.objects.values_list("pk", "status")) == {
        open_order.pk: "cancelled",
        shipped.pk: "success",
    }
