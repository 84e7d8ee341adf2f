"""The catalogue sync against a scripted store on loopback (the e2e suite uses the real one)."""

import dataclasses
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookshop.shop.catalog.models import Book
from bookshop.shop.catalog.planner import planner_book_rows, planner_statistics_refresh
from bookshop.shop.catalog.services import CATALOG_SYNC_NAME, catalog_sync
from bookshop.shop.core.models import SyncState
from bookshop.shop.store_client import StoreClient, StoreMalformed, StoreUnavailable
from tests.shop.factories import BookFactory, store_book
from tests.shop.fake_store import Reply
from tests.shop.store_contract import store_contract

pytestmark = pytest.mark.django_db
BOOKS = "/api/v1/books/"


def page(*books, next_url=None):
    return Reply(200, {"next": next_url, "previous": None, "results": list(books)})


def off_contract(reply):
    """The same reply, flagged as breaking the Store API's schema on purpose."""
    return dataclasses.replace(reply, off_contract=True)


def sync(**kwargs):
    with StoreClient() as client:
        return catalog_sync(client=client, **kwargs)


def asked(fake_store):
    return [parse_qs(urlsplit(seen.path).query) for seen in fake_store.seen]


def test_a_first_sync_reads_every_page_and_remembers_the_newest_change(fake_store):
    fake_store.reply(
        BOOKS,
        page(
            store_book(id=1, updated_at="2026-01-01T10:00:00Z"),
            store_book(id=2, title="Dune", updated_at="2026-01-01T11:00:00Z"),
            next_url=f"{fake_store.url}{BOOKS}?cursor=abc",
        ),
        page(store_book(id=3, price="7.00", updated_at="2026-01-01T12:00:00Z")),
    )

    result = sync()

    assert (result.pages, result.received, result.written) == (2, 3, 3)
    assert sorted(Book.objects.values_list("store_id", flat=True)) == [1, 2, 3]
    assert Book.objects.get(store_id=2).title == "Dune"
    assert SyncState.objects.get(name=CATALOG_SYNC_NAME).cursor == datetime(
        2026, 1, 1, 12, tzinfo=UTC
    )
    assert "updated_after" not in asked(fake_store)[0]
    assert asked(fake_store)[0]["ordering"] == ["updated_at"]


def test_the_next_sync_asks_from_the_cursor_minus_the_overlap(fake_store, settings):
    settings.CATALOG_SYNC_OVERLAP = 30
    SyncState.objects.create(name=CATALOG_SYNC_NAME, cursor=datetime(2026, 1, 1, 12, tzinfo=UTC))
    fake_store.reply(BOOKS, page())

    sync()

    assert asked(fake_store)[0]["updated_after"] == ["2026-01-01T11:59:30+00:00"]


def test_with_nothing_changed_a_sync_is_one_request_and_no_writes(fake_store):
    book = store_book(id=1, updated_at="2026-01-01T12:00:00Z")
    fake_store.reply(BOOKS, page(book))
    sync()  # applies the book
    sync()  # looks back once more after the overlap window closed: the cursor settles
    fake_store.seen.clear()
    fake_store.reply(BOOKS, page())

    with CaptureQueriesContext(connection) as queries:
        result = sync()

    assert len(fake_store.seen) == 1
    assert asked(fake_store)[0]["updated_after"] == ["2026-01-01T12:00:00+00:00"]
    assert result.written == 0
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []


def test_polls_look_back_over_the_window_until_it_closes_then_settle(fake_store, settings):
    settings.CATALOG_SYNC_OVERLAP = 30
    recent = timezone.now() - timedelta(seconds=5)
    fake_store.reply(BOOKS, page(store_book(id=1, updated_at=recent.isoformat())))
    sync()

    # A row stamped before the cursor may still commit: look back, and stay unsettled.
    sync()
    assert parse_qs(urlsplit(fake_store.seen[-1].path).query)["updated_after"] == [
        (recent - timedelta(seconds=30)).isoformat()
    ]
    assert SyncState.objects.get(name=CATALOG_SYNC_NAME).settled is False

    # Once the window has closed (here: a cursor a minute old), one more look back
    # settles the cursor...
    SyncState.objects.filter(name=CATALOG_SYNC_NAME).update(cursor=recent - timedelta(minutes=1))
    fake_store.reply(BOOKS, page())
    sync()
    assert SyncState.objects.get(name=CATALOG_SYNC_NAME).settled is True

    # ...and a new change unsettles it again.
    newer = timezone.now()
    fake_store.reply(BOOKS, page(store_book(id=2, updated_at=newer.isoformat())))
    sync()
    state = SyncState.objects.get(name=CATALOG_SYNC_NAME)
    assert (state.cursor, state.settled) == (newer, False)


def test_changes_and_tombstones_are_applied(fake_store):
    BookFactory(store_id=1, price="12.50", store_updated_at=datetime(2026, 1, 1, tzinfo=UTC))
    BookFactory(store_id=2, is_active=True, store_updated_at=datetime(2026, 1, 1, tzinfo=UTC))
    fake_store.reply(
        BOOKS,
        page(
            store_book(id=1, price="15.00", quantity=9, updated_at="2026-02-01T00:00:00Z"),
            store_book(id=2, is_active=False, updated_at="2026-02-01T00:00:01Z"),
        ),
    )

    sync()

    assert str(Book.objects.get(store_id=1).price) == "15.00"
    assert Book.objects.get(store_id=1).quantity == 9
    assert Book.objects.get(store_id=2).is_active is False


def test_the_cursor_moves_only_past_pages_that_were_written(fake_store):
    fake_store.reply(
        BOOKS,
        page(
            store_book(id=1, updated_at="2026-01-01T10:00:00Z"),
            next_url=f"{fake_store.url}{BOOKS}?cursor=next",
        ),
        Reply(503, {"detail": "down for a moment"}),
    )

    with pytest.raises(StoreUnavailable):
        sync()

    state = SyncState.objects.get(name=CATALOG_SYNC_NAME)
    assert state.cursor == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert "503" in state.last_error
    assert Book.objects.filter(store_id=1).exists()


def test_a_successful_run_clears_the_last_error(fake_store):
    SyncState.objects.create(name=CATALOG_SYNC_NAME, last_error="StoreUnavailable: down")
    fake_store.reply(BOOKS, page())

    sync()

    assert SyncState.objects.get(name=CATALOG_SYNC_NAME).last_error == ""


def test_a_full_sync_hides_books_the_store_no_longer_has(fake_store):
    BookFactory(store_id=1)
    BookFactory(store_id=99, title="Removed from the store")
    fake_store.reply(BOOKS, page(store_book(id=1, updated_at="2026-01-01T10:00:00Z")))

    result = sync(full=True)

    assert result.deactivated == 1
    assert Book.objects.get(store_id=99).is_active is False
    assert Book.objects.get(store_id=1).is_active is True
    assert "updated_after" not in asked(fake_store)[0]


def test_an_old_page_cannot_move_a_newer_cursor_back(fake_store):
    newer = datetime(2026, 3, 1, tzinfo=UTC)
    SyncState.objects.create(name=CATALOG_SYNC_NAME, cursor=newer)
    fake_store.reply(BOOKS, page(store_book(id=1, updated_at="2026-02-28T23:59:50Z")))

    sync()

    assert SyncState.objects.get(name=CATALOG_SYNC_NAME).cursor == newer


def test_the_command_reports_what_it_did(fake_store, capsys):
    fake_store.reply(BOOKS, page(store_book(id=1), store_book(id=2)))

    call_command("sync_catalog", "--full")

    assert "2 books received in 1 pages, 2 written, 0 hidden" in capsys.readouterr().out


def test_the_command_fails_clearly_when_the_store_is_down(settings, closed_port):
    settings.STORE_API_URL = f"http://127.0.0.1:{closed_port}"

    with pytest.raises(CommandError, match="catalogue sync failed: store unreachable"):
        call_command("sync_catalog")


def test_a_book_with_a_garbage_price_fails_the_run_and_keeps_the_cursor(fake_store):
    before = datetime.now(UTC) - timedelta(days=1)
    SyncState.objects.create(name=CATALOG_SYNC_NAME, cursor=before)
    fake_store.reply(BOOKS, off_contract(page(store_book(id=1, price="lots"))))

    with pytest.raises(ValueError, match="price is not a number"):
        sync()

    state = SyncState.objects.get(name=CATALOG_SYNC_NAME)
    assert state.cursor == before
    assert "price is not a number" in state.last_error


def test_a_timestamp_without_a_zone_is_read_as_utc_and_the_sync_goes_on(fake_store):
    # The store always sends an offset; a proxy or an older store might not.
    fake_store.reply(BOOKS, off_contract(page(store_book(id=1, updated_at="2026-01-01T10:00:00"))))

    result = sync()

    assert result.written == 1
    utc_ten = datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert Book.objects.get(store_id=1).store_updated_at == utc_ten
    state = SyncState.objects.get(name=CATALOG_SYNC_NAME)
    assert (state.cursor, state.last_error) == (utc_ten, "")


def test_a_timestamp_that_is_not_one_fails_the_run_and_says_so(fake_store):
    fake_store.reply(BOOKS, off_contract(page(store_book(id=1, updated_at="yesterday"))))

    with pytest.raises(StoreMalformed, match="not ISO 8601"):
        sync()

    state = SyncState.objects.get(name=CATALOG_SYNC_NAME)
    assert state.cursor is None
    assert "yesterday" in state.last_error
    assert not Book.objects.exists()


def test_a_book_with_only_the_keys_the_schema_requires_is_mirrored(fake_store):
    _, required = store_contract().properties(store_contract().listed("GET", BOOKS))
    bare = {key: value for key, value in store_book(id=1).items() if key in required}
    fake_store.reply(BOOKS, page(bare))

    assert sync().written == 1

    book = Book.objects.get(store_id=1)
    assert (book.title, book.is_active) == ("The Dispossessed", True)


def test_a_sync_that_wrote_much_of_the_mirror_refreshes_the_planner_s_statistics(fake_store):
    fake_store.reply(
        BOOKS, page(*(store_book(id=n, updated_at="2026-01-01T10:00:00Z") for n in range(1, 31)))
    )
    # (PostgreSQL keeps an ANALYZE's figures through a rollback: another test's may be here.)
    assert planner_book_rows() != 30

    sync()

    assert planner_book_rows() == 30


def test_a_mirror_grown_by_small_syncs_is_analysed_again_once_a_tenth_off(fake_store):
    fake_store.reply(
        BOOKS, page(*(store_book(id=n, updated_at="2026-01-01T10:00:00Z") for n in range(1, 21)))
    )
    sync()
    seen = []
    for n in range(21, 24):  # one new book a sync: 21 and 22 books are within a tenth of 20
        fake_store.reply(BOOKS, page(store_book(id=n, updated_at=f"2026-01-01T11:{n}:00Z")))
        sync()
        seen.append(planner_book_rows())

    assert seen == [20, 20, 23]


def test_a_sync_that_changed_a_few_books_leaves_the_statistics_alone(fake_store):
    BookFactory.create_batch(29)
    assert planner_statistics_refresh(changed=29)
    fake_store.reply(BOOKS, page(store_book(id=1, updated_at="2026-01-01T10:00:00Z")))

    with CaptureQueriesContext(connection) as queries:
        result = sync()

    assert result.written == 1
    assert not [q for q in queries if "ANALYZE" in q["sql"].upper()]
