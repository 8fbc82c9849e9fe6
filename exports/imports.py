"""Answers from a file the app writes, read and checked completely before anything is stored.

Read back:
- the long CSV (exports.research.LONG_VARIABLES; comma, semicolon or tab; UTF-8 or the
  Windows-1252 that Dutch Excel saves; a decimal comma in a whole number is accepted), or a
  sheet of a workbook with those columns;
- the session workbook in either language: its answers sheet (the score column holds "weet
  ik niet" / "don't know"), its participants sheet (who joined, also those who never
  answered) and the table focus on its session sheet.

`read_answers_file` returns every problem by row and column (the spreadsheet's own row
numbers: the header is row 1) or, when there is none, the participants and their answers ready
for `exports.services.answers_import`. Nothing is partly read: a file with one bad row is
refused as a whole, with the list of what to fix.

A file is bounded by what an answers file of the session can be: a row per statement and
participant (statements x the session's participant cap), and a workbook's unpacked size by
that many rows too, checked in the zip directory before anything is unpacked.
"""

import csv
import datetime
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import Rejected
from core.inputs import clean_text, parse_id
from exports.data import LOCAL_TZ
from exports.research import LONG_VARIABLES
from exports.workbook import LABELS
from instrument.models import Statement
from sessions.models import MAX_TABLES, PARTICIPANT_CAP_MAX, TABLE_FOCUS_MAX, Role, Source

MAX_BYTES = 20 * 1024 * 1024  # the upload limit; a 1,000-person session's long CSV is ~6 MB
MAX_PROBLEMS = 200  # the report lists this many and says how many more there are
MAX_LABEL = 40
MAX_SEAT = 999
REQUIRED = ("participant", "statement", "score")
# The columns read: the ones the long export writes, by the same names.
KNOWN = LONG_VARIABLES

# Unpacked bytes a workbook may hold, from the rows it can hold. Measured on the app's own
# workbook: ~330 bytes of sheet XML per answer row, ~600 per participant row, 13 KB of shared
# strings and ~70 KB for the rest. The margins allow for another program's resave (Excel
# writes every text once in sharedStrings.xml, openpyxl reads that file whole) and for notes.
UNPACKED_PER_ANSWER = 1024
UNPACKED_PER_PARTICIPANT = 2048
UNPACKED_FIXED = 8 * 1024 * 1024
MAX_MEMBERS = 200  # files in the zip; the app's workbook has 21

# The workbook's answers sheet, column by column, as the long file's variables (None: a text
# of the statement, not read back).
_WORKBOOK_ANSWERS = (
    "participant",
    "element",
    "statement",
    None,
    None,
    "score",
    "answered_at",
    "changed_at",
    "source",
)
_WORKBOOK_PARTICIPANTS = ("participant", "table", "seat", "role", "source")
_PARTICIPANT_FIELDS = ("table", "seat", "role", "source")
_LABEL = re.compile(r"(?:T(\d{1,3})\s*[·.]\s*)?P(\d{1,4})", re.ASCII)


def _fold(text: str) -> str:
    return text.strip().replace("\u2019", "'").casefold()


_DONT_KNOW = frozenset(_fold(LABELS[lang]["dont_know"]) for lang in LABELS)
_SOURCES = {
    **{_fold(value): value for value in Source.values},
    **{_fold(LABELS[lang]["sources"][value]): value for lang in LABELS for value in Source.values},
}
_FOCUS = [
    re.compile(
        re.escape(_fold(LABELS[lang]["facts"]["table_focus"])).replace(r"\{n\}", r"(\d{1,3})")
    )
    for lang in LABELS
]


def _roles() -> dict[str, str]:
    """A role by its value or by its label in either language (the workbook writes labels)."""
    roles = {_fold(value): value for value in Role.values}
    for lang in ("en", "nl"):
        with translation.override(lang):
            roles.update({_fold(str(label)): value for value, label in Role.choices})
    return roles


@dataclass(frozen=True)
class Problem:
    row: int  # 1 = the header; 0 = the file as a whole
    column: str  # "" when the problem is the row or the file as a whole
    message: str
    sheet: str = ""  # a workbook's sheet


@dataclass
class ImportedParticipant:
    label: str
    table: int | None
    seat: int | None
    role: str
    source: str
    first_row: int
    answers: dict[int, tuple[int | None, datetime.datetime | None, datetime.datetime | None]] = (
        field(default_factory=dict)
    )
    # The row of each answer (statement id), to name both rows of a duplicate.
    answer_rows: dict[int, int] = field(default_factory=dict)
    sheet: str = ""


@dataclass
class ReadResult:
    participants: list[ImportedParticipant]
    problems: list[Problem]
    rows: int
    omitted: int = 0  # problems beyond MAX_PROBLEMS, not listed
    focus: dict[int, str] = field(default_factory=dict)  # table number -> its focus

    @property
    def answers(self) -> int:
        return sum(len(p.answers) for p in self.participants)


class FileRefused(Exception):
    """The file as a whole cannot be read (size, encoding, format): one message."""


@dataclass(frozen=True)
class Limits:
    """What an answers file of the session can hold."""

    statements: int
    cap: int

    @property
    def rows(self) -> int:
        return self.statements * self.cap

    @property
    def unpacked(self) -> int:
        return (
            self.rows * UNPACKED_PER_ANSWER + self.cap * UNPACKED_PER_PARTICIPANT + UNPACKED_FIXED
        )


@dataclass
class Sheet:
    """A table of the file: its name (a workbook's sheet), header and rows (row 2 on)."""

    name: str
    header: list[str]
    rows: Iterable[list[str]]


@dataclass
class Tables:
    answers: Sheet | None = None
    answer_columns: dict[str, int] = field(default_factory=dict)
    participants: Sheet | None = None
    participant_columns: dict[str, int] = field(default_factory=dict)
    session: Sheet | None = None
    headers: list[list[str]] = field(default_factory=list)
    # The session's metadata file (session.json): its tables, as read (checked later).
    metadata_tables: list[Any] | None = None


# --- reading the cells ---------------------------------------------------------------------


def _decode(content: bytes) -> str:
    """UTF-8 (with or without its mark), else Windows-1252: Dutch Excel's "CSV" saves that."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise FileRefused(
            _("The file is not UTF-8 text. Save it as CSV UTF-8 or as an Excel workbook.")
        ) from None


def _delimiter(first_line: str) -> str:
    """The header's separator: the long file's column names hold none of , ; or tab, so the
    one the first line has most of (Dutch Excel writes ;)."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_tables(content: bytes) -> Tables:
    text = _decode(content)
    if "\x00" in text:
        raise FileRefused(_("The file holds binary data, not CSV text."))
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))

    def rows() -> Iterator[list[str]]:
        try:
            yield from reader
        except csv.Error as exc:
            raise FileRefused(_("The CSV cannot be read: %(error)s") % {"error": exc}) from None

    iterator = rows()
    header = next(iterator, [])
    tables = Tables(headers=[header])
    columns = _answer_columns(header)
    participants = _participant_columns(header)
    if columns is not None:
        tables.answers, tables.answer_columns = Sheet("", header, iterator), columns
    elif participants is not None:  # the wide file: who joined, also who never answered
        tables.participants, tables.participant_columns = Sheet("", header, iterator), participants
    return tables


MAX_METADATA = 1024 * 1024


def _json_tables(content: bytes) -> Tables:
    """The session's metadata file (exports.research.session_json): its tables' focus."""
    if len(content) > MAX_METADATA:
        raise FileRefused(_("The session file (.json) is larger than 1 MB."))
    try:
        value = json.loads(content.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        raise FileRefused(_("The session file is not readable JSON.")) from None
    tables = value.get("tables") if isinstance(value, dict) else None
    if not isinstance(tables, list):
        raise FileRefused(_("The session file (.json) has no list of tables."))
    return Tables(metadata_tables=tables)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _check_zip(content: bytes, limits: Limits) -> None:
    """Refuse a workbook whose zip directory announces more than an answers file of the session
    can unpack to, before a byte is unpacked (zipfile stops every file at its announced size,
    so a directory that lies gets a damaged file, not more bytes)."""
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileRefused(_("The file is not a readable Excel workbook (.xlsx).")) from None
    unpacked = sum(m.file_size for m in members)
    largest = max((m.file_size for m in members), default=0)
    if len(members) > MAX_MEMBERS or unpacked > limits.unpacked or largest > limits.unpacked:
        raise FileRefused(
            _(
                "The workbook unpacks to %(mb)s MB, more than an answers file of this session "
                "can be (at most %(limit)s MB: %(statements)s statements x %(cap)s "
                "participants). Nothing was read."
            )
            % {
                "mb": f"{unpacked / 1024 / 1024:,.0f}",
                "limit": f"{limits.unpacked / 1024 / 1024:,.0f}",
                "statements": limits.statements,
                "cap": f"{limits.cap:,}",
            }
        )


def _xlsx_tables(content: bytes, limits: Limits, opened: list[Any]) -> Tables:
    from openpyxl import load_workbook

    _check_zip(content, limits)
    try:
        # read_only: the sheets are parsed as they are read, never held whole.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged or foreign file
        raise FileRefused(_("The file is not a readable Excel workbook (.xlsx).")) from None
    opened.append(workbook)
    tables = Tables()
    for ws in workbook.worksheets:
        header = [_cell_text(v).strip() for v in next(ws.iter_rows(values_only=True), ())]
        tables.headers.append(header)

        def rows(ws: Any = ws) -> Iterator[list[str]]:
            iterator = ws.iter_rows(values_only=True)
            next(iterator, None)
            for row in iterator:
                yield [_cell_text(v) for v in row]

        answers = _answer_columns(header)
        participants = _participant_columns(header)
        if answers is not None and tables.answers is None:
            tables.answers, tables.answer_columns = Sheet(ws.title, header, rows()), answers
        elif participants is not None and tables.participants is None:
            tables.participants = Sheet(ws.title, header, rows())
            tables.participant_columns = participants
        elif _is_session_sheet(header) and tables.session is None:
            tables.session = Sheet(ws.title, header, rows())
    return tables


def _answer_columns(header: list[str]) -> dict[str, int] | None:
    """The long file's variables -> their column, if `header` is an answers table: the
    workbook's answers sheet in either language, or the long file's own names."""
    names = [_fold(h) for h in header]
    for lang in LABELS:
        labels = [_fold(h) for h in LABELS[lang]["answers"]]
        if names[: len(labels)] == labels:
            return {v: i for i, v in enumerate(_WORKBOOK_ANSWERS) if v is not None}
    if all(name in names for name in REQUIRED):
        return {name: names.index(name) for name in KNOWN if name in names}
    return None


def _participant_columns(header: list[str]) -> dict[str, int] | None:
    """The same for a table of participants: the workbook's participants sheet, or the wide
    file's first columns."""
    names = [_fold(h) for h in header]
    for lang in LABELS:
        labels = [_fold(h) for h in LABELS[lang]["participants"][: len(_WORKBOOK_PARTICIPANTS)]]
        if names[: len(labels)] == labels:
            return {v: i for i, v in enumerate(_WORKBOOK_PARTICIPANTS)}
    if "participant" in names and "n_answered" in names and "statement" not in names:
        return {v: names.index(v) for v in _WORKBOOK_PARTICIPANTS if v in names}
    return None


def _is_session_sheet(header: list[str]) -> bool:
    names = [_fold(h) for h in header]
    return any(names[:2] == [_fold(h) for h in LABELS[lang]["session"]] for lang in LABELS)


def file_tables(*, name: str, content: bytes, limits: Limits, opened: list[Any]) -> Tables:
    if len(content) > MAX_BYTES:
        raise FileRefused(
            _("The file is larger than %(mb)s MB; split it per session.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if not content.strip():
        raise FileRefused(_("The file is empty."))
    if content[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx_tables(content, limits, opened)
    if name.lower().endswith(".json") or content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        return _json_tables(content)
    return _csv_tables(content)


# --- checking the values -------------------------------------------------------------------


def _number(text: str, low: int, high: int) -> int | None:
    """ASCII digits within [low, high] (core.inputs.parse_id, the one strict parser), else
    None: full-width, superscript, "1_0", "+3" are refused. A whole number written with a
    decimal point or comma ("3,0", as Dutch Excel may save it) counts as that number."""
    whole = re.fullmatch(r"([0-9]{1,6})[.,]0{1,6}", text, re.ASCII)
    try:
        return parse_id(whole.group(1) if whole else text, min_value=low, max_value=high)
    except Rejected:
        return None


def _bad_text(text: str) -> bool:
    """Control, format (zero-width, right-to-left override), XML-illegal, private-use or
    unassigned characters, or nothing visible."""
    if any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn"} for c in text):
        return True
    return not any(unicodedata.category(c)[0] in "LNPS" for c in text)


_DAY_FIRST = ("%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")


def _time(text: str) -> datetime.datetime | bool | None:
    """An ISO time, or day first as Dutch Excel writes it (local Amsterdam time when it has no
    zone); None if empty; False if bad."""
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        for pattern in _DAY_FIRST:
            try:
                value = datetime.datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            return False
    if (
        not datetime.datetime(2000, 1, 1)
        <= value.replace(tzinfo=None)
        <= datetime.datetime(2100, 1, 1)
    ):
        return False
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


class _Reader:
    """One file's checks: the problems so far (the first MAX_PROBLEMS of them kept)."""

    def __init__(self, by_key: dict[str, Statement], table_numbers: frozenset[int] | None):
        self.by_key = by_key
        self.table_numbers = table_numbers
        self.problems: list[Problem] = []
        self.omitted = 0
        self.people: dict[str, ImportedParticipant] = {}
        self.roles = _roles()
        self.element_names: dict[str, set[str]] = {}
        for s in by_key.values():
            self.element_names.setdefault(s.element.key, set()).update(
                _fold(name) for name in (s.element.key, *_element_names(s))
            )

    def problem(self, row: int, column: str, message: str, sheet: str = "") -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(row, column, message, sheet))
        else:
            self.omitted += 1

    def person_fields(
        self, cell: Callable[[str], str], present: Iterable[str], refuse: Callable[[str, str], None]
    ) -> tuple[str, dict[str, Any]]:
        """The participant's label and those of table, seat, role and source the table has."""
        label = cell("participant")
        try:
            label = clean_text(label, max_length=MAX_LABEL, multiline=False)
        except Rejected as exc:
            refuse("participant", str(exc))
        else:
            if not label:
                refuse("participant", _("Empty: every answer needs its participant."))
            elif _bad_text(label):
                refuse(
                    "participant",
                    _("Not a usable label (at most %(n)s visible characters).") % {"n": MAX_LABEL},
                )
        values: dict[str, Any] = {}
        present = set(present)
        if "table" in present:
            values["table"] = self.whole_number(
                cell("table"),
                MAX_TABLES,
                lambda: refuse("table", _("Not a table number 1 to %(n)s.") % {"n": MAX_TABLES}),
            )
            table = values["table"]
            if (
                table is not None
                and self.table_numbers is not None
                and table not in self.table_numbers
            ):
                refuse("table", _("This session has no table %(n)s.") % {"n": table})
        if "seat" in present:
            values["seat"] = self.whole_number(
                cell("seat"),
                MAX_SEAT,
                lambda: refuse("seat", _("Not a seat number 1 to %(n)s.") % {"n": MAX_SEAT}),
            )
        if "role" in present:
            role = self.roles.get(_fold(cell("role")), cell("role"))
            if role not in ("", *Role.values):
                refuse("role", _("Unknown role; use one of %(roles)s, or leave it empty.")
                       % {"roles": ", ".join(Role.values)})  # fmt: skip
            values["role"] = role
        if "source" in present:
            source = _SOURCES.get(_fold(cell("source")) or Source.PAPER)
            if source is None:
                refuse("source", _("Use phone or paper (empty: paper)."))
            values["source"] = source
        return label, values

    @staticmethod
    def whole_number(text: str, high: int, refuse: Callable[[], None]) -> int | None:
        """The number 1 to `high`; None when empty, or refused (the message made only then: a
        file has many rows)."""
        if not text:
            return None
        value = _number(text, 1, high)
        if value is None:
            refuse()
        return value

    def add_person(self, label: str, values: dict[str, Any], row: int, sheet: str) -> None:
        """A participant of the participants sheet, or first seen in an answer row; the table
        and seat the columns do not give are read from the label (T2·P3)."""
        found = _LABEL.fullmatch(label)
        table = values.get("table")
        seat = values.get("seat")
        if "table" not in values and found and found.group(1):
            table = _number(found.group(1), 1, MAX_TABLES)
        if "seat" not in values and found:
            seat = _number(found.group(2), 1, MAX_SEAT)
        self.people[label] = ImportedParticipant(
            label=label,
            table=table,
            seat=seat,
            role=values.get("role", ""),
            source=values.get("source", Source.PAPER),
            first_row=row,
            sheet=sheet,
        )

    def read_participants(self, sheet: Sheet, columns: dict[str, int], limit: int) -> None:
        count = 0
        for number, cells in enumerate(sheet.rows, start=2):
            if not any(c.strip() for c in cells):
                continue
            count += 1
            if count > limit:
                self.problem(
                    number,
                    "",
                    _("More than %(n)s participants, this session's maximum.")
                    % {"n": f"{limit:,}"},
                    sheet.name,
                )
                return
            ok = True

            def refuse(column: str, message: str) -> None:
                nonlocal ok
                ok = False
                self.problem(number, column, message, sheet.name)  # noqa: B023 - used at once

            def cell(name: str) -> str:
                at = columns.get(name)
                return cells[at].strip() if at is not None and at < len(cells) else ""  # noqa: B023

            label, values = self.person_fields(cell, _PARTICIPANT_FIELDS, refuse)
            if not ok:
                continue
            if label in self.people:
                self.problem(
                    number,
                    "participant",
                    _("%(label)s is in rows %(first)s and %(row)s.")
                    % {"label": label, "first": self.people[label].first_row, "row": number},
                    sheet.name,
                )
                continue
            self.add_person(label, values, number, sheet.name)

    def read_answers(self, sheet: Sheet, columns: dict[str, int], limits: Limits) -> int:
        count = 0
        for number, cells in enumerate(sheet.rows, start=2):
            if not any(c.strip() for c in cells):
                continue  # a blank line
            count += 1
            if count > limits.rows:
                self.problem(
                    number,
                    "",
                    _(
                        "More than %(n)s rows: an answers file of this session has at most one "
                        "row per statement (%(statements)s) and participant (%(cap)s)."
                    )
                    % {
                        "n": f"{limits.rows:,}",
                        "statements": limits.statements,
                        "cap": f"{limits.cap:,}",
                    },
                    sheet.name,
                )
                break
            self.answer_row(number, cells, columns, sheet.name)
        return count

    def answer_row(
        self, number: int, cells: list[str], columns: dict[str, int], sheet: str
    ) -> None:
        def cell(name: str) -> str:
            at = columns.get(name)
            return cells[at].strip() if at is not None and at < len(cells) else ""

        ok = True

        def refuse(column: str, message: str) -> None:
            nonlocal ok
            self.problem(number, column, message, sheet)
            ok = False

        label, values = self.person_fields(
            cell, [f for f in _PARTICIPANT_FIELDS if f in columns], refuse
        )

        statement = self.by_key.get(cell("statement"))
        if statement is None:
            refuse("statement", _("Not a statement key of this session's survey."))
        elif cell("element") and _fold(cell("element")) not in self.element_names.get(
            statement.element.key, set()
        ):
            refuse("element", _("This statement belongs to element %(key)s.")
                   % {"key": statement.element.key})  # fmt: skip

        raw_score, raw_dk = cell("score"), cell("dont_know")
        if _fold(raw_score) in _DONT_KNOW and raw_dk in ("", "1"):
            raw_score, raw_dk = "", "1"  # the workbook's "weet ik niet" in the score column
        score = self.whole_number(
            raw_score, 5, lambda: refuse("score", _("Not a score 1 to 5 (empty for don't know)."))
        )
        if raw_dk not in ("", "0", "1"):
            refuse("dont_know", _("Use 1 for don't know, 0 for a score."))
        elif raw_dk == "1" and raw_score:
            refuse("dont_know", _("Don't know (1) with a score: one of the two is wrong."))
        elif raw_dk != "1" and not raw_score:
            refuse("score", _("No score: give 1 to 5, or dont_know 1."))

        times: list[datetime.datetime | None] = []
        for column in ("answered_at", "changed_at"):
            value = _time(cell(column))
            if value is False or value is True:
                refuse(
                    column,
                    _(
                        "Not a date and time like 2026-11-26 14:05:00. This column is optional: "
                        "empty it or leave the column out."
                    ),
                )
                value = None
            times.append(value or None)
        if not ok or statement is None:
            return
        person = self.people.get(label)
        if person is None:
            self.add_person(label, values, number, sheet)
            person = self.people[label]
        else:
            known = {f: getattr(person, f) for f in values}
            if values != known:
                where = (
                    _("in row %(row)s") % {"row": person.first_row}
                    if person.sheet == sheet
                    else _("in row %(row)s of sheet %(sheet)s")
                    % {"row": person.first_row, "sheet": person.sheet}
                )
                self.problem(
                    number,
                    "participant",
                    _("%(label)s has another table, seat, role or source %(where)s.")
                    % {"label": label, "where": where},
                    sheet,
                )
                return
        if statement.pk in person.answers:
            self.problem(
                number,
                "statement",
                _("%(label)s answers %(key)s twice: in rows %(first)s and %(row)s.")
                % {
                    "label": label,
                    "key": statement.key,
                    "first": person.answer_rows[statement.pk],
                    "row": number,
                },
                sheet,
            )
            return
        person.answers[statement.pk] = (score, times[0], times[1])
        person.answer_rows[statement.pk] = number

    def read_focus(self, sheet: Sheet) -> dict[int, str]:
        focus: dict[int, str] = {}
        for number, cells in enumerate(sheet.rows, start=2):
            if len(cells) < 2 or not cells[0]:
                continue
            for pattern in _FOCUS:
                found = pattern.fullmatch(_fold(cells[0]))
                if found is None:
                    continue
                table = _number(found.group(1), 1, MAX_TABLES)
                try:
                    text = clean_text(cells[1], max_length=TABLE_FOCUS_MAX, multiline=False)
                except Rejected as exc:
                    self.problem(number, cells[0], str(exc), sheet.name)
                    break
                if table is None or (
                    self.table_numbers is not None and table not in self.table_numbers
                ):
                    self.problem(
                        number,
                        cells[0],
                        _("This session has no table %(n)s.") % {"n": found.group(1)},
                        sheet.name,
                    )
                elif text and _bad_text(text):
                    self.problem(number, cells[0], _("Not a usable focus."), sheet.name)
                elif text:
                    focus[table] = text
                break
        return focus

    def read_metadata_focus(self, tables: list[Any], sheet: str) -> dict[int, str]:
        """The tables' focus from the session file's list of {"number": 2, "focus": "Haven"}
        (row: the table's place in the list)."""
        focus: dict[int, str] = {}
        for index, entry in enumerate(tables[: MAX_TABLES + 1], start=1):
            if index > MAX_TABLES:
                self.problem(0, "tables", _("More than %(n)s tables.") % {"n": MAX_TABLES}, sheet)
                break
            number = entry.get("number") if isinstance(entry, dict) else None
            text = entry.get("focus", "") if isinstance(entry, dict) else None
            if type(number) is not int or not isinstance(text, str):
                self.problem(
                    index,
                    "tables",
                    _('Not a table like {"number": 2, "focus": "Haven"}.'),
                    sheet,
                )
                continue
            try:
                text = clean_text(text, max_length=TABLE_FOCUS_MAX, multiline=False)
            except Rejected as exc:
                self.problem(index, "focus", str(exc), sheet)
                continue
            if not text:
                continue  # a table without a focus: nothing to bring along
            if not 1 <= number <= MAX_TABLES or (
                self.table_numbers is not None and number not in self.table_numbers
            ):
                self.problem(
                    index, "number", _("This session has no table %(n)s.") % {"n": number}, sheet
                )
            elif _bad_text(text):
                self.problem(index, "focus", _("Not a usable focus."), sheet)
            else:
                focus[number] = text
        return focus

    def check_seats(self) -> None:
        taken: dict[tuple[int | None, int], ImportedParticipant] = {}
        for person in self.people.values():
            if person.seat is None:
                continue
            place = (person.table, person.seat)
            other = taken.get(place)
            if other is not None:
                self.problem(
                    person.first_row,
                    "seat",
                    _("%(a)s (row %(row_a)s) and %(b)s have the same table and seat.")
                    % {"a": other.label, "row_a": other.first_row, "b": person.label},
                    person.sheet,
                )
            taken[place] = person


def _element_names(statement: Statement) -> list[str]:
    """The element's names in every language the instrument has (the workbook writes the
    name in the export's language)."""
    element = statement.element
    names = []
    for attr in ("name", "name_nl", "name_en"):
        value = getattr(element, attr, None)
        if isinstance(value, str):
            names.append(value)
        elif isinstance(value, dict):
            names.extend(v for v in value.values() if isinstance(v, str))
    return names


def read_answers_file(
    *,
    name: str = "",
    content: bytes = b"",
    files: Sequence[tuple[str, bytes]] = (),
    statements: Iterable[Statement],
    tables: Iterable[int] | None = None,
    cap: int = PARTICIPANT_CAP_MAX,
) -> ReadResult:
    """Every row checked against the session's instrument (`statements`, with their element)
    and, when given, the numbers of the session's `tables`; at most a row per statement and
    participant of a session of `cap` participants.

    One file (`name`, `content`), or several read together (`files`): the answers CSV with
    the participants CSV (the wide file: who joined, also who never answered) and the
    session's metadata file (session.json: the tables' focus)."""
    files = list(files) or [(name, content)]
    table_numbers = None if tables is None else frozenset(tables)
    by_key: dict[str, Statement] = {}
    for s in statements:
        by_key[s.key] = s
        by_key[s.key.replace("-", "_")] = s
    limits = Limits(statements=len({s.pk for s in by_key.values()}) or 1, cap=cap)
    reader = _Reader(by_key, table_numbers)
    opened: list[Any] = []
    count = 0
    focus: dict[int, str] = {}
    try:
        if sum(len(c) for _n, c in files) > MAX_BYTES:
            raise FileRefused(
                _("The file is larger than %(mb)s MB; split it per session.")
                % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        found = Tables()
        metadata_name = ""
        for file_name, file_content in files:
            one = file_tables(name=file_name, content=file_content, limits=limits, opened=opened)
            label = file_name if len(files) > 1 else ""
            for sheet in (one.answers, one.participants, one.session):
                if sheet is not None and not sheet.name:
                    sheet.name = label
            if one.answers is not None and found.answers is not None:
                raise FileRefused(_("Two of the files hold answers: import one at a time."))
            if one.participants is not None and found.participants is not None:
                raise FileRefused(_("Two of the files hold participants: import one at a time."))
            if one.answers is not None:
                found.answers, found.answer_columns = one.answers, one.answer_columns
            if one.participants is not None:
                found.participants = one.participants
                found.participant_columns = one.participant_columns
            if one.session is not None and found.session is None:
                found.session = one.session
            if one.metadata_tables is not None:
                found.metadata_tables, metadata_name = one.metadata_tables, label
            found.headers += one.headers
        if found.answers is None:
            if len(files) == 1 and found.headers and len(found.headers) == 1:
                names = [_fold(h) for h in found.headers[0]]
                missing = [c for c in REQUIRED if c not in names]
                message = _("The first row lacks the column(s) %(columns)s.") % {
                    "columns": ", ".join(missing)
                }
                return ReadResult([], [Problem(1, "", message)], 0)
            raise FileRefused(
                _(
                    "No sheet of the workbook has the columns %(columns)s in its first row, nor "
                    "is it the app's own workbook."
                )
                % {"columns": ", ".join(REQUIRED)}
                if len(files) == 1
                else _(
                    "None of the files has the columns %(columns)s in its first row: add the "
                    "answers file (answers.csv)."
                )
                % {"columns": ", ".join(REQUIRED)}
            )
        header = [_fold(h) for h in found.answers.header]
        duplicated = sorted({h for h in header if h in KNOWN and header.count(h) > 1})
        if duplicated:
            message = _("The first row names %(columns)s twice.") % {
                "columns": ", ".join(duplicated)
            }
            return ReadResult([], [Problem(1, "", message, found.answers.name)], 0)
        if found.session is not None:
            focus = reader.read_focus(found.session)
        if found.metadata_tables is not None:
            focus.update(reader.read_metadata_focus(found.metadata_tables, metadata_name))
        if found.participants is not None:
            reader.read_participants(found.participants, found.participant_columns, cap)
        count = reader.read_answers(found.answers, found.answer_columns, limits)
        if count == 0 and not reader.problems and not reader.people:
            reader.problem(2, "", _("The file has no answers under its header."))
    except FileRefused as exc:
        reader.problem(0, "", str(exc))
    except Exception:  # openpyxl raises many kinds on a damaged sheet
        if not opened:
            raise
        reader.problem(0, "", _("The file is not a readable Excel workbook (.xlsx)."))
    finally:
        for workbook in opened:
            workbook.close()
    reader.check_seats()
    return ReadResult(
        list(reader.people.values()), reader.problems, count, omitted=reader.omitted, focus=focus
    )


def more_problems(omitted: int) -> str:
    """The line under a list of problems that stops at MAX_PROBLEMS."""
    return ngettext(
        "… and %(n)s more problem, not listed.", "… and %(n)s more problems, not listed.", omitted
    ) % {"n": f"{omitted:,}"}
