"""`bookshop up`: migrate, bootstrap, then run store, shop, worker, beat and mail together."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bookshop.common.conf import persistent_secret, service_environ
from bookshop.devserver.endpoints import Endpoints
from bookshop.devserver.supervisor import ChildFailed, Program, Supervisor


@dataclass(frozen=True)
class UpOptions:
    endpoints: Endpoints
    var_dir: Path
    web_workers: int = 2
    worker_concurrency: int = 2
    ready_timeout: float = 120.0
    demo: bool = False  # the demo catalogue, if the store has no books (the CLI's default)
    debug_toolbar: bool = False  # Django Debug Toolbar on the shop, for loopback clients


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


def _gunicorn(service: str, host: str, port: int, workers: int) -> list[str]:
    return _python(
        "-m", "gunicorn", f"bookshop.{service}.wsgi:application",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--timeout", "30",
        "--graceful-timeout", "10",
        "--access-logfile", "-",
        "--name", f"bookshop-{service}",
        # Else both servers claim the same control socket, $HOME/.gunicorn/gunicorn.ctl.
        "--no-control-socket",
    )  # fmt: skip


def child_environment(
    options: UpOptions, admin_password: str, base: Mapping[str, str] = os.environ
) -> dict[str, str]:
    """The environment every child starts with: `base`, plus where the others are."""
    env = options.endpoints.environ(base)
    env.update(
        PYTHONUNBUFFERED="1",
        BOOKSHOP_VAR_DIR=str(options.var_dir),
        BOOKSHOP_ADMIN_PASSWORD=admin_password,
    )
    if options.debug_toolbar:
        env["BOOKSHOP_SHOP_DEBUG_TOOLBAR"] = "1"
    return env


def programs(options: UpOptions, env: Mapping[str, str]) -> tuple[list[Program], list[Program]]:
    """The one-off setup steps and the long-running children, each with its environment."""
    ends, var = options.endpoints, options.var_dir
    host = ends.host
    store_env, shop_env = service_environ("store", env), service_environ("shop", env)
    bookshop = ("-m", "bookshop")
    demo = ("--demo",) if options.demo else ()
    setup = [
        Program(
            "store", _python(*bookshop, "store", "bootstrap", "--migrate", *demo), env=store_env
        ),
        Program("shop", _python(*bookshop, "shop", "bootstrap", "--migrate"), env=shop_env),
    ]
    celery = ("-m", "celery", "-A", "bookshop.shop")
    children = [
        Program(
            "mail",
            _python(*bookshop, "mail", "--host", host, "--smtp-port", str(ends.smtp),
                    "--http-port", str(ends.inbox), "--maildir", str(var / "mail")),
            ready_url=ends.url("inbox", "/api/v2/messages?limit=1"),
        ),
        Program(
            "store",
            _gunicorn("store", host, ends.store, options.web_workers),
            ready_url=ends.url("store", "/healthz"),
            env=store_env,
        ),
        Program(
            "shop",
            _gunicorn("shop", host, ends.shop, options.web_workers),
            ready_url=ends.url("shop", "/healthz"),
            env=shop_env,
        ),
        Program(
            "worker",
            _python(*celery, "worker", "--loglevel", "INFO", "--hostname", "worker@%h",
                    "--concurrency", str(options.worker_concurrency),
                    "--without-mingle", "--without-gossip"),
            ready_line=r"\bready\.",
            env=shop_env,
        ),
        Program(
            "beat",
            _python(*celery, "beat", "--loglevel", "INFO",
                    "--schedule", str(var / "celerybeat-schedule")),
            ready_line=r"beat: Starting",
            env=shop_env,
        ),
    ]  # fmt: skip
    return setup, children


def first_sync(env: Mapping[str, str]) -> Program:
    """The catalogue sync run once everything is up, so the shop shows the store's books
    now rather than at beat's first tick (CATALOG_SYNC_INTERVAL later)."""
    return Program(
        "sync", _python("-m", "bookshop", "shop", "sync_catalog"), env=service_environ("shop", env)
    )


DEMO_ADDED = "demo catalogue: added "


def demo_added(store_output: list[str]) -> str | None:
    """What the store's bootstrap said it added of the demo catalogue, if it added it."""
    for line in store_output:
        _, found, added = line.partition(DEMO_ADDED)
        if found:
            return added.strip()
    return None


def _command() -> str:
    """How to type `bookshop` from here: .venv/bin/bookshop after `make run`."""
    script = Path(sys.executable).with_name("bookshop")
    if not script.exists():
        return "bookshop"
    relative = os.path.relpath(script)
    return relative if not relative.startswith("..") else str(script)


def demo_lines(added: str | None) -> list[str]:
    if not added:
        return []
    bookshop = _command()
    return [
        f"  Demo catalogue: added {added} (public-domain classics) to the empty store.",
        f"  To empty it: {bookshop} store clear_db --yes && {bookshop} shop sync_catalog --full",
        "  To start without it: bookshop up --no-demo (or BOOKSHOP_DEMO=0)",
        "",
    ]


def banner(
    options: UpOptions,
    admin_user: str,
    admin_password: str,
    generated: bool,
    demo: str | None = None,
) -> str:
    ends = options.endpoints
    source = (
        f"kept in {options.var_dir / 'admin-password'}"
        if generated
        else "from BOOKSHOP_ADMIN_PASSWORD"
    )
    return "\n".join(
        [
            "",
            "Bookshop is running. Ctrl-C stops everything.",
            "",
            f"  Shop         {ends.url('shop')}",
            f"  Shop admin   {ends.url('shop', '/admin/')}",
            f"  Store admin  {ends.url('store', '/admin/')}",
            f"  Store API    {ends.url('store', '/api/docs/')}",
            f"  Mail inbox   {ends.url('inbox')}   (SMTP on {ends.host}:{ends.smtp})",
            "",
            f"  Admin login on shop and store: {admin_user} / {admin_password}   ({source})",
            f"  Data: {options.var_dir}",
            "",
            *demo_lines(demo),
            *(
                ["  Debug toolbar: on the shop's pages, for browsers on this machine", ""]
                if options.debug_toolbar
                else []
            ),
        ]
    )


def up(options: UpOptions) -> int:
    """Run the whole platform in the foreground; return the exit status."""
    options.var_dir.mkdir(parents=True, exist_ok=True)
    host = options.endpoints.host
    busy = [
        f"{name} port {port}"
        for name, port in options.endpoints.ports().items()
        if _port_in_use(host, port)
    ]
    if busy:
        print(
            f"bookshop up: already in use on {host}: {', '.join(busy)}. "
            "Stop whatever holds them, or choose other ports (see `bookshop up --help`).",
            file=sys.stderr,
        )
        return 2

    admin_user = os.environ.get("BOOKSHOP_ADMIN_USER", "admin")
    admin_password = os.environ.get("BOOKSHOP_ADMIN_PASSWORD", "")
    generated = not admin_password
    if generated:
        admin_password = persistent_secret(options.var_dir / "admin-password", nbytes=12)

    env = child_environment(options, admin_password)
    setup, children = programs(options, env)
    supervisor = Supervisor(env=env, cwd=os.getcwd())
    supervisor.install_signal_handlers()
    status = 0
    try:
        supervisor.say("bookshop", f"preparing databases and accounts in {options.var_dir}")
        outputs = supervisor.run_steps(setup)
        supervisor.start(children, ready_timeout=options.ready_timeout)
        # A failed sync is no reason to stop: beat runs the next one shortly.
        supervisor.run_steps([first_sync(env)], check=False)
        demo = demo_added(outputs["store"])
        print(banner(options, admin_user, admin_password, generated, demo), flush=True)
        supervisor.watch()
    except ChildFailed as exc:
        supervisor.say("bookshop", f"error: {exc}", "31")
        status = 1
    except KeyboardInterrupt as exc:
        supervisor.say("bookshop", f"{exc.args[0] if exc.args else 'SIGINT'} received")
    finally:
        supervisor.stop()
        supervisor.say("bookshop", "stopped")
    return status
