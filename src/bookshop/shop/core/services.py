"""Where each periodic sync with the store stands: cursors that only move forward."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from bookshop.shop.core.models import SyncState

# A sync that finds nothing new writes nothing, except this often, so that the admin can
# still tell a quiet store from a stuck sync.
HEARTBEAT = timedelta(minutes=5)


def sync_cursor(*, name: str) -> datetime | None:
    """The store's updated_at up to which `name` has applied changes (None: never ran)."""
    return SyncState.objects.filter(name=name).values_list("cursor", flat=True).first()


def sync_succeeded(*, name: str, cursor: datetime | None) -> bool:
    """Record a successful run: move the cursor forward (never back) and clear the error.

    A run that changed nothing writes nothing (but for the heartbeat). The write is a
    conditional UPDATE, so two runs that overlap cannot move the cursor back. Returns
    whether a row was written.
    """
    now = timezone.now()
    state = SyncState.objects.filter(name=name).first()
    if state is None:
        SyncState.objects.get_or_create(
            name=name, defaults={"cursor": cursor, "last_succeeded_at": now}
        )
        return True
    values = {"last_succeeded_at": now, "last_error": ""}
    rows = SyncState.objects.filter(name=name)
    if cursor is not None and (state.cursor is None or state.cursor < cursor):
        return bool(
            rows.filter(Q(cursor__isnull=True) | Q(cursor__lt=cursor)).update(
                cursor=cursor, **values
            )
        )
    stale = state.last_succeeded_at is None or state.last_succeeded_at < now - HEARTBEAT
    if stale or state.last_error:
        return bool(rows.update(**values))
    return False


def sync_failed(*, name: str, error: str) -> None:
    """Record why the last run of `name` failed (shown in the admin until one succeeds)."""
    SyncState.objects.update_or_create(
        name=name, defaults={"last_error": error[:2000], "last_started_at": timezone.now()}
    )
