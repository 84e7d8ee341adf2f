"""Issue 15 in the browser: a guest buys without an account and follows the order by its
tracking link, which updates itself (no reload) as the store answers; a customer cancels."""

import re

from playwright.sync_api import expect

from tests.browser.people import (
    SHORT,
    book_card,
    expect_cart_count,
    expect_logged_in,
    find_in_catalogue,
    register,
    reload_until,
    search,
)

TREASURE = "Treasure Island"
PRIDE = "Pride and Prejudice"
LIVE = 30_000  # ms: the status sync and the worker, seen by the page's own polling


def test_a_guest_orders_and_the_tracking_page_follows_it_to_completed(bookshop, staff, page, audit):
    email = "guest-gwen@example.com"
    shop = bookshop.url("shop")
    find_in_catalogue(page, audit, shop, "Treasure", TREASURE)
    book_card(page, TREASURE).get_by_role("button", name="Add to cart").click()
    expect_cart_count(page, 1)

    page.goto(f"{shop.rstrip('/')}/checkout/")
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    expect(page.get_by_text("Pay on delivery, by cash or card")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Delivery address").fill("9 Harbour Lane\nBristol BS1 4QA")
    audit.check(screenshot="guest-checkout")
    page.get_by_role("button", name="Place order").click()

    expect(page.get_by_role("heading", name="Thank you for your order!")).to_be_visible()
    assert "/orders/track/" in page.url
    number = page.get_by_role("heading", level=1).inner_text()
    assert re.fullmatch(r"Order #\d+", number), number
    audit.check(screenshot="guest-order-placed")
    # No reload from here on: the page's script shows the store's answer.
    page.evaluate("window.bookshopMarker = 'still the same page'")
    expect(page.get_by_text("Processing", exact=True)).to_be_visible(timeout=LIVE)
    assert page.evaluate("window.bookshopMarker") == "still the same page"
    audit.check(screenshot="guest-order-processing")

    [store_order] = staff.orders_for(email)
    assert store_order["delivery_fee"] == "3.50"
    staff.ship(store_order)
    # Live updates stop once the store has taken the order (Processing); from there the
    # tracking page shows the news when it is loaded again.
    reload_until(
        page, lambda: expect(page.get_by_text("Completed", exact=True)).to_be_visible(timeout=SHORT)
    )
    expect(page.get_by_role("button", name="Cancel order")).to_have_count(0)
    audit.check(screenshot="guest-order-completed")

    # Both emails, each with the tracking link.
    page.goto(bookshop.url("inbox"))
    mails = page.get_by_role("row").filter(has_text=email)
    received = f"Bookshop {number}: received"
    completed = f"Bookshop {number}: completed"

    def both_mails_arrived() -> None:
        expect(mails.get_by_role("link")).to_have_text([completed, received], timeout=SHORT)

    reload_until(page, both_mails_arrived, again=page.get_by_role("link", name="Refresh").click)
    audit.check()
    mails.get_by_role("link", name=completed).click()
    expect(page.get_by_text(re.compile(r"/orders/track/")).first).to_be_visible()
    audit.check()


def test_a_customer_cancels_an_order_before_it_ships(bookshop, staff, page, audit):
    shop = bookshop.url("shop")
    find_in_catalogue(page, audit, shop, "Prejudice", PRIDE)
    register(page, audit, "cora")
    expect_logged_in(page, "cora")
    audit.check()
    search(page, "Prejudice")
    audit.check()
    book_card(page, PRIDE).get_by_role("button", name="Add to cart").click()
    expect_cart_count(page, 1)
    audit.check()
    page.goto(f"{shop.rstrip('/')}/checkout/")
    page.get_by_label("Delivery address").fill("2 Mill Road\nYork YO1 7HH")
    audit.check()
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_text("Processing", exact=True)).to_be_visible(timeout=LIVE)
    audit.check()

    page.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_text("Cancelling…").first).to_be_visible()
    audit.check(screenshot="order-cancelling")
    reload_until(
        page,
        lambda: expect(page.get_by_text("This order is cancelled.")).to_be_visible(timeout=SHORT),
    )
    audit.check(screenshot="order-cancelled")
    [store_order] = staff.orders_for("cora@example.com")
    assert store_order["status"] == "cancelled"
