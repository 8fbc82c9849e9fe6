"""One redis-py asyncio client per event loop, for the Redis keys the live layer keeps itself
(the snapshot claims of live.broadcast, the connection caps of live.connection_caps), under
settings.CHANNEL_PREFIX.

Not channels-redis's connections: its `connection()` and `prefix` are internals of the
channel layer, not its API. redis.asyncio connections belong to the loop they opened on (the
tests run several loops), hence one client per loop.
"""

from __future__ import annotations

import asyncio

import redis.asyncio
from django.conf import settings

_clients: dict[int, tuple[asyncio.AbstractEventLoop, redis.asyncio.Redis]] = {}


def redis_client() -> redis.asyncio.Redis:
    """The running loop's client for settings.REDIS_URL (which must be set)."""
    loop = asyncio.get_running_loop()
    owner, client = _clients.get(id(loop), (None, None))
    if owner is not loop or client is None:  # ids of closed loops get reused
        client = redis.asyncio.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
        _clients[id(loop)] = (loop, client)
    return client


def redis_key(*parts: object) -> str:
    """A key of this deployment: CHANNEL_PREFIX, then the parts, colon-separated."""
    return ":".join([settings.CHANNEL_PREFIX, *map(str, parts)])
