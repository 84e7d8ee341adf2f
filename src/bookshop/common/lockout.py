"""What a locked-out client sees (django-axes calls this, settings.AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKED_OUT = (
    "Too many failed log-in attempts for this account or from your address. Log-in is "
    "locked for {minutes} minutes; please try again later."
)


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """429 Too Many Requests: JSON under /api/, else the service's locked_out.html page.

    The same answer whether or not the password was right, and whether or not the
    account exists: a lockout must not become a way to test either.
    """
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    message = LOCKED_OUT.format(minutes=lockout_minutes())
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": message, "code": "locked_out", "retry_after": seconds}, status=429
        )
    else:
        response = render(request, "locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response
