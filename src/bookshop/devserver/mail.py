"""`bookshop mail`: the development mail catcher (SMTP in, inbox and JSON API out)."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from types import FrameType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from bookshop.devserver.inbox import InboxApp
from bookshop.devserver.inbox_guard import allowed_hosts, configured_hosts
from bookshop.devserver.mailstore import MailStore

logger = logging.getLogger("bookshop.mail")


class CatchAllHandler:
    """Accepts every message for every recipient and files it in the store."""

    def __init__(self, store: MailStore) -> None:
        self.store = store

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        # The envelope is what the inbox shows as From/To (Bcc recipients appear only
        # there), so it travels with the message as trace headers, like a real MTA's.
        trace = (
            f"X-Peer: {session.peer[0] if session.peer else ''}\r\n"
            f"X-Helo: {session.host_name or ''}\r\n"
            f"X-MailFrom: {envelope.mail_from}\r\n"
            f"X-RcptTo: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode()
        loop = asyncio.get_running_loop()
        key = await loop.run_in_executor(None, self.store.add, trace + content)
        logger.info("received %s from %s for %s", key, envelope.mail_from, envelope.rcpt_tos)
        return "250 Message accepted for delivery"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)


def serve(
    *,
    host: str,
    smtp_port: int,
    http_port: int,
    maildir: Path,
    public_hosts: list[str] | None = None,
) -> None:
    """Run SMTP and HTTP until SIGTERM or SIGINT.

    The inbox answers loopback names, `host` and `public_hosts` (by default the names in
    BOOKSHOP_MAIL_HOSTS) only.
    """
    store = MailStore(maildir)
    hosts = allowed_hosts(host, configured_hosts() if public_hosts is None else public_hosts)
    controller = Controller(
        CatchAllHandler(store),
        hostname=host,
        port=smtp_port,
        enable_SMTPUTF8=True,
        data_size_limit=25 * 1024 * 1024,
    )
    controller.start()
    httpd = make_server(
        host, http_port, InboxApp(store, hosts), server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )  # fmt: skip
    stopped = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    thread = threading.Thread(target=httpd.serve_forever, name="inbox", daemon=True)
    thread.start()
    logger.info(
        "SMTP on %s:%s, inbox on http://%s:%s/ (for host names %s), mail kept in %s",
        host, smtp_port, host, http_port, ", ".join(sorted(hosts)), maildir,
    )  # fmt: skip
    try:
        stopped.wait()
    finally:
        httpd.shutdown()
        httpd.server_close()
        controller.stop()
        logger.info("mail catcher stopped")
