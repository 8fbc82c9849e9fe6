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
