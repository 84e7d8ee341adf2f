"""The shop and the store joined by the workers, all real processes on loopback: the
catalogue sync, order submission, status sync and the emails (issue flows 1-3).

One stack serves the module; syncs run every second or two so the tests stay short.
"""

import re
import time
import uuid

import pytest

from tests.e2e.platform import wait_for
from tests.e2e.shopper import Shopper
from tests.e2e.stack import dev_stack

CATALOG_SYNC_INTERVAL = 2
STATUS_SYNC_INTERVAL = 1
# A sync interval, plus the time a sync and a page take on a busy two-core machine.
WITHIN_ONE_SYNC = CATALOG_SYNC_INTERVAL + 8


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with dev_stack(
        tmp_path_factory.mktemp("integration"),
        CATALOG_SYNC_INTERVAL=str(CATALOG_SYNC_INTERVAL),
        ORDER_STATUS_SYNC_INTERVAL=str(STATUS_SYNC_INTERVAL),
        PENDING_SWEEP_INTERVAL="2",
        PENDING_SWEEP_AGE="8",
        ORDER_SUBMIT_RETRY_BASE="0.5",
        ORDER_SUBMIT_RETRY_CAP="2",
        ORDER_SUBMIT_MAX_RETRIES="3",
        STORE_API_READ_TIMEOUT="4",
    ) as running:
        yield running


@pytest.fixture(scope="module")
def staff(stack):
    with stack.staff_api() as client:
        yield client


@pytest.fixture
def shopper(stack):
    customer = Shopper(stack.url("shop"))
    yield customer
    customer.close()


def new_book(staff, *, copies: int, price: str = "10.00", title: str | None = None) -> dict:
    title = title or f"Book {uuid.uuid4().hex[:10]}"
    book = staff.post("/books/", json={"title": title, "author": "E2E", "price": price})
    assert book.status_code == 201, book.text
    if copies:
        added = staff.post(
            f"/books/{book.json()['id']}/items/", json={"place": "A-1", "count": copies}
        )
        assert added.status_code == 201, added.text
    return staff.get(f"/books/{book.json()['id']}/").json()


def store_orders(staff, *emails: str) -> list[dict]:
    """The store's orders for these customers (each test's customers are new)."""
    orders, url = [], "/orders/?page_size=1000"
    while url:
        page = staff.get(url).json()
        orders += page["results"]
        url = page["next"]
    return [order for order in orders if order["customer_email"] in emails]


def catalogue_count(shopper: Shopper) -> int:
    page = shopper.http.get("/").text
    found = re.search(r"(\d+) books?\b", page)
    return int(found.group(1)) if found else 0


def test_the_shop_catalogue_shows_every_book_of_the_store(stack, staff, shopper):
    stack.manage("store", "populate_db", "--books", "45", "--seed", "7")
    in_store = staff.get("/books/?page_size=1000&is_active=true").json()["results"]

    wait_for(lambda: catalogue_count(shopper) >= len(in_store), timeout=30)

    shown = {shopper.find_book(book["title"]) for book in in_store[:5]}
    assert len(shown) == 5
    # Each web worker trusts the version it read for up to CATALOG_VERSION_SECONDS (1 s),
    # so one may still show the empty catalogue it last saw; past that, every one of them
    # shows the whole catalogue.
    time.sleep(1.1)
    assert {catalogue_count(shopper) for _ in range(6)} == {len(in_store)}


def test_price_copies_and_deactivation_reach_the_shop_within_a_sync(stack, staff, shopper):
    book = new_book(staff, copies=2, price="10.00")
    gone = new_book(staff, copies=1)
    book_id = wait_for(lambda: _try_find(shopper, book["title"]), timeout=WITHIN_ONE_SYNC)
    gone_id = wait_for(lambda: _try_find(shopper, gone["title"]), timeout=WITHIN_ONE_SYNC)
    assert "2 available" in shopper.book_page(book_id)

    assert staff.patch(f"/books/{book['id']}/", json={"price": "14.25"}).status_code == 200
    wait_for(lambda: "14.25" in shopper.book_page(book_id), timeout=WITHIN_ONE_SYNC)

    staff.post(f"/books/{book['id']}/items/", json={"place": "B-2", "count": 3})
    wait_for(lambda: "5 available" in shopper.book_page(book_id), timeout=WITHIN_ONE_SYNC)

    assert staff.delete(f"/books/{gone['id']}/").status_code == 204
    wait_for(lambda: "no longer available" in shopper.book_page(gone_id), timeout=WITHIN_ONE_SYNC)


def customer_with_cart(
    staff, shopper: Shopper, *, copies: int, quantity: int, price: str = "10.00"
) -> tuple[dict, str]:
    """A new book in the store and a new customer with `quantity` of it in the cart, once
    the shop has synced it; returns the store's book and the customer's email."""
    book = new_book(staff, copies=copies, price=price)
    email = shopper.register(f"reader{uuid.uuid4().hex[:8]}")
    book_id = wait_for(lambda: _try_find(shopper, book["title"]), timeout=WITHIN_ONE_SYNC)
    shopper.add(book_id, quantity)
    return book, email


def _try_find(shopper: Shopper, title: str) -> int | None:
    try:
        return shopper.find_book(title)
    except AssertionError:
        return None


def test_an_order_goes_from_checkout_to_completed_with_one_email_per_step(stack, staff, shopper):
    book, email = customer_with_cart(staff, shopper, copies=3, quantity=2, price="8.50")

    order_id = shopper.checkout()

    [store_order] = wait_for(lambda: store_orders(staff, email), timeout=20)
    assert store_order["status"] == "in_work"
    assert store_order["items"] == [
        {"book": book["id"], "title": book["title"], "quantity": 2, "unit_price": "8.50"}
    ]
    assert staff.get(f"/books/{book['id']}/").json()["quantity"] == 1  # 2 of 3 reserved
    wait_for(lambda: shopper.order_status(order_id) == "Processing", timeout=10)
    wait_for(lambda: stack.subjects(email), timeout=20)
    assert stack.subjects(email) == [f"Bookshop Order #{order_id}: received"]

    copies = staff.get(f"/books/{book['id']}/items/?status=in_stock").json()["results"]
    packed = staff.post(
        f"/orders/{store_order['id']}/pack/", json={"book_items": [c["id"] for c in copies[:2]]}
    )
    assert packed.status_code == 200, packed.text
    assert staff.post(f"/orders/{store_order['id']}/complete/").status_code == 200

    wait_for(lambda: shopper.order_status(order_id) == "Completed", timeout=10)
    wait_for(lambda: len(stack.subjects(email)) == 2, timeout=20)
    assert stack.subjects(email) == [
        f"Bookshop Order #{order_id}: completed",
        f"Bookshop Order #{order_id}: received",
    ]
    message = stack.inbox(email)[0]
    assert f"/orders/{order_id}/" in message["Raw"]["Data"]


def test_an_order_for_more_copies_than_exist_fails_with_the_reason(stack, staff, shopper):
    book, email = customer_with_cart(staff, shopper, copies=2, quantity=2)
    # The store sells the copies elsewhere before the shop hears of it.
    stack.stop("beat")
    try:
        taken = staff.post(
            "/orders/",
            json={
                "shop_order_id": str(uuid.uuid4()),
                "customer_email": "counter@example.com",
                "delivery_address": "Over the counter",
                "items": [{"book": book["id"], "quantity": 1}],
            },
        )
        assert taken.status_code == 201, taken.text
        order_id = shopper.checkout()
        wait_for(lambda: shopper.order_status(order_id) == "Failed", timeout=20)
    finally:
        stack.start("beat")

    page = shopper.order_page(order_id)
    assert f"Not enough stock: 1 copy of “{book['title']}” left (you asked for 2)." in page
    wait_for(lambda: stack.subjects(email), timeout=20)
    assert stack.subjects(email) == [f"Bookshop Order #{order_id}: could not be processed"]
    assert store_orders(staff, email) == []


def test_orders_placed_while_the_store_is_down_reach_it_exactly_once(stack, staff):
    book = new_book(staff, copies=25, price="3.00")
    customers = [Shopper(stack.url("shop")) for _ in range(20)]
    try:
        emails = [c.register(f"patient{n}{uuid.uuid4().hex[:6]}") for n, c in enumerate(customers)]
        book_id = wait_for(lambda: _try_find(customers[0], book["title"]), timeout=WITHIN_ONE_SYNC)
        for customer in customers:
            customer.add(book_id, 1)

        stack.stop("store")
        try:
            order_ids = [customer.checkout() for customer in customers]
            assert {c.order_status(o) for c, o in zip(customers, order_ids, strict=True)} == {
                "Pending"
            }
        finally:
            stack.start("store")

        wait_for(lambda: len(store_orders(staff, *emails)) == 20, timeout=90)
        for customer, order_id in zip(customers, order_ids, strict=True):
            wait_for(lambda c=customer, o=order_id: c.order_status(o) == "Processing", timeout=30)
        for email, order_id in zip(emails, order_ids, strict=True):
            wait_for(lambda e=email: stack.subjects(e), timeout=30)
            assert stack.subjects(email) == [f"Bookshop Order #{order_id}: received"]
    finally:
        for customer in customers:
            customer.close()
    assert sorted(o["customer_email"] for o in store_orders(staff, *emails)) == sorted(emails)
    assert staff.get(f"/books/{book['id']}/").json()["quantity"] == 5


def test_a_worker_killed_mid_submission_loses_and_doubles_nothing(stack, staff, shopper):
    _, email = customer_with_cart(staff, shopper, copies=2, quantity=1)

    # A frozen store holds the submission's request open: the worker is inside it.
    stack.freeze("store")
    try:
        mark = len(stack.log("worker"))
        order_id = shopper.checkout()
        wait_for(
            lambda: f"order.submit order={order_id} uuid=" in stack.log("worker")[mark:],
            timeout=20,
        )
        stack.kill("worker")
    finally:
        stack.thaw("store")
    stack.start("worker")

    wait_for(lambda: store_orders(staff, email), timeout=60)
    wait_for(lambda: shopper.order_status(order_id) == "Processing", timeout=30)
    wait_for(lambda: stack.subjects(email), timeout=30)
    assert len(store_orders(staff, email)) == 1
    assert stack.subjects(email) == [f"Bookshop Order #{order_id}: received"]
