"""WhiteNoise without the thread hop.

WhiteNoise's middleware is sync-only, so under ASGI Django runs it in a worker thread and
hops back to the event loop for the rest of the chain (which is async-capable): two more
thread switches on every request, static or not. With this one async too, a request crosses
into a thread once, for its view.
"""

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseBase
from whitenoise.middleware import WhiteNoiseMiddleware

# The parts of WhiteNoiseMiddleware this class uses beyond its documented settings. pyproject
# pins whitenoise to the minor release they were checked against; if an upgrade moves them, the
# app refuses to start rather than fail on the first request.
_WHITENOISE_INTERNALS = ("autorefresh", "files", "find_file", "serve")


class AsyncWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    sync_capable = False
    async_capable = True

    def __init__(self, get_response) -> None:
        super().__init__(get_response)
        missing = [name for name in _WHITENOISE_INTERNALS if not hasattr(self, name)]
        if missing:
            raise ImproperlyConfigured(f"whitenoise no longer has {missing}: see pyproject.toml")
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
