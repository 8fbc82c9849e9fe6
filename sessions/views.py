from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sessions.forms import JoinForm, PhaseForm, WorkshopForm
from sessions.models import Phase, Table, Workshop
from sessions.qr import qr_svg
from sessions.selectors import (
    PARTICIPANT_COOKIE_SALT,
    is_organiser,
    participant_cookie_name,
    participant_from_request,
    projector_key_ok,
    workshop_get,
)
from sessions.services import participant_join, workshop_create, workshop_set_phase
from sessions.urls_helpers import session_urls
from survey.selectors import results_snapshot


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if is_organiser(request.user):
        return redirect("organiser-home")
    code = request.GET.get("code", "").strip()
    if code:
        return redirect("join", code=code.upper())
    return render(request, "sessions/home.html")


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_get(code=code)
    participant = participant_from_request(request=request, workshop=workshop)
    if participant is not None:
        # A phone that already joined (reload, back button, woke from sleep) resumes.
        return redirect("survey-element", code=workshop.code, number=participant.last_element)
    form = JoinForm(request.POST if request.method == "POST" else None, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["table"]
        table = Table.objects.filter(workshop=workshop, number=number).first() if number else None
        participant = participant_join(
            workshop=workshop, table=table, role=form.cleaned_data["role"] or ""
        )
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
    return render(request, "survey/join.html", {"workshop": workshop, "form": form})


@require_GET
def projector(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_get(code=code)
    key = request.GET.get("key")
    if not (projector_key_ok(workshop=workshop, key=key) or is_organiser(request.user)):
        return HttpResponse(_("This projector link is not valid."), status=403)
    urls = session_urls(workshop=workshop, base_url=_base_url(request))
    elements = list(workshop.instrument.elements.order_by("order"))
    config = {
        "wsPath": f"/ws/s/{workshop.code}/live/?key={workshop.projector_key}",
        "names": {e.key: e.tr("name") for e in elements},
        "snapshot": results_snapshot(workshop_id=workshop.pk),
    }
    return render(
        request,
        "sessions/projector.html",
        {
            "workshop": workshop,
            "join_url": urls["join_url"],
            "join_qr": qr_svg(urls["join_url"], scale=12),
            "config": config,
        },
    )


@require_GET
def chair(request: HttpRequest, code: str, key: str) -> HttpResponse:
    workshop = workshop_get(code=code)
    table = get_object_or_404(Table, workshop=workshop, chair_key=key)
    participants = table.participants.order_by("seat")
    return render(
        request,
        "sessions/chair.html",
        {"workshop": workshop, "table": table, "participants": participants},
    )


@login_required
@require_GET
def organiser_home(request: HttpRequest) -> HttpResponse:
    workshops = Workshop.objects.select_related("instrument").all()[:200]
    return render(
        request, "sessions/organiser_home.html", {"workshops": workshops, "form": WorkshopForm()}
    )


@login_required
@require_POST
def organiser_create(request: HttpRequest) -> HttpResponse:
    form = WorkshopForm(request.POST)
    if not form.is_valid():
        workshops = Workshop.objects.select_related("instrument").all()[:200]
        return render(
            request,
            "sessions/organiser_home.html",
            {"workshops": workshops, "form": form},
            status=400,
        )
    workshop = workshop_create(created_by=request.user, **form.cleaned_data)
    messages.success(request, _("Session created."))
    return HttpResponseRedirect(reverse("organiser-session", args=[workshop.code]))


@login_required
@require_GET
def organiser_session(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_get(code=code)
    urls = session_urls(workshop=workshop, base_url=_base_url(request))
    snapshot = results_snapshot(workshop_id=workshop.pk)
    tables = list(workshop.tables.order_by("number"))
    return render(
        request,
        "sessions/organiser_session.html",
        {
            "workshop": workshop,
            "urls": urls,
            "chairs": list(zip(tables, urls["chair_urls"], strict=True)),
            "snapshot": snapshot,
            "phases": Phase.choices,
            "join_qr": qr_svg(urls["join_url"], scale=5),
        },
    )


@login_required
@require_POST
def organiser_phase(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_get(code=code)
    form = PhaseForm(request.POST)
    if form.is_valid():
        workshop_set_phase(workshop=workshop, phase=form.cleaned_data["phase"])
        messages.success(
            request, _("Phase changed to %(phase)s.") % {"phase": workshop.get_phase_display()}
        )
    else:
        messages.error(request, _("Unknown phase; nothing changed."))
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
