"""Start `bookshop up` for a benchmark: free ports, a fresh folder, optional real services."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_URL = os.environ.get("BOOKSHOP_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
SERVICES = os.environ.get("BOOKSHOP_BENCH_SERVICES") == "1"
HOST = "127.0.0.1"
RESULTS = Path(__file__).resolve().parent / "results"


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind((HOST, 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


class Platform:
    def __init__(self, root: Path, env: dict[str, str], ports: dict[str, int]) -> None:
        self.root, self.env, self.ports = root, env, ports

    def url(self, name: str, path: str = "/") -> str:
        return f"http://{HOST}:{self.ports[name]}{path}"

    def manage(self, service: str, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "bookshop", service, *args],
            cwd=self.root, env=self.env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return result.stdout

    def get_json(self, url: str) -> dict:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
            return json.loads(response.read())


def _psql(sql: str, *, database: str = "postgres") -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/{database}", autocommit=True) as connection:
        connection.execute(sql)


@contextmanager
def platform(*, web_workers: int = 2, **extra_env: str) -> Iterator[Platform]:
    root = Path(tempfile.mkdtemp(prefix="bookshop-bench-"))
    names = ("shop", "store", "smtp", "inbox")
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKSHOP_")}
    env.update(
        BOOKSHOP_VAR_DIR=str(root / "var"),
        BOOKSHOP_ADMIN_PASSWORD="bench-Admin-2026",
        DEBUG="0",
        LOG_LEVEL="WARNING",
        **{f"BOOKSHOP_PORT_{n.upper()}": str(p) for n, p in ports.items()},
        **extra_env,
    )
    databases = []
    if SERVICES:
        for service in ("store", "shop"):
            name = f"bookshop_bench_{os.getpid()}_{service}"
            _psql(f'DROP DATABASE IF EXISTS "{name}"')
            _psql(f'CREATE DATABASE "{name}"')
            databases.append(name)
            env[f"BOOKSHOP_{service.upper()}_DATABASE_URL"] = f"{PG_URL}/{name}"
        env.update(
            CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//",
            CACHE_URL="redis://127.0.0.1:6379/0",
            CACHE_KEY_PREFIX=f"bench-{os.getpid()}",
        )
    log = (root / "up.log").open("wb")
    process = subprocess.Popen(
        # --no-demo: each benchmark fills the store itself.
        [sys.executable, "-m", "bookshop", "up", "--no-demo", "--web-workers", str(web_workers)],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while "Bookshop is running" not in (root / "up.log").read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((root / "up.log").read_text(errors="replace")[-3000:])
            time.sleep(0.3)
        yield Platform(root, env, ports)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(120)
        log.close()
        for name in databases:
            _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def backend_label() -> str:
    return "PostgreSQL, Redis, RabbitMQ" if SERVICES else "embedded (SQLite, filesystem broker)"


def save(kind: str, data: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{kind}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(data, indent=2))
    return path
