"""Browsing the demo catalogue by subject and by author, in the browser (issue 14): the
navbar's "Subjects", a subject's page, a book's details and its author's page."""

import re

from playwright.sync_api import expect

from tests.browser.people import book_card, find_in_catalogue

PRIDE = "Pride and Prejudice"


def test_a_customer_browses_by_subject_and_by_author(bookshop, page, audit):
    shop = bookshop.url("shop")
    find_in_catalogue(page, audit, shop, "Prejudice", PRIDE)

    # The navbar's "Subjects" lists the demo's subjects; Romance holds Austen's novel.
    page.goto(shop)
    audit.check()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Subjects").click()
    expect(page.get_by_role("heading", name="Subjects")).to_be_visible()
    audit.check(screenshot="subjects")
    page.get_by_role("link", name="Romance", exact=True).click()
    expect(page.get_by_role("heading", name="Romance", level=1)).to_be_visible()
    expect(book_card(page, PRIDE)).to_be_visible()
    audit.check(screenshot="subject-romance")

    # The book page shows its details and links its author, with JSON-LD and no CSP report.
    book_card(page, PRIDE).get_by_role("link", name=PRIDE).click()
    expect(page.get_by_role("heading", name=PRIDE, level=1)).to_be_visible()
    expect(page.get_by_text("Language")).to_be_visible()
    expect(page.locator('script[type="application/ld+json"]')).to_have_count(1)
    expect(page.get_by_role("heading", name="More by this author")).to_be_visible()
    audit.check(screenshot="book-details")
    page.get_by_role("link", name="Jane Austen").first.click()

    # The author's page lists her books; a facet narrows them without pressing Apply.
    expect(page.get_by_role("heading", name="Jane Austen", level=1)).to_be_visible()
    expect(book_card(page, PRIDE)).to_be_visible()
    audit.check(screenshot="author")
    page.get_by_label("Sort by").select_option(label="Title, A to Z")
    expect(page).to_have_url(re.compile(r"[?&]sort=title"))
    audit.check()
