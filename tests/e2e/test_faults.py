"""Faults on the real processes, as issue 11 lists them, each followed by what the customer
sees and a count of what reached the store and the inbox: nothing lost, nothing doubled.

The broker-folder blip runs the embedded mode's `bookshop up` (its supervisor stops
everything when one child dies). The others share one stack of separately started
processes (tests/e2e/stack.py), so a test can freeze, cut off or stop one of them.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid

import psycopg
import pytest

from tests import services
from tests.e2e.platform import deployment, wait_for
from tests.e2e.shopper import Shopper
from tests.e2e.stack import dev_stack
from tests.e2e.test_integration import _try_find, new_book, store_orders

needs_services = pytest.mark.skipif(
    not services.ENABLED, reason="needs PostgreSQL and RabbitMQ (BOOKSHOP_TEST_SERVICES=1)"
)
SYNC_WAIT = 30


def health(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_blip_of_the_broker_folder_leaves_the_worker_running(tmp_path):
    # The embedded broker even when the session has RabbitMQ: the folder is the point.
    with deployment(tmp_path, CELERY_BROKER_URL="filesystem://localhost//") as deploy:
        platform = deploy.up("--no-demo")
        try:
            platform.wait_until_running()
            queue = deploy.var / "celery" / "queue"
            healthz = deploy.url("shop", "/healthz")
            assert health(healthz)[0] == 200
            mark = len(platform.output())

            # Renamed away until health has seen it (a few tenths of a second), while the
            # worker polls it ten times a second and beat keeps queueing.
            queue.rename(queue.with_name("queue-away"))
            try:
                during = wait_for(lambda: (h := health(healthz))[0] == 503 and h, timeout=10)
                time.sleep(0.5)
            finally:
                queue.with_name("queue-away").rename(queue)

            after = wait_for(lambda: (h := health(healthz))[0] == 200 and h, timeout=10)
            # Tasks flow again: beat's status sync (every 5 s) is taken and run, and the
            # worker asks the store for its orders.
            wait_for(lambda: "is back" in platform.output()[mark:], timeout=10)
            back = platform.output().index("is back", mark)
            wait_for(lambda: "GET /api/v1/orders/?" in platform.output()[back:], timeout=30)
            running = platform.process.poll() is None
            output = platform.output()[mark:]
        finally:
            status = platform.stop()

    assert during[1] == {"status": "unavailable", "checks": {"database": "ok", "broker": "fail"}}
    assert after[1]["checks"] == {"database": "ok", "broker": "ok"}
    assert running, output[-3000:]
    assert "is missing; taking its queues as empty" in output
    assert "FileNotFoundError" not in output
    assert status == 0


# -- the shared stack ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with dev_stack(
        tmp_path_factory.mktemp("faults"),
        CATALOG_SYNC_INTERVAL="1",
        ORDER_STATUS_SYNC_INTERVAL="1",
        PENDING_SWEEP_INTERVAL="2",
        PENDING_SWEEP_AGE="6",
        ORDER_SUBMIT_RETRY_BASE="0.5",
        ORDER_SUBMIT_RETRY_CAP="2",
        ORDER_SUBMIT_MAX_RETRIES="3",
        STORE_API_READ_TIMEOUT="3",
    ) as running:
        yield running


@pytest.fixture(scope="module")
def staff(stack):
    with stack.staff_api() as client:
        yield client


class Customers:
    """New customers, each with one copy of one new book in the cart."""

    def __init__(self, stack, staff, count: int) -> None:
        self.stack, self.staff = stack, staff
        self.book = new_book(staff, copies=count + 2, price="4.00")
        self.people = [Shopper(stack.url("shop")) for _ in range(count)]
        self.emails = [c.register(f"fault{uuid.uuid4().hex[:10]}") for c in self.people]
        book_id = wait_for(lambda: _try_find(self.people[0], self.book["title"]), timeout=SYNC_WAIT)
        for person in self.people:
            person.add(book_id, 1)
        self.orders: list[int] = []

    def checkout(self) -> list[int]:
        self.orders = [person.checkout() for person in self.people]
        return self.orders

    def close(self) -> None:
        for person in self.people:
            person.close()

    # -- what each customer and the store see ---------------------------------------------

    def in_store(self) -> list[dict]:
        return store_orders(self.staff, *self.emails)

    def statuses(self) -> list[str]:
        return [p.order_status(o) for p, o in zip(self.people, self.orders, strict=True)]

    def subjects(self) -> list[list[str]]:
        return [self.stack.subjects(email) for email in self.emails]

    def wait_until(self, status: str, emails: list[str]) -> None:
        """Every order shows `status` and every customer has exactly `emails` (subjects
        with {n} for the order number); then a few more seconds, to catch a late double."""
        wait_for(lambda: set(self.statuses()) == {status}, timeout=60)
        wanted = [sorted(e.format(n=o) for e in emails) for o in self.orders]
        wait_for(lambda: self.subjects() == wanted, timeout=60)
        time.sleep(3)
        assert self.subjects() == wanted
        assert set(self.statuses()) == {status}

    def assert_each_in_store_once(self) -> None:
        orders = self.in_store()
        assert sorted(o["customer_email"] for o in orders) == sorted(self.emails)
        assert all(o["items"][0]["quantity"] == 1 for o in orders)
        stock = self.staff.get(f"/books/{self.book['id']}/").json()["quantity"]
        assert stock == 2  # count + 2 copies, one reserved per order, none twice

    def complete_all(self) -> None:
        for order in self.in_store():
            copies = self.staff.get(f"/books/{self.book['id']}/items/?status=in_stock").json()
            free = [c["id"] for c in copies["results"]][:1]
            packed = self.staff.post(f"/orders/{order['id']}/pack/", json={"book_items": free})
            assert packed.status_code == 200, packed.text
            done = self.staff.post(f"/orders/{order['id']}/complete/")
            assert done.status_code == 200, done.text


RECEIVED = "Bookshop Order #{n}: received"
COMPLETED = "Bookshop Order #{n}: completed"


@pytest.fixture
def customers(stack, staff):
    made: list[Customers] = []

    def make(count: int) -> Customers:
        made.append(Customers(stack, staff, count))
        return made[-1]

    yield make
    for group in made:
        group.close()


def test_orders_placed_while_the_store_is_frozen_arrive_once_when_it_resumes(stack, customers):
    group = customers(3)

    stack.freeze("store")  # SIGSTOP: its sockets accept, nothing answers
    try:
        group.checkout()
        time.sleep(5)  # past the worker's read timeout (3 s): retries pile up meanwhile
        seen_while_frozen = group.statuses()
    finally:
        stack.thaw("store")

    assert seen_while_frozen == ["Pending"] * 3
    group.wait_until("Processing", [RECEIVED])
    group.assert_each_in_store_once()


def _terminate_backends(databases: list[str]) -> int:
    """pg_terminate_backend on every connection to these databases (ours only)."""
    with psycopg.connect(f"{services.PG_URL}/postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = ANY(%s) AND pid <> pg_backend_pid()",
            [databases],
        ).fetchall()
    return len(rows)


@needs_services
def test_database_connections_killed_mid_sync_lose_and_double_nothing(stack, customers):
    databases = stack.deploy.databases
    assert databases  # this stack's own two, never anyone else's
    assert all(name.startswith(f"bookshop_e2e_{services.RUN_ID}_") for name in databases)
    first = customers(2)
    first.checkout()
    first.wait_until("Processing", [RECEIVED])
    second = customers(2)

    killed, stop = [], threading.Event()

    def keep_killing() -> None:
        while not stop.is_set():
            killed.append(_terminate_backends(databases))
            time.sleep(0.4)

    # Staff complete the first orders and the second customers check out; then, while
    # the worker submits, syncs Completed over and sends the emails (and the store
    # answers it), every connection of both databases is killed every 0.4 s for 4 s.
    # No customer request runs meanwhile: one caught mid-query would get a 500 with
    # nothing written, which is not what this test is about.
    first.complete_all()
    second.checkout()
    killer = threading.Thread(target=keep_killing)
    killer.start()
    try:
        time.sleep(4)
    finally:
        stop.set()
        killer.join()

    assert sum(killed) > 0
    first.wait_until("Completed", [RECEIVED, COMPLETED])
    second.wait_until("Processing", [RECEIVED])
    second.assert_each_in_store_once()
    assert sorted(o["customer_email"] for o in first.in_store()) == sorted(first.emails)


def _rabbitmq_connections() -> list[str]:
    """The pids of the RabbitMQ connections on this session's vhost (no one else's)."""
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_connections", "vhost", "pid"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    rows = [line.split("\t") for line in listed.splitlines() if "\t" in line]
    return [pid for vhost, pid in rows if vhost == services.VHOST]


def _close_rabbitmq_connections(pids: list[str]) -> None:
    """Close these connections, all at once (each rabbitmqctl takes seconds to start)."""
    closing = [
        subprocess.Popen(
            ["rabbitmqctl", "-q", "close_connection", pid, "bookshop fault test"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]
    for process in closing:
        process.wait(60)


@needs_services
def test_broker_connections_dropped_with_orders_in_flight(stack, customers):
    group = customers(4)
    # Only this session's vhost: the worker's, beat's and the web processes' connections.
    pids = _rabbitmq_connections()

    group.checkout()
    _close_rabbitmq_connections(pids)

    assert pids
    # Closed (under load a rabbitmqctl may fail to close one; the rest suffice).
    assert set(pids) - set(_rabbitmq_connections())
    group.wait_until("Processing", [RECEIVED])
    group.assert_each_in_store_once()


def test_mail_held_while_the_smtp_server_is_down_arrives_once(stack, customers):
    group = customers(2)
    group.checkout()
    group.wait_until("Processing", [RECEIVED])

    stack.stop("mail")
    try:
        group.complete_all()
        wait_for(lambda: set(group.statuses()) == {"Completed"}, timeout=30)
        time.sleep(3)  # sends fail meanwhile: retries and the sweep keep them
    finally:
        stack.start("mail")

    group.wait_until("Completed", [RECEIVED, COMPLETED])
