"""The table chair's tablet (no account: the chair link's key opens one table) and the
organiser's side of the notes: chair links and table cards, note counts, observations."""

import re
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import Permission
from core.errors import Conflict, Rejected
from core.inputs import parse_optional_id
from notes.forms import (
    ChairObservationForm,
    ExtraSeatForm,
    NoteCreateForm,
    NoteUpdateForm,
    ObservationForm,
    SeatForm,
    seating_card,
)
from notes.models import INITIALS_MAX_LENGTH, NOTE_MAX_LENGTH, NoteKind, Observation
from notes.selectors import (
    chair_board,
    instrument_elements,
    note_counts,
    note_get_for_table,
    note_id_taken,
    observations_list,
    participant_note_count,
    seating_candidates,
    table_observations,
    table_participant_page,
    table_participants,
)
from notes.services import (
    extra_seat_create,
    note_create,
    note_delete,
    note_update,
    observation_create,
    observation_delete,
    participant_seat,
    table_rotate_chair_key,
)
from sessions.models import Participant, Table
from sessions.qr import qr_svg
from sessions.selectors import is_organiser, workshop_for_user
from sessions.urls_helpers import session_urls
from sessions.view_helpers import attempt, attempt_form, chair_link, form_errors
from survey.charts import spider
from survey.selectors import table_scores

# Set on every refusal of a chair request, so the tablet's script can tell the app's own
# refusals from a proxy's or the CSRF check's.
REFUSED_HEADER = "X-Notes-Refused"


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """A refusal as a short fragment, for the tablet's script and for htmx."""
    response = render(request, "notes/_refused.html", {"message": message}, status=status)
    response[REFUSED_HEADER] = "1"
    if request.htmx:
        # Edits and deletions show a refusal above the tabs, not in place of the note.
        response["HX-Retarget"] = "#chair-alert"
        response["HX-Reswap"] = "innerHTML"
    return response


def _invalid_chair_link(request: HttpRequest, message: str) -> HttpResponse:
    """A page of its own for a browser that opens the link; a fragment for the script."""
    if request.method == "GET" and not request.htmx:
        response = render(request, "notes/chair_invalid.html", {"message": message}, status=403)
        response[REFUSED_HEADER] = "1"
        return response
    return _refused(request, message, 403)


chair_access = chair_link(_invalid_chair_link)


# What an element's key can be (instrument.Element.key is a SlugField of 40).
_ELEMENT_KEY = re.compile(r"[-a-zA-Z0-9_]{1,40}")


def _chair_url(table: Table, element_key: str | None = None) -> str:
    """The chair's page, back at the element the form was posted from. Only a key that can
    be an element's comes back into the link: a posted value of any length made the redirect
    refused (a 400) after the write was done."""
    url = reverse("chair", args=[table.workshop.code, table.chair_key])
    if element_key and _ELEMENT_KEY.fullmatch(element_key):
        return f"{url}?{urlencode({'e': element_key})}"
    return url


def _table_chart(table: Table, boards: list) -> dict:
    """The table's own results against the room's, as a spider chart."""
    names = {b.element.key: b.name for b in boards}
    rows = [{**r, "name": names.get(r["key"], r["key"])} for r in table_scores(table=table)]
    return spider(rows, first="table", second="room")


def _chair_page(
    request: HttpRequest,
    table: Table,
    *,
    active: str | None,
    page: int = 1,
    observation_form: ChairObservationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The chair's tablet page; with `observation_form`, that form (refilled) instead of an
    empty one, and its panel open."""
    participants = table_participants(table=table, page=page)
    boards = chair_board(table=table, participants=participants)
    keys = [b.element.key for b in boards]
    if active not in keys:
        active = keys[0] if keys else None
    return render(
        request,
        "notes/chair.html",
        {
            "workshop": table.workshop,
            "table": table,
            "participants": participants,
            "participant_page": table_participant_page(
                table=table, page=page, shown=len(participants)
            ),
            "boards": boards,
            "active": active,
            "seat_form": ExtraSeatForm(),
            "observation_form": observation_form
            or ChairObservationForm(
                elements=[b.element for b in boards],
                initial={
                    "client_id": uuid.uuid4(),
                    "element": next(
                        (b.element.pk for b in boards if b.element.key == active), None
                    ),
                },
            ),
            "observation_open": observation_form is not None,
            "observations": table_observations(table=table),
            "move_form": SeatForm(
                candidates=seating_candidates(workshop=table.workshop, exclude_table=table),
                tables=[table],
            ),
            "kinds": NoteKind,
            "table_chart": _table_chart(table, boards),
            "max_length": NOTE_MAX_LENGTH,
            "initials_max": INITIALS_MAX_LENGTH,
        },
        status=status,
    )


@never_cache
@require_GET
@chair_access
def chair(request: HttpRequest, table: Table) -> HttpResponse:
    # ?page= of the participants (a crowded table); an odd digit is a 400 (core.inputs).
    page = parse_optional_id(request.GET.get("page") or None, max_value=10_000) or 1
    return _chair_page(request, table, active=request.GET.get("e"), page=page)


@require_POST
@chair_access
def note_create_view(request: HttpRequest, table: Table) -> HttpResponse:
    form = NoteCreateForm(request.POST)
    if not form.is_valid():
        return _refused(request, form_errors(form), 400)
    data = form.cleaned_data
    try:
        result = note_create(
            table=table,
            element_id=data["element"],
            kind=data["kind"],
            text=data["text"],
            client_id=data["client_id"],
            participant_id=data["participant"],
            is_quote=data["is_quote"],
        )
    except Rejected as rejected:
        if not request.htmx:
            messages.error(request, str(rejected))
            return redirect(_chair_url(table))
        conflict = note_id_taken(table=table, client_id=data["client_id"])
        return _refused(request, str(rejected), 409 if conflict else 400)
    note = result.note
    if not request.htmx:  # a browser without the script: back to the same tab
        return redirect(_chair_url(table, note.element.key))
    response = render(
        request,
        "notes/_note.html",
        {"note": note, "table": table},
        status=201 if result.created else 200,
    )
    response["X-Note-Id"] = str(note.pk)
    return response


@never_cache
@require_GET
@chair_access
def note_detail(request: HttpRequest, table: Table, note_id: int) -> HttpResponse:
    note = note_get_for_table(table=table, note_id=note_id)
    if note is None:
        return _refused(request, _("This note no longer exists."), 404)
    return render(request, "notes/_note.html", {"note": note, "table": table})


@never_cache
@require_http_methods(["GET", "POST"])
@chair_access
def note_edit(request: HttpRequest, table: Table, note_id: int) -> HttpResponse:
    note = note_get_for_table(table=table, note_id=note_id)
    if note is None:
        return _refused(request, _("This note no longer exists."), 404)
    context = {"note": note, "table": table, "max_length": NOTE_MAX_LENGTH}
    if request.method == "GET":
        return render(request, "notes/_note_edit.html", context)
    form = NoteUpdateForm(request.POST)
    text = request.POST.get("text", "")
    try:
        if not form.is_valid():
            raise Rejected(form_errors(form))
        note_update(
            note=note, text=form.cleaned_data["text"], is_quote=form.cleaned_data["is_quote"]
        )
    except Rejected as rejected:
        note.refresh_from_db(fields=["text", "is_quote"])
        return render(
            request,
            "notes/_note_edit.html",
            {**context, "message": str(rejected), "draft": text},
            status=400,
        )
    if not request.htmx:
        return redirect(_chair_url(table, note.element.key))
    return render(request, "notes/_note.html", {"note": note, "table": table})


@require_POST
@chair_access
def note_delete_view(request: HttpRequest, table: Table, note_id: int) -> HttpResponse:
    note = note_get_for_table(table=table, note_id=note_id)
    if note is None:
        # Already gone (deleted twice, or from another tablet): the wish is fulfilled.
        return HttpResponse("")
    try:
        note_delete(note=note)
    except Rejected as rejected:  # an archived session
        if not request.htmx:
            messages.error(request, str(rejected))
            return redirect(_chair_url(table))
        return _refused(request, str(rejected), 409)
    if not request.htmx:
        return redirect(_chair_url(table))
    return HttpResponse("")  # htmx swaps the note for nothing


@require_POST
@chair_access
def seat_add(request: HttpRequest, table: Table) -> HttpResponse:
    attempt_form(
        request,
        ExtraSeatForm(request.POST),
        lambda data: extra_seat_create(table=table, initials=data["initials"], role=data["role"]),
        success=lambda participant: _("Seat %(seat)s added.") % {"seat": participant.seat_label},
    )
    return redirect(_chair_url(table, request.POST.get("e") or None))


def _seat(
    request: HttpRequest,
    participant_id: int,
    workshop_id: int,
    table: Table | None,
    success: Callable[[Participant], str],
) -> None:
    """Seat a participant of the session at `table` (a chair's or the organiser's choice) and
    say so; a participant or table gone between the page and the tap is refused."""
    participant = Participant.objects.filter(pk=participant_id, workshop_id=workshop_id).first()

    def seat() -> Participant:
        if participant is None or table is None:
            raise Rejected(_("Choose a participant of this session."))
        return participant_seat(participant=participant, table=table)

    attempt(request, seat, success=success)


@require_POST
@chair_access
def chair_seat_move(request: HttpRequest, table: Table) -> HttpResponse:
    """The chair seats someone at this table: a phone that chose no table, or one from
    another table (its notes come along)."""
    form = SeatForm(
        request.POST,
        candidates=seating_candidates(workshop=table.workshop, exclude_table=table),
        tables=[table],
    )
    back = redirect(_chair_url(table, request.POST.get("e") or None))
    if not form.is_valid() or form.cleaned_data["table"] != table.number:
        messages.error(request, form_errors(form) or _("Choose a participant of this session."))
        return back
    elsewhere = (
        Participant.objects.filter(pk=form.cleaned_data["participant"], table__isnull=False)
        .exclude(table=table)
        .select_related("table")
        .first()
    )
    if elsewhere is not None and request.POST.get("confirm") != "1":
        # Someone at another table: one mis-tap must not move a person and their notes.
        return render(
            request,
            "notes/chair_move_confirm.html",
            {
                "workshop": table.workshop,
                "table": table,
                "participant": elsewhere,
                "notes": participant_note_count(participant=elsewhere),
                "active": request.POST.get("e") or "",
                "back": back.url,
            },
        )
    _seat(
        request,
        form.cleaned_data["participant"],
        table.workshop_id,
        table,
        lambda seated: _("%(seat)s now sits at this table.") % {"seat": seated.seat_label},
    )
    return back


@require_POST
@chair_access
def chair_observation(request: HttpRequest, table: Table) -> HttpResponse:
    """A table chair records an observation (theme, example, striking statement), attributed
    to the table, next to the researcher's own.

    The same post twice (a double tap, a retry) is stored once and answered alike; the same
    form id with another text is a 409: the page again, the text kept in the form under a new
    id, so saving once more stores it as a new observation."""
    elements = instrument_elements(workshop=table.workshop)
    form = ChairObservationForm(request.POST, elements=elements)
    active = request.POST.get("e") or None
    if request.htmx:
        return _chair_observation_queued(request, table, form)
    if form.is_valid():
        data = form.cleaned_data
        try:
            observation_create(
                workshop=table.workshop,
                kind=data["kind"],
                text=data["text"],
                element_id=data["element"],
                author=None,
                table=table,
                client_id=data["client_id"],
            )
        except Conflict as conflict:
            messages.error(request, str(conflict))
            again = ChairObservationForm(
                initial={**data, "client_id": uuid.uuid4()}, elements=elements
            )
            return _chair_page(request, table, active=active, observation_form=again, status=409)
        except Rejected as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Observation saved."))
    else:
        messages.error(request, form_errors(form))
    return redirect(_chair_url(table, active) + "#chair-observations")


def _chair_observation_queued(
    request: HttpRequest, table: Table, form: ChairObservationForm
) -> HttpResponse:
    """The tablet's script sends an observation kept on the tablet (static/js/notes.js), as it
    sends notes: the stored observation as a list item, or a refusal it shows beside the
    observation (a refusal says why; sending again cannot change it)."""
    if not form.is_valid():
        return _refused(request, form_errors(form), 400)
    data = form.cleaned_data
    try:
        observation = observation_create(
            workshop=table.workshop,
            kind=data["kind"],
            text=data["text"],
            element_id=data["element"],
            author=None,
            table=table,
            client_id=data["client_id"],
        )
    except Conflict as conflict:
        return _refused(request, str(conflict), 409)
    except Rejected as refused:
        return _refused(request, str(refused), 400)
    observation.element_name = (
        observation.element.tr("name") if observation.element is not None else ""
    )
    return render(request, "notes/_observation.html", {"o": observation})


# --- The organiser's side ---------------------------------------------------------------


def _chair_links_context(request: HttpRequest, workshop) -> dict:
    urls = session_urls(workshop=workshop, base_url=request.build_absolute_uri("/"))
    tables = list(workshop.tables.order_by("number"))
    return {"workshop": workshop, "chairs": list(zip(tables, urls["chair_urls"], strict=True))}


@login_required
@require_POST
def chair_key_rotate(request: HttpRequest, code: str, number: int) -> HttpResponse:
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
    table = get_object_or_404(Table, workshop=workshop, number=number)
    table_rotate_chair_key(table=table)
    message = _("Table %(n)s has a new chair link; the old link no longer works.") % {
        "n": table.number
    }
    if request.htmx:
        context = {**_chair_links_context(request, workshop), "rotated": table.number}
        return render(request, "notes/_chair_links.html", context)
    messages.success(request, message)
    return redirect("organiser-session", code=workshop.code)


@login_required
@require_GET
def table_cards(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
    context = _chair_links_context(request, workshop)
    cards = [
        {
            "table": table,
            "url": url,
            "short_url": url.split("://", 1)[-1],
            "qr": qr_svg(url, scale=6),
        }
        for table, url in context["chairs"]
    ]
    return render(request, "notes/table_cards.html", {"workshop": workshop, "cards": cards})


@never_cache
@require_GET
def note_counts_panel(request: HttpRequest, code: str) -> HttpResponse:
    """Polled or pushed into the organiser's page: notes per table and element."""
    if not is_organiser(request.user):
        return HttpResponse(_("Log in as organiser to see the notes."), status=403)
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.READ)
    return render(
        request,
        "notes/_note_counts.html",
        {"workshop": workshop, "counts": note_counts(workshop=workshop)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def observations(request: HttpRequest, code: str) -> HttpResponse:
    need = Permission.ANALYSE if request.method == "POST" else Permission.READ
    workshop = workshop_for_user(user=request.user, code=code, need=need)
    elements = instrument_elements(workshop=workshop)
    form = ObservationForm(request.POST or None, elements=elements)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                observation_create(
                    workshop=workshop,
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                    element_id=form.cleaned_data["element"],
                    author=request.user,
                )
            except Rejected as rejected:
                form.add_error("text", str(rejected))
            else:
                messages.success(request, _("Observation saved."))
                return redirect("observations", code=workshop.code)
        status = 400
    return render(
        request,
        "notes/observations.html",
        {
            "workshop": workshop,
            "form": form,
            "observations": observations_list(workshop=workshop),
        },
        status=status,
    )


@login_required
@require_POST
def observation_delete_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.ANALYSE)
    observation = get_object_or_404(Observation, workshop=workshop, pk=pk)
    observation_delete(observation=observation)
    messages.success(request, _("Observation deleted."))
    return redirect("observations", code=workshop.code)


@login_required
@require_http_methods(["GET", "POST"])
def organiser_seat(request: HttpRequest, code: str) -> HttpResponse:
    """The organiser seats or moves a participant at any table of the session. GET: the
    seating card as a partial (the console reloads it as people join)."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
    if request.method == "GET":
        return render(request, "notes/_seating.html", seating_card(workshop=workshop))
    form = SeatForm(
        request.POST,
        candidates=seating_candidates(workshop=workshop),
        tables=list(workshop.tables.order_by("number")),
    )
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("organiser-session", code=workshop.code)
    _seat(
        request,
        form.cleaned_data["participant"],
        workshop.pk,
        Table.objects.filter(workshop=workshop, number=form.cleaned_data["table"]).first(),
        lambda seated: (
            _("%(seat)s now sits at table %(n)s.")
            % {"seat": seated.seat_label, "n": form.cleaned_data["table"]}
        ),
    )
    return redirect(reverse("organiser-session", args=[workshop.code]) + "#seating")
