"""A customer's whole visit, in the browser (issue 7, item 1): register, search, fill the
cart without leaving the page, check out, and follow the order until the store ships it.
The books are the demo catalogue's, as a plain `bookshop up` put them there (issue 13)."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from bookshop.store.inventory.demo.catalog import read_catalog
from tests.browser.people import (
    SHORT,
    book_card,
    cart_link,
    expect_cart_count,
    expect_logged_in,
    expect_same_page,
    find_in_catalogue,
    mark_page,
    navbar,
    register,
    reload_until,
    search,
)

PRIDE = "Pride and Prejudice"
TREASURE = "Treasure Island"
DEMO = {book.title: book for book in read_catalog()}


def money(amount: Decimal) -> str:
    return f"${amount:.2f}"


def due(subtotal: Decimal) -> str:
    """The cart's Total: the items and the default delivery (3.50, free from 40.00)."""
    return money(subtotal + (Decimal("3.50") if subtotal < Decimal("40.00") else 0))


def test_a_customer_buys_books_and_follows_the_order_to_completed(bookshop, staff, page, audit):
    # Two copies of the first are bought at one point, so the demo must hold them.
    assert DEMO[PRIDE].copy_count >= 2
    assert DEMO[TREASURE].copy_count >= 1
    pride_price, treasure_price = DEMO[PRIDE].price, DEMO[TREASURE].price
    shop = bookshop.url("shop")
    find_in_catalogue(page, audit, shop, "Prejudice", PRIDE)
    find_in_catalogue(page, audit, shop, "Treasure", TREASURE)

    # The shop's front page, then a new account, and back on the shop logged in.
    page.goto(shop)
    expect(page.get_by_role("heading", name="Find your next favourite book")).to_be_visible()
    audit.check(screenshot="catalogue")
    email = register(page, audit, "ada")
    expect_logged_in(page, "ada")
    assert page.url == shop
    audit.check()

    # A word of the title finds the book; "Add to cart" on its card stays on the page.
    search(page, "Prejudice")
    audit.check()
    results = page.url
    mark_page(page)
    book_card(page, PRIDE).get_by_role("button", name="Add to cart").click()
    expect_cart_count(page, 1)
    expect(page.get_by_role("status").filter(has_text="to your cart")).to_contain_text(PRIDE)
    expect_same_page(page, results)

    # The other book from its own page.
    search(page, "Treasure")
    book_card(page, TREASURE).get_by_role("link", name=TREASURE).click()
    expect(page.get_by_role("heading", name=TREASURE, level=1)).to_be_visible()
    audit.check(screenshot="book")
    book_page = page.url
    mark_page(page)
    page.get_by_role("button", name=f"Add to cart: {TREASURE}").click()
    expect_cart_count(page, 2)
    expect_same_page(page, book_page)

    # The cart: quantities, line totals, the total and the count change in place.
    cart_link(page).click()
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    audit.check(screenshot="cart")
    cart = page.url
    mark_page(page)
    pride = page.get_by_role("listitem", name=PRIDE)
    treasure = page.get_by_role("listitem", name=TREASURE)
    quantity = pride.get_by_role("group", name=f"Quantity of {PRIDE}")
    summary = page.get_by_role("heading", name="Summary").locator("..")
    both = due(pride_price + treasure_price)
    expect(summary).to_contain_text(f"Total{both}")

    pride.get_by_role("button", name="Increase quantity").click()
    expect(quantity).to_have_text(re.compile(r"^\W*2\W*$"))
    expect(pride).to_contain_text(money(2 * pride_price))
    expect(summary).to_contain_text(f"Total{due(2 * pride_price + treasure_price)}")
    expect(summary).to_contain_text("Items3")
    expect_cart_count(page, 3)

    pride.get_by_role("button", name="Decrease quantity").click()
    expect(quantity).to_have_text(re.compile(r"^\W*1\W*$"))
    expect(pride).not_to_contain_text(money(2 * pride_price))
    expect(summary).to_contain_text(f"Total{both}")
    expect_cart_count(page, 2)

    treasure.get_by_role("button", name="Remove").click()
    expect(treasure).to_have_count(0)
    expect(summary).to_contain_text(f"Total{due(pride_price)}")
    expect_cart_count(page, 1)
    expect_same_page(page, cart)

    # Checkout with a delivery address.
    page.get_by_role("link", name="Checkout").click()
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    page.get_by_label("Delivery address").fill("4 Canal Row\nLeeds LS1 4AB")
    audit.check(screenshot="checkout")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", name="Thank you for your order!")).to_be_visible()
    number = page.get_by_role("heading", level=1).inner_text()  # "Order #N"
    assert re.fullmatch(r"Order #\d+", number), number
    audit.check()

    # My orders: the order waits for the store, then the store takes it.
    navbar(page).get_by_role("link", name="My orders").click()
    order = page.get_by_role("article", name=number)
    expect(order).to_contain_text(re.compile(r"Pending|Processing"))
    expect(order.get_by_role("listitem")).to_have_text([f"1 \N{MULTIPLICATION SIGN} {PRIDE}"])
    audit.check()
    reload_until(page, lambda: expect(order).to_contain_text("Processing", timeout=SHORT))

    [store_order] = staff.orders_for(email)
    staff.ship(store_order)
    reload_until(page, lambda: expect(order).to_contain_text("Completed", timeout=SHORT))
    audit.check(screenshot="my-orders")

    # The customer's mail: both messages, and one opened.
    page.goto(bookshop.url("inbox"))
    mails = page.get_by_role("row").filter(has_text=email)
    received = f"Bookshop {number}: received"
    completed = f"Bookshop {number}: completed"

    def both_mails_arrived() -> None:
        # The order's emails (the account's email confirmation is there too).
        order_mails = mails.get_by_role("link", name=re.compile(rf"{number}: "))
        expect(order_mails).to_have_text([completed, received], timeout=SHORT)

    reload_until(page, both_mails_arrived, again=page.get_by_role("link", name="Refresh").click)
    audit.check(screenshot="inbox")
    mails.get_by_role("link", name=completed).click()
    expect(page.get_by_role("heading", name=completed)).to_be_visible()
    expect(page.get_by_role("cell", name=email)).to_be_visible()
    audit.check(screenshot="inbox-message")
