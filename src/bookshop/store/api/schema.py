"""How the OpenAPI document (docs/store-api.yaml) is derived from the views.

Rules that hold for every operation live here rather than on each view:

- Error answers: each operation lists the 4xx answers it can really give, read off the view
  (a body → 400, 413, 415; authentication → 401; a role → 403; an id in the path or a
  cursor → 404; anonymous access → 429; any → 406), each with its JSON body.
- Only GET lists are paginated and filtered; a POST answering a list answers a plain one.
- An optional query parameter given empty counts as absent (`allowEmptyValue`).
- Strings in request bodies state what the fields take: no NUL characters, and for the
  ones that may not be blank, some character that is not whitespace (DRF trims them).
"""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from uritemplate import variables

from bookshop.store.api.fields import NO_NUL, NOT_BLANK, NOT_EMPTY

_MESSAGES = {"type": "array", "items": {"type": "string"}}
COMPONENTS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object",
        "description": "Why the request was refused, in a sentence.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrors": {
        "type": "object",
        "description": "Messages per field. A list's errors are keyed by the item's index "
        '(`{"items": {"0": {"quantity": ["…"]}}}`), errors about the list as a whole by '
        "`non_field_errors`; errors about no one field are under `non_field_errors` or "
        "`detail`.",
        "additionalProperties": {
            "oneOf": [
                _MESSAGES,
                {
                    "type": "object",
                    "additionalProperties": {
                        "oneOf": [
                            _MESSAGES,
                            {"type": "object", "additionalProperties": _MESSAGES},
                        ]
                    },
                },
            ]
        },
    },
}
_REF = "#/components/schemas/{}"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(name)}


class StoreAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema with the rules above."""

    # -- lists ----------------------------------------------------------------------------

    def _get_paginator(self) -> Any:
        return super()._get_paginator() if self.method == "GET" else None

    def get_filter_backends(self) -> list[Any]:
        return super().get_filter_backends() if self.method == "GET" else []

    def _get_parameters(self) -> list[dict[str, Any]]:
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter["in"] == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return parameters

    # -- request bodies -------------------------------------------------------------------

    def _map_serializer_field(
        self, field: Any, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.ListSerializer) and direction == "request":
            if not field.allow_empty:
                schema["minItems"] = max(schema.get("minItems", 0), 1)
            # max_length is DRF's (3.14+), missing from its stubs.
            max_length = getattr(field, "max_length", None)
            if max_length is not None:
                schema["maxItems"] = max_length
        return schema

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        # After drf-spectacular's own field validators, which would otherwise turn a blank-
        # allowing field with a pattern into a oneOf that "" matches twice (so fails).
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request":
            for name, field in serializer.fields.items():
                if name in schema.get("properties", {}):
                    self._state_input_rules(field, schema["properties"][name])
            schema.update(getattr(serializer, "schema_extra", {}))
        return schema

    @staticmethod
    def _state_input_rules(field: Any, schema: dict[str, Any]) -> None:
        if (
            isinstance(field, serializers.CharField)
            and not isinstance(field, serializers.EmailField)
            and schema.get("type") == "string"
            and "pattern" not in schema
        ):
            if field.allow_blank:
                schema["pattern"] = NO_NUL
            else:
                schema["pattern"] = NOT_BLANK if field.trim_whitespace else NOT_EMPTY
                schema["minLength"] = max(schema.get("minLength", 0), 1)
        schema.update(getattr(field, "schema_extra", {}))

    # -- error answers --------------------------------------------------------------------

    def _error_codes(self) -> dict[str, str]:
        view = self.view
        has_body = self.method in ("POST", "PUT", "PATCH")
        is_list = self.method == "GET" and self._is_list_view()
        permissions = {type(permission) for permission in view.get_permissions()}
        codes: dict[str, str] = {}
        if has_body or is_list:
            codes["400"] = (
                "Invalid input: messages per field, or `detail` when the body cannot be read."
            )
        if view.get_authenticators():
            codes["401"] = "No valid credentials: none sent, or a token that does not exist."
        if permissions - {AllowAny, IsAuthenticated}:
            codes["403"] = "The account's role may not do this."
        missing = []
        if variables(self.path):
            missing.append("what the path names does not exist (or is not the account's)")
        if is_list and self._get_paginator():
            missing.append("the cursor is not one the API made")
        if missing:
            codes["404"] = "Not found: " + ", or ".join(missing) + "."
        codes["406"] = "The Accept header rules out application/json."
        if has_body:
            limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE).replace("\xa0", " ")
            codes["413"] = f"The body is larger than {limit}."
            codes["415"] = "The body is not " + " or ".join(self.map_parsers()) + "."
        if AllowAny in permissions and view.get_throttles():
            codes["429"] = (
                "Too many requests from this address without credentials; "
                "wait as many seconds as Retry-After says."
            )
        return codes

    def _error_schema(self, code: str) -> dict[str, Any]:
        for name, schema in COMPONENTS.items():
            self.registry.register_on_missing(
                ResolvedComponent(
                    name=name, type=ResolvedComponent.SCHEMA, object=f"store-{name}", schema=schema
                )
            )
        if code == "400":
            return {"oneOf": [_ref("ValidationErrors"), _ref("Error")]}
        return _ref("Error")

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code, description in self._error_codes().items():
            response = responses.setdefault(code, {"description": description})
            response.setdefault(
                "content", {"application/json": {"schema": self._error_schema(code)}}
            )
            if code == "429":
                response["headers"] = {
                    "Retry-After": {
                        "schema": {"type": "integer"},
                        "description": "Seconds until the next request is allowed.",
                    }
                }
        return dict(sorted(responses.items()))


class PublicImageFieldExtension(OpenApiSerializerFieldExtension):
    """A book's `image`: read, a URL or null; written in JSON, only null (which removes the
    cover: files come in multipart bodies, where `BookUploadSerializer` describes it)."""

    target_class = "bookshop.store.api.serializers.PublicImageField"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        if direction == "request":
            # Nothing but the null that `allow_null` adds.
            return {"not": {}}
        return {"type": "string", "format": "uri"}


class SubjectsFieldExtension(OpenApiSerializerFieldExtension):
    """A book's `subjects`: read as `{name, slug}` objects, written as names."""

    target_class = "bookshop.store.api.serializers.SubjectsField"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        from bookshop.store.api.serializers import MAX_SUBJECTS_PER_BOOK

        if direction == "request":
            return {
                "type": "array",
                "maxItems": MAX_SUBJECTS_PER_BOOK,
                "items": {
                    "type": "string",
                    "maxLength": 100,
                    "pattern": "^[^\\u0000]*[A-Za-z0-9][^\\u0000]*$",
                },
                "description": "Subject names; in a multipart form, one field with the "
                "names separated by semicolons.",
            }
        return {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "slug": {"type": "string", "pattern": "^[-a-z0-9_]+$"},
                },
                "required": ["name", "slug"],
            },
        }


class FormSubjectsFieldExtension(OpenApiSerializerFieldExtension):
    """A multipart book's `subjects`: one text, names separated by semicolons, each with a
    letter A-Z or a digit; blank clears them. At most 20 names of 100 characters each
    (beyond what a pattern says sensibly)."""

    target_class = "bookshop.store.api.serializers.FormSubjectsField"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        name = "[^;\\u0000]*[A-Za-z0-9][^;\\u0000]*"
        return {"type": "string", "pattern": f"^(\\s*|{name}(;{name})*)$"}
