"""The store's date-times, read one way by every sync."""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime

from bookshop.shop.store_client import StoreMalformed


def store_datetime(value: object) -> datetime:
    """The aware datetime of an ISO 8601 date-time the store sent.

    The store writes UTC with an offset; one without an offset is taken as UTC, because a
    cursor compared with the store's own timestamps must be on the store's clock. Anything
    that is not a date-time breaks the contract and raises StoreMalformed.
    """
    try:
        # None for a string that is no date-time; ValueError for one like 2026-13-01.
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise StoreMalformed(f"store sent a date-time that is not ISO 8601: {value!r:.100}")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
