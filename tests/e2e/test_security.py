"""Attacks of issue 11 replayed on a real `bookshop up` (two gunicorn workers per service,
SQLite by default, PostgreSQL with BOOKSHOP_TEST_SERVICES=1): concurrent requests land
on different worker processes, which must share the claim on a cart, the login failures
and the rate limits."""

import re
import threading
import uuid
from collections.abc import Callable

import httpx
import pytest

from tests.e2e.platform import deployment
from tests.e2e.shopper import Shopper

PASSWORD = "a-Long-password-2026"


@pytest.fixture(scope="module")
def bookshop(tmp_path_factory):
    with deployment(tmp_path_factory.mktemp("security"), CATALOG_SYNC_INTERVAL="2") as deploy:
        platform = deploy.up()
        try:
            platform.wait_until_running()
            deploy.manage("store", "populate_db", "--books", "3", "--seed", "11")
            deploy.manage("shop", "sync_catalog", "--full")
            yield deploy
        finally:
            platform.stop()


@pytest.fixture
def shopper(bookshop):
    customer = Shopper(bookshop.url("shop"))
    yield customer
    customer.close()


def at_once(count: int, request: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """`count` requests released together, each on its own connection."""
    start = threading.Barrier(count)
    answers: list[httpx.Response] = []

    def run(n: int) -> None:
        start.wait()
        answers.append(request(n))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == count
    return answers


def test_one_cart_posted_from_three_tabs_at_once_makes_one_order(bookshop, shopper):
    shopper.register(f"tabs{uuid.uuid4().hex[:8]}", PASSWORD)
    book_id = int(re.search(r'href="/books/(\d+)-[\w-]*/"', shopper.http.get("/").text).group(1))
    shopper.add(book_id)
    forms = [shopper.checkout_form() for _ in range(3)]  # three tabs, three form tokens
    csrf = shopper.http.cookies["csrftoken"]
    cookies = dict(shopper.http.cookies)

    def post(n: int) -> httpx.Response:
        with httpx.Client(base_url=bookshop.url("shop"), cookies=cookies, timeout=30) as tab:
            return tab.post(
                "/checkout/",
                data={**forms[n], "delivery_address": "1 Lane", "csrfmiddlewaretoken": csrf},
                headers={"Referer": bookshop.url("shop", "/checkout/")},
            )

    answers = at_once(3, post)

    assert [answer.status_code for answer in answers] == [302] * 3
    orders = set(re.findall(r"/orders/(\d+)/", " ".join(a.headers["location"] for a in answers)))
    assert len(orders) == 1
    my_orders = shopper.http.get("/orders/").text
    assert len(set(re.findall(r'href="/orders/(\d+)/"', my_orders))) == 1


def test_hammering_a_login_locks_it_in_every_worker(bookshop, shopper):
    username = f"target{uuid.uuid4().hex[:8]}"
    shopper.register(username, PASSWORD)
    shopper.http.cookies.clear()

    def wrong(n: int) -> httpx.Response:
        with Shopper(bookshop.url("shop")) as attacker:
            return attacker.post(
                "/accounts/login/", {"username": username, "password": f"guess-{n}"}
            )

    answers = at_once(8, wrong)
    with Shopper(bookshop.url("shop")) as owner:
        right = owner.post("/accounts/login/", {"username": username, "password": PASSWORD})

    codes = sorted(answer.status_code for answer in answers)
    assert codes.count(429) >= 3, codes  # the fifth failure on, whichever worker took it
    assert right.status_code == 429
    assert "Log-in is locked for 15 minutes" in right.text


def test_password_reset_requests_are_counted_across_workers(bookshop):
    def ask(n: int) -> httpx.Response:
        with Shopper(bookshop.url("shop")) as someone:
            return someone.post(
                "/accounts/password_reset/", {"email": f"{uuid.uuid4().hex}@example.com"}
            )

    answers = at_once(16, ask)

    codes = [answer.status_code for answer in answers]
    # The limit is 10 an hour per address; counted per worker, 16 would all pass.
    assert codes.count(302) <= 12, codes
    assert codes.count(429) >= 4, codes
