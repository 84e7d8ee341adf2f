"""Schemathesis hooks for tests/e2e/test_store_api_schema.py (loaded by the `st` process).

Some of the API's rules are beyond what a JSON Schema can say: an ISBN's check digit, that
an upload is really an image, that a book or a copy exists, that a copy suits an order,
that credentials match. A request the schema allows may break one, and then the answer is
a 400 naming the field. The run allows those 400s (schemathesis.toml) and this check makes
sure each such 400 is about one of those rules and nothing else.
"""

from __future__ import annotations

import json

import schemathesis

# Operation → the fields whose rules the schema cannot state (see the module docstring).
RULES_BEYOND_THE_SCHEMA = {
    "POST /api/v1/auth/token/": {"non_field_errors"},  # wrong username or password
    # The ISBN's check digit, an image that is one; a year after next year (the schema's
    # bound is fixed, the calendar moves); in a form, at most 20 subject names of 100
    # characters each in the one semicolon-separated field.
    "POST /api/v1/books/": {"isbn", "image", "published_year", "subjects"},
    "PATCH /api/v1/books/{id}/": {"isbn", "image", "published_year", "subjects"},
    "POST /api/v1/orders/": {"items"},  # unknown books, a book listed twice
    "POST /api/v1/orders/{id}/pack/": {"book_items"},  # copies that do not fit the order
}


@schemathesis.check
def schema_valid_requests_fail_only_rules_beyond_the_schema(ctx, response, case):
    """A 400 to schema-valid data names only fields with rules the schema cannot state."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return
    allowed = RULES_BEYOND_THE_SCHEMA.get(case.operation.label, set())
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    named = set(body) if isinstance(body, dict) else {"<not an object>"}
    if not named <= allowed:
        raise AssertionError(
            f"A request the schema allows got a 400 about {sorted(named - allowed)}: "
            "either the schema should say what the API refuses, or the API should take it."
        )
    return
