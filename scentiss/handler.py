"""Django's ASGI handler with the middleware chain built as under WSGI: one thread hop per
request instead of twenty.

Django builds its ASGI chain in async mode. Each `MiddlewareMixin` middleware (most of
Django's own, csp's, messages') then runs its process_request and process_response through
`sync_to_async`, and every process_view too: with this project's chain, 20 thread hops for one
GET (counted as ThreadPoolExecutor.submit calls), each a context copy, a future and a wake-up
of the event loop. Built in sync mode, the whole chain and the view run in the request's thread
in one call; the event loop only reads the request and writes the response (bench/README.md,
"Where a join's CPU goes").

The channels consumers, and everything else on the event loop, are untouched.
"""

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest
from django.http.response import HttpResponseBase


class OneHopASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # thread_sensitive: the thread of this request's ThreadSensitiveContext, the one its
        # request_started/request_finished handlers (database connections) run in.
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def get_asgi_application() -> OneHopASGIHandler:
    """What django.core.asgi.get_asgi_application does, with this handler."""
    django.setup(set_prefix=False)
    return OneHopASGIHandler()
