import asyncio
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scentiss.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from live.routing import websocket_urlpatterns  # noqa: E402


class ConcurrencyLimit:
    """At most `limit` HTTP requests of this process inside Django at once; the rest wait
    here, on the event loop, at no cost.

    Django runs each request's sync code in a thread of its own. Past a handful, more threads
    add no throughput (one GIL) but share it with the thread that computes the projectors'
    snapshots, which then falls seconds behind when the room taps faster than the process
    can serve (bench/README.md)."""

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._semaphores: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Semaphore]] = {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["path"].startswith(settings.STATIC_URL):
            # Files can take long to send to a phone on a weak network; they need no database
            # and no snapshot waits for them.
            await self.app(scope, receive, send)
            return
        # One per event loop (tests run several); ids of closed loops get reused.
        loop = asyncio.get_running_loop()
        owner, semaphore = self._semaphores.get(id(loop), (None, None))
        if owner is not loop or semaphore is None:
            semaphore = asyncio.Semaphore(self.limit)
            self._semaphores[id(loop)] = (loop, semaphore)
        async with semaphore:
            await self.app(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": ConcurrencyLimit(django_asgi_app, settings.HTTP_CONCURRENCY)
        if settings.HTTP_CONCURRENCY
        else django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
