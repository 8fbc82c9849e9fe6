"""Excel export of a session (a first version: the full workbook is issue 5)."""

import datetime
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from sessions.models import Workshop
from sessions.selectors import workshop_get
from survey.models import Answer
from survey.selectors import results_snapshot

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_session_workbook(*, snapshot: dict, meta: dict, answers: list[tuple]) -> Workbook:
    """A workbook from plain data: session facts, element scores and the answers (long)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "sessie"
    for key, value in meta.items():
        ws.append([key, value])
    el = wb.create_sheet("elementen")
    el.append(["element", "score", "n", "weet ik niet"])
    for element in snapshot["elements"]:
        el.append([element["name"], element["score"], element["n"], element["dont_know"]])
    an = wb.create_sheet("antwoorden")
    an.append(["deelnemer", "element", "label", "score", "weet ik niet", "beantwoord op"])
    for row in answers:
        an.append(list(row))
    for sheet in wb.worksheets[1:]:
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    return wb


def _answer_rows(workshop: Workshop) -> list[tuple]:
    tz = timezone.get_current_timezone()
    rows = []
    for a in (
        Answer.objects.filter(participant__workshop=workshop)
        .select_related("participant__table", "statement__element")
        .order_by("participant__pk", "statement__element__order", "statement__order")
    ):
        rows.append(
            (
                a.participant.seat_label,
                a.statement.element.name_nl,
                a.statement.label_nl,
                a.score,
                a.score is None,
                a.answered_at.astimezone(tz).replace(tzinfo=None),
            )
        )
    return rows


@login_required
@require_GET
def export_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_get(code=code)
    snapshot = results_snapshot(workshop_id=workshop.pk)
    meta = {
        "stad": workshop.city,
        "datum": workshop.date,
        "titel": workshop.title,
        "instrument": f"{workshop.instrument.name_nl} v{workshop.instrument.version}",
        "fase": workshop.phase,
        "respondenten": snapshot["respondents"],
        "geëxporteerd": datetime.datetime.now(),
    }
    wb = build_session_workbook(snapshot=snapshot, meta=meta, answers=_answer_rows(workshop))
    out = BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    name = f"scentiss-{workshop.city}-{workshop.date:%Y-%m-%d}.xlsx".replace(" ", "-")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
