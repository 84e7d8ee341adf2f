"""The mail inbox, as a developer reads it in a browser."""

import smtplib
from email.message import EmailMessage

from playwright.sync_api import expect

from tests.e2e.platform import HOST


def test_the_inbox_lists_a_message_and_opens_it(bookshop, page, audit):
    message = EmailMessage()
    message["From"] = "Bookshop <orders@bookshop.local>"
    message["To"] = "browser@example.com"
    message["Subject"] = "Browser check"
    message.set_content("Plain words.")
    message.add_alternative("<p>Rich <b>words</b>.</p>", subtype="html")
    with smtplib.SMTP(HOST, bookshop.ports["smtp"], timeout=10) as smtp:
        smtp.send_message(message)

    page.goto(bookshop.url("inbox"))
    row = page.get_by_role("row").filter(has_text="browser@example.com")
    expect(row).to_contain_text("Browser check")
    audit.check()

    row.get_by_role("link", name="Browser check").click()
    expect(page.get_by_role("heading", name="Browser check")).to_be_visible()
    expect(page.get_by_text("Plain words.")).to_be_visible()
    frame = page.frame_locator("iframe[title='HTML part of the message']")
    expect(frame.get_by_text("words")).to_be_visible()
    audit.check()

    # Delete posts the inbox's form token from its own origin, which the inbox requires.
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="browser@example.com")).to_have_count(0)
    audit.check()
