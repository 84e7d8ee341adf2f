"""The mail catcher's web side: an inbox page for people, MailHog's JSON API for programs."""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import xstatic.pkg.bootstrap

from bookshop.devserver.inbox_guard import (
    HOSTS_ENV,
    FormToken,
    allowed_hosts,
    host_allowed,
    same_origin,
)
from bookshop.devserver.mailstore import MailStore, StoredMessage, to_mailhog

# A request's query string, as parse_qs reads it.
Query = dict[str, list[str]]

logger = logging.getLogger("bookshop.mail")

BOOTSTRAP_CSS = Path(xstatic.pkg.bootstrap.BASE_DIR) / "css" / "bootstrap.min.css"

# The page itself runs no script; a message's HTML is shown in a sandboxed frame whose
# document is served with its own CSP sandbox, so a message can never run code here.
# Nothing may frame the inbox (a framed "Delete all" can be clickjacked) except the
# message's HTML part, which the inbox's own message page frames.
PAGE_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; frame-src 'self'; "
    "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
MESSAGE_HTML_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'"
# A form post is a few dozen bytes; anything much longer is not one of ours.
MAX_FORM_BYTES = 4096

# An envelope, inline, so that browsers do not ask for /favicon.ico.
FAVICON = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E"
    "%3Crect x='1' y='3' width='14' height='10' rx='1' fill='%230d6efd'/%3E"
    "%3Cpath d='M1 4l7 5 7-5' stroke='white' fill='none'/%3E%3C/svg%3E"
)

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class Response:
    def __init__(
        self,
        body: bytes | str,
        status: str = "200 OK",
        content_type: str = "text/html; charset=utf-8",
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.body = body.encode() if isinstance(body, str) else body
        self.status = status
        self.headers = [("Content-Type", content_type), *headers]


def json_response(data: Any, status: str = "200 OK") -> Response:
    return Response(json.dumps(data), status, "application/json")


def _int(query: Query, name: str, default: int, maximum: int) -> int:
    try:
        value = int(query.get(name, [default])[0])
    except ValueError:
        return default
    return max(0, min(value, maximum))


def _page(title: str, body: str) -> Response:
    document = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · Bookshop mail</title>
<link rel="icon" href="{FAVICON}">
<link rel="stylesheet" href="/static/bootstrap.min.css">
</head>
<body>
<nav class="navbar bg-dark" data-bs-theme="dark">
  <div class="container"><a class="navbar-brand" href="/">Bookshop mail</a></div>
</nav>
<main class="container py-4">
{body}
</main>
</body>
</html>"""
    return Response(document, headers=[("Content-Security-Policy", PAGE_CSP)])


def _e(value: object) -> str:
    return html.escape(str(value))


class InboxApp:
    """A WSGI application over a MailStore."""

    def __init__(
        self,
        store: MailStore,
        hosts: frozenset[str] | None = None,
        token: FormToken | None = None,
    ) -> None:
        self.store = store
        self.hosts = hosts if hosts is not None else allowed_hosts("127.0.0.1")
        self.token = token or FormToken()
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Response]]] = [
            ("GET", re.compile(r"^/$"), self.inbox_page),
            ("GET", re.compile(r"^/static/bootstrap\.min\.css$"), self.stylesheet),
            ("GET", re.compile(r"^/messages/(?P<key>[^/]+)$"), self.message_page),
            ("GET", re.compile(r"^/messages/(?P<key>[^/]+)/html$"), self.message_html),
            ("GET", re.compile(r"^/messages/(?P<key>[^/]+)/raw$"), self.message_raw),
            ("POST", re.compile(r"^/messages/(?P<key>[^/]+)/delete$"), self.delete_one_form),
            ("POST", re.compile(r"^/delete-all$"), self.delete_all_form),
            ("GET", re.compile(r"^/api/v2/messages$"), self.api_list),
            ("GET", re.compile(r"^/api/v2/search$"), self.api_search),
            ("GET", re.compile(r"^/api/v1/messages/(?P<key>[^/]+)$"), self.api_get),
            ("DELETE", re.compile(r"^/api/v1/messages$"), self.api_delete_all),
            ("DELETE", re.compile(r"^/api/v1/messages/(?P<key>[^/]+)$"), self.api_delete),
        ]

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        try:
            if host_allowed(environ, self.hosts):
                response = self.dispatch(environ)
            else:
                response = self.wrong_host(environ)
        except Exception:
            logger.exception("inbox failed on %s", environ.get("PATH_INFO"))
            response = Response(
                "Internal error; see the log.", "500 Internal Server Error", "text/plain"
            )
        headers = [*response.headers, ("Content-Length", str(len(response.body)))]
        named = {name.lower() for name, _ in headers}
        if "content-security-policy" not in named:
            headers.append(("Content-Security-Policy", OTHER_CSP))
        if "x-frame-options" not in named:
            headers.append(("X-Frame-Options", "DENY"))
        headers.append(("X-Content-Type-Options", "nosniff"))
        if "cache-control" not in named:
            headers.append(("Cache-Control", "no-store"))
        start_response(response.status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [response.body]

    def dispatch(self, environ: dict[str, Any]) -> Response:
        method = environ["REQUEST_METHOD"]
        method = "GET" if method == "HEAD" else method
        path = environ.get("PATH_INFO", "/")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        allowed = set()
        for route_method, pattern, handler in self.routes:
            match = pattern.match(path)
            if not match:
                continue
            if route_method != method:
                allowed.add(route_method)
                continue
            if method in ("POST", "DELETE") and not same_origin(environ):
                return Response("Cross-site requests are refused.", "403 Forbidden", "text/plain")
            if method == "POST" and not self.token.matches(
                self._form(environ).get(FormToken.FIELD)
            ):
                return Response(
                    "This form has expired or did not come from the inbox; reload the page.",
                    "403 Forbidden",
                    "text/plain",
                )
            return handler(query=query, **match.groupdict())
        if allowed:
            return Response(
                "Method not allowed",
                "405 Method Not Allowed",
                "text/plain",
                [("Allow", ", ".join(sorted(allowed)))],
            )
        return self.not_found()

    @staticmethod
    def _form(environ: dict[str, Any]) -> dict[str, str]:
        """The fields of a urlencoded form post (first value of each), or nothing."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return {}
        if not 0 < length <= MAX_FORM_BYTES:
            return {}
        body = environ["wsgi.input"].read(length).decode("latin-1")
        return {name: values[0] for name, values in parse_qs(body).items()}

    def wrong_host(self, environ: dict[str, Any]) -> Response:
        logger.warning("refused a request for host %r", environ.get("HTTP_HOST", ""))
        return Response(
            "This inbox answers only its own host names (loopback, and those listed in "
            f"{HOSTS_ENV}).",
            "400 Bad Request",
            "text/plain",
        )

    def _token_field(self) -> str:
        return f"<input type='hidden' name='{FormToken.FIELD}' value='{_e(self.token.value)}'>"

    def not_found(self) -> Response:
        page = _page("Not found", "<h1 class='h3'>No such message</h1><p><a href='/'>Inbox</a></p>")
        page.status = "404 Not Found"
        return page

    # -- pages for people -----------------------------------------------------------------

    def stylesheet(self, query: Query) -> Response:
        return Response(
            BOOTSTRAP_CSS.read_bytes(),
            content_type="text/css; charset=utf-8",
            headers=[("Cache-Control", "max-age=3600")],
        )

    def inbox_page(self, query: Query) -> Response:
        messages = self.store.all()
        if messages:
            rows = "\n".join(
                f"<tr><td>{_e(m.message.get('From', m.envelope_from))}</td>"
                f"<td>{_e(', '.join(m.envelope_to) or m.message.get('To', ''))}</td>"
                f"<td><a href='/messages/{_e(m.key)}'>{_e(m.subject or '(no subject)')}</a></td>"
                f"<td><time datetime='{m.received.isoformat()}'>"
                f"{m.received.strftime('%Y-%m-%d %H:%M:%S')} UTC</time></td></tr>"
                for m in messages
            )
            table = f"""<div class="table-responsive"><table class="table table-hover align-middle">
<caption>{len(messages)} message{"s" if len(messages) != 1 else ""}, newest first</caption>
<thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Subject</th>
<th scope="col">Received</th></tr></thead>
<tbody>
{rows}
</tbody></table></div>"""
        else:
            table = (
                "<p class='text-body-secondary'>"
                "No messages yet. Mail sent to the SMTP port lands here.</p>"
            )
        body = f"""<div class="d-flex flex-wrap gap-2 justify-content-between
 align-items-center mb-3">
<h1 class="h3 mb-0">Inbox</h1>
<div class="d-flex gap-2">
<a class="btn btn-outline-secondary btn-sm" href="/">Refresh</a>
<form method="post" action="/delete-all">{self._token_field()}
<button class="btn btn-outline-danger btn-sm" type="submit">Delete all</button></form>
</div></div>
{table}"""
        return _page("Inbox", body)

    def message_page(self, query: Query, key: str) -> Response:
        stored = self.store.get(key)
        if stored is None:
            return self.not_found()
        message = stored.message
        header_rows = "".join(
            f"<tr><th scope='row' class='text-nowrap'>{_e(name)}</th>"
            f"<td>{_e(message.get(name, ''))}</td></tr>"
            for name in ("From", "To", "Cc", "Subject", "Date")
            if message.get(name)
        )
        text = stored.text()
        has_html = stored.html() is not None
        sections = []
        if has_html:
            sections.append(
                "<h2 class='h5 mt-4'>HTML</h2>"
                f"<iframe title='HTML part of the message' sandbox src='/messages/{_e(key)}/html' "
                "class='w-100 border rounded bg-white' style='height: 28rem'></iframe>"
            )
        if text is not None:
            sections.append(
                "<h2 class='h5 mt-4'>Plain text</h2>"
                "<pre class='border rounded p-3 bg-body-tertiary' style='white-space: pre-wrap'>"
                f"{_e(text)}</pre>"
            )
        if not sections:
            sections.append("<p>This message has no text or HTML body.</p>")
        body = f"""<p><a href="/">&larr; Inbox</a></p>
<h1 class="h3">{_e(stored.subject or "(no subject)")}</h1>
<table class="table table-sm w-auto"><tbody>{header_rows}
<tr><th scope="row">Received</th><td>{stored.received.strftime("%Y-%m-%d %H:%M:%S")} UTC</td></tr>
</tbody></table>
<div class="d-flex gap-2">
<a class="btn btn-outline-secondary btn-sm" href="/messages/{_e(key)}/raw">Raw source</a>
<form method="post" action="/messages/{_e(key)}/delete">{self._token_field()}
<button class="btn btn-outline-danger btn-sm" type="submit">Delete</button></form>
</div>
{"".join(sections)}"""
        return _page(stored.subject or "Message", body)

    def message_html(self, query: Query, key: str) -> Response:
        stored = self.store.get(key)
        content = stored.html() if stored else None
        if content is None:
            return self.not_found()
        return Response(
            content,
            headers=[
                ("Content-Security-Policy", MESSAGE_HTML_CSP),
                ("X-Frame-Options", "SAMEORIGIN"),
            ],
        )

    def message_raw(self, query: Query, key: str) -> Response:
        stored = self.store.get(key)
        if stored is None:
            return self.not_found()
        return Response(stored.raw, content_type="text/plain; charset=utf-8")

    def delete_one_form(self, query: Query, key: str) -> Response:
        self.store.delete(key)
        return Response(b"", "303 See Other", headers=[("Location", "/")])

    def delete_all_form(self, query: Query) -> Response:
        self.store.clear()
        return Response(b"", "303 See Other", headers=[("Location", "/")])

    # -- MailHog's API ----------------------------------------------------------------------

    def _listing(self, messages: list[StoredMessage], query: Query) -> Response:
        start = _int(query, "start", 0, 10**9)
        limit = _int(query, "limit", 50, 1000)
        page = messages[start : start + limit]
        return json_response(
            {
                "total": len(messages),
                "count": len(page),
                "start": start,
                "items": [to_mailhog(message) for message in page],
            }
        )

    def api_list(self, query: Query) -> Response:
        return self._listing(self.store.all(), query)

    def api_search(self, query: Query) -> Response:
        kind = query.get("kind", [""])[0]
        text = query.get("query", [""])[0]
        if kind not in ("from", "to", "containing") or not text:
            return json_response(
                {"error": "kind must be from, to or containing, and query must be given"},
                "400 Bad Request",
            )
        return self._listing([m for m in self.store.all() if m.matches(kind, text)], query)

    def api_get(self, query: Query, key: str) -> Response:
        stored = self.store.get(key)
        if stored is None:
            return json_response({"error": "not found"}, "404 Not Found")
        return json_response(to_mailhog(stored))

    def api_delete_all(self, query: Query) -> Response:
        self.store.clear()
        return json_response({"deleted": True})

    def api_delete(self, query: Query, key: str) -> Response:
        if not self.store.delete(key):
            return json_response({"error": "not found"}, "404 Not Found")
        return json_response({"deleted": True})
