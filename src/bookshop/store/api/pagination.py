"""Cursor pagination for every list: stable under inserts, cheap at any depth."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class StoreCursorPagination(CursorPagination):
    """`?page_size=` from 1 to 1000 (default 50); anything else is a 400, not a silent clamp,
    so a client asking for more than it gets finds out at once."""

    page_size = 50
    max_page_size = 1000
    page_size_query_param = "page_size"
    ordering = "id"
    # Rows that share the ordering value are paged by offset; bulk changes can give many
    # rows one updated_at, so allow deep offsets rather than answer "invalid cursor".
    max_cursor_offset = 1_000_000

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        message = f"Enter a whole number from 1 to {self.max_page_size}."
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({self.page_size_query_param: [message]}) from None
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [message]})
        return size

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            # A hand-made cursor whose position does not fit the ordering field.
            raise NotFound(self.invalid_cursor_message) from None
