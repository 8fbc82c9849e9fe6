import asyncio
import os
import tempfile
from importlib import import_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scentiss.settings")

from scentiss.handler import get_asgi_application

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import CookieMiddleware  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import SESSION_KEY  # noqa: E402
from django.db import DatabaseError  # noqa: E402
from django.http.cookie import parse_cookie  # noqa: E402
from django.urls import Resolver404, URLPattern, resolve  # noqa: E402

from live.routing import websocket_urlpatterns  # noqa: E402
from live.server_loop import server_loop_remember  # noqa: E402
from scentiss.websocket import (  # noqa: E402
    RefuseUnknownPaths,
    RefuseWhileLayerDown,
    SameOriginValidator,
)


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
    """Read a request's whole body before the request goes on; answer 413 (too large) or 408
    (too slow) and close otherwise.

    Django reads the body itself, but by then the request holds a slot of ConcurrencyLimit:
    eight clients that send their headers and never their body froze every request of the
    process. Read here, a stalled body costs only its own connection, for a bounded time:

    - Size: `max_size` bytes for any request; `upload_size` only on `upload_url_names` (the
      answers import) from a session that is logged in (its session is looked up, once, only
      when the announced body is over `max_size`). Anyone else's larger body is refused
      before a byte of it is read.
    - Time: `grace` seconds, after which the body must keep up with `min_rate` bytes a second
      on average: a client that stops is refused soon after the grace period, whatever length
      it announced (a fixed allowance per announced byte let a stalled 25 MiB body hold its
      connection for nine minutes).
    - Memory: a body is kept in memory up to `SPOOL` bytes and on disk past that, so many
      large bodies at once (or stalled half-way) do not fill the process's memory.
    """

    SPOOL = 64 * 1024
    CHUNK = 64 * 1024

    def __init__(
        self,
        app,
        *,
        grace: float,
        min_rate: int,
        max_size: int,
        upload_size: int,
        upload_url_names: list[str],
    ) -> None:
        self.app = app
        self.grace = grace
        self.min_rate = min_rate
        self.max_size = max_size
        self.upload_size = upload_size
        self.upload_url_names = set(upload_url_names)

    async def __call__(self, scope, receive, send) -> None:
        declared = dict(scope["headers"]).get(b"content-length", b"")
        length = int(declared) if declared.isdigit() else 0
        limit = self.max_size
        if length > self.max_size and await self._may_upload(scope):
            limit = self.upload_size
        if length > limit:
            await _refuse(send, 413, "Request Entity Too Large")
            return
        with tempfile.SpooledTemporaryFile(max_size=self.SPOOL) as body:
            try:
                size = await self._read(receive, body, limit)
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

    async def _read(self, receive, body, limit: int) -> int:
        started = asyncio.get_running_loop().time()
        size = 0
        while True:
            # By then the body must have come at min_rate since the grace period.
            async with asyncio.timeout_at(started + self.grace + size / self.min_rate):
                message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            body.write(chunk)
            if not message.get("more_body", False):
                return size

    async def _may_upload(self, scope) -> bool:
        """Whether the request goes to an upload page from a session that is logged in."""
        try:
            match = resolve(scope["path"])
        except Resolver404:
            return False
        if match.view_name not in self.upload_url_names:
            return False
        cookies = parse_cookie(dict(scope["headers"]).get(b"cookie", b"").decode("latin-1"))
        key = cookies.get(settings.SESSION_COOKIE_NAME)
        if not key:
            return False
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
        try:
            return bool(await store.aget(SESSION_KEY))
        except DatabaseError:
            return False  # the upload cannot be stored now anyway


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
        grace=settings.HTTP_BODY_TIMEOUT,
        min_rate=settings.HTTP_BODY_MIN_RATE,
        max_size=settings.HTTP_MAX_BODY_SIZE,
        upload_size=settings.HTTP_MAX_UPLOAD_SIZE,
        upload_url_names=settings.HTTP_UPLOAD_URL_NAMES,
    )

    async def route(scope, receive, send) -> None:
        if scope["path"].startswith(settings.STATIC_URL):
            await app(scope, receive, send)
        else:
            await guarded(scope, receive, send)

    return route


# The websockets that read only their cookies: the phone's (the participant's signed cookie).
# The organiser's login (the session and user that AuthMiddlewareStack reads, in a thread hop of
# its own per socket) is of no use to it, and every phone of a room opens one.
COOKIES_ONLY = frozenset({"ws-phone"})


def _websocket_routes(patterns: list) -> list:
    """The routes, each behind what it reads: its cookies, or the login session and user."""
    return [
        URLPattern(
            route.pattern,
            (CookieMiddleware if route.name in COOKIES_ONLY else AuthMiddlewareStack)(
                route.callback
            ),
            name=route.name,
        )
        for route in patterns
    ]


_router = ProtocolTypeRouter(
    {
        "http": http_app(django_asgi_app),
        "websocket": RefuseUnknownPaths(
            SameOriginValidator(
                RefuseWhileLayerDown(URLRouter(_websocket_routes(websocket_urlpatterns)))
            ),
            websocket_urlpatterns,
        ),
    }
)


async def application(scope, receive, send) -> None:
    """The ASGI application: every connection first records the server's event loop (the
    broadcasts defer their work to it: live.server_loop)."""
    server_loop_remember()
    await _router(scope, receive, send)
