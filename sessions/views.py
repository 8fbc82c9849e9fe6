from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import ConsentTextForm
from accounts.models import Team
from accounts.selectors import consent_fields, user_teams
from core.errors import Rejected
from sessions.forms import DuplicateForm, ExcludeForm, JoinForm, WorkshopEditForm, WorkshopForm
from sessions.models import Exclusion, ExclusionKind, Phase, Table, Workshop
from sessions.qr import qr_svg
from sessions.rate_limits import Rule, client_cookie, client_ip, rate_limited
from sessions.selectors import (
    PARTICIPANT_COOKIE_SALT,
    is_organiser,
    join_refusal,
    organiser_workshops,
    participant_cookie_name,
    participant_from_request,
    session_consent,
    session_list,
    table_counts,
    workshop_get,
)
from sessions.services import (
    exclusion_undo,
    participant_join,
    participants_exclude,
    workshop_consent_set,
    workshop_create,
    workshop_duplicate,
    workshop_set_archived,
    workshop_update,
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if is_organiser(request.user):
        return redirect("organiser-home")
    code = request.GET.get("code", "").strip()
    if code:
        if "/" in code:  # no session code has one, and the join URL could not hold it
            raise Http404("unknown session code")
        return redirect("join", code=code.upper())
    return render(request, "sessions/home.html")


JOIN_PER_CLIENT = Rule(name="join-client", setting="JOIN_RATE_PER_CLIENT", key=client_cookie)
JOIN_PER_IP = Rule(name="join-ip", setting="JOIN_RATE_PER_IP", key=client_ip)


@require_http_methods(["GET", "POST"])
@rate_limited(JOIN_PER_CLIENT, JOIN_PER_IP)
def join(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_get(code=code)
    participant = participant_from_request(request=request, workshop=workshop)
    if participant is not None:
        # A phone that already joined (reload, back button, woke from sleep) resumes.
        return redirect("survey-element", code=workshop.code, number=participant.last_element)
    refusal = join_refusal(workshop_id=workshop.pk)
    if refusal is not None:  # closed or full: say so before the phone fills in anything
        return _join_refused(request, workshop, refusal)
    consent = session_consent(workshop=workshop)  # the text to agree to, and its version
    form = JoinForm(
        request.POST if request.method == "POST" else None,
        workshop=workshop,
        tables=table_counts(workshop=workshop),
        consent_version=consent.text.version,
    )
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["table"]
        table = Table.objects.filter(workshop=workshop, number=number).first() if number else None
        try:
            participant = participant_join(
                workshop=workshop,
                table=table,
                role=form.cleaned_data["role"] or "",
                consent=consent.text,
            )
        except Rejected as refused:  # filled up (or closed) while this phone filled in
            return _join_refused(request, workshop, str(refused))
        response = redirect("survey-element", code=workshop.code, number=1)
        response.set_signed_cookie(
            participant_cookie_name(workshop),
            str(participant.token),
            salt=PARTICIPANT_COOKIE_SALT,
            max_age=settings.PARTICIPANT_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
        return response
    return render(
        request,
        "survey/join.html",
        {"workshop": workshop, "form": form, "consent": consent},
        status=400 if form.is_bound else 200,
    )


def _join_refused(request: HttpRequest, workshop: Workshop, message: str) -> HttpResponse:
    closed = Workshop.objects.filter(pk=workshop.pk, phase=Phase.CLOSED).exists()
    return render(
        request,
        # A session that has ended says so in its own words (no way to join, a thank-you).
        "survey/join_closed.html" if closed else "survey/join_refused.html",
        {"workshop": workshop, "message": message},
        status=409 if request.method == "POST" else 200,
    )


def _teams(request: HttpRequest) -> list[Team]:
    return list(user_teams(user=request.user))


def _session_list(request: HttpRequest) -> dict:
    """The organiser's list: without the archived sessions unless ?archived=1 asks for them."""
    with_archived = request.GET.get("archived") == "1"
    return {
        "workshops": session_list(user=request.user, with_archived=with_archived),
        "with_archived": with_archived,
        "archived_count": organiser_workshops(user=request.user).filter(archived=True).count(),
    }


@login_required
@require_GET
def organiser_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sessions/organiser_home.html",
        {**_session_list(request), "form": WorkshopForm(teams=_teams(request))},
    )


@login_required
@require_POST
def organiser_create(request: HttpRequest) -> HttpResponse:
    form = WorkshopForm(request.POST, teams=_teams(request))
    if not form.is_valid():
        return render(
            request,
            "sessions/organiser_home.html",
            {**_session_list(request), "form": form},
            status=400,
        )
    workshop = workshop_create(created_by=request.user, **form.cleaned_data)
    messages.success(request, _("Session created."))
    return HttpResponseRedirect(reverse("organiser-session", args=[workshop.code]))


@login_required
@require_http_methods(["GET", "POST"])
def organiser_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Edit the session on the day: city, title, date, more tables."""
    workshop = workshop_get(code=code)
    form = WorkshopEditForm(request.POST or None, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        try:
            workshop_update(workshop=workshop, **form.changes())
        except ValueError:
            form.add_error(None, _("That change is not possible; nothing changed."))
        else:
            messages.success(request, _("Session saved."))
            return redirect("organiser-session", code=workshop.code)
    return render(
        request,
        "sessions/organiser_edit.html",
        {"workshop": workshop, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def organiser_duplicate(request: HttpRequest, code: str) -> HttpResponse:
    source = workshop_get(code=code)
    form = DuplicateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a city and a date for the new session."))
        return redirect("organiser-session", code=source.code)
    workshop = workshop_duplicate(source=source, created_by=request.user, **form.cleaned_data)
    messages.success(request, _("Session created."))
    return redirect("organiser-session", code=workshop.code)


@login_required
@require_POST
def organiser_archive(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_get(code=code)
    archived = request.POST.get("archived") == "1"
    workshop_set_archived(workshop=workshop, archived=archived)
    if archived:
        messages.success(
            request,
            _(
                "Session archived: it is read-only (no joins, answers or notes) and hidden "
                "from the list of sessions."
            ),
        )
    else:
        messages.success(request, _("Session restored: it can be changed again."))
    return redirect("organiser-session", code=workshop.code)


@login_required
@require_POST
def organiser_exclude(request: HttpRequest, code: str) -> HttpResponse:
    """Take the phones that joined in a span (a burst the console flags) out of the results."""
    workshop = workshop_get(code=code)
    form = ExcludeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That time span is not valid; nothing changed."))
        return redirect("organiser-session", code=workshop.code)
    try:
        exclusion = participants_exclude(workshop=workshop, by=request.user, **form.cleaned_data)
    except Rejected as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d participant taken out of the results.",
                "%(count)d participants taken out of the results.",
                exclusion.count,
            )
            % {"count": exclusion.count},
        )
    return redirect("organiser-session", code=workshop.code)


@login_required
@require_POST
def organiser_exclusion_undo(request: HttpRequest, code: str, exclusion_id: int) -> HttpResponse:
    workshop = workshop_get(code=code)
    exclusion = Exclusion.objects.filter(
        pk=exclusion_id, workshop=workshop, kind=ExclusionKind.BURST
    ).first()
    if exclusion is None:
        raise Http404("no such exclusion")
    if exclusion_undo(exclusion=exclusion, by=request.user):
        messages.success(request, _("The participants are back in the results."))
    return redirect("organiser-session", code=workshop.code)


@require_GET
def join_qr(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_get(code=code)
    url = request.build_absolute_uri(reverse("join", args=[workshop.code]))
    return HttpResponse(qr_svg(url), content_type="image/svg+xml")


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For proxies, health checks and tests: answers once the app and its database are up."""
    Workshop.objects.exists()
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_http_methods(["GET", "POST"])
def organiser_consent(request: HttpRequest, code: str) -> HttpResponse:
    """The session's consent text: its own, or (without one) its team's or the built-in one."""
    workshop = workshop_get(code=code)
    consent = session_consent(workshop=workshop)
    if request.method == "POST":
        form = ConsentTextForm(request.POST)
        if form.is_valid():
            inherited = session_consent(workshop=workshop, own=False).text
            workshop_consent_set(
                workshop=workshop,
                fields=form.consent_fields(),
                by=request.user,
                inherited=inherited,
            )
            messages.success(request, _("The session's consent text is saved."))
            return redirect("organiser-consent", code=workshop.code)
    else:
        form = ConsentTextForm(initial=consent_fields(consent.text))
    return render(
        request,
        "sessions/organiser_consent.html",
        {"workshop": workshop, "form": form, "consent": consent},
        status=400 if form.errors else 200,
    )
