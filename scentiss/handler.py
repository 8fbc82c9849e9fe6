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

Each request runs in a kept thread. Django's `__call__` opens a `ThreadSensitiveContext` whose
executor asgiref makes for the request and, on exit, joins from yet another new thread: two
thread starts per request, a sixth of a joining room's server samples (py-spy). Here the
context gets a single-thread executor taken from a free list and given back after the request
(asgiref's `ThreadSensitiveContext(executor=...)`), so request threads are started once and
reused, as a WSGI server's are. Within the request nothing changes: every thread-sensitive call
of the request (the chain and view, a streamed response's close) runs in that one thread, and
an `async_to_sync` made from it (the results broadcast) sends its own thread-sensitive calls
back to the waiting thread, as before (asgiref's CurrentThreadExecutor comes first). A request
that ends with an exception (a client gone, the task cancelled while its view may still run)
does not give its thread back: that executor is shut down without waiting, and the next request
takes another. The free list holds at most `KEPT_THREADS`; past that a thread ends after its
request.

The channels consumers, and everything else on the event loop, are untouched.
"""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http.response import HttpResponseBase
from django.urls import set_script_prefix

# Request threads kept idle at most (per process): HTTP_CONCURRENCY requests run in Django at
# once, so a few are in use at a time; a burst beyond this starts threads that end after it.
KEPT_THREADS = 16
_idle_threads: list[ThreadPoolExecutor] = []


def _thread_take() -> ThreadPoolExecutor:
    try:
        return _idle_threads.pop()
    except IndexError:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")


def _thread_give_back(executor: ThreadPoolExecutor) -> None:
    if len(_idle_threads) < KEPT_THREADS:
        _idle_threads.append(executor)
    else:
        executor.shutdown(wait=False)


class OneHopASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Django's, with a kept thread for the request's ThreadSensitiveContext."""
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = _thread_take()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        except BaseException:
            # Its thread may still be running the view: not given to another request.
            executor.shutdown(wait=False)
            raise
        _thread_give_back(executor)

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
