"""What customers and staff do through nginx, shared by the two suites that run the
production stack: tests/e2e/test_deploy_production.py (its processes, without
containers) and tests/containers (the images, under compose). Each step returns what a
client saw, for the test to assert on."""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass

import httpx
from PIL import Image

from tests.e2e.production import NginxFront
from tests.e2e.shopper import Shopper


def png() -> bytes:
    """A small, valid cover image."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class CompletedOrder:
    """An order that went from the shop's checkout to completion."""

    customer: Shopper  # still logged in; the caller closes it
    email: str
    order_id: int  # the number the shop shows
    title: str
    book: dict  # the store's book, as the API created it
    store_order: dict  # the store's order, as staff found it before packing


def order_to_completion(
    front: NginxFront, staff: httpx.Client, *, sync_timeout: float = 60
) -> CompletedOrder:
    """Staff add a book with two copies through the Store API; a new customer registers
    in the shop, waits for the catalogue sync, orders it and checks out; staff pack one
    copy and complete the order; the shop shows Completed and both emails arrive.

    `staff` is a Store API client through nginx with a staff token; `sync_timeout` covers
    the shop's periodic syncs (catalogue, then order statuses).
    """
    title = f"Deployed {secrets.token_hex(4)}"
    customer = Shopper(front.url("shop"))
    book = staff.post("/api/v1/books/", json={"title": title, "author": "O", "price": "12.50"})
    assert book.status_code == 201, book.text
    book = book.json()
    copies = staff.post(f"/api/v1/books/{book['id']}/items/", json={"place": "P", "count": 2})
    assert copies.status_code == 201, copies.text
    email = customer.register(f"prod{secrets.token_hex(4)}")
    # The catalogue sync brings the book over; the customer orders it.
    customer.add(front.wait_for(lambda: _shop_id(customer, title), timeout=sync_timeout), 1)
    order_id = customer.checkout()

    # The worker submits the order; the store reserves a copy; the status sync says so.
    front.wait_for(lambda: customer.order_status(order_id) == "Processing", timeout=sync_timeout)
    [store_order] = [
        order
        for order in staff.get("/api/v1/orders/?page_size=1000").json()["results"]
        if order["customer_email"] == email
    ]
    in_stock = staff.get(f"/api/v1/books/{book['id']}/items/?status=in_stock").json()
    pick = {"book_items": [in_stock["results"][0]["id"]]}
    packed = staff.post(f"/api/v1/orders/{store_order['id']}/pack/", json=pick)
    assert packed.status_code == 200, packed.text
    completed = staff.post(f"/api/v1/orders/{store_order['id']}/complete/")
    assert completed.status_code == 200, completed.text

    front.wait_for(lambda: customer.order_status(order_id) == "Completed", timeout=sync_timeout)
    front.wait_for(lambda: len(front.mail_subjects(email)) == 2, timeout=sync_timeout)
    return CompletedOrder(customer, email, order_id, title, book, store_order)


def _shop_id(customer: Shopper, title: str) -> int | None:
    try:
        return customer.find_book(title)
    except AssertionError:  # not synced yet
        return None


def static_files_named_by(front: NginxFront, site: str, page: str) -> dict[str, httpx.Response]:
    """Every /static/ file a page names (href or src), fetched through nginx."""
    response = front.get(site, page)
    assert response.status_code == 200, response.text[:2000]
    assets = set(re.findall(r"""(?:href|src)=["'](/static/[^"']+)["']""", response.text))
    assert assets, "the page names no static file"
    return {asset: front.get(site, asset) for asset in sorted(assets)}


def upload_cover(staff: httpx.Client, image: bytes) -> httpx.Response:
    """Staff create a book and upload its cover through the Store API; the API's answer."""
    book = staff.post(
        "/api/v1/books/", json={"title": "Cover test", "author": "Ops", "price": "9.00"}
    )
    assert book.status_code == 201, book.text
    uploaded = staff.patch(
        f"/api/v1/books/{book.json()['id']}/", files={"image": ("cover.png", image, "image/png")}
    )
    assert uploaded.status_code == 200, uploaded.text
    return uploaded
