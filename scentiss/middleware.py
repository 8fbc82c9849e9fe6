"""Middleware of the project: the database's outages, refusals out of views, and a page for
a form's address opened as a page (405).

The chain runs in the request's thread as under WSGI (scentiss/handler.py), so these are
plain sync middleware.
"""

import logging
import time

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _
from psycopg_pool import PoolTimeout

from core.errors import Rejected

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """The database unreachable: the friendly 503 page at once, not a hang or a traceback.

    A request that finds the database gone (no connection within DB_POOL_TIMEOUT, or one that
    broke) gets templates/503.html with Retry-After; the phone's survey.js keeps the answer and
    sends it again on any 5xx. For DB_UNAVAILABLE_RETRY_AFTER seconds after that, this process
    answers every request so at once (a circuit breaker), so that a room retrying does not
    queue behind requests that each wait out the pool's timeout; then one request tries again.
    Other operational errors (a deadlock, a lock timeout, SQLite busy) get the page too but do
    not trip the breaker: the database is there."""

    unavailable_until = 0.0  # per process (monotonic seconds)

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if time.monotonic() < DatabaseUnavailableMiddleware.unavailable_until:
            return unavailable_response(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if connection_lost(exception):
            DatabaseUnavailableMiddleware.unavailable_until = (
                time.monotonic() + settings.DB_UNAVAILABLE_RETRY_AFTER
            )
        logger.warning("database unavailable: %s", exception)
        return unavailable_response(request)


def connection_lost(exception: Exception) -> bool:
    """Whether the error says the server cannot be reached (not a deadlock or a bad query)."""
    cause = exception.__cause__ or exception
    if isinstance(cause, PoolTimeout):
        return True
    if not isinstance(cause, psycopg.Error):
        return False  # SQLite: "database is locked" is a wait, not an outage
    state = cause.sqlstate
    # None: the connection broke (no answer from the server); 08: connection exceptions;
    # 57P01-57P03: the server shuts down, crashed or is starting.
    return state is None or state.startswith("08") or state in {"57P01", "57P02", "57P03"}


def unavailable_response(request: HttpRequest) -> HttpResponse:
    response = render(request, "503.html", status=503)
    response["Retry-After"] = str(max(1, round(settings.DB_UNAVAILABLE_RETRY_AFTER)))
    return response


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


class MethodNotAllowedMiddleware(MiddlewareMixin):
    """A form's address opened as a page (GET /s/<code>/state/, a bookmark, a reload after a
    post) is a 405 with a page of its own, in the user's language, with the way back (the
    session's console or programme for the organiser), instead of the browser's bare
    "HTTP ERROR 405". Only for the empty 405 of @require_POST and its kin; the Allow header
    stays."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.status_code != 405 or request.method not in ("GET", "HEAD"):
            return response
        if not isinstance(response, HttpResponse) or response.content:
            return response  # a streamed or a view's own 405 is left as it is
        match = request.resolver_match
        kwargs = match.kwargs if match is not None else {}
        back, back_label = "/", _("To the start page")
        if getattr(request.user, "is_authenticated", False):
            back, back_label = reverse("organiser-home"), _("To all sessions")
            if "code" in kwargs:
                back = reverse("organiser-session", args=[kwargs["code"]])
                back_label = _("Back to the session")
            elif "pk" in kwargs and request.path.startswith("/organiser/programmes/"):
                back = reverse("programme", args=[kwargs["pk"]])
                back_label = _("Back to the programme")
            elif request.path.startswith("/organiser/programmes/"):
                back = reverse("programmes")
                back_label = _("To the programmes")
        page = render(request, "405.html", {"back": back, "back_label": back_label}, status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page


# Files that are compressed archives already: gzip gains them nothing. A 10,000-participant
# session's workbook is 24.5 MB; compressing it again cost CPU on the process that also serves
# the room, and held a second copy of its bytes.
_COMPRESSED_ALREADY = ("application/vnd.openxmlformats-officedocument.", "application/zip")


class GZipMiddleware(DjangoGZipMiddleware):
    """Django's GZipMiddleware (with its BREACH padding), but workbooks, documents and zip
    files go as they are."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.get("Content-Type", "").lower().startswith(_COMPRESSED_ALREADY):
            return response
        return super().process_response(request, response)
