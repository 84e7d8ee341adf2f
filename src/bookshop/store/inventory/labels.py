"""Copy labels: what each one shows (the copy's code as text and as a Code128 barcode,
its shelf place and its book's title) and which copies a sheet holds."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

# python-barcode ships no type information.
from barcode import Code128  # type: ignore[import-untyped]
from barcode.writer import SVGWriter  # type: ignore[import-untyped]
from django.db.models import QuerySet
from django.utils import timezone

from bookshop.store.inventory.codes import copy_code
from bookshop.store.inventory.models import BookItem

# A sheet prints at most this many labels: a bigger selection is a mistake, or a job for
# several sheets (the page says how many were left out).
MAX_LABELS = 480

# Bars of 0.3 mm: wide enough for handheld scanners at arm's length, and a C + 8-digit code
# fits a 60 mm label with its quiet zones.
_BARCODE_OPTIONS = {
    "module_width": 0.3,
    "module_height": 12.0,
    "quiet_zone": 3.0,
    "write_text": False,  # the code is printed as text beside it, in the page's own font
}


@dataclass(frozen=True)
class Label:
    code: str
    place: str
    title: str
    barcode: str  # a data: URL of the SVG, for an <img>; the page's CSP allows data: images


@lru_cache(maxsize=4096)
def barcode_data_url(code: str) -> str:
    """The Code128 barcode of `code` as an SVG data: URL."""
    svg = Code128(code, writer=SVGWriter()).render(_BARCODE_OPTIONS)
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def labels_for(copies: Iterable[BookItem]) -> list[Label]:
    """The labels of these copies (with their books loaded), in the order given."""
    return [
        Label(
            code=copy_code(copy.pk),
            place=copy.place,
            title=copy.book.title,
            barcode=barcode_data_url(copy_code(copy.pk)),
        )
        for copy in copies
    ]


def copies_for_labels(
    *, book_id: int | None = None, ids: Iterable[int] = (), added_on: dt.date | None = None
) -> QuerySet[BookItem]:
    """The in-stock copies a label sheet holds: of one book, these ids, or those added on a
    day (today in the store's time zone), by shelf place so the sheet follows the shelves."""
    queryset = BookItem.objects.select_related("book").filter(status=BookItem.Status.IN_STOCK)
    if book_id is not None:
        queryset = queryset.filter(book_id=book_id)
    elif added_on is not None:
        start = timezone.make_aware(dt.datetime.combine(added_on, dt.time.min))
        queryset = queryset.filter(created_at__gte=start, created_at__lt=start + dt.timedelta(1))
    else:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.order_by("place", "id")
