"""Issue 15.2 in the browser: an order the store cannot fill. The page checkout lands on
shows the failure as it happens (no reload): what was short, no thank-you, the live region
saying so, and one button, reachable by keyboard, that puts what is left back in the cart.

The shop's checkout refuses a cart its mirror cannot fill, so a short order needs the
mirror to lag the store: copies sold at the store before the next catalogue sync. The test
holds that lag open on purpose (the mirror shows the copy sold over the counter until the
order has failed) and holds the store's answer back with a lock on the book's row, so the
page is surely seen Pending first and the failure reaches it through the live status.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from playwright.sync_api import Page, expect

from tests import services
from tests.browser.people import (
    SHORT,
    book_card,
    expect_cart_count,
    expect_logged_in,
    expect_same_page,
    find_in_catalogue,
    mark_page,
    register,
    reload_until,
)

TITLE = "The Tidewatcher of Saltby"  # a word no demo book has: its search lists it alone
LIVE = 30_000  # ms: the worker and the page's own polling
PUT_BACK = "Put the available books back in my cart"

pytestmark = pytest.mark.skipif(
    not services.ENABLED,
    reason="holds a row lock in the store's PostgreSQL database (BOOKSHOP_TEST_SERVICES=1)",
)


def set_mirror_quantity(bookshop, store_id: int, quantity: int) -> None:
    """Set what the shop's mirror believes is available of one book, as a sync would."""
    command = (
        "from bookshop.shop.catalog.models import Book; "
        f"print(Book.objects.filter(store_id={store_id}).update(quantity={quantity}))"
    )
    result = bookshop.manage("shop", "shell", "--no-imports", "-c", command)
    assert result.stdout.strip() == "1", result.stdout + result.stderr


@contextmanager
def store_answer_held(bookshop, store_id: int) -> Iterator[None]:
    """While inside, the store's order creation waits: it locks the book's row first."""
    with psycopg.connect(bookshop.env["BOOKSHOP_STORE_DATABASE_URL"]) as connection:
        connection.execute("SELECT id FROM inventory_book WHERE id = %s FOR UPDATE", [store_id])
        yield
        connection.rollback()


def focus_by_tab(page: Page, name: str, *, presses: int = 60) -> None:
    """Press Tab from the top of the page until the control named `name` has the focus."""
    page.locator("body").focus()
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if focused.count() and focused.evaluate("el => el.innerText.trim()") == name:
            return
    raise AssertionError(f"no control named {name!r} within {presses} presses of Tab")


def test_a_short_order_fails_live_and_puts_what_is_left_back(bookshop, staff, page, audit):
    shop = bookshop.url("shop")
    book = staff.add_book(title=TITLE, price="7.25", places=["L-1", "L-2"])
    find_in_catalogue(page, audit, shop, "Tidewatcher", TITLE)
    register(page, audit, "shirin")
    expect_logged_in(page, "shirin")
    audit.check()
    # The catalogue's covers load lazily (more of them at the narrow width the check
    # tried): leaving before they are in would abort their requests.
    page.wait_for_load_state("networkidle")

    # Both copies in the cart.
    page.goto(f"{shop}?q=Tidewatcher")
    book_card(page, TITLE).get_by_role("button", name="Add to cart").click()
    expect_cart_count(page, 1)
    page.goto(f"{shop.rstrip('/')}/cart/")
    line = page.get_by_role("listitem", name=TITLE)
    line.get_by_role("button", name="Increase quantity").click()
    expect_cart_count(page, 2)

    # One copy is sold over the counter; the shop's mirror hears of it at its next sync
    # (and the cart says so), but the test then puts the mirror back one sync behind.
    staff.place_order(email="counter@example.com", lines={book["id"]: 1})
    reload_until(page, lambda: expect(line).to_contain_text("Only 1 available", timeout=SHORT))
    audit.check()
    set_mirror_quantity(bookshop, book["id"], 2)
    page.reload()
    expect(line).not_to_contain_text("Only 1 available")

    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Delivery address").fill("1 Pier Head\nWhitby YO21 3PU")
    audit.check()
    with store_answer_held(bookshop, book["id"]):
        page.get_by_role("button", name="Place order").click()
        expect(page.get_by_role("heading", name="Thank you for your order!")).to_be_visible()
        expect(page.get_by_text("Pending", exact=True)).to_be_visible()
        placed = page.url
        assert re.search(r"/orders/\d+/placed/$", placed), placed
        mark_page(page)
    number = page.get_by_role("heading", level=1).inner_text().removeprefix("Order ")
    reason = f"Not enough stock: 1 copy of “{TITLE}” left (you asked for 2)."

    # The store answers 409; the page shows it without being loaded again.
    expect(page.get_by_text("Failed", exact=True)).to_be_visible(timeout=LIVE)
    expect(page.get_by_text(f"This order could not be fulfilled: {reason}")).to_be_visible()
    expect(page.get_by_role("heading", name="Thank you for your order!")).to_have_count(0)
    expect(page.get_by_text("has been placed")).to_have_count(0)
    expect(page.get_by_role("button", name="Cancel order")).to_have_count(0)
    expect(page.get_by_role("button", name=PUT_BACK)).to_have_count(1)
    expect(page.locator("[aria-live=polite][data-order-live]")).to_have_text(
        f"Order {number}: Failed. {reason}"
    )
    expect_same_page(page, placed)
    audit.check(screenshot="order-short-stock")

    # The mirror catches up with the store (one copy left) before the customer acts.
    set_mirror_quantity(bookshop, book["id"], 1)

    # By keyboard alone: Tab reaches the button by its name, Enter presses it.
    focus_by_tab(page, PUT_BACK)
    expect(page.locator(":focus")).to_have_accessible_name(PUT_BACK)
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/cart/$"))
    page.wait_for_load_state("load")  # the stylesheet hides the navbar's narrow-screen cart link
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    put_back = f"1 of the books from order {number} are in your cart."
    expect(page.get_by_text(put_back)).to_be_visible()
    line = page.get_by_role("listitem", name=TITLE)
    expect(line.get_by_role("group", name=f"Quantity of {TITLE}")).to_have_text(
        re.compile(r"^\W*1\W*$")
    )
    # No problem with the line (checkout is open), and the reason there are no more.
    expect(line).not_to_contain_text("Only 1 available")
    expect(line).to_contain_text("Only 1 in stock")
    expect_cart_count(page, 1)
    audit.check(screenshot="order-short-stock-cart")
    assert staff.orders_for("shirin@example.com") == []
