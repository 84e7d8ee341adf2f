"""Where the embedded mode's servers listen, and the settings that let them find each other.

`bookshop up` and `bookshop store|shop <command>` both use this, so a command typed beside
a running `bookshop up` on other ports talks to the right servers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoints:
    host: str = "127.0.0.1"
    shop: int = 8000
    store: int = 8001
    smtp: int = 1025
    inbox: int = 8025

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> Endpoints:
        """BOOKSHOP_HOST and BOOKSHOP_PORT_{SHOP,STORE,SMTP,INBOX}, else the defaults."""
        defaults = cls()
        return cls(
            host=environ.get("BOOKSHOP_HOST", defaults.host),
            shop=int(environ.get("BOOKSHOP_PORT_SHOP", defaults.shop)),
            store=int(environ.get("BOOKSHOP_PORT_STORE", defaults.store)),
            smtp=int(environ.get("BOOKSHOP_PORT_SMTP", defaults.smtp)),
            inbox=int(environ.get("BOOKSHOP_PORT_INBOX", defaults.inbox)),
        )

    def ports(self) -> dict[str, int]:
        return {"shop": self.shop, "store": self.store, "smtp": self.smtp, "inbox": self.inbox}

    def url(self, name: str, path: str = "/") -> str:
        return f"http://{self.host}:{self.ports()[name]}{path}"

    def environ(self, environ: Mapping[str, str]) -> dict[str, str]:
        """`environ` plus the settings that point each service at the others, unless set."""
        result = dict(environ)
        result.setdefault("STORE_API_URL", self.url("store").rstrip("/"))
        result.setdefault("STORE_PUBLIC_URL", self.url("store").rstrip("/"))
        result.setdefault("SHOP_PUBLIC_URL", self.url("shop").rstrip("/"))
        if "EMAIL_URL" not in result:  # a relay named by URL keeps its host and port
            result.setdefault("EMAIL_HOST", self.host)
            result.setdefault("EMAIL_PORT", str(self.smtp))
        hosts = dict.fromkeys([self.host, "127.0.0.1", "localhost", "[::1]"])
        result.setdefault("ALLOWED_HOSTS", ",".join(hosts))
        return result
