"""Where each periodic sync with the store stands: cursors that only move forward.

A sync asks the store for rows changed after its cursor. Rows can commit out of timestamp
order (a transaction stamps updated_at, then commits a moment later), so until the cursor is
older than the overlap window a poll looks back over that window too. Once one poll has
done so after the window closed, every row at or before the cursor has been seen: the
cursor is *settled*, and a quiet poll asks only for what is newer, gets nothing back and
writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from bookshop.shop.core.models import SyncState

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
    if full or cursor is None:
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
