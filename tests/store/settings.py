"""The store's settings for its test session, on the backends tests/services.py chose."""

from tests import services

services.configure_django_session("store")

from bookshop.store.settings import *  # noqa: E402, F403
from bookshop.store.settings import DATABASES  # noqa: E402

if services.ENABLED:
    DATABASES["default"]["TEST"] = {"NAME": services.test_database_name("store")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
# One test session sends far more anonymous requests a minute than a real client may;
# tests/store/api/test_throttle.py checks the throttle with a rate of its own.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "1000000/min"},
}
