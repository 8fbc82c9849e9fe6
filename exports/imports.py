"""Answers from a file in the export's own long format (exports.research.LONG_VARIABLES), as CSV
or as a workbook sheet, read and checked completely before anything is stored.

`read_answers_file` returns every problem by row and column (the spreadsheet's own row
numbers: the header is row 1) or, when there is none, the participants and their answers ready
for `exports.services.answers_import`. Nothing is partly read: a file with one bad row is
refused as a whole, with the list of what to fix.
"""

import csv
import datetime
import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from core.errors import Rejected
from core.inputs import clean_text, parse_id
from exports.research import LONG_VARIABLES
from exports.workbook import LOCAL_TZ
from instrument.models import Statement
from sessions.models import MAX_TABLES, Role, Source

MAX_BYTES = 20 * 1024 * 1024  # a 1,000-person session's long CSV is ~7 MB
MAX_ROWS = 200_000
MAX_PROBLEMS = 200  # the report lists this many; a file that bad needs a look as a whole
MAX_LABEL = 40
MAX_SEAT = 999
REQUIRED = ("participant", "statement", "score", "dont_know")
# The columns read: the ones the long export writes, by the same names.
KNOWN = LONG_VARIABLES


@dataclass(frozen=True)
class Problem:
    row: int  # 1 = the header
    column: str  # "" when the problem is the row or the file as a whole
    message: str


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


@dataclass
class ReadResult:
    participants: list[ImportedParticipant]
    problems: list[Problem]
    rows: int

    @property
    def answers(self) -> int:
        return sum(len(p.answers) for p in self.participants)


class FileRefused(Exception):
    """The file as a whole cannot be read (size, encoding, format): one message."""


# --- reading the cells ---------------------------------------------------------------------


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            _("The file is not UTF-8 text. Save it as CSV UTF-8 or as an Excel workbook.")
        ) from None


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = _decode(content)
    if "\x00" in text:
        raise FileRefused(_("The file holds binary data, not CSV text."))
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from csv.reader(io.StringIO(text, newline=""), dialect)
    except csv.Error as exc:
        raise FileRefused(_("The CSV cannot be read: %(error)s") % {"error": exc}) from None


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


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        # A zip bomb unpacks to gigabytes: refuse what would be far larger than any export.
        if sum(i.file_size for i in archive.infolist()) > 20 * MAX_BYTES:
            raise FileRefused(_("The workbook is too large to import."))
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except FileRefused:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged or foreign file
        raise FileRefused(_("The file is not a readable Excel workbook (.xlsx).")) from None
    try:
        for ws in workbook.worksheets:
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None)
            names = [_cell_text(v).strip() for v in header or ()]
            if all(name in names for name in REQUIRED):
                yield names
                for row in rows:
                    yield [_cell_text(v) for v in row]
                return
    except FileRefused:
        raise
    except Exception:
        raise FileRefused(_("The file is not a readable Excel workbook (.xlsx).")) from None
    finally:
        workbook.close()
    raise FileRefused(
        _("No sheet of the workbook has the columns %(columns)s in its first row.")
        % {"columns": ", ".join(REQUIRED)}
    )


def file_rows(*, name: str, content: bytes) -> Iterator[list[str]]:
    if len(content) > MAX_BYTES:
        raise FileRefused(
            _("The file is larger than %(mb)s MB; split it per session.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if not content.strip():
        raise FileRefused(_("The file is empty."))
    if content[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx_rows(content)
    return _csv_rows(content)


# --- checking the values -------------------------------------------------------------------


def _number(text: str, low: int, high: int) -> int | None:
    """ASCII digits within [low, high] (core.inputs.parse_id, the one strict parser), else
    None: full-width, superscript, "1_0", "+3" are refused."""
    try:
        return parse_id(text, min_value=low, max_value=high)
    except Rejected:
        return None


def _bad_text(text: str) -> bool:
    """Control, format (zero-width, right-to-left override), XML-illegal, private-use or
    unassigned characters, or nothing visible."""
    if any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn"} for c in text):
        return True
    return not any(unicodedata.category(c)[0] in "LNPS" for c in text)


def _time(text: str) -> datetime.datetime | bool | None:
    """An ISO time (local Amsterdam time when it has no zone); None if empty; False if bad."""
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        return False
    if (
        not datetime.datetime(2000, 1, 1)
        <= value.replace(tzinfo=None)
        <= datetime.datetime(2100, 1, 1)
    ):
        return False
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


def read_answers_file(
    *,
    name: str,
    content: bytes,
    statements: Iterable[Statement],
    tables: Iterable[int] | None = None,
) -> ReadResult:
    """Every row checked against the session's instrument (`statements`, with their element)
    and, when given, the numbers of the session's `tables`."""
    table_numbers = None if tables is None else frozenset(tables)
    by_key = {}
    for s in statements:
        by_key[s.key] = s
        by_key[s.key.replace("-", "_")] = s
    problems: list[Problem] = []

    def problem(row: int, column: str, message: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(Problem(row, column, message))

    try:
        rows = file_rows(name=name, content=content)
        header = [h.strip().lower() for h in next(rows, [])]
    except FileRefused as exc:
        return ReadResult([], [Problem(0, "", str(exc))], 0)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        message = _("The first row lacks the column(s) %(columns)s.") % {
            "columns": ", ".join(missing)
        }
        return ReadResult([], [Problem(1, "", message)], 0)
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        message = _("The first row names %(columns)s twice.") % {"columns": ", ".join(duplicated)}
        return ReadResult([], [Problem(1, "", message)], 0)
    index = {name: header.index(name) for name in KNOWN if name in header}
    people: dict[str, ImportedParticipant] = {}
    count = 0
    try:
        for number, cells in enumerate(rows, start=2):
            if not any(c.strip() for c in cells):
                continue  # a blank line
            count += 1
            if count > MAX_ROWS:
                problem(number, "", _("More than %(n)s rows; split the file.") % {"n": MAX_ROWS})
                break
            _check_row(number, cells, index, by_key, people, problem, table_numbers)
    except FileRefused as exc:
        problem(0, "", str(exc))
    if count == 0 and not problems:
        problem(2, "", _("The file has no answers under its header."))
    _check_seats(people, problem)
    return ReadResult(list(people.values()), problems, count)


def _check_row(number, cells, index, by_key, people, problem, table_numbers) -> None:  # type: ignore[no-untyped-def]
    def cell(name: str) -> str:
        at = index.get(name)
        return cells[at].strip() if at is not None and at < len(cells) else ""

    ok = True

    def refuse(column: str, message: str) -> None:
        nonlocal ok
        problem(number, column, message)
        ok = False

    def whole_number(column: str, high: int, refusal: Callable[[], str]) -> int | None:
        """The column's number 1 to `high`; None when empty, or refused (the message made only
        then: a file has up to MAX_ROWS rows)."""
        if not cell(column):
            return None
        value = _number(cell(column), 1, high)
        if value is None:
            refuse(column, refusal())
        return value

    label = cell("participant")
    try:
        label = clean_text(label, max_length=MAX_LABEL, multiline=False)
    except Rejected as exc:
        refuse("participant", str(exc))
    if ok and not label:
        refuse("participant", _("Empty: every answer needs its participant."))
    elif ok and _bad_text(label):
        refuse(
            "participant",
            _("Not a usable label (at most %(n)s visible characters).") % {"n": MAX_LABEL},
        )

    table = whole_number(
        "table", MAX_TABLES, lambda: _("Not a table number 1 to %(n)s.") % {"n": MAX_TABLES}
    )
    if table is not None and table_numbers is not None and table not in table_numbers:
        refuse("table", _("This session has no table %(n)s.") % {"n": table})
    seat = whole_number(
        "seat", MAX_SEAT, lambda: _("Not a seat number 1 to %(n)s.") % {"n": MAX_SEAT}
    )
    role = cell("role")
    if role not in ("", *Role.values):
        refuse("role", _("Unknown role; use one of %(roles)s, or leave it empty.")
               % {"roles": ", ".join(Role.values)})  # fmt: skip
    source = cell("source") or Source.PAPER
    if source not in Source.values:
        refuse("source", _("Use phone or paper (empty: paper)."))

    statement = by_key.get(cell("statement"))
    if statement is None:
        refuse("statement", _("Not a statement key of this session's survey."))
    elif cell("element") and cell("element") != statement.element.key:
        refuse("element", _("This statement belongs to element %(key)s.")
               % {"key": statement.element.key})  # fmt: skip

    raw_score, raw_dk = cell("score"), cell("dont_know")
    score = whole_number("score", 5, lambda: _("Not a score 1 to 5 (empty for don't know)."))
    if raw_dk not in ("", "0", "1"):
        refuse("dont_know", _("Use 1 for don't know, 0 for a score."))
    elif raw_dk == "1" and raw_score:
        refuse("dont_know", _("Don't know (1) with a score: one of the two is wrong."))
    elif raw_dk != "1" and not raw_score:
        refuse("score", _("No score: give 1 to 5, or dont_know 1."))

    times = []
    for column in ("answered_at", "changed_at"):
        value = _time(cell(column))
        if value is False:
            refuse(column, _("Not a date and time like 2026-11-26 14:05:00."))
            value = None
        times.append(value)
    if not ok:
        return
    person = people.get(label)
    if person is None:
        person = people[label] = ImportedParticipant(
            label=label, table=table, seat=seat, role=role, source=source, first_row=number
        )
    elif (person.table, person.seat, person.role, person.source) != (table, seat, role, source):
        problem(
            number,
            "participant",
            _("%(label)s has another table, seat, role or source in row %(row)s.")
            % {"label": label, "row": person.first_row},
        )
        return
    if statement.pk in person.answers:
        problem(number, "statement", _("%(label)s answers %(key)s twice.")
                % {"label": label, "key": statement.key})  # fmt: skip
        return
    person.answers[statement.pk] = (score, times[0], times[1])


def _check_seats(people: dict[str, ImportedParticipant], problem) -> None:  # type: ignore[no-untyped-def]
    taken: dict[tuple[int | None, int], str] = {}
    for person in people.values():
        if person.seat is None:
            continue
        place = (person.table, person.seat)
        if place in taken:
            problem(
                person.first_row,
                "seat",
                _("%(a)s and %(b)s have the same table and seat.")
                % {"a": taken[place], "b": person.label},
            )
        taken[place] = person.label
