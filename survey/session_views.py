"""The pages that show a session's survey: the projector; the organiser's session page with
its live dashboard and its phase moves (which count who is still answering); the delete page
(which counts the answers) and the comparison of sessions. They read the survey's results,
so they sit in the survey app, above sessions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.inputs import parse_session_codes
from sessions.forms import DuplicateForm, StateForm
from sessions.models import ANSWERING_PHASES, MAX_COMPARED, Phase, ProjectorMode, Workshop
from sessions.qr import qr_svg
from sessions.selectors import is_organiser, projector_key_ok, workshop_get
from sessions.services import workshop_delete, workshop_update_state
from sessions.urls_helpers import session_urls
from survey.selectors import (
    participants_busy,
    results_snapshot,
    session_counts,
    session_dashboard,
    sessions_comparison,
    sessions_focus,
)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@require_GET
def projector(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_get(code=code)
    key = request.GET.get("key")
    if not (projector_key_ok(workshop=workshop, key=key) or is_organiser(request.user)):
        raise PermissionDenied(_("This projector link is not valid."))  # templates/403.html
    urls = session_urls(workshop=workshop, base_url=_base_url(request))
    elements = list(workshop.instrument.elements.order_by("order").prefetch_related("statements"))
    config = {
        "wsPath": f"/ws/s/{workshop.code}/live/?key={workshop.projector_key}",
        "names": {e.key: e.tr("name") for e in elements},
        "elements": {
            e.key: {
                "name": e.tr("name"),
                "capital": e.tr("capital"),
                "core": e.tr("core_question"),
                "questions": e.tr("discussion_questions"),
                "labels": {s.key: s.tr("label") for s in e.statements.all()},
            }
            for e in elements
        },
        "texts": {
            "dontKnow": _("don't know"),
            "mean": _("mean"),
        },
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


@login_required
@require_GET
def organiser_session(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_get(code=code)
    urls = session_urls(workshop=workshop, base_url=_base_url(request))
    tables = list(workshop.tables.order_by("number"))
    return render(
        request,
        "sessions/organiser_session.html",
        {
            "workshop": workshop,
            "urls": urls,
            "chairs": list(zip(tables, urls["chair_urls"], strict=True)),
            "phases": Phase.choices,
            "modes": ProjectorMode.choices,
            "elements": [(e.order, e.tr("name")) for e in workshop.instrument.elements.all()],
            "dashboard": session_dashboard(workshop=workshop),
            "duplicate_form": DuplicateForm(),
            "live_config": {"wsPath": f"/ws/s/{workshop.code}/live/"},
        },
    )


@login_required
@require_POST
def organiser_state(request: HttpRequest, code: str) -> HttpResponse:
    """Phase, projector mode and element, reveal: one form, one change, one broadcast.

    A phase move that ends the survey while phones are still answering asks first (a page
    that works without a script), and goes through only with `confirm=1` from that page."""
    workshop = workshop_get(code=code)
    form = StateForm(request.POST)
    try:
        if not form.is_valid():
            raise ValueError(form.errors.as_text())
        changes = form.changes()
        if _cuts_off(workshop, changes.get("phase")) and request.POST.get("confirm") != "1":
            busy = participants_busy(workshop=workshop)
            if busy:
                return render(
                    request,
                    "sessions/organiser_confirm_phase.html",
                    {
                        "workshop": workshop,
                        "busy": busy,
                        "phase": changes["phase"],
                        "phase_label": Phase(changes["phase"]).label,
                    },
                )
        workshop_update_state(workshop=workshop, **changes)
    except ValueError:
        messages.error(request, _("That change is not possible; nothing changed."))
    return redirect("organiser-session", code=workshop.code)


def _cuts_off(workshop: Workshop, phase: str | None) -> bool:
    """Does moving to `phase` stop phones that can answer now from answering?"""
    return (
        phase is not None and workshop.phase in ANSWERING_PHASES and phase not in ANSWERING_PHASES
    )


@login_required
@require_GET
def organiser_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """The live counts, as a partial the organiser page reloads when the session changes."""
    workshop = workshop_get(code=code)
    return render(
        request,
        "sessions/_dashboard.html",
        {"workshop": workshop, "dashboard": session_dashboard(workshop=workshop)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organiser_delete(request: HttpRequest, code: str) -> HttpResponse:
    """GET says what will be deleted; only the POST from that page deletes."""
    workshop = workshop_get(code=code)
    if request.method == "POST" and request.POST.get("confirm_code", "").upper() == workshop.code:
        city = workshop.city
        workshop_delete(workshop=workshop)
        messages.success(request, _("Session %(city)s deleted.") % {"city": city})
        return redirect("organiser-home")
    error = request.method == "POST"
    return render(
        request,
        "sessions/organiser_delete.html",
        {"workshop": workshop, "counts": session_counts(workshop=workshop), "error": error},
        status=400 if error else 200,
    )


@login_required
@require_GET
def organiser_compare(request: HttpRequest) -> HttpResponse:
    # The one code-list parser: a code with a NUL byte or another odd character is a 400
    # (RejectedMiddleware), never a query PostgreSQL refuses.
    codes = parse_session_codes(request.GET.getlist("code"), max_codes=MAX_COMPARED)
    workshops = list(Workshop.objects.filter(code__in=codes))
    base = parse_session_codes(request.GET.get("base"))  # "verschil met": one of the codes
    comparison = sessions_comparison(workshops=workshops, base=base[0] if base else None)
    return render(
        request,
        "sessions/compare.html",
        {
            # Archived sessions are not offered, unless the link compares them already.
            "all_workshops": Workshop.objects.filter(Q(archived=False) | Q(code__in=codes))[:200],
            "selected": set(codes),
            "comparison": comparison,
            "focus": sessions_focus(workshops=workshops),
            "projector": request.GET.get("projector") == "1",
        },
    )
