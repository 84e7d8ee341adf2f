"""Issue 15, part 2's product requirement: from "Place order" to "Processing" on screen,
with the worker running in the embedded mode, p95 at most 3 s over 20 orders. The
figures are printed; the bound is asserted because the issue asks for it."""

import math
import time

from playwright.sync_api import expect

from bookshop.store.inventory.demo.catalog import read_catalog
from tests.browser.people import book_card, expect_cart_count, find_in_catalogue, search

ORDERS = 20
P95_BOUND = 3.0  # seconds


def test_twenty_orders_reach_processing_on_screen_within_the_bound(bookshop, page, audit):
    shop = bookshop.url("shop").rstrip("/")
    # Books with enough copies that every order is accepted (and none sells out).
    books = [b for b in read_catalog() if b.copy_count >= 3][:ORDERS]
    assert len(books) >= 7
    find_in_catalogue(page, audit, shop + "/", books[0].title.split()[-1], books[0].title)
    seconds = []
    for n in range(ORDERS):
        book = books[n % len(books)]
        search(page, book.title)
        audit.check()
        book_card(page, book.title).get_by_role("button", name="Add to cart").click()
        expect_cart_count(page, 1)
        page.goto(f"{shop}/checkout/")
        audit.check()
        page.get_by_label("Email").fill(f"timing-{n}@example.com")
        page.get_by_label("Delivery address").fill("1 Clock Street\nGreenwich")
        started = time.monotonic()
        page.get_by_role("button", name="Place order").click()
        expect(page.get_by_text("Processing", exact=True)).to_be_visible(timeout=20_000)
        seconds.append(time.monotonic() - started)
        audit.check()  # outside the timed part
    ranked = sorted(seconds)
    p95 = ranked[math.ceil(0.95 * len(ranked)) - 1]
    print(
        f"\nPlace order → Processing on screen, {len(seconds)} orders: "
        f"min {ranked[0]:.2f} s, median {ranked[len(ranked) // 2]:.2f} s, "
        f"p95 {p95:.2f} s, max {ranked[-1]:.2f} s"
    )
    assert p95 <= P95_BOUND
