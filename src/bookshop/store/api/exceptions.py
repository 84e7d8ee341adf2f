"""Turn the services' exceptions into the API's JSON errors."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from bookshop.store.orders.services import InsufficientStock, OrderConflict


def conflict_body(exc: OrderConflict) -> dict:
    """The 409 body: a machine-readable `code`, a sentence, and for short stock the lines."""
    body = {"code": exc.code, "detail": exc.detail}
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


def exception_handler(exc, context):
    """DRF's handler, plus: OrderConflict → 409, a service's ValidationError → 400."""
    if isinstance(exc, OrderConflict):
        return Response(conflict_body(exc), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = serializers.ValidationError(detail)
    return drf_exception_handler(exc, context)
