import os

import pytest
from django.core.cache.backends.redis import RedisCacheClient

from config.cache import ReusingRedisCache

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="REDIS_URL not set (CI sets it)"
)


@pytest.fixture
def redis_cache():
    cache = ReusingRedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "cache-backend-tests"})
    yield cache
    cache.delete_many(["a", "b", "c"])


def test_one_client_serves_every_call(redis_cache):
    client = redis_cache._cache
    assert client.get_client("a") is client.get_client("b")
    assert client.get_client("a", write=True) is client.get_client("a")


def test_djangos_own_client_builds_one_per_call():
    """What the reuse saves; if Django starts reusing its client, this backend can go."""
    client = RedisCacheClient([os.environ["REDIS_URL"]])
    assert client.get_client("a") is not client.get_client("a")


def test_it_stores_and_reads_as_djangos_redis_cache_does(redis_cache):
    redis_cache.set("a", {"count": 3})
    redis_cache.set_many({"b": [1, 2], "c": "three"})
    assert redis_cache.get("a") == {"count": 3}
    assert redis_cache.get_many(["a", "b", "c", "missing"]) == {
        "a": {"count": 3},
        "b": [1, 2],
        "c": "three",
    }
    redis_cache.delete("a")
    assert redis_cache.get("a", "gone") == "gone"
