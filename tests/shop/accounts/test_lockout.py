"""Brute force: failed logins lock an account, or a client address, for a while; password
reset mails are limited per address and per email without telling who has an account."""

import os
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from tests.shop.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-Long-password-1"
LOCKED = "Too many failed log-in attempts for this account or from your address."
WRONG = "Please enter a correct username or email and password."


@pytest.fixture
def reset_limits(settings):
    """The shop's own limits (the session's settings raise them for the other tests).
    The counts live in the cache, which may be a Redis other sessions share and is never
    cleared: each test asks for addresses and emails of its own."""
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 10
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 3
    return settings


def fresh() -> str:
    return uuid.uuid4().hex[:12]


def log_in(client, username, password, address="127.0.0.1", path="/accounts/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_failures_lock_the_account_and_the_right_password_too(client):
    UserFactory(username="grace", email="grace@example.com")

    answers = [log_in(client, "grace", f"guess-{n}") for n in range(5)]
    right = log_in(client, "grace", PASSWORD)

    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 429]
    assert WRONG in answers[0].content.decode()
    assert right.status_code == 429
    page = right.content.decode()
    assert LOCKED in page
    assert "locked for 15 minutes" in page
    assert right["Retry-After"] == "900"
    assert client.get("/accounts/profile/").status_code == 302  # not logged in


def test_username_and_email_count_as_one_account(client):
    UserFactory(username="grace", email="grace@example.com")

    for login in ("grace", "grace@example.com", "GRACE@Example.com", "grace", "Grace@example.COM"):
        answer = log_in(client, login, "wrong", address=f"10.0.0.{len(login)}")

    assert answer.status_code == 429
    assert log_in(client, "grace@example.com", PASSWORD, address="10.9.9.9").status_code == 429


def test_five_failures_from_one_address_lock_that_address_only(client):
    UserFactory(username="grace")
    for n in range(5):
        log_in(client, f"nobody{n}", "wrong", address="10.0.0.66")

    assert log_in(client, "grace", PASSWORD, address="10.0.0.66").status_code == 429
    assert log_in(client, "grace", PASSWORD, address="10.0.0.1").status_code == 302


def test_the_lock_ends_after_fifteen_minutes(client):
    UserFactory(username="grace")
    for n in range(5):
        log_in(client, "grace", f"guess-{n}")
    assert log_in(client, "grace", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert log_in(client, "grace", PASSWORD).status_code == 302


def test_the_shop_admin_login_is_locked_the_same_way(client):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    for n in range(5):
        log_in(client, "boss", f"guess-{n}", path="/admin/login/")

    answer = log_in(client, "boss", PASSWORD, path="/admin/login/")

    assert answer.status_code == 429
    assert LOCKED in answer.content.decode()


# -- password reset -------------------------------------------------------------------------


def ask_reset(client, email, address):
    return client.post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=address)


def test_reset_mails_for_one_email_stop_after_three_and_the_answer_stays_the_same(
    client, mailoutbox, reset_limits
):
    known, unknown = f"grace-{fresh()}@example.com", f"nobody-{fresh()}@example.com"
    UserFactory(username="grace", email=known)

    answers = [ask_reset(client, known, address=f"10.1.{n}.{fresh()}") for n in range(5)]
    answers += [ask_reset(client, unknown, address=f"10.2.{n}.{fresh()}") for n in range(5)]

    assert len(mailoutbox) == reset_limits.PASSWORD_RESET_LIMIT_PER_EMAIL == 3
    for answer in answers:
        assert (answer.status_code, answer["Location"]) == (302, "/accounts/password_reset/done/")


def test_reset_requests_from_one_address_are_limited_and_it_says_so(client, reset_limits):
    address, limit = f"10.3.{fresh()}", reset_limits.PASSWORD_RESET_LIMIT_PER_ADDRESS
    answers = [ask_reset(client, f"{fresh()}@example.com", address) for _ in range(limit + 1)]

    assert [answer.status_code for answer in answers] == [302] * limit + [429]
    assert "Too many password reset requests from your address." in answers[-1].content.decode()
    assert ask_reset(client, f"{fresh()}@example.com", f"10.4.{fresh()}").status_code == 302


def test_the_cache_counting_the_limits_is_shared_by_every_process():
    """gunicorn's workers are separate processes: a count kept in one process's memory
    would give each worker its own limit."""
    assert settings.CACHES["default"]["BACKEND"] in {
        "django.core.cache.backends.filebased.FileBasedCache",
        "django.core.cache.backends.redis.RedisCache",
        "bookshop.common.redis_cache.RedisCache",
    }
    key = f"shared-by-processes-{fresh()}"
    cache.set(key, 0)
    code = (
        f"import django; django.setup()\nfrom django.core.cache import cache\ncache.incr({key!r})\n"
    )
    # The shop's own settings, in this session's environment (var/, CACHE_URL, prefix).
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "bookshop.shop.settings"}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", code], check=True, timeout=60, env=environment)

    assert cache.get(key) == 2
