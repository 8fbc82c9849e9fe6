import functools
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from instrument.models import Element, Statement
from sessions.models import Participant, Phase, Workshop
from sessions.selectors import (
    may_read_results,
    participant_from_request,
    participant_with_session,
    workshop_get,
)
from survey.models import Answer
from survey.selectors import (
    instrument_statement_elements,
    instrument_structure,
    participant_scores,
    results_snapshot,
)
from survey.services import AnswerRefused, answer_submit


def _progress(participant_id: int, workshop: Workshop) -> dict:
    return _progress_of(Answer.objects.filter(participant_id=participant_id).count(), workshop)


def _progress_of(answered: int, workshop: Workshop) -> dict:
    return _progress_numbers(answered, len(instrument_statement_elements(workshop.instrument_id)))


def _progress_numbers(answered: int, total: int) -> dict:
    return {
        "answered": answered,
        "total": total,
        "percent": round(100 * answered / total) if total else 0,
    }


def participant_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the participant's phone: the view is called with the session and this phone's
    participant; a phone that has not joined the session is sent to join it."""

    @wraps(view)
    def wrapper(request: HttpRequest, code: str, **kwargs: Any) -> HttpResponse:
        found = participant_with_session(cookies=request.COOKIES, code=code)
        if found is None:
            return redirect("join", code=workshop_get(code=code).code)
        workshop, participant = found
        return view(request, workshop, participant, **kwargs)

    return wrapper


@functools.lru_cache(maxsize=4096)
def _statement_form(
    statement: Statement, value: str, scale: tuple[tuple[str, str], ...], language: str | None
) -> str:
    """One statement's form on the phone, with `value` ("", "1".."5", "dk") checked.

    Rendered once per process for each statement, answer and language: these forms were
    most of a survey page's CPU (py-spy: the template's loops 22% of the page's samples), and
    every phone loads six such pages. Safe to keep: an instrument a session used is never
    edited (survey.selectors.instrument_structure); the language is part of the key."""
    item = {
        "statement": statement,
        "text": statement.tr("text"),
        "label": statement.tr("label"),
        "answered": bool(value),
        "value": value,
    }
    return render_to_string("survey/_statement.html", {"item": item, "scale": scale})


@never_cache
@require_GET
@participant_page
def survey_element(
    request: HttpRequest, workshop: Workshop, participant: Participant, number: int
) -> HttpResponse:
    if workshop.phase == Phase.JOIN:
        return render(
            request, "survey/waiting.html", {"workshop": workshop, "participant": participant}
        )
    if not workshop.accepts_answers:
        if workshop.results_revealed:
            return redirect("survey-results", code=workshop.code)
        return render(
            request, "survey/closed.html", {"workshop": workshop, "participant": participant}
        )
    elements = instrument_structure(workshop.instrument_id)
    if not 1 <= number <= len(elements):
        raise Http404("no such element")
    element, statements = elements[number - 1]
    # All of the participant's answers (at most 46 rows): this page's and the progress bar.
    answers = dict(
        Answer.objects.filter(participant=participant).values_list("statement_id", "score")
    )
    given = {s.pk: answers[s.pk] for s in statements if s.pk in answers}
    if participant.last_element != number:
        participant.last_element = number
        participant.save(update_fields=["last_element"])
    hints = workshop.instrument.tr("scale") or []
    scale = tuple((str(v), hints[v - 1] if len(hints) >= v else "") for v in range(1, 6))
    language = get_language()
    statement_forms = [
        _statement_form(
            s,
            ("dk" if given[s.pk] is None else str(given[s.pk])) if s.pk in given else "",
            scale,
            language,
        )
        for s in statements
    ]
    return render(
        request,
        "survey/element.html",
        {
            "workshop": workshop,
            "participant": participant,
            "element": element,
            "element_name": element.tr("name"),
            "core_question": element.tr("core_question"),
            "number": number,
            "count": len(elements),
            "statement_forms": statement_forms,
            "stem": workshop.instrument.stem_for(workshop.city),
            "scale": scale,
            "progress": _progress_of(len(answers), workshop),
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if number < len(elements) else None,
        },
    )


@never_cache
@require_GET
@participant_page
def survey_done(request: HttpRequest, workshop: Workshop, participant: Participant) -> HttpResponse:
    elements = (
        Element.objects.filter(instrument_id=workshop.instrument_id)
        .order_by("order")
        .prefetch_related("statements")
    )
    answered = set(
        Answer.objects.filter(participant=participant).values_list("statement_id", flat=True)
    )
    open_elements = [
        (i, e.tr("name"))
        for i, e in enumerate(elements, start=1)
        if any(s.pk not in answered for s in e.statements.all())
    ]
    return render(
        request,
        "survey/done.html",
        {
            "workshop": workshop,
            "participant": participant,
            "progress": _progress(participant.pk, workshop),
            "open_elements": open_elements,
        },
    )


@require_GET
def survey_status(request: HttpRequest, code: str) -> HttpResponse:
    """Polled by the waiting screen: sends the phone on once the survey opens."""
    workshop = workshop_get(code=code)
    participant = participant_from_request(request=request, workshop=workshop)
    if participant is None:
        return HttpResponseClientRedirect(f"/j/{workshop.code}/")
    if workshop.phase != Phase.JOIN:
        return HttpResponseClientRedirect(f"/s/{workshop.code}/survey/{participant.last_element}/")
    return HttpResponse(status=204)


@require_POST
def answer(request: HttpRequest, code: str) -> HttpResponse:
    """One tap over HTTP: the phone's fallback when its websocket is down (and for the first
    tap before it opens). The same service as the websocket's taps, with the same checks.

    The phones' hot path: one query finds the participant with its session, one saves."""
    client_id = request.POST.get("client_id")
    saved = answer_submit(
        cookies=request.COOKIES,
        code=code,
        statement=request.POST.get("statement", ""),
        score=request.POST.get("score"),
        client_id=client_id,
    )
    if isinstance(saved, AnswerRefused):
        if saved.status == 403:
            workshop_get(code=code)  # an unknown session is a 404, as on every page
        return _answer_error(request, saved.message, saved.status)
    response = render(
        request,
        "survey/_answer_saved.html",
        {"progress": _progress_numbers(saved.answered, saved.total)},
    )
    response["X-Results-Version"] = str(saved.version)
    response["X-Answered"] = str(saved.answered)
    response["X-Total"] = str(saved.total)
    if client_id:
        response["X-Client-Id"] = client_id
    return response


def _answer_error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "survey/_answer_error.html", {"message": message}, status=status)


@require_GET
def results_json(request: HttpRequest, code: str) -> JsonResponse:
    workshop = workshop_get(code=code)
    if not may_read_results(user=request.user, workshop=workshop, key=request.GET.get("key")):
        return JsonResponse({"error": _("This link is not valid.")}, status=403)
    return JsonResponse(
        results_snapshot(workshop_id=workshop.pk), json_dumps_params={"ensure_ascii": False}
    )


@never_cache
@require_GET
@participant_page
def survey_results(
    request: HttpRequest, workshop: Workshop, participant: Participant
) -> HttpResponse:
    """After the reveal: the participant's own element scores beside the room's."""
    if not workshop.results_revealed or workshop.accepts_answers:
        return redirect("survey-element", code=workshop.code, number=participant.last_element)
    names = {
        e.key: e.tr("name") for e in Element.objects.filter(instrument_id=workshop.instrument_id)
    }
    rows = [
        {**row, "name": names[row["key"]]} for row in participant_scores(participant=participant)
    ]
    return render(
        request,
        "survey/results.html",
        {"workshop": workshop, "participant": participant, "rows": rows},
    )
