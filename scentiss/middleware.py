"""WhiteNoise without the thread hop.

WhiteNoise's middleware is sync-only, so under ASGI Django runs it in a worker thread and
hops back to the event loop for the rest of the chain (which is async-capable): two more
thread switches on every request, static or not. With this one async too, a request crosses
into a thread once, for its view.
"""

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.deprecation import MiddlewareMixin
from whitenoise.middleware import WhiteNoiseMiddleware

from core.errors import Rejected


class AsyncWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    sync_capable = False
    async_capable = True

    def __init__(self, get_response) -> None:
        super().__init__(get_response)
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest) -> HttpResponseBase:  # type: ignore[override]
        if self.autorefresh:  # DEBUG: looks on disk for each request
            static_file = await sync_to_async(self.find_file)(request.path_info)
        else:
            static_file = self.files.get(request.path_info)  # a dict lookup: no I/O
        if static_file is not None:
            return await sync_to_async(self.serve)(static_file, request)
        return await self.get_response(request)


class RejectedMiddleware(MiddlewareMixin):
    """A `core.errors.Rejected` that leaves a view is a 400 with its message, never a 500.

    Views catch the refusals they answer in their own way (a form shown again, a tablet's
    fragment); this is the net for the rest: an id in a query string that core.inputs
    refused ("?workshop=²"), a code list with a NUL byte.
    """

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Rejected):
            return None
        message = str(exception)
        if getattr(request, "htmx", False):
            return render(request, "_rejected.html", {"message": message}, status=400)
        return render(request, "400.html", {"message": message}, status=400)
