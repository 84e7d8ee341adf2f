"""Store staff on the new screens (issue 16): find an order by the number the customer
quotes, pack it on "Pack & ship" (the pick list's suggestion, a wrong copy scanned and
refused), ship it, print labels, take a copy back, read the dashboard and the sales."""

import random
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN_PASSWORD, ADMIN_USER
from tests.browser.test_staff_journey import go_home, open_model

ATLAS = "Atlas of the Drowned Lanes"
PRIMER = "A Primer of Harbour Knots"
STRAY = "The Lighthouse Keeper's Almanac"

# The order list and the book list must show every column at 1280 px: the admin puts a
# wide table in a box that scrolls sideways, so the page itself never overflows.
TABLE_OVERFLOW = """() => { const box = document.querySelector('.results');
  return box ? box.scrollWidth - box.clientWidth : 0; }"""


def code(copy: dict) -> str:
    return f"C{copy['id']:08d}"


def fits_at_1280(page: Page) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    overflow = page.evaluate(TABLE_OVERFLOW)
    if overflow > 0:
        page.screenshot(path="/tmp/i16-overflow.png", full_page=True)
    assert overflow <= 0, f"{page.url}: the list scrolls sideways at 1280 by {overflow}px"


def test_staff_pack_ship_label_and_take_back_with_the_new_screens(bookshop, staff, page, audit):
    atlas = staff.add_book(title=ATLAS, price="24.00", places=["D-07-2", "D-07-1", "D-09-4"])
    primer = staff.add_book(title=PRIMER, price="6.50", places=["K-01-1"])
    stray = staff.add_book(title=STRAY, price="9.00", places=["L-03-3"])
    number = random.randint(700_000, 799_999)  # the shop's numbers are small: no clash
    order = staff.place_order(
        email="quartermaster@example.com",
        lines={atlas["id"]: 2, primer["id"]: 1},
        number=number,
    )
    assert order["shop_order_number"] == number

    page.goto(bookshop.url("store", "/admin/"))
    audit.check()
    page.get_by_label("Username").fill(ADMIN_USER)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Warehouse")).to_be_visible()
    # The dashboard: at least this order waits to be packed.
    dashboard = page.get_by_role("region", name="Dashboard")
    expect(dashboard.get_by_role("heading", name="Waiting to be packed")).to_be_visible()
    expect(dashboard).to_contain_text(re.compile(r"\d+ open orders?"))
    audit.check(screenshot="store-dashboard")

    # The customer quotes "#<number>": the search finds that order alone.
    open_model(page, audit, "Orders", "Orders")
    fits_at_1280(page)
    page.get_by_role("textbox", name="Search").fill(f"#{number}")
    page.get_by_role("button", name="Search").click()
    rows = page.get_by_role("row").filter(has_text="quartermaster@example.com")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(f"#{number}")
    expect(rows).to_contain_text("54.50")  # 2 x 24.00 + 6.50, no delivery fee
    expect(rows).to_contain_text("In work")
    audit.check(screenshot="store-order-list")
    fits_at_1280(page)
    rows.get_by_role("link", name="Pack & ship").click()
    expect(page.get_by_role("heading", name=f"Pack & ship #{number}")).to_be_visible()
    audit.check()

    # A copy of another book, scanned (the scanner types the code and presses Enter).
    scan = page.get_by_label("Scan or type a copy's label code")
    expect(scan).to_be_focused()
    [stray_copy] = staff.copies(stray["id"])
    scan.fill(code(stray_copy))
    scan.press("Enter")
    refused = f"Nothing changed: Copy {code(stray_copy)} is of “{STRAY}”"
    expect(page.get_by_text(refused)).to_be_visible()
    expect(page.get_by_text("Units (3 of 3 still empty)")).to_be_visible()
    audit.check()

    # One copy scanned by hand, the rest from the pick list's suggestion.
    atlas_copies = {c["place"]: c for c in staff.copies(atlas["id"])}
    by_hand = code(atlas_copies["D-09-4"])
    page.get_by_label("Scan or type a copy's label code").fill(by_hand)
    page.get_by_role("button", name="Add copy").click()
    expect(page.get_by_text(f"Copy {by_hand} is in “{ATLAS}” #1.")).to_be_visible()
    page.get_by_role("button", name="Pick suggested copies").click()
    expect(page.get_by_text("2 units filled from the pick list.")).to_be_visible()
    expect(page.get_by_text("Units (0 of 3 still empty)")).to_be_visible()
    units = page.get_by_role("table").first
    expect(units).to_contain_text("D-07-1")  # the first free place, before D-07-2
    expect(units).not_to_contain_text("D-07-2")
    audit.check(screenshot="store-pack-ship")

    page.get_by_role("button", name="Ship").click()
    expect(page.get_by_text(f"#{number} shipped.")).to_be_visible()
    history = page.locator("ol.history")
    expect(history).to_contain_text(f"In work → Success, {ADMIN_USER}")
    audit.check()
    assert staff.order(order["id"])["status"] == "success"
    assert [c["place"] for c in staff.copies(atlas["id"])] == ["D-07-2"]

    # Take a copy back: it goes on a shelf again and the shop sees one more available.
    page.get_by_role("link", name="Take a copy back").click()
    page.get_by_role("radio", name=re.compile(rf"{by_hand}: {re.escape(ATLAS)}")).check()
    page.get_by_label("Shelf place").fill("R-01-1")
    page.get_by_label("Reason").fill("Customer changed their mind")
    audit.check()
    page.get_by_role("button", name="Put the copy back in stock").click()
    expect(page.get_by_text(f"Copy {by_hand} is back in stock at R-01-1.")).to_be_visible()
    expect(history).to_contain_text("Copy returned")
    audit.check()
    assert sorted(c["place"] for c in staff.copies(atlas["id"])) == ["D-07-2", "R-01-1"]
    assert staff.book(atlas["id"])["quantity"] == 2

    # The book list shows every column at 1280 px.
    go_home(page, audit)
    open_model(page, audit, "Inventory", "Books")
    fits_at_1280(page)

    # Labels for the book's copies, chosen on the copy list: one per copy in stock, with
    # the barcode, the code and the shelf place.
    go_home(page, audit)
    open_model(page, audit, "Inventory", "Copies")
    page.get_by_role("textbox", name="Search").fill(ATLAS)
    page.get_by_role("button", name="Search").click()
    audit.check()
    page.get_by_role("checkbox", name="Select all objects on this page for an action").check()
    page.get_by_role("combobox", name="Action:").select_option(
        label="Print labels for the selected copies"
    )
    page.get_by_role("button", name="Go").click()
    labels = page.get_by_role("listitem")
    expect(labels).to_have_count(2)  # the shipped D-09-4 came back as R-01-1; D-07-1 left
    expect(page.get_by_role("img", name=f"Barcode {code(atlas_copies['D-07-2'])}")).to_be_visible()
    expect(labels.filter(has_text="R-01-1")).to_contain_text(ATLAS)
    audit.check(screenshot="store-labels")

    # The sales: this order is among today's.
    page.get_by_role("link", name="Back to the copies").click()
    audit.check()
    go_home(page, audit)
    page.get_by_role("region", name="Dashboard").get_by_role("link", name="Sales").click()
    expect(page.get_by_role("heading", name="Sales, last 30 days")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("^Chart of revenue and orders"))).to_be_visible()
    expect(page.get_by_role("table").filter(has_text=ATLAS)).to_contain_text(ATLAS)
    audit.check(screenshot="store-sales")
