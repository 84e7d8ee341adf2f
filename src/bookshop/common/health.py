"""The `/healthz` endpoint: 200 when every dependency answers, 503 otherwise.

The answer names each check and says only "ok" or "fail": it is public (load balancers,
container probes and anyone else may ask), and a failure's reason tends to name paths,
hosts and ports that tell a stranger how the machine is laid out. The reason goes to the
log, where operators look anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

Check = Callable[[], None]

OK = "ok"
FAIL = "fail"


def check_database() -> None:
    """Raise unless the default database answers a query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def healthz_view(**checks: Check) -> Callable[[HttpRequest], JsonResponse]:
    """Build a view that runs each named check and reports them all."""

    @never_cache
    @require_safe
    def healthz(request: HttpRequest) -> JsonResponse:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                check()
            except Exception as exc:
                results[name] = FAIL
                logger.warning("health check %s failed: %s: %s", name, type(exc).__name__, exc)
            else:
                results[name] = OK
        healthy = all(result == OK for result in results.values())
        body = {"status": "ok" if healthy else "unavailable", "checks": results}
        return JsonResponse(body, status=200 if healthy else 503)

    return healthz
