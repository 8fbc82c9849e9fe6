"""The programme's recommendations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import Permission
from core.inputs import valid_ids
from profiles.forms import MoveForm, RecommendationForm
from profiles.models import Audience
from profiles.selectors import programme_for_user, programme_workshops, recommendation_get
from profiles.services import (
    recommendation_create,
    recommendation_delete,
    recommendation_move,
    recommendation_update,
)
from sessions.view_helpers import attempt_form, edit_form


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
    shown = programme_workshops(programme=programme)
    return render(
        request,
        "profiles/recommendation_edit.html",
        {
            "programme": programme,
            "recommendation": recommendation,
            "form": form,
            "audiences": Audience.choices,
            "themes": list(programme.themes.order_by("order", "pk")),
            "workshops": shown,
            "chosen_themes": themes,
            "chosen_workshops": cities & {w.pk for w in shown},
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
