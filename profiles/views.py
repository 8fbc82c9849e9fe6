"""The organiser's city profile (per session) and programme pages (across sessions).

Everything here is for the organiser (login): the projector key opens none of it.
"""

from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import Permission
from core.inputs import parse_id_list, parse_optional_id, valid_ids
from profiles.docx import profile_docx, programme_docx
from profiles.forms import (
    PUBLICATION_TEXT_LABELS,
    MoveForm,
    PointCreateForm,
    PointUpdateForm,
    ProfileElementForm,
    ProfileForm,
    ProgrammeForm,
    PublicationTextsForm,
    RecommendationForm,
    ThemeForm,
)
from profiles.models import Audience, PointSection
from profiles.publication import LANGUAGE as PUBLICATION_LANGUAGE
from profiles.publication import programme_publication, publication_page_context
from profiles.selectors import (
    element_workspace,
    notes_for_tagging,
    observation_candidates,
    observations_for_tagging,
    point_candidates,
    point_get,
    profile_document,
    profile_element_number,
    programme_for_user,
    programme_list,
    programme_overview,
    programme_team,
    programme_workshops,
    publication_document,
    publication_elements,
    recommendation_get,
    session_notes_by_element,
    session_observations,
    theme_get,
)
from profiles.services import (
    point_create,
    point_delete,
    point_move,
    point_update,
    profile_element_update,
    profile_update,
    programme_create,
    programme_delete,
    programme_fill_from_handout,
    programme_texts_update,
    programme_update,
    recommendation_create,
    recommendation_delete,
    recommendation_move,
    recommendation_update,
    theme_create,
    theme_delete,
    theme_tags_set,
    theme_update,
)
from sessions.models import Workshop
from sessions.selectors import workshop_for_user, workshops_for_user
from sessions.view_helpers import attempt, attempt_form, edit_form

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _back(request: HttpRequest, default: str) -> str:
    """Where a form posted from a page returns to: its `next`, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: redirect() takes anything else without a "/" for a view
    # name, and an unknown name was a 500 (found by tests/test_hostile_walk.py).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _chart_title(city: str) -> str:
    return _("Spider chart of the six elements, %(city)s") % {"city": city}


# --- the city profile ----------------------------------------------------------------------


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
            "chart_svg": document.chart_svg(_chart_title(workshop.city)),
            "chart_data": document.chart_data,
        },
    )


@login_required
@require_GET
def profile_download(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.EXPORT)
    content = profile_docx(profile_document(workshop=workshop))
    name = slugify(f"profiel-{workshop.city}-{workshop.date:%Y-%m-%d}") or "profiel"
    return _attachment(content, f"{name}.docx")


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
        return redirect(_back(request, reverse("profile", args=[workshop.code])))
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
            return redirect(_back(request, reverse("profile", args=[workshop.code])))
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


@login_required
@require_POST
def profile_point_create(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.ANALYSE)
    attempt_form(
        request,
        PointCreateForm(request.POST),
        lambda data: point_create(
            workshop=workshop,
            section=data["section"],
            element_id=data["element"],
            text=data["text"],
            source_ids=data["sources"],
            observation_ids=data["observations"],
        ),
        success=_("Point added."),
    )
    return redirect(_back(request, reverse("profile", args=[workshop.code])))


@login_required
@require_http_methods(["GET", "POST"])
def profile_point_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.ANALYSE)
    point = point_get(workshop=workshop, pk=pk)
    if request.method == "POST":
        saved = attempt_form(
            request,
            PointUpdateForm(request.POST),
            lambda data: point_update(
                point=point,
                text=data["text"],
                source_ids=data["sources"],
                # A page without the observations (an older one) keeps them.
                observation_ids=data["observations"]
                if "observations-shown" in request.POST
                else None,
            ),
            success=_("Point saved."),
        )
        if saved is not None:
            return redirect(_back(request, reverse("profile", args=[workshop.code])))
        text = request.POST.get("text", point.text)
        chosen = valid_ids(request.POST.getlist("sources"))
        chosen_observations = valid_ids(request.POST.getlist("observations"))
    else:
        text = point.text
        chosen = set(point.sources.values_list("pk", flat=True))
        chosen_observations = set(point.observations.values_list("pk", flat=True))
    return render(
        request,
        "profiles/point_edit.html",
        {
            "workshop": workshop,
            "point": point,
            "element_name": point.element.tr("name") if point.element else "",
            "text": text,
            "chosen": chosen,
            "candidates": point_candidates(point=point),
            "observations": observation_candidates(point=point),
            "chosen_observations": chosen_observations,
            "next_url": _back(request, reverse("profile", args=[workshop.code])),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def profile_point_move(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.ANALYSE)
    point = point_get(workshop=workshop, pk=pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        point_move(point=point, direction=form.cleaned_data["direction"])
    return redirect(_back(request, reverse("profile", args=[workshop.code])))


@login_required
@require_POST
def profile_point_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.ANALYSE)
    point_delete(point=point_get(workshop=workshop, pk=pk))
    messages.success(request, _("Point deleted."))
    return redirect(_back(request, reverse("profile", args=[workshop.code])))


# --- programmes ----------------------------------------------------------------------------


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


def _offered_sessions(request: HttpRequest, chosen: set[int]) -> list[Workshop]:
    """The sessions a programme can hold: those the user may read (their teams' and those
    shared with them), not the archived ones unless already chosen."""
    readable = workshops_for_user(user=request.user)
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
    return _attachment(programme_docx(overview), f"{name}.docx")


@login_required
@require_GET
def programme_publication_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole publication (the hand-out) as one Word document."""
    programme = programme_for_user(user=request.user, pk=pk, need=Permission.EXPORT)
    name = slugify(programme.name) or "publicatie"
    return _attachment(programme_publication(programme=programme), f"{name}.docx")


@login_required
@require_GET
def programme_publication_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The publication as a printable page (the browser's print or "save as PDF"): the same
    chapters as the Word document, each starting on a new page."""
    programme = programme_for_user(user=request.user, pk=pk, need=Permission.READ)
    with translation.override(PUBLICATION_LANGUAGE):
        context = publication_page_context(publication_document(programme=programme))
    return render(request, "profiles/publication.html", {"programme": programme, **context})


@login_required
@require_POST
def programme_fill(request: HttpRequest, pk: int) -> HttpResponse:
    """Give an older programme the hand-out's starting text where it has none."""
    programme = programme_for_user(user=request.user, pk=pk, need=Permission.ANALYSE)
    attempt(
        request,
        lambda: programme_fill_from_handout(programme=programme),
        success=lambda n: (
            ngettext(
                "%(n)s text filled in from the hand-out; texts of your own were kept.",
                "%(n)s texts filled in from the hand-out; texts of your own were kept.",
                n,
            )
            % {"n": n}
            if n
            else _("Nothing to fill in: every text already has its own wording.")
        ),
    )
    return redirect(_back(request, reverse("programme", args=[programme.pk])))


@login_required
@require_http_methods(["GET", "POST"])
def programme_texts(request: HttpRequest, pk: int) -> HttpResponse:
    """The publication's texts: foreword, introduction, method, the elements' definitions and
    the chapters' introductions."""
    programme = programme_for_user(user=request.user, pk=pk, need=Permission.ANALYSE)
    elements = publication_elements(programme=programme)
    keys = [e.key for e in elements]
    definitions = dict(programme.elements.values_list("key", "definition"))
    form, saved = edit_form(
        request,
        partial(PublicationTextsForm, element_keys=keys),
        initial=lambda: {
            **{name: getattr(programme, name) for name, _label in PUBLICATION_TEXT_LABELS},
            **{f"definition-{k}": definitions.get(k, "") for k in keys},
        },
        save=lambda data: programme_texts_update(
            programme=programme,
            texts={name: data[name] for name, _label in PUBLICATION_TEXT_LABELS},
            definitions={k: data[f"definition-{k}"] for k in keys},
        ),
        success=_("Texts of the publication saved."),
    )
    if saved:
        return redirect("programme", pk=programme.pk)
    return render(
        request,
        "profiles/programme_texts.html",
        {
            "programme": programme,
            "form": form,
            "text_fields": [(form[name], label) for name, label in PUBLICATION_TEXT_LABELS],
            "element_fields": [(form[f"definition-{e.key}"], e) for e in elements],
        },
        status=400 if request.method == "POST" else 200,
    )


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
        chosen = set(programme.workshops.values_list("pk", flat=True))
    return render(
        request,
        "profiles/programme_edit.html",
        {
            "programme": programme,
            "form": form,
            "chosen": chosen,
            "all_workshops": _offered_sessions(request, chosen),
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


def _recommendation_fields(data: dict) -> dict:
    """RecommendationForm's data as recommendation_create and _update take it."""
    return {
        "audience": data["audience"],
        "text": data["text"],
        "theme_ids": data["themes"],
        "workshop_ids": data["workshops"],
    }


@login_required
@require_POST
def programme_recommendation_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_user(user=request.user, pk=pk, need=Permission.ANALYSE)
    attempt_form(
        request,
        RecommendationForm(request.POST),
        lambda data: recommendation_create(programme=programme, **_recommendation_fields(data)),
        success=_("Recommendation added."),
    )
    return redirect(reverse("programme", args=[programme.pk]) + "#recommendations")


@login_required
@require_http_methods(["GET", "POST"])
def programme_recommendation_edit(request: HttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    programme_for_user(user=request.user, pk=pk, need=Permission.ANALYSE)
    recommendation = recommendation_get(programme_pk=pk, pk=rec_pk)
    programme = recommendation.programme
    form, saved = edit_form(
        request,
        RecommendationForm,
        initial=lambda: {"audience": recommendation.audience, "text": recommendation.text},
        save=lambda data: recommendation_update(
            recommendation=recommendation, **_recommendation_fields(data)
        ),
        success=_("Recommendation saved."),
    )
    if saved:
        return redirect(reverse("programme", args=[pk]) + "#recommendations")
    if form.is_bound:
        themes = valid_ids(request.POST.getlist("themes"))
        cities = valid_ids(request.POST.getlist("workshops"))
    else:
        themes = set(recommendation.themes.values_list("pk", flat=True))
        cities = set(recommendation.workshops.values_list("pk", flat=True))
    return render(
        request,
        "profiles/recommendation_edit.html",
        {
            "programme": programme,
            "recommendation": recommendation,
            "form": form,
            "audiences": Audience.choices,
            "themes": list(programme.themes.order_by("order", "pk")),
            "workshops": programme_workshops(programme=programme),
            "chosen_themes": themes,
            "chosen_workshops": cities,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def programme_recommendation_move(request: HttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    programme_for_user(user=request.user, pk=pk, need=Permission.ANALYSE)
    recommendation = recommendation_get(programme_pk=pk, pk=rec_pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        recommendation_move(recommendation=recommendation, direction=form.cleaned_data["direction"])
    return redirect(reverse("programme", args=[pk]) + "#recommendations")


@login_required
@require_POST
def programme_recommendation_delete(request: HttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    programme_for_user(user=request.user, pk=pk, need=Permission.ANALYSE)
    recommendation_delete(recommendation=recommendation_get(programme_pk=pk, pk=rec_pk))
    messages.success(request, _("Recommendation deleted."))
    return redirect(reverse("programme", args=[pk]) + "#recommendations")
