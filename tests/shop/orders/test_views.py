import re
from decimal import Decimal

import pytest
from django.utils import timezone

from bookshop.shop.orders.models import Order
from bookshop.shop.orders.transitions import order_advance
from tests.shop.factories import BookFactory, UserFactory, order_with_items

pytestmark = pytest.mark.django_db
Status = Order.Status


def checkout_page(client):
    return client.get("/checkout/")


def form_of(response) -> dict:
    """The checkout page's hidden fields: the order's uuid to be and the cart's version."""
    page = response.content.decode()
    return {
        name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1)
        for name in ("token", "cart_version")
    }


def place_order(client, address="1 Library Lane\n12345 Booktown", phone="", **extra):
    page = checkout_page(client)
    data = {"delivery_address": address, "phone": phone, **form_of(page)}
    data.update(extra)
    return client.post("/checkout/", data)


@pytest.fixture
def customer(client):
    user = UserFactory(username="grace", email="grace@example.com")
    client.force_login(user)
    return user


def test_anonymous_checkout_offers_guest_checkout_and_login_keeps_the_cart(client):
    book = BookFactory(title="Solaris")
    UserFactory(username="grace")
    client.post(f"/cart/add/{book.pk}/")

    response = client.get("/checkout/")
    page = response.content.decode()
    assert response.status_code == 200
    assert ">Email" in page
    assert 'href="/accounts/login/?next=/checkout/"' in page

    response = client.post(
        "/accounts/login/",
        {"username": "grace", "password": "a-Long-password-1", "next": "/checkout/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/checkout/"
    page = response.content.decode()
    assert "1 \u00d7 Solaris" in page
    assert ">Delivery address" in page
    assert ">Place order</button>" in page
    assert 'name="email"' not in page  # the account's email is used


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(client, customer):
    response = client.get("/checkout/", follow=True)

    assert response.redirect_chain[-1][0] == "/cart/"
    assert "Your cart is empty. Add a book or two first." in response.content.decode()


def test_cart_page_links_to_checkout(client):
    client.post(f"/cart/add/{BookFactory().pk}/")

    assert '/checkout/">Checkout</a>' in client.get("/cart/").content.decode()


def test_checkout_places_the_order_and_shows_the_confirmation(
    client, customer, django_capture_on_commit_callbacks
):
    book = BookFactory(title="Solaris", price=Decimal("12.50"))
    client.post(f"/cart/add/{book.pk}/", {"quantity": "2"})

    with django_capture_on_commit_callbacks() as callbacks:
        response = place_order(client, phone="+1 555 0100")

    order = Order.objects.get()
    assert len(callbacks) == 1
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.pk}/placed/"
    page = client.get(response["Location"]).content.decode()
    assert "Thank you for your order!" in page
    assert f"Order #{order.pk}" in page
    assert "Pending" in page
    assert "$25.00" in page
    assert "1 Library Lane" in page
    assert "data-cart-count>0</span>" in page
    assert order.user == customer
    assert order.status == Status.PENDING


def test_a_checkout_page_posted_again_after_its_order_keeps_the_new_cart_and_says_why(
    client, customer
):
    book = BookFactory()
    client.post(f"/cart/add/{book.pk}/")
    data = {"delivery_address": "1 Lane", "phone": "", **form_of(checkout_page(client))}

    first = client.post("/checkout/", data)
    client.post(f"/cart/add/{book.pk}/", {"quantity": "2"})  # the next cart
    second = client.post("/checkout/", data, follow=True)

    order = Order.objects.get()
    assert first["Location"] == f"/orders/{order.pk}/placed/"
    assert second.redirect_chain == [(f"/orders/{order.pk}/", 302)]
    page = second.content.decode()
    assert (
        f"That checkout page was already used: it placed order #{order.pk}. "
        "Your cart is as you left it."
    ) in page
    assert "data-cart-count>2</span>" in page


def test_checkout_pages_of_one_cart_in_three_tabs_make_one_order(client, customer):
    book = BookFactory(quantity=1)
    client.post(f"/cart/add/{book.pk}/")
    tabs = [form_of(checkout_page(client)) for _ in range(3)]
    assert len({tab["token"] for tab in tabs}) == 3  # each page its own form token

    answers = [
        client.post("/checkout/", {"delivery_address": "1 Lane", "phone": "", **tab}, follow=True)
        for tab in tabs
    ]

    order = Order.objects.get()
    assert answers[0].redirect_chain == [(f"/orders/{order.pk}/placed/", 302)]
    for answer in answers[1:]:
        assert answer.redirect_chain == [(f"/orders/{order.pk}/", 302)]
        assert f"That cart has already been ordered, as order #{order.pk}" in (
            answer.content.decode()
        )


def test_a_checkout_page_older_than_the_cart_shows_the_cart_again(client, customer):
    book = BookFactory(title="Solaris")
    client.post(f"/cart/add/{book.pk}/")
    shown = form_of(checkout_page(client))
    client.post(f"/cart/add/{book.pk}/")  # another tab added a copy

    response = client.post(
        "/checkout/", {"delivery_address": "7 Quiet Street", "phone": "", **shown}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your cart changed after this checkout page was loaded." in page
    assert "2 \u00d7 Solaris" in page
    assert "7 Quiet Street</textarea>" in page
    assert not Order.objects.exists()
    assert place_order(client).status_code == 302
    assert Order.objects.get().items.get().quantity == 2


@pytest.mark.parametrize(
    ("address", "phone", "message"),
    [
        ("", "", "This field is required."),
        ("   ", "", "This field is required."),
        ("x" * 501, "", "Ensure this value has at most 500 characters (it has 501)."),
        (
            "1 Lane",
            "call me",
            "Enter a phone number with the digits 0-9, spaces and + ( ) - . only.",
        ),
        ("1 Lane", "(((((", "A phone number has 5 to 15 digits."),
        ("1 Lane", "\u0660\u0661\u0662\u0663\u0664\u0665", "with the digits 0-9"),
        ("1 Lane", "\uff10\uff11\uff12\uff13\uff14\uff15", "with the digits 0-9"),
        ("1 Lane", "+44 (20)) 7946 0000", "The brackets in this phone number do not pair up."),
        ("1 Lane", "12 34", "A phone number has 5 to 15 digits."),
    ],
)
def test_checkout_validates_delivery_details(client, customer, address, phone, message):
    client.post(f"/cart/add/{BookFactory().pk}/")

    response = place_order(client, address=address, phone=phone)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Order.objects.exists()


def test_checkout_takes_an_ordinary_phone_number(client, customer):
    client.post(f"/cart/add/{BookFactory().pk}/")

    place_order(client, phone="+44 (20) 7946-0000")

    assert Order.objects.get().phone == "+44 (20) 7946-0000"


def test_checkout_without_an_email_on_the_account_asks_for_one(client, customer):
    customer.email = ""
    customer.save()
    client.post(f"/cart/add/{BookFactory().pk}/")

    response = place_order(client)

    assert response.status_code == 200
    assert "Your account has no email address" in response.content.decode()
    assert not Order.objects.exists()


def test_checkout_address_is_trimmed(client, customer):
    client.post(f"/cart/add/{BookFactory().pk}/")

    place_order(client, address="   7 Quiet Street   ")

    assert Order.objects.get().delivery_address == "7 Quiet Street"


def test_checkout_refuses_a_cart_that_is_no_longer_available(client, customer):
    book = BookFactory(title="Solaris", quantity=3)
    client.post(f"/cart/add/{book.pk}/", {"quantity": "3"})
    form = form_of(checkout_page(client))
    book.quantity = 1
    book.save()

    response = client.post("/checkout/", {"delivery_address": "1 Lane", "phone": "", **form})

    assert response.status_code == 200
    page = response.content.decode()
    assert "We could not place your order:" in page
    assert "“Solaris”: Only 1 available." in page
    assert not Order.objects.exists()
    assert "data-cart-count>3</span>" in page  # the cart is as it was


def test_a_failure_mid_checkout_shows_an_error_and_keeps_the_cart(client, customer, monkeypatch):
    from bookshop.shop.orders import placing

    book = BookFactory()
    client.post(f"/cart/add/{book.pk}/", {"quantity": "2"})

    def fail(**kwargs):
        raise placing.IntegrityError("injected")

    monkeypatch.setattr(placing.OrderItem.objects, "bulk_create", fail)
    client.raise_request_exception = False
    response = place_order(client)

    assert response.status_code == 500
    assert not Order.objects.exists()
    monkeypatch.undo()
    assert "data-cart-count>2</span>" in client.get("/cart/").content.decode()


def test_checkout_offers_the_last_delivery_address(client, customer):
    order_with_items(user=customer, delivery_address="9 Old Road", phone="+44 1")
    client.post(f"/cart/add/{BookFactory().pk}/")

    page = checkout_page(client).content.decode()

    assert "9 Old Road</textarea>" in page
    assert 'value="+44 1"' in page


# -- my orders ----------------------------------------------------------------------------


def test_my_orders_needs_login(client):
    response = client.get("/orders/")

    assert response["Location"] == "/accounts/login/?next=/orders/"


def test_my_orders_shows_only_the_customers_own_orders_newest_first(client, customer):
    older = order_with_items(user=customer, created_at=timezone.now() - timezone.timedelta(days=2))
    newer = order_with_items(user=customer)
    other = order_with_items(user=UserFactory(username="someone"))

    response = client.get("/orders/")

    assert [order.pk for order in response.context["orders"]] == [newer.pk, older.pk]
    page = response.content.decode()
    assert f"Order #{newer.pk}" in page
    assert f"Order #{other.pk}<" not in page
    assert "My orders" in page


def test_another_customers_order_is_a_404(client, customer):
    other = order_with_items(user=UserFactory(username="someone"))

    assert client.get(f"/orders/{other.pk}/").status_code == 404
    assert client.get(f"/orders/{other.pk}/placed/").status_code == 404


def test_each_customer_sees_their_own_order_page(client, customer):
    mine = order_with_items(user=customer, items=1)

    response = client.get(f"/orders/{mine.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert f"<title>Order #{mine.pk} · Bookshop</title>" in page
    assert mine.items.get().title in page


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Status.PENDING, "Pending"),
        (Status.IN_WORK, "Processing"),
        (Status.SUCCESS, "Completed"),
        (Status.FAIL, "Failed"),
    ],
)
def test_status_badges(client, customer, status, label):
    order = order_with_items(user=customer)
    if status != Status.PENDING:
        note = "Only 1 copy of Dune left." if status == Status.FAIL else ""
        order_advance(order=order, to_status=status, note=note)

    list_page = client.get("/orders/").content.decode()
    detail_page = client.get(f"/orders/{order.pk}/").content.decode()

    assert f">{label}</span>" in list_page
    assert f">{label}</span>" in detail_page
    assert ("Only 1 copy of Dune left." in list_page) == (status == Status.FAIL)
    assert ("Only 1 copy of Dune left." in detail_page) == (status == Status.FAIL)


def test_my_orders_is_paginated(client, customer):
    for _ in range(12):
        order_with_items(user=customer, items=1)

    first = client.get("/orders/")
    second = client.get("/orders/?page=2")

    assert len(first.context["orders"]) == 10
    assert len(second.context["orders"]) == 2
    assert "Page 1 of 2" in first.content.decode()


@pytest.mark.parametrize("rows", [10, 200])
def test_my_orders_query_count_does_not_grow(client, customer, django_assert_num_queries, rows):
    for _ in range(rows):
        order_with_items(user=customer, items=3)

    # user, count, orders, their items (the session comes from the cache)
    with django_assert_num_queries(4):
        response = client.get("/orders/")
    assert len(response.context["orders"]) == 10


@pytest.mark.parametrize("rows", [10, 200])
def test_order_page_query_count_does_not_grow(client, customer, django_assert_num_queries, rows):
    order = order_with_items(user=customer, items=rows)

    # user, order, items, events (the session comes from the cache)
    with django_assert_num_queries(4):
        assert client.get(f"/orders/{order.pk}/").status_code == 200
