"""JSON written by orjson, with the very bytes DRF's JSONRenderer writes.

For a 500-book page the standard library's encoder is a few milliseconds of the server
time, orjson a tenth of that. drf-orjson-renderer was considered: its fallbacks differ from
DRF's (a Decimal becomes a string, not a number; an unknown type becomes null instead of
an error), so the body would change with the library; this class keeps DRF's encoder for
whatever orjson does not write itself, and DRF's own rendering for the rare cases orjson
would spell differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer

# DRF escapes these two so that its JSON is also valid JavaScript; orjson writes them raw.
_LINE_SEPARATOR = ("\u2028".encode(), b"\\u2028")
_PARAGRAPH_SEPARATOR = ("\u2029".encode(), b"\\u2029")


class FastJSONRenderer(JSONRenderer):
    """DRF's compact, UTF-8 JSON (its settings' defaults), rendered by orjson."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        if (
            not self.compact
            or self.ensure_ascii
            or not self.strict
            or self.get_indent(accepted_media_type or "", renderer_context or {}) is not None
        ):
            # Spellings orjson does not offer (`indent=4`, ASCII only, NaN allowed).
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(
                data,
                default=self.encoder_class().default,
                # DRF writes datetimes its own way (milliseconds, "Z"); its encoder does that.
                option=orjson.OPT_PASSTHROUGH_DATETIME,
            )
        except orjson.JSONEncodeError:
            # Integers beyond 64 bits, keys that are not strings…: DRF's answer, the body
            # or the error it gives. (A float NaN is the one thing orjson writes, as null,
            # where DRF refuses; no book field is a float.)
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80" in body:
            body = body.replace(*_LINE_SEPARATOR).replace(*_PARAGRAPH_SEPARATOR)
        return body
