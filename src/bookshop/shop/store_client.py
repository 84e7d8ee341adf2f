"""The one client for the Store API: timeouts, token auth, pagination, typed errors.

Every call either returns parsed data or raises a `StoreError` whose `retryable` says
whether trying again later can help (network trouble, 5xx, 429) or not (4xx).
"""

# No `from __future__ import annotations`: on Python 3.11 a TypedDict learns which keys are
# NotRequired only from annotations that are evaluated.
import functools
import logging
import ssl
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NotRequired, TypedDict
from uuid import UUID

import httpx
import orjson
from django.conf import settings

logger = logging.getLogger(__name__)


class StoreError(Exception):
    """A call to the store did not succeed."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None, payload: Any = None):
        super().__init__(message)
        self.status = status
        self.payload = payload


class StoreUnavailable(StoreError):
    """Network error, timeout, 5xx or 429: the same call may succeed later."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class StoreRejected(StoreError):
    """The store understood the call and refused it; repeating it will not help."""


class StoreBadRequest(StoreRejected):
    """400: the payload is invalid; `payload` holds the field errors."""


class StoreAuthError(StoreRejected):
    """401 or 403: the token is missing, wrong or not allowed to do this."""


class StoreNotFound(StoreRejected):
    """404."""


class StoreConflict(StoreRejected):
    """409: the call clashes with the store's state; `payload` says how."""


class StoreInsufficientStock(StoreConflict):
    """409 insufficient_stock: the store has fewer copies than ordered; nothing was reserved."""

    @property
    def shortages(self) -> list["Shortage"]:
        return list((self.payload or {}).get("items") or [])


class StoreMalformed(StoreError):
    """The store answered 2xx with a body that does not follow the contract.

    Retryable: every call the shop makes is safe to repeat, and a proxy's error page or a
    store mid-deploy is the likely cause; a lasting fault shows in the logs meanwhile.
    """

    retryable = True


_REJECTIONS: dict[int, type[StoreRejected]] = {
    400: StoreBadRequest,
    401: StoreAuthError,
    403: StoreAuthError,
    404: StoreNotFound,
    409: StoreConflict,
}


@dataclass(frozen=True)
class Identity:
    username: str
    role: str


# These types follow the committed Store API schema (docs/store-api.yaml); a test holds them
# to it: the same keys, the same JSON types, and NotRequired where the schema lets the store
# leave a key out.


class SubjectData(TypedDict):
    name: str
    slug: str


class BookData(TypedDict):
    """A book as GET /api/v1/books/ returns it."""

    id: int
    title: str
    author: str
    isbn: NotRequired[str]
    description: NotRequired[str]
    price: str  # a decimal with two places, as a string
    image: NotRequired[str | None]  # absolute URL
    quantity: int  # available: in stock minus reserved
    is_active: NotRequired[bool]  # absent counts as active
    subjects: NotRequired[list[SubjectData]]
    publisher: NotRequired[str]
    published_year: NotRequired[int | None]  # negative: BCE
    format: NotRequired[str]  # hardcover, paperback or other
    pages: NotRequired[int | None]
    language: NotRequired[str]  # ISO 639-1
    series: NotRequired[str]
    series_number: NotRequired[int | None]
    updated_at: str  # ISO 8601


class OrderItemData(TypedDict):
    book: int
    title: str
    quantity: int
    unit_price: str


class OrderData(TypedDict):
    """An order as the store returns it."""

    id: int
    shop_order_id: str
    shop_order_number: NotRequired[int | None]  # the customer's #5; absent from older stores
    customer_email: str
    delivery_address: str
    # Not required: a store from before the delivery fee leaves it out.
    delivery_fee: NotRequired[str]
    status: str  # in_work | success | fail | cancelled
    fail_reason: str
    items: list[OrderItemData]
    created_at: str
    updated_at: str


class Shortage(TypedDict):
    book: int
    title: str
    requested: int
    available: int


# What a row must hold to be used at all: the keys the schema requires.
_BOOK_KEYS = BookData.__required_keys__
_ORDER_KEYS = OrderData.__required_keys__


def _checked(items: list[Any], keys: frozenset[str], what: str) -> list[Any]:
    for item in items:
        if not isinstance(item, dict) or not keys <= item.keys():
            missing = sorted(keys - item.keys()) if isinstance(item, dict) else "all"
            raise StoreMalformed(f"store sent a {what} without {missing}: {item!r:.300}")
    return items


def _configured_token() -> str:
    if settings.STORE_API_TOKEN:
        return settings.STORE_API_TOKEN
    path = Path(settings.STORE_API_TOKEN_FILE)
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return ""


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default TLS settings, made once per process: httpx would load the CA
    bundle again for every client (about 25 ms of CPU), and every task that calls the
    store makes one."""
    return httpx.create_ssl_context()


class StoreClient:
    """A session with the store. Use as a context manager, or call `close()`."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        token: str | None = None,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        token = _configured_token() if token is None else token
        headers = {"Accept": "application/json", "User-Agent": "bookshop-shop/1"}
        if token:
            headers["Authorization"] = f"Token {token}"
        connect = settings.STORE_API_CONNECT_TIMEOUT if connect_timeout is None else connect_timeout
        read = settings.STORE_API_READ_TIMEOUT if read_timeout is None else read_timeout
        self._http = httpx.Client(
            base_url=(base_url or settings.STORE_API_URL).rstrip("/") + "/api/v1/",
            headers=headers,
            timeout=httpx.Timeout(read, connect=connect),
            transport=transport,
            verify=_tls_context(),
        )

    def __enter__(self) -> "StoreClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send one request and return the decoded JSON body (None for an empty body)."""
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise StoreUnavailable(f"store timed out on {method} {path}: {exc}") from exc
        except httpx.TransportError as exc:
            raise StoreUnavailable(f"store unreachable on {method} {path}: {exc}") from exc
        return self._decode(method, path, response)

    @staticmethod
    def _decode(method: str, path: str, response: httpx.Response) -> Any:
        status = response.status_code
        try:
            # orjson: a sync's pages are large, and it reads them several times faster.
            payload = orjson.loads(response.content) if response.content else None
        except ValueError:
            payload = response.text[:500]
        if status < 400:
            return payload
        message = f"store answered {status} to {method} {path}: {payload}"
        if (
            status == 409
            and isinstance(payload, dict)
            and payload.get("code") == "insufficient_stock"
        ):
            raise StoreInsufficientStock(message, status=status, payload=payload)
        if status == 429 or status >= 500:
            retry_after = response.headers.get("Retry-After")
            raise StoreUnavailable(
                message,
                status=status,
                payload=payload,
                retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
            )
        raise _REJECTIONS.get(status, StoreRejected)(message, status=status, payload=payload)

    def paginate(self, path: str, params: dict[str, Any] | None = None) -> Iterator[list[dict]]:
        """Yield each page's results of a cursor-paginated list, following `next` links.

        The next page is asked for as soon as its link is known, in a helper thread, so
        the store renders it while the caller works on this one (a first catalogue sync
        writes what it reads: the two overlap instead of taking turns). Leaving the loop
        early waits for that one request, which its timeouts bound.
        """
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-next-page") as ahead:
            page = self.request("GET", path, params=params)
            while True:
                if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                    raise StoreMalformed(f"store sent a page without results: {page!r:.300}")
                next_url = page.get("next")
                upcoming = ahead.submit(self.request, "GET", next_url) if next_url else None
                yield page["results"]
                if upcoming is None:
                    return
                page = upcoming.result()

    def books_changed(
        self, *, updated_after: datetime | None = None, page_size: int = 1000
    ) -> Iterator[list[BookData]]:
        """Pages of books changed after `updated_after` (all books when None), oldest
        change first, so a caller may store its cursor after each page."""
        return self._changed("books/", _BOOK_KEYS, "book", updated_after, page_size)

    def orders_changed(
        self, *, updated_after: datetime | None = None, page_size: int = 200
    ) -> Iterator[list[OrderData]]:
        """Pages of this account's orders changed after `updated_after`, oldest first."""
        return self._changed("orders/", _ORDER_KEYS, "order", updated_after, page_size)

    def _changed(
        self,
        path: str,
        keys: frozenset[str],
        what: str,
        updated_after: datetime | None,
        page_size: int,
    ) -> Iterator[list[Any]]:
        params: dict[str, Any] = {"ordering": "updated_at", "page_size": page_size}
        if updated_after is not None:
            params["updated_after"] = updated_after.isoformat()
        for page in self.paginate(path, params):
            yield _checked(page, keys, what)

    def order_create(
        self,
        *,
        shop_order_id: UUID,
        customer_email: str,
        delivery_address: str,
        items: Sequence[tuple[int, int]],
        shop_order_number: int | None = None,
        delivery_fee: Decimal = Decimal("0.00"),
    ) -> OrderData:
        """Create the order (or find the one made by an earlier try with the same UUID).

        Raises StoreInsufficientStock when copies are short, StoreConflict when the UUID was
        used for a different order, StoreBadRequest on invalid input.
        """
        body = {
            "shop_order_id": str(shop_order_id),
            **({"shop_order_number": shop_order_number} if shop_order_number else {}),
            "customer_email": customer_email,
            "delivery_address": delivery_address,
            "delivery_fee": f"{delivery_fee:.2f}",
            "items": [{"book": book, "quantity": quantity} for book, quantity in items],
        }
        data = self.request("POST", "orders/", json=body)
        return _checked([data], _ORDER_KEYS, "order")[0]

    def order_cancel(self, *, store_order_id: int) -> OrderData:
        """Cancel the order (idempotent: a cancelled order comes back as it is).

        Raises StoreConflict (payload code "order_not_cancellable") once the order has
        shipped or failed, StoreNotFound for an order this account does not have.
        """
        data = self.request("POST", f"orders/{store_order_id}/cancel/", json={})
        return _checked([data], _ORDER_KEYS, "order")[0]

    def order_get(self, *, store_order_id: int) -> OrderData:
        """One order as the store has it now."""
        data = self.request("GET", f"orders/{store_order_id}/")
        return _checked([data], _ORDER_KEYS, "order")[0]

    def whoami(self) -> Identity:
        """Whom the store takes this client's token for."""
        data = self.request("GET", "me/")
        return Identity(username=data["username"], role=data["role"])
