"""channels-redis's layer with a bounded pool of Redis connections per process.

channels-redis builds a plain redis-py ConnectionPool: it opens one more connection whenever
every open one is busy and keeps each one open for the life of the process. A thousand phone
sockets closing at once (a thousand group_discard calls) left a thousand idle Redis connections
behind, and Redis's own limit (maxclients, 10,000) is shared by every process of the cluster.
redis-py's BlockingConnectionPool holds at most `max_connections` and lets the next call wait
for one (at most `timeout` seconds) instead of opening another; a group_add or group_discard
holds one for well under a millisecond, so a queue of them drains fast.

channels-redis takes no pool class in its settings, so this subclass builds the pool itself
from the same host entry (only "address" entries: sentinels are not used here).
"""

from __future__ import annotations

import time
from typing import Any

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool


class BoundedRedisChannelLayer(RedisChannelLayer):
    def __init__(self, *args: Any, pool_timeout: float = 10, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pool_timeout = pool_timeout

    def create_pool(self, index: int) -> BlockingConnectionPool:
        host = dict(self.hosts[index])
        address = host.pop("address")
        return BlockingConnectionPool.from_url(address, timeout=self.pool_timeout, **host)

    async def group_add(self, group: str, channel: str) -> None:
        """channels-redis's group_add in one round trip: its ZADD and EXPIRE (the same keys,
        score and expiry) pipelined instead of sent one after the other. Every phone socket
        and projector joins a group when it connects; a room of 300 connecting at once made
        600 round trips of it."""
        assert self.require_valid_group_name(group), "Group name not valid"
        assert self.require_valid_channel_name(channel), "Channel name not valid"
        key = self._group_key(group)
        connection = self.connection(self.consistent_hash(group))
        pipe = connection.pipeline(transaction=False)
        pipe.zadd(key, {channel: time.time()})
        pipe.expire(key, self.group_expiry)
        await pipe.execute()
