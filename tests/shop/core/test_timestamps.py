"""Reading the store's date-times: the one parser both syncs use."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bookshop.shop.core.timestamps import store_datetime
from bookshop.shop.store_client import StoreMalformed


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-01T10:00:00Z", datetime(2026, 1, 1, 10, tzinfo=UTC)),
        ("2026-01-01T10:00:00.123456+00:00", datetime(2026, 1, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        (
            "2026-01-01T12:00:00+02:00",
            datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2026-01-01T10:00:00", datetime(2026, 1, 1, 10, tzinfo=UTC)),  # no zone: UTC
    ],
)
def test_store_date_times_are_read_as_aware_datetimes(value, expected):
    parsed = store_datetime(value)

    assert parsed == expected
    assert parsed.utcoffset() is not None


@pytest.mark.parametrize("value", ["yesterday", "", "2026-13-01T00:00:00Z", None, 1767261600])
def test_anything_else_breaks_the_contract(value):
    with pytest.raises(StoreMalformed, match="not ISO 8601"):
        store_datetime(value)
