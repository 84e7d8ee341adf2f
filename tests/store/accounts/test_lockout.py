"""Brute force on the store admin's login: five failures lock the username, and the
client address, for fifteen minutes, the right password included."""

import pytest
from django.conf import settings

from tests.store.factories import StaffFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-Long-password-1"
LOCKED = "Too many failed log-in attempts for this account or from your address."


def log_in(client, username, password, address="127.0.0.1"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_five_failures_lock_the_admin_login_and_the_right_password_too(client):
    StaffFactory(username="clerk", is_superuser=True)

    answers = [log_in(client, "clerk", f"guess-{n}") for n in range(5)]
    right = log_in(client, "clerk", PASSWORD)

    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 429]
    assert right.status_code == 429
    assert LOCKED in right.content.decode()
    assert "locked for 15 minutes" in right.content.decode()
    assert client.get("/admin/").status_code == 302  # still not logged in


def test_a_locked_address_does_not_lock_other_addresses(client):
    StaffFactory(username="clerk", is_superuser=True)
    for n in range(5):
        log_in(client, f"nobody{n}", "wrong", address="203.0.113.9")

    assert log_in(client, "clerk", PASSWORD, address="203.0.113.9").status_code == 429
    assert log_in(client, "clerk", PASSWORD, address="203.0.113.10").status_code == 302


def test_the_store_counts_logins_in_the_database_and_limits_in_a_shared_cache():
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    assert "locmem" not in settings.CACHES["default"]["BACKEND"]
