"""What the app relies on in its libraries beyond their documented API, each pinned here, so
that an upgrade that moves it fails in this file by name instead of silently changing
behaviour (a deferred broadcast that never runs, a header limit that no longer holds).

One test (or two) per adapter, each failing with the library, its version, what is gone and
which module of ours relied on it (`relied_on`), before the behaviour itself is tried:
- live/server_loop.py with live/taps.py `in_tap_thread`: asgiref's sync_to_async with an
  executor of our own, and async_to_sync inside it running on the server's loop.
- live/redis_client.py: redis-py's asyncio client on a bounded, blocking pool.
- live/consumers.py `NoDbDispatchMixin`: channels' consumer dispatch by handler name.
- scentiss/handler.py `OneHopASGIHandler`: Django's ASGIHandler hooks it overrides and uses.
- scentiss/transport.py `HttpToolsProtocol`: uvicorn's httptools protocol, its callbacks and
  its request cycle; `WebSocketProtocol`: uvicorn's sans-I/O websockets protocol and the
  websockets library's ServerProtocol under it.
- scentiss/staticfinders.py `PlotlyFinder`: the storage `prefix` attribute that collectstatic
  and WhiteNoise read.
- live/channel_layer.py `BoundedRedisChannelLayer`: channels-redis's `create_pool(index)`.

docs/development.md ("Library internals") shows one of these failing against a scratch copy
of uvicorn with the attribute renamed.
"""

import asyncio
import inspect
import threading
from importlib.metadata import version

from asgiref.sync import async_to_sync
from django.conf import settings

from live.server_loop import on_server_loop, server_loop_remember


def relied_on(owner: object, *names: str, library: str, ours: str) -> None:
    """Fail, naming what moved, when `owner` (a library's class, module or object) no longer
    has an attribute that module `ours` uses."""
    missing = [name for name in names if not hasattr(owner, name)]
    shown = (
        getattr(owner, "__qualname__", None)
        or getattr(owner, "__name__", None)
        or type(owner).__qualname__
    )
    assert not missing, (
        f"{library} {version(library)} moved what {ours} relies on: {shown} has no "
        f"{', '.join(missing)} any more. Adapt {ours} to it, or keep {library} below this "
        f"version in pyproject.toml."
    )


def source_says(owner: object, text: str, *, library: str, ours: str, why: str) -> None:
    """Fail, naming what moved, when `owner`'s source no longer holds `text`."""
    assert text in inspect.getsource(owner), (
        f"{library} {version(library)}: {owner.__qualname__} no longer has `{text}` "
        f"({why}); {ours} relies on it."
    )


class FakeTransport(asyncio.Transport):
    """What a protocol writes and whether it closed, without a socket."""

    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closed = False

    def write(self, data) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name, default=None):
        return {"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def _protocol(cls, app=None):
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    async def nothing(scope, receive, send) -> None:
        pass

    config = Config(app=app or nothing, ws="websockets-sansio", log_config=None)
    return cls(
        config=config, server_state=ServerState(), app_state={}, _loop=asyncio.get_running_loop()
    )


# --- live/server_loop.py, live/taps.py: asgiref ----------------------------------------------


async def test_sync_code_in_a_tap_thread_reaches_the_servers_loop():
    """A tap's service runs in the tap threads; the broadcast it triggers after commit
    (async_to_sync) must run on the server's loop, where its deferred tick outlives the tap,
    and must know that it does."""
    import asgiref.sync

    from live.taps import in_tap_thread

    assert "executor" in inspect.signature(asgiref.sync.sync_to_async).parameters, (
        f"asgiref {version('asgiref')}: sync_to_async takes no executor any more; "
        "live/taps.py runs the taps in threads of its own through it."
    )
    server_loop_remember()
    seen: dict = {}

    async def probe() -> None:
        seen["loop"] = asyncio.get_running_loop()
        seen["on_server_loop"] = on_server_loop()

    def service() -> str:
        seen["thread"] = threading.current_thread().name
        async_to_sync(probe)()
        return "saved"

    assert await in_tap_thread(service) == "saved"
    assert seen["thread"].startswith("scentiss-taps"), seen["thread"]
    assert seen["loop"] is asyncio.get_running_loop(), (
        f"asgiref {version('asgiref')}: async_to_sync in a sync_to_async(executor=...) thread "
        "ran on a loop of its own, not the caller's: the results broadcast a tap triggers "
        "would defer its tick onto a loop that ends (live/server_loop.py, live/broadcast.py)."
    )
    assert seen["on_server_loop"] is True


def test_sync_code_outside_a_server_runs_its_broadcast_on_a_loop_of_its_own():
    """A management command or a sync test: async_to_sync runs a loop that ends with the
    call, which must not be taken for the server's (the tick would never run)."""
    seen: dict = {}

    async def probe() -> None:
        seen["on_server_loop"] = on_server_loop()

    async_to_sync(probe)()
    assert seen == {"on_server_loop": False}


# --- live/redis_client.py: redis-py -----------------------------------------------------------


async def test_the_live_layers_redis_client_is_one_bounded_pool_per_loop():
    """live/redis_client.py keeps the snapshot claims and connection caps in Redis through
    redis-py's asyncio client on a BlockingConnectionPool (a full pool waits, never opens
    more), one per event loop."""
    import redis.asyncio

    from live.redis_client import redis_client, redis_key

    relied_on(
        redis.asyncio,
        "Redis",
        "BlockingConnectionPool",
        library="redis",
        ours="live/redis_client.py",
    )
    relied_on(
        redis.asyncio.BlockingConnectionPool,
        "from_url",
        library="redis",
        ours="live/redis_client.py",
    )
    client = redis_client()
    assert redis_client() is client
    pool = client.connection_pool
    assert isinstance(pool, redis.asyncio.BlockingConnectionPool), type(pool)
    relied_on(pool, "max_connections", "timeout", library="redis", ours="live/redis_client.py")
    assert (pool.max_connections, pool.timeout) == (settings.REDIS_POOL_MAX_CONNECTIONS, 2)
    key = redis_key("adapter-test", threading.get_ident())
    try:
        assert await client.set(key, "1", nx=True, px=5000) is True
        assert await client.set(key, "1", nx=True, px=5000) is None  # a claim already held
    finally:
        await client.delete(key)
        await client.aclose()

    def other_loop() -> bool:
        async def probe() -> bool:
            other = redis_client()
            await other.aclose()
            return other is not client

        return asyncio.run(probe())

    assert await asyncio.to_thread(other_loop)


# --- live/consumers.py NoDbDispatchMixin: channels --------------------------------------------


async def test_channels_dispatches_by_the_handler_name_the_override_uses():
    """NoDbDispatchMixin replaces channels' dispatch (which hops to a thread for
    close_old_connections before every message) with a lookup by handler name."""
    import channels.consumer
    from channels.consumer import AsyncConsumer

    relied_on(channels.consumer, "get_handler_name", library="channels", ours="live/consumers.py")
    from live.consumers import LiveResultsConsumer, NoDbDispatchMixin

    get_handler_name = channels.consumer.get_handler_name
    assert get_handler_name({"type": "websocket.receive"}) == "websocket_receive"
    assert get_handler_name({"type": "results.snapshot"}) == "results_snapshot"
    assert list(inspect.signature(AsyncConsumer.dispatch).parameters) == ["self", "message"]
    source_says(
        AsyncConsumer.__call__,
        "self.dispatch",
        library="channels",
        ours="live/consumers.py's NoDbDispatchMixin",
        why="every message goes through the consumer's dispatch",
    )
    assert LiveResultsConsumer.dispatch is NoDbDispatchMixin.dispatch

    class Probe(NoDbDispatchMixin, AsyncConsumer):
        async def results_snapshot(self, message: dict) -> None:
            self.seen = message

    probe = Probe()
    await probe.dispatch({"type": "results.snapshot", "version": 3})
    assert probe.seen == {"type": "results.snapshot", "version": 3}


# --- scentiss/handler.py: Django --------------------------------------------------------------


def test_djangos_asgi_handler_has_the_hooks_the_one_hop_handler_overrides():
    """OneHopASGIHandler builds the chain in sync mode (load_middleware), and replaces
    `handle`, which Django's __call__ awaits inside the request's ThreadSensitiveContext, with
    one that uses Django's read_body, create_request and send_response."""
    from django.core.handlers.asgi import ASGIHandler

    from scentiss.handler import OneHopASGIHandler

    ours = "scentiss/handler.py"
    relied_on(
        ASGIHandler,
        "load_middleware",
        "handle",
        "read_body",
        "create_request",
        "send_response",
        library="Django",
        ours=ours,
    )
    signatures = {
        ASGIHandler.load_middleware: ["self", "is_async"],
        ASGIHandler.handle: ["self", "scope", "receive", "send"],
        ASGIHandler.read_body: ["self", "receive"],
        ASGIHandler.create_request: ["self", "scope", "body_file"],
        ASGIHandler.send_response: ["self", "response", "send"],
    }
    for method, parameters in signatures.items():
        assert list(inspect.signature(method).parameters) == parameters, (
            f"Django {version('Django')}: ASGIHandler.{method.__name__} changed ({ours})"
        )
    for coroutine in (ASGIHandler.handle, ASGIHandler.read_body, ASGIHandler.send_response):
        assert inspect.iscoroutinefunction(coroutine)
    source_says(
        ASGIHandler.__call__,
        "async with ThreadSensitiveContext():",
        library="Django",
        ours=ours,
        why="each request's sync code gets a thread of its own",
    )
    source_says(
        ASGIHandler.__call__,
        "await self.handle(scope, receive, send)",
        library="Django",
        ours=ours,
        why="a request is answered through handle",
    )
    assert OneHopASGIHandler.handle is not ASGIHandler.handle
    # Ours does what Django's __call__ does (above) with a kept thread for the context.
    assert OneHopASGIHandler.__call__ is not ASGIHandler.__call__


def test_asgirefs_thread_sensitive_context_takes_a_kept_executor():
    """OneHopASGIHandler.__call__ hands each request's ThreadSensitiveContext a kept
    single-thread executor (asgiref 3.13): the context sends the request's thread-sensitive
    calls to it and leaves it running on exit, for the next request."""
    from asgiref.sync import ThreadSensitiveContext

    ours = "scentiss/handler.py"
    assert "executor" in inspect.signature(ThreadSensitiveContext).parameters, (
        f"asgiref {version('asgiref')}: ThreadSensitiveContext takes no executor ({ours})"
    )
    source_says(
        ThreadSensitiveContext.__aexit__,
        "The caller owns the executor, so it is not shut down here.",
        library="asgiref",
        ours=ours,
        why="a kept thread must outlive its request",
    )


# --- scentiss/transport.py: uvicorn, websockets -----------------------------------------------


async def test_uvicorns_httptools_protocol_has_what_the_transport_limits_use():
    """transport.HttpToolsProtocol counts a request's header bytes while no request is in
    progress (uvicorn's `cycle`, None or `response_complete`), arms its timer on uvicorn's
    `loop` and answers on its `transport`; it swaps uvicorn's `ws_protocol_class`."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    import scentiss.transport as transport

    ours = "scentiss/transport.py"
    relied_on(
        HttpToolsProtocol,
        "connection_made",
        "connection_lost",
        "data_received",
        "on_headers_complete",
        "on_response_complete",
        library="uvicorn",
        ours=ours,
    )
    assert issubclass(transport.HttpToolsProtocol, HttpToolsProtocol)
    answered = asyncio.Event()

    async def app(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        answered.set()

    protocol = _protocol(transport.HttpToolsProtocol, app)
    relied_on(
        protocol, "cycle", "loop", "transport", "ws_protocol_class", library="uvicorn", ours=ours
    )
    assert protocol.ws_protocol_class is transport.WebSocketProtocol
    wire = FakeTransport()
    protocol.connection_made(wire)
    # One request, answered: the cycle it leaves says its response is complete.
    protocol.data_received(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    await answered.wait()
    relied_on(protocol.cycle, "response_complete", library="uvicorn", ours=ours)
    assert protocol.cycle.response_complete
    assert wire.written.startswith(b"HTTP/1.1 204 ")
    # The next request's headers are counted again, and refused over the limit.
    wire.written.clear()
    protocol.data_received(b"GET / HTTP/1.1\r\nX: " + b"a" * settings.HTTP_MAX_HEADER_SIZE)
    assert wire.written.startswith(b"HTTP/1.1 431 "), bytes(wire.written[:40])
    assert wire.closed
    protocol.connection_lost(None)


async def test_uvicorns_websockets_protocol_has_what_the_handshake_answers_use():
    """transport.WebSocketProtocol answers a handshake the websockets library refused and caps
    message sizes through the library's ServerProtocol (`conn`) and uvicorn's flags."""
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

    import scentiss.transport as transport

    ours = "scentiss/transport.py"
    assert issubclass(transport.WebSocketProtocol, WebSocketsSansIOProtocol)
    protocol = _protocol(transport.WebSocketProtocol)
    relied_on(
        protocol,
        "conn",
        "handshake_initiated",
        "handshake_complete",
        "close_sent",
        "transport",
        library="uvicorn",
        ours=ours,
    )
    relied_on(
        protocol.conn,
        "handshake_exc",
        "data_to_send",
        "max_message_size",
        library="websockets",
        ours=ours,
    )
    assert protocol.conn.max_message_size == settings.WS_MAX_MESSAGE_SIZE
    wire = FakeTransport()
    protocol.connection_made(wire)
    protocol.data_received(b"GET /ws/ HTTP/1.1\r\nHost: a\r\nX: " + b"a" * 9000 + b"\r\n\r\n")
    assert wire.written.startswith(b"HTTP/1.1 431 "), bytes(wire.written[:40])
    assert wire.closed and protocol.close_sent


# --- scentiss/staticfinders.py: Django's collectstatic, WhiteNoise ----------------------------


def test_collectstatic_and_whitenoise_read_a_storages_prefix():
    """PlotlyFinder serves static/plotly/plotly.min.js by setting `prefix` on its storage, as
    Django's FileSystemFinder does; collectstatic and WhiteNoise (WHITENOISE_USE_FINDERS) read
    it with getattr, so a rename would put the file at /static/plotly.min.js silently."""
    from django.contrib.staticfiles.management.commands import collectstatic
    from whitenoise import middleware

    from scentiss.staticfinders import PlotlyFinder

    ours = "scentiss/staticfinders.py"
    why = "it places a finder's files under their storage's prefix"
    source_says(
        collectstatic.Command.collect,
        'getattr(storage, "prefix", None)',
        library="Django",
        ours=ours,
        why=why,
    )
    source_says(
        inspect.unwrap(middleware.WhiteNoiseMiddleware.add_files_from_finders),  # see conftest
        'getattr(storage, "prefix", None)',
        library="whitenoise",
        ours=ours,
        why=why,
    )
    [(path, storage)] = list(PlotlyFinder().list([]))
    assert (storage.prefix, path) == ("plotly", "plotly.min.js")


# --- live/channel_layer.py: channels-redis ----------------------------------------------------


def test_channels_redis_builds_its_pools_through_the_hook_the_bounded_layer_overrides():
    """live/channel_layer.py's BoundedRedisChannelLayer overrides channels-redis's
    `create_pool(index)`, reading `self.hosts[index]`, to bound the Redis connections of a
    process; a rename would silently bring back a pool that grows for good."""
    import channels_redis.core
    from channels_redis.core import RedisChannelLayer
    from redis.asyncio import BlockingConnectionPool

    from live.channel_layer import BoundedRedisChannelLayer

    ours = "live/channel_layer.py"
    relied_on(RedisChannelLayer, "create_pool", library="channels-redis", ours=ours)
    assert list(inspect.signature(RedisChannelLayer.create_pool).parameters) == ["self", "index"]
    assert "channel_layer.create_pool(index)" in inspect.getsource(channels_redis.core), (
        f"channels-redis {version('channels-redis')} no longer builds its pools through "
        f"create_pool(index); {ours} overrides it to bound the connections."
    )
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
