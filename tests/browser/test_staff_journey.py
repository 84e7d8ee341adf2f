"""Store staff pack and ship an order in the admin (issue 7, item 3), as the original
walkthrough goes: log in, Orders, open the new order, pick a copy for every unit, success."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN_PASSWORD, ADMIN_USER

LEDGER = "Ledger of the Saltmarsh Ferry"
GAZETTEER = "The Tidewater Gazetteer"


def go_home(page: Page, audit) -> None:
    page.get_by_role("banner").get_by_role("link", name="Bookshop Store").click()
    expect(page.get_by_role("heading", name="Warehouse")).to_be_visible()
    audit.check()


def open_model(page: Page, audit, app: str, model: str) -> None:
    """From the admin's home page, the list of one model."""
    app_table = page.get_by_role("table", name=app)
    app_table.get_by_role("rowheader").get_by_role("link", name=model, exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Select .* to change$"))).to_be_visible()
    audit.check()


def slot(page: Page, unit: str):
    """The row of one packing slot, e.g. "Ledger of the Saltmarsh Ferry #2"."""
    slots = page.get_by_role("group", name=re.compile(r"^Packing slots"))
    return slots.get_by_role("row").filter(has_text=re.compile(rf"{re.escape(unit)}\b"))


def pick(page: Page, unit: str, offered: list[str], choice: str, *, by_typing: str = "") -> None:
    """Open the slot's copy picker, see exactly the copies `offered`, and pick `choice`
    (after typing `by_typing` into the picker's search, as staff narrow a long list)."""
    slot(page, unit).get_by_role("combobox").click()
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options).to_have_text(offered)
    if by_typing:
        page.keyboard.type(by_typing)  # the open picker's search field has the focus
        expect(options).to_have_text([choice])
    options.filter(has_text=choice).click()
    # The box shows the copy picked, after select2's clear button.
    picked = re.compile(rf"{re.escape(choice)}$")
    expect(slot(page, unit).get_by_role("combobox")).to_have_accessible_name(picked)


def copies_in_stock(page: Page, audit, title: str):
    """The rows of a book's copies still on the shelves, in the admin's list of copies."""
    go_home(page, audit)
    open_model(page, audit, "Inventory", "Copies")
    page.get_by_role("link", name="In stock", exact=True).click()
    expect(page).to_have_url(re.compile(r"status__exact=in_stock"))
    audit.check()
    page.get_by_role("textbox", name="Search").fill(title)
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"[?&]q=[^&]"))
    audit.check()
    return page.get_by_role("row").filter(has_text=title)


def test_staff_pack_an_order_with_the_copy_pickers_and_ship_it(bookshop, staff, page, audit):
    ledger = staff.add_book(
        title=LEDGER, price="19.00", places=["S-01-1", "S-01-2", "S-01-3", "S-01-4"]
    )
    gazetteer = staff.add_book(title=GAZETTEER, price="7.50", places=["T-02-1", "T-02-2"])
    # A copy that already left with an earlier order is no longer on offer.
    staff.ship(staff.place_order(email="earlier@example.com", lines={ledger["id"]: 1}))
    ledgers = {
        c["place"]: f"#{c['id']} {LEDGER} @ {c['place']}" for c in staff.copies(ledger["id"])
    }
    gazetteers = {
        c["place"]: f"#{c['id']} {GAZETTEER} @ {c['place']}" for c in staff.copies(gazetteer["id"])
    }
    assert sorted(ledgers) == ["S-01-2", "S-01-3", "S-01-4"]

    page.goto(bookshop.url("store", "/admin/"))
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    audit.check()
    page.get_by_label("Username").fill(ADMIN_USER)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Warehouse")).to_be_visible()
    audit.check()
    expect(copies_in_stock(page, audit, LEDGER)).to_have_count(3)
    audit.check()

    # The customer's order arrives: two of the three copies are reserved.
    order = staff.place_order(
        email="reader@example.com", lines={ledger["id"]: 2, gazetteer["id"]: 1}
    )
    assert staff.book(ledger["id"])["quantity"] == 1
    name = f"Order {order['id']}"
    go_home(page, audit)
    open_model(page, audit, "Orders", "Orders")
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    order_page = page.url
    audit.check()

    # One copy of three units, then success: refused, and nothing changes.
    pick(page, f"{LEDGER} #1", list(ledgers.values()), ledgers["S-01-2"])
    page.get_by_role("combobox", name="Status:").select_option(label="Success")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Please correct the error below.")).to_be_visible()
    expect(page.get_by_text("2 of 3 units are not picked yet.")).to_be_visible()
    audit.check()
    assert staff.order(order["id"])["status"] == "in_work"
    assert len(staff.copies(ledger["id"])) == 3
    page.goto(order_page)
    for unit in (f"{LEDGER} #1", f"{LEDGER} #2", f"{GAZETTEER} #1"):
        expect(slot(page, unit).get_by_role("combobox")).to_have_accessible_name("Pick a copy")
    expect(page.get_by_role("combobox", name="Status:")).to_have_value("in_work")
    audit.check()

    # Every unit gets its copy, from the right book only; then success.
    pick(page, f"{LEDGER} #1", list(ledgers.values()), ledgers["S-01-2"], by_typing="S-01-2")
    pick(page, f"{LEDGER} #2", list(ledgers.values()), ledgers["S-01-3"])
    pick(page, f"{GAZETTEER} #1", list(gazetteers.values()), gazetteers["T-02-1"])
    page.get_by_role("combobox", name="Status:").select_option(label="Success")
    audit.check(screenshot="admin-order")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(f"The order “{name}” was changed successfully.")).to_be_visible()
    audit.check()

    # The order keeps a record of what left; the shelves and the shop's number follow.
    page.get_by_text("was changed successfully").get_by_role("link", name=name).click()
    shipped = page.get_by_role("group", name="Shipped copies").get_by_role("row")
    for place in ("S-01-2", "S-01-3", "T-02-1"):
        expect(shipped.filter(has_text=place)).to_have_count(1)
    audit.check()
    left = copies_in_stock(page, audit, LEDGER)
    expect(left).to_have_count(1)
    expect(left).to_contain_text("S-01-4")
    audit.check()
    assert staff.order(order["id"])["status"] == "success"
    assert [c["place"] for c in staff.copies(ledger["id"])] == ["S-01-4"]
    assert [c["place"] for c in staff.copies(gazetteer["id"])] == ["T-02-2"]
    assert staff.book(ledger["id"])["quantity"] == 1  # 3 before the order
