"""Excel workbooks (and the answers CSV) of sessions, built from plain data: no ORM, no HTTP.

The numbers come from `survey.aggregation.aggregate`, the same function the live results use,
applied to the very answer rows the workbook lists, so a workbook is consistent with itself
even when it is exported while phones are still answering.

Sheet names and column headers are spelled out here per language rather than translated
through gettext: they are a data format that researchers' R and SPSS scripts read by name, so
they must not change when somebody edits a translation catalogue.
"""

import datetime
import statistics
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.chart import RadarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.inputs import xml_safe
from exports.breakdowns import VARIABLES as BREAKDOWN_VARIABLES
from exports.breakdowns import breakdown_rows
from exports.data import (
    LOCAL_TZ,
    NOTE_FIELDS,
    OBSERVATION_FIELDS,
    AnswerData,
    ComparedSession,
    ElementData,
    SessionData,
    StatementData,
    in_lang,
    local_naive,
)
from exports.research import METHOD_TEXT, codebook_header, codebook_table
from exports.statistics import METHOD, methods_from_items
from exports.xlsx import DATE_FORMAT, DATETIME_FORMAT, BulkWorkbook
from survey.aggregation import SCORES, ElementSpec, ItemSpec, aggregate

MEAN_FORMAT = "0.00"
MIN_COLUMN_WIDTH = 8
MAX_COLUMN_WIDTH = 60
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE8E3")

LABELS: dict[str, dict[str, Any]] = {
    "nl": {
        "sheet": {
            "session": "sessie",
            "participants": "deelnemers",
            "answers": "antwoorden",
            "statements": "stellingen",
            "elements": "elementen",
            "notes": "notities",
            "observations": "observaties",
            "codebook": "codeboek",
            "breakdowns": "uitsplitsing",
            "comparison": "vergelijking",
            "chart": "grafiek",
        },
        "dont_know": "weet ik niet",
        "session": ("gegeven", "waarde"),
        "facts": {
            "code": "code",
            "city": "stad",
            "date": "datum",
            "title": "titel",
            "instrument": "instrument",
            "instrument_version": "instrumentversie",
            "phase": "fase",
            "participants": "deelnemers",
            "respondents": "respondenten",
            "answers": "antwoorden",
            "dont_know": "weet-ik-niet-antwoorden",
            "notes": "notities",
            "observations": "observaties",
            "exported_at": "geëxporteerd op",
            "anonymised_at": "geanonimiseerd op (deelnemers en antwoorden verwijderd, "
            "totalen bewaard)",
            "time_zone": "tijdzone (van alle tijdstippen)",
            "method": "methode van de elementscore",
            "table_focus": "focus tafel {n}",
        },
        "definitions": (
            (
                "elementscore",
                "Het gemiddelde over de deelnemers van ieders eigen gemiddelde over zijn of haar "
                "antwoorden 1-5 in het element; n is het aantal deelnemers met minstens één "
                "antwoord 1-5 in het element. Elke deelnemer weegt even zwaar.",
            ),
            (
                "gemiddelde stelling",
                "Het gemiddelde van de antwoorden 1-5 op de stelling; n is hun aantal. "
                "'Weet ik niet' telt apart en nooit mee in een gemiddelde.",
            ),
            ("standaardafwijking", "Steekproefstandaardafwijking (n-1) van de antwoorden 1-5."),
            (
                "wie telt als respondent",
                "Deelnemers met minstens één antwoord ('weet ik niet' telt mee).",
            ),
            (
                "versie toestemmingstekst",
                "Het nummer van de tekst over hun antwoorden waarmee de deelnemer op de telefoon "
                "instemde; leeg voor papieren formulieren. Wie zich terugtrok, staat in geen "
                "export.",
            ),
        ),
        "participants": (
            "deelnemer",
            "tafel",
            "plek",
            "rol",
            "bron",
            "aangemeld op",
            "aantal antwoorden",
            "aantal weet ik niet",
        ),
        "participant_score": "elementscore {name}",
        "participant_count": "aantal antwoorden {name}",
        "consent_version": "versie toestemmingstekst",
        "sources": {"phone": "telefoon", "paper": "papier", "seat": "zonder telefoon"},
        "answers": (
            "deelnemer",
            "element",
            "code stelling",
            "stelling",
            "volledige stelling",
            "score",
            "beantwoord op",
            "gewijzigd op",
            "bron",
        ),
        "statements": (
            "element",
            "code",
            "stelling",
            "volledige stelling",
            "n",
            "gemiddelde",
            "standaardafwijking",
            "mediaan",
            "weet ik niet",
            *(f"aantal {s}" for s in SCORES),
        ),
        "elements": (
            "code",
            "element",
            "score",
            "n",
            "weet ik niet",
            "stellingen",
            "methode van de score",
            "gemiddelde van alle antwoorden (answer_mean)",
            "gemiddelde van de stellingen (item_mean)",
        ),
        "notes": (
            "tafel",
            "deelnemer",
            "element",
            "soort",
            "quote",
            "tekst",
            "auteur",
            "tijd",
        ),
        "observations": ("soort", "element", "tekst", "auteur", "tijd"),
        "comparison": (
            "code",
            "stad",
            "datum",
            "titel",
            "deelnemers",
            "respondenten",
            "code element",
            "element",
            "score",
            "n",
            "weet ik niet",
            "methode van de score",
            "verschil met",
            "verschil",
        ),
        "per_session": ("gemiddelde", "n", "weet ik niet"),
        "chart_title": "Elementscores (1-5)",
        "statement_key": "code",
        "statement": "stelling",
        "element": "element",
    },
    "en": {
        "sheet": {
            "session": "session",
            "participants": "participants",
            "answers": "answers",
            "statements": "statements",
            "elements": "elements",
            "notes": "notes",
            "observations": "observations",
            "codebook": "codebook",
            "breakdowns": "breakdowns",
            "comparison": "comparison",
            "chart": "chart",
        },
        "dont_know": "don't know",
        "session": ("field", "value"),
        "facts": {
            "code": "code",
            "city": "city",
            "date": "date",
            "title": "title",
            "instrument": "instrument",
            "instrument_version": "instrument version",
            "phase": "phase",
            "participants": "participants",
            "respondents": "respondents",
            "answers": "answers",
            "dont_know": "don't-know answers",
            "notes": "notes",
            "observations": "observations",
            "exported_at": "exported at",
            "anonymised_at": "anonymised on (participants and answers removed, totals kept)",
            "time_zone": "time zone (of all times)",
            "method": "element score method",
            "table_focus": "table {n} focus",
        },
        "definitions": (
            (
                "element score",
                "The mean, over participants, of each participant's own mean over their 1-5 "
                "answers in the element; n is the number of participants with at least one 1-5 "
                "answer in it. Every participant weighs the same.",
            ),
            (
                "statement mean",
                "The mean of the statement's 1-5 answers; n is their count. Don't-know answers "
                "are counted apart and never enter a mean.",
            ),
            ("standard deviation", "Sample standard deviation (n-1) of the 1-5 answers."),
            (
                "who counts as respondent",
                "Participants with at least one answer (don't know included).",
            ),
            (
                "consent text version",
                "The number of the text about their answers that the participant agreed to on "
                "the phone; empty for paper forms. Who withdrew is in no export.",
            ),
        ),
        "participants": (
            "participant",
            "table",
            "seat",
            "role",
            "source",
            "joined at",
            "number of answers",
            "number of don't know",
        ),
        "participant_score": "element score {name}",
        "participant_count": "number of answers {name}",
        "consent_version": "consent text version",
        "sources": {"phone": "phone", "paper": "paper", "seat": "no phone"},
        "answers": (
            "participant",
            "element",
            "statement key",
            "statement",
            "full statement",
            "score",
            "answered at",
            "changed at",
            "source",
        ),
        "statements": (
            "element",
            "key",
            "statement",
            "full statement",
            "n",
            "mean",
            "standard deviation",
            "median",
            "don't know",
            *(f"count {s}" for s in SCORES),
        ),
        "elements": (
            "key",
            "element",
            "score",
            "n",
            "don't know",
            "statements",
            "method of the score",
            "mean of all answers (answer_mean)",
            "mean of the statements' means (item_mean)",
        ),
        "notes": ("table", "participant", "element", "kind", "quote", "text", "author", "time"),
        "observations": ("kind", "element", "text", "author", "time"),
        "comparison": (
            "code",
            "city",
            "date",
            "title",
            "participants",
            "respondents",
            "element key",
            "element",
            "score",
            "n",
            "don't know",
            "method of the score",
            "difference with",
            "difference",
        ),
        "per_session": ("mean", "n", "don't know"),
        "chart_title": "Element scores (1-5)",
        "statement_key": "key",
        "statement": "statement",
        "element": "element",
    },
}


def labels(lang: str) -> dict[str, Any]:
    return in_lang(LABELS, lang)


def kept_results(kept: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """An anonymised session's kept results in the shape `aggregate` returns (None: the
    session was not anonymised; its answers are counted)."""
    if kept is None:
        return None
    return {"respondents": kept["respondents"], "elements": kept["elements"]}


def _specs(elements: Sequence[ElementData]) -> list[ElementSpec]:
    return [
        ElementSpec(
            key=e.key,
            name=e.name,
            items=tuple(
                ItemSpec(statement_id=s.statement_id, key=s.key, label=s.label)
                for s in e.statements
            ),
        )
        for e in elements
    ]


def statement_spread(counts: Sequence[int]) -> tuple[float | None, int | float | None]:
    """(sample standard deviation, median) of 1-5 answers given as counts of 1s .. 5s."""
    values = [score for score, count in zip(SCORES, counts, strict=True) for _ in range(count)]
    stdev = statistics.stdev(values) if len(values) >= 2 else None
    median = statistics.median(values) if values else None
    return stdev, median


# --- sheet helpers -------------------------------------------------------------------------


def _display_len(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 19
    if isinstance(value, datetime.date):
        return 10
    if isinstance(value, float):
        return 6
    return max((len(line) for line in str(value).splitlines()), default=0)


def _set_widths(ws: Worksheet, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    # Distinct values per column: a 46,000-row sheet repeats a few hundred strings.
    _set_column_widths(ws, header, [set(column) for column in zip(*rows, strict=False)])


def _set_column_widths(
    ws: Worksheet, header: Sequence[str], distinct: Sequence[Iterable[Any]]
) -> None:
    """Widths for the columns holding `distinct` values (one collection per column)."""
    widths = [len(h) for h in header]
    for index, column in enumerate(distinct):
        longest = max(map(_display_len, column), default=0)
        if index < len(widths):
            widths[index] = max(widths[index], longest)
        else:
            widths.append(longest)
    for index, width in enumerate(widths, 1):
        # Room for the filter button next to the header, however short the column.
        ws.column_dimensions[get_column_letter(index)].width = min(
            max(width + 3, MIN_COLUMN_WIDTH), MAX_COLUMN_WIDTH
        )


def _header(ws: Worksheet, header: Sequence[str]) -> None:
    # Headers hold cities and session labels (the comparison's columns): user text too.
    _append_text_safe(ws, header)
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top")
    ws.freeze_panes = "A2"
    # Printed (or turned into PDF): landscape, one page wide, the header on every page.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _filter(wb: BulkWorkbook, ws: Worksheet, width: int) -> None:
    ws.auto_filter.ref = f"A1:{get_column_letter(width)}{max(wb.bulk_last_row(ws), 1)}"


def _table_sheet(
    wb: BulkWorkbook,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    bulk: bool,
    number_formats: Mapping[int, str] | None = None,
) -> Worksheet:
    """A sheet with a frozen, filtered header and `rows`; bulk rows skip openpyxl's cells."""
    ws = wb.create_sheet(title)
    _header(ws, header)
    if bulk:
        wb.append_bulk(ws, rows)
    else:
        for row in rows:
            _append_text_safe(ws, row)
        for column, number_format in (number_formats or {}).items():
            for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = number_format
    _set_widths(ws, header, rows)
    _filter(wb, ws, max(len(header), max((len(r) for r in rows), default=0)))
    return ws


def _radar(
    ws: Worksheet,
    *,
    title: str,
    categories_col: int,
    first_series_col: int,
    last_series_col: int,
    rows: int,
) -> RadarChart:
    """A native radar chart of rows 2..rows+1, one series per column, titles from row 1,
    placed below the table: there it prints on the table's page instead of across two."""
    chart = RadarChart()
    chart.type = "marker"
    chart.title = xml_safe(title)  # holds the city
    chart.style = 26
    chart.width = 16  # cm: within a portrait A4 page's margins too
    chart.height = 11
    data = Reference(
        ws, min_col=first_series_col, max_col=last_series_col, min_row=1, max_row=rows + 1
    )
    chart.add_data(data, titles_from_data=True)
    # openpyxl's set_categories refers to the names as numbers; they are text.
    names = Reference(ws, min_col=categories_col, min_row=2, max_row=rows + 1)
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(names)))
    # The projector's spider chart runs 0-5 too; a fixed scale keeps sessions comparable.
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 5
    chart.y_axis.majorUnit = 1
    # openpyxl 3.1 marks axes deleted unless told otherwise; Excel then hides the scale.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    # The scale's labels would otherwise take the cells' two-decimal format.
    chart.y_axis.number_format = "0"
    chart.y_axis.numFmt.sourceLinked = False
    if len(chart.series) == 1:
        chart.legend = None  # the title names the one series
    else:
        chart.legend.position = "b"
    ws.add_chart(chart, f"A{rows + 3}")
    return chart


def _append_text_safe(ws: Worksheet, row: Sequence[Any]) -> None:
    """Append a row whose text stays text; every workbook row written through openpyxl goes
    through here (bulk rows are always strings: export_xlsx.rows_xml).

    openpyxl stores a string starting with "=" as a formula, so a city called
    "=HYPERLINK(...)" would run in the researcher's Excel; and it writes U+FFFE/U+FFFF (and
    raises on other control characters) into XML that no longer opens.
    """
    ws.append([xml_safe(v) if isinstance(v, str) else v for v in row])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def _field_rows(
    rows: Sequence[Sequence[Any] | Mapping[str, Any]], fields: Sequence[str], tz: datetime.tzinfo
) -> list[tuple[Any, ...]]:
    """Note-like rows as tuples in `fields` order, with text cleaned and times made local."""
    local = _LocalTimes(tz)
    out = []
    for row in rows:
        values = [row.get(f) for f in fields] if isinstance(row, Mapping) else list(row)
        cleaned = []
        for value in values:
            if isinstance(value, str):
                value = xml_safe(value)
            elif isinstance(value, datetime.datetime):
                value = local(value)
            cleaned.append(value)
        out.append(tuple(cleaned))
    return out


# --- the session workbook ------------------------------------------------------------------


class _LocalTimes:
    """`local_naive` for many times: the same second converted once (a session's answers
    share a few thousand seconds), and each result one object however often it comes."""

    def __init__(self, tz: datetime.tzinfo) -> None:
        self.tz = tz
        self.seen: dict[int, datetime.datetime] = {}

    def __call__(self, value: datetime.datetime | None) -> Any:
        if value is None or value.tzinfo is None:
            return local_naive(value, self.tz)
        second = int(value.timestamp())
        local = self.seen.get(second)
        if local is None:
            local = self.seen[second] = local_naive(value, self.tz)
        return local


@dataclass(frozen=True)
class AnswerTable:
    """The answers in long format, ordered by participant, element and statement, made row by
    row when read (`rows()`; a 10,000-participant session has 460,000 of them): the header,
    the number of rows, and each column's distinct values (for the column widths)."""

    header: tuple[str, ...]
    count: int
    dont_know: int
    rows: Callable[[], Iterator[tuple[Any, ...]]]
    distinct: tuple[frozenset[Any], ...]


def answer_table(
    *, data: SessionData, lang: str = "nl", tz: datetime.tzinfo = LOCAL_TZ
) -> AnswerTable:
    """The answers sheet's rows, in the order and with the values of the participants' and
    the instrument's order (see AnswerTable)."""
    text = labels(lang)
    dont_know = text["dont_know"]
    statement_at: dict[int, tuple[int, ElementData, StatementData]] = {}
    for element in data.elements:
        for statement in element.statements:
            statement_at[statement.statement_id] = (len(statement_at), element, statement)
    sources = text["sources"]
    participant_at = {
        p.participant_id: (i, p.seat_label, sources.get(p.source, p.source))
        for i, p in enumerate(data.participants)
    }
    after_everyone = len(participant_at)
    answers = data.answers

    # Sorted by one integer per answer (participant's place, id, statement's place): a new
    # list of the same answers, in the sheet's order, without a row or a tuple per answer.
    statements = len(statement_at) or 1
    top_id = max((a[0] for a in answers), default=0) + 1

    def sort_key(answer: AnswerData) -> int:
        order = participant_at.get(answer[0], (after_everyone,))[0]
        return (order * top_id + answer[0]) * statements + statement_at[answer[1]][0]

    # An answer to a statement not in this session's instrument: the results ignore it too.
    ordered = sorted((a for a in answers if a[1] in statement_at), key=sort_key)
    scores: set[Any] = set()
    people: set[int] = set()
    asked: set[int] = set()
    any_time = False
    dont_knows = 0
    for participant_id, statement_id, score, answered_at, updated_at in ordered:
        people.add(participant_id)
        asked.add(statement_id)
        if score is None:
            dont_knows += 1
        else:
            scores.add(score)
        any_time = any_time or answered_at is not None or updated_at is not None

    def seat(participant_id: int) -> tuple[int, str, str | None]:
        return participant_at.get(participant_id, (after_everyone, f"#{participant_id}", None))

    def rows() -> Iterator[tuple[Any, ...]]:
        local = _LocalTimes(tz)
        for participant_id, statement_id, score, answered_at, updated_at in ordered:
            _, element, statement = statement_at[statement_id]
            _, seat_label, source = seat(participant_id)
            yield (
                seat_label,
                element.name,
                statement.key,
                statement.label,
                statement.text,
                dont_know if score is None else score,
                local(answered_at),
                local(updated_at),
                source,  # typed in from a paper form, or tapped on a phone
            )

    used = [statement_at[statement_id] for statement_id in asked]
    seats = [seat(pid) for pid in people]
    # Any time's width is a datetime's (_display_len): one stands for all.
    a_time = (datetime.datetime(2000, 1, 1),) if any_time else ()
    return AnswerTable(
        header=text["answers"],
        count=len(ordered),
        dont_know=dont_knows,
        rows=rows,
        distinct=(
            frozenset(s[1] for s in seats),
            frozenset(u[1].name for u in used),
            frozenset(u[2].key for u in used),
            frozenset(u[2].label for u in used),
            frozenset(u[2].text for u in used),
            frozenset({*scores, *((dont_know,) if dont_knows else ())}),
            frozenset(a_time),
            frozenset(a_time),
            frozenset(s[2] for s in seats),
        ),
    )


def build_session_workbook(
    *,
    data: SessionData,
    exported_at: datetime.datetime,
    lang: str = "nl",
    tz: datetime.tzinfo = LOCAL_TZ,
) -> BulkWorkbook:
    """The full workbook of one session: facts, participants, answers, statements, elements
    with a radar chart, breakdowns, notes, observations and the codebook, a sheet each."""
    text = labels(lang)
    results = kept_results(data.kept) or aggregate(
        _specs(data.elements), ((a[0], a[1], a[2]) for a in data.answers)
    )
    answers = answer_table(data=data, lang=lang, tz=tz)
    notes = _field_rows(data.notes, NOTE_FIELDS, tz)
    observations = _field_rows(data.observations, OBSERVATION_FIELDS, tz)

    wb = BulkWorkbook()
    _sheet_session(
        wb,
        text,
        data=data,
        results=results,
        answers=answers,
        notes=len(notes),
        observations=len(observations),
        exported_at=exported_at,
        lang=lang,
        tz=tz,
    )
    _sheet_participants(wb, text, data=data, tz=tz)
    _sheet_answers(wb, text, answers=answers)
    _sheet_statements(wb, text, data=data, results=results)
    _sheet_elements(wb, text, data=data, results=results)
    _sheet_breakdowns(wb, text, data=data, lang=lang)
    _table_sheet(wb, text["sheet"]["notes"], text["notes"], notes, bulk=True)
    _table_sheet(wb, text["sheet"]["observations"], text["observations"], observations, bulk=True)
    _sheet_codebook(wb, text, data=data, lang=lang)
    return wb


def _sheet_session(
    wb: BulkWorkbook,
    text: Mapping[str, Any],
    *,
    data: SessionData,
    results: Mapping[str, Any],
    answers: AnswerTable,
    notes: int,
    observations: int,
    exported_at: datetime.datetime,
    lang: str,
    tz: datetime.tzinfo,
) -> None:
    """The first sheet: the session's facts and counts, then the definitions of its numbers."""
    # An anonymised session has no participants' rows: its counts are the ones it kept.
    counts = (
        (int(data.kept["participants"]), int(data.kept["answers"]), int(data.kept["dont_know"]))
        if data.kept is not None
        else (len(data.participants), answers.count, answers.dont_know)
    )
    ws = wb.active
    ws.title = text["sheet"]["session"]
    _header(ws, text["session"])
    facts = text["facts"]
    for key, value in (
        ("code", data.code),
        ("city", data.city),
        ("date", data.date),
        ("title", data.title),
        ("instrument", data.instrument),
        ("instrument_version", data.instrument_version),
        ("phase", data.phase),
        ("participants", counts[0]),
        ("respondents", results["respondents"]),
        ("answers", counts[1]),
        ("dont_know", counts[2]),
        ("notes", notes),
        ("observations", observations),
        *((("table_focus", n), focus) for n, focus in sorted(data.table_focus.items())),
        ("exported_at", local_naive(exported_at, tz)),
        *((("anonymised_at", local_naive(data.anonymised_at, tz)),) if data.anonymised_at else ()),
        ("time_zone", str(tz)),
        ("method", in_lang(METHOD_TEXT, lang)["named"]),
    ):
        # ("table_focus", 2) is "focus tafel 2"
        label = facts[key[0]].format(n=key[1]) if isinstance(key, tuple) else facts[key]
        _append_text_safe(ws, [label, value])
        cell = ws.cell(row=ws.max_row, column=2)
        if isinstance(value, datetime.datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, datetime.date):
            cell.number_format = DATE_FORMAT
        cell.alignment = Alignment(horizontal="left")
    ws.append([])
    definition_width = 80
    for term, definition in text["definitions"]:
        _append_text_safe(ws, [term, definition])
        ws.cell(row=ws.max_row, column=1).alignment = Alignment(vertical="top")
        ws.cell(row=ws.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        # LibreOffice keeps the default height of a wrapped row read from xlsx; say it.
        lines = -(-len(definition) // (definition_width - 8))
        ws.row_dimensions[ws.max_row].height = 15 * lines
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = definition_width
    ws.auto_filter.ref = f"A1:B{ws.max_row}"


def _sheet_participants(
    wb: BulkWorkbook, text: Mapping[str, Any], *, data: SessionData, tz: datetime.tzinfo
) -> None:
    """A row per participant: their own element scores (the means that the element score
    averages), then their answer counts, labelled as counts (exports.data.ParticipantScores)."""
    scores = data.participant_scores
    local = _LocalTimes(tz)
    rows = []
    for p in data.participants:
        own = scores[p.participant_id]
        rows.append(
            (
                p.seat_label,
                p.table,
                p.seat,
                p.role or None,
                text["sources"].get(p.source, p.source),
                local(p.joined_at),
                sum(own.answers),
                own.dont_know,
                *own.means,
                *own.answers,
                p.consent_version,
            )
        )
    _table_sheet(
        wb,
        text["sheet"]["participants"],
        (
            *text["participants"],
            *(text["participant_score"].format(name=e.name) for e in data.elements),
            *(text["participant_count"].format(name=e.name) for e in data.elements),
            text["consent_version"],
        ),
        rows,
        bulk=True,
    )


def _sheet_answers(wb: BulkWorkbook, text: Mapping[str, Any], *, answers: AnswerTable) -> None:
    """The answers in long format, streamed row by row (a conference has 460,000 of them)."""
    ws = wb.create_sheet(text["sheet"]["answers"])
    _header(ws, answers.header)
    width = len(answers.header)
    wb.append_bulk(ws, answers.rows(), count=answers.count, width=width)
    _set_column_widths(ws, answers.header, answers.distinct)
    _filter(wb, ws, width)


def _sheet_statements(
    wb: BulkWorkbook, text: Mapping[str, Any], *, data: SessionData, results: Mapping[str, Any]
) -> None:
    """A row per statement: n, mean, spread and the counts of each score."""
    rows = []
    for element, result in zip(data.elements, results["elements"], strict=True):
        for statement, item in zip(element.statements, result["items"], strict=True):
            stdev, median = statement_spread(item["counts"])
            rows.append(
                (
                    element.name,
                    statement.key,
                    statement.label,
                    statement.text,
                    item["n"],
                    item["mean"],
                    stdev,
                    median,
                    item["dont_know"],
                    *item["counts"],
                )
            )
    _table_sheet(
        wb,
        text["sheet"]["statements"],
        text["statements"],
        rows,
        bulk=False,
        number_formats={6: MEAN_FORMAT, 7: MEAN_FORMAT, 8: MEAN_FORMAT},
    )


def _sheet_elements(
    wb: BulkWorkbook, text: Mapping[str, Any], *, data: SessionData, results: Mapping[str, Any]
) -> None:
    """A row per element with its score, and the radar chart of the scores below them."""
    # The score's method named, and the other two methods beside it (exports.statistics),
    # from the statements' results: an anonymised session kept those, not its answers.
    rows = []
    for e, r in zip(data.elements, results["elements"], strict=True):
        methods = methods_from_items(r["items"])
        rows.append(
            (
                e.key,
                e.name,
                r["score"],
                r["n"],
                r["dont_know"],
                len(e.statements),
                METHOD,
                methods["answer_mean"],
                methods["item_mean"],
            )
        )
    ws = _table_sheet(
        wb,
        text["sheet"]["elements"],
        text["elements"],
        rows,
        bulk=False,
        number_formats={3: MEAN_FORMAT, 8: MEAN_FORMAT, 9: MEAN_FORMAT},
    )
    _radar(
        ws,
        title=f"{text['chart_title']} · {data.city}",
        categories_col=2,
        first_series_col=3,
        last_series_col=3,
        rows=len(rows),
    )


def _sheet_breakdowns(
    wb: BulkWorkbook, text: Mapping[str, Any], *, data: SessionData, lang: str
) -> None:
    """The element scores with n, SD and 95% interval, for the session and per table, role,
    source and focus (exports.breakdowns), in the codebook's variable names."""
    rows = [row.cells(data.code) for row in breakdown_rows(data=data, lang=lang)]
    first_number = BREAKDOWN_VARIABLES.index("mean") + 1
    _table_sheet(
        wb,
        text["sheet"]["breakdowns"],
        BREAKDOWN_VARIABLES,
        rows,
        bulk=False,
        number_formats=dict.fromkeys(range(first_number, first_number + 4), MEAN_FORMAT),
    )


def _sheet_codebook(
    wb: BulkWorkbook, text: Mapping[str, Any], *, data: SessionData, lang: str
) -> None:
    """The codebook of the research files (exports.research), as a sheet."""
    _table_sheet(
        wb,
        text["sheet"]["codebook"],
        codebook_header(lang),
        codebook_table(data=data, lang=lang),
        bulk=False,
    )


# --- the comparison workbook ---------------------------------------------------------------


def session_labels(sessions: Sequence[ComparedSession]) -> list[str]:
    """Short names for the sessions: the city, with the date (and code) where one repeats."""
    cities = [s.city for s in sessions]
    names = [
        s.city if cities.count(s.city) == 1 else f"{s.city} {s.date:%Y-%m-%d}" for s in sessions
    ]
    return [
        n if names.count(n) == 1 else f"{n} {s.code}" for n, s in zip(names, sessions, strict=True)
    ]


def _sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: Excel forbids []:*?/\\ and more than 31 characters."""
    base = "".join(" " if ch in "[]:*?/\\" else ch for ch in xml_safe(name)).strip()[:31]
    base = base or "element"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def build_comparison_workbook(
    *, sessions: Sequence[ComparedSession], lang: str = "nl", base: str | None = None
) -> BulkWorkbook:
    """Several sessions side by side: a row per session per element with its difference from
    the baseline session (code `base`, else the first; as "verschil met" on the comparison
    page), a radar chart overlaying the sessions in their colours, and a sheet per element
    with its statements per session.

    Elements and statements are matched by key, so sessions run with different versions of
    the instrument line up where their keys agree (and stay blank where they do not).
    """
    text = labels(lang)
    sheet = text["sheet"]
    names = session_labels(sessions)
    results = [kept_results(s.kept) or aggregate(_specs(s.elements), s.answers) for s in sessions]
    codes = [s.code for s in sessions]
    base_at = codes.index(base) if base in codes else 0

    # The union of elements and statements, in the order they first appear.
    element_names: dict[str, str] = {}
    statement_labels: dict[str, dict[str, str]] = {}
    for s in sessions:
        for e in s.elements:
            element_names.setdefault(e.key, e.name)
            per_element = statement_labels.setdefault(e.key, {})
            for st in e.statements:
                per_element.setdefault(st.key, st.label)
    by_key = [{e["key"]: e for e in r["elements"]} for r in results]
    base_scores = {k: e["score"] for k, e in by_key[base_at].items()} if by_key else {}

    wb = BulkWorkbook()
    ws = wb.active
    ws.title = sheet["comparison"]
    rows = []
    for s, r, session_elements in zip(sessions, results, by_key, strict=True):
        for key, name in element_names.items():
            found = session_elements.get(key)
            rows.append(
                (
                    s.code,
                    s.city,
                    s.date,
                    s.title,
                    s.participants,
                    r["respondents"],
                    key,
                    name,
                    found["score"] if found else None,
                    found["n"] if found else None,
                    found["dont_know"] if found else None,
                    METHOD,
                    names[base_at],
                    None
                    if s.code == codes[base_at]
                    or not found
                    or found["score"] is None
                    or base_scores.get(key) is None
                    else found["score"] - base_scores[key],
                )
            )
    _header(ws, text["comparison"])
    for row in rows:
        _append_text_safe(ws, row)
    # Columns by their place in the rows above: C the date, I the score (H is the element's
    # name, which once carried the score's format).
    date_col, score_col = 3, 9
    for (date_cell,) in ws.iter_rows(min_row=2, min_col=date_col, max_col=date_col):
        date_cell.number_format = DATE_FORMAT
    diff_col = len(text["comparison"])
    for col in (score_col, diff_col):
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = "+0.00;-0.00;0.00" if col == diff_col else MEAN_FORMAT
    _set_widths(ws, text["comparison"], rows)
    _filter(wb, ws, len(text["comparison"]))

    chart_rows = [
        (name, *((e[key]["score"] if key in e else None) for e in by_key))
        for key, name in element_names.items()
    ]
    ws = _table_sheet(
        wb,
        sheet["chart"],
        (text["element"], *names),
        chart_rows,
        bulk=False,
        number_formats={c: MEAN_FORMAT for c in range(2, len(names) + 2)},
    )
    if sessions:
        chart = _radar(
            ws,
            title=text["chart_title"],
            categories_col=1,
            first_series_col=2,
            last_series_col=len(names) + 1,
            rows=len(chart_rows),
        )
        # Each session in its colour of the comparison page and the programme's documents.
        for series, session in zip(chart.series, sessions, strict=True):
            if session.colour:
                colour = session.colour.lstrip("#").upper()
                series.graphicalProperties.line.solidFill = colour
                series.marker.symbol = "circle"
                series.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
                series.marker.graphicalProperties.line.solidFill = colour

    taken = {sheet["comparison"].lower(), sheet["chart"].lower()}
    per_session = text["per_session"]
    for key, name in element_names.items():
        header = [text["statement_key"], text["statement"]]
        for label in names:
            header += [f"{label}: {column}" for column in per_session]
        items = [{i["key"]: i for i in e[key]["items"]} if key in e else {} for e in by_key]
        statement_rows = []
        for statement_key, label in statement_labels[key].items():
            cells: list[Any] = [statement_key, label]
            for session_items in items:
                item = session_items.get(statement_key)
                cells += [item["mean"], item["n"], item["dont_know"]] if item else [None] * 3
            statement_rows.append(tuple(cells))
        means = {2 + 1 + 3 * i for i in range(len(names))}
        _table_sheet(
            wb,
            _sheet_title(name, taken),
            header,
            statement_rows,
            bulk=False,
            number_formats=dict.fromkeys(means, MEAN_FORMAT),
        )
    return wb
