"""The phone's privacy statement and its withdrawal: what a participant agrees to before the
first answer (the join page shows the short form, templates/survey/_consent.html) and how they
take their answers out again while the session is open (sessions.services.participant_withdraw).
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import Rejected
from sessions.models import Phase
from sessions.selectors import participant_from_request, session_consent, workshop_get
from sessions.services import participant_withdraw


@require_GET
def join_privacy(request: HttpRequest, code: str) -> HttpResponse:
    """The full privacy statement of a session, in the phone's language."""
    workshop = workshop_get(code=code)
    return render(
        request,
        "survey/privacy.html",
        {
            "workshop": workshop,
            "consent": session_consent(workshop=workshop),
            "participant": participant_from_request(request=request, workshop=workshop),
            "cookie_days": max(1, round(settings.PARTICIPANT_COOKIE_MAX_AGE / 86400)),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def survey_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """GET: what withdrawing means, and the button (or: you have withdrawn). POST: withdraw."""
    workshop = workshop_get(code=code)
    participant = participant_from_request(request=request, workshop=workshop)
    if participant is None:
        return redirect("join", code=workshop.code)
    message = ""
    status = 200
    if request.method == "POST":
        try:
            participant = participant_withdraw(participant=participant)  # twice: once
        except Rejected as refused:
            message, status = str(refused), 409
        else:
            return redirect("survey-withdraw", code=workshop.code)
    ended = workshop.archived or workshop.phase == Phase.CLOSED
    return render(
        request,
        "survey/withdraw.html",
        {
            "workshop": workshop,
            "participant": participant,
            "message": message,
            "ended": ended,
            "consent": session_consent(workshop=workshop) if ended else None,
        },
        status=status,
    )
