"""Whole catalogue pages, rendered once per catalogue version and served from memory.

A catalogue page is the same for every visitor but for a few holes: the CSRF token, the
cart's count, the signed-in customer's name and the messages waiting for them. The page
is rendered once with a marker in each hole (the "skeleton") and kept; each visitor's
answer is the skeleton with their own values put in, which costs one join of its parts
instead of a template render and its queries.

The key holds the catalogue's version (the mirror's newest `synced_at`, see
`recent_catalog_version`), so a sync that changes a book changes every key and visitors
see the change within CATALOG_VERSION_SECONDS; the scheme, host and full path (canonical
links, the search box and each form's `next` are drawn from them); and whether the
visitor is signed in (the header differs). A view whose page holds more than that for
one visitor marks the request as personal (`mark_personal`) and that rendering is served
as it is, never stored.

Skeletons live in this process's memory only, in a bounded LRU (they never change under
a key, so no process can hold a stale one). Not in the shared cache: every distinct URL
is a key, and anyone can make endless URLs (`?q=…`), which would fill Redis, or push out
the file cache's other entries in the embedded mode. Each worker renders a page once.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from threading import Lock
from typing import Any, NamedTuple
from urllib.parse import unquote_plus

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape

from bookshop.shop.cart.cart import Cart
from bookshop.shop.catalog.selectors import catalog_version_for

# The holes. Each marker is plain text that no template escapes or changes; all share
# HOLE_MARK, so a URL that carries one (in a search, say) is never served from a skeleton.
HOLE_MARK = "-of-this-visitor__"
CSRF_HOLE = "__csrf-token-of-this-visitor__"
CART_COUNT_HOLE = "__cart-count-of-this-visitor__"
NAME_HOLE = "__name-of-this-visitor__"
MESSAGES_HOLE = "<!--messages-of-this-visitor-->"

SKELETON = "_bookshop_page_skeleton"
PERSONAL = "_bookshop_page_personal"

View = Callable[..., HttpResponse]


class Skeleton(NamedTuple):
    """A kept page: its status, and its bytes cut at the holes (a hole by its marker)."""

    status: int
    parts: tuple[bytes | str, ...]

    @classmethod
    def of(cls, status: int, html: str) -> Skeleton:
        # Cut once when kept: each answer then costs one join, not a scan of the whole
        # page per hole and an encoding of it.
        parts: list[bytes | str] = []
        start = 0
        for hole in _HOLES.finditer(html):
            parts += [html[start : hole.start()].encode(), hole.group()]
            start = hole.end()
        parts.append(html[start:].encode())
        return cls(status, tuple(parts))


class _Skeletons:
    """A bounded, thread-safe LRU of skeletons in this process, by key."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, Skeleton] = OrderedDict()
        self._lock = Lock()

    def get(self, key: str) -> Skeleton | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: str, item: Skeleton) -> None:
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


local_skeletons = _Skeletons(size=settings.PAGE_CACHE_ENTRIES)


def rendering_skeleton(request: HttpRequest) -> bool:
    """Whether this render is the shared skeleton (holes in, nobody's values)."""
    return getattr(request, SKELETON, False)


def mark_personal(request: HttpRequest) -> None:
    """This page shows something of this visitor's beyond the holes: do not share it."""
    setattr(request, PERSONAL, True)


def frame_context(request: HttpRequest) -> dict[str, Any]:
    """The page frame's per-visitor values, or the holes when rendering a skeleton."""
    user = getattr(request, "user", None)
    if rendering_skeleton(request):
        return {
            "cart_count": CART_COUNT_HOLE,
            "csrf_token": CSRF_HOLE,
            "account_name": NAME_HOLE,
            "messages": (),
            "messages_hole": MESSAGES_HOLE,
        }
    return {
        "cart_count": Cart(request.session).count,
        "account_name": user.get_username() if user is not None else "",
    }


def cached_page(view: View) -> View:
    """Serve a catalogue GET (or HEAD) page from its skeleton, rendering it only on a
    miss. (A HEAD answer's body is dropped by the server, as for any view.)"""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (
            request.method not in ("GET", "HEAD")
            or not local_skeletons.size
            or HOLE_MARK in unquote_plus(request.get_full_path())
        ):
            return view(request, *args, **kwargs)
        signed_in = request.user.is_authenticated
        key = _key(request, signed_in=signed_in)
        item = local_skeletons.get(key)
        if item is None:
            setattr(request, SKELETON, True)
            try:
                response = view(request, *args, **kwargs)
            finally:
                setattr(request, SKELETON, False)
            if response.status_code not in (200, 404) or response.streaming:
                return _fill_response(request, response)  # a redirect, say: not kept
            if getattr(request, PERSONAL, False):
                return _fill_response(request, response)
            item = Skeleton.of(response.status_code, response.content.decode())
            local_skeletons.put(key, item)
        return HttpResponse(_fill(request, item.parts), status=item.status)

    return wrapper


def _key(request: HttpRequest, *, signed_in: bool) -> str:
    where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:32]
    return f"page:{catalog_version_for(request)}:{'member' if signed_in else 'guest'}:{digest}"


def _fill(request: HttpRequest, parts: tuple[bytes | str, ...]) -> bytes:
    """The skeleton with this visitor's values in its holes, each worked out once."""
    values: dict[str, bytes] = {}
    page: list[bytes] = []
    for part in parts:
        if isinstance(part, str):
            value = values.get(part)
            if value is None:
                value = values[part] = _HOLE_VALUES[part](request).encode()
            part = value
        page.append(part)
    return b"".join(page)


def _fill_response(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A skeleton's rendering that is not kept still goes out with the visitor's values."""
    if not response.streaming:
        skeleton = Skeleton.of(response.status_code, response.content.decode())
        response.content = _fill(request, skeleton.parts)
    return response


def _messages(request: HttpRequest) -> str:
    messages = list(get_messages(request))
    if not messages:
        return ""
    return render_to_string("_messages.html", {"messages": messages})


_HOLE_VALUES: dict[str, Callable[[HttpRequest], str]] = {
    CART_COUNT_HOLE: lambda request: str(Cart(request.session).count),
    # Every masked form of the visitor's secret is valid; one per answer is enough.
    CSRF_HOLE: get_token,
    NAME_HOLE: lambda request: escape(request.user.get_username()),
    MESSAGES_HOLE: _messages,
}
_HOLES = re.compile("|".join(re.escape(hole) for hole in _HOLE_VALUES))
