"""The store's staff at the Store API: what the browser journeys need set up or checked
behind the scenes (books and copies, orders packed and completed)."""

from __future__ import annotations

import uuid

import httpx


class StoreStaff:
    """A staff member holding an API token; every call must succeed."""

    def __init__(self, store_url: str, username: str, password: str) -> None:
        answer = httpx.post(
            f"{store_url}/api/v1/auth/token/",
            json={"username": username, "password": password},
            timeout=15,
        )
        answer.raise_for_status()
        self.http = httpx.Client(
            base_url=f"{store_url}/api/v1",
            headers={"Authorization": f"Token {answer.json()['token']}"},
            timeout=15,
        )

    def close(self) -> None:
        self.http.close()

    def _call(self, method: str, path: str, **kwargs) -> dict:
        response = self.http.request(method, path, **kwargs)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    def add_book(
        self, *, title: str, price: str, places: list[str], author: str = "Ann Author"
    ) -> dict:
        """A new book with one copy on each of `places`."""
        book = self._call(
            "POST", "/books/", json={"title": title, "author": author, "price": price}
        )
        for place in places:
            self._call("POST", f"/books/{book['id']}/items/", json={"place": place, "count": 1})
        return self.book(book["id"])

    def add_copy(self, book_id: int, *, place: str) -> dict:
        """One more copy of a book the store holds, on `place`."""
        self._call("POST", f"/books/{book_id}/items/", json={"place": place, "count": 1})
        return self.book(book_id)

    def book(self, book_id: int) -> dict:
        return self._call("GET", f"/books/{book_id}/")

    def copies(self, book_id: int, *, in_stock: bool = True) -> list[dict]:
        query = "?status=in_stock&page_size=1000" if in_stock else "?page_size=1000"
        return self._call("GET", f"/books/{book_id}/items/{query}")["results"]

    def order(self, order_id: int) -> dict:
        return self._call("GET", f"/orders/{order_id}/")

    def orders_for(self, email: str) -> list[dict]:
        """Every store order of this customer (each test's customers are new)."""
        found, url = [], "/orders/?page_size=1000"
        while url:
            page = self._call("GET", url)
            found += [order for order in page["results"] if order["customer_email"] == email]
            url = page["next"]
        return found

    def place_order(self, *, email: str, lines: dict[int, int], number: int | None = None) -> dict:
        """An order as the shop would send it: {book id: quantity}, with the shop's order
        number (the customer's "#5") when given."""
        return self._call(
            "POST",
            "/orders/",
            json={
                "shop_order_id": str(uuid.uuid4()),
                **({"shop_order_number": number} if number else {}),
                "customer_email": email,
                "delivery_address": "7 Quay Street\nPortsmouth",
                "items": [{"book": book, "quantity": n} for book, n in lines.items()],
            },
        )

    def ship(self, order: dict) -> None:
        """Pack the order with the first free copies of each book, then complete it."""
        picks = []
        for item in order["items"]:
            copies = self.copies(item["book"])
            picks += [copy["id"] for copy in copies[: item["quantity"]]]
        self._call("POST", f"/orders/{order['id']}/pack/", json={"book_items": picks})
        self._call("POST", f"/orders/{order['id']}/complete/")
