"""Developer aids of the embedded mode: Django Debug Toolbar, for loopback clients only."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def show_toolbar(request: HttpRequest) -> bool:
    """The toolbar shows a page's queries, settings and templates: only in DEBUG, and only
    to a browser on this machine, even when `bookshop up --host 0.0.0.0` lets others in."""
    if not settings.DEBUG:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False
