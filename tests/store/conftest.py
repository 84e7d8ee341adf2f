import uuid

import pytest
from rest_framework.test import APIClient

from bookshop.store.orders.services import OrderLine, order_create
from tests.store.factories import ServiceAccountFactory, StaffFactory


@pytest.fixture
def api():
    """An API client with no credentials."""
    return APIClient()


@pytest.fixture
def service_account(db):
    return ServiceAccountFactory()


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def service_api(service_account):
    """An API client that authenticates as the shop's service account, by token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {service_account.auth_token.key}")
    return client


@pytest.fixture
def staff_api(staff):
    client = APIClient()
    client.force_authenticate(staff)
    return client


@pytest.fixture
def other_service_account(db):
    return ServiceAccountFactory()


@pytest.fixture
def other_service_api(other_service_account):
    """A second program's account: it must not see the first one's orders."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {other_service_account.auth_token.key}")
    return client


@pytest.fixture
def place_order(service_account):
    """Create an order through the service, as the shop would: `place_order({book: 2})`."""

    def place(
        books: dict, *, actor=None, email="reader@example.com", shop_order_id=None, number=None
    ):
        order, created = order_create(
            actor=actor or service_account,
            shop_order_id=shop_order_id or uuid.uuid4(),
            shop_order_number=number,
            customer_email=email,
            delivery_address="1 Long Street, Springfield",
            lines=[OrderLine(book_id=book.pk, quantity=n) for book, n in books.items()],
        )
        assert created
        return order

    return place
