"""One cart, several tabs posting checkout at the same moment: real concurrent requests to
a live shop server, each its own connection, all with the one session cookie.

On SQLite the test database lives in memory and pytest-django's live server shares its one
connection between threads, which would serialise the requests; tests/e2e/test_security.py
posts the same race to a real `bookshop up` on SQLite (and on PostgreSQL with the services).
"""

import re
import threading

import httpx
import pytest
from django.db import connection

from bookshop.shop.orders.models import Order
from tests.shop.factories import BookFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="in-memory SQLite: one shared connection"
    ),
]
TABS = 3


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def logged_in_with_a_cart(base_url: str, book_id: int) -> httpx.Client:
    browser = httpx.Client(base_url=base_url, timeout=20)
    login = browser.get("/accounts/login/").text
    browser.post(
        "/accounts/login/",
        data={
            "username": "grace",
            "password": "a-Long-password-1",
            "csrfmiddlewaretoken": hidden(login, "csrfmiddlewaretoken"),
        },
    )
    browser.post(
        f"/cart/add/{book_id}/", data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]}
    )
    return browser


def test_three_tabs_posting_one_cart_at_once_make_one_order(live_server):
    UserFactory(username="grace")
    book = BookFactory(quantity=1)
    browser = logged_in_with_a_cart(live_server.url, book.pk)
    pages = [browser.get("/checkout/").text for _ in range(TABS)]
    cookies = dict(browser.cookies)
    browser.close()
    start = threading.Barrier(TABS)
    answers: list[httpx.Response] = []

    def post(page: str) -> None:
        with httpx.Client(base_url=live_server.url, cookies=cookies, timeout=20) as tab:
            fields = ("csrfmiddlewaretoken", "token", "cart_version")
            form = {name: hidden(page, name) for name in fields}
            start.wait()
            answers.append(tab.post("/checkout/", data={**form, "delivery_address": "1 Lane"}))

    threads = [threading.Thread(target=post, args=(page,)) for page in pages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    order = Order.objects.get()
    assert order.items.get().quantity == 1
    locations = sorted(answer.headers["location"] for answer in answers)
    assert [answer.status_code for answer in answers] == [302] * TABS
    assert locations == sorted(
        [f"/orders/{order.pk}/placed/"] + [f"/orders/{order.pk}/"] * (TABS - 1)
    )
