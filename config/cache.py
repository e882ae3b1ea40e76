"""Django's Redis cache, with one Redis client per connection pool instead of one per
cache call.

Django's client builds a new redis.Redis for every get or set; building one costs about
as much as the round trip to Redis itself, and the public pages make one or two cache
calls each. A redis.Redis holds no state of its own beyond its pool, so one is reused.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
