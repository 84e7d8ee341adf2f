"""Every answer under /api/ is JSON, errors included, whoever makes them.

DRF answers in JSON for the API's own views. Some answers are made before or around
them: an unknown path (or an id that is not a number) resolves to no view, a broken
request can be refused by Django itself, and an unhandled exception becomes a 500
page; with DEBUG on those pages are Django's HTML debug pages.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

API_PREFIX = "/api/"
# Headers of an error answer that still mean something once its body is replaced.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")


def error_response(status: int, detail: str | None = None) -> JsonResponse:
    """The API's error body, `{"detail": "…"}`, with this status."""
    if detail is None:
        try:
            detail = f"{HTTPStatus(status).phrase}."
        except ValueError:
            detail = "Error."
    return JsonResponse({"detail": detail}, status=status)


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Whatever no API route matches (a path, or an id that is not a whole number)."""
    return error_response(404, "Not found.")


def _is_json(response: HttpResponse) -> bool:
    media_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


class JSONErrorsMiddleware:
    """Under /api/, an error answer that is not JSON is replaced by the API's JSON error.

    Outermost, so it sees the pages Django makes from exceptions in any other middleware
    or view (those were already logged where they happened).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path_info.startswith(API_PREFIX)
            and not _is_json(response)
        ):
            replacement = error_response(response.status_code)
            for header in _KEPT_HEADERS:
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response
