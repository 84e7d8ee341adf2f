"""Django's Redis cache, with one redis-py client per server kept instead of one per call.

Django's RedisCacheClient makes a new `redis.Redis` for every cache call (its connection
pool is kept; the client object, which builds a table of reply callbacks, is not): 15 %
of a session read. A client holds no connection of its own and is safe to share between
threads, so one per server is kept.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis


class KeptClientRedisCacheClient(redis.RedisCacheClient):
    # Django's own attribute, which django-stubs does not declare.
    _client: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: dict[int, Any] = {}  # by id() of Django's pool, which it keeps

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._kept.get(id(pool))
        if client is None:
            client = self._kept[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient  # Django sets its own in __init__
