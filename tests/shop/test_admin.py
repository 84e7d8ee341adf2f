import uuid

import pytest

from bookshop.shop.core.models import SyncState
from bookshop.shop.orders.models import Order
from bookshop.shop.orders.transitions import order_advance
from tests.shop.factories import BookFactory, UserFactory, order_with_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


def test_admin_lists_users_orders_books_and_sync_state(staff_client):
    for url in (
        "/admin/accounts/user/",
        "/admin/orders/order/",
        "/admin/catalog/book/",
        "/admin/core/syncstate/",
    ):
        assert staff_client.get(url).status_code == 200, url


def test_admin_searches_orders_by_email_number_and_uuid(staff_client):
    mine = order_with_items(user=UserFactory(username="grace", email="grace@example.com"))
    other = order_with_items(user=UserFactory(username="ada", email="ada@example.com"))

    def found(term):
        response = staff_client.get("/admin/orders/order/", {"q": term})
        return set(response.context["cl"].result_list)

    assert found("grace@") == {mine}
    assert found(str(other.uuid)) == {other}
    assert found(str(other.uuid).upper()) == {other}
    assert found(f"#{mine.pk}") == {mine}
    assert found(str(uuid.uuid4())) == set()


def test_admin_filters_orders_by_status(staff_client):
    pending = order_with_items()
    failed = order_with_items()
    order_advance(order=failed, to_status=Order.Status.FAIL, note="No stock")

    response = staff_client.get("/admin/orders/order/", {"status__exact": "fail"})

    assert list(response.context["cl"].result_list) == [failed]
    assert pending not in response.context["cl"].result_list


def test_admin_order_page_shows_items_and_history_read_only(staff_client):
    order = order_with_items(items=2)
    order_advance(order=order, to_status=Order.Status.IN_WORK, actor="store sync")

    response = staff_client.get(f"/admin/orders/order/{order.pk}/change/")

    page = response.content.decode()
    assert response.status_code == 200
    assert order.items.first().title in page
    assert "store sync" in page
    assert 'name="_save"' not in page
    assert staff_client.post(f"/admin/orders/order/{order.pk}/change/", {}).status_code == 403


def test_admin_books_are_read_only(staff_client):
    book = BookFactory(title="Mirrored")

    assert staff_client.get("/admin/catalog/book/add/").status_code == 403
    page = staff_client.get(f"/admin/catalog/book/{book.pk}/change/").content.decode()
    assert "Mirrored" in page
    assert 'name="_save"' not in page
    assert (
        staff_client.post(f"/admin/catalog/book/{book.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )


def test_admin_sync_state_shows_the_last_outcome(staff_client):
    SyncState.objects.create(name="catalog", last_error="store unreachable")

    page = staff_client.get("/admin/core/syncstate/").content.decode()

    assert "catalog" in page
    assert 'alt="False"' in page


def test_customers_cannot_reach_the_admin(client):
    client.force_login(UserFactory(username="reader"))

    response = client.get("/admin/orders/order/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_sync_now_queues_the_syncs(staff_client, broker):
    response = staff_client.post("/admin/core/syncstate/sync-now/", follow=True)

    assert "A catalogue sync and an order status sync are queued" in response.content.decode()
    assert sorted(broker.drain("sync")) == [
        ("shop.catalog.sync", []),
        ("shop.orders.sync_status", []),
    ]


def test_full_reconciliation_from_the_admin(staff_client, broker):
    page = staff_client.get("/admin/core/syncstate/").content.decode()
    assert "Sync now" in page
    assert "Full reconciliation" in page

    staff_client.post("/admin/core/syncstate/sync-now/", {"full": "1"})

    assert ("shop.orders.sync_status", []) in broker.drain("sync")


def test_sync_now_is_for_staff_only(client, broker):
    client.force_login(UserFactory(username="customer"))

    response = client.post("/admin/core/syncstate/sync-now/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert broker.drain("sync") == []


def test_sync_now_refuses_get(staff_client, broker):
    assert staff_client.get("/admin/core/syncstate/sync-now/").status_code == 405
    assert broker.drain("sync") == []
