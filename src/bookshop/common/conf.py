"""Helpers the two settings modules use to read their configuration from the environment."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ

env = environ.Env()

PRODUCTION = env.str("DJANGO_ENV", default="development").lower() == "production"


def var_dir() -> Path:
    """Where the embedded mode keeps its state: databases, queues, mail, media, secrets."""
    path = Path(env.str("BOOKSHOP_VAR_DIR", default=str(Path.cwd() / "var"))).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def persistent_secret(path: Path, nbytes: int = 48) -> str:
    """Read a secret from `path`, creating it (mode 0600) on first use.

    Embedded installs need a stable SECRET_KEY without anyone choosing one; two processes
    starting together must agree, hence O_EXCL and re-reading on a lost race.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        value = secrets.token_urlsafe(nbytes)
        handle.write(value)
    return value


def secret_key(service: str, var: Path) -> str:
    """SECRET_KEY from the environment; in development a generated one kept under var/."""
    if PRODUCTION:
        return env.str("SECRET_KEY")
    return env.str("SECRET_KEY", default="") or persistent_secret(var / f"{service}-secret-key")


def database(default_sqlite: Path) -> dict[str, Any]:
    """The default database from DATABASE_URL, tuned for the backend it names."""
    config = env.db_url("DATABASE_URL", default=f"sqlite:///{default_sqlite}")
    options = config.setdefault("OPTIONS", {})
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Web servers and the worker write concurrently: WAL lets readers run beside a
        # writer, IMMEDIATE takes the write lock up front so transactions queue instead of
        # failing with "database is locked" halfway through.
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault("timeout", 20)
        options.setdefault(
            "init_command",
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        )
    elif config["ENGINE"] == "django.db.backends.postgresql":
        options.setdefault("connect_timeout", 5)
        # Django's backend, with a health check that reads the socket instead of sending
        # `SELECT 1` before every request (common/postgresql/base.py).
        config["ENGINE"] = "bookshop.common.postgresql"
    # A connection per request costs more than most of our requests (on SQLite the WAL
    # set-up alone is a few milliseconds): keep it, checking it is alive before reuse.
    config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    config["ATOMIC_REQUESTS"] = False
    return config


def cache(service: str, var: Path) -> dict[str, Any]:
    """The default cache from CACHE_URL; by default a folder under var/.

    Login lockouts aside (those are rows in the database), the rate limits and the Store
    API's throttle count in this cache, so every process of a service must see the same
    one: Redis in production, files in the embedded mode, where the gunicorn workers share
    a disk but not their memory (local memory would give each worker its own count).
    """
    config = env.cache_url("CACHE_URL", default=f"filecache://{var / 'cache' / service}")
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        config["BACKEND"] = "bookshop.common.redis_cache.RedisCache"
    # Both services, and several installs, may share one Redis; the prefix keeps them apart.
    config["KEY_PREFIX"] = f"{env.str('CACHE_KEY_PREFIX', default='bookshop')}.{service}"
    return config


def email() -> dict[str, Any]:
    """Email settings from EMAIL_URL, each part overridable on its own (EMAIL_HOST,
    EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL);
    by default the local catcher."""
    config = env.email_url("EMAIL_URL", default="smtp://127.0.0.1:1025")
    return {
        "EMAIL_BACKEND": config["EMAIL_BACKEND"],
        "EMAIL_HOST": env.str("EMAIL_HOST", default=config["EMAIL_HOST"]),
        "EMAIL_PORT": env.int("EMAIL_PORT", default=config["EMAIL_PORT"]),
        "EMAIL_HOST_USER": env.str("EMAIL_HOST_USER", default=config.get("EMAIL_HOST_USER") or ""),
        "EMAIL_HOST_PASSWORD": env.str(
            "EMAIL_HOST_PASSWORD", default=config.get("EMAIL_HOST_PASSWORD") or ""
        ),
        "EMAIL_USE_TLS": env.bool("EMAIL_USE_TLS", default=config.get("EMAIL_USE_TLS", False)),
        "EMAIL_USE_SSL": env.bool("EMAIL_USE_SSL", default=config.get("EMAIL_USE_SSL", False)),
        "EMAIL_TIMEOUT": env.int("EMAIL_TIMEOUT", default=10),
    }


def logging_config(level: str) -> dict[str, Any]:
    """Logs go to stdout, one line each, for the process runner or the container engine."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "line": {
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            },
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "line",
                "stream": "ext://sys.stdout",
            },
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "django": {"level": level, "propagate": True},
            # One line per request comes from gunicorn's access log already.
            "django.server": {"level": "WARNING"},
            # The syncs poll every few seconds; our own lines say what each poll did, so
            # a line per HTTP call and per task run would bury them. Failures still show.
            "httpx": {"level": "WARNING"},
            "celery.worker.strategy": {"level": "WARNING"},
            "celery.app.trace": {"level": "WARNING"},
            # django-axes says INFO on every successful login; its failures are WARNINGs.
            "axes": {"level": "WARNING"},
        },
    }


def service_environ(service: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment one service runs with: `BOOKSHOP_<SERVICE>_X` overrides `X`.

    The two services run side by side from one shell in the embedded mode, yet need, say,
    different databases: BOOKSHOP_STORE_DATABASE_URL and BOOKSHOP_SHOP_DATABASE_URL.
    """
    prefix = f"BOOKSHOP_{service.upper()}_"
    result = dict(environ)
    for name, value in environ.items():
        if name.startswith(prefix) and len(name) > len(prefix):
            result[name[len(prefix) :]] = value
    return result


def origin(url: str) -> str:
    """scheme://host[:port] of a URL, as a CSP source."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def path(name: str, default: Path) -> Path:
    """A filesystem path from the environment."""
    return Path(env.str(name, default=str(default))).resolve()


def content_security_policy(*, images: Sequence[str] = (), nonces: bool = False) -> dict[str, Any]:
    """The service's Content-Security-Policy (django-csp's CONTENT_SECURITY_POLICY).

    Everything from the service's own origin only; no page may be framed
    (`frame-ancestors 'none'`, beside X-Frame-Options: DENY), no plugin, no <base>, no
    form posted elsewhere. `images` adds origins for <img> (the shop shows the store's
    covers). `nonces` lets a page mark its own inline <script>/<style> with the request's
    nonce (request.csp_nonce); pages that never ask for the nonce get none in the header.
    """
    from csp.constants import NONCE, NONE, SELF

    inline = [NONCE] if nonces else []
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF, *inline],
            "style-src": [SELF, *inline],
            "img-src": [SELF, "data:", *images],
            "font-src": [SELF],
            "connect-src": [SELF],
            "object-src": [NONE],
            "base-uri": [NONE],
            "form-action": [SELF],
            "frame-ancestors": [NONE],
        }
    }
