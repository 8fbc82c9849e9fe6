import asyncio
import os
import tempfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scentiss.settings")

from scentiss.handler import get_asgi_application

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from live.routing import websocket_urlpatterns  # noqa: E402
from live.server_loop import server_loop_remember  # noqa: E402
from scentiss.websocket import RefuseUnknownPaths, SameOriginValidator  # noqa: E402


async def _refuse(send, status: int, text: str) -> None:
    """A plain answer that also ends the connection: its request was not read to the end."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": text.encode()})


class _Disconnected(Exception):
    pass


class _TooLarge(Exception):
    pass


class BodyFirst:
    """Read a request's whole body before the request goes on, at most `max_size` bytes and
    within `timeout` seconds plus one second per `min_rate` bytes it announced; answer 408 or
    413 (and close) otherwise.

    Django reads the body itself, but by then the request holds a slot of ConcurrencyLimit:
    eight clients that send their headers and never their body froze every request of the
    process (issue 14). Read here, a stalled body costs only its own connection, for a bounded
    time. A form (a few kilobytes) gets `timeout` seconds; an upload (the answers import, up
    to 20 MB) the time a slow venue uplink needs. A body is kept in memory up to 1 MiB and on
    disk past that, so that many large bodies at once do not fill the memory."""

    SPOOL = 1024 * 1024
    CHUNK = 64 * 1024

    def __init__(self, app, *, timeout: float, min_rate: int, max_size: int) -> None:
        self.app = app
        self.timeout = timeout
        self.min_rate = min_rate
        self.max_size = max_size

    async def __call__(self, scope, receive, send) -> None:
        declared = dict(scope["headers"]).get(b"content-length", b"")
        length = int(declared) if declared.isdigit() else 0
        if length > self.max_size:
            await _refuse(send, 413, "Request Entity Too Large")
            return
        with tempfile.SpooledTemporaryFile(max_size=self.SPOOL) as body:
            try:
                async with asyncio.timeout(self.timeout + length / self.min_rate):
                    size = await self._read(receive, body)
            except TimeoutError:
                await _refuse(send, 408, "Request Timeout")
                return
            except _TooLarge:
                await _refuse(send, 413, "Request Entity Too Large")
                return
            except _Disconnected:
                return
            body.seek(0)
            done = False

            async def replay():
                nonlocal done
                if done:
                    return await receive()  # the next message is the client's disconnect
                chunk = body.read(self.CHUNK)
                done = body.tell() >= size
                return {"type": "http.request", "body": chunk, "more_body": not done}

            await self.app(scope, replay, send)

    async def _read(self, receive, body) -> int:
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_size:
                raise _TooLarge
            body.write(chunk)
            if not message.get("more_body", False):
                return size


class ConcurrencyLimit:
    """At most `limit` HTTP requests of this process inside Django at once; the rest wait
    here, on the event loop, at no cost.

    Django runs each request's sync code in a thread of its own. Past a handful, more threads
    add no throughput (one GIL) but share it with the thread that computes the projectors'
    snapshots, which then falls seconds behind when the room taps faster than the process
    can serve (bench/README.md).

    A slot covers the work inside Django only: the body is already read (BodyFirst), and the
    slot is given back when the response starts, so a client that reads its response slowly
    does not hold it either."""

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._semaphores: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Semaphore]] = {}

    async def __call__(self, scope, receive, send) -> None:
        # One per event loop (tests run several); ids of closed loops get reused.
        loop = asyncio.get_running_loop()
        owner, semaphore = self._semaphores.get(id(loop), (None, None))
        if owner is not loop or semaphore is None:
            semaphore = asyncio.Semaphore(self.limit)
            self._semaphores[id(loop)] = (loop, semaphore)
        held = False

        def give_back() -> None:
            nonlocal held
            if held:
                held = False
                semaphore.release()

        async def send_then_give_back(message) -> None:
            if message["type"] == "http.response.start":
                give_back()
            await send(message)

        await semaphore.acquire()
        held = True
        try:
            await self.app(scope, receive, send_then_give_back)
        finally:
            give_back()


def http_app(app):
    """Django behind the body's limits and the concurrency limit; static files straight.

    Files can take long to send to a phone on a weak network; they need no database and no
    snapshot waits for them, so they skip both."""
    limited = ConcurrencyLimit(app, settings.HTTP_CONCURRENCY) if settings.HTTP_CONCURRENCY else app
    guarded = BodyFirst(
        limited,
        timeout=settings.HTTP_BODY_TIMEOUT,
        min_rate=settings.HTTP_BODY_MIN_RATE,
        max_size=settings.HTTP_MAX_BODY_SIZE,
    )

    async def route(scope, receive, send) -> None:
        if scope["path"].startswith(settings.STATIC_URL):
            await app(scope, receive, send)
        else:
            await guarded(scope, receive, send)

    return route


_router = ProtocolTypeRouter(
    {
        "http": http_app(django_asgi_app),
        "websocket": RefuseUnknownPaths(
            SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
            websocket_urlpatterns,
        ),
    }
)


async def application(scope, receive, send) -> None:
    """The ASGI application: every connection first records the server's event loop (the
    broadcasts defer their work to it: live.server_loop)."""
    server_loop_remember()
    await _router(scope, receive, send)
