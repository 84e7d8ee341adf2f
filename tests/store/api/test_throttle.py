import itertools

import pytest
from rest_framework.throttling import AnonRateThrottle

pytestmark = pytest.mark.django_db

_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture
def low_rate(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    # A fresh client address per test: the throttle counts per address in the cache.
    return next(_addresses)


def test_anonymous_clients_are_throttled(api, low_rate):
    responses = [api.get("/api/v1/books/", REMOTE_ADDR=low_rate) for _ in range(5)]

    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429]
    refused = responses[-1]
    assert refused["Content-Type"] == "application/json"
    assert refused.json()["detail"].startswith("Request was throttled.")
    assert int(refused["Retry-After"]) > 0


@pytest.mark.parametrize("client", ["service_api", "staff_api"])
def test_the_service_account_and_staff_are_not_throttled(request, low_rate, client):
    api = request.getfixturevalue(client)

    codes = {api.get("/api/v1/books/", REMOTE_ADDR=low_rate).status_code for _ in range(6)}

    assert codes == {200}


def test_a_new_x_forwarded_for_per_request_is_still_one_client(api, low_rate):
    responses = [
        api.get("/api/v1/books/", REMOTE_ADDR=low_rate, HTTP_X_FORWARDED_FOR=f"10.9.8.{n}")
        for n in range(5)
    ]

    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429]


def test_behind_a_proxy_the_header_it_sets_names_the_client(api, low_rate, settings):
    # nginx overwrites X-Real-IP; the lockout counts by it too (bookshop.common.clients).
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    proxy = "10.0.0.2"
    one = [
        api.get("/api/v1/books/", REMOTE_ADDR=proxy, HTTP_X_REAL_IP=low_rate).status_code
        for _ in range(4)
    ]
    other = api.get("/api/v1/books/", REMOTE_ADDR=proxy, HTTP_X_REAL_IP=next(_addresses))

    assert one == [200, 200, 200, 429]
    assert other.status_code == 200
