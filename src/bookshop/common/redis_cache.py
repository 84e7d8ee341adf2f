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
    # Django's own attributes, which django-stubs does not declare.
    _pools: dict[int, Any]
    _pool_class: Any
    _pool_options: dict[str, Any]
    _servers: list[str]
    _client: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._kept.get(index)
        if client is None:
            if index not in self._pools:  # as Django's _get_connection_pool makes it
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._kept[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient  # Django sets its own in __init__
