"""Writes to the catalogue mirror. Only the catalogue sync (and tests) call these."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from bookshop.shop.alerts.restock import restocks_alert
from bookshop.shop.catalog.bulk import books_upsert, store_ids_in, subject_links_insert
from bookshop.shop.catalog.facets import catalog_facets_warm
from bookshop.shop.catalog.models import Book, BookFormat, Subject
from bookshop.shop.catalog.planner import planner_statistics_refresh
from bookshop.shop.core.services import sync_poll
from bookshop.shop.core.timestamps import store_datetime
from bookshop.shop.store_client import BookData, StoreClient

CATALOG_SYNC_NAME = "catalog"

# Everything a sync may change; store_id is the conflict key and never changes.
_UPDATE_FIELDS = [
    "title",
    "author",
    "isbn",
    "description",
    "price",
    "image_url",
    "quantity",
    "is_active",
    "author_slug",
    "publisher",
    "published_year",
    "format",
    "pages",
    "language",
    "series",
    "series_number",
    "store_updated_at",
    "synced_at",
]
_CHUNK = 500


def _optional_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    return None if value is None or value == "" else int(value)


def _subjects_from_store(data: Mapping[str, Any]) -> dict[str, str] | None:
    """slug -> name of a store book's subjects; None if the store did not say."""
    if "subjects" not in data:
        return None
    return {
        str(subject["slug"]): str(subject.get("name") or subject["slug"])
        for subject in data.get("subjects") or []
        if subject.get("slug")
    }


@functools.lru_cache(maxsize=8192)
def _author_slug(author: str) -> str:
    # Authors repeat across a catalogue, and slugify is a fair part of a page's time.
    return slugify(author)[:300]


@dataclass(frozen=True)
class _StoreBook:
    """One store book as the mirror's row (model field name → value), and its subjects."""

    store_id: int
    updated_at: datetime
    row: dict[str, Any]
    subjects: dict[str, str] | None


def _book_from_store(data: Mapping[str, Any], synced_at: datetime) -> _StoreBook:
    try:
        price = Decimal(str(data["price"])).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValueError(
            f"book {data.get('id')}: price is not a number: {data['price']!r}"
        ) from exc
    author = data.get("author") or ""
    store_id = int(data["id"])
    updated_at = store_datetime(data["updated_at"])
    # Plain values, not a Book: building a model instance per row only to read its
    # values back out again cost a fifth of a first sync (bulk.py has the rest).
    row = {
        "store_id": store_id,
        "title": data["title"] or "",
        "author": author,
        "isbn": data.get("isbn") or "",
        "description": data.get("description") or "",
        "price": price,
        "image_url": data.get("image") or "",
        "quantity": max(0, int(data.get("quantity") or 0)),
        "is_active": bool(data.get("is_active", True)),
        "author_slug": _author_slug(author),
        "publisher": data.get("publisher") or "",
        "published_year": _optional_int(data, "published_year"),
        "format": data.get("format") or BookFormat.PAPERBACK,
        "pages": _optional_int(data, "pages"),
        "language": data.get("language") or "en",
        "series": data.get("series") or "",
        "series_number": _optional_int(data, "series_number"),
        "store_updated_at": updated_at,
        "synced_at": synced_at,
    }
    return _StoreBook(store_id, updated_at, row, _subjects_from_store(data))


def book_upsert_many(*, books: Sequence[Mapping[str, Any]]) -> int:
    """Insert or update mirror rows from Store API book dicts; return how many were written.

    Idempotent: the same page applied twice leaves the same rows, and writes nothing the
    second time. A book we already hold in this or a newer version (by the store's
    updated_at, which the store bumps on every change) is skipped, so a page fetched
    before a later one but applied after it cannot roll a price back.
    """
    if not books:
        return 0
    synced_at = timezone.now()
    latest: dict[int, _StoreBook] = {}
    for data in books:
        book = _book_from_store(data, synced_at)
        held = latest.get(book.store_id)
        # A page may repeat a book (overlap windows); keep its newest version only.
        if held is None or book.updated_at >= held.updated_at:
            latest[book.store_id] = book
    if not _newer_than_held(latest, Book.objects.all())[0]:
        return 0  # the common case of an overlap window: no transaction, no write
    with transaction.atomic():
        # Locked, so that two syncs racing over the same books keep the newer version.
        fresh, mirrored = _newer_than_held(latest, Book.objects.select_for_update())
        if fresh:
            books_upsert(rows=[book.row for book in fresh], update_fields=_UPDATE_FIELDS)
            _link_subjects(fresh, held=mirrored)
    return len(fresh)


def _link_subjects(books: list[_StoreBook], *, held: set[int]) -> None:
    """Mirror the subjects of the books just written, in a fixed number of queries.

    Subjects are upserted by slug (the store may rename one), then each written book's
    links are replaced: one delete and one insert for the whole page, not one per book.
    Books new to the mirror (not in `held`, store ids) have no links to delete.
    """
    wanted: dict[int, dict[str, str]] = {
        book.store_id: book.subjects for book in books if book.subjects is not None
    }
    if not wanted:
        return
    names: dict[str, str] = {}
    for subjects in wanted.values():
        names.update(subjects)
    if names:
        Subject.objects.bulk_create(
            [Subject(slug=slug, name=name) for slug, name in sorted(names.items())],
            update_conflicts=True,
            unique_fields=["slug"],
            update_fields=["name"],
        )
    subject_ids = dict(Subject.objects.filter(slug__in=list(names)).values_list("slug", "id"))
    book_ids = dict(
        Book.objects.filter(store_id__in=store_ids_in(list(wanted))).values_list("store_id", "id")
    )
    links = Book.subjects.through
    replaced = [book_ids[store_id] for store_id in wanted if store_id in held]
    if replaced:
        links.objects.filter(book_id__in=store_ids_in(replaced)).delete()
    subject_links_insert(
        links=[
            (book_ids[store_id], subject_ids[slug])
            for store_id, subjects in wanted.items()
            for slug in sorted(subjects)
        ]
    )


def _newer_than_held(
    latest: dict[int, _StoreBook], held: models.QuerySet
) -> tuple[list[_StoreBook], set[int]]:
    """The books newer than the mirror's rows (or missing there), and the store ids of
    those the mirror holds already."""
    known = dict(
        held.filter(store_id__in=store_ids_in(list(latest))).values_list(
            "store_id", "store_updated_at"
        )
    )
    newer = [
        book
        for store_id, book in sorted(latest.items())
        if store_id not in known or book.updated_at > known[store_id]
    ]
    return newer, set(known)


def book_deactivate_missing(*, present_store_ids: set[int]) -> int:
    """Hide every active mirror book whose store id is not in `present_store_ids`.

    For a full reconciliation: the store returned `present_store_ids` and nothing else,
    so anything else we still list was deleted there. Returns how many were hidden.
    """
    active = Book.objects.filter(is_active=True).values_list("store_id", flat=True)
    missing = sorted(set(active) - set(present_store_ids))
    hidden = 0
    now = timezone.now()
    with transaction.atomic():
        for chunk in _chunks(missing, _CHUNK):
            hidden += Book.objects.filter(store_id__in=chunk, is_active=True).update(
                is_active=False, synced_at=now
            )
    return hidden


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class CatalogSyncResult:
    pages: int
    received: int
    written: int
    deactivated: int
    cursor: datetime | None


def catalog_sync(*, client: StoreClient, full: bool = False) -> CatalogSyncResult:
    """Apply the store's catalogue changes since the last run to the mirror.

    One `sync_poll` (core.services) over the books changed after the cursor: each page is
    upserted, then the cursor moves on. With nothing changed that costs one request and no
    writes. `full` reads the whole catalogue and also hides books the store no longer
    returns at all.
    """
    present: set[int] = set()

    def fetch(since: datetime | None) -> Iterator[list[BookData]]:
        return client.books_changed(updated_after=since, page_size=settings.CATALOG_SYNC_PAGE_SIZE)

    def apply(page: Sequence[BookData]) -> int:
        if full:
            present.update(int(book["id"]) for book in page)
        written = book_upsert_many(books=page)
        restocks_alert(page)  # back-in-stock emails: the alerts app's business, not the upsert's
        return written

    poll = sync_poll(
        name=CATALOG_SYNC_NAME,
        overlap=timedelta(seconds=settings.CATALOG_SYNC_OVERLAP),
        fetch=fetch,
        apply=apply,
        full=full,
    )
    deactivated = book_deactivate_missing(present_store_ids=present) if full else 0
    if poll.applied or deactivated:
        planner_statistics_refresh(changed=poll.applied + deactivated)
        catalog_facets_warm()  # the new version's facets, before a visitor asks for them
    return CatalogSyncResult(
        pages=poll.pages,
        received=poll.received,
        written=poll.applied,
        deactivated=deactivated,
        cursor=poll.cursor,
    )
