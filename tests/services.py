"""Which backends a test session runs on, and the per-session resources on them.

By default every session uses the embedded backends (SQLite, local memory, the filesystem
broker). With BOOKSHOP_TEST_SERVICES=1 it uses PostgreSQL, Redis and RabbitMQ on
127.0.0.1 instead, with databases, a RabbitMQ vhost and cache keys of its own, so
sessions never see each other's data; a service that does not answer fails the run.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

ENABLED = os.environ.get("BOOKSHOP_TEST_SERVICES", "") == "1"

PG_URL = os.environ.get("BOOKSHOP_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BOOKSHOP_TEST_REDIS_URL", "redis://127.0.0.1:6379")
AMQP_URL = os.environ.get("BOOKSHOP_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672")

# One id per test session: names of databases, the vhost and cache prefixes derive from it.
RUN_ID = f"t{os.getpid()}"
VHOST = f"bookshop-test-{RUN_ID}"


@dataclass(frozen=True)
class Backends:
    database: str
    cache: str
    broker: str

    def describe(self) -> str:
        return f"database {self.database}; cache {self.cache}; broker {self.broker}"


def backends(service: str | None = None) -> Backends:
    if ENABLED:
        name = f"test_bookshop_{service}_{RUN_ID}" if service else f"bookshop_e2e_{RUN_ID}_*"
        return Backends(
            database=f"PostgreSQL {PG_URL.rsplit('@', 1)[-1]} ({name})",
            cache=f"Redis {REDIS_URL.rsplit('/', 1)[-1]}",
            broker=f"RabbitMQ {AMQP_URL.rsplit('@', 1)[-1]} (vhost {VHOST})",
        )
    return Backends(
        database="SQLite",
        cache="files under var/",
        broker="Celery filesystem transport",
    )


def broker_url() -> str:
    return f"{AMQP_URL}/{VHOST}" if ENABLED else "filesystem://localhost//"


def service_environment(var_dir: Path, *, database: str | None = None) -> dict[str, str]:
    """Environment variables that point a service at this session's backends."""
    env = {"BOOKSHOP_VAR_DIR": str(var_dir), "CACHE_KEY_PREFIX": f"bookshop-{RUN_ID}"}
    if ENABLED:
        env.update(
            CELERY_BROKER_URL=broker_url(),
            CELERY_RESULT_BACKEND=f"{REDIS_URL}/1",
            CACHE_URL=f"{REDIS_URL}/0",
        )
        if database:
            env["DATABASE_URL"] = f"{PG_URL}/{database}"
    return env


def configure_django_session(service: str) -> None:
    """Set the environment a service's settings read, before the test settings import them."""
    var_dir = Path(tempfile.mkdtemp(prefix=f"bookshop-{service}-tests-"))
    atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    # pytest-django connects to "postgres" and creates the test database beside it.
    os.environ.update(service_environment(var_dir, database="postgres"))
    os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
    os.environ.setdefault("DJANGO_ENV", "development")


def test_database_name(service: str) -> str:
    return f"test_bookshop_{service}_{RUN_ID}"


# -- the real services ------------------------------------------------------------------------


def _rabbitmqctl(*args: str) -> None:
    if not shutil.which("rabbitmqctl"):
        raise RuntimeError("rabbitmqctl is not on PATH: cannot create the test vhost")
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def check_and_prepare() -> None:
    """Fail loudly unless PostgreSQL, Redis and RabbitMQ answer; create the session's vhost."""
    import psycopg
    import redis
    from kombu import Connection

    problems = []
    try:
        psycopg.connect(f"{PG_URL}/postgres", connect_timeout=5).close()
    except Exception as exc:
        problems.append(f"PostgreSQL at {PG_URL}: {exc}")
    try:
        redis.Redis.from_url(f"{REDIS_URL}/0", socket_timeout=5).ping()
    except Exception as exc:
        problems.append(f"Redis at {REDIS_URL}: {exc}")
    try:
        _rabbitmqctl("add_vhost", VHOST)
        _rabbitmqctl("set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*")
        with Connection(broker_url(), connect_timeout=5) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:
        problems.append(f"RabbitMQ at {AMQP_URL} (vhost {VHOST}): {exc}")
    if problems:
        raise RuntimeError(
            "BOOKSHOP_TEST_SERVICES=1 but these services do not answer:\n  " + "\n  ".join(problems)
        )


def release() -> None:
    """Drop what check_and_prepare created."""
    with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
        _rabbitmqctl("delete_vhost", VHOST)


def postgres_create(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def postgres_drop(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
