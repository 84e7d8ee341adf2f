"""Run `bookshop up` for real, as a newcomer would, on free loopback ports."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from tests import services

HOST = "127.0.0.1"
# The tail of the subject of the email that asks a new account to confirm its address
# (shop accounts/verification.py): sent once at sign-up, it is no order step.
ACCOUNT_CHECK_SUBJECT = ": confirm your email address"
PORT_NAMES = ("shop", "store", "smtp", "inbox")
_counter = itertools.count()
T = TypeVar("T")


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind((HOST, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def port_is_free(port: int) -> bool:
    """Whether a server could bind the port now (as servers do, with SO_REUSEADDR)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def descendants(pid: int) -> set[int]:
    """Every live process below `pid`, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses; fields resume after the last ")".
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z":
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: set[int] = set()
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(predicate: Callable[[], T], timeout: float = 60, interval: float = 0.25) -> T:
    """Poll until `predicate` returns something true, and return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing came of {predicate.__name__} in {timeout:.0f} s")
        time.sleep(interval)


def get_json(url: str, timeout: float = 5):
    import json

    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
        return json.loads(response.read())


@dataclass
class Platform:
    """One running `bookshop up`."""

    deployment: Deployment
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_running(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while "Bookshop is running" not in self.output():
            if self.process.poll() is not None:
                raise AssertionError(f"bookshop up exited early:\n{self.output()[-4000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"bookshop up not running in time:\n{self.output()[-4000:]}")
            time.sleep(0.2)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            for pid in descendants(self.process.pid):
                os.kill(pid, signal.SIGKILL)
            self.process.kill()
            raise


@dataclass
class Deployment:
    """A folder with its own var/, ports, databases and environment, started on demand."""

    root: Path
    ports: dict[str, int]
    env: dict[str, str]
    databases: list[str] = field(default_factory=list)

    @property
    def var(self) -> Path:
        return self.root / "var"

    def url(self, name: str, path: str = "/") -> str:
        return f"http://{HOST}:{self.ports[name]}{path}"

    def up(self, *args: str) -> Platform:
        log = self.root / f"up-{next(_counter)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "bookshop", "up", *args],
                cwd=self.root,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return Platform(self, process, log)

    def manage(self, service: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run `bookshop <service> <args>` as a person at the same shell would."""
        return subprocess.run(
            [sys.executable, "-m", "bookshop", service, *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=check,
        )


@contextmanager
def deployment(root: Path, **extra_env: str) -> Iterator[Deployment]:
    """A fresh deployment in `root`; its PostgreSQL databases are dropped afterwards."""
    ports = dict(zip(PORT_NAMES, free_ports(len(PORT_NAMES)), strict=True))
    env = {key: value for key, value in os.environ.items() if not key.startswith("BOOKSHOP_")}
    env.update(services.service_environment(root / "var"))
    env.update(
        BOOKSHOP_HOST=HOST,
        BOOKSHOP_PORT_SHOP=str(ports["shop"]),
        BOOKSHOP_PORT_STORE=str(ports["store"]),
        BOOKSHOP_PORT_SMTP=str(ports["smtp"]),
        BOOKSHOP_PORT_INBOX=str(ports["inbox"]),
        DJANGO_ENV="development",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(extra_env)
    deploy = Deployment(root=root, ports=ports, env=env)
    if services.ENABLED:
        base = f"bookshop_e2e_{services.RUN_ID}_{next(_counter)}"
        for service in ("store", "shop"):
            name = f"{base}_{service}"
            services.postgres_create(name)
            deploy.databases.append(name)
            env[f"BOOKSHOP_{service.upper()}_DATABASE_URL"] = f"{services.PG_URL}/{name}"
    try:
        yield deploy
    finally:
        for name in deploy.databases:
            services.postgres_drop(name)
