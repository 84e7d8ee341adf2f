"""Turn the services' exceptions, and Django's refusals of a request body, into JSON errors."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.template.defaultfilters import filesizeformat
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from bookshop.store.orders.services import InsufficientStock, OrderConflict


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self) -> None:
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE).replace("\xa0", " ")
        super().__init__(f"The request body is larger than {limit}.")


def conflict_body(exc: OrderConflict) -> dict[str, Any]:
    """The 409 body: a machine-readable `code`, a sentence, and for short stock the lines."""
    body: dict[str, Any] = {"code": exc.code, "detail": exc.detail}
    if isinstance(exc, InsufficientStock):
        body["items"] = [
            {
                "book": s.book_id,
                "title": s.title,
                "requested": s.requested,
                "available": s.available,
            }
            for s in exc.shortages
        ]
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: OrderConflict → 409, a service's ValidationError → 400 with its
    field messages, a body over DATA_UPLOAD_MAX_MEMORY_SIZE → 413, too many form fields → 400.
    """
    if isinstance(exc, OrderConflict):
        return Response(conflict_body(exc), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = serializers.ValidationError(detail)
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent):
        exc = ParseError(f"The form has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields.")
    elif isinstance(exc, TooManyFilesSent):
        exc = ParseError(f"The form has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files.")
    return drf_exception_handler(exc, context)
