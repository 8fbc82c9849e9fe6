"""The websocket side of the ASGI application: who may open one, and on which paths.

- `SameOriginValidator`: a browser page may open a websocket only to its own origin: the
  Origin header must equal scheme://host:port of the request (as Django's CSRF check compares
  it for a form), or be one of CSRF_TRUSTED_ORIGINS. channels' AllowedHostsOriginValidator
  compared the host only, so `http://127.0.0.1:1` and `https://127.0.0.1` were accepted for an
  app on `http://127.0.0.1:8000`.
- `RefuseUnknownPaths`: a path no route matches is answered 404 (or closed where the server
  cannot send an HTTP answer), not an exception that the server turns into a 500 with a
  traceback in its log.
- `RefuseWhileLayerDown`: with the channel layer's Redis away, a handshake is answered 503 and
  an open websocket is closed with 1013 ("try again later"), with one warning line in the log;
  the pages' websocket client (static/js/live.js) retries both with backoff. Before, each was
  a 500 or a connection dropped without a close frame, with a traceback per websocket.
"""

import contextlib
import logging
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.urls import Resolver404, URLResolver
from django.urls.resolvers import RegexPattern
from django.utils.http import is_same_domain
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

CLOSE_TRY_AGAIN_LATER = 1013
# What the channel layer raises when its Redis is away: redis-py's errors, or the socket's own.
LAYER_ERRORS = (RedisError, ConnectionError)


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _secure(scope: dict) -> bool:
    if scope.get("scheme") in ("wss", "https"):
        return True
    # Behind a proxy that says so (HTTPS=true), as Django's request.is_secure() reads it.
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name, value = proxy_header
        header = name.removeprefix("HTTP_").lower().replace("_", "-").encode("latin-1")
        forwarded = _header(scope, header)
        return forwarded is not None and forwarded.split(",")[0].strip() == value
    return False


def origin_allowed(scope: dict) -> bool:
    """Whether the websocket's Origin is the app's own origin (or a trusted one)."""
    origin = _header(scope, b"origin")
    host = _header(scope, b"host")
    if not origin or not host:
        return False
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    origin = origin.strip().lower()
    own = f"{'https' if _secure(scope) else 'http'}://{host.strip().lower()}"
    if origin == own:
        return True
    parsed = urlsplit(origin)
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        pattern = urlsplit(trusted.lower())
        if parsed.scheme == pattern.scheme and is_same_domain(parsed.netloc, pattern.netloc):
            return True
    return False


class SameOriginValidator:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if origin_allowed(scope):
            await self.app(scope, receive, send)
        else:
            await WebsocketDenier()(scope, receive, send)  # 403 at the handshake


class RefuseUnknownPaths:
    """Only paths of `patterns` reach the router; any other is answered 404."""

    def __init__(self, app, patterns: list) -> None:
        self.app = app
        self.resolver = URLResolver(RegexPattern(r"^/"), patterns)

    async def __call__(self, scope, receive, send) -> None:
        try:
            self.resolver.resolve(scope["path"])
        except Resolver404:
            await self._not_found(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    async def _not_found(scope, receive, send) -> None:
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        if "websocket.http.response" in scope.get("extensions", {}):
            await send(
                {
                    "type": "websocket.http.response.start",
                    "status": 404,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "websocket.http.response.body", "body": b"Not Found"})
        else:
            await send({"type": "websocket.close", "code": 1008})  # the server says 403


class RefuseWhileLayerDown:
    """A websocket whose channel layer fails (Redis away) is refused or closed cleanly."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        said = set()

        async def noting_send(message) -> None:
            await send(message)
            said.add(message["type"])

        try:
            await self.app(scope, receive, noting_send)
        except LAYER_ERRORS as error:
            path = scope["path"]
            log.warning("websocket %s refused: channel layer unavailable (%s)", path, error)
            with contextlib.suppress(OSError):  # the client may be gone as well
                await self._refuse(scope, send, said)

    @staticmethod
    async def _refuse(scope, send, said: set) -> None:
        if said & {"websocket.close", "websocket.http.response.body"}:
            return  # already ended
        if "websocket.accept" in said:
            await send(
                {"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER, "reason": "try again"}
            )
        elif "websocket.http.response" in scope.get("extensions", {}):
            await send(
                {
                    "type": "websocket.http.response.start",
                    "status": 503,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"retry-after", b"1"),
                    ],
                }
            )
            await send({"type": "websocket.http.response.body", "body": b"Service Unavailable"})
        else:
            await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})
