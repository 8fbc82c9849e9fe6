"""The organiser's console: the list of sessions and the new-session form, a session's page
with its live dashboard and phase moves, edit, duplicate, archive, exclude, delete; the
projector; the comparison of sessions. It reads the survey's results and the sessions' rows,
so it sits above both (docs/development.md, the layers)."""

import datetime
import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import Permission
from accounts.forms import ConsentTextForm
from accounts.models import AuditAction, Team
from accounts.selectors import consent_fields
from accounts.services import audit_record
from core.inputs import parse_session_codes
from notes.services import session_anonymise
from sessions.forms import (
    DuplicateForm,
    ExcludeForm,
    RoundForm,
    StateForm,
    WorkshopEditForm,
    WorkshopForm,
)
from sessions.models import (
    ANSWERING_PHASES,
    MAX_COMPARED,
    ROUND_MINUTES_MAX,
    Exclusion,
    ExclusionKind,
    Phase,
    ProjectorMode,
    Table,
    Workshop,
)
from sessions.qr import qr_svg
from sessions.selectors import (
    may_read_results,
    organiser_workshops,
    retention_due,
    session_consent,
    session_creation_teams,
    session_list,
    session_programmes,
    share_teams,
    workshop_for_user,
    workshop_get,
    workshops_for_user,
)
from sessions.services import (
    exclusion_undo,
    participants_exclude,
    workshop_consent_set,
    workshop_create,
    workshop_delete,
    workshop_duplicate,
    workshop_round,
    workshop_set_archived,
    workshop_set_rehearsing,
    workshop_share,
    workshop_update,
    workshop_update_state,
)
from sessions.urls_helpers import session_urls
from sessions.view_helpers import Refused, attempt, outcome
from survey.selectors import (
    participants_busy,
    results_snapshot,
    session_counts,
    session_dashboard,
    sessions_comparison,
    sessions_focus,
)
from survey.services import participants_nudge, rehearsal_clear


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@require_GET
def projector(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_get(code=code)
    key = request.GET.get("key")
    if not may_read_results(user=request.user, workshop=workshop, key=key):
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
            "timeUp": _("Time is up"),
            # The projector's "one table against the room" ("Tafel 2 · Haven" against the rest).
            "table": _("Table %(number)s"),
            "rest": _("rest of the room"),
            "against": _("against the rest of the room"),
        },
        "serverNow": _now_ms(),
        "snapshot": results_snapshot(workshop_id=workshop.pk),
    }
    return render(
        request,
        "console/projector.html",
        {
            "workshop": workshop,
            "join_url": urls["join_url"],
            # Written as two pieces, so a line breaks before the code, never inside it.
            "join_base": urls["join_url"].removesuffix(f"j/{workshop.code}/"),
            "join_qr": qr_svg(urls["join_url"], scale=12),
            "config": config,
        },
    )


@login_required
@require_GET
def organiser_session(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.READ)
    urls = session_urls(workshop=workshop, base_url=_base_url(request))
    tables = list(workshop.tables.order_by("number"))
    return render(
        request,
        "console/organiser_session.html",
        {
            **_controls(workshop, tables),
            "urls": urls,
            "chairs": list(zip(tables, urls["chair_urls"], strict=True)),
            "dashboard": session_dashboard(workshop=workshop),
            "retention_due": bool(retention_due(workshops=[workshop])),
            "duplicate_form": DuplicateForm(),
            "share_teams": (
                share_teams(workshop=workshop, user=request.user) if "run" in workshop.may else None
            ),
            "session_programmes": session_programmes(user=request.user, workshop=workshop),
            "live_config": {
                "wsPath": f"/ws/s/{workshop.code}/live/",
                "serverNow": _now_ms(),
                "timeUp": _("Time is up"),
            },
        },
    )


def _controls(workshop: Workshop, tables: list[Table]) -> dict[str, Any]:
    """What the console's controls show (console/_controls.html): the phases, the projector's
    modes, elements (by order, name and key) and tables, the round timer."""
    return {
        "workshop": workshop,
        "phases": Phase.choices,
        # "One table against the room" is chosen by its table (the buttons below the modes).
        "modes": [(v, label) for v, label in ProjectorMode.choices if v != ProjectorMode.TABLE],
        "tables": tables,
        "elements": [(e.order, e.tr("name"), e.key) for e in workshop.instrument.elements.all()],
        "round_form": RoundForm(initial={"minutes": workshop.round_minutes}),
        "round_ends_at": _epoch(workshop.round_ends_at),
    }


@login_required
@require_GET
def organiser_controls(request: HttpRequest, code: str) -> HttpResponse:
    """The console's controls as a partial: a console fetches them again when the session's
    phase, projector or round changed elsewhere (another organiser of the session)."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
    tables = list(workshop.tables.order_by("number"))
    return render(request, "console/_controls.html", _controls(workshop, tables))


def _now_ms() -> int:
    """The server's clock for the round timer: the page corrects its own clock by it."""
    return int(time.time() * 1000)


def _epoch(value: datetime.datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


@login_required
@require_POST
def organiser_round(request: HttpRequest, code: str) -> HttpResponse:
    """The round timer: start a round, go to the next element (projector and timer at once),
    or stop it."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
    form = RoundForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("A round lasts 1 to %(max)d minutes.") % {"max": ROUND_MINUTES_MAX}
        )
        return redirect("organiser-session", code=workshop.code)
    # No message: the console's timer shows the round.
    attempt(request, lambda: workshop_round(workshop=workshop, **form.cleaned_data), success=None)
    return redirect("organiser-session", code=workshop.code)


@login_required
@require_POST
def organiser_rehearsal(request: HttpRequest, code: str) -> HttpResponse:
    """Start or end the rehearsal (phones can answer in the arrival phase)."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
    rehearsing = request.POST.get("rehearsing") == "1"
    attempt(
        request,
        lambda: workshop_set_rehearsing(workshop=workshop, rehearsing=rehearsing),
        success=_(
            "Rehearsal started: scan the QR code and try the survey. Clear the "
            "rehearsal before the room arrives."
        )
        if rehearsing
        else None,
    )
    return redirect("organiser-session", code=workshop.code)


@login_required
@require_http_methods(["GET", "POST"])
def organiser_rehearsal_clear(request: HttpRequest, code: str) -> HttpResponse:
    """GET asks (with what will be cleared); the POST from that page clears the rehearsal."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
    if request.method == "POST" and request.POST.get("confirm") == "1":
        attempt(
            request,
            lambda: rehearsal_clear(workshop=workshop),
            success=lambda count: (
                ngettext(
                    "Rehearsal cleared: %(count)d participant and their answers removed.",
                    "Rehearsal cleared: %(count)d participants and their answers removed.",
                    count,
                )
                % {"count": count}
            ),
        )
        return redirect("organiser-session", code=workshop.code)
    return render(
        request,
        "console/organiser_rehearsal_clear.html",
        {
            "workshop": workshop,
            "counts": session_counts(workshop=workshop),
            "started": workshop.phase != Phase.JOIN,
        },
    )


@login_required
@require_POST
def organiser_nudge(request: HttpRequest, code: str) -> HttpResponse:
    """Remind the phones that have not finished (a reminder on each phone)."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
    attempt(
        request,
        lambda: participants_nudge(workshop=workshop),
        success=lambda count: (
            ngettext(
                "Reminder sent to %(count)d phone.", "Reminder sent to %(count)d phones.", count
            )
            % {"count": count}
        ),
    )
    return redirect("organiser-session", code=workshop.code)


@login_required
@require_GET
def organiser_table_tents(request: HttpRequest, code: str) -> HttpResponse:
    """A card to fold and put on each table: the join QR code that chooses the table
    (/j/<code>/?table=N), the table's number and focus. One A4 per table when printed."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.READ)
    join_url = session_urls(workshop=workshop, base_url=_base_url(request))["join_url"]
    tents = []
    for table in workshop.tables.order_by("number"):
        url = f"{join_url}?table={table.number}"
        tents.append({"table": table, "url": url, "qr": qr_svg(url, scale=10)})
    return render(
        request,
        "console/table_tents.html",
        {"workshop": workshop, "tents": tents, "short_url": join_url},
    )


@login_required
@require_POST
def organiser_state(request: HttpRequest, code: str) -> HttpResponse:
    """Phase, projector mode and element, reveal: one form, one change, one broadcast.

    A phase move that ends the survey while phones are still answering asks first (a page
    that works without a script), and goes through only with `confirm=1` from that page."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
    form = StateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That change is not possible; nothing changed."))
        return redirect("organiser-session", code=workshop.code)
    changes = form.changes()
    if _cuts_off(workshop, changes.get("phase")) and request.POST.get("confirm") != "1":
        busy = participants_busy(workshop=workshop)
        if busy:
            return render(
                request,
                "console/organiser_confirm_phase.html",
                {
                    "workshop": workshop,
                    "busy": busy,
                    "phase": changes["phase"],
                    "phase_label": Phase(changes["phase"]).label,
                },
            )

    def change() -> None:
        before = workshop.phase
        workshop_update_state(workshop=workshop, **changes)
        if workshop.phase != before:
            audit_record(
                actor=request.user,
                action=AuditAction.PHASE,
                workshop=workshop,
                detail={"from": before, "to": workshop.phase},
            )

    # No message: the console shows the phase and the projector as they now are.
    attempt(request, change, success=None)
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
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.READ)
    return render(
        request,
        "console/_dashboard.html",
        {"workshop": workshop, "dashboard": session_dashboard(workshop=workshop)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organiser_delete(request: HttpRequest, code: str) -> HttpResponse:
    """GET says what will be deleted; only the POST from that page deletes."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
    if request.method == "POST" and request.POST.get("confirm_code", "").upper() == workshop.code:
        city = workshop.city
        audit_record(actor=request.user, action=AuditAction.DELETE, workshop=workshop)
        workshop_delete(workshop=workshop)
        messages.success(request, _("Session %(city)s deleted.") % {"city": city})
        return redirect("organiser-home")
    error = request.method == "POST"
    return render(
        request,
        "console/organiser_delete.html",
        {"workshop": workshop, "counts": session_counts(workshop=workshop), "error": error},
        status=400 if error else 200,
    )


@login_required
@require_GET
def organiser_compare(request: HttpRequest) -> HttpResponse:
    # The one code-list parser: a code with a NUL byte or another odd character is a 400
    # (RejectedMiddleware), never a query PostgreSQL refuses.
    codes = parse_session_codes(request.GET.getlist("code"), max_codes=MAX_COMPARED)
    readable = workshops_for_user(user=request.user)
    workshops = list(readable.filter(code__in=codes))
    base = parse_session_codes(request.GET.get("base"))  # "verschil met": one of the codes
    comparison = sessions_comparison(workshops=workshops, base=base[0] if base else None)
    return render(
        request,
        "console/compare.html",
        {
            # Archived sessions are not offered, unless the link compares them already.
            "all_workshops": readable.filter(Q(archived=False) | Q(code__in=codes))[:200],
            "selected": set(codes),
            "comparison": comparison,
            "focus": sessions_focus(workshops=workshops),
            "projector": request.GET.get("projector") == "1",
        },
    )


def _teams(request: HttpRequest) -> list[Team]:
    """The teams the user may make a session in; a 403 if they may make none (a researcher)."""
    teams = session_creation_teams(user=request.user)
    if teams is None:
        raise PermissionDenied(_("Your role does not allow making sessions."))
    return teams


def _session_list(request: HttpRequest) -> dict:
    """The organiser's list: without the archived sessions unless ?archived=1 asks for them;
    `due`: the ids of those older than their team's retention period."""
    with_archived = request.GET.get("archived") == "1"
    workshops = session_list(user=request.user, with_archived=with_archived)
    return {
        "workshops": workshops,
        "due": retention_due(workshops=workshops),
        "with_archived": with_archived,
        "archived_count": organiser_workshops(user=request.user).filter(archived=True).count(),
    }


@login_required
@require_GET
def organiser_home(request: HttpRequest) -> HttpResponse:
    teams = session_creation_teams(user=request.user)
    form = WorkshopForm(teams=teams) if teams is not None else None
    return render(request, "console/organiser_home.html", {**_session_list(request), "form": form})


@login_required
@require_POST
def organiser_create(request: HttpRequest) -> HttpResponse:
    form = WorkshopForm(request.POST, teams=_teams(request))
    if not form.is_valid():
        return render(
            request,
            "console/organiser_home.html",
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
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
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
        "console/organiser_edit.html",
        {"workshop": workshop, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def organiser_duplicate(request: HttpRequest, code: str) -> HttpResponse:
    source = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
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
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
    archived = request.POST.get("archived") == "1"

    def archive() -> None:
        if workshop.archived != archived:
            action = AuditAction.ARCHIVE if archived else AuditAction.UNARCHIVE
            audit_record(actor=request.user, action=action, workshop=workshop)
        workshop_set_archived(workshop=workshop, archived=archived)

    attempt(
        request,
        archive,
        success=_(
            "Session archived: it is read-only (no joins, answers or notes) and hidden "
            "from the list of sessions."
        )
        if archived
        else _("Session restored: it can be changed again."),
    )
    return redirect("organiser-session", code=workshop.code)


@login_required
@require_POST
def organiser_exclude(request: HttpRequest, code: str) -> HttpResponse:
    """Take the phones that joined in a span (a burst the console flags) out of the results."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
    form = ExcludeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That time span is not valid; nothing changed."))
        return redirect("organiser-session", code=workshop.code)
    attempt(
        request,
        lambda: participants_exclude(workshop=workshop, by=request.user, **form.cleaned_data),
        success=lambda exclusion: (
            ngettext(
                "%(count)d participant taken out of the results.",
                "%(count)d participants taken out of the results.",
                exclusion.count,
            )
            % {"count": exclusion.count}
        ),
    )
    return redirect("organiser-session", code=workshop.code)


@login_required
@require_POST
def organiser_exclusion_undo(request: HttpRequest, code: str, exclusion_id: int) -> HttpResponse:
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
    exclusion = Exclusion.objects.filter(
        pk=exclusion_id, workshop=workshop, kind=ExclusionKind.BURST
    ).first()
    if exclusion is None:
        raise Http404("no such exclusion")
    if exclusion_undo(exclusion=exclusion, by=request.user):
        messages.success(request, _("The participants are back in the results."))
    return redirect("organiser-session", code=workshop.code)


@login_required
@require_http_methods(["GET", "POST"])
def organiser_consent(request: HttpRequest, code: str) -> HttpResponse:
    """The session's consent text: its own, or (without one) its team's or the built-in one."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
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
        "console/organiser_consent.html",
        {"workshop": workshop, "form": form, "consent": consent},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def organiser_anonymise(request: HttpRequest, code: str) -> HttpResponse:
    """GET says what anonymising removes and keeps (or why it cannot be done yet); the POST
    from that page, with the session's code typed, does it. The same POST again is told the
    session was anonymised already."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
    context = {
        "workshop": workshop,
        "counts": session_counts(workshop=workshop),
        "closed": workshop.phase == Phase.CLOSED,
        "error": "",
    }
    if request.method == "POST" and workshop.anonymised_at is None:
        if request.POST.get("confirm_code", "").strip().upper() != workshop.code:
            context["error"] = _("The code you typed does not match; nothing was changed.")
            return render(request, "console/organiser_anonymise.html", context, status=400)
        done = outcome(lambda: session_anonymise(workshop=workshop, by=request.user))
        if isinstance(done, Refused):
            context["error"] = done.message
            return render(request, "console/organiser_anonymise.html", context, status=400)
        if done.done:
            messages.success(
                request,
                _(
                    "Session anonymised: %(participants)s participants and %(answers)s "
                    "answers removed; its scores, profile and publication are kept."
                )
                % {"participants": done.participants, "answers": done.answers},
            )
            return redirect("organiser-session", code=workshop.code)
    if request.method == "POST":  # anonymised already: the same request twice
        messages.info(request, _("This session was anonymised already; nothing changed."))
        return redirect("organiser-session", code=workshop.code)
    return render(request, "console/organiser_anonymise.html", context)


@login_required
@require_POST
def organiser_share(request: HttpRequest, code: str) -> HttpResponse:
    """Share the session read-only with another team (for a cross-team comparison), or stop:
    the team picked from the list of those the organiser knows (`team`), or another team by
    the code its members gave (`code`, which wins when both are sent)."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
    shared = request.POST.get("shared") != "0"
    team_code = request.POST.get("code", "").strip() or request.POST.get("team") or ""
    attempt(
        request,
        lambda: workshop_share(workshop=workshop, team_slug=team_code, shared=shared),
        success=lambda team: (
            (
                _("Shared read-only with %(team)s.")
                if shared
                else _("No longer shared with %(team)s.")
            )
            % {"team": team.name}
        ),
        in_place="share",
    )
    return redirect(reverse("organiser-session", args=[workshop.code]) + "#share")
