"""Serializer fields that take what the schema says and nothing else.

DRF's fields are lenient: "12" is an integer, 12 a string, "yes" a boolean, "1e1" or
" 7 " a price, and a UUID may come in four spellings. The schema says otherwise, so a
client that follows it never learns which shortcuts happen to work. In a JSON body each
value here must have the JSON type the schema gives it; in a multipart form (the book
endpoints, for covers) every value is text, as forms are.

Patterns and lengths reach the schema through `bookshop.store.api.schema`; a field's
`schema_extra` adds what the schema cannot read off the field itself.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django.utils.datastructures import MultiValueDict
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

# Python's str.isspace() characters, which DRF's trimming strips (a test checks the list).
PYTHON_WHITESPACE = (
    "\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000"
)
# JSON Schema patterns of strings (searched, so anchored): DRF refuses NUL characters.
NO_NUL = "^[^\\u0000]*$"
NOT_BLANK = f"^[^\\u0000]*[^\\u0000{PYTHON_WHITESPACE}][^\\u0000]*$"
NOT_EMPTY = "^[^\\u0000]+$"
MONEY_PATTERN = r"^[0-9]{1,8}(\.[0-9]{1,2})?$"
_MONEY = re.compile(MONEY_PATTERN)
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_UUID = re.compile(UUID_PATTERN)


def in_form(field: serializers.Field) -> bool:
    """Whether the body this field reads is a form (every value a string), not JSON."""
    return isinstance(getattr(field.root, "initial_data", None), MultiValueDict)


def _json_type_is(data: Any, kind: type) -> bool:
    # bool is an int in Python, never in JSON.
    return isinstance(data, kind) and not (kind is not bool and isinstance(data, bool))


class Text(serializers.CharField):
    """A string, trimmed; `max_length` counts what the client sent, as the schema's
    `maxLength` does, not what is left after trimming."""

    def run_validation(self, data: Any = empty) -> Any:
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().run_validation(data)

    def to_internal_value(self, data: Any) -> str:
        if not _json_type_is(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CheckedText(Text):
    """Text whose blankness a service judges, with its own message; the schema still says
    it may not be blank."""

    schema_extra: ClassVar[dict[str, Any]] = {"pattern": NOT_BLANK, "minLength": 1}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_blank=True, **kwargs)


class Email(serializers.EmailField):
    def to_internal_value(self, data: Any) -> str:
        if not _json_type_is(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class WholeNumber(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        if not in_form(self) and not _json_type_is(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class Flag(serializers.BooleanField):
    """true or false; in a form, the text "true" or "false". A form without the flag keeps
    its default (DRF would read it as false, as a browser omits an unticked checkbox)."""

    default_empty_html = empty

    def get_value(self, dictionary: Any) -> Any:
        if isinstance(dictionary, MultiValueDict) and self.field_name in dictionary:
            # DRF reads an empty form field as a missing one; a flag is true or false.
            return dictionary[self.field_name]
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> bool:
        if in_form(self):
            if data not in ("true", "false"):
                self.fail("invalid")
            return data == "true"
        if not _json_type_is(data, bool):
            self.fail("invalid")
        return data


class IdList(serializers.ListField):
    """Ids, each at most once (the schema says so; the service names any repeated one)."""

    schema_extra: ClassVar[dict[str, Any]] = {"uniqueItems": True}


@extend_schema_field({"type": "string", "enum": ["true", "false"]})
class FormFlag(Flag):
    """A Flag as a multipart form spells it, for the schema of form bodies."""


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": MONEY_PATTERN,
        "example": "12.50",
    }
)
class Money(serializers.DecimalField):
    """An amount as a string: up to 8 digits, then optionally a dot and 1 or 2 decimals."""

    default_error_messages = {
        "invalid": 'Enter an amount such as "12.50": up to 8 digits, at most 2 decimals.'
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=10, decimal_places=2, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not _MONEY.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "format": "uuid", "pattern": UUID_PATTERN})
class UUIDString(serializers.UUIDField):
    """A UUID written as a string in its usual hyphenated form (DRF also takes integers,
    bare hex, braces and URNs)."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not _UUID.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)
