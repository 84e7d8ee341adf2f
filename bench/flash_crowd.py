"""A flash crowd: N customers check out at once as guests, M of them for a book with only
K copies, against `bookshop up`. Each customer does what a browser does: opens the book's
page, adds it to the cart, opens the checkout and places the order, then watches the
order's status as the order page's script does (1 s, growing by half, at most 10 s).

Prints checkouts per second (first request to last placed order), when every order had
its answer from the store (seconds after the last checkout), and checks the outcome:
every checkout placed, exactly K of the M accepted, all the others accepted, and every
customer's order page showing its answer. Exits 1 if any of that fails.

.venv/bin/python bench/flash_crowd.py [--customers 120] [--scarce 40] [--copies 10]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import time
from dataclasses import dataclass, field

import httpx
from _platform import backend_label, platform, save

SCARCE = "The Last Lighthouse Keeper"
PLENTY = "A Harbour Full of Ships"
ACCEPTED = {"in_work", "success"}
SAYS_ACCEPTED = "has accepted your order|is on its way"
ANSWER_WAIT_S = 120  # no order waits longer than this for its answer

# The two books of the crowd, made in the store with its own services.
BOOKS = """
from decimal import Decimal
from bookshop.store.inventory.services import book_create, book_items_add
for title, author, copies, place in (
    ({scarce!r}, "Ilse Varga", {copies}, "F-01-1"),
    ({plenty!r}, "Rafael Ortiz", {plenty_copies}, "F-01-2"),
):
    book = book_create(data={{"title": title, "author": author, "price": Decimal("18.00")}})
    book_items_add(book=book, place=place, count=copies)
"""


@dataclass
class Customer:
    number: int
    book_id: int
    book_page: str
    scarce: bool
    placed_at: float = 0.0
    status_url: str = ""
    page_url: str = ""
    status: str = "pending"
    answered_at: float | None = None
    errors: list[str] = field(default_factory=list)


def _csrf(client: httpx.AsyncClient) -> dict[str, str]:
    return {"X-CSRFToken": client.cookies["csrftoken"], "Referer": str(client.base_url)}


async def check_out(client: httpx.AsyncClient, customer: Customer) -> None:
    """The four requests of one checkout; the placed order's tracking link is kept."""
    (await client.get(customer.book_page)).raise_for_status()
    added = await client.post(
        f"/cart/add/{customer.book_id}/",
        data={"quantity": "1"},
        headers={"Accept": "application/json", **_csrf(client)},
    )
    added.raise_for_status()
    form = (await client.get("/checkout/")).text
    hidden = {
        name: re.search(rf'name="{name}" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        for name in ("token", "cart_version")
    }
    placed = await client.post(
        "/checkout/",
        data={
            **hidden,
            "email": f"crowd{customer.number}@example.com",
            "delivery_address": f"{customer.number} Harbour Road\n12345 Booktown",
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
        headers={"Referer": f"{client.base_url}checkout/"},
    )
    location = placed.headers.get("Location", "")
    track = re.match(r"(/orders/track/[^/]+/)", location)
    if placed.status_code != 302 or not track:
        raise RuntimeError(f"checkout answered {placed.status_code} {location!r}")
    customer.placed_at = time.monotonic()
    customer.page_url = location  # with ?placed=1: the page the customer lands on
    customer.status_url = track.group(1) + "status/"


async def watch(client: httpx.AsyncClient, customer: Customer, deadline: float) -> None:
    """Ask for the order's status as the page's script does, until the store answered."""
    delay = 1.0
    while time.monotonic() < deadline:
        answer = (await client.get(customer.status_url)).json()
        if not answer["live"]:
            customer.status, customer.answered_at = answer["status"], time.monotonic()
            return
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 10.0)


async def crowd(base_url: str, customers: list[Customer], concurrency: int) -> float:
    """Every customer at once, `concurrency` requests in flight; returns the start time."""
    gate = asyncio.Semaphore(concurrency)
    # One connection pool for the crowd, one client (its cookies) per customer: a client
    # of its own would each load the CA bundle (about 20 ms of this process's CPU), and
    # 120 of them at once held the first checkouts back by seconds.
    transport = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=2 * concurrency, max_keepalive_connections=0)
    )

    async def one(customer: Customer) -> None:
        # Not closed on its own: that would close the shared pool (closed after the crowd).
        client = httpx.AsyncClient(base_url=base_url, timeout=60, transport=transport)
        try:
            async with gate:
                await check_out(client, customer)
            await watch(client, customer, time.monotonic() + ANSWER_WAIT_S)
            page = (await client.get(customer.page_url)).text
            if customer.status in ACCEPTED and not re.search(SAYS_ACCEPTED, page):
                customer.errors.append("the order page of an accepted order does not say so")
            if customer.status == "fail" and "Not enough stock" not in page:
                customer.errors.append("the order page of a failed order does not say why")
        except (httpx.HTTPError, RuntimeError, KeyError) as exc:
            customer.errors.append(f"{type(exc).__name__}: {exc}")

    started = time.monotonic()
    async with transport:
        await asyncio.gather(*(one(customer) for customer in customers))
    return started


def shop_book(base_url: str, title: str) -> tuple[int, str]:
    """The shop's id of the book and its page, as the catalogue links it."""
    page = httpx.get(f"{base_url}/", params={"q": title}, timeout=30).text
    found = re.search(r'href="(/books/(\d+)-[\w-]*/)"[^>]*>' + re.escape(title) + "<", page)
    if not found:
        raise RuntimeError(f"{title!r} is not in the shop's catalogue")
    return int(found.group(2)), found.group(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=120)
    parser.add_argument("--scarce", type=int, default=40, help="how many want the scarce book")
    parser.add_argument("--copies", type=int, default=10, help="copies of the scarce book")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--books", type=int, default=1000, help="the rest of the catalogue")
    options = parser.parse_args()
    with platform() as running:
        running.manage("store", "populate_db", "--books", str(options.books), "--seed", "1")
        script = BOOKS.format(
            scarce=SCARCE, plenty=PLENTY, copies=options.copies,
            plenty_copies=options.customers,
        )  # fmt: skip
        running.manage("store", "shell", "-c", script)
        running.manage("shop", "sync_catalog", "--full")
        shop = running.url("shop").rstrip("/")
        scarce, plenty = shop_book(shop, SCARCE), shop_book(shop, PLENTY)
        # Scarce ones spread through the crowd, not all first.
        step = options.customers / max(options.scarce, 1)
        scarce_numbers = {int(i * step) for i in range(options.scarce)}
        customers = [
            Customer(n, *(scarce if n in scarce_numbers else plenty), n in scarce_numbers)
            for n in range(options.customers)
        ]
        started = asyncio.run(crowd(shop, customers, options.concurrency))
    return report(options, customers, started)


def report(options: argparse.Namespace, customers: list[Customer], started: float) -> int:
    placed = [c for c in customers if c.placed_at]
    last = max((c.placed_at for c in placed), default=started)
    answered = [c for c in placed if c.answered_at is not None]
    after_last = [c.answered_at - last for c in answered]  # type: ignore[operator]
    waits = [c.answered_at - c.placed_at for c in answered]  # type: ignore[operator]
    scarce_accepted = sum(1 for c in customers if c.scarce and c.status in ACCEPTED)
    others_accepted = sum(1 for c in customers if not c.scarce and c.status in ACCEPTED)
    problems = [f"customer {c.number}: {e}" for c in customers for e in c.errors]
    if len(placed) < len(customers):
        problems.append(f"{len(customers) - len(placed)} checkouts were not placed")
    if len(answered) < len(placed):
        problems.append(f"{len(placed) - len(answered)} orders had no answer in {ANSWER_WAIT_S} s")
    if scarce_accepted != min(options.copies, options.scarce):
        problems.append(f"{scarce_accepted} of the scarce book's orders were accepted")
    if others_accepted != len(customers) - options.scarce:
        problems.append(f"only {others_accepted} of the other orders were accepted")
    data = {
        "backends": backend_label(),
        "customers": options.customers,
        "scarce": options.scarce,
        "copies": options.copies,
        "concurrency": options.concurrency,
        "checkouts_per_s": round(len(placed) / (last - started), 1) if placed else 0,
        "checkout_phase_s": round(last - started, 2),
        "last_answer_after_last_checkout_s": round(max(after_last), 2) if after_last else None,
        "answer_wait_median_s": round(statistics.median(waits), 2) if waits else None,
        "answer_wait_max_s": round(max(waits), 2) if waits else None,
        "scarce_accepted": scarce_accepted,
        "others_accepted": others_accepted,
        "problems": problems,
    }
    path = save("flash-crowd", data)
    print(
        f"\nBackends: {data['backends']}; {options.customers} guests at once "
        f"({options.concurrency} requests in flight), {options.scarce} of them for a book "
        f"with {options.copies} copies\n"
    )
    print("| figure | value |\n| --- | ---: |")
    print(f"| full checkouts per second (4 requests each) | {data['checkouts_per_s']} |")
    print(f"| all checkouts placed in (s) | {data['checkout_phase_s']} |")
    rows = {
        "last answer, after the last checkout (s)": data["last_answer_after_last_checkout_s"],
        "wait for the answer, median / most (s)": (
            f"{data['answer_wait_median_s']} / {data['answer_wait_max_s']}"
        ),
    }
    for name, value in rows.items():
        print(f"| {name} | {value} |")
    print(f"| scarce book: accepted of {options.scarce} | {scarce_accepted} |")
    print(f"| other orders accepted | {others_accepted} of {options.customers - options.scarce} |")
    for problem in problems[:20]:
        print(f"PROBLEM: {problem}")
    print(f"saved {path}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
