"""The shop's settings for its test session, on the backends tests/services.py chose."""

from tests import services

services.configure_django_session("shop")

from bookshop.shop.settings import *  # noqa: E402, F403
from bookshop.shop.settings import DATABASES  # noqa: E402

if services.ENABLED:
    DATABASES["default"]["TEST"] = {"NAME": services.test_database_name("shop")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
# One test session asks for far more password resets than a real client may;
# tests/shop/accounts/test_lockout.py checks the limits with the shop's own.
PASSWORD_RESET_LIMIT_PER_ADDRESS = PASSWORD_RESET_LIMIT_PER_EMAIL = 1_000_000
# Tests change the mirror and look at the page at once; test_page_cache.py checks the
# version's one-second memory itself.
CATALOG_VERSION_SECONDS = 0
