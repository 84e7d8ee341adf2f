"""FastJSONRenderer writes what DRF's JSONRenderer writes, byte for byte."""

import datetime as dt
import uuid
from collections import OrderedDict
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer

from bookshop.store.api.renderers import FastJSONRenderer

UTC = dt.UTC


@pytest.mark.parametrize(
    "data",
    [
        {"a": 1, "b": [True, False, None], "c": "text"},
        OrderedDict([("z", 1), ("a", 2)]),
        {"escapes": "".join(chr(n) for n in range(0x80)) + "\u2028\u2029é😀\ufeff"},
        {"price": Decimal("12.50"), "id": uuid.UUID("12345678-1234-5678-1234-567812345678")},
        {"at": dt.datetime(2026, 12, 3, 8, 1, 2, 345678, tzinfo=UTC)},
        {"at": dt.datetime(2026, 12, 3, 8, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=5)))},
        {"day": dt.date(2026, 12, 3), "time": dt.time(8, 1, 2, 5000), "for": dt.timedelta(1)},
        {"field": [ErrorDetail("This field is required.", code="required")]},
        {"lazy": gettext_lazy("Not found.")},
        {"big": 2**70, 1: "an int key"},
        {"tuple": (1, 2), "float": 1.5, "bytes": b"raw"},
        [],
        "",
    ],
)
def test_the_same_bytes_as_drf(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_an_indent_asked_for_is_drfs_indent():
    data = {"a": [1, {"b": "c"}]}

    for accepted in ("application/json; indent=4", "application/json; indent=2"):
        expected = JSONRenderer().render(data, accepted)
        assert FastJSONRenderer().render(data, accepted) == expected
        assert b"\n" in expected


def test_what_drf_cannot_write_fails_the_same_way():
    with pytest.raises(TypeError):
        JSONRenderer().render({"x": object()})
    with pytest.raises(TypeError):
        FastJSONRenderer().render({"x": object()})


def test_no_body_is_no_bytes():
    assert FastJSONRenderer().render(None) == b""
