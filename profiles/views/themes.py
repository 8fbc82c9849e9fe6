"""The programme's themes, and the tagging of the sessions' notes and observations with them."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import Permission
from core.inputs import parse_id_list, parse_optional_id
from profiles.forms import ThemeForm
from profiles.selectors import (
    notes_for_tagging,
    observations_for_tagging,
    profile_element_number,
    programme_for_user,
    programme_workshops,
    theme_get,
)
from profiles.services import theme_create, theme_delete, theme_tags_set, theme_update
from sessions.view_helpers import attempt, attempt_form, edit_form


@login_required
@require_POST
def programme_theme_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_user(user=request.user, pk=pk, need=Permission.ANALYSE)
    attempt_form(
        request,
        ThemeForm(request.POST),
        lambda data: theme_create(programme=programme, **data),
        success=_("Theme added."),
    )
    return redirect(reverse("programme", args=[programme.pk]) + "#themes")


@login_required
@require_http_methods(["GET", "POST"])
def programme_theme_edit(request: HttpRequest, pk: int, theme_pk: int) -> HttpResponse:
    programme_for_user(user=request.user, pk=pk, need=Permission.ANALYSE)
    theme = theme_get(programme_pk=pk, pk=theme_pk)
    form, saved = edit_form(
        request,
        ThemeForm,
        initial=lambda: {
            "name": theme.name,
            "description": theme.description,
            "narrative": theme.narrative,
            "key_points": theme.key_points,
        },
        save=lambda data: theme_update(
            theme=theme,
            name=data["name"],
            description=data["description"],
            # Absent from the form (an older page): kept as they are.
            narrative=data["narrative"] if "narrative" in request.POST else None,
            key_points=data["key_points"] if "key_points" in request.POST else None,
        ),
        success=_("Theme saved."),
    )
    if saved:
        return redirect(reverse("programme", args=[pk]) + "#themes")
    return render(
        request,
        "profiles/theme_edit.html",
        {"programme": theme.programme, "theme": theme, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def programme_theme_delete(request: HttpRequest, pk: int, theme_pk: int) -> HttpResponse:
    programme_for_user(user=request.user, pk=pk, need=Permission.ANALYSE)
    theme = theme_get(programme_pk=pk, pk=theme_pk)
    theme_delete(theme=theme)
    messages.success(request, _("Theme deleted."))
    return redirect(reverse("programme", args=[pk]) + "#themes")


@login_required
@require_http_methods(["GET", "POST"])
def programme_tag(request: HttpRequest, pk: int) -> HttpResponse:
    """Tag one session's notes (of one element, or all) with the programme's themes."""
    programme = programme_for_user(user=request.user, pk=pk, need=Permission.ANALYSE)
    workshops = programme_workshops(programme=programme)
    params = request.POST if request.method == "POST" else request.GET
    code = (params.get("session") or (workshops[0].code if workshops else "")).upper()
    workshop = next((w for w in workshops if w.code == code), None)
    # The element by its number (1..50); an odd digit or a huge number is a 400.
    number = parse_optional_id(params.get("element") or None, max_value=50)
    element = None
    if workshop is not None and number is not None:
        element = profile_element_number(workshop=workshop, number=number)
    if request.method == "POST" and workshop is not None:
        note_ids = parse_id_list(request.POST.getlist("notes"))
        tags = {n: parse_id_list(request.POST.getlist(f"themes-{n}")) for n in note_ids}
        observation_ids = parse_id_list(request.POST.getlist("observations"))
        observation_tags = {
            o: parse_id_list(request.POST.getlist(f"observation-themes-{o}"))
            for o in observation_ids
        }
        attempt(
            request,
            lambda: theme_tags_set(
                programme=programme, tags=tags, observation_tags=observation_tags
            ),
            success=lambda counts: (
                _("Tags saved: %(added)s added, %(removed)s removed.")
                % {"added": counts[0], "removed": counts[1]}
            ),
        )
        query = urlencode({"session": workshop.code, "element": number or ""})
        return redirect(f"{reverse('programme-tag', args=[programme.pk])}?{query}")
    notes = (
        notes_for_tagging(programme=programme, workshop=workshop, element=element)
        if workshop is not None
        else []
    )
    observations = (
        observations_for_tagging(programme=programme, workshop=workshop, element=element)
        if workshop is not None
        else []
    )
    elements = (
        [(e.order, e.tr("name")) for e in workshop.instrument.elements.order_by("order")]
        if workshop is not None
        else []
    )
    return render(
        request,
        "profiles/programme_tag.html",
        {
            "programme": programme,
            "workshops": workshops,
            "session": workshop,
            "elements": elements,
            "element_number": number if element is not None else None,
            "notes": notes,
            "observations": observations,
            "themes": list(programme.themes.order_by("order", "pk")),
        },
    )
