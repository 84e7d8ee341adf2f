"""Settings of the Store service (port 8001)."""

from pathlib import Path
from typing import Any

from bookshop.common import conf
from bookshop.common.conf import env
from bookshop.common.settings import *  # noqa: F403
from bookshop.common.settings import (
    DJANGO_APPS,
    MIDDLEWARE,
    TEMPLATE_CONTEXT_PROCESSORS,
    VAR_DIR,
)

BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = conf.secret_key("store", VAR_DIR)

INSTALLED_APPS = [
    *DJANGO_APPS,
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "bookshop.store.accounts",
    "bookshop.store.inventory",
    "bookshop.store.orders",
    "bookshop.store.api",
]

# Outermost: every answer under /api/ is JSON, even those Django makes before a view runs.
MIDDLEWARE = ["bookshop.store.api.errors.JSONErrorsMiddleware", *MIDDLEWARE]

AUTH_USER_MODEL = "accounts.User"

ROOT_URLCONF = "bookshop.store.urls"
WSGI_APPLICATION = "bookshop.store.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": TEMPLATE_CONTEXT_PROCESSORS},
    },
]

DATABASES = {"default": conf.database(VAR_DIR / "store.sqlite3")}
CACHES = {"default": conf.cache("store", VAR_DIR)}
globals().update(conf.email())
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Bookshop Store <store@bookshop.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

STATIC_ROOT = conf.path("STATIC_ROOT", VAR_DIR / "static" / "store")
if not conf.PRODUCTION:
    # WhiteNoise serves from the finders here, yet warns when this folder is missing.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = conf.path("MEDIA_ROOT", VAR_DIR / "media")
# The embedded mode has no nginx in front, so the store serves uploaded images itself.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not conf.PRODUCTION)
# The admin's dashboard lists active books with this many available copies or fewer.
STORE_LOW_STOCK_THRESHOLD = env.int("STORE_LOW_STOCK_THRESHOLD", default=1)
STORE_MAX_IMAGE_BYTES = env.int("STORE_MAX_IMAGE_BYTES", default=5 * 1024 * 1024)
# Where browsers fetch this service's pages and images (absolute image URLs in the API).
STORE_PUBLIC_URL = env.str("STORE_PUBLIC_URL", default="http://127.0.0.1:8001").rstrip("/")
# The Swagger UI at /api/docs/ has one inline script and one inline style, marked with the
# request's nonce by templates/drf_spectacular/swagger_ui.html; no other page asks for one.
CONTENT_SECURITY_POLICY = conf.content_security_policy(nonces=True)

# The shop's service account; `bootstrap` creates it and writes its token to this file,
# which the shop reads, so nobody copies a token by hand.
STORE_SERVICE_USERNAME = env.str("STORE_SERVICE_USERNAME", default="shop-service")
STORE_API_TOKEN = env.str("STORE_API_TOKEN", default="")
STORE_API_TOKEN_FILE = conf.path("STORE_API_TOKEN_FILE", VAR_DIR / "store-api-token")

REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "bookshop.store.api.authentication.StoreTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    # JSON only, in every mode: people browse the API at /api/docs/ (Swagger UI).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only; the book endpoints add multipart/form-data for cover uploads.
    "DEFAULT_PARSER_CLASSES": ["bookshop.store.api.parsers.StrictJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "bookshop.store.api.negotiation.QuickContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "bookshop.store.api.schema.StoreAutoSchema",
    "EXCEPTION_HANDLER": "bookshop.store.api.exceptions.exception_handler",
    # Only anonymous clients are throttled: the shop's service account and staff are not.
    # Counted per client address as bookshop.common.clients reads it (not X-Forwarded-For).
    "DEFAULT_THROTTLE_CLASSES": ["bookshop.store.api.throttles.ClientAddressAnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("STORE_ANON_THROTTLE_RATE", default="120/min")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bookshop Store API",
    "DESCRIPTION": (
        "The warehouse: catalogue, physical copies and orders (docs/api.md tells the whole "
        "story). Every answer is JSON, errors included: each operation lists the 4xx answers "
        "it can give. A method an operation does not list is a 405 with an Allow header (or "
        "401/403 first where credentials are needed); a path the API does not have is a 404."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get their own components: read-only fields are not part of them.
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
