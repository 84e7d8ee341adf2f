"""With Redis (BOOKSHOP_TEST_SERVICES=1), the cache keeps one client per server and still
reads and writes through the one connection pool."""

import pytest
from django.core.cache import caches

from bookshop.common.redis_cache import RedisCache

pytestmark = pytest.mark.skipif(
    not isinstance(caches["default"], RedisCache), reason="needs Redis (BOOKSHOP_TEST_SERVICES=1)"
)


def test_one_client_serves_every_call_and_the_values_are_there():
    cache = caches["default"]
    client = cache._cache.get_client(write=True)

    cache.set("kept-client", {"books": 3}, 30)

    assert cache._cache.get_client() is client
    assert cache.get("kept-client") == {"books": 3}
    assert client.connection_pool is cache._cache._get_connection_pool(True)
    cache.delete("kept-client")
    assert cache.get("kept-client") is None
