"""A real HTTP server on loopback that answers as scripted: faults on purpose, for the
store client's error handling. The e2e suite talks to the real store.

Every reply it serves, and every JSON body the shop sends it, is checked against the
committed Store API schema (tests/shop/store_contract.py); what breaks the contract is kept
in `violations`, and the `fake_store` fixture fails the test with them. A reply that breaks
the contract on purpose says so (`off_contract=True`).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.shop.store_contract import store_contract


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    # True for a reply that breaks the Store API's contract on purpose (a fault to inject).
    off_contract: bool = False


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class FakeStore:
    def __init__(self) -> None:
        self.replies: dict[str, list[Reply]] = {}
        self.seen: list[Seen] = []
        self.violations: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                fake.seen.append(
                    Seen(self.command, self.path, dict(self.headers), self.rfile.read(length))
                )
                path = self.path.split("?", 1)[0]
                queue = fake.replies.get(path) or [Reply(404, {"detail": "Not found."})]
                reply = queue.pop(0) if len(queue) > 1 else queue[0]
                fake.check(fake.seen[-1], reply)
                time.sleep(reply.delay)
                payload = b"" if reply.body is None else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer

            def log_message(self, *args) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address) -> None:
                pass  # a client that gave up (the timeout test) is expected here

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def check(self, seen: Seen, reply: Reply) -> None:
        """Keep every way this exchange breaks the Store API's schema."""
        contract = store_contract()
        request_schema = contract.request_schema(seen.method, seen.path)
        if request_schema is not None and seen.body:
            for error in contract.errors(request_schema, json.loads(seen.body)):
                self.violations.append(f"the shop sent {seen.method} {seen.path}: {error}")
        if not reply.off_contract:
            self.violations += contract.problems(
                method=seen.method, path=seen.path, status=reply.status, body=reply.body
            )

    def reply(self, path: str, *replies: Reply) -> None:
        """Answer requests for `path` with these replies in turn; the last one repeats."""
        self.replies[path] = list(replies)

    def __enter__(self) -> FakeStore:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
