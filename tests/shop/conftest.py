import socket

import pytest

from tests.shop.fake_store import FakeStore


@pytest.fixture
def fake_store(settings):
    """A scripted store on loopback, configured as the shop's STORE_API_URL."""
    with FakeStore() as store:
        settings.STORE_API_URL = store.url
        settings.STORE_API_TOKEN = "test-token"
        yield store


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
