"""What a person does in the shop, in words a screen reader would use: the navbar, the
search box, the forms, and waiting for something that happens elsewhere."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

PASSWORD = "a-Long-password-2026"
SHORT = 2_000  # ms: one look at a page before reloading it


def reload_until(
    page: Page, expectation: Callable[[], None], *, timeout: float = 40, again=None
) -> None:
    """Reload (or do `again`) until `expectation`, an expect(...) with a short timeout,
    passes; fail with its message after `timeout` seconds. For news from another process
    (a sync, a worker, an email), which no page shows without being asked again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            expectation()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        (again or page.reload)()


def navbar(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def cart_link(page: Page) -> Locator:
    """The navbar's "Cart" link with the number of copies (only one is shown per width)."""
    return navbar(page).get_by_role("link", name=re.compile(r"^Cart\b"))


def expect_cart_count(page: Page, count: int) -> None:
    expect(cart_link(page)).to_have_accessible_name(f"Cart {count}")


def search(page: Page, words: str) -> None:
    bar = navbar(page)
    if not bar.get_by_label("Search books").is_visible():
        bar.get_by_role("button", name="Toggle navigation").click()
    bar.get_by_label("Search books").fill(words)
    bar.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name=f"Results for “{words}”")).to_be_visible()


def book_card(page: Page, title: str) -> Locator:
    return page.get_by_role("article", name=title, exact=True)


def find_in_catalogue(
    page: Page, audit, url: str, word: str, *titles: str, in_stock: bool = True
) -> None:
    """Open the shop's search for `word` and wait until the catalogue sync has brought
    every one of `titles` (books the store just added), each in stock unless `in_stock`
    is False. (The store adds a book, then its copies: a sync between the two lists the
    book sold out for a moment.)"""
    page.goto(f"{url}?q={word}")

    def all_listed() -> None:
        for title in titles:
            expect(book_card(page, title)).to_be_visible(timeout=SHORT)
            if in_stock:
                stock = book_card(page, title).get_by_text("In stock", exact=True)
                expect(stock).to_be_visible(timeout=SHORT)

    reload_until(page, all_listed)
    audit.check()


def register(page: Page, audit, username: str) -> str:
    """Sign up from the navbar's "Register"; returns the email address used."""
    email = f"{username}@example.com"
    navbar(page).get_by_role("link", name="Register").click()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    audit.check()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    return email


def log_in(page: Page, audit, username: str) -> None:
    """Fill in the log-in page the browser is on."""
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    audit.check()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def expect_logged_in(page: Page, username: str) -> None:
    bar = navbar(page)
    expect(bar.get_by_role("button", name="Log out")).to_be_attached()
    expect(bar.get_by_role("link", name=username, exact=True)).to_be_attached()
    expect(bar.get_by_role("link", name="Log in")).to_have_count(0)


def mark_page(page: Page) -> None:
    """Leave a marker on the page's window: a navigation would lose it."""
    page.evaluate("window.bookshopMarker = 'still the same page'")


def expect_same_page(page: Page, url: str) -> None:
    assert page.url == url
    assert page.evaluate("window.bookshopMarker") == "still the same page"
