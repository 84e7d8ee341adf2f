"""The whole cart with the keyboard only (issue 15, parts 6 and 7): Tab to a control,
Enter or Space to use it; the focus stays on the line's control, the change is announced
in the toast's live region, and the header with the cart's count stays in view."""

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.people import book_card, cart_link, expect_cart_count, find_in_catalogue, navbar

ATLAS = "An Atlas of Tabstop Harbour"
DIARY = "The Tabstop Diary"
TABS = 120  # more than any page here has controls


def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until `target` has the focus, as a keyboard user would."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(TABS):
        if target.evaluate("node => node === document.activeElement"):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{TABS} presses of {key} never reached {target}")


def toast(page: Page) -> Locator:
    return page.get_by_role("status").filter(has=page.locator("[data-cart-toast]"))


def test_a_customer_fills_and_empties_the_cart_with_the_keyboard_only(bookshop, staff, page, audit):
    staff.add_book(title=ATLAS, author="Ines Vale", price="20.00", places=["K-01-1", "K-01-2"])
    staff.add_book(title=DIARY, author="Oskar Brandt", price="7.50", places=["K-01-3"])
    find_in_catalogue(page, audit, bookshop.url("shop"), "Tabstop", ATLAS, DIARY)
    page.keyboard.press("Home")

    # "Add to cart" with Enter: the focus stays on the button, the toast is in view.
    add_atlas = book_card(page, ATLAS).get_by_role("button", name=f"Add to cart: {ATLAS}")
    tab_to(page, add_atlas)
    page.keyboard.press("Enter")
    expect(toast(page)).to_contain_text(f"Added “{ATLAS}” to your cart.")
    expect(toast(page)).to_contain_text("Your cart: 1 book, $20.00.")
    expect(toast(page)).to_be_in_viewport()
    expect(add_atlas).to_be_focused()
    expect_cart_count(page, 1)
    audit.check(screenshot="toast")

    # With Space, then the page scrolled down: the header and its count stay in view.
    add_diary = book_card(page, DIARY).get_by_role("button", name=f"Add to cart: {DIARY}")
    tab_to(page, add_diary)
    page.keyboard.press("Space")
    expect(toast(page)).to_contain_text("Your cart: 2 books, $27.50.")
    expect(add_diary).to_be_focused()
    page.mouse.wheel(0, 3000)
    expect(navbar(page)).to_be_in_viewport()
    expect_cart_count(page, 2)

    # To the cart by the navbar's link.
    tab_to(page, cart_link(page), backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    atlas = page.get_by_role("listitem", name=ATLAS)
    diary = page.get_by_role("listitem", name=DIARY)
    quantity = atlas.get_by_role("group", name=f"Quantity of {ATLAS}")
    summary = page.get_by_role("heading", name="Summary").locator("..")

    # Increase twice with Enter: the focus stays on "Increase quantity" each time.
    more = atlas.get_by_role("button", name="Increase quantity")
    tab_to(page, more)
    page.keyboard.press("Enter")
    expect(quantity).to_have_text(re.compile(r"^\W*2\W*$"))
    expect(more).to_be_focused()
    expect(toast(page)).to_contain_text(f"Added “{ATLAS}” to your cart. Quantity 2, $40.00.")
    expect(toast(page)).to_contain_text("Your cart: 3 books, $47.50.")
    expect(summary).to_contain_text("Total$47.50")
    # Both copies are in the cart: the button is off, keeps the focus and says why.
    expect(more).to_be_disabled()
    expect(more).to_have_accessible_description("Only 2 in stock")
    expect(atlas.get_by_text("Only 2 in stock")).to_be_visible()
    audit.check(screenshot="cart-keyboard")
    page.keyboard.press("Enter")
    expect(more).to_be_focused()
    expect(quantity).to_have_text(re.compile(r"^\W*2\W*$"))
    expect_cart_count(page, 3)

    # Decrease with Space: on again, the focus on "Decrease quantity".
    less = atlas.get_by_role("button", name="Decrease quantity")
    tab_to(page, less, backwards=True)
    page.keyboard.press("Space")
    expect(quantity).to_have_text(re.compile(r"^\W*1\W*$"))
    expect(less).to_be_focused()
    expect(toast(page)).to_contain_text("Quantity 1, $20.00. Your cart: 2 books, $27.50.")
    expect(more).to_be_enabled()
    expect(atlas.get_by_text("Only 2 in stock")).to_have_count(0)

    # Remove the first line: the focus moves to the next line's "Remove".
    tab_to(page, atlas.get_by_role("button", name=f"Remove {ATLAS}"))
    page.keyboard.press("Enter")
    expect(atlas).to_have_count(0)
    expect(diary.get_by_role("button", name=f"Remove {DIARY}")).to_be_focused()
    expect(toast(page)).to_contain_text(f"Removed “{ATLAS}” from your cart.")
    expect(toast(page)).to_contain_text("Your cart: 1 book, $7.50.")

    # And the last one: the cart is empty and says so where the focus lands.
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your cart is empty.", exact=True)).to_be_focused()
    expect(toast(page)).to_contain_text(f"Removed “{DIARY}” from your cart. Your cart is empty.")
    expect_cart_count(page, 0)
    audit.check()
