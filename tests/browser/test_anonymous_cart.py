"""A visitor who fills a cart before logging in (issue 7, item 2)."""

import re

import pytest
from playwright.sync_api import CDPSession, expect

from tests.browser.people import (
    book_card,
    cart_link,
    expect_cart_count,
    expect_logged_in,
    find_in_catalogue,
    log_in,
    navbar,
)
from tests.e2e.shopper import Shopper

LETTERS = "Letters from Quillsmith Bay"
OBSERVATORY = "The Quillsmith Observatory"


@pytest.fixture(scope="module")
def quillsmith_books(bookshop, staff):
    staff.add_book(title=LETTERS, author="Noor Haddad", price="11.00", places=["Q-01-1"])
    staff.add_book(title=OBSERVATORY, author="Tomas Lind", price="15.40", places=["Q-01-2"])


def customer(bookshop, username: str) -> None:
    """An account made earlier, elsewhere."""
    shopper = Shopper(bookshop.url("shop"))
    try:
        shopper.register(username)
    finally:
        shopper.close()


def slow_network(page, *, latency_ms: int) -> CDPSession:
    """Chromium adds `latency_ms` to every request of the page until the returned
    session is detached."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    return session


def test_the_cart_filled_before_logging_in_is_still_there_after(
    bookshop, quillsmith_books, page, audit
):
    customer(bookshop, "bea")
    find_in_catalogue(page, audit, bookshop.url("shop"), "Quillsmith", LETTERS, OBSERVATORY)
    # A slow line, so the second click comes while the first is still on its way: two
    # cart requests at once would each save their own cart (the first visit even starts
    # two sessions), and one book would be lost.
    line = slow_network(page, latency_ms=400)
    for title in (LETTERS, OBSERVATORY):
        book_card(page, title).get_by_role("button", name="Add to cart").click()
    expect_cart_count(page, 2)
    line.detach()  # the line is fast again

    navbar(page).get_by_role("link", name="Log in").click()
    log_in(page, audit, "bea")
    expect_logged_in(page, "bea")
    expect_cart_count(page, 2)
    audit.check()

    cart_link(page).click()
    lines = page.get_by_role("list", name="Cart lines").get_by_role("listitem")
    expect(lines).to_have_count(2)
    for title in (LETTERS, OBSERVATORY):
        expect(page.get_by_role("listitem", name=title)).to_be_visible()
    summary = page.get_by_role("heading", name="Summary").locator("..")
    expect(summary).to_contain_text("Total$29.90")  # $26.40 and $3.50 delivery
    audit.check()


def test_checkout_while_logged_out_goes_by_the_log_in_page_and_back(
    bookshop, quillsmith_books, page, audit
):
    customer(bookshop, "cai")
    find_in_catalogue(page, audit, bookshop.url("shop"), "Quillsmith", LETTERS, OBSERVATORY)
    book_card(page, OBSERVATORY).get_by_role("button", name="Add to cart").click()
    expect_cart_count(page, 1)
    cart_link(page).click()
    expect(page.get_by_text("No account needed: check out as a guest")).to_be_visible()
    audit.check()

    page.get_by_role("link", name="Checkout").click()
    expect(page.get_by_label("Email")).to_be_visible()  # a guest may order right here
    page.get_by_role("main").get_by_role("link", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/checkout/$"))
    log_in(page, audit, "cai")

    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/checkout/$"))
    expect_logged_in(page, "cai")
    expect(page.get_by_role("heading", name="Your order").locator("..")).to_contain_text(
        f"1 \N{MULTIPLICATION SIGN} {OBSERVATORY}"
    )
    expect(page.get_by_role("button", name="Place order")).to_be_enabled()
    audit.check()
