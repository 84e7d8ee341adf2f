"""The Store API's committed OpenAPI schema (docs/store-api.yaml), read for the shop's tests.

Every canned store reply the shop's tests use is checked against the response its
operation documents, and the store client's types against the schema's properties, so a
fake that drifts from the real API fails a test. Nothing here imports store code: the
committed schema is the whole contract.

The schema is OpenAPI 3.0 or 3.1. Its schemas are turned into plain JSON Schema (2020-12)
once: 3.0's `nullable` becomes a `null` type, local `$ref`s point into one registry
resource, and objects are closed (no property the schema does not list), because the
store's serializers render exactly the fields they declare.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "store-api.yaml"
_BASE = "urn:bookshop:store-api"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Keywords whose values are data, not schemas: left as they are.
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "example", "examples"})
# Keywords whose values map names to schemas.
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "schemas"})
# Errors an operation answers whatever it does; one that documents none of them was
# described before its errors were (see Contract.problems).
_formats = FormatChecker()


@_formats.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    # RFC 3339: a date-time always carries its offset.
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@_formats.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.path))


def _json_schema(node: Any, *, oas30: bool, in_all_of: bool = False) -> Any:
    """One node of the OpenAPI document as JSON Schema 2020-12 (see the module's docstring)."""
    if isinstance(node, list):
        return [_json_schema(item, oas30=oas30) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and value.startswith("#"):
            out[key] = _BASE + value
        elif key in _DATA_KEYWORDS:
            out[key] = value
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _json_schema(sub, oas30=oas30) for name, sub in value.items()}
        elif key == "allOf":
            out[key] = [_json_schema(sub, oas30=oas30, in_all_of=True) for sub in value]
        else:
            out[key] = _json_schema(value, oas30=oas30)
    if "properties" in out and "additionalProperties" not in out and not in_all_of:
        out["additionalProperties"] = False
    if oas30:
        # 3.0's boolean exclusiveMinimum qualifies minimum; 2020-12's is the bound itself.
        for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            if isinstance(out.get(bound), bool) and out.pop(bound) and limit in out:
                out[bound] = out.pop(limit)
        if out.pop("nullable", False):
            if isinstance(out.get("type"), str):
                out["type"] = [out["type"], "null"]
                if "enum" in out:
                    out["enum"] = [*out["enum"], None]
            else:
                out = {"anyOf": [out, {"type": "null"}]}
    return out


@dataclass(frozen=True)
class Operation:
    method: str
    template: str  # the path as the schema writes it, e.g. /api/v1/orders/{id}/
    spec: dict[str, Any]

    def response(self, status: int) -> dict[str, Any] | None:
        """The documented response for `status` (exact, then its range, then default)."""
        responses = self.spec.get("responses") or {}
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                return responses[key]
        return None

    @property
    def responses(self) -> dict[str, Any]:
        return self.spec.get("responses") or {}


class Contract:
    """The committed schema, ready to check bodies against."""

    def __init__(self, document: dict[str, Any]) -> None:
        version = str(document.get("openapi", ""))
        if not version.startswith(("3.0", "3.1")):
            raise ValueError(f"{SCHEMA_FILE}: not an OpenAPI 3.0 or 3.1 document ({version!r})")
        self.document = _json_schema(document, oas30=version.startswith("3.0"))
        self.registry = Registry().with_resource(
            _BASE, Resource.from_contents(self.document, default_specification=DRAFT202012)
        )
        self._resolver = self.registry.resolver(_BASE)
        self.operations = [
            Operation(method, template, spec)
            for template, item in (self.document.get("paths") or {}).items()
            for method, spec in item.items()
            if method in _METHODS
        ]

    # -- finding -------------------------------------------------------------------------

    def operation(self, method: str, path: str) -> Operation | None:
        """The operation that serves `method path` (a literal path beats a template)."""
        path = urlsplit(path).path
        candidates = [op for op in self.operations if op.method == method.lower()]
        for op in candidates:
            if op.template == path:
                return op
        for op in candidates:
            pieces = re.split(r"(\{[^}]+\})", op.template)
            pattern = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in pieces)
            if re.fullmatch(pattern, path):
                return op
        return None

    def response_schema(self, method: str, path: str, status: int) -> dict[str, Any]:
        """The JSON body schema of the documented answer; KeyError when there is none."""
        op = self.operation(method, path)
        response = op.response(status) if op else None
        schema = _json_content(response) if response else None
        if schema is None:
            raise KeyError(f"the schema documents no JSON {status} answer to {method} {path}")
        return schema

    def request_schema(self, method: str, path: str) -> dict[str, Any] | None:
        op = self.operation(method, path)
        body = (op.spec.get("requestBody") or {}) if op else {}
        return _json_content(body)

    # -- checking ------------------------------------------------------------------------

    def errors(self, schema: dict[str, Any], value: Any) -> list[str]:
        """Each way `value` breaks `schema`, with where (empty when it conforms)."""
        validator = Draft202012Validator(schema, registry=self.registry, format_checker=_formats)
        return [
            f"{'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}"
            for error in sorted(validator.iter_errors(value), key=lambda e: list(e.path))
        ]

    def problems(self, *, method: str, path: str, status: int, body: Any) -> list[str]:
        """How a reply of the store (`status` and JSON `body` to `method path`) breaks the
        contract: the operation must exist and document the status, and the body must fit.

        Not checked: 5xx answers, which come from crashes and proxies and are part of no
        contract.
        """
        where = f"{method} {urlsplit(path).path} {status}"
        op = self.operation(method, path)
        if op is None:
            return [f"{where}: no such operation in {SCHEMA_FILE.name}"]
        response = op.response(status)
        if response is None:
            if status >= 500:
                return []
            return [f"{where}: the store does not answer {status} here"]
        schema = _json_content(response)
        if schema is None:
            return [] if body is None else [f"{where}: documented without a body"]
        return [f"{where}: {error}" for error in self.errors(schema, body)]

    # -- reading schemas -----------------------------------------------------------------

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self._resolver.lookup(schema["$ref"]).contents
        return schema

    def branches(self, schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """`schema` and every schema it is made of (allOf, anyOf, oneOf), resolved."""
        schema = self.resolve(schema)
        yield schema
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in schema.get(key, []):
                yield from self.branches(sub)

    def json_types(self, schema: dict[str, Any]) -> set[str]:
        """The JSON types a value of `schema` may have."""
        schema = self.resolve(schema)
        if "type" in schema:
            kinds = schema["type"]
            return {kinds} if isinstance(kinds, str) else set(kinds)
        if "enum" in schema:
            return {_json_type(value) for value in schema["enum"]}
        if "allOf" in schema:
            known = [self.json_types(sub) for sub in schema["allOf"]]
            known = [kinds for kinds in known if "any" not in kinds]
            return set.intersection(*known) if known else {"any"}
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return set.union(*(self.json_types(sub) for sub in schema[key]))
        return {"any"}

    def properties(self, schema: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
        """The properties of an object schema and which are required, over its branches."""
        found: dict[str, Any] = {}
        required: set[str] = set()
        for branch in self.branches(schema):
            found.update(branch.get("properties") or {})
            required.update(branch.get("required") or [])
        return found, required

    def listed(self, method: str, path: str) -> dict[str, Any]:
        """The schema of one result on a page of the paginated list `method path`."""
        properties, _ = self.properties(self.response_schema(method, path, 200))
        return self.items(properties["results"])

    def items(self, schema: dict[str, Any]) -> dict[str, Any]:
        for branch in self.branches(schema):
            if "items" in branch:
                return branch["items"]
        raise KeyError(f"not an array schema: {schema}")

    def mismatches(self, python_type: Any, schema: dict[str, Any], where: str) -> list[str]:
        """How the store client's type `python_type` (a TypedDict, a dataclass, a list, a
        plain type or a union with None) differs from `schema`. A key the client requires
        must be required by the schema; the keys must be the schema's properties."""
        if typing.is_typeddict(python_type) or is_dataclass(python_type):
            return self._object_mismatches(python_type, schema, where)
        expected = _python_json_types(python_type)
        actual = self.json_types(schema)
        problems = []
        if "any" not in actual and expected != actual:
            problems.append(
                f"{where}: the client says {sorted(expected)}, the schema {sorted(actual)}"
            )
        if typing.get_origin(python_type) is list:
            (item_type,) = typing.get_args(python_type)
            problems += self.mismatches(item_type, self.items(schema), f"{where}[]")
        return problems

    def _object_mismatches(self, cls: Any, schema: dict[str, Any], where: str) -> list[str]:
        hints = typing.get_type_hints(cls)
        if is_dataclass(cls):
            required = {f.name for f in fields(cls)}
        else:
            required = set(cls.__required_keys__)
        properties, schema_required = self.properties(schema)
        problems = []
        if set(hints) != set(properties):
            problems.append(
                f"{where}: the client knows {sorted(set(hints) - set(properties))} the schema "
                f"lacks, and lacks {sorted(set(properties) - set(hints))}"
            )
        if required - schema_required:
            problems.append(
                f"{where}: the client requires {sorted(required - schema_required)}, "
                "which the schema lets the store leave out"
            )
        for name in sorted(set(hints) & set(properties)):
            problems += self.mismatches(hints[name], properties[name], f"{where}.{name}")
        return problems


def _json_content(container: dict[str, Any] | None) -> dict[str, Any] | None:
    content = (container or {}).get("content") or {}
    for media_type, entry in content.items():
        if media_type.split(";")[0].strip().endswith("json"):
            return entry.get("schema")
    return None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string" if isinstance(value, str) else type(value).__name__


_PY_JSON = {int: "integer", str: "string", bool: "boolean", float: "number", type(None): "null"}


def _python_json_types(python_type: Any) -> set[str]:
    if isinstance(python_type, types.UnionType) or typing.get_origin(python_type) is typing.Union:
        return set.union(*(_python_json_types(arg) for arg in typing.get_args(python_type)))
    if typing.get_origin(python_type) is list:
        return {"array"}
    if typing.is_typeddict(python_type) or is_dataclass(python_type):
        return {"object"}
    return {_PY_JSON.get(python_type, getattr(python_type, "__name__", str(python_type)))}


@functools.cache
def store_contract() -> Contract:
    """The committed Store API schema, read once per test session."""
    return Contract(yaml.safe_load(SCHEMA_FILE.read_text()))
