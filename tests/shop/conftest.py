import socket

import pytest

from tests.shop.fake_store import FakeStore


@pytest.fixture
def fake_store(settings):
    """A scripted store on loopback, configured as the shop's STORE_API_URL; fails the
    test if a reply (or what the shop sent) breaks the Store API's schema."""
    with FakeStore() as store:
        settings.STORE_API_URL = store.url
        settings.STORE_API_TOKEN = "test-token"
        yield store
    if store.violations:
        pytest.fail("The fake store broke the Store API's schema:\n" + "\n".join(store.violations))


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Broker:
    """The shop's real broker (a folder, or the session's RabbitMQ vhost), read back."""

    def __init__(self) -> None:
        from bookshop.shop.celery import app

        self.app = app

    def drain(self, queue: str, wait: float = 0.2) -> list[tuple[str, list]]:
        """Take every message off `queue`, waiting `wait` seconds for one more; return
        (task name, args) of each."""
        found = []
        with self.app.connection_for_read() as connection:
            simple = connection.SimpleQueue(queue, no_ack=True)
            try:
                while True:
                    try:
                        message = simple.get(timeout=wait)
                    except simple.Empty:
                        return found
                    args = message.decode()[0] if message.headers else message.payload
                    found.append((message.headers.get("task"), list(args)))
            finally:
                simple.close()


@pytest.fixture
def broker():
    """Read what the code under test enqueued; queues start empty."""
    reader = Broker()
    for queue in ("default", "sync", "orders", "email"):
        reader.drain(queue, wait=0.01)  # leftovers are on the broker already
    return reader
