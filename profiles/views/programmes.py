"""Programmes, several sessions analysed together: the list, a new one, its page, its report
and Word document, its edit and deletion."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import Permission
from core.inputs import parse_id_list
from profiles.docx import programme_docx
from profiles.forms import ProgrammeForm, RecommendationForm, ThemeForm
from profiles.models import Audience, Programme
from profiles.selectors import (
    programme_for_user,
    programme_list,
    programme_overview,
    programme_sessions,
    programme_team,
)
from profiles.services import programme_create, programme_delete, programme_update
from profiles.views.common import attachment
from sessions.models import Workshop
from sessions.selectors import workshops_for_team, workshops_for_user
from sessions.view_helpers import attempt_form, edit_form


@login_required
@require_GET
def programme_index(request: HttpRequest) -> HttpResponse:
    # Sessions to preselect (?workshop=3&workshop=5); an odd digit is a 400.
    chosen = set(parse_id_list(request.GET.getlist("workshop"), max_items=200))
    return render(
        request,
        "profiles/programme_list.html",
        {
            "programmes": programme_list(user=request.user),
            "form": ProgrammeForm(),
            "all_workshops": _offered_sessions(request, chosen),
            "chosen": chosen,
        },
    )


def _offered_sessions(
    request: HttpRequest, chosen: set[int], programme: Programme | None = None
) -> list[Workshop]:
    """The sessions a programme can hold: those the user may read (their teams' and those
    shared with them), not the archived ones unless already chosen; for an existing
    programme, only those its team reads too (programme_sessions)."""
    readable = workshops_for_user(user=request.user)
    if programme is not None:
        readable = workshops_for_team(team_id=programme.team_id, among=readable)
    return list(
        readable.filter(Q(archived=False) | Q(pk__in=chosen)).order_by("-date", "city")[:200]
    )


@login_required
@require_POST
def programme_new(request: HttpRequest) -> HttpResponse:
    readable = workshops_for_user(user=request.user)
    programme = attempt_form(
        request,
        ProgrammeForm(request.POST),
        lambda data: programme_create(
            name=data["name"],
            description=data["description"],
            workshop_ids=data["workshops"],
            created_by=request.user,
            team=programme_team(
                user=request.user,
                workshops=list(readable.filter(pk__in=data["workshops"]).order_by("date")),
            ),
            within=readable,
        ),
        success=_(
            "Programme created, with the hand-out's five themes, its recommendations and its "
            "reflective questions to start from."
        ),
    )
    if programme is None:
        return redirect("programmes")
    return redirect("programme", pk=programme.pk)


def _programme_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    """What the programme's page and its printable report both show: the overview of its
    cities, with their spider charts."""
    programme = programme_for_user(user=request.user, pk=pk, need=Permission.READ)
    overview = programme_overview(programme=programme)
    return {
        "programme": overview.programme,
        "overview": overview,
        "chart_svg": overview.chart_svg(_("Spider charts of the cities")),
    }


@login_required
@require_GET
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = _programme_context(request, pk)
    return render(
        request,
        "profiles/programme_detail.html",
        {
            **context,
            "chart_data": context["overview"].chart_data,
            "recommendation_form": RecommendationForm(),
            "theme_form": ThemeForm(),
            "audiences": Audience.choices,
        },
    )


@login_required
@require_GET
def programme_report(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "profiles/programme_report.html", _programme_context(request, pk))


@login_required
@require_GET
def programme_download(request: HttpRequest, pk: int) -> HttpResponse:
    overview = programme_overview(
        programme=programme_for_user(user=request.user, pk=pk, need=Permission.EXPORT)
    )
    name = slugify(overview.programme.name) or "programma"
    return attachment(programme_docx(overview), f"{name}.docx")


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_user(user=request.user, pk=pk, need=Permission.ANALYSE)
    form, saved = edit_form(
        request,
        ProgrammeForm,
        initial=lambda: {
            "name": programme.name,
            "description": programme.description,
            "reflective_questions": programme.reflective_questions,
        },
        save=lambda data: programme_update(
            programme=programme,
            name=data["name"],
            description=data["description"],
            workshop_ids=data["workshops"],
            within=workshops_for_user(user=request.user),
            # Absent from the form (an older page): keep them as they are.
            reflective_questions=data["reflective_questions"]
            if "reflective_questions" in request.POST
            else None,
        ),
        success=_("Programme saved."),
    )
    if saved:
        return redirect("programme", pk=programme.pk)
    if form.is_bound:
        chosen = set(form.cleaned_data.get("workshops") or [])
    else:
        chosen = set(programme_sessions(programme=programme).values_list("pk", flat=True))
    return render(
        request,
        "profiles/programme_edit.html",
        {
            "programme": programme,
            "form": form,
            "chosen": chosen,
            "all_workshops": _offered_sessions(request, chosen, programme),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def programme_remove(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_user(user=request.user, pk=pk, need=Permission.RUN)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Tick the box to confirm the deletion."))
        return redirect("programme-edit", pk=programme.pk)
    name = programme.name
    programme_delete(programme=programme)
    messages.success(request, _("Programme %(name)s deleted.") % {"name": name})
    return redirect("programmes")
