"""Django's ASGI handler with the middleware chain built as under WSGI, and each request's
sync work done in one thread hop.

Django builds its ASGI chain in async mode. Each `MiddlewareMixin` middleware (most of
Django's own, csp's, messages') then runs its process_request and process_response through
`sync_to_async`, and every process_view too: with this project's chain, 20 thread hops for one
GET (counted as ThreadPoolExecutor.submit calls), each a context copy, a future and a wake-up
of the event loop. Built in sync mode, the whole chain and the view run in the request's thread
in one call; the event loop only reads the request and writes the response (bench/README.md,
"Where a join's CPU goes").

Django's `handle` then still crosses into the request's thread three times (`request_started`,
the chain with the view, the response's close with `request_finished`) and runs the view in a
task beside a second one that listens for the client's disconnect. Here a response that is not
streamed is made and closed in one crossing: the signals, the chain and the view, in the
request's thread (/healthz: 2.1 -> 1.6 ms of server CPU per request, side by side). A streamed
response (a static file) is closed after it was sent, in the same thread, as Django does. A
client that goes away while its view runs is not noticed until the answer is sent: a sync
view cannot be stopped anyway (Django's handler waits for it too).

The thread is still one per request, made by the `ThreadSensitiveContext` Django opens in
`__call__`. Kept threads (one single-thread executor per request, reused) were measured: the
same CPU saving, but a third fewer requests served at the same concurrency on the shared
machine, each waiting longer for its kept thread to be scheduled than a new thread waits to
start; so not kept.

The channels consumers, and everything else on the event loop, are untouched.
"""

from typing import Any

import django
from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http.response import HttpResponseBase
from django.urls import set_script_prefix


class OneHopASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def handle(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            set_script_prefix(get_script_prefix(scope))
            # thread_sensitive: the thread of this request's ThreadSensitiveContext.
            response = await sync_to_async(self._respond, thread_sensitive=True)(scope, body_file)
            try:
                await self.send_response(response, send)
            finally:
                if response.streaming:  # closed once its iterator was read out, or given up
                    await sync_to_async(response.close, thread_sensitive=True)()
        finally:
            body_file.close()

    def _respond(self, scope: dict[str, Any], body_file: Any) -> HttpResponseBase:
        """request_started, the request, the chain with the view and, unless the response is
        streamed, its close (request_finished): all in this request's thread."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, refused = self.create_request(scope, body_file)
        if request is None:  # a bad request: Django's 400 or 413
            assert refused is not None
            response = refused
        else:
            response = self.get_response(request)
            response._handler_class = self.__class__  # type: ignore[attr-defined]
        if not response.streaming:
            response.close()  # its content is in memory; the database connection goes back
        return response


def get_asgi_application() -> OneHopASGIHandler:
    """What django.core.asgi.get_asgi_application does, with this handler."""
    django.setup(set_prefix=False)
    return OneHopASGIHandler()
