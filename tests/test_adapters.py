"""What the app relies on in its libraries beyond their documented API, each pinned here, so
that an upgrade that moves it fails in this file by name instead of silently changing
behaviour (a deferred broadcast that never runs, a header limit that no longer holds).

One test per adapter:
- live/consumers.py `_in_tap_thread`: asgiref's sync_to_async with an executor of our own, and
  async_to_sync inside it running on the server's loop (live.server_loop tells which loop).
- live/consumers.py `NoDbDispatchMixin`: channels' consumer dispatch by handler name.
- scentiss/handler.py `OneHopASGIHandler`: Django's ASGIHandler hooks it overrides.
- scentiss/transport.py `HttpToolsProtocol`: uvicorn's httptools protocol, its callbacks and
  its request cycle; `WebSocketProtocol`: uvicorn's sans-I/O websockets protocol and the
  websockets library's ServerProtocol under it.
- scentiss/staticfinders.py `PlotlyFinder`: the storage `prefix` attribute that collectstatic
  and WhiteNoise read.
"""

import asyncio
import inspect
import threading

from asgiref.sync import async_to_sync

from live.server_loop import on_server_loop, server_loop_remember


async def test_sync_code_in_a_tap_thread_reaches_the_servers_loop():
    """A tap's service runs in the tap threads; the broadcast it triggers after commit
    (async_to_sync) must run on the server's loop, where its deferred tick outlives the tap,
    and must know that it does."""
    from live.consumers import _in_tap_thread

    server_loop_remember()
    seen: dict = {}

    async def probe() -> None:
        seen["loop"] = asyncio.get_running_loop()
        seen["on_server_loop"] = on_server_loop()

    def service() -> str:
        seen["thread"] = threading.current_thread().name
        async_to_sync(probe)()
        return "saved"

    assert await _in_tap_thread(service) == "saved"
    assert seen["thread"].startswith("scentiss-taps")
    assert seen["loop"] is asyncio.get_running_loop()
    assert seen["on_server_loop"] is True


def test_sync_code_outside_a_server_runs_its_broadcast_on_a_loop_of_its_own():
    """A management command or a sync test: async_to_sync runs a loop that ends with the
    call, which must not be taken for the server's (the tick would never run)."""
    seen: dict = {}

    async def probe() -> None:
        seen["on_server_loop"] = on_server_loop()

    async_to_sync(probe)()
    assert seen == {"on_server_loop": False}


def test_channels_dispatches_by_the_handler_name_the_override_uses():
    """NoDbDispatchMixin replaces channels' dispatch (which hops to a thread for
    close_old_connections before every message) with a lookup by handler name."""
    from channels.consumer import AsyncConsumer, get_handler_name

    from live.consumers import LiveResultsConsumer, NoDbDispatchMixin

    assert get_handler_name({"type": "websocket.receive"}) == "websocket_receive"
    assert get_handler_name({"type": "results.snapshot"}) == "results_snapshot"
    assert list(inspect.signature(AsyncConsumer.dispatch).parameters) == ["self", "message"]
    assert LiveResultsConsumer.dispatch is NoDbDispatchMixin.dispatch


def test_djangos_asgi_handler_has_the_hooks_the_one_hop_handler_overrides():
    from django.core.handlers.asgi import ASGIHandler

    from scentiss.handler import OneHopASGIHandler

    assert list(inspect.signature(ASGIHandler.load_middleware).parameters) == [
        "self",
        "is_async",
    ]
    assert inspect.iscoroutinefunction(ASGIHandler.get_response_async)
    assert list(inspect.signature(ASGIHandler.get_response_async).parameters) == [
        "self",
        "request",
    ]
    # The handler's __call__ still goes through get_response_async (not the sync path).
    assert "get_response_async" in inspect.getsource(ASGIHandler)
    assert OneHopASGIHandler.get_response_async is not ASGIHandler.get_response_async


def test_uvicorns_httptools_protocol_has_what_the_transport_limits_use():
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

    import scentiss.transport as transport

    for name in (
        "connection_made",
        "connection_lost",
        "data_received",
        "on_headers_complete",
        "on_response_complete",
    ):
        assert callable(getattr(HttpToolsProtocol, name)), name
    # The protocol keeps the request in progress as `cycle` (None between requests) and the
    # cycle says when its response is complete.
    init = inspect.getsource(HttpToolsProtocol.__init__)
    assert "self.cycle" in init
    assert "response_complete" in inspect.getsource(RequestResponseCycle.__init__)
    assert "self.loop" in init and "self.transport" in inspect.getsource(HttpToolsProtocol)
    assert issubclass(transport.HttpToolsProtocol, HttpToolsProtocol)
    # The upgrade is handed to `ws_protocol_class`, uvicorn's sans-I/O websockets protocol by
    # default, which transport.WebSocketProtocol replaces.
    assert "self.ws_protocol_class" in init


def test_uvicorns_websockets_protocol_has_what_the_handshake_answers_use():
    """transport.WebSocketProtocol answers a handshake the websockets library refused and caps
    message sizes through the library's ServerProtocol (`conn`) and uvicorn's flags."""
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    from websockets.server import ServerProtocol

    import scentiss.transport as transport

    source = inspect.getsource(WebSocketsSansIOProtocol)
    for attribute in ("self.conn", "handshake_initiated", "handshake_complete", "close_sent"):
        assert attribute in source, attribute
    assert "ServerProtocol(" in source
    protocol = ServerProtocol()
    assert protocol.handshake_exc is None
    assert callable(protocol.data_to_send)
    assert hasattr(protocol, "max_message_size")
    assert issubclass(transport.WebSocketProtocol, WebSocketsSansIOProtocol)


def test_collectstatic_and_whitenoise_read_a_storages_prefix():
    """PlotlyFinder serves static/plotly/plotly.min.js by setting `prefix` on its storage, as
    Django's FileSystemFinder does; collectstatic and WhiteNoise (WHITENOISE_USE_FINDERS) read
    it with getattr, so a rename would put the file at /static/plotly.min.js silently."""
    from django.contrib.staticfiles.management.commands import collectstatic
    from whitenoise import middleware

    from scentiss.staticfinders import PlotlyFinder

    assert 'getattr(storage, "prefix", None)' in inspect.getsource(collectstatic.Command.collect)
    assert 'getattr(storage, "prefix", None)' in inspect.getsource(
        inspect.unwrap(middleware.WhiteNoiseMiddleware.add_files_from_finders)  # see conftest
    )
    [(path, storage)] = list(PlotlyFinder().list([]))
    assert (storage.prefix, path) == ("plotly", "plotly.min.js")


def test_channels_redis_builds_its_pools_through_the_hook_the_bounded_layer_overrides():
    """live/channel_layer.py's BoundedRedisChannelLayer overrides channels-redis's
    `create_pool(index)`, reading `self.hosts[index]`, to bound the Redis connections of a
    process; a rename would silently bring back a pool that grows for good."""
    import channels_redis.core
    from channels_redis.core import RedisChannelLayer
    from redis.asyncio import BlockingConnectionPool

    from live.channel_layer import BoundedRedisChannelLayer

    assert list(inspect.signature(RedisChannelLayer.create_pool).parameters) == ["self", "index"]
    assert "channel_layer.create_pool(index)" in inspect.getsource(channels_redis.core)
    layer = BoundedRedisChannelLayer(
        hosts=[{"address": "redis://127.0.0.1:6379/0", "max_connections": 7}]
    )
    assert layer.hosts[0]["address"] == "redis://127.0.0.1:6379/0"
    pool = layer.create_pool(0)
    assert isinstance(pool, BlockingConnectionPool)
    assert pool.max_connections == 7


def test_the_bounded_layers_group_add_writes_what_channels_redis_writes():
    """BoundedRedisChannelLayer.group_add pipelines channels-redis's ZADD and EXPIRE, using
    its private `_group_key`, `consistent_hash`, `connection` and `group_expiry`: the group
    must hold the channel with the same key and expiry, and a group_send must reach it."""
    import asyncio

    from channels_redis.core import RedisChannelLayer
    from django.conf import settings

    from live.channel_layer import BoundedRedisChannelLayer

    assert settings.REDIS_URL, "the layer is tried against the tests' Redis (REDIS_URL)"
    hosts = [{"address": settings.REDIS_URL}]
    prefix = f"{settings.CHANNEL_PREFIX}-adapters"

    async def run() -> tuple[list, list, dict]:
        ours = BoundedRedisChannelLayer(hosts=hosts, prefix=prefix)
        theirs = RedisChannelLayer(hosts=hosts, prefix=prefix)
        channel = await ours.new_channel()
        found = []
        for layer, group in ((theirs, "adapters-theirs"), (ours, "adapters-ours")):
            await layer.group_add(group, channel)
            connection = layer.connection(layer.consistent_hash(group))
            key = layer._group_key(group)
            found.append(
                (await connection.zrange(key, 0, -1), 0 < await connection.ttl(key) <= 86400)
            )
        await ours.group_send("adapters-ours", {"type": "hello"})
        message = await asyncio.wait_for(ours.receive(channel), 5)
        for layer, group in ((theirs, "adapters-theirs"), (ours, "adapters-ours")):
            await layer.group_discard(group, channel)
        await ours.flush()
        await theirs.close_pools()
        return found[0], found[1], message

    theirs, ours, message = asyncio.run(run())
    assert theirs == ours
    assert ours[1] is True and len(ours[0]) == 1
    assert message == {"type": "hello"}
