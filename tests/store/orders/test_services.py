import uuid

import pytest
from django.core.exceptions import ValidationError

from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.inventory.services import book_items_add
from bookshop.store.orders.models import Order, OrderEvent, PackingSlot, ShippedCopy
from bookshop.store.orders.selectors import book_availability
from bookshop.store.orders.services import (
    InsufficientStock,
    OrderConflict,
    OrderLine,
    book_item_update,
    book_items_remove,
    order_complete,
    order_create,
    order_fail,
    order_move_status,
    order_pack,
    orders_complete,
    orders_fail,
)
from tests.store.factories import BookFactory, BookItemFactory

pytestmark = pytest.mark.django_db


def _create(actor, books: dict, *, shop_order_id=None, email="reader@example.com"):
    return order_create(
        actor=actor,
        shop_order_id=shop_order_id or uuid.uuid4(),
        customer_email=email,
        delivery_address="1 Long Street",
        lines=[OrderLine(book_id=b.pk, quantity=n) for b, n in books.items()],
    )


def _copies(order, book=None):
    items = BookItem.objects.filter(book__order_items__order=order).order_by("pk")
    return list(items.filter(book=book) if book else items)


def _updated(book):
    return Book.objects.get(pk=book.pk).updated_at


# -- creation ---------------------------------------------------------------------------------


def test_order_create_reserves_units_snapshots_prices_and_makes_one_slot_per_unit(
    service_account,
):
    book = BookFactory(copies=3, price="12.50", title="Dune")

    order, created = _create(service_account, {book: 2})

    assert created
    assert order.status == Order.Status.IN_WORK
    assert order.created_by == service_account
    item = order.items.get()
    assert (item.title, item.quantity, str(item.unit_price)) == ("Dune", 2, "12.50")
    assert list(item.slots.values_list("position", "book_item")) == [(1, None), (2, None)]
    assert book_availability(book_ids=[book.pk]) == {book.pk: 1}
    event = order.events.get()
    assert (event.actor, event.from_status, event.to_status) == (service_account, "", "in_work")


def test_order_create_twice_with_the_same_content_returns_the_first_order(service_account):
    book = BookFactory(copies=3)
    key = uuid.uuid4()

    first, created_first = _create(service_account, {book: 2}, shop_order_id=key)
    again, created_again = _create(service_account, {book: 2}, shop_order_id=key)

    assert (created_first, created_again) == (True, False)
    assert again.pk == first.pk
    assert Order.objects.count() == 1
    assert book_availability(book_ids=[book.pk]) == {book.pk: 1}


@pytest.mark.parametrize("change", ["quantity", "email", "book"])
def test_order_create_with_the_same_id_and_other_content_is_a_conflict(service_account, change):
    book, other = BookFactory(copies=3), BookFactory(copies=3)
    key = uuid.uuid4()
    _create(service_account, {book: 1}, shop_order_id=key)
    second = {
        "quantity": {"books": {book: 2}},
        "email": {"books": {book: 1}, "email": "someone@example.com"},
        "book": {"books": {other: 1}},
    }[change]

    with pytest.raises(OrderConflict) as caught:
        _create(service_account, second.pop("books"), shop_order_id=key, **second)

    assert caught.value.code == "shop_order_id_conflict"
    assert Order.objects.count() == 1


def test_another_account_reusing_an_id_gets_a_conflict_not_the_order(
    service_account, other_service_account
):
    book = BookFactory(copies=3)
    key = uuid.uuid4()
    _create(service_account, {book: 1}, shop_order_id=key)

    with pytest.raises(OrderConflict):
        _create(other_service_account, {book: 1}, shop_order_id=key)


def test_short_stock_reserves_nothing_and_names_every_short_book(service_account):
    plenty, short, inactive = BookFactory(copies=5), BookFactory(copies=1), BookFactory(copies=4)
    Book.objects.filter(pk=inactive.pk).update(is_active=False)
    before = {b.pk: _updated(b) for b in (plenty, short, inactive)}

    with pytest.raises(InsufficientStock) as caught:
        _create(service_account, {plenty: 2, short: 2, inactive: 1})

    assert caught.value.code == "insufficient_stock"
    assert [(s.book_id, s.requested, s.available) for s in caught.value.shortages] == [
        (short.pk, 2, 1),
        (inactive.pk, 1, 0),
    ]
    assert Order.objects.count() == 0
    assert book_availability(book_ids=[plenty.pk]) == {plenty.pk: 5}
    assert {b.pk: _updated(b) for b in (plenty, short, inactive)} == before


def test_order_create_rejects_unknown_books_repeated_books_and_empty_orders(service_account):
    book = BookFactory(copies=5)

    with pytest.raises(ValidationError, match="does not exist"):
        _create(service_account, {Book(pk=999_999, title="ghost"): 1})
    with pytest.raises(ValidationError, match="more than once"):
        order_create(
            actor=service_account,
            shop_order_id=uuid.uuid4(),
            customer_email="a@example.com",
            delivery_address="x",
            lines=[OrderLine(book.pk, 1), OrderLine(book.pk, 2)],
        )
    with pytest.raises(ValidationError, match="at least one"):
        _create(service_account, {})
    assert Order.objects.count() == 0


# -- packing rules, one by one ----------------------------------------------------------------


@pytest.fixture
def order_of_two(place_order):
    """An open order for 2 copies of one book, 3 copies on the shelf."""
    book = BookFactory(copies=3, title="Emma")
    return place_order({book: 2}), book


def test_pack_fills_the_slots_with_the_chosen_copies(order_of_two, staff):
    order, _book = order_of_two
    first, second, _ = _copies(order)

    order_pack(order_id=order.pk, book_item_ids=[second.pk, first.pk], actor=staff)

    assert sorted(PackingSlot.objects.values_list("book_item", flat=True)) == [
        first.pk,
        second.pk,
    ]


def test_pack_again_replaces_the_earlier_picks(order_of_two, staff):
    order, _book = order_of_two
    first, second, third = _copies(order)
    order_pack(order_id=order.pk, book_item_ids=[first.pk, second.pk], actor=staff)

    order_pack(order_id=order.pk, book_item_ids=[third.pk], actor=staff)

    assert list(
        PackingSlot.objects.exclude(book_item=None).values_list("book_item", flat=True)
    ) == [third.pk]


def _pack_error(order, ids):
    with pytest.raises(ValidationError) as caught:
        order_pack(order_id=order.pk, book_item_ids=ids)
    return caught.value.message_dict["book_items"]


def test_pack_refuses_a_copy_of_a_book_the_order_does_not_hold(order_of_two):
    order, _ = order_of_two
    stranger = BookItemFactory(book=BookFactory(title="Ulysses"))

    assert _pack_error(order, [stranger.pk]) == [
        f"Copy {stranger.pk} is of “Ulysses”, which this order does not hold."
    ]


def test_pack_refuses_more_copies_than_ordered(order_of_two):
    order, _book = order_of_two

    assert _pack_error(order, [c.pk for c in _copies(order)]) == [
        "3 copies of “Emma” picked, but 2 ordered."
    ]


def test_pack_refuses_a_copy_that_is_not_in_stock(order_of_two):
    order, _ = order_of_two
    copy = _copies(order)[0]
    BookItem.objects.filter(pk=copy.pk).update(status=BookItem.Status.SHIPPED)

    assert _pack_error(order, [copy.pk]) == [f"Copy {copy.pk} is not in stock (shipped)."]


def test_pack_refuses_a_copy_picked_for_another_open_order(order_of_two, place_order):
    order, book = order_of_two
    other = place_order({book: 1})
    copy = _copies(order)[0]
    order_pack(order_id=other.pk, book_item_ids=[copy.pk])

    assert _pack_error(order, [copy.pk]) == [
        f"Copy {copy.pk} is already picked for order {other.pk}."
    ]


def test_pack_refuses_unknown_and_repeated_copies(order_of_two):
    order, _ = order_of_two
    copy = _copies(order)[0]

    assert _pack_error(order, [copy.pk, copy.pk, 987_654]) == [
        f"Copy {copy.pk} is listed more than once.",
        "Copy 987654 does not exist.",
    ]


def test_pack_refuses_a_closed_order(order_of_two, staff):
    order, _ = order_of_two
    order_fail(order_id=order.pk, actor=staff, reason="customer cancelled")

    with pytest.raises(OrderConflict) as caught:
        order_pack(order_id=order.pk, book_item_ids=[_copies(order)[0].pk])

    assert caught.value.code == "order_closed"


# -- complete and fail ------------------------------------------------------------------------


def test_complete_needs_every_unit_picked(order_of_two, staff):
    order, _ = order_of_two
    order_pack(order_id=order.pk, book_item_ids=[_copies(order)[0].pk])

    with pytest.raises(OrderConflict) as caught:
        order_complete(order_id=order.pk, actor=staff)

    assert caught.value.code == "not_packed"
    assert caught.value.detail == "1 of 2 units are not picked yet."
    assert Order.objects.get().status == "in_work"


def test_complete_ships_the_picked_copies_and_records_them(order_of_two, staff):
    order, book = order_of_two
    picked = _copies(order)[:2]
    order_pack(order_id=order.pk, book_item_ids=[c.pk for c in picked])
    before = _updated(book)

    order_complete(order_id=order.pk, actor=staff, note="sent by courier")

    order.refresh_from_db()
    assert order.status == "success"
    assert sorted(BookItem.objects.filter(status="shipped").values_list("pk", flat=True)) == [
        c.pk for c in picked
    ]
    assert sorted(ShippedCopy.objects.values_list("book_item_id", "place")) == sorted(
        (c.pk, c.place) for c in picked
    )
    # Two copies left with the order: one copy remains, and nothing is reserved any more.
    assert book_availability(book_ids=[book.pk]) == {book.pk: 1}
    assert _updated(book) > before
    event = order.events.last()
    assert (event.actor, event.from_status, event.to_status, event.note) == (
        staff,
        "in_work",
        "success",
        "sent by courier",
    )


def test_fail_releases_the_reservation_and_the_picked_copies(order_of_two, staff):
    order, book = order_of_two
    order_pack(order_id=order.pk, book_item_ids=[_copies(order)[0].pk])
    assert book_availability(book_ids=[book.pk]) == {book.pk: 1}
    before = _updated(book)

    order_fail(order_id=order.pk, actor=staff, reason="address does not exist")

    order.refresh_from_db()
    assert (order.status, order.fail_reason) == ("fail", "address does not exist")
    assert book_availability(book_ids=[book.pk]) == {book.pk: 3}
    assert not PackingSlot.objects.exclude(book_item=None).exists()
    assert _updated(book) > before
    assert order.events.last().note == "address does not exist"


def test_fail_needs_a_reason(order_of_two, staff):
    order, _ = order_of_two

    with pytest.raises(ValidationError) as caught:
        order_fail(order_id=order.pk, actor=staff, reason="  ")

    assert caught.value.message_dict == {"reason": ["Say why the order failed."]}


@pytest.mark.parametrize("final", ["success", "fail"])
@pytest.mark.parametrize("to_status", ["success", "fail", "in_work"])
def test_nothing_moves_out_of_a_final_status(order_of_two, staff, final, to_status):
    order, _ = order_of_two
    if final == "success":
        order_pack(order_id=order.pk, book_item_ids=[c.pk for c in _copies(order)[:2]])
        order_complete(order_id=order.pk, actor=staff)
    else:
        order_fail(order_id=order.pk, actor=staff, reason="no")
    order.refresh_from_db()
    events = OrderEvent.objects.count()

    with pytest.raises(OrderConflict) as caught:
        order_move_status(order=order, to_status=to_status, actor=staff)

    assert caught.value.code == "invalid_transition"
    assert Order.objects.get().status == final
    assert OrderEvent.objects.count() == events


def test_every_status_change_moves_the_orders_updated_at(order_of_two, staff):
    order, _ = order_of_two
    created = order.updated_at

    order_fail(order_id=order.pk, actor=staff, reason="no")

    assert Order.objects.get().updated_at > created


def test_bulk_complete_and_fail_report_each_refusal(place_order, staff):
    book = BookFactory(copies=4)
    packed, unpacked = place_order({book: 1}), place_order({book: 1})
    order_pack(order_id=packed.pk, book_item_ids=[_copies(packed)[0].pk])

    assert orders_complete(order_ids=[packed.pk, unpacked.pk], actor=staff) == {
        unpacked.pk: "1 of 1 units are not picked yet."
    }
    assert orders_fail(order_ids=[packed.pk, unpacked.pk], actor=staff, reason="x") == {
        packed.pk: "A success order cannot become fail."
    }
    assert dict(Order.objects.values_list("pk", "status")) == {
        packed.pk: "success",
        unpacked.pk: "fail",
    }


def test_complete_refuses_a_picked_copy_that_is_no_longer_of_its_units_book(order_of_two, staff):
    order, _ = order_of_two
    picked = _copies(order)[:2]
    order_pack(order_id=order.pk, book_item_ids=[c.pk for c in picked])
    # Only a write around the services can do this; the one place that ships checks anyway.
    BookItem.objects.filter(pk=picked[1].pk).update(book=BookFactory(title="Ulysses"))

    with pytest.raises(ValidationError) as caught:
        order_complete(order_id=order.pk, actor=staff)

    assert caught.value.message_dict == {
        "book_items": [f"Copy {picked[1].pk} is of “Ulysses”, but its unit is of “Emma”."]
    }
    assert Order.objects.get().status == "in_work"
    assert not BookItem.objects.filter(status="shipped").exists()


# -- copies the packing holds -----------------------------------------------------------------


@pytest.fixture
def picked_and_shipped(place_order, staff):
    """A copy picked for an open order, one shipped with a successful one, one free."""
    book = BookFactory(title="Emma", copies=3)
    picked, shipped, free = book.items.order_by("pk")
    open_order, done = place_order({book: 1}), place_order({book: 1})
    order_pack(order_id=open_order.pk, book_item_ids=[picked.pk])
    order_pack(order_id=done.pk, book_item_ids=[shipped.pk])
    order_complete(order_id=done.pk, actor=staff)
    return {"picked": picked, "shipped": shipped, "free": free, "order": open_order}


def test_a_picked_or_shipped_copy_keeps_its_book(picked_and_shipped):
    other = BookFactory(title="Dune")
    picked, shipped = picked_and_shipped["picked"], picked_and_shipped["shipped"]
    order = picked_and_shipped["order"]

    with pytest.raises(ValidationError) as moving_picked:
        book_item_update(book_item_id=picked.pk, book_id=other.pk, place="D-1")
    with pytest.raises(ValidationError) as moving_shipped:
        book_item_update(book_item_id=shipped.pk, book_id=other.pk, place="D-1")

    assert moving_picked.value.message_dict == {
        "book": [
            f"Copy {picked.pk} is picked for order {order.pk}, so it cannot move to another book."
        ]
    }
    assert moving_shipped.value.message_dict == {
        "book": [f"Copy {shipped.pk} has shipped, so it cannot move to another book."]
    }
    assert not BookItem.objects.filter(book=other).exists()


def test_a_picked_copy_may_change_its_shelf_place(picked_and_shipped):
    picked = picked_and_shipped["picked"]

    book_item_update(book_item_id=picked.pk, book_id=picked.book_id, place=" Z-9 ")

    assert BookItem.objects.get(pk=picked.pk).place == "Z-9"


def test_only_free_copies_are_removed(picked_and_shipped):
    picked, shipped, free = (picked_and_shipped[k] for k in ("picked", "shipped", "free"))
    order = picked_and_shipped["order"]

    with pytest.raises(ValidationError) as caught:
        book_items_remove(book_item_ids=[free.pk, picked.pk, shipped.pk])

    assert caught.value.message_dict == {
        "book_items": [
            f"Copy {picked.pk} is picked for order {order.pk}, so it cannot be removed.",
            f"Copy {shipped.pk} has shipped, so it cannot be removed.",
        ]
    }
    assert BookItem.objects.count() == 3
    assert book_items_remove(book_item_ids=[free.pk]) == 1
    assert BookItem.objects.count() == 2


# -- every stock change moves the book's updated_at, so the shop's sync sees it ----------------


def _add(book, staff, place_order):
    book_items_add(book=book, place="N-1")


def _remove_a_free_copy(book, staff, place_order):
    book_items_remove(book_item_ids=[book.items.first().pk])


def _move_a_free_copy_here(book, staff, place_order):
    copy = BookItemFactory(book=BookFactory())
    book_item_update(book_item_id=copy.pk, book_id=book.pk, place=copy.place)


def _move_a_free_copy_away(book, staff, place_order):
    book_item_update(book_item_id=book.items.first().pk, book_id=BookFactory().pk, place="A")


def _move_a_copy_on_the_shelf(book, staff, place_order):
    copy = book.items.first()
    book_item_update(book_item_id=copy.pk, book_id=book.pk, place="Z-1")


def _reserve(book, staff, place_order):
    place_order({book: 1})


def _release(book, staff, place_order):
    order = place_order({book: 1})
    Book.objects.filter(pk=book.pk).update(updated_at=book.updated_at)
    order_fail(order_id=order.pk, actor=staff, reason="no")


def _ship(book, staff, place_order):
    order = place_order({book: 1})
    order_pack(order_id=order.pk, book_item_ids=[book.items.first().pk])
    Book.objects.filter(pk=book.pk).update(updated_at=book.updated_at)
    order_complete(order_id=order.pk, actor=staff)


@pytest.mark.parametrize(
    "change",
    [
        _add,
        _remove_a_free_copy,
        _move_a_free_copy_here,
        _move_a_free_copy_away,
        _move_a_copy_on_the_shelf,
        _reserve,
        _release,
        _ship,
    ],
)
def test_every_stock_change_moves_the_books_updated_at(change, staff, place_order):
    book = BookFactory(copies=2)
    # Steps before the change under test put updated_at back, so only the change counts.

    change(book, staff, place_order)

    assert _updated(book) > book.updated_at
