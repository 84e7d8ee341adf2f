"""Container health probes: `healthcheck.py web|worker|beat`; exit status 0 means healthy.

web     GET /healthz on this container's gunicorn (PORT): the database, and on the shop the
        broker, answer.
worker  this container's Celery worker answers a ping through the broker.
beat    the broker accepts a connection (beat itself is the container's main process).
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.error
import urllib.request

TIMEOUT = float(os.environ.get("HEALTHCHECK_TIMEOUT", "5"))


def web() -> str:
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"Host": "localhost"}
    )
    try:
        # A fixed loopback URL.
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return response.read().decode()
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"unhealthy: {exc.code} {exc.read().decode(errors='replace')}") from exc


def _celery_app():
    """The shop's Celery app, with its broker connections closed after each use.

    Pooled connections stay open until the process exits, and a probe that exits
    without closing them makes RabbitMQ log "client unexpectedly closed TCP connection"
    at every probe. Without a pool (limit 0), Celery closes each one when done.
    """
    from bookshop.shop.celery import app

    app.conf.broker_pool_limit = 0
    return app


def worker() -> str:
    app = _celery_app()
    node = f"{os.environ.get('CELERY_WORKER_NAME', 'worker')}@{socket.gethostname()}"
    replies = app.control.ping(destination=[node], timeout=TIMEOUT)
    if not replies:
        raise SystemExit(f"unhealthy: {node} did not answer a ping")
    return f"{node} answered"


def beat() -> str:
    # Beat is this container's main process, so the container is up only while beat is;
    # what can still go wrong is the broker it hands tasks to.
    app = _celery_app()
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=TIMEOUT)
    return "broker reachable"


CHECKS = {"web": web, "worker": worker, "beat": beat}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CHECKS:
        raise SystemExit(f"usage: {sys.argv[0]} {'|'.join(CHECKS)}")
    print(CHECKS[sys.argv[1]]())
