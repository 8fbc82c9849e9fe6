"""Exports for researchers: a session's workbook, its answers as CSV, and a comparison workbook.

Only a logged-in organiser exports: the projector key and the chair keys open live views of
one session, and must not hand out every answer of it.
"""

import datetime
import functools
import tempfile
from collections.abc import Callable
from io import BytesIO
from typing import IO, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook

from accounts.access import Permission
from accounts.models import AuditAction
from accounts.services import audit_record
from core.errors import Rejected
from core.inputs import parse_id, parse_session_codes, xml_safe
from exports import programme
from exports.breakdowns import TEXT as BREAKDOWN_TEXT
from exports.breakdowns import VARIABLES as BREAKDOWN_VARIABLES
from exports.breakdowns import breakdown_rows
from exports.data import SessionData, in_lang
from exports.imports import more_problems
from exports.research import (
    codebook_csv,
    csv_bytes,
    dictionary_csv,
    long_csv,
    sav_bytes,
    session_json,
    spreadsheet_table,
    stacked_stat_bytes,
    wide_csv,
)
from exports.selectors import comparison_data, session_data
from exports.services import ImportRefused, answers_import
from exports.workbook import build_comparison_workbook, build_session_workbook, labels
from instrument.i18n import current_lang
from sessions.models import MAX_COMPARED, Workshop
from sessions.selectors import workshop_by_code, workshop_for_user, workshops_for_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
SAV = "application/x-spss-sav"
JSON = "application/json"
DTA = "application/x-stata-dta"


View = Callable[..., HttpResponse]


def audited_export(view: View) -> View:
    """Record a session's download in the audit trail (who, which session, which file) once
    the file is made; a refused or failed one is not recorded."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            workshop = workshop_by_code(kwargs.get("code"))
            if workshop is not None:
                audit_record(
                    actor=request.user,
                    action=AuditAction.EXPORT,
                    workshop=workshop,
                    detail={"file": request.path.rsplit("/", 1)[-1] or request.path},
                )
        return response

    return wrapper


def session_workbook(
    *, workshop: Workshop, lang: str | None = None, exported_at: datetime.datetime | None = None
) -> Workbook:
    """The session's workbook in `lang` (default: the active language)."""
    lang = lang or current_lang()
    return build_session_workbook(
        data=session_data(workshop=workshop, lang=lang),
        exported_at=exported_at or timezone.now(),
        lang=lang,
    )


def workbook_bytes(workbook: Workbook) -> bytes:
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


# A workbook up to this size stays in memory; a larger one (a conference session's is about
# 18 MB) goes to a temporary file, which the download streams from.
SPOOL_BYTES = 1024 * 1024


def workbook_file(workbook: Workbook) -> IO[bytes]:
    """The saved workbook as a file, read from its start: its bytes are not held twice (once
    in a buffer, once copied out of it for the response)."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 the response closes it
    workbook.save(out)
    out.seek(0)
    return cast(IO[bytes], out)


def export_filename(workshop: Workshop, extension: str) -> str:
    city = slugify(workshop.city) or "sessie"
    return f"scentiss-{city}-{workshop.date:%Y-%m-%d}-{workshop.code}.{extension}"


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@never_cache
@require_GET
@audited_export
def export_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.EXPORT)
    # Read once from the saved file. Not a FileResponse: under ASGI Django reads a file's
    # whole stream into a list before sending it (StreamingHttpResponse.__aiter__ on a
    # synchronous iterator), so it would hold the same bytes, in more pieces.
    with workbook_file(session_workbook(workshop=workshop)) as saved:
        content = saved.read()
    return _download(content, XLSX, export_filename(workshop, "xlsx"))


def _session_file(
    request: HttpRequest,
    code: str,
    build: Callable[[SessionData, str], bytes],
    content_type: str,
    extension: str,
) -> HttpResponse:
    """A download of one session's data, as `build` writes it in the active language."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.EXPORT)
    lang = current_lang()
    content = build(session_data(workshop=workshop, lang=lang), lang)
    return _download(content, content_type, export_filename(workshop, extension))


@login_required
@never_cache
@require_GET
@audited_export
def export_csv(request: HttpRequest, code: str) -> HttpResponse:
    """The answers in long format: one row per answer, numbers as numbers, empty for missing."""
    return _session_file(request, code, lambda data, lang: long_csv(data=data), CSV, "csv")


@login_required
@never_cache
@require_GET
@audited_export
def export_wide_csv(request: HttpRequest, code: str) -> HttpResponse:
    """One row per participant: a column per statement and the participant's element scores."""
    return _session_file(request, code, lambda data, lang: wide_csv(data=data), CSV, "wide.csv")


# The spreadsheet CSV's name says what it holds, for which program and in which locale,
# beside the R/SPSS file's: "…-antwoorden-excel-nl.csv" is not "….csv" (answers.csv).
SPREADSHEET_NAMES = {
    "nl": {"long": "antwoorden", "wide": "deelnemers"},
    "en": {"long": "answers", "wide": "participants"},
}


@login_required
@never_cache
@require_GET
@audited_export
def export_spreadsheet_csv(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """The long or wide table for a double-click in a spreadsheet, in the page's language's
    locale (?lang=nl or en chooses the other): Dutch ";" and decimal comma, English "," and
    "."; text escaped against formulas."""
    lang = request.GET.get("lang") or ""
    if lang not in SPREADSHEET_NAMES:
        lang = "en" if current_lang() == "en" else "nl"
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.EXPORT)
    content = spreadsheet_table(
        data=session_data(workshop=workshop, lang=lang), kind=kind, lang=lang
    )
    stem = export_filename(workshop, "csv").removesuffix(".csv")
    filename = f"{stem}-{SPREADSHEET_NAMES[lang][kind]}-excel-{lang}.csv"
    return _download(content, CSV, filename)


@login_required
@never_cache
@require_GET
@audited_export
def export_codebook(request: HttpRequest, code: str) -> HttpResponse:
    return _session_file(
        request, code, lambda data, lang: codebook_csv(data=data, lang=lang), CSV, "codebook.csv"
    )


@login_required
@never_cache
@require_GET
@audited_export
def export_sav(request: HttpRequest, code: str, kind: str, fmt: str = "sav") -> HttpResponse:
    """The long or wide file for SPSS (.sav) or Stata (.dta), with variable and value labels."""
    return _session_file(
        request,
        code,
        lambda data, lang: sav_bytes(data=data, kind=kind, lang=lang, fmt=fmt),
        SAV if fmt == "sav" else DTA,
        f"{kind}.{fmt}",
    )


@login_required
@never_cache
@require_GET
@audited_export
def export_dictionary(request: HttpRequest, code: str) -> HttpResponse:
    """The codebook in Dutch and English side by side: one bilingual data dictionary."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.EXPORT)
    content = dictionary_csv(
        nl=session_data(workshop=workshop, lang="nl"), en=session_data(workshop=workshop, lang="en")
    )
    return _download(content, CSV, export_filename(workshop, "dictionary.csv"))


@login_required
@never_cache
@require_GET
@audited_export
def export_session_json(request: HttpRequest, code: str) -> HttpResponse:
    """The session's metadata (title, city, date, instrument, tables and their focus, each
    statement's element and variable), machine-readable; the import reads its tables back."""
    return _session_file(
        request, code, lambda data, lang: session_json(data=data), JSON, "session.json"
    )


@login_required
@never_cache
@require_GET
@audited_export
def export_breakdowns_csv(request: HttpRequest, code: str) -> HttpResponse:
    """The element scores with n, SD and 95% interval, per session, table, role, source and
    focus: one row per group and element (exports.breakdowns)."""
    return _session_file(
        request,
        code,
        lambda data, lang: csv_bytes(
            BREAKDOWN_VARIABLES, [r.cells(data.code) for r in breakdown_rows(data=data, lang=lang)]
        ),
        CSV,
        "breakdowns.csv",
    )


@login_required
@never_cache
@require_GET
def breakdowns_page(request: HttpRequest, code: str) -> HttpResponse:
    """The organiser's results with their spread: per element the session's score with n, SD
    and 95% interval, then per table, role, source and focus."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.EXPORT)
    lang = current_lang()
    data = session_data(workshop=workshop, lang=lang)
    # grouping -> group (its label) -> its rows, one per element
    groups: dict[str, dict[str, list[Any]]] = {}
    for row in breakdown_rows(data=data, lang=lang):
        groups.setdefault(row.group, {}).setdefault(row.label, []).append(row)
    names = in_lang(BREAKDOWN_TEXT, lang)["groups"]
    return render(
        request,
        "exports/breakdowns.html",
        {
            "workshop": workshop,
            "groups": [(g, names[g], list(rows.items())) for g, rows in groups.items()],
        },
    )


def compare_codes(query: QueryDict) -> list[str]:
    """Session codes from ?codes=A,B,C and/or repeated ?code=, upper-cased, first one kept,
    through the one code-list parser (a NUL byte in a code was a 500 on PostgreSQL)."""
    return parse_session_codes(
        [*query.getlist("codes"), *query.getlist("code")], max_codes=MAX_COMPARED
    )


@login_required
@never_cache
@require_GET
def export_compare(request: HttpRequest) -> HttpResponse:
    try:
        codes = compare_codes(request.GET)
    except Rejected as refused:
        return HttpResponseBadRequest(str(refused))
    if not codes:
        return HttpResponseBadRequest(_("Give the codes of the sessions to compare."))
    readable = workshops_for_user(user=request.user, need=Permission.EXPORT)
    found = {w.code: w for w in readable.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise Http404("unknown session code: " + ", ".join(missing))
    workshops = [found[c] for c in codes]
    for w in workshops:
        audit_record(actor=request.user, action=AuditAction.EXPORT, workshop=w,
                     detail={"file": "compare.xlsx", "codes": codes})  # fmt: skip
    lang = current_lang()
    try:
        base = parse_session_codes(request.GET.get("base"))  # "verschil met", as on the page
    except Rejected as refused:
        return HttpResponseBadRequest(str(refused))
    workbook = build_comparison_workbook(
        sessions=comparison_data(workshops=workshops, lang=lang),
        lang=lang,
        base=base[0] if base else None,
    )
    cities = "-".join(dict.fromkeys(slugify(w.city) for w in workshops))[:80]
    filename = f"scentiss-{labels(lang)['sheet']['comparison']}-{cities}.xlsx"
    return _download(workbook_bytes(workbook), XLSX, filename)


# The files of several sessions (a programme's): name -> (builder, content type).
PROGRAMME_FILES: dict[str, tuple[Callable[[list[SessionData], str], bytes], str]] = {
    "answers.csv": (lambda sessions, lang: programme.long_csv(sessions=sessions), CSV),
    "answers.sav": (
        lambda sessions, lang: stacked_stat_bytes(sessions=sessions, lang=lang, fmt="sav"),
        SAV,
    ),
    "answers.dta": (
        lambda sessions, lang: stacked_stat_bytes(sessions=sessions, lang=lang, fmt="dta"),
        DTA,
    ),
    "elements.csv": (lambda sessions, lang: programme.elements_csv(sessions=sessions), CSV),
    "codebook.csv": (
        lambda sessions, lang: programme.codebook_csv(sessions=sessions, lang=lang),
        CSV,
    ),
}


@login_required
@never_cache
@require_GET
def export_programme(request: HttpRequest, name: str) -> HttpResponse:
    """Several sessions in one file (?codes=A,B,C, in that order; a programme's page links here
    with its sessions' codes): every answer with its session, city, date and instrument
    version; the element scores per session by the three methods; their codebook."""
    try:
        codes = compare_codes(request.GET)
    except Rejected as refused:
        return HttpResponseBadRequest(str(refused))
    if not codes:
        return HttpResponseBadRequest(_("Give the codes of the sessions to compare."))
    # Another team's session is as unknown as a code that never existed (a 404, no name).
    readable = workshops_for_user(user=request.user, need=Permission.EXPORT)
    found = {w.code: w for w in readable.select_related("instrument").filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise Http404("unknown session code: " + ", ".join(missing))
    lang = current_lang()
    sessions = [session_data(workshop=found[c], lang=lang) for c in codes]
    build, content_type = PROGRAMME_FILES[name]
    cities = "-".join(dict.fromkeys(slugify(found[c].city) for c in codes))[:80]
    filename = f"scentiss-{labels(lang)['sheet']['comparison']}-{cities}-{name}"
    return _download(build(sessions, lang), content_type, filename)


MAX_UPLOAD = 20 * 1024 * 1024
MAX_FILES = 3  # the answers CSV, the participants CSV, the session's metadata file


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def import_answers(request: HttpRequest, code: str) -> HttpResponse:
    """The organiser's page: a file the app writes (the long CSV, the session workbook) into
    this session."""
    workshop = workshop_for_user(user=request.user, code=code, need=Permission.RUN)
    context: dict[str, Any] = {"workshop": workshop, "problems": [], "error": ""}
    if request.method == "GET":
        return render(request, "exports/import.html", context)
    # Refuse a huge body by its announced length, before Django spools it to disk.
    # The header through the one number parser: "²".isdigit() is true, and int() fails on it.
    try:
        length = parse_id(request.META.get("CONTENT_LENGTH") or "0", min_value=0)
    except Rejected:
        length = MAX_UPLOAD + 64 * 1024 + 1
    if length > MAX_UPLOAD + 64 * 1024:
        context["error"] = _("The file is larger than %(mb)s MB; split it per session.") % {
            "mb": MAX_UPLOAD // (1024 * 1024)
        }
        return render(request, "exports/import.html", context, status=400)
    uploads = request.FILES.getlist("file")
    if not uploads:
        context["error"] = _("Choose a file first.")
        return render(request, "exports/import.html", context, status=400)
    if len(uploads) > MAX_FILES:
        context["error"] = _(
            "At most %(n)s files at once: the answers, the participants and the session file."
        ) % {"n": MAX_FILES}
        return render(request, "exports/import.html", context, status=400)
    if sum(upload.size or 0 for upload in uploads) > MAX_UPLOAD:
        context["error"] = _("The file is larger than %(mb)s MB; split it per session.") % {
            "mb": MAX_UPLOAD // (1024 * 1024)
        }
        return render(request, "exports/import.html", context, status=400)
    try:
        summary = answers_import(
            workshop=workshop,
            files=[(upload.name or "", upload.read()) for upload in uploads],
        )
    except ImportRefused as refused:
        context["error"] = str(refused)
        context["problems"] = refused.problems
        context["omitted"] = more_problems(refused.omitted) if refused.omitted else ""
        return render(request, "exports/import.html", context, status=400)
    except Rejected as exc:
        context["error"] = str(exc)
        return render(request, "exports/import.html", context, status=400)
    audit_record(
        actor=request.user,
        action=AuditAction.IMPORT,
        workshop=workshop,
        detail={
            "file": xml_safe(", ".join(upload.name or "" for upload in uploads))[:200],
            "participants": summary.participants,
            "answers": summary.answers,
        },
    )
    messages.success(
        request,
        ngettext(
            "%(answers)s answers of %(n)s participant imported.",
            "%(answers)s answers of %(n)s participants imported.",
            summary.participants,
        )
        % {"answers": summary.answers, "n": summary.participants},
    )
    return redirect("organiser-session", code=workshop.code)
