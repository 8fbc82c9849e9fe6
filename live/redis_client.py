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
        # A bounded pool that waits for a free connection (as the channel layer's,
        # live/channel_layer.py): a thousand sockets connecting at once must neither open a
        # thousand connections nor fail open on a full pool.
        pool = redis.asyncio.BlockingConnectionPool.from_url(
            settings.REDIS_URL,
            max_connections=settings.REDIS_POOL_MAX_CONNECTIONS,
            timeout=2,
            socket_timeout=2,
            socket_connect_timeout=2,
        )
        client = redis.asyncio.Redis(connection_pool=pool)
        _clients[id(loop)] = (loop, client)
    return client


def redis_key(*parts: object) -> str:
    """A key of this deployment: CHANNEL_PREFIX, then the parts, colon-separated."""
    return ":".join([settings.CHANNEL_PREFIX, *map(str, parts)])
