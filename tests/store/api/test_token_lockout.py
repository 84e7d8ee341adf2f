"""Brute force on `/api/v1/auth/token/`: after five failures for one username, or from one
client address, a JSON 429 for fifteen minutes, the right password included."""

import pytest
from rest_framework.authtoken.models import Token

from tests.store.factories import StaffFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-Long-password-1"
TOKEN = "/api/v1/auth/token/"
LOCKED = {
    "detail": "Too many failed log-in attempts for this account or from your address. "
    "Log-in is locked for 15 minutes; please try again later.",
    "code": "locked_out",
    "retry_after": 900,
}


def ask(api, username, password, address="192.0.2.1"):
    return api.post(TOKEN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_failures_lock_the_username_with_a_json_429(api):
    StaffFactory(username="clerk")

    answers = [ask(api, "clerk", f"guess-{n}") for n in range(5)]
    right = ask(api, "clerk", PASSWORD, address="192.0.2.99")

    assert [answer.status_code for answer in answers] == [400, 400, 400, 400, 429]
    assert right.status_code == 429
    assert right["Content-Type"] == "application/json"
    assert right["Retry-After"] == "900"
    assert right.json() == LOCKED
    assert not Token.objects.exists()


def test_a_locked_address_is_refused_for_every_username(api):
    StaffFactory(username="clerk")
    for n in range(5):
        ask(api, f"nobody{n}", "wrong", address="198.51.100.7")

    refused = ask(api, "clerk", PASSWORD, address="198.51.100.7")
    elsewhere = ask(api, "clerk", PASSWORD, address="198.51.100.8")

    assert (refused.status_code, refused.json()["code"]) == (429, "locked_out")
    assert elsewhere.status_code == 200
    assert set(elsewhere.json()) == {"token"}


def test_the_schema_lists_the_429(api):
    schema = api.get("/api/schema/?format=json").json()
    answers = schema["paths"][TOKEN]["post"]["responses"]

    assert "429" in answers
    assert "locked_out" in str(answers["429"])
