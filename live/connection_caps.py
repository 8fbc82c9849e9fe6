"""At most `limit` open connections per key, across every server process.

One projector key could open any number of websockets, and one participant's cookie any
number of phone sockets: each costs memory, a channel-layer group membership and a share of
every broadcast. `ConnectionCap` counts the open
connections of a key in Redis when the cluster shares one (REDIS_URL), so the cap holds
whichever process a connection lands on, or in this process's memory otherwise (the embedded
default runs one process).

In Redis, a key is a sorted set of connection ids scored by when their claim expires: the
claims of a process's open connections are refreshed every `ttl / 3` seconds and given back
when they close, and a process killed with its connections open frees their places after
`ttl` seconds at the latest. One task per process refreshes all of its claims, in one
pipelined round trip (a task per connection, each with its own round trip, cost every phone
socket a task and a Redis call per 20 s: 2,000 phones, 100 calls a second). Claim, refresh
and clean-up are one Lua script, so two processes claiming the last place at once cannot
both get it. (No library found for a counting semaphore on redis.asyncio that expires the
holders of a crashed process; the script is seven lines.) If Redis cannot be reached the
connection is let in: the channel layer is down then anyway, and a projector must not stay
dark because its counter is.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from redis.asyncio import Redis
from redis.commands.core import AsyncScript

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


@dataclass(eq=False)  # held in a set by identity
class ConnectionCap:
    """Places for the open connections of one key (e.g. a session's projector key)."""

    key: str
    member: str
    limit: int
    ttl: float = 60.0

    @property
    def redis_key(self) -> str:
        return f"{settings.CHANNEL_PREFIX}:conncap:{self.key}"

    async def claim(self) -> bool:
        """Take a place if one is free; while held, it is kept fresh until `release()`."""
        if not await self._claim():
            return False
        _refresher().hold(self)
        return True

    async def release(self) -> None:
        _refresher().drop(self)
        if not settings.REDIS_URL:
            _local[self.key].pop(self.member, None)
            return
        try:
            await redis_client().zrem(self.redis_key, self.member)
        except Exception as error:  # it expires by itself within ttl
            logger.warning("connection cap %s: could not give back a place: %s", self.key, error)

    def _claim_local(self) -> bool:
        now = time.monotonic()
        held = _local[self.key]
        for member, expiry in list(held.items()):
            if expiry <= now:
                del held[member]
        if self.member not in held and len(held) >= self.limit:
            return False
        held[self.member] = now + self.ttl
        return True

    async def _claim(self) -> bool:
        if not settings.REDIS_URL:
            return self._claim_local()
        try:
            claimed = await _claim_script(redis_client())(
                keys=[self.redis_key], args=[self.member, self.limit, int(self.ttl * 1000)]
            )
        except Exception as error:
            logger.warning("connection cap %s: Redis unreachable, let in: %s", self.key, error)
            return True
        return bool(claimed)


@dataclass(eq=False)
class _Refresher:
    """The claims this process holds (on one event loop), refreshed together."""

    loop: asyncio.AbstractEventLoop
    held: set[ConnectionCap] = field(default_factory=set)
    task: asyncio.Task | None = None

    def hold(self, cap: ConnectionCap) -> None:
        self.held.add(cap)
        if self.task is None or self.task.done():
            self.task = self.loop.create_task(self._run())

    def drop(self, cap: ConnectionCap) -> None:
        self.held.discard(cap)

    async def _run(self) -> None:
        while self.held:
            await asyncio.sleep(min(cap.ttl for cap in self.held) / 3)
            try:
                await self.refresh()
            except Exception as error:  # the next round tries again; a claim lives ttl
                logger.warning("connection caps: could not refresh the claims: %s", error)

    async def refresh(self) -> None:
        """Renew every held claim: one pipelined round trip for all of them. A claim that
        lapsed meanwhile is taken again only if its key has room (as before: the script)."""
        caps = list(self.held)
        if not caps:
            return
        if not settings.REDIS_URL:
            for cap in caps:
                cap._claim_local()
            return
        client = redis_client()
        script = _claim_script(client)
        pipe = client.pipeline(transaction=False)
        for cap in caps:
            await script(
                keys=[cap.redis_key],
                args=[cap.member, cap.limit, int(cap.ttl * 1000)],
                client=pipe,
            )
        await pipe.execute()


def _claim_script(client: Redis) -> AsyncScript:
    """The claim script of this client (EVALSHA: the script's text is sent once, not with
    every claim)."""
    script = _scripts.get(id(client))
    if script is None or script.registered_client is not client:
        script = _scripts[id(client)] = client.register_script(_CLAIM)
    return script


_scripts: dict[int, AsyncScript] = {}
_refreshers: dict[int, _Refresher] = {}


def _refresher() -> _Refresher:
    """This event loop's refresher (the tests run several loops; ids of closed ones are
    reused)."""
    loop = asyncio.get_running_loop()
    refresher = _refreshers.get(id(loop))
    if refresher is None or refresher.loop is not loop:
        refresher = _refreshers[id(loop)] = _Refresher(loop=loop)
    return refresher
