"""Back in stock (issue 15, parts 4 and 7): a guest asks to hear when a sold-out book is
back, the store's staff add a copy, the catalogue sync brings it over, and the one email
arrives with the book's link and an unsubscribe link that works without logging in."""

import re

from playwright.sync_api import expect

from tests.browser.people import SHORT, book_card, find_in_catalogue, reload_until

LANTERN = "The Lantern of Quorrin Bay"
EMAIL = "lantern-reader@example.com"
SUBJECT = f"Bookshop: “{LANTERN}” is back in stock"
BUTTON = "Email me when it's back"


def test_a_guest_gets_one_email_when_staff_add_a_copy_and_can_unsubscribe(
    bookshop, staff, page, audit
):
    book = staff.add_book(title=LANTERN, author="Mira Sol", price="13.00", places=[])
    assert book["quantity"] == 0
    shop = bookshop.url("shop")
    find_in_catalogue(page, audit, shop, "Quorrin", LANTERN, in_stock=False)

    # The sold-out book's page offers the alert instead of "Add to cart".
    book_card(page, LANTERN).get_by_role("link", name=LANTERN).click()
    expect(page.get_by_role("heading", name=LANTERN, level=1)).to_be_visible()
    book_url = page.url
    expect(page.get_by_role("button", name=f"Add to cart: {LANTERN}")).to_have_count(0)
    alert = page.get_by_role("region", name="Want it when it is back?")
    audit.check(screenshot="back-in-stock")

    # A mistyped address is a form error, then the right one is taken.
    alert.get_by_label("Your email").fill("lantern-reader@")
    alert.get_by_role("button", name=BUTTON).click()
    form = page.get_by_role("region", name="Want it when it is back?")
    expect(form.get_by_text("Enter a valid email address.")).to_be_visible()
    expect(form.get_by_label("Your email")).to_have_attribute("aria-invalid", "true")
    audit.check(screenshot="back-in-stock-error")
    form.get_by_label("Your email").fill(EMAIL)
    form.get_by_role("button", name=BUTTON).click()
    expect(page).to_have_url(book_url)
    expect(page.get_by_role("alert")).to_contain_text(
        f"We will email {EMAIL} once “{LANTERN}” is back."
    )
    audit.check()

    # The store's staff add a copy; the sync brings it over and the email goes out.
    staff.add_copy(book["id"], place="Q-09-1")
    reload_until(
        page,
        lambda: expect(page.get_by_role("button", name=f"Add to cart: {LANTERN}")).to_be_visible(
            timeout=SHORT
        ),
    )
    audit.check()
    page.goto(bookshop.url("inbox"))
    mails = page.get_by_role("row").filter(has_text=EMAIL)

    def arrived() -> None:
        expect(mails.get_by_role("link")).to_have_text([SUBJECT], timeout=SHORT)

    reload_until(page, arrived, again=page.get_by_role("link", name="Refresh").click)
    audit.check()
    mails.get_by_role("link", name=SUBJECT).click()
    expect(page.get_by_role("heading", name=SUBJECT)).to_be_visible()
    audit.check(screenshot="back-in-stock-email")
    text = page.locator("pre").first.inner_text()
    assert book_url in text
    unsubscribe = re.search(r"http\S+/alerts/unsubscribe/\S+/", text).group(0)

    # The book's link opens the book, now with "Add to cart".
    page.goto(book_url)
    expect(page.get_by_role("button", name=f"Add to cart: {LANTERN}")).to_be_enabled()
    audit.check()

    # The unsubscribe link, with no login: one button, then done.
    page.goto(unsubscribe)
    expect(page.get_by_text(f"Stop every back-in-stock email to {EMAIL}?")).to_be_visible()
    audit.check()
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("status").filter(has_text="You are unsubscribed")).to_contain_text(
        EMAIL
    )
    audit.check()

    # Exactly one email, a few syncs later too.
    page.wait_for_timeout(5_000)
    page.goto(bookshop.url("inbox"))
    expect(mails.get_by_role("link")).to_have_text([SUBJECT])
    audit.check()
