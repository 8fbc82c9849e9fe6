"""Site-wide views that belong to no app: the page of a refused form post."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from sessions.models import Workshop


def _way_back(request: HttpRequest) -> str:
    """Where the user came from, if it is this site: the page of the refused form (its
    Referer), else the `next` the form carried (the language switch has one), else home."""
    allowed = {request.get_host()}
    for candidate in (request.META.get("HTTP_REFERER", ""), request.POST.get("next", "")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts=allowed, require_https=request.is_secure()
        ):
            return candidate
    return "/"


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a refused post (an expired page, cookies blocked, a stale tab) gets a
    page in the user's language that says what happened and how to go on, instead of Django's
    bare English one. Nothing was stored. htmx and the tablet's script get the short message
    only (they show it in place); their own handling keeps what was typed."""
    template = (
        "_csrf_failure_fragment.html" if request.headers.get("HX-Request") else "403_csrf.html"
    )
    return render(request, template, {"back_url": _way_back(request)}, status=403)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For proxies, health checks and tests: answers once the app and its database are up."""
    Workshop.objects.exists()
    return HttpResponse("ok", content_type="text/plain")
