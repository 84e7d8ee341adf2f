import pytest
from rest_framework.test import APIClient

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
