import pytest
from django.core.management import CommandError, call_command

from bookshop.shop.store_client import (
    Identity,
    StoreAuthError,
    StoreBadRequest,
    StoreClient,
    StoreConflict,
    StoreNotFound,
    StoreUnavailable,
)
from tests.shop.fake_store import Reply

WHOAMI = "/api/v1/me/"


def test_whoami_sends_the_token_and_reads_the_identity(fake_store):
    fake_store.reply(WHOAMI, Reply(200, {"username": "shop-service", "role": "service"}))

    with StoreClient() as client:
        assert client.whoami() == Identity(username="shop-service", role="service")

    assert fake_store.seen[0].headers["Authorization"] == "Token test-token"


def test_the_token_file_is_read_when_no_token_is_set(fake_store, settings, tmp_path):
    settings.STORE_API_TOKEN = ""
    settings.STORE_API_TOKEN_FILE = tmp_path / "token"
    settings.STORE_API_TOKEN_FILE.write_text("from-the-file\n")
    fake_store.reply(WHOAMI, Reply(200, {"username": "shop-service", "role": "service"}))

    with StoreClient() as client:
        client.whoami()

    assert fake_store.seen[0].headers["Authorization"] == "Token from-the-file"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, StoreBadRequest),
        (401, StoreAuthError),
        (403, StoreAuthError),
        (404, StoreNotFound),
        (409, StoreConflict),
    ],
)
def test_client_errors_are_final_and_carry_the_payload(fake_store, status, error):
    fake_store.reply(WHOAMI, Reply(status, {"detail": "no"}))

    with StoreClient() as client, pytest.raises(error) as raised:
        client.whoami()

    assert raised.value.retryable is False
    assert raised.value.status == status
    assert raised.value.payload == {"detail": "no"}


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_can_be_retried(fake_store, status):
    fake_store.reply(WHOAMI, Reply(status, {"detail": "down"}))

    with StoreClient() as client, pytest.raises(StoreUnavailable) as raised:
        client.whoami()

    assert raised.value.retryable is True
    assert raised.value.status == status


def test_throttling_can_be_retried_after_the_time_the_store_names(fake_store):
    fake_store.reply(WHOAMI, Reply(429, {"detail": "slow down"}, {"Retry-After": "7"}))

    with StoreClient() as client, pytest.raises(StoreUnavailable) as raised:
        client.whoami()

    assert raised.value.retry_after == 7


def test_a_closed_port_can_be_retried(settings, closed_port):
    settings.STORE_API_URL = f"http://127.0.0.1:{closed_port}"

    with StoreClient() as client, pytest.raises(StoreUnavailable, match="unreachable"):
        client.whoami()


def test_a_slow_store_times_out(fake_store):
    fake_store.reply(WHOAMI, Reply(200, {"username": "x", "role": "service"}, delay=1.0))

    with (
        StoreClient(read_timeout=0.2) as client,
        pytest.raises(StoreUnavailable, match="timed out"),
    ):
        client.whoami()


def test_paginate_follows_next_links(fake_store):
    fake_store.reply(
        "/api/v1/books/",
        Reply(200, {"next": f"{fake_store.url}/api/v1/books/?cursor=2", "results": [1, 2]}),
        Reply(200, {"next": None, "results": [3]}),
    )

    with StoreClient() as client:
        pages = list(client.paginate("books/", {"page_size": 2}))

    assert pages == [[1, 2], [3]]
    assert [seen.path for seen in fake_store.seen] == [
        "/api/v1/books/?page_size=2",
        "/api/v1/books/?cursor=2",
    ]


def test_check_store_reports_the_service_account(fake_store, capsys):
    fake_store.reply(WHOAMI, Reply(200, {"username": "shop-service", "role": "service"}))

    call_command("check_store")

    assert "accepts the token of 'shop-service' (service)" in capsys.readouterr().out


def test_check_store_fails_on_a_token_of_a_person(fake_store):
    fake_store.reply(WHOAMI, Reply(200, {"username": "admin", "role": "staff"}))

    with pytest.raises(CommandError, match="not to a service account"):
        call_command("check_store")


def test_check_store_fails_when_the_store_is_down(settings, closed_port):
    settings.STORE_API_URL = f"http://127.0.0.1:{closed_port}"

    with pytest.raises(CommandError, match="unreachable"):
        call_command("check_store")
