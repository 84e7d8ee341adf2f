"""A customer of the shop, over HTTP, as a browser without JavaScript would be."""

from __future__ import annotations

import html
import re

import httpx

STATUSES = ("Pending", "Processing", "Completed", "Failed", "Cancelled", "Cancelling…")


class Shopper:
    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=20)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Shopper:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _csrf(self) -> str:
        if "csrftoken" not in self.http.cookies:
            self.http.get("/accounts/login/")
        return self.http.cookies["csrftoken"]

    def post(self, path: str, data: dict, **kwargs) -> httpx.Response:
        return self.http.post(
            path,
            data={**data, "csrfmiddlewaretoken": self._csrf()},
            headers={"Referer": f"{self.http.base_url}{path}", **kwargs.pop("headers", {})},
            **kwargs,
        )

    def register(self, username: str, password: str = "a-Long-password-2026") -> str:
        email = f"{username}@example.com"
        response = self.post(
            "/accounts/register/",
            {"username": username, "email": email, "password1": password, "password2": password},
        )
        assert response.status_code == 302, response.text[:2000]
        return email

    def find_book(self, title: str) -> int:
        """The shop's id of the book with this title, found by searching the catalogue."""
        page = self.http.get("/", params={"q": title}).text
        for book_id, shown in re.findall(r'href="/books/(\d+)-[\w-]*/"[^>]*>([^<]+)</a>', page):
            if html.unescape(shown).strip() == title:
                return int(book_id)
        raise AssertionError(f"{title!r} is not in the shop's catalogue")

    def book_page(self, book_id: int) -> str:
        return self.http.get(f"/books/{book_id}/", follow_redirects=True).text

    def add(self, book_id: int, quantity: int = 1) -> dict:
        response = self.post(
            f"/cart/add/{book_id}/",
            {"quantity": str(quantity)},
            headers={"Accept": "application/json", "X-Requested-With": "fetch"},
        )
        assert response.status_code == 200, response.text[:500]
        return response.json()

    def checkout(self, address: str = "1 Library Lane\n12345 Booktown") -> int:
        """Place an order from the cart; return its number."""
        response = self.post("/checkout/", {**self.checkout_form(), "delivery_address": address})
        assert response.status_code == 302, response.text[:3000]
        placed = re.search(r"/orders/(\d+)/placed/", response.headers["Location"])
        assert placed, response.headers["Location"]
        return int(placed.group(1))

    def checkout_form(self) -> dict[str, str]:
        """The checkout page's hidden fields: the order's uuid to be, the cart's version."""
        page = self.http.get("/checkout/").text
        form = {}
        for name in ("token", "cart_version"):
            found = re.search(rf'name="{name}" value="([^"]+)"', page)
            assert found, page[:2000]
            form[name] = found.group(1)
        return form

    def order_status(self, order_id: int) -> str:
        page = self.http.get(f"/orders/{order_id}/").text
        # The order's badge (a pending one also carries what its live update polls), not
        # the header's cart count.
        badge = re.search(
            r'<span class="badge (?!rounded-pill)[^"]*"(?: data-order-status[^>]*)?>([^<]+)</span>',
            page,
        )
        assert badge, page[:2000]
        assert badge.group(1) in STATUSES, badge.group(0)
        return badge.group(1)

    def order_page(self, order_id: int) -> str:
        return self.http.get(f"/orders/{order_id}/").text
