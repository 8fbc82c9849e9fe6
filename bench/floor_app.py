"""The floor's server: a bare ASGI app that relays channels-redis group messages to websockets.

No Django, no middleware, no database: a websocket on /floor/<group> joins <group> on a
RedisChannelLayer and gets every message's "snapshot" as JSON text. What the real app spends
beyond this (authorising, reading and aggregating answers, coalescing) is its overhead.
"""

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from typing import Any

from channels_redis.core import RedisChannelLayer

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

_layer: RedisChannelLayer | None = None


def floor_layer() -> RedisChannelLayer:
    """The layer as the app configures it (same capacity and expiry), under its own prefix."""
    return RedisChannelLayer(
        hosts=[os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")],
        prefix=os.environ.get("CHANNEL_PREFIX", "bench-load") + "-floor",
        capacity=500,
        expiry=30,
    )


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    global _layer
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    if _layer is None:
        _layer = floor_layer()
    layer = _layer
    group = scope["path"].rstrip("/").rsplit("/", 1)[-1]
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    await send({"type": "websocket.accept"})

    async def relay() -> None:
        while True:
            event = await layer.receive(channel)
            # The same work per message as the app's consumer: serialise a dict to JSON.
            await send({"type": "websocket.send", "text": json.dumps(event["snapshot"])})

    relaying = asyncio.create_task(relay())
    try:
        while (await receive())["type"] != "websocket.disconnect":
            pass
    finally:
        relaying.cancel()
        await layer.group_discard(group, channel)
