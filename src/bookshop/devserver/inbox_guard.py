"""Who may talk to the mail inbox: which Host names it answers, and which posts it takes.

The inbox shows every mail the platform sent, password-reset links included, so it must
not be readable from another site. Three holes are closed here:

- DNS rebinding: a page on attacker.example re-points its own name at 127.0.0.1 and then
  reads the inbox as "same origin". Its requests still carry `Host: attacker.example`, so
  the inbox answers only the loopback names, the address it was bound to and the public
  names it was told about (BOOKSHOP_MAIL_HOSTS, for the compose stack behind nginx).
- Framing: every page says `frame-ancestors 'none'` (and X-Frame-Options DENY), except a
  message's HTML part, which only the inbox's own page frames.
- Cross-site posts (a clickjacked or forged "Delete all"): a post must carry the form
  token of this process, which no other origin can read, and an Origin or Referer, when
  the browser sends one, must be this inbox's own.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
HOSTS_ENV = "BOOKSHOP_MAIL_HOSTS"


def _is_wildcard(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.strip("[]")).is_unspecified
    except ValueError:
        return False


def _normal(host: str) -> str:
    """A host name as compared: lower case, no trailing dot, IPv6 in brackets."""
    host = host.strip().lower().rstrip(".")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return host


def configured_hosts(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The public names from BOOKSHOP_MAIL_HOSTS (comma-separated), if any."""
    return [
        name for name in (part.strip() for part in environ.get(HOSTS_ENV, "").split(",")) if name
    ]


def allowed_hosts(bind_host: str, public_hosts: Iterable[str] = ()) -> frozenset[str]:
    """Loopback names, the bound address unless it is a wildcard, and the public names."""
    names = [*LOOPBACK_HOSTS, *public_hosts]
    if not _is_wildcard(bind_host):
        names.append(bind_host)
    return frozenset(_normal(name) for name in names if name)


def request_host(environ: Mapping[str, Any]) -> str | None:
    """The host name of the request's Host header, without its port; None if absent."""
    header = environ.get("HTTP_HOST", "")
    if not header:
        return None
    try:
        hostname = urlsplit(f"//{header}").hostname
    except ValueError:
        return None
    return _normal(hostname) if hostname else None


def host_allowed(environ: Mapping[str, Any], allowed: frozenset[str]) -> bool:
    host = request_host(environ)
    return host is not None and host in allowed


def same_origin(environ: Mapping[str, Any]) -> bool:
    """False when the browser says the request came from another site.

    Origin is checked first, then Referer; a client that sends neither (curl, a test)
    is judged by the form token alone.
    """
    own = environ.get("HTTP_HOST", "").lower()
    origin = environ.get("HTTP_ORIGIN")
    if origin:
        return origin != "null" and urlsplit(origin).netloc.lower() == own
    referer = environ.get("HTTP_REFERER")
    if referer:
        return urlsplit(referer).netloc.lower() == own
    return environ.get("HTTP_SEC_FETCH_SITE", "same-origin") in ("same-origin", "none")


class FormToken:
    """A secret of this process that every form of the inbox carries."""

    FIELD = "token"

    def __init__(self, value: str | None = None) -> None:
        self.value = value or secrets.token_urlsafe(32)

    def matches(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.value.encode())
