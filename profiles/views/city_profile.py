"""The city profile of one session: its page, its Word document, its own texts and one
element's."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import Permission
from profiles.docx import profile_docx
from profiles.forms import ProfileElementForm, ProfileForm
from profiles.models import PointSection
from profiles.selectors import (
    element_workspace,
    profile_document,
    profile_element_number,
    session_notes_by_element,
    session_observations,
)
from profiles.services import profile_element_update, profile_update
from profiles.views.common import attachment, back, chart_title
from sessions.selectors import workshop_for_user
from sessions.view_helpers import attempt_form, edit_form


@login_required
@require_GET
def profile_detail(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.READ)
    document = profile_document(workshop=workshop)
    return render(
        request,
        "profiles/profile.html",
        {
            "workshop": workshop,
            "doc": document,
            "chart_svg": document.chart_svg(chart_title(workshop.city)),
            "chart_data": document.chart_data,
        },
    )


@login_required
@require_GET
def profile_download(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.EXPORT)
    content = profile_docx(profile_document(workshop=workshop))
    name = slugify(f"profiel-{workshop.city}-{workshop.date:%Y-%m-%d}") or "profiel"
    return attachment(content, f"{name}.docx")


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, code: str) -> HttpResponse:
    """The profile's own texts: local context, summary, closing quote; and the
    opportunities."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.ANALYSE)
    document = profile_document(workshop=workshop)
    profile = document.profile
    form, saved = edit_form(
        request,
        ProfileForm,
        initial=lambda: {
            "local_context": profile.local_context,
            "summary": profile.summary,
            "closing_quote": profile.closing_quote,
            "closing_quote_note": profile.closing_quote_note_id,
            "closing_quote_observation": profile.closing_quote_observation_id,
        },
        save=lambda data: profile_update(
            workshop=workshop,
            local_context=data["local_context"],
            summary=data["summary"],
            closing_quote=data["closing_quote"],
            closing_quote_note_id=data["closing_quote_note"],
            closing_quote_observation_id=data["closing_quote_observation"],
        ),
        success=_("Profile saved."),
    )
    if saved:
        return redirect(back(request, reverse("profile", args=[workshop.code])))
    by_element = session_notes_by_element(workshop=workshop)
    return render(
        request,
        "profiles/profile_edit.html",
        {
            "workshop": workshop,
            "doc": document,
            "form": form,
            "by_element": by_element,
            "quote_notes": [n for group in by_element for n in group.notes if n.is_quote],
            "quote_observations": session_observations(workshop=workshop),
            "opportunity": PointSection.OPPORTUNITY,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_element_edit(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """One element: its representative quote, synthesis, strong points and bottlenecks."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.ANALYSE)
    element = profile_element_number(workshop=workshop, number=number)
    if request.method == "POST":
        form = ProfileElementForm(request.POST)
        saved = attempt_form(
            request,
            form,
            lambda data: profile_element_update(
                workshop=workshop,
                element_id=element.pk,
                synthesis=data["synthesis"],
                quote=data["quote"],
                quote_note_id=data["quote_note"],
                quote_observation_id=data["quote_observation"],
            ),
            success=_("Element saved."),
        )
        if saved is not None:
            return redirect(back(request, reverse("profile", args=[workshop.code])))
    space = element_workspace(workshop=workshop, number=number)
    if request.method != "POST":
        form = ProfileElementForm(
            initial={
                "synthesis": space.row.synthesis if space.row else "",
                "quote": space.row.quote if space.row else "",
                "quote_note": space.row.quote_note_id if space.row else None,
                "quote_observation": space.row.quote_observation_id if space.row else None,
            }
        )
    return render(
        request,
        "profiles/element_edit.html",
        {
            "workshop": workshop,
            "space": space,
            "section": space.section,
            "core_question": element.tr("core_question"),
            "form": form,
            "number": number,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if number < space.element_count else None,
            "strength": PointSection.STRENGTH,
            "bottleneck": PointSection.BOTTLENECK,
        },
        status=400 if request.method == "POST" else 200,
    )
