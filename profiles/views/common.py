"""What the profile and programme views share: where a form returns to, a Word download,
the spider chart's title."""

from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def back(request: HttpRequest, default: str) -> str:
    """Where a form posted from a page returns to: its `next`, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: redirect() takes anything else without a "/" for a view
    # name, and an unknown name was a 500 (found by tests/test_hostile_walk.py).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def chart_title(city: str) -> str:
    return _("Spider chart of the six elements, %(city)s") % {"city": city}
