"""The live status endpoint, the page's script hooks, and a failed order's way back."""

import re
from decimal import Decimal

import pytest

from bookshop.shop.orders.cancelling import order_cancel_request
from bookshop.shop.orders.models import Order
from bookshop.shop.orders.tracking import tracking_token
from bookshop.shop.orders.transitions import order_advance
from tests.shop.factories import BookFactory, OrderFactory, OrderItemFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Order.Status


@pytest.fixture
def customer(client):
    user = UserFactory(username="grace", email="grace@example.com")
    client.force_login(user)
    return user


@pytest.fixture
def order(customer):
    return OrderFactory(user=customer, total="1.00")


def test_the_owner_reads_the_status_as_it_moves(client, order):
    first = client.get(f"/orders/{order.pk}/status/").json()
    order_advance(order=order, to_status=Status.IN_WORK, actor="store sync")
    second = client.get(f"/orders/{order.pk}/status/").json()

    assert (first["status"], first["status_display"], first["live"]) == ("pending", "Pending", True)
    assert (second["status"], second["status_display"], second["live"]) == (
        "in_work",
        "Processing",
        False,
    )


def test_a_failed_order_says_why_and_is_final(client, order):
    order_advance(order=order, to_status=Status.FAIL, note="Not enough stock: 0 copies left.")

    data = client.get(f"/orders/{order.pk}/status/").json()

    assert (data["status_display"], data["live"]) == ("Failed", False)
    assert data["fail_reason"] == "Not enough stock: 0 copies left."


def test_cancelling_is_live_until_the_store_answers(client, order, customer):
    Order.objects.filter(pk=order.pk).update(submit_attempts=1)
    order_cancel_request(order=order, actor=customer)

    data = client.get(f"/orders/{order.pk}/status/").json()

    assert (data["status_display"], data["cancelling"], data["live"]) == (
        "Cancelling…",
        True,
        True,
    )


def test_another_customers_status_is_a_404(client, order):
    client.force_login(UserFactory(username="mallory", email="m@example.com"))

    assert client.get(f"/orders/{order.pk}/status/").status_code == 404


def test_the_tracking_link_reads_the_status_without_login(django_assert_num_queries):
    from django.test import Client

    order = OrderFactory(user=None, email="guest@example.com", total="1.00")
    anonymous = Client()

    # The page polls this: one query, the order alone (not its lines or history).
    with django_assert_num_queries(1):
        ok = anonymous.get(f"/orders/track/{tracking_token(order=order)}/status/")
    bad = anonymous.get("/orders/track/nonsense/status/")

    assert ok.json()["status"] == "pending"
    assert bad.status_code == 404


def test_a_pending_order_page_hooks_the_script_and_a_live_region(client, order):
    page = client.get(f"/orders/{order.pk}/").content.decode()

    assert f'data-order-status-url="/orders/{order.pk}/status/"' in page
    assert 'aria-live="polite"' in page
    assert "orders/order-status" in page
    assert "<script>" not in page  # strict CSP: static files only


def test_my_orders_hooks_the_pending_ones_only(client, order, customer):
    done = OrderFactory(user=customer, total="1.00")
    order_advance(order=done, to_status=Status.IN_WORK, actor="store sync")

    page = client.get("/orders/").content.decode()

    assert f'data-order-status-url="/orders/{order.pk}/status/"' in page
    assert f'data-order-status-url="/orders/{done.pk}/status/"' not in page


def test_put_back_adds_what_is_still_available(client, order):
    solaris = BookFactory(title="Solaris", price=Decimal("9.00"), quantity=1)
    gone = BookFactory(title="Dune", quantity=0)
    OrderItemFactory(order=order, book=solaris, store_book_id=solaris.store_id, quantity=2)
    OrderItemFactory(order=order, book=gone, store_book_id=gone.store_id, title="Dune")
    order_advance(order=order, to_status=Status.FAIL, note="Not enough stock.")
    page = client.get(f"/orders/{order.pk}/placed/").content.decode()
    assert "Thank you for your order!" not in page
    assert ">Put the available books back in my cart</button>" in page

    response = client.post(f"/orders/{order.pk}/reorder/", follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/cart/"
    assert "1 of the books from order" in page
    assert "“Dune” is not available now" in page
    assert "data-cart-count>1<" in page


THANKS = "Thank you for your order!"
PLACED = "has been placed. We will email grace@example.com when the warehouse accepts it."


def part(page: str, name: str) -> str:
    """One of the page's parts the script replaces when the status changes."""
    found = re.search(rf'<(div|ol)[^>]* data-order-part="{name}">(.*?)</\1>\n', page, re.S)
    assert found, f"no data-order-part={name!r} on the page"
    return found.group(2)


def placed_page(client, order) -> str:
    # The page the script fetches again is this very URL: what it shows live is this.
    return client.get(f"/orders/{order.pk}/placed/").content.decode()


def test_the_placed_page_thanks_a_pending_order_and_says_what_comes_next(client, order):
    page = placed_page(client, order)
    thanks = part(page, "thanks")

    assert THANKS in thanks
    assert f"Your order #{order.pk} {PLACED}" in thanks
    assert "or cancel it," in thanks
    # No template comment shown as text.
    assert "{#" not in page
    assert "{%" not in page


def test_once_accepted_the_thanks_no_longer_waits_for_the_warehouse(client, order):
    order_advance(order=order, to_status=Status.IN_WORK, actor="store sync")

    thanks = part(placed_page(client, order), "thanks")

    assert THANKS in thanks
    assert "has been placed" not in thanks
    assert f"The warehouse has accepted your order #{order.pk}" in thanks


def test_a_completed_order_keeps_a_thank_you_that_says_it_is_sent(client, order):
    order_advance(order=order, to_status=Status.SUCCESS, actor="store sync")

    thanks = part(placed_page(client, order), "thanks")

    assert THANKS in thanks
    assert f"Your order #{order.pk} is on its way." in thanks
    assert "We will email" not in thanks
    assert "cancel it" not in thanks


@pytest.mark.parametrize(
    ("to_status", "says"),
    [
        (Status.FAIL, "This order could not be fulfilled: Not enough stock: 0 copies left."),
        (Status.CANCELLED, "This order is cancelled."),
    ],
)
def test_a_failed_or_cancelled_order_has_no_thank_you_on_the_placed_page(
    client, order, to_status, says
):
    order_advance(order=order, to_status=to_status, note="Not enough stock: 0 copies left.")

    page = placed_page(client, order)

    assert part(page, "thanks").strip() == ""
    assert THANKS not in page
    assert "has been placed" not in page
    assert says in part(page, "notice")
    assert ">Cancel order</button>" not in part(page, "actions")


def test_an_order_being_cancelled_has_no_thank_you_either(client, order, customer):
    Order.objects.filter(pk=order.pk).update(submit_attempts=1)  # the store may have it
    order_cancel_request(order=order, actor=customer)

    page = placed_page(client, order)

    assert part(page, "thanks").strip() == ""
    assert "Cancelling… We are asking the warehouse" in part(page, "notice")


def test_a_guests_placed_tracking_page_drops_the_thank_you_once_failed():
    from django.test import Client

    order = OrderFactory(user=None, email="guest@example.com", total="1.00")
    url = f"/orders/track/{tracking_token(order=order)}/?placed=1"
    before = Client().get(url).content.decode()
    order_advance(order=order, to_status=Status.FAIL, note="Not enough stock.")

    after = Client().get(url).content.decode()

    assert THANKS in part(before, "thanks")
    assert part(after, "thanks").strip() == ""
    assert ">Put the available books back in my cart</button>" in part(after, "notice")


def test_the_live_region_is_outside_the_parts_the_script_replaces(client, order):
    order_advance(order=order, to_status=Status.FAIL, note="Not enough stock.")
    page = placed_page(client, order)

    assert "data-order-live" not in part(page, "notice") + part(page, "thanks")
    assert page.count("data-order-live") == 1
