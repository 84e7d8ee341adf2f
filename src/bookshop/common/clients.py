"""Who is asking: the client's address, as the lockout and the rate limits count it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's IP address: REMOTE_ADDR, or the header a trusted proxy sets.

    Behind nginx every request comes from nginx, so counting REMOTE_ADDR would lock every
    customer out at once; nginx overwrites X-Real-IP with the address it saw. Trusting
    a header no proxy overwrites would let an attacker choose a new address per request,
    so CLIENT_IP_HEADER is empty unless a proxy is in front (production's default).
    """
    header = settings.CLIENT_IP_HEADER
    if header:
        value = request.headers.get(header, "").split(",")[-1].strip()
        if value:
            return value
    return request.META.get("REMOTE_ADDR", "") or "unknown"
