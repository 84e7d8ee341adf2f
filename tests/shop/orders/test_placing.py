"""Placing an order: the cart checked again, one transaction, the submission queued."""

import re
import uuid
from decimal import Decimal

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import IntegrityError

from bookshop.shop.cart.cart import Cart
from bookshop.shop.orders.models import Order, OrderEvent, OrderItem
from bookshop.shop.orders.placing import (
    CART_CHANGED,
    CheckoutError,
    CheckoutStale,
    checkout_cart_check,
    order_place,
)
from tests.shop.factories import BookFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Order.Status


@pytest.fixture
def cart():
    return Cart(SessionStore())


def place(user, cart, **overrides):
    arguments = {"delivery_address": "  1 Library Lane\n12345 Booktown  ", "phone": " +1 555 0100 "}
    arguments.update(overrides)
    return order_place(user=user, cart=cart, **arguments)


def test_order_place_makes_a_pending_order_with_a_price_snapshot(cart):
    user = UserFactory(email="grace@example.com")
    solaris = BookFactory(title="Solaris", price=Decimal("12.50"), store_id=41)
    dune = BookFactory(title="Dune", price=Decimal("7.25"), store_id=42)
    cart.set(solaris.pk, 2)
    cart.set(dune.pk, 1)

    order = place(user, cart)

    assert order.status == Status.PENDING
    assert isinstance(order.uuid, uuid.UUID)
    assert order.email == "grace@example.com"
    assert order.delivery_address == "1 Library Lane\n12345 Booktown"
    assert order.phone == "+1 555 0100"
    assert order.total == Decimal("32.25")
    items = {(i.store_book_id, i.title, i.unit_price, i.quantity) for i in order.items.all()}
    assert items == {(41, "Solaris", Decimal("12.50"), 2), (42, "Dune", Decimal("7.25"), 1)}
    [event] = order.events.all()
    assert (event.from_status, event.to_status, event.actor) == ("", Status.PENDING, user)
    assert not cart

    solaris.price = Decimal("99.00")
    solaris.save()
    assert order.items.get(store_book_id=41).unit_price == Decimal("12.50")


def test_order_place_enqueues_the_submission_after_commit(
    cart, django_capture_on_commit_callbacks, broker
):
    cart.set(BookFactory().pk, 1)

    with django_capture_on_commit_callbacks() as callbacks:
        order = place(UserFactory(), cart)
    assert broker.drain("orders") == []  # nothing before the commit

    for callback in callbacks:
        callback()
    assert broker.drain("orders") == [("shop.orders.submit", [order.pk])]


@pytest.mark.parametrize(
    ("book", "problem"),
    [
        ({"is_active": False}, "“Gone”: No longer available."),
        ({"quantity": 0}, "“Gone”: Out of stock."),
        ({"quantity": 1}, "“Gone”: Only 1 available."),
    ],
)
def test_order_place_revalidates_the_cart(cart, django_capture_on_commit_callbacks, book, problem):
    gone = BookFactory(title="Gone", quantity=5)
    cart.set(gone.pk, 2)
    for field, value in book.items():
        setattr(gone, field, value)
    gone.save()

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(CheckoutError) as error:
        place(UserFactory(), cart)

    assert error.value.problems == [problem]
    assert not Order.objects.exists()
    assert callbacks == []
    assert cart.items == {gone.pk: 2}


def test_order_place_refuses_an_empty_cart(cart):
    with pytest.raises(CheckoutError, match=re.escape("Your cart is empty.")):
        place(UserFactory(), cart)


@pytest.mark.parametrize(
    ("address", "phone", "message"),
    [
        ("   ", "", "Enter a delivery address."),
        ("x" * 501, "", "The delivery address must be at most 500 characters."),
        ("1 Lane", "1" * 33, "The phone number must be at most 32 characters."),
    ],
)
def test_order_place_checks_delivery_details(cart, address, phone, message):
    cart.set(BookFactory().pk, 1)

    with pytest.raises(CheckoutError, match=re.escape(message)):
        place(UserFactory(), cart, delivery_address=address, phone=phone)
    assert not Order.objects.exists()


def test_a_failure_mid_checkout_leaves_no_order_and_the_cart_intact(
    cart, monkeypatch, django_capture_on_commit_callbacks
):
    """The fault strikes after the order and its items were inserted."""
    book = BookFactory()
    cart.set(book.pk, 2)

    def fail(**kwargs):
        raise IntegrityError("injected: the event insert failed")

    monkeypatch.setattr(OrderEvent.objects, "create", fail)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(IntegrityError):
        place(UserFactory(), cart)

    assert not Order.objects.exists()
    assert not OrderItem.objects.exists()
    assert callbacks == []
    assert cart.items == {book.pk: 2}


def test_the_same_checkout_form_twice_makes_one_order_and_keeps_the_new_cart(cart):
    user = UserFactory()
    book, other = BookFactory(), BookFactory()
    token = uuid.uuid4()
    cart.set(book.pk, 1)
    first = place(user, cart, uuid=token, cart_version=cart.version)
    cart.set(other.pk, 2)  # the next cart, filled since

    with pytest.raises(CheckoutStale) as stale:
        place(user, cart, uuid=token, cart_version=cart.version)

    assert stale.value.order == first
    assert stale.value.problems == [
        f"That checkout page was already used: it placed order #{first.pk}. "
        "Your cart is as you left it."
    ]
    assert Order.objects.count() == 1
    assert first.uuid == token
    assert cart.items == {other.pk: 2}


def sessions_of_one_visitor(cart, count):
    """`count` requests of one visitor read its session before any of them saves it."""
    cart.session.save()
    return [Cart(SessionStore(session_key=cart.session.session_key)) for _ in range(count)]


def test_one_cart_checked_out_from_three_tabs_at_once_makes_one_order(cart):
    user = UserFactory()
    book = BookFactory(quantity=1)
    cart.set(book.pk, 1)
    tabs = sessions_of_one_visitor(cart, 3)
    for tab in tabs:
        tab.items  # noqa: B018 - each request has loaded the session before any saved it
    versions = [tab.version for tab in tabs]

    first = place(user, tabs[0], uuid=uuid.uuid4(), cart_version=versions[0])
    results = []
    for tab, version in zip(tabs[1:], versions[1:], strict=True):
        with pytest.raises(CheckoutStale) as stale:
            place(user, tab, uuid=uuid.uuid4(), cart_version=version)
        results.append(stale.value)

    assert Order.objects.count() == 1
    assert [result.order for result in results] == [first, first]
    assert results[0].problems == [
        f"That cart has already been ordered, as order #{first.pk} (from another tab or "
        "window); it was not ordered twice."
    ]
    assert [tab.items for tab in tabs[1:]] == [{book.pk: 1}, {book.pk: 1}]  # left alone


def test_a_checkout_page_older_than_the_cart_orders_nothing(cart):
    user = UserFactory()
    book = BookFactory()
    cart.set(book.pk, 1)
    shown = cart.version
    cart.set(book.pk, 2)  # changed in another tab after the page was shown

    with pytest.raises(CheckoutStale) as stale:
        place(user, cart, uuid=uuid.uuid4(), cart_version=shown)

    assert stale.value.order is None
    assert stale.value.problems == [CART_CHANGED]
    assert not Order.objects.exists()
    assert cart.items == {book.pk: 2}


def test_a_checkout_page_of_an_ordered_cart_names_its_order_and_keeps_the_new_cart(cart):
    user = UserFactory()
    book, other = BookFactory(), BookFactory()
    cart.set(book.pk, 1)
    stale_page = cart.version
    first = place(user, cart, uuid=uuid.uuid4(), cart_version=cart.version)
    cart.set(other.pk, 1)

    with pytest.raises(CheckoutStale) as stale:
        place(user, cart, uuid=uuid.uuid4(), cart_version=stale_page)

    assert stale.value.order == first
    assert Order.objects.count() == 1
    assert cart.items == {other.pk: 1}


def test_a_session_that_kept_an_ordered_cart_gets_a_new_cart_and_a_warning(cart):
    """Two requests saved the session in the wrong order: the ordered cart came back."""
    user = UserFactory()
    book = BookFactory()
    cart.set(book.pk, 1)
    [late_request] = sessions_of_one_visitor(cart, 1)
    late_request.items  # noqa: B018
    first = place(user, cart, uuid=uuid.uuid4(), cart_version=cart.version)
    assert checkout_cart_check(user=user, cart=cart) == ""  # emptied

    notice = checkout_cart_check(user=user, cart=late_request)

    assert notice == (
        f"Order #{first.pk} was already placed from this cart. The books below are still "
        "in your cart: place another order only if you want them again."
    )
    assert late_request.items == {book.pk: 1}
    second = place(user, late_request, uuid=uuid.uuid4(), cart_version=late_request.version)
    assert second != first


def test_another_customers_checkout_token_is_refused(cart):
    token = uuid.uuid4()
    OrderFactory(uuid=token)
    cart.set(BookFactory().pk, 1)

    with pytest.raises(CheckoutError, match="expired"):
        place(UserFactory(), cart, uuid=token)
