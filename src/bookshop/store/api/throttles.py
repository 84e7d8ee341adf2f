"""The Store API's throttle, counting clients by the address the lockout counts them by.

DRF's AnonRateThrottle identifies a client by X-Forwarded-For as sent (with no
NUM_PROXIES), so a client that sends a new X-Forwarded-For with every request is a new
client every time and is never throttled. `client_address` trusts only the header the
proxy in front overwrites (CLIENT_IP_HEADER, X-Real-IP behind nginx), else REMOTE_ADDR.
"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle

from bookshop.common.clients import client_address


class ClientAddressAnonThrottle(AnonRateThrottle):
    def get_ident(self, request: Request) -> str:
        return client_address(request._request)
