"""Settings of the Shop service (port 8000) and its Celery workers."""

from decimal import Decimal
from pathlib import Path

import xstatic.pkg.bootstrap
from django.core.exceptions import ImproperlyConfigured

from bookshop.common import conf
from bookshop.common.conf import env
from bookshop.common.settings import *  # noqa: F403
from bookshop.common.settings import (
    DEBUG,
    DJANGO_APPS,
    MIDDLEWARE,
    TEMPLATE_CONTEXT_PROCESSORS,
    VAR_DIR,
)

BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = conf.secret_key("shop", VAR_DIR)

INSTALLED_APPS = [
    *DJANGO_APPS,
    "django.contrib.sitemaps",  # its sitemap templates (catalog/seo.py)
    "bookshop.shop.core",
    "bookshop.shop.accounts",
    "bookshop.shop.catalog",
    "bookshop.shop.cart",
    "bookshop.shop.orders",
    "bookshop.shop.alerts",
]

AUTH_USER_MODEL = "accounts.User"
# Customers log in with their username or their email address.
SHOP_LOGIN_BACKEND = "bookshop.shop.accounts.backends.UsernameOrEmailBackend"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", SHOP_LOGIN_BACKEND]
# A username and its account's email are one account to the lockout.
AXES_USERNAME_CALLABLE = "bookshop.shop.accounts.selectors.user_login_key"

# Django Debug Toolbar, the `dev` extra: on only through `bookshop up --debug-toolbar`
# (DEBUG_TOOLBAR=1 for the shop), in development, for browsers on this machine. Tests pin
# query counts instead; production refuses it.
DEBUG_TOOLBAR = env.bool("DEBUG_TOOLBAR", default=False)
if DEBUG_TOOLBAR:
    if conf.PRODUCTION or not DEBUG:
        raise ImproperlyConfigured(
            "DEBUG_TOOLBAR is a development aid: it needs DEBUG on and never runs with "
            "DJANGO_ENV=production."
        )
    INSTALLED_APPS.append("debug_toolbar")
    # After WhiteNoise, so static files do not go through it.
    MIDDLEWARE = [
        *MIDDLEWARE[:2],
        "debug_toolbar.middleware.DebugToolbarMiddleware",
        *MIDDLEWARE[2:],
    ]
    DEBUG_TOOLBAR_CONFIG = {"SHOW_TOOLBAR_CALLBACK": "bookshop.shop.core.devtools.show_toolbar"}

ROOT_URLCONF = "bookshop.shop.urls"
WSGI_APPLICATION = "bookshop.shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                *TEMPLATE_CONTEXT_PROCESSORS,
                "bookshop.shop.core.context_processors.shop",
            ],
        },
    },
]

DATABASES = {"default": conf.database(VAR_DIR / "shop.sqlite3")}
CACHES = {"default": conf.cache("shop", VAR_DIR)}
globals().update(conf.email())
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Bookshop <orders@bookshop.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

STATIC_ROOT = conf.path("STATIC_ROOT", VAR_DIR / "static" / "shop")
if not conf.PRODUCTION:
    # WhiteNoise serves from the finders here, yet warns when this folder is missing.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Bootstrap comes from the xstatic package, served under /static/bootstrap/ (never a CDN).
STATICFILES_DIRS = [("bootstrap", xstatic.pkg.bootstrap.BASE_DIR)]

# The customer-facing shop.
SHOP_NAME = env.str("SHOP_NAME", default="Bookshop")
SHOP_CURRENCY_SYMBOL = "$"  # not from env: django-environ reads "$" as a reference
SHOP_CURRENCY_CODE = "USD"  # ISO 4217, for the book pages' schema.org offers
# How customers pay and what delivery costs (orders/delivery.py): a flat fee, free from a
# subtotal on (an empty SHOP_FREE_DELIVERY_FROM: never free).
SHOP_PAYMENT_METHOD = env.str("SHOP_PAYMENT_METHOD", default="Pay on delivery, by cash or card")
SHOP_DELIVERY_FEE = Decimal(env.str("SHOP_DELIVERY_FEE", default="3.50"))
SHOP_FREE_DELIVERY_FROM = (
    Decimal(env.str("SHOP_FREE_DELIVERY_FROM", default="40.00"))
    if env.str("SHOP_FREE_DELIVERY_FROM", default="40.00")
    else None
)
# Sessions are read on nearly every page (the cart's count) and written far less often:
# from the shared cache, with the database behind it, so none is lost when the cache is.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CATALOG_PAGE_SIZE = 20
CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=600)
# How long a web process trusts the catalogue's version it last read (catalog/selectors.py,
# recent_catalog_version): a sync's changes show on the pages at most this much later.
CATALOG_VERSION_SECONDS = env.float("CATALOG_VERSION_SECONDS", default=1.0)
# A search matching more books than this is listed by title, not ranked (selectors).
CATALOG_RANK_LIMIT = env.int("CATALOG_RANK_LIMIT", default=2000)
# Whole catalogue pages, kept per catalogue version with holes for each visitor's values
# (core/page_cache.py): at most this many in each web process (about 40 KB each); 0
# renders every page afresh.
PAGE_CACHE_ENTRIES = env.int("PAGE_CACHE_ENTRIES", default=256)
ORDERS_PAGE_SIZE = 10
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# Password-reset mails: at most this many requests per client address, and per email
# address, in PASSWORD_RESET_LIMIT_WINDOW seconds (accounts.services).
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=10)
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_LIMIT_WINDOW = env.int("PASSWORD_RESET_LIMIT_WINDOW", default=3600)
# Links in emails point here.
SHOP_PUBLIC_URL = env.str("SHOP_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")

# The Store API. The token comes from STORE_API_TOKEN or, as the store's bootstrap leaves
# it, from STORE_API_TOKEN_FILE; the file is read when needed, so a rotated token is
# picked up without a restart.
STORE_API_URL = env.str("STORE_API_URL", default="http://127.0.0.1:8001").rstrip("/")
STORE_API_TOKEN = env.str("STORE_API_TOKEN", default="")
# Covers are the store's images, loaded by the customer's browser from its public URL.
STORE_PUBLIC_URL = env.str("STORE_PUBLIC_URL", default="http://127.0.0.1:8001").rstrip("/")
# No inline script on the shop at all: its pages load bootstrap and cart.js as files.
CONTENT_SECURITY_POLICY = conf.content_security_policy(images=[conf.origin(STORE_PUBLIC_URL)])
STORE_API_TOKEN_FILE = conf.path("STORE_API_TOKEN_FILE", VAR_DIR / "store-api-token")
STORE_API_CONNECT_TIMEOUT = env.float("STORE_API_CONNECT_TIMEOUT", default=3.0)
STORE_API_READ_TIMEOUT = env.float("STORE_API_READ_TIMEOUT", default=10.0)

# Celery: RabbitMQ and Redis in production; in the embedded mode a folder under var/
# is the broker and no result backend is needed (no task's result is ever read).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost//")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
# RabbitMQ pushes the next message the moment a worker acks one: one at a time per
# process keeps a long task from holding others back.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
if CELERY_BROKER_URL.startswith("filesystem://"):
    _celery_dir = VAR_DIR / "celery"
    for _folder in ("queue", "processed", "control"):
        (_celery_dir / _folder).mkdir(parents=True, exist_ok=True)
    # Kombu's filesystem channel, with messages written and taken whole (see the module).
    CELERY_BROKER_TRANSPORT = "bookshop.shop.filesystem_broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
        # The default of 1 s makes every hop wait; 0.1 s costs nothing measurable.
        "polling_interval": 0.1,
    }
    # The folder is polled instead, and a worker whose processes both hold a message does
    # not look again until the next poll: with one each it ran 10 tasks a second however
    # short they were (bench/flash_crowd.py).
    CELERY_WORKER_PREFETCH_MULTIPLIER = 4
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Store traffic and email wait in queues of their own: an SMTP outage backs up "email"
# without delaying order submissions, and a burst of orders does not starve the syncs.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = {
    name: {"exchange": name, "routing_key": name} for name in ("default", "sync", "orders", "email")
}
CELERY_TASK_ROUTES = {
    "shop.catalog.*": {"queue": "sync"},
    "shop.orders.sync_status": {"queue": "sync"},
    "shop.orders.sweep": {"queue": "sync"},
    "shop.alerts.sweep": {"queue": "sync"},
    "shop.orders.submit": {"queue": "orders"},
    "shop.orders.cancel": {"queue": "orders"},
    "shop.mail.*": {"queue": "email"},
}
CELERY_WORKER_SEND_TASK_EVENTS = env.bool("CELERY_WORKER_SEND_TASK_EVENTS", default=False)

# The shop <-> store flows (docs/integration.md). Intervals and ages in seconds.
CATALOG_SYNC_INTERVAL = env.float("CATALOG_SYNC_INTERVAL", default=30)
CATALOG_SYNC_OVERLAP = env.float("CATALOG_SYNC_OVERLAP", default=30)
# The Store API's largest page: a first sync of a big catalogue makes half the requests.
CATALOG_SYNC_PAGE_SIZE = env.int("CATALOG_SYNC_PAGE_SIZE", default=1000)
ORDER_STATUS_SYNC_INTERVAL = env.float("ORDER_STATUS_SYNC_INTERVAL", default=5)
ORDER_STATUS_SYNC_OVERLAP = env.float("ORDER_STATUS_SYNC_OVERLAP", default=30)
ORDER_SUBMIT_RETRY_BASE = env.float("ORDER_SUBMIT_RETRY_BASE", default=2)
ORDER_SUBMIT_RETRY_CAP = env.float("ORDER_SUBMIT_RETRY_CAP", default=120)
ORDER_SUBMIT_MAX_RETRIES = env.int("ORDER_SUBMIT_MAX_RETRIES", default=10)
PENDING_SWEEP_INTERVAL = env.float("PENDING_SWEEP_INTERVAL", default=60)
PENDING_SWEEP_AGE = env.float("PENDING_SWEEP_AGE", default=300)

CELERY_BEAT_SCHEDULE = {
    # `expires`: a run still queued when the next one is due is dropped, not piled up.
    "catalog-sync": {
        "task": "shop.catalog.sync",
        "schedule": CATALOG_SYNC_INTERVAL,
        "options": {"expires": CATALOG_SYNC_INTERVAL},
    },
    "order-status-sync": {
        "task": "shop.orders.sync_status",
        "schedule": ORDER_STATUS_SYNC_INTERVAL,
        "options": {"expires": ORDER_STATUS_SYNC_INTERVAL},
    },
    "pending-sweep": {
        "task": "shop.orders.sweep",
        "schedule": PENDING_SWEEP_INTERVAL,
        "options": {"expires": PENDING_SWEEP_INTERVAL},
    },
    # Back-in-stock emails released but never sent (the broker was down at the release).
    "stock-alert-sweep": {
        "task": "shop.alerts.sweep",
        "schedule": PENDING_SWEEP_INTERVAL,
        "options": {"expires": PENDING_SWEEP_INTERVAL},
    },
}
