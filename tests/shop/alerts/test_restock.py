"""The catalogue sync brings a book back: each address waiting for it gets one email, with
the book's link and an unsubscribe link, and its alert ends."""

import threading

import pytest
from django.core import mail
from django.db import connection

from bookshop.shop import dispatch
from bookshop.shop.alerts.emails import stock_alert_send
from bookshop.shop.alerts.models import StockAlert
from bookshop.shop.alerts.services import stock_alert_subscribe, unsubscribe_email_of
from bookshop.shop.catalog.services import catalog_sync
from bookshop.shop.store_client import StoreClient
from tests.shop.factories import BookFactory, store_book
from tests.shop.fake_store import Reply

BOOKS = "/api/v1/books/"
OLD, NEW = "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"


def page(*books):
    return Reply(200, {"next": None, "previous": None, "results": list(books)})


def sync():
    with StoreClient() as client:
        return catalog_sync(client=client)


def waiting_for(book, *emails):
    for email in emails:
        stock_alert_subscribe(book=book, email=email)


def queued_alerts(broker) -> list[int]:
    messages = broker.drain("email")
    assert {name for name, _ in messages} <= {dispatch.STOCK_ALERT_SEND}
    return [args[0] for _, args in messages]


@pytest.fixture
def sold_out():
    return BookFactory(store_id=7, title="Solaris", author="Stanisław Lem", quantity=0,
                       store_updated_at=OLD)  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_restock_queues_one_email_per_waiting_address_and_ends_the_alerts(
    fake_store, broker, sold_out, settings
):
    settings.SHOP_PUBLIC_URL = "https://books.example.com"
    other = BookFactory(store_id=8, quantity=0, store_updated_at=OLD)
    waiting_for(sold_out, "ann@example.com", "bob@example.com")
    waiting_for(other, "ann@example.com")
    fake_store.reply(
        BOOKS,
        page(
            store_book(id=7, title="Solaris", quantity=2, updated_at=NEW),
            store_book(id=8, quantity=0, updated_at=NEW),  # changed, still none
        ),
    )

    sync()

    released = StockAlert.objects.filter(book=sold_out)
    assert sorted(queued_alerts(broker)) == sorted(released.values_list("pk", flat=True))
    assert set(released.values_list("ending", flat=True)) == {StockAlert.Ending.RESTOCKED}
    assert StockAlert.objects.waiting().get().book == other

    for alert in released:
        assert stock_alert_send(alert_id=alert.pk) is True
        assert stock_alert_send(alert_id=alert.pk) is False  # a retry beside a resend
    assert sorted(email.to[0] for email in mail.outbox) == ["ann@example.com", "bob@example.com"]
    email = mail.outbox[0]
    assert email.subject == "Bookshop: “Solaris” is back in stock"
    assert f"https://books.example.com{sold_out.get_absolute_url()}" in email.body
    assert f"https://books.example.com{sold_out.get_absolute_url()}" in email.alternatives[0][0]
    unsubscribe = email.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe in email.body
    assert unsubscribe.startswith("https://books.example.com/alerts/unsubscribe/")
    token = unsubscribe.rstrip("/").rsplit("/", 1)[-1]
    assert unsubscribe_email_of(token) == email.to[0]

    # The same page again (the overlap window) and a later one: nothing more.
    sync()
    assert queued_alerts(broker) == []


@pytest.mark.django_db(transaction=True)
def test_a_book_that_stays_at_nothing_sends_nothing(fake_store, broker, sold_out):
    waiting_for(sold_out, "ann@example.com")
    fake_store.reply(BOOKS, page(store_book(id=7, quantity=0, updated_at=NEW)))

    sync()

    assert queued_alerts(broker) == []
    assert StockAlert.objects.waiting().count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_book_back_in_the_catalogue_with_copies_counts_as_back(fake_store, broker):
    hidden = BookFactory(store_id=9, quantity=0, is_active=True, store_updated_at=OLD)
    waiting_for(hidden, "ann@example.com")
    hidden.is_active = False
    hidden.quantity = 4
    hidden.save()
    fake_store.reply(BOOKS, page(store_book(id=9, quantity=4, is_active=True, updated_at=NEW)))

    sync()

    assert len(queued_alerts(broker)) == 1


@pytest.mark.django_db
def test_a_page_nobody_waits_for_costs_one_read_and_no_write(
    fake_store, django_assert_num_queries, sold_out
):
    from bookshop.shop.alerts.restock import restocks_alert

    with django_assert_num_queries(0):
        restocks_alert([store_book(id=7, quantity=0)])
    with django_assert_num_queries(1):
        assert restocks_alert([store_book(id=7, quantity=3)]) == []


@pytest.mark.django_db
def test_the_sweep_requeues_a_released_email_never_sent(broker, sold_out):
    from datetime import timedelta

    from django.utils import timezone

    from bookshop.shop.alerts.emails import stock_alerts_resend_stuck

    waiting_for(sold_out, "ann@example.com", "bob@example.com", "cy@example.com")
    ann, bob, cy = StockAlert.objects.order_by("email")
    long_ago = timezone.now() - timedelta(minutes=10)
    StockAlert.objects.filter(pk__in=[ann.pk, bob.pk, cy.pk]).update(
        ended_at=long_ago, ending=StockAlert.Ending.RESTOCKED
    )
    StockAlert.objects.filter(pk=bob.pk).update(sent_at=long_ago)  # went out
    StockAlert.objects.filter(pk=cy.pk).update(claimed_until=timezone.now() + timedelta(minutes=1))

    assert stock_alerts_resend_stuck(older_than=timedelta(minutes=5)) == [ann.pk]
    assert queued_alerts(broker) == [ann.pk]


@pytest.mark.django_db
def test_an_email_not_released_is_never_sent(sold_out):
    waiting_for(sold_out, "ann@example.com")

    assert stock_alert_send(alert_id=StockAlert.objects.get().pk) is False
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_two_syncs_at_once_send_exactly_one_email_per_address(fake_store, broker, sold_out):
    addresses = [f"reader{n}@example.com" for n in range(20)]
    waiting_for(sold_out, *addresses)
    fake_store.reply(BOOKS, page(store_book(id=7, title="Solaris", quantity=1, updated_at=NEW)))
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            sync()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    queued = queued_alerts(broker)
    assert sorted(queued) == sorted(StockAlert.objects.values_list("pk", flat=True))
    assert StockAlert.objects.waiting().count() == 0
    # Both syncs' workers may run each queued send; only one email per address goes out.
    for alert_id in queued:
        stock_alert_send(alert_id=alert_id)
        stock_alert_send(alert_id=alert_id)
    assert sorted(email.to[0] for email in mail.outbox) == sorted(addresses)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_releases_racing_over_one_book_claim_each_alert_once(broker, sold_out):
    from bookshop.shop.alerts.services import stock_alerts_release

    waiting_for(sold_out, *(f"reader{n}@example.com" for n in range(50)))
    sold_out.quantity = 1
    sold_out.save()
    barrier = threading.Barrier(4)
    claims: list[list[int]] = []

    def run():
        try:
            barrier.wait()
            claims.append(stock_alerts_release(book_ids=[sold_out.pk]))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    everything = [alert_id for claim in claims for alert_id in claim]
    assert sorted(everything) == sorted(StockAlert.objects.values_list("pk", flat=True))
    assert len(everything) == len(set(everything)) == 50
    assert sorted(queued_alerts(broker)) == sorted(everything)
