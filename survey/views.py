"""The participant's pages: the entry (a session code), the join page and its QR code, the
survey's element pages, the taps over HTTP, the done page and the phone's own results."""

import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import ConsentText
from core.errors import Rejected
from core.inputs import parse_optional_id
from instrument.models import Element, Statement
from sessions.forms import JoinForm
from sessions.models import MAX_TABLES, Participant, Phase, Workshop
from sessions.qr import qr_svg
from sessions.rate_limits import Rule, client_cookie, client_ip, rate_limited
from sessions.selectors import (
    PARTICIPANT_COOKIE_SALT,
    is_organiser,
    join_refusal,
    may_read_results,
    participant_cookie_name,
    participant_from_request,
    participant_with_session,
    session_consent,
    table_counts,
    workshop_for_join,
    workshop_get,
)
from sessions.services import participant_join
from survey.charts import spider
from survey.models import Answer
from survey.selectors import (
    instrument_statement_elements,
    instrument_structure,
    participant_answers,
    participant_scores,
    results_snapshot,
)
from survey.services import AnswerRefused, answer_submit


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if is_organiser(request.user):
        return redirect("organiser-home")
    code = request.GET.get("code", "").strip()
    if code:
        if "/" in code:  # no session code has one, and the join URL could not hold it
            raise Http404("unknown session code")
        return redirect("join", code=code.upper())
    return render(request, "survey/home.html")


JOIN_PER_CLIENT = Rule(name="join-client", setting="JOIN_RATE_PER_CLIENT", key=client_cookie)
JOIN_PER_IP = Rule(name="join-ip", setting="JOIN_RATE_PER_IP", key=client_ip)


@require_http_methods(["GET", "POST"])
@rate_limited(JOIN_PER_CLIENT, JOIN_PER_IP)
def join(request: HttpRequest, code: str) -> HttpResponse:
    workshop, join_state = workshop_for_join(code=code)
    participant = participant_from_request(request=request, workshop=workshop)
    if participant is not None:
        # A phone that already joined (reload, back button, woke from sleep) resumes.
        return redirect("survey-element", code=workshop.code, number=participant.last_element)
    refusal = join_refusal(workshop_id=workshop.pk, state=join_state)
    if refusal is not None:  # closed or full: say so before the phone fills in anything
        return _join_refused(request, workshop, refusal)
    consent = session_consent(workshop=workshop)  # the text to agree to, and its version
    tables = table_counts(workshop=workshop)
    form = JoinForm(
        request.POST if request.method == "POST" else None,
        workshop=workshop,
        tables=tables,
        consent_version=consent.text.version,
        # A table tent's QR code (/j/<code>/?table=2) chooses its table; the phone can change it.
        initial={"table": _tent_table(request, tables)},
    )
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["table"]  # one of `tables` (the form's choices)
        chosen = next((t for t in tables if t.number == number), None)
        try:
            participant = participant_join(
                workshop=workshop,
                table=None if chosen is None else chosen.table(),
                role=form.cleaned_data["role"] or "",
                consent=consent.text,
            )
        except Rejected as refused:  # filled up (or closed) while this phone filled in
            return _join_refused(request, workshop, str(refused))
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
    section = _consent_section(
        consent.text, consent.text.digest, consent.organiser, workshop.code, get_language()
    )
    return render(
        request,
        "survey/join.html",
        {"workshop": workshop, "form": form, "consent": consent, "consent_section": section},
        status=400 if form.is_bound else 200,
    )


@functools.lru_cache(maxsize=256)
def _consent_section(
    text: ConsentText, digest: str, organiser: str, code: str, language: str | None
) -> str:
    """The join page's consent section (survey/_consent.html), drawn once per process for each
    consent text, organiser, session and language: the same for every phone that joins, and
    its template was a third of the join page's rendering. Safe to keep: a consent text is never
    changed once stored (a changed text is a new row, so a new key), the organiser's name and
    the language are part of the key, and the section holds no token."""
    return render_to_string(
        "survey/_consent.html", {"text": text, "organiser": organiser, "workshop": {"code": code}}
    )


def _tent_table(request: HttpRequest, tables: list) -> int | None:
    """The table a table tent's link names (?table=N), if the session has it; else None."""
    try:
        number = parse_optional_id(request.GET.get("table"), max_value=MAX_TABLES)
    except Rejected:
        return None
    return number if any(t.number == number for t in tables) else None


def _join_refused(request: HttpRequest, workshop: Workshop, message: str) -> HttpResponse:
    closed = Workshop.objects.filter(pk=workshop.pk, phase=Phase.CLOSED).exists()
    return render(
        request,
        # A session that has ended says so in its own words (no way to join, a thank-you).
        "survey/join_closed.html" if closed else "survey/join_refused.html",
        {"workshop": workshop, "message": message},
        status=409 if request.method == "POST" else 200,
    )


@require_GET
def join_qr(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_get(code=code)
    url = request.build_absolute_uri(reverse("join", args=[workshop.code]))
    return HttpResponse(qr_svg(url), content_type="image/svg+xml")


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
        if participant.withdrawn_at is not None:  # says so, and offers nothing to answer
            return redirect("survey-withdraw", code=workshop.code)
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


def _element_context(
    workshop: Workshop,
    participant: "Participant | _Seat",
    elements: list,
    number: int,
    answers: dict[int, int | None],
) -> dict:
    """What one element's page shows (survey/_element_body.html): its statements with the
    participant's answers checked, the progress and the way to the next and previous."""
    element, statements = elements[number - 1]
    given = {s.pk: answers[s.pk] for s in statements if s.pk in answers}
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
    return {
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
    }


def _answers_of(participant: Participant) -> dict[int, int | None]:
    """All of the participant's answers (at most 46 rows): a page's and the progress bar."""
    return participant_answers(participant_id=participant.pk)


def _outside_the_survey(
    request: HttpRequest, workshop: Workshop, participant: Participant
) -> HttpResponse | None:
    """What a survey page (an element, or "Bedankt!") shows instead when the session takes no
    answers: the waiting screen before the survey opens, the results once they are shown on
    phones, the closed screen otherwise. None during the survey (or a rehearsal). These pages
    reload when the phase changes (follow.js), so a phone that finished follows the room too."""
    if workshop.phones_wait:
        return render(
            request, "survey/waiting.html", {"workshop": workshop, "participant": participant}
        )
    if not workshop.accepts_answers:
        if workshop.results_revealed:
            return redirect("survey-results", code=workshop.code)
        return render(
            request, "survey/closed.html", {"workshop": workshop, "participant": participant}
        )
    return None


@never_cache
@require_GET
@participant_page
def survey_element(
    request: HttpRequest, workshop: Workshop, participant: Participant, number: int
) -> HttpResponse:
    if (elsewhere := _outside_the_survey(request, workshop, participant)) is not None:
        return elsewhere
    elements = instrument_structure(workshop.instrument_id)
    if not 1 <= number <= len(elements):
        raise Http404("no such element")
    answers = _answers_of(participant)
    if participant.last_element != number:
        participant.last_element = number
        participant.save(update_fields=["last_element"])
    return render(
        request,
        "survey/element.html",
        _element_context(workshop, participant, elements, number, answers),
    )


@never_cache
@require_GET
@participant_page
def survey_offline_pages(
    request: HttpRequest, workshop: Workshop, participant: Participant
) -> HttpResponse:
    """Every element's page in one reply, fetched by the phone (static/js/pages.js) once the
    survey has loaded and kept on it: a phone that loses the network can still move between
    the elements and answer them all (its taps are kept until they can be sent). Changes
    nothing on the server (the participant's place stays where the phone last was online).
    Outside the survey phase there is nothing to keep: 204.

    A phone asks for it once, right after it joined, mostly before its first answer: then the
    pages are the same for every phone of the session in its language but for the seat, so
    they are drawn once per process (`_fresh_offline_pages`) and the seat written in."""
    if not workshop.accepts_answers:
        return HttpResponse(status=204)
    elements = instrument_structure(workshop.instrument_id)
    answers = _answers_of(participant)
    if answers:
        pages = _offline_pages(workshop, participant, elements, answers)
    else:
        pages = _fresh_offline_pages(workshop, elements).replace(
            _ANY_SEAT.seat_label, escape(participant.seat_label)
        )
    return HttpResponse(pages)


def _offline_pages(
    workshop: Workshop,
    participant: "Participant | _Seat",
    elements: list,
    answers: dict[int, int | None],
) -> str:
    pages = []
    for number in range(1, len(elements) + 1):
        context = _element_context(workshop, participant, elements, number, answers)
        pages.append(
            {
                "number": number,
                "title": context["element_name"],
                "body": render_to_string("survey/_element_body.html", context),
            }
        )
    return render_to_string("survey/offline_pages.html", {"workshop": workshop, "pages": pages})


@dataclass(frozen=True)
class _Seat:
    """The participant of pages drawn for every phone of a session: only the seat shows."""

    seat_label: str


# Stands for the phone's seat in the pages drawn once; written over with each phone's own.
_ANY_SEAT = _Seat(seat_label=f"seat-{secrets.token_hex(8)}")
_FRESH_OFFLINE_PAGES: dict[tuple, str] = {}
_FRESH_OFFLINE_PAGES_KEPT = 64  # sessions x languages; each about 64 KB


def _fresh_offline_pages(workshop: Workshop, elements: list) -> str:
    """The offline pages of a phone without answers, its seat left as `_ANY_SEAT`: drawn once
    per process for the session's code, city (the statements' stem), instrument (never
    edited once a session used it: survey.selectors.instrument_structure) and language,
    which is everything the pages show but the seat and the answers."""
    key = (workshop.pk, workshop.code, workshop.city, workshop.instrument_id, get_language())
    pages = _FRESH_OFFLINE_PAGES.get(key)
    if pages is None:
        pages = _offline_pages(workshop, _ANY_SEAT, elements, {})
        while len(_FRESH_OFFLINE_PAGES) >= _FRESH_OFFLINE_PAGES_KEPT:
            _FRESH_OFFLINE_PAGES.pop(next(iter(_FRESH_OFFLINE_PAGES)), None)
        _FRESH_OFFLINE_PAGES[key] = pages
    return pages


@never_cache
@require_GET
@participant_page
def survey_done(request: HttpRequest, workshop: Workshop, participant: Participant) -> HttpResponse:
    if (elsewhere := _outside_the_survey(request, workshop, participant)) is not None:
        return elsewhere
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
    if not workshop.phones_wait:
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
        {
            "workshop": workshop,
            "participant": participant,
            "rows": rows,
            # Drawn on the server (no plotly on the phone): the phone's outline over the room's.
            "chart": spider(rows, first="own", second="room"),
            "first_label": _("You"),
            "second_label": _("Room"),
        },
    )
