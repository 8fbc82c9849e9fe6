"""The profile's points (strong points, bottlenecks, opportunities) and their sources."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import Permission
from core.inputs import valid_ids
from profiles.forms import MoveForm, PointCreateForm, PointUpdateForm
from profiles.selectors import observation_candidates, point_candidates, point_get
from profiles.services import point_create, point_delete, point_move, point_update
from profiles.views.common import back
from sessions.selectors import workshop_for_user
from sessions.view_helpers import attempt_form


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
    return redirect(back(request, reverse("profile", args=[workshop.code])))


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
            return redirect(back(request, reverse("profile", args=[workshop.code])))
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
            "next_url": back(request, reverse("profile", args=[workshop.code])),
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
    return redirect(back(request, reverse("profile", args=[workshop.code])))


@login_required
@require_POST
def profile_point_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.ANALYSE)
    point_delete(point=point_get(workshop=workshop, pk=pk))
    messages.success(request, _("Point deleted."))
    return redirect(back(request, reverse("profile", args=[workshop.code])))
