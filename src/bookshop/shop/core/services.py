"""Where each periodic sync with the store stands: cursors that only move forward.

A sync asks the store for rows changed after its cursor. Rows can commit out of timestamp
order (a transaction stamps updated_at, then commits a moment later), so until the cursor is
older than the overlap window a poll looks back over that window too. Once one poll has
done so after the window closed, every row at or before the cursor has been seen: the
cursor is *settled*, and a quiet poll asks only for what is newer, gets nothing back and
writes nothing.

`sync_poll` is that loop, written once; the catalogue sync and the order status sync each
give it what to fetch and how to apply a page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db.models import Q
from django.utils import timezone

from bookshop.shop.core.models import SyncState
from bookshop.shop.core.timestamps import store_datetime

# One row as the store lists it: any mapping with the store's `updated_at`.
Row = TypeVar("Row", bound=Mapping[str, Any])

# A sync that finds nothing new writes nothing, except this often, so that the admin can
# still tell a quiet store from a stuck sync.
HEARTBEAT = timedelta(minutes=5)


@dataclass(frozen=True)
class SyncWindow:
    name: str
    cursor: datetime | None  # as stored: the newest change applied
    since: datetime | None  # what to ask the store for (None: everything)
    settles: bool  # this poll starts late enough to settle the cursor


def sync_window(*, name: str, overlap: timedelta, full: bool = False) -> SyncWindow:
    """What the next poll of `name` should ask for."""
    state = SyncState.objects.filter(name=name).values("cursor", "settled").first()
    cursor = state["cursor"] if state else None
    if full or state is None or cursor is None:
        return SyncWindow(name=name, cursor=cursor, since=None, settles=False)
    if state["settled"]:
        return SyncWindow(name=name, cursor=cursor, since=cursor, settles=False)
    settles = timezone.now() >= cursor + overlap
    return SyncWindow(name=name, cursor=cursor, since=cursor - overlap, settles=settles)


def sync_advance(*, name: str, cursor: datetime) -> bool:
    """After a page is written: move the cursor forward to `cursor`, never back.

    A conditional UPDATE, so two polls that overlap cannot move it back. A new cursor is
    not settled yet. Returns whether the cursor moved.
    """
    now = timezone.now()
    values = {"cursor": cursor, "settled": False, "last_succeeded_at": now, "last_error": ""}
    if not SyncState.objects.filter(name=name).exists():
        _, created = SyncState.objects.get_or_create(name=name, defaults=values)
        if created:
            return True
    newer = Q(cursor__isnull=True) | Q(cursor__lt=cursor)
    return bool(SyncState.objects.filter(name=name).filter(newer).update(**values))


def sync_succeeded(*, window: SyncWindow, newest: datetime | None) -> bool:
    """At the end of a successful poll: settle the cursor if this poll did so, clear an old
    error, beat the heart now and then; write nothing when there is nothing to say.

    Returns whether a row was written.
    """
    if newest is not None and (window.cursor is None or newest > window.cursor):
        return False  # sync_advance wrote it, page by page
    now = timezone.now()
    state = SyncState.objects.filter(name=window.name).first()
    if state is None:
        SyncState.objects.get_or_create(name=window.name, defaults={"last_succeeded_at": now})
        return True
    values = {"last_succeeded_at": now, "last_error": ""}
    rows = SyncState.objects.filter(name=window.name)
    if window.settles and not state.settled and state.cursor == window.cursor:
        # Conditional: a poll that moved the cursor meanwhile leaves it unsettled.
        return bool(rows.filter(cursor=window.cursor).update(settled=True, **values))
    stale = state.last_succeeded_at is None or state.last_succeeded_at < now - HEARTBEAT
    if stale or state.last_error:
        return bool(rows.update(**values))
    return False


def sync_failed(*, name: str, error: str) -> None:
    """Record why the last poll of `name` failed (shown in the admin until one succeeds)."""
    SyncState.objects.update_or_create(
        name=name, defaults={"last_error": error[:2000], "last_started_at": timezone.now()}
    )


@dataclass(frozen=True)
class SyncPollResult:
    pages: int
    received: int  # rows the store sent, the overlap's repeats included
    applied: int  # what the `apply` calls reported as changed
    cursor: datetime | None  # the newest change applied, after the poll


def sync_poll(
    *,
    name: str,
    overlap: timedelta,
    fetch: Callable[[datetime | None], Iterable[Sequence[Row]]],
    apply: Callable[[Sequence[Row]], int],
    full: bool = False,
) -> SyncPollResult:
    """Apply the store's changes to `name`'s rows since its cursor, page by page.

    `fetch(since)` yields the pages of rows changed after `since` (all of them when None),
    oldest change first; `apply(page)` writes one page and returns how many rows it
    changed, and must be idempotent (the overlap window hands it rows it has seen). After
    each page the cursor moves to the newest `updated_at` the page holds, so a poll cut
    short resumes where it stopped. A settled poll with nothing new is one fetch and no
    write. `full` asks for everything. Any error is recorded on the SyncState, for the
    admin to show, and raised.
    """
    window = sync_window(name=name, overlap=overlap, full=full)
    newest = window.cursor
    pages = received = applied = 0
    try:
        for page in fetch(window.since):
            pages += 1
            received += len(page)
            applied += apply(page)
            if page:
                page_newest = max(store_datetime(row["updated_at"]) for row in page)
                if newest is None or page_newest > newest:
                    newest = page_newest
                    sync_advance(name=name, cursor=newest)
    except Exception as exc:
        # Whatever the fault, including a bug, the admin must see that the sync is stuck.
        sync_failed(name=name, error=f"{type(exc).__name__}: {exc}")
        raise
    sync_succeeded(window=window, newest=newest)
    return SyncPollResult(pages=pages, received=received, applied=applied, cursor=newest)
