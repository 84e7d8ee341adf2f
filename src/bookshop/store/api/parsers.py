"""The API's request bodies: JSON in UTF-8, no deeper than any request of ours needs."""

from __future__ import annotations

import json
import re
from typing import IO, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles, JSONParser, MultiPartParser

# The deepest body the API takes is an order: {"items": [{"book": 1}]}. A few levels more
# leave room, and a fixed limit answers the same whatever stack the server runs on.
MAX_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _check(data: Any) -> None:
    """Raise ParseError for nesting beyond MAX_DEPTH or a string with a lone surrogate
    (valid JSON escapes, yet no database or encoder can store them)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise ParseError("JSON parse error - a string holds a lone UTF-16 surrogate.")
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.")
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)


class StrictJSONParser(JSONParser):
    """DRF's JSON parser, made total: anything a client sends is either data or a 400.

    DRF's own decodes with the charset the client names (an unknown one is a 500) and lets
    a RecursionError from a deeply nested body escape as a 500. JSON is UTF-8 (RFC 8259).
    """

    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        try:
            text = stream.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError("JSON parse error - the body is not UTF-8.") from None
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        _check(data)
        return data


class StrictMultiPartParser(MultiPartParser):
    """DRF's multipart parser, refusing a body without a single named part.

    RFC 2046 wants at least one part, and Django skips parts it cannot read without a word,
    so a garbled body would read as an empty form (a PATCH that changes nothing, answered 200).
    """

    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None
    ) -> DataAndFiles:
        result = super().parse(stream, media_type, parser_context)
        if not result.data and not result.files:
            raise ParseError("Multipart form parse error - the body has no fields.")
        return result
