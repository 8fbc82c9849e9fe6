"""Paper forms typed in from the keyboard: by the organiser (login) or by a table's chair (the
chair link), during or after the session.

The whole form is one page and one POST: its answers and the participant (marked as entered
from paper) are stored together or not at all, so a half-typed form never shows up in the
results. The keyboard does the work (static/js/paper.js): 1-5 and 0 for "weet ik niet", the
form moves on by itself, the current statement's label stays in view. Without JavaScript it is
an ordinary form of radio buttons.
"""

import re
import uuid
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.access import Permission
from core.errors import Conflict, Rejected
from core.inputs import parse_id
from sessions.models import MAX_TABLES, Participant, Role, Source, Table, Workshop
from sessions.selectors import workshop_for_user
from sessions.view_helpers import chair_link
from survey.models import Answer
from survey.selectors import instrument_structure
from survey.services import paper_form_save, parse_score

DONT_KNOW_KEY = "0"
# The form's id, as the page writes it (uuid4, lower-case hex): anything else is no id.
_CLIENT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)


class Access:
    """Who types the form in: the organiser (any table) or one table's chair (that table)."""

    def __init__(self, workshop: Workshop, table: Table | None, key: str | None) -> None:
        self.workshop, self.table, self.key = workshop, table, key

    def url(self, participant_id: int | None = None) -> str:
        if self.key is None:
            if participant_id is None:
                return reverse("paper-new", args=[self.workshop.code])
            return reverse("paper-edit", args=[self.workshop.code, participant_id])
        if participant_id is None:
            return reverse("chair-paper-new", args=[self.workshop.code, self.key])
        return reverse("chair-paper-edit", args=[self.workshop.code, self.key, participant_id])

    def back_url(self) -> str:
        if self.key is None:
            return reverse("organiser-session", args=[self.workshop.code])
        return reverse("chair", args=[self.workshop.code, self.key])

    def participants(self):
        """The paper forms typed in (at this access's table)."""
        return self.fillable().filter(source=Source.PAPER)

    def fillable(self):
        """Whose paper form can be opened here: the forms typed in, and the seats added for
        someone without a phone (the chair's or the organiser's), whose form fills that seat
        instead of making a second participant of the same person."""
        people = Participant.objects.filter(workshop=self.workshop).filter(
            Q(source=Source.PAPER) | Q(extra_seat__isnull=False)
        )
        if self.table is not None:
            people = people.filter(table=self.table)
        return people.select_related("table").order_by("pk")

    def empty_seats(self):
        """The seats without a phone whose form has not been typed in yet."""
        return (
            self.fillable()
            .exclude(source=Source.PAPER)
            .select_related("extra_seat")
            .order_by("table__number", "seat")
        )


def organiser_access(view: Callable) -> Callable:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, code: str, **kwargs) -> HttpResponse:
        workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
        return view(request, Access(workshop, None, None), **kwargs)

    return wrapper


def chair_paper_access(view: Callable) -> Callable:
    @wraps(view)
    @chair_link(lambda request, message: HttpResponseForbidden(message))
    def wrapper(request: HttpRequest, table: Table, **kwargs) -> HttpResponse:
        # The link's key is the table's chair key (that is how the table was found).
        return view(request, Access(table.workshop, table, table.chair_key), **kwargs)

    return wrapper


def _items(workshop: Workshop, given: dict[int, int | None], posted: dict[int, str]) -> list:
    """The form's rows: every statement with its element, label, text and current value."""
    rows = []
    number = 0
    for element, statements in instrument_structure(workshop.instrument_id):
        for statement in statements:
            number += 1
            if statement.pk in posted:
                value = posted[statement.pk]
            elif statement.pk in given:
                value = "dk" if given[statement.pk] is None else str(given[statement.pk])
            else:
                value = ""
            rows.append(
                {
                    "number": number,
                    "statement": statement,
                    "element": element.tr("name"),
                    "label": statement.tr("label"),
                    "text": statement.tr("text"),
                    "value": value,
                }
            )
    return rows


def _posted_scores(request: HttpRequest, workshop: Workshop) -> tuple[dict[int, int | None], dict]:
    """The form's answers: s<statement id> = 1..5 or dk; empty = not answered."""
    scores: dict[int, int | None] = {}
    raw: dict[int, str] = {}
    for _element, statements in instrument_structure(workshop.instrument_id):
        for statement in statements:
            value = request.POST.get(f"s{statement.pk}", "")
            if value == "":
                continue
            raw[statement.pk] = value
            scores[statement.pk] = parse_score(value)
    return scores, raw


def _table_choice(access: Access, value: str | None) -> Table | None:
    if access.table is not None:
        return access.table
    if not value:
        return None
    number = parse_id(value, max_value=MAX_TABLES, message=_("Choose one of the session's tables."))
    table = Table.objects.filter(workshop=access.workshop, number=number).first()
    if table is None:
        raise Rejected(_("Choose one of the session's tables."))
    return table


def _client_id(value: str | None) -> uuid.UUID:
    if not value or not _CLIENT_ID.fullmatch(value):
        raise Rejected(
            _(
                "This form has no valid id (a page from before an update?); nothing was "
                "stored. Check the answers below and save again."
            )
        )
    return uuid.UUID(value)


def _role_choice(value: str | None) -> str:
    if value and value not in Role.values:
        raise Rejected(_("Choose one of the roles."))
    return value or ""


def _render(request, access, participant, given, posted, status=200, error="", form=None):
    workshop = access.workshop
    scale = workshop.instrument.tr("scale") or []
    return render(
        request,
        "survey/paper_form.html",
        {
            "workshop": workshop,
            "access": access,
            "participant": participant,
            "items": _items(workshop, given, posted),
            "scale": [(str(v), scale[v - 1] if len(scale) >= v else "") for v in range(1, 6)],
            "stem": workshop.instrument.stem_for(workshop.city),
            "tables": list(workshop.tables.order_by("number").values_list("number", flat=True)),
            "roles": Role.choices,
            "form": form or {},
            "error": error,
            "entered": access.participants(),
            "empty_seats": access.empty_seats() if participant is None else [],
            "dont_know_key": DONT_KNOW_KEY,
            "action": access.url(participant.pk if participant else None),
            # A new id for every form drawn: a form sent twice is stored once
            # (survey.services.paper_form_save).
            "client_id": uuid.uuid4(),
            "back": access.back_url(),
        },
        status=status,
    )


def _paper_form(request: HttpRequest, access: Access, participant_id: int | None) -> HttpResponse:
    participant = None
    if participant_id is not None:
        participant = access.fillable().filter(pk=participant_id).first()
        if participant is None:
            raise Http404("no such paper form")
    given = (
        dict(Answer.objects.filter(participant=participant).values_list("statement_id", "score"))
        if participant
        else {}
    )
    if request.method == "GET":
        return _render(request, access, participant, given, {}, form=dict(request.GET.items()))
    form = {"table": request.POST.get("table", ""), "role": request.POST.get("role", "")}
    raw: dict[int, str] = {}
    try:
        scores, raw = _posted_scores(request, access.workshop)
        if not scores:
            raise Rejected(_("Type in at least one answer."))
        table = _table_choice(access, form["table"]) if participant is None else None
        role = _role_choice(form["role"]) if participant is None else ""
        saved = paper_form_save(
            workshop=access.workshop,
            scores=scores,
            client_id=_client_id(request.POST.get("client_id")),
            participant=participant,
            table=table,
            role=role,
        )
    except Conflict as exc:
        # Nothing changed; the posted answers stay in the form, under a new id.
        return _render(request, access, participant, given, raw, 409, str(exc), form)
    except Rejected as exc:
        return _render(request, access, participant, given, raw, 400, str(exc), form)
    messages.success(
        request,
        _("Paper form of %(seat)s saved: %(n)s answers.")
        % {
            "seat": saved.participant.seat_label,
            "n": Answer.objects.filter(participant=saved.participant).count(),
        },
    )
    # On to the next form: the organiser keeps the table chosen for this one.
    next_url = access.url()
    if access.key is None and form["table"]:
        next_url += f"?table={form['table']}"
    return redirect(next_url)


@never_cache
@require_http_methods(["GET", "POST"])
@organiser_access
def paper_new(request: HttpRequest, access: Access) -> HttpResponse:
    return _paper_form(request, access, None)


@never_cache
@require_http_methods(["GET", "POST"])
@organiser_access
def paper_edit(request: HttpRequest, access: Access, participant_id: int) -> HttpResponse:
    return _paper_form(request, access, participant_id)


@never_cache
@require_http_methods(["GET", "POST"])
@chair_paper_access
def chair_paper_new(request: HttpRequest, access: Access) -> HttpResponse:
    return _paper_form(request, access, None)


@never_cache
@require_http_methods(["GET", "POST"])
@chair_paper_access
def chair_paper_edit(request: HttpRequest, access: Access, participant_id: int) -> HttpResponse:
    return _paper_form(request, access, participant_id)
