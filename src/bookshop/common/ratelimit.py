"""Counting requests in fixed windows, in the cache every process of a service shares."""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def rate_limit_hit(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Count one request for `key` in `scope`; True once more than `limit` came within
    the current `window` seconds.

    The default cache is Redis in production and a folder under var/ in the embedded mode
    (never per-process memory), so every gunicorn worker adds to the same count. On the
    file cache two requests at the same instant may count once: the limit is a brake on
    floods, not an exact quota.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # emails never reach the cache
    name = f"ratelimit:{scope}:{digest}"
    cache.add(name, 0, timeout=window)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window)
        count = 1
    return count > limit
