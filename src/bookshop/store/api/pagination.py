"""Cursor pagination for every list: stable under inserts, cheap at any depth."""

from __future__ import annotations

import binascii
import re
from base64 import b64decode
from typing import Any
from urllib import parse

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request

_WHOLE_NUMBER = re.compile(r"[0-9]+")


class StoreCursorPagination(CursorPagination):
    """`?page_size=` from 1 to 1000 (default 50); anything else is a 400, not a silent clamp,
    so a client asking for more than it gets finds out at once. A `cursor` the API did not
    make is a 404; an empty one means the first page, like an absent one."""

    page_size = 50
    max_page_size = 1000
    page_size_query_param = "page_size"
    ordering = "id"
    # Rows that share the ordering value are paged by offset; bulk changes can give many
    # rows one updated_at, so allow deep offsets (DRF's default caps them at 1000, and a
    # capped offset pages the same rows again).
    offset_cutoff = 1_000_000

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if (
            not _WHOLE_NUMBER.fullmatch(raw)
            or len(raw) > len(str(self.max_page_size))
            or not 1 <= int(raw) <= self.max_page_size
        ):
            message = f"Enter a whole number from 1 to {self.max_page_size}."
            raise ValidationError({self.page_size_query_param: [message]})
        return int(raw)

    def decode_cursor(self, request: Request) -> Cursor | None:
        """DRF's decoding reads any text as some cursor (`%00` is the first page); this one
        takes only what `encode_cursor` writes: base64 of `o=…&r=1&p=…`, each at most once."""
        encoded = request.query_params.get(self.cursor_query_param)
        if not encoded:
            return None
        try:
            querystring = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
            tokens = parse.parse_qs(querystring, keep_blank_values=True, strict_parsing=True)
        except (ValueError, binascii.Error):
            raise NotFound(self.invalid_cursor_message) from None
        offset, reverse = tokens.get("o", ["0"]), tokens.get("r", ["0"])
        if (
            set(tokens) - {"o", "r", "p"}
            or any(len(values) != 1 for values in tokens.values())
            or not _WHOLE_NUMBER.fullmatch(offset[0])
            or len(offset[0]) > len(str(self.offset_cutoff))
            or int(offset[0]) > self.offset_cutoff
            or reverse[0] not in ("0", "1")
        ):
            raise NotFound(self.invalid_cursor_message)
        position = tokens.get("p", [None])[0]
        # The stubs say int; a position is the text of the ordering field's value.
        return Cursor(offset=int(offset[0]), reverse=reverse[0] == "1", position=position)  # type: ignore[arg-type]

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            # A cursor whose position does not fit the ordering field.
            raise NotFound(self.invalid_cursor_message) from None

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = ["next", "previous", "results"]
        for link in ("next", "previous"):
            paginated["properties"][link].pop("example", None)
        paginated["properties"]["next"]["description"] = "The next page, null on the last."
        paginated["properties"]["previous"]["description"] = "The previous page, null on the first."
        return paginated

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: copy it from a `next` or `previous` "
                "link. A cursor the API did not make is a 404.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {self.max_page_size} "
                f"(default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
