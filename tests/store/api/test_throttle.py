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
