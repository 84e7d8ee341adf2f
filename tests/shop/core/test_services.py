"""The one change-poller both syncs run: cursor, overlap window, settling, errors."""

from datetime import UTC, datetime, timedelta

import pytest

from bookshop.shop.core.models import SyncState
from bookshop.shop.core.services import sync_poll

pytestmark = pytest.mark.django_db
OVERLAP = timedelta(seconds=30)


class Store:
    """Pages to hand out, and what each poll asked for."""

    def __init__(self, *pages):
        self.pages = list(pages)
        self.asked = []
        self.applied = []

    def fetch(self, since):
        self.asked.append(since)
        return iter(self.pages)

    def apply(self, page):
        self.applied.append([row["id"] for row in page])
        return len(page)


def poll(store, **kwargs):
    return sync_poll(name="test", overlap=OVERLAP, fetch=store.fetch, apply=store.apply, **kwargs)


def test_each_page_is_applied_and_the_cursor_moves_to_its_newest_change():
    store = Store(
        [
            {"id": 1, "updated_at": "2026-01-01T10:00:02Z"},
            {"id": 2, "updated_at": "2026-01-01T10:00:01Z"},
        ],
        [{"id": 3, "updated_at": "2026-01-01T10:00:03"}],
    )

    result = poll(store)

    assert store.asked == [None]
    assert store.applied == [[1, 2], [3]]
    assert (result.pages, result.received, result.applied) == (2, 3, 3)
    assert result.cursor == datetime(2026, 1, 1, 10, 0, 3, tzinfo=UTC)
    assert SyncState.objects.get(name="test").cursor == result.cursor


def test_a_poll_looks_back_over_the_overlap_until_the_cursor_settles():
    cursor = datetime(2026, 1, 1, 10, tzinfo=UTC)  # long past: the window has closed
    SyncState.objects.create(name="test", cursor=cursor)
    store = Store([])

    poll(store)
    poll(store)

    assert store.asked == [cursor - OVERLAP, cursor]
    assert SyncState.objects.get(name="test").settled is True


def test_any_error_is_recorded_for_the_admin_and_raised():
    def broken(page):
        raise RuntimeError("a bug, not the store")

    store = Store([{"id": 1, "updated_at": "2026-01-01T10:00:00Z"}])

    with pytest.raises(RuntimeError):
        sync_poll(name="test", overlap=OVERLAP, fetch=store.fetch, apply=broken)

    state = SyncState.objects.get(name="test")
    assert state.last_error == "RuntimeError: a bug, not the store"
    assert state.cursor is None
