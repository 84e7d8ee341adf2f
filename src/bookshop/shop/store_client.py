"""The one client for the Store API: timeouts, token auth, pagination, typed errors.

Every call either returns parsed data or raises a `StoreError` whose `retryable` says
whether trying again later can help (network trouble, 5xx, 429) or not (4xx).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
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


def _configured_token() -> str:
    if settings.STORE_API_TOKEN:
        return settings.STORE_API_TOKEN
    path = Path(settings.STORE_API_TOKEN_FILE)
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return ""


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
        )

    def __enter__(self) -> StoreClient:
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
            payload = response.json() if response.content else None
        except ValueError:
            payload = response.text[:500]
        if status < 400:
            return payload
        message = f"store answered {status} to {method} {path}: {payload}"
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
        """Yield each page's results of a cursor-paginated list, following `next` links."""
        page = self.request("GET", path, params=params)
        while True:
            yield page["results"]
            next_url = page.get("next")
            if not next_url:
                return
            page = self.request("GET", next_url)

    def whoami(self) -> Identity:
        """Whom the store takes this client's token for."""
        data = self.request("GET", "me/")
        return Identity(username=data["username"], role=data["role"])
