"""At most `limit` open connections per key, across every server process.

One projector key could open any number of websockets, and one participant's cookie any
number of phone sockets: each costs memory, a channel-layer group membership and a share of
every broadcast. `ConnectionCap` counts the open
connections of a key in Redis when the cluster shares one (REDIS_URL), so the cap holds
whichever process a connection lands on, or in this process's memory otherwise (the embedded
default runs one process).

In Redis, a key is a sorted set of connection ids scored by when their claim expires: a
connection refreshes its claim every `ttl / 3` seconds while it is open and gives it back when
it closes, and a process killed with its connections open frees their places after `ttl`
seconds at the latest. Claim, refresh and clean-up are one Lua script, so two processes
claiming the last place at once cannot both get it. (No library found for a counting
semaphore on redis.asyncio that expires the holders of a crashed process; the script is
seven lines.) If Redis cannot be reached the connection is let in: the channel layer is down
then anyway, and a projector must not stay dark because its counter is.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings

from live.redis_client import redis_client

logger = logging.getLogger(__name__)

# KEYS[1]: the set; ARGV: member, limit, ttl in ms. Returns 1 if the member holds a place.
_CLAIM = """
local clock = redis.call('TIME')
local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not held and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""

_local: dict[str, dict[str, float]] = defaultdict(dict)  # without Redis: key -> member -> expiry


@dataclass
class ConnectionCap:
    """Places for the open connections of one key (e.g. a session's projector key)."""

    key: str
    member: str
    limit: int
    ttl: float = 60.0
    _refresher: asyncio.Task | None = None

    @property
    def redis_key(self) -> str:
        return f"{settings.CHANNEL_PREFIX}:conncap:{self.key}"

    async def claim(self) -> bool:
        """Take a place if one is free; while held, it is kept fresh until `release()`."""
        if not await self._claim():
            return False
        self._refresher = asyncio.get_running_loop().create_task(self._refresh())
        return True

    async def release(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            self._refresher = None
        if not settings.REDIS_URL:
            _local[self.key].pop(self.member, None)
            return
        try:
            await redis_client().zrem(self.redis_key, self.member)
        except Exception as error:  # it expires by itself within ttl
            logger.warning("connection cap %s: could not give back a place: %s", self.key, error)

    async def _claim(self) -> bool:
        if not settings.REDIS_URL:
            now = time.monotonic()
            held = _local[self.key]
            for member, expiry in list(held.items()):
                if expiry <= now:
                    del held[member]
            if self.member not in held and len(held) >= self.limit:
                return False
            held[self.member] = now + self.ttl
            return True
        try:
            claimed = await redis_client().eval(
                _CLAIM, 1, self.redis_key, self.member, self.limit, int(self.ttl * 1000)
            )
        except Exception as error:
            logger.warning("connection cap %s: Redis unreachable, let in: %s", self.key, error)
            return True
        return bool(claimed)

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(self.ttl / 3)
            await self._claim()
