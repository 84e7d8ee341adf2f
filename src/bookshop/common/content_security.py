"""django-csp's middleware, with the settings' policy built once per process.

django-csp builds the Content-Security-Policy header twice for every answer (the policy
and the report-only one), from the settings, although for nearly every answer nothing
about it differs: that took 7 % of a kept catalogue page's time. An answer whose policy
is the settings' own (no nonce asked for, no per-view change, no exemption) gets the
header built once; every other answer goes through django-csp unchanged.
"""

from __future__ import annotations

import http.client
from functools import cache
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

# What a view's decorators (csp_update, csp_replace, csp_exempt…) leave on its answer.
_PER_RESPONSE = tuple(
    f"_csp_{part}{suffix}"
    for part in ("config", "update", "replace", "exempt")
    for suffix in ("", "_ro")
)
_DEBUG_EXEMPT = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)


@cache
def _settings_headers() -> tuple[tuple[str, str], ...] | None:
    """The headers of the settings' policies, or None when some path is excluded (the
    library then decides per request)."""
    for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        if (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES"):
            return None
    headers = ((HEADER, build_policy()), (HEADER_REPORT_ONLY, build_policy(report_only=True)))
    return tuple((name, value) for name, value in headers if value)


@receiver(setting_changed)
def _forget_policy(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _settings_headers.cache_clear()


class CSPMiddleware(LibraryCSPMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        headers = _settings_headers()
        if (
            headers is None
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_RESPONSE)
            or (settings.DEBUG and response.status_code in _DEBUG_EXEMPT)
        ):
            return super().process_response(request, response)
        for name, value in headers:
            if name not in response:
                response[name] = value
        # As the library does: a nonce asked for after the header went out is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
