"""The `bookshop` command: run either service's manage.py commands, or the whole platform."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from bookshop.common.conf import service_environ
from bookshop.devserver.endpoints import Endpoints

SERVICES = {
    "store": "the warehouse service (catalogue, copies, orders, Store API)",
    "shop": "the customer site and its Celery workers",
}


def manage(service: str, args: list[str]) -> int:
    """Run a Django management command of one service, as its manage.py would."""
    # Beside a running `bookshop up` on other ports, talk to its servers.
    os.environ.update(service_environ(service, Endpoints.from_environ().environ(os.environ)))
    os.environ["DJANGO_SETTINGS_MODULE"] = f"bookshop.{service}.settings"
    from django.core.management import execute_from_command_line

    execute_from_command_line([f"bookshop {service}", *args])
    return 0


def env_flag(name: str, *, default: bool) -> bool:
    """An on/off switch from the environment: 0, false, no, off (any case) are off."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value not in ("0", "false", "no", "off")


def debug_toolbar_problem() -> str | None:
    """Why the debug toolbar cannot be turned on here, if it cannot."""
    if os.environ.get("DJANGO_ENV", "").lower() == "production":
        return "the toolbar is a development aid and never runs with DJANGO_ENV=production."
    try:
        import debug_toolbar  # noqa: F401
    except ImportError:
        return (
            "Django Debug Toolbar is not installed. It is a development extra, kept out of "
            "the production images; install it into this virtualenv with\n"
            "  PIP_CONSTRAINT=requirements/constraints.txt .venv/bin/pip install -e '.[dev]'"
        )
    return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bookshop",
        description="Bookshop: a customer Shop and a warehouse Store, joined by Celery workers.",
    )
    defaults = Endpoints.from_environ()
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for service, what in SERVICES.items():
        commands.add_parser(
            service,
            help=f"run a manage.py command of {what}: `bookshop {service} migrate`, "
            f"`bookshop {service} help` lists them all",
            add_help=False,
        )

    up = commands.add_parser(
        "up",
        help="migrate, bootstrap and run everything: store, shop, worker, beat, mail catcher",
        description=(
            "Apply migrations, create the admin and the store's service account (whose token "
            "reaches the shop by itself), then run store, shop, a Celery worker, Celery beat "
            "and the mail catcher until Ctrl-C or SIGTERM, which stop them all. Settings come "
            "from the environment; BOOKSHOP_STORE_X and BOOKSHOP_SHOP_X set X for one service."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    up.add_argument(
        "--host", default=defaults.host, help="address every server binds to (env BOOKSHOP_HOST)"
    )
    up.add_argument(
        "--shop-port",
        type=int,
        default=defaults.shop,
        help="shop web port (env BOOKSHOP_PORT_SHOP)",
    )
    up.add_argument(
        "--store-port",
        type=int,
        default=defaults.store,
        help="store web port (env BOOKSHOP_PORT_STORE)",
    )
    up.add_argument(
        "--smtp-port",
        type=int,
        default=defaults.smtp,
        help="mail catcher SMTP port (env BOOKSHOP_PORT_SMTP)",
    )
    up.add_argument(
        "--inbox-port",
        type=int,
        default=defaults.inbox,
        help="mail inbox web port (env BOOKSHOP_PORT_INBOX)",
    )
    up.add_argument(
        "--var",
        type=Path,
        default=Path(os.environ.get("BOOKSHOP_VAR_DIR", "var")),
        help="folder for databases, queues, mail and media (env BOOKSHOP_VAR_DIR)",
    )
    up.add_argument(
        "--no-demo",
        dest="demo",
        action="store_false",
        default=env_flag("BOOKSHOP_DEMO", default=True),
        help="do not put the demo catalogue (100 public-domain books) in an empty store; "
        "a store that has books is never touched either way (env BOOKSHOP_DEMO=0)",
    )
    up.add_argument(
        "--debug-toolbar",
        action="store_true",
        help="show Django Debug Toolbar on the shop's pages to browsers on this machine "
        "(a page's queries, templates, settings); needs the dev extra: pip install -e '.[dev]'",
    )
    up.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per service")
    up.add_argument("--worker-concurrency", type=int, default=2, help="Celery worker processes")

    mail = commands.add_parser(
        "mail",
        help="run only the mail catcher: SMTP server and web inbox with a MailHog-style API",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    mail.add_argument("--host", default="127.0.0.1", help="address to bind")
    mail.add_argument("--smtp-port", type=int, default=1025, help="SMTP port")
    mail.add_argument("--http-port", type=int, default=8025, help="inbox web port")
    mail.add_argument("--maildir", type=Path, default=Path("var/mail"), help="Maildir folder")
    mail.add_argument(
        "--public-host",
        action="append",
        dest="public_hosts",
        metavar="NAME",
        help="a host name the inbox answers besides loopback and --host (repeatable; "
        "default: the comma-separated BOOKSHOP_MAIL_HOSTS)",
    )
    return parser  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # A service's own arguments, --help included, belong to Django, not to argparse.
    if argv and argv[0] in SERVICES:
        return manage(argv[0], argv[1:])
    options = build_parser().parse_args(argv)
    if options.command == "up":
        from bookshop.devserver.runner import UpOptions, up

        if options.debug_toolbar and (problem := debug_toolbar_problem()):
            print(f"bookshop up --debug-toolbar: {problem}", file=sys.stderr)
            return 2

        return up(
            UpOptions(
                endpoints=Endpoints(
                    host=options.host,
                    shop=options.shop_port,
                    store=options.store_port,
                    smtp=options.smtp_port,
                    inbox=options.inbox_port,
                ),
                var_dir=options.var.resolve(),
                web_workers=options.web_workers,
                worker_concurrency=options.worker_concurrency,
                demo=options.demo,
                debug_toolbar=options.debug_toolbar,
            )
        )
    if options.command == "mail":
        from bookshop.devserver.mail import serve

        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
        serve(
            host=options.host,
            smtp_port=options.smtp_port,
            http_port=options.http_port,
            maildir=options.maildir.resolve(),
            public_hosts=options.public_hosts,
        )
        return 0
    raise AssertionError(options.command)  # argparse rejects anything else
