"""Files a researcher opens in R or SPSS without touching a cell, built from plain data.

- long: one row per answer (session, city, date, participant, table, seat, role, source,
  element, statement, score or empty, dont_know 0/1, times);
- wide: one row per participant, one column per statement, the participant's own six element
  scores and their answer counts;
- the codebook of both (variable, meaning, type, values and their labels), also a sheet of the
  workbook;
- both as SPSS .sav (pyreadstat), with variable labels, value labels and "weet ik niet" as a
  user-missing value.

Variable names are ASCII, language-independent and valid in R, SPSS and Stata (statement
"kennis-1" is the variable `kennis_1`): researchers' scripts read them by name. Only the
codebook's meanings and labels follow the export's language.

The R/SPSS CSVs hold text exactly as it was typed: a city typed as "=HYPERLINK(…)" stays
that, as R and SPSS read it (the codebook says so at the variable). They are not meant for a
double-click in a spreadsheet (Dutch Excel splits on ";" and reads "3.625" as 3625). For that
there is the spreadsheet CSV (`spreadsheet_csv`): the same rows in the user's locale (Dutch:
";" between cells and a decimal comma; English: "," and "."), UTF-8 with a byte-order mark,
and text that a spreadsheet would start as a formula (= + - @ tab CR, OWASP's list) with an
apostrophe in front. The workbook stays the first choice for a spreadsheet.
"""

import csv
import datetime
import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.utils.formats import get_format

from exports.breakdowns import codebook_rows as breakdown_codebook
from exports.data import LOCAL_TZ, ElementData, SessionData, in_lang, local_naive
from exports.statistics import METHOD, element_methods, methods_from_items

# Who answered: the first columns of both files, long and wide.
_PARTICIPANT_COLUMNS = (
    "session",
    "city",
    "date",
    "instrument_version",
    "participant",
    "table",
    "seat",
    "role",
    "source",
    "consent_version",
)
LONG_VARIABLES = (
    *_PARTICIPANT_COLUMNS,
    "element",
    "statement",
    "score",
    "dont_know",
    "answered_at",
    "changed_at",
)
PARTICIPANT_VARIABLES = (*_PARTICIPANT_COLUMNS, "n_answered", "n_dont_know")
SOURCES = ("phone", "paper")
# SPSS: "weet ik niet" in the wide file's statement columns, declared user-missing.
SAV_DONT_KNOW = 9

TEXT: dict[str, dict[str, Any]] = {
    "nl": {
        "header": (
            "bestand",
            "variabele",
            "betekenis",
            "type",
            "waarden en labels",
            "element",
            "in het lange bestand",
        ),
        "long_statement": 'de rijen met statement = "{key}" (kolom score; dont_know = 1: weet '
        "ik niet)",
        "long_score": "per deelnemer het gemiddelde van score over de rijen met element = "
        '"{key}" en dont_know = 0 (stellingen {first} tot {last})',
        "wide_statement": "stelling kennis-1 heet in het brede bestand kennis_1 (het streepje "
        "wordt een liggend streepje), elk element score_kennis",
        "types": {
            "text": "tekst",
            "int": "geheel getal",
            "num": "getal",
            "date": "datum",
            "datetime": "datum en tijd",
        },
        "files": {"long": "lang (één rij per antwoord)", "wide": "breed (één rij per deelnemer)"},
        "anonymised": "De sessie is geanonimiseerd op {date}: haar deelnemers en antwoorden zijn "
        "verwijderd, de bestanden hebben geen rijen. De totalen (scores per element en "
        "stelling) staan in de werkmap.",
        "both_files": "lang en breed",
        "meaning": {
            "session": "code van de sessie",
            "city": "stad van de sessie",
            "date": "datum van de sessie (JJJJ-MM-DD)",
            "instrument_version": "versie van de vragenlijst waarmee de sessie liep",
            "participant": "deelnemer: tafel en plek (T2·P3), uniek binnen de sessie",
            "table": "tafelnummer",
            "seat": "plek aan de tafel (of in de zaal zonder tafel)",
            "role": "rol die de deelnemer opgaf",
            "source": "hoe de antwoorden binnenkwamen",
            "consent_version": "versie van de toestemmingstekst waarmee de deelnemer op de "
            "telefoon instemde",
            "element": "code van het element",
            "statement": "code van de stelling",
            "score": "antwoord op de stelling, 1-5",
            "dont_know": "antwoord was 'weet ik niet / geen mening'",
            "answered_at": "tijd van het eerste antwoord (Europe/Amsterdam, zonder zone)",
            "changed_at": "tijd van de laatste wijziging (Europe/Amsterdam, zonder zone)",
            "n_answered": "aantal antwoorden van de deelnemer (weet ik niet meegeteld)",
            "n_dont_know": "aantal 'weet ik niet'-antwoorden van de deelnemer",
            "element_score": "elementscore van de deelnemer: het gemiddelde van zijn of haar "
            "antwoorden 1-5 in {name}",
        },
        "empty": "leeg",
        "no_table": "leeg = zonder tafel",
        "no_role": "leeg = niet opgegeven",
        "no_consent": "het nummer van de tekst (een gewijzigde tekst krijgt een nieuw nummer); "
        "leeg = niet op de telefoon gevraagd (papieren formulier, stoel zonder "
        "telefoon, import, of aangemeld voordat de app erom vroeg); wie zich terugtrok, staat "
        "in geen bestand",
        "sources": {"phone": "telefoon", "paper": "ingevoerd van papieren formulier"},
        "dont_know_values": "1 = weet ik niet; 0 = een score 1-5",
        "score_empty_long": "leeg = weet ik niet (zie dont_know)",
        "score_empty_wide": "leeg = geen antwoord of weet ik niet (het lange bestand "
        "onderscheidt ze; in .sav is weet ik niet 9, als ontbrekend gedeclareerd)",
        "element_empty": "leeg = geen antwoord 1-5 in het element",
        "exact_text": "tekst precies zoals ingevoerd, ook als die met = + - of @ begint: lees "
        "dit bestand met R of SPSS; voor een spreadsheet zijn er de werkmap en de Excel-CSV "
        "(daar staat voor zulke tekst een ')",
        "elements": "elementen",
        "statements": "stellingen: zie de variabelen van het brede bestand",
        "dont_know": "weet ik niet",
    },
    "en": {
        "header": (
            "file",
            "variable",
            "meaning",
            "type",
            "values and labels",
            "element",
            "in the long file",
        ),
        "long_statement": 'the rows with statement = "{key}" (column score; dont_know = 1: '
        "don't know)",
        "long_score": "per participant the mean of score over the rows with element = "
        '"{key}" and dont_know = 0 (statements {first} to {last})',
        "wide_statement": "statement kennis-1 is kennis_1 in the wide file (the hyphen becomes "
        "an underscore), each element score_kennis",
        "types": {
            "text": "text",
            "int": "integer",
            "num": "number",
            "date": "date",
            "datetime": "date and time",
        },
        "files": {"long": "long (one row per answer)", "wide": "wide (one row per participant)"},
        "anonymised": "The session was anonymised on {date}: its participants and answers were "
        "removed, the files have no rows. The totals (scores per element and statement) are "
        "in the workbook.",
        "both_files": "long and wide",
        "meaning": {
            "session": "session code",
            "city": "city of the session",
            "date": "date of the session (YYYY-MM-DD)",
            "instrument_version": "version of the questionnaire the session ran with",
            "participant": "participant: table and seat (T2·P3), unique within the session",
            "table": "table number",
            "seat": "seat at the table (or in the room, without a table)",
            "role": "role the participant gave",
            "source": "how the answers came in",
            "consent_version": "version of the consent text the participant agreed to on the phone",
            "element": "element key",
            "statement": "statement key",
            "score": "answer to the statement, 1-5",
            "dont_know": "the answer was 'don't know / no opinion'",
            "answered_at": "time of the first answer (Europe/Amsterdam, no zone)",
            "changed_at": "time of the last change (Europe/Amsterdam, no zone)",
            "n_answered": "number of the participant's answers (don't know included)",
            "n_dont_know": "number of the participant's don't-know answers",
            "element_score": "the participant's element score: the mean of their 1-5 answers "
            "in {name}",
        },
        "empty": "empty",
        "no_table": "empty = no table",
        "no_role": "empty = not given",
        "no_consent": "the text's number (a changed text gets a new number); "
        "empty = not asked on a phone (paper form, seat without a phone, "
        "import, or joined before the app asked); who withdrew is in no file",
        "sources": {"phone": "phone", "paper": "typed in from a paper form"},
        "dont_know_values": "1 = don't know; 0 = a score 1-5",
        "score_empty_long": "empty = don't know (see dont_know)",
        "score_empty_wide": "empty = no answer or don't know (the long file tells them apart; "
        "in .sav don't know is 9, declared missing)",
        "element_empty": "empty = no 1-5 answer in the element",
        "exact_text": "text exactly as typed, also when it starts with = + - or @: read this "
        "file with R or SPSS; for a spreadsheet there are the workbook and the Excel CSV "
        "(where such text starts with a ')",
        "elements": "elements",
        "statements": "statements: see the wide file's variables",
        "dont_know": "don't know",
    },
}


# The element score's method (exports.statistics.METHODS), named in every export, and the
# codebook's worked example: three participants' answers to kennis-1 and kennis-2 (None:
# don't know). The numbers in the texts are written out by hand; tests/test_breakdowns.py
# checks them against exports.statistics.element_methods on WORKED_EXAMPLE.
WORKED_EXAMPLE: dict[str, dict[str, int | None]] = {
    "A": {"kennis-1": 4, "kennis-2": 2},
    "B": {"kennis-1": 5, "kennis-2": None},
    "C": {"kennis-1": 1, "kennis-2": 3},
}
METHOD_TEXT: dict[str, dict[str, Any]] = {
    "nl": {
        "file": "elementscore (methode)",
        "methods": {
            "participant_mean": (
                "de elementscore van de sessie (deze methode gebruiken de resultaten, de "
                "projector en elke export): het gemiddelde over de deelnemers van ieders eigen "
                "gemiddelde van zijn of haar antwoorden 1-5 in het element; elke deelnemer "
                "weegt even zwaar",
                "voorbeeld: A (4 + 2) / 2 = 3, B 5 / 1 = 5, C (1 + 3) / 2 = 2; "
                "(3 + 5 + 2) / 3 = 3,33",
            ),
            "answer_mean": (
                "ter vergelijking: het gemiddelde van alle antwoorden 1-5 in het element; elk "
                "antwoord weegt even zwaar",
                "voorbeeld: (4 + 2 + 5 + 1 + 3) / 5 = 3,00",
            ),
            "item_mean": (
                "ter vergelijking: het gemiddelde van de gemiddelden van de stellingen van het "
                "element; elke stelling weegt even zwaar",
                "voorbeeld: kennis-1 (4 + 5 + 1) / 3 = 3,33, kennis-2 (2 + 3) / 2 = 2,50; "
                "(3,33 + 2,50) / 2 = 2,92",
            ),
        },
        "example": (
            "worked_example",
            "drie deelnemers, element kennis: A antwoordt kennis-1 4 en kennis-2 2; B "
            "kennis-1 5 en kennis-2 weet ik niet; C kennis-1 1 en kennis-2 3. 'Weet ik niet' "
            "telt in geen van de drie mee. De methoden verschillen als deelnemers niet "
            "allemaal evenveel stellingen beantwoorden.",
        ),
        "named": "participant_mean: het gemiddelde van de eigen gemiddelden van de deelnemers",
    },
    "en": {
        "file": "element score (method)",
        "methods": {
            "participant_mean": (
                "the session's element score (the method of the results, the projector and "
                "every export): the mean over the participants of each one's own mean of their "
                "1-5 answers in the element; every participant weighs the same",
                "example: A (4 + 2) / 2 = 3, B 5 / 1 = 5, C (1 + 3) / 2 = 2; "
                "(3 + 5 + 2) / 3 = 3.33",
            ),
            "answer_mean": (
                "for comparison: the mean of all 1-5 answers in the element; every answer "
                "weighs the same",
                "example: (4 + 2 + 5 + 1 + 3) / 5 = 3.00",
            ),
            "item_mean": (
                "for comparison: the mean of the means of the element's statements; every "
                "statement weighs the same",
                "example: kennis-1 (4 + 5 + 1) / 3 = 3.33, kennis-2 (2 + 3) / 2 = 2.50; "
                "(3.33 + 2.50) / 2 = 2.92",
            ),
        },
        "example": (
            "worked_example",
            "three participants, element kennis: A answers kennis-1 4 and kennis-2 2; B "
            "kennis-1 5 and kennis-2 don't know; C kennis-1 1 and kennis-2 3. Don't know counts "
            "in none of the three. The methods differ when participants do not all answer as "
            "many statements.",
        ),
        "named": "participant_mean: the mean of the participants' own means",
    },
}


def method_codebook_rows(lang: str) -> list[tuple[str, str, str, str, str]]:
    """The element score's three methods, their formulas and the worked example."""
    t = in_lang(METHOD_TEXT, lang)
    number = in_lang(TEXT, lang)["types"]["num"]
    rows = [
        (t["file"], method, meaning, number, example)
        for method, (meaning, example) in t["methods"].items()
    ]
    return [*rows, (t["file"], t["example"][0], t["example"][1], "", "")]


def codebook_header(lang: str) -> tuple[str, ...]:
    return tuple(in_lang(TEXT, lang)["header"])


def statement_variable(key: str) -> str:
    """A statement key as a variable name R, SPSS and Stata accept ("kennis-1" -> kennis_1)."""
    return key.replace("-", "_")


def element_variable(key: str) -> str:
    return f"score_{key}"


@dataclass(frozen=True)
class ResearchTables:
    long_header: tuple[str, ...]
    long_rows: list[tuple[Any, ...]]
    wide_header: tuple[str, ...]
    wide_rows: list[tuple[Any, ...]]
    # wide only: (participant_id, statement variable) of every don't-know answer, for .sav
    wide_dont_know: frozenset[tuple[int, str]]
    wide_ids: tuple[int, ...]


def research_tables(*, data: SessionData, tz: datetime.tzinfo = LOCAL_TZ) -> ResearchTables:
    """The long and wide tables of one session (plain values: numbers, text, dates, None)."""
    statement_at: dict[int, tuple[int, ElementData, str]] = {}
    for element in data.elements:
        for statement in element.statements:
            statement_at[statement.statement_id] = (len(statement_at), element, statement.key)
    people = {p.participant_id: (i, p) for i, p in enumerate(data.participants)}
    common = (data.code, data.city, data.date, data.instrument_version)

    keyed = []
    scores: dict[int, dict[str, int | None]] = {}
    for participant_id, statement_id, score, answered_at, updated_at in data.answers:
        place = statement_at.get(statement_id)
        person = people.get(participant_id)
        if place is None or person is None:
            continue  # another instrument's statement, or a participant deleted meanwhile
        order, element, key = place
        p_order, p = person
        keyed.append(
            (
                p_order,
                order,
                (
                    *common,
                    p.seat_label,
                    p.table,
                    p.seat,
                    p.role_code or None,
                    p.source,
                    p.consent_version,
                    element.key,
                    key,
                    score,
                    1 if score is None else 0,
                    local_naive(answered_at, tz),
                    local_naive(updated_at, tz),
                ),
            )
        )
        scores.setdefault(participant_id, {})[statement_variable(key)] = score
    keyed.sort(key=lambda k: (k[0], k[1]))

    statement_vars = [statement_variable(s.key) for e in data.elements for s in e.statements]
    element_vars = [element_variable(e.key) for e in data.elements]
    wide_rows, dont_know, ids = [], set(), []
    for p in data.participants:
        given = scores.get(p.participant_id, {})
        # Their own element scores (exports.data), to six decimals as R and SPSS read them.
        own = data.participant_scores[p.participant_id]
        for variable, score in given.items():
            if score is None:
                dont_know.add((p.participant_id, variable))
        ids.append(p.participant_id)
        wide_rows.append(
            (
                *common,
                p.seat_label,
                p.table,
                p.seat,
                p.role_code or None,
                p.source,
                p.consent_version,
                len(given),
                sum(1 for s in given.values() if s is None),
                *(None if mean is None else round(mean, 6) for mean in own.means),
                *(given.get(v) for v in statement_vars),
            )
        )
    return ResearchTables(
        long_header=LONG_VARIABLES,
        long_rows=[k[2] for k in keyed],
        wide_header=(*PARTICIPANT_VARIABLES, *element_vars, *statement_vars),
        wide_rows=wide_rows,
        wide_dont_know=frozenset(dont_know),
        wide_ids=tuple(ids),
    )


def _scale_labels(data: SessionData, lang: str) -> str:
    scale = list(data.scale) + [""] * (5 - len(data.scale))
    return "; ".join(f"{i} = {label}" if label else str(i) for i, label in enumerate(scale[:5], 1))


def codebook_rows(*, data: SessionData, lang: str = "nl") -> list[tuple[str, str, str, str, str]]:
    """(file, variable, meaning, type, values and labels) of every variable of both files."""
    t = in_lang(TEXT, lang)
    types, meaning = t["types"], t["meaning"]
    # One coding of roles and sources: the text code of the CSVs, with the number the .sav
    # files give it (their value labels carry the same labels).
    roles = "; ".join(f"{code} ({i}) = {label}" for i, (code, label) in enumerate(data.roles, 1))
    sources = "; ".join(f"{code} ({i}) = {t['sources'][code]}" for i, code in enumerate(SOURCES, 1))
    elements = "; ".join(f"{e.key} = {e.name}" for e in data.elements)
    common = {
        "session": ("text", ""),
        "city": ("text", t["exact_text"]),
        "date": ("date", ""),
        "instrument_version": ("int", ""),
        "participant": ("text", ""),
        "table": ("int", t["no_table"]),
        "seat": ("int", ""),
        "role": ("text", f"{roles}; {t['no_role']}"),
        "source": ("text", sources),
        "consent_version": ("int", t["no_consent"]),
    }
    scale = _scale_labels(data, lang)
    long = {
        **common,
        "element": ("text", elements),
        "statement": ("text", t["statements"]),
        "score": ("int", f"{scale}; {t['score_empty_long']}"),
        "dont_know": ("int", t["dont_know_values"]),
        "answered_at": ("datetime", ""),
        "changed_at": ("datetime", ""),
    }
    rows = [
        (t["files"]["long"], v, meaning[v], types[long[v][0]], long[v][1]) for v in LONG_VARIABLES
    ]
    if data.anonymised_at is not None:
        when = local_naive(data.anonymised_at).date().isoformat()
        rows.insert(0, (t["both_files"], "", t["anonymised"].format(date=when), "", ""))
    wide = {**common, "n_answered": ("int", ""), "n_dont_know": ("int", "")}
    rows += [
        (t["files"]["wide"], v, meaning[v], types[wide[v][0]], wide[v][1])
        for v in PARTICIPANT_VARIABLES
    ]
    rows += [
        (
            t["files"]["wide"],
            element_variable(e.key),
            meaning["element_score"].format(name=e.name),
            types["num"],
            f"1-5; {t['element_empty']}",
        )
        for e in data.elements
    ]
    wide_statements = [
        (
            t["files"]["wide"],
            statement_variable(s.key),
            f"{s.label}: {s.text}",
            types["int"],
            f"{scale}; {t['score_empty_wide']}",
        )
        for e in data.elements
        for s in e.statements
    ]
    return rows + wide_statements + breakdown_codebook(lang=lang) + method_codebook_rows(lang)


def codebook_table(
    *, data: SessionData, lang: str = "nl", rows: Sequence[tuple[str, ...]] | None = None
) -> list[tuple[str, ...]]:
    """The codebook's rows (default: `codebook_rows`) with two more columns: the element of
    each statement and element-score variable, and how a wide variable is found in the long
    file (kennis_1 is the rows with statement "kennis-1"; score_kennis is the participant's
    mean of score over element "kennis")."""
    t = in_lang(TEXT, lang)
    where: dict[str, tuple[str, str]] = {}
    for e in data.elements:
        if e.statements:
            where[element_variable(e.key)] = (
                e.key,
                t["long_score"].format(
                    key=e.key, first=e.statements[0].key, last=e.statements[-1].key
                ),
            )
        for st in e.statements:
            where[statement_variable(st.key)] = (e.key, t["long_statement"].format(key=st.key))
    long_file, wide_file = t["files"]["long"], t["files"]["wide"]
    table = []
    for row in codebook_rows(data=data, lang=lang) if rows is None else rows:
        file, variable = row[0], row[1]
        extra = ("", "")
        if file == wide_file and variable in where:
            extra = where[variable]
        elif file == long_file and variable in ("statement", "element"):
            extra = ("", t["wide_statement"])
        table.append((*row, *extra))
    return table


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads the accents right), comma-separated,
    empty for missing, ISO dates and times: what R's read.csv and SPSS read as numbers and
    dates without being told. Text exactly as stored (see the module's docstring)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(tuple(_csv_value(v) for v in row) for row in rows)
    return out.getvalue().encode("utf-8")


# A cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """Text a spreadsheet shows as text: an apostrophe before a would-be formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def spreadsheet_separators(lang: str) -> tuple[str, str]:
    """(cell separator, decimal separator) of a spreadsheet in `lang`'s locale: Django's
    number format for the language, and ";" between cells where the decimal is a comma
    (what Excel's list separator is in such a locale)."""
    decimal = str(get_format("DECIMAL_SEPARATOR", lang=lang))
    return (";" if decimal == "," else ","), decimal


def _spreadsheet_value(value: Any, decimal: str) -> Any:
    if isinstance(value, str):
        return spreadsheet_text(value)
    if isinstance(value, float):
        return repr(value).replace(".", decimal)
    return _csv_value(value)


def spreadsheet_csv(header: Sequence[str], rows: Sequence[Sequence[Any]], *, lang: str) -> bytes:
    """The rows as a spreadsheet in `lang`'s locale opens them with a double-click: its cell
    and decimal separators, UTF-8 with a byte-order mark (Excel then reads the accents), ISO
    dates and times, typed text escaped against formulas (`spreadsheet_text`)."""
    delimiter, decimal = spreadsheet_separators(lang)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([spreadsheet_text(h) for h in header])
    writer.writerows(tuple(_spreadsheet_value(v, decimal) for v in row) for row in rows)
    return out.getvalue().encode("utf-8")


def spreadsheet_table(*, data: SessionData, kind: str, lang: str) -> bytes:
    """The long ("long") or wide ("wide") table as a spreadsheet CSV in `lang`'s locale."""
    tables = research_tables(data=data)
    if kind == "long":
        return spreadsheet_csv(tables.long_header, tables.long_rows, lang=lang)
    if kind == "wide":
        return spreadsheet_csv(tables.wide_header, tables.wide_rows, lang=lang)
    raise ValueError(kind)


def long_csv(*, data: SessionData) -> bytes:
    tables = research_tables(data=data)
    return csv_bytes(tables.long_header, tables.long_rows)


def wide_csv(*, data: SessionData) -> bytes:
    tables = research_tables(data=data)
    return csv_bytes(tables.wide_header, tables.wide_rows)


def codebook_csv(*, data: SessionData, lang: str = "nl") -> bytes:
    """The codebook, a file people read (often in a spreadsheet): comma-separated like the
    files it describes, its text escaped against formulas like the spreadsheet CSV (the
    instrument's texts are typed text too)."""
    rows = [tuple(spreadsheet_text(v) for v in row) for row in codebook_table(data=data, lang=lang)]
    return csv_bytes(in_lang(TEXT, lang)["header"], rows)


# SPSS's display formats and measurement levels: whole numbers without decimals, the means of
# the element scores with two; scores and statements ordinal (1-5), the codes nominal, counts
# and means scale.
_SAV_WHOLE = {"instrument_version", "table", "seat", "role", "source", "score", "dont_know"}
_SAV_COUNTS = {"n_answered", "n_dont_know"}
# A consent text's version is its row's number: it can outgrow the other codes' two digits.
_SAV_WIDE_CODES = {"consent_version"}
_SAV_NOMINAL = {"session", "city", "participant", "element", "statement", "table", "seat"}
_SAV_NOMINAL |= {"role", "source", "dont_know", "instrument_version", "consent_version"}


def _sav_formats_and_measures(
    header: Sequence[str], statement_vars: set[str]
) -> tuple[dict[str, str], dict[str, str]]:
    formats: dict[str, str] = {}
    measures: dict[str, str] = {}
    for name in header:
        if name in _SAV_WIDE_CODES:
            formats[name] = "F8.0"
        elif name in _SAV_WHOLE or name in _SAV_COUNTS or name in statement_vars:
            formats[name] = "F4.0" if name in _SAV_COUNTS or name == "seat" else "F2.0"
        elif name.startswith("score_"):
            formats[name] = "F4.2"
        if name in _SAV_NOMINAL:
            measures[name] = "nominal"
        elif name == "score" or name in statement_vars:
            measures[name] = "ordinal"
        else:  # counts, means, the date and the times
            measures[name] = "scale"
    return formats, measures


def _sav_file_label(data: SessionData) -> str:
    """The .sav's file label (SPSS shows it in the file's information): the session and the
    element score's method; an anonymised session's says so, with the date."""
    label = f"{data.code}; element score: {METHOD}"
    if data.anonymised_at is None:
        return label
    return f"{label}; anonymised {local_naive(data.anonymised_at).date().isoformat()}"


def sav_bytes(*, data: SessionData, kind: str, lang: str = "nl", fmt: str = "sav") -> bytes:
    """The long or wide file as SPSS .sav: variable labels from the codebook, value labels on
    the scores, roles and sources, and in the wide file "weet ik niet" as 9, user-missing.

    pyreadstat (ReadStat's Python binding, maintained by Roche, wheels for every platform) is
    the one Python library that writes .sav with value labels and missing values; it takes a
    pandas data frame, so pandas comes with it. Imported here, not at module level: a
    workbook or CSV export does not pay for loading pandas.

    `fmt="dta"`: the same file for Stata (pyreadstat.write_dta): the same variable and value
    labels; "weet ik niet" in the wide file is Stata's extended missing value .a.
    """
    stat = _stat_file(data=data, kind=kind, lang=lang)
    return _write_stat(stat, fmt=fmt, file_label=_sav_file_label(data))


def stacked_stat_bytes(*, sessions: Sequence[SessionData], lang: str = "nl", fmt: str) -> bytes:
    """The long files of several sessions stacked into one .sav or .dta, in the order given:
    one file's labels (a session's rows say their session, city, date and version)."""
    import pandas as pd

    files = [_stat_file(data=data, kind="long", lang=lang) for data in sessions]
    frame = pd.concat([f.frame for f in files], ignore_index=True)
    if len(frame):
        frame["date"] = pd.to_datetime(frame["date"]).dt.date
    stat = StatFile(frame, *files[0][1:])
    codes = ", ".join(data.code for data in sessions)
    if len(codes) > 30:
        codes = f"{sessions[0].code} … ({len(sessions)})"
    return _write_stat(stat, fmt=fmt, file_label=f"{codes}; element score: {METHOD}")


class StatFile(NamedTuple):
    frame: Any  # a pandas DataFrame
    header: Sequence[str]
    labels: dict[str, str]
    value_labels: dict[str, dict[float, str]]
    missing: dict[str, list[Any]]
    formats: dict[str, str]
    measures: dict[str, str]


def _stat_file(*, data: SessionData, kind: str, lang: str) -> StatFile:
    """The long or wide table as a data frame with its SPSS metadata."""
    import pandas as pd

    t = in_lang(TEXT, lang)
    tables = research_tables(data=data)
    if kind == "long":
        header, rows = tables.long_header, tables.long_rows
    elif kind == "wide":
        header, rows = tables.wide_header, tables.wide_rows
    else:
        raise ValueError(kind)
    # The long and wide files' meanings (the first of a name: the breakdowns come last).
    labels = {row[1]: row[2] for row in reversed(codebook_rows(data=data, lang=lang)) if row[1]}
    role_codes = {code: i for i, (code, _label) in enumerate(data.roles, 1)}
    source_codes = {code: i for i, code in enumerate(SOURCES, 1)}
    scale = list(data.scale) + [""] * (5 - len(data.scale))
    score_labels = {float(i): (label or str(i)) for i, label in enumerate(scale[:5], 1)}
    statement_vars = {statement_variable(s.key) for e in data.elements for s in e.statements}

    columns: dict[str, list[Any]] = {name: [] for name in header}
    for index, row in enumerate(rows):
        for name, value in zip(header, row, strict=True):
            if name == "role":
                value = role_codes.get(value) if value else None
            elif name == "source":
                value = source_codes.get(value)
            elif (
                kind == "wide"
                and name in statement_vars
                and (tables.wide_ids[index], name) in tables.wide_dont_know
            ):
                value = SAV_DONT_KNOW
            columns[name].append(value)
    frame = pd.DataFrame(columns)
    numeric = [
        n
        for n in header
        if n not in {"session", "city", "date", "participant", "element", "statement"}
        and n not in {"answered_at", "changed_at"}
    ]
    for name in numeric:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    for name in ("answered_at", "changed_at"):
        if name in frame:
            frame[name] = pd.to_datetime(frame[name])
    frame["date"] = pd.to_datetime(frame["date"]).dt.date if len(frame) else frame["date"]

    value_labels: dict[str, dict[float, str]] = {
        "role": {
            float(i): label for (_c, label), i in zip(data.roles, role_codes.values(), strict=True)
        },
        "source": {float(i): t["sources"][code] for code, i in source_codes.items()},
    }
    missing: dict[str, list[Any]] = {}
    if kind == "long":
        value_labels["score"] = score_labels
        value_labels["dont_know"] = {0.0: "1-5", 1.0: t["dont_know"]}
    else:
        for name in statement_vars:
            value_labels[name] = {**score_labels, float(SAV_DONT_KNOW): t["dont_know"]}
            missing[name] = [SAV_DONT_KNOW]
    formats, measures = _sav_formats_and_measures(header, statement_vars)
    return StatFile(frame, header, labels, value_labels, missing, formats, measures)


def _write_stat(stat: StatFile, *, fmt: str, file_label: str) -> bytes:
    import pyreadstat

    fd, path = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(fd)
    column_labels: dict[str, str | None] = {
        n: stat.labels.get(n, n)[: 80 if fmt == "dta" else 250] for n in stat.header
    }
    try:
        if fmt == "sav":
            pyreadstat.write_sav(
                stat.frame,
                path,
                column_labels=column_labels,
                variable_value_labels=stat.value_labels,
                missing_ranges=stat.missing,
                variable_format=stat.formats,
                variable_measure=stat.measures,
                file_label=file_label[:64],
            )
        elif fmt == "dta":
            # Stata: whole-number value labels, and "weet ik niet" (9, user-missing in the
            # .sav) as the extended missing value .a.
            frame = stat.frame.copy()
            value_labels: dict[str, dict[Any, str]] = {}
            for name, labels in stat.value_labels.items():
                value_labels[name] = {
                    ("a" if name in stat.missing and v in stat.missing[name] else int(v)): label
                    for v, label in labels.items()
                }
            for name, values in stat.missing.items():
                column = frame[name].astype(object)
                frame[name] = column.where(~column.isin(values), "a")
            pyreadstat.write_dta(
                frame,
                path,
                column_labels=column_labels,
                variable_value_labels=value_labels,
                missing_user_values={name: ["a"] for name in stat.missing},
                file_label=file_label[:80],
            )
        else:
            raise ValueError(fmt)
        with open(path, "rb") as handle:
            return handle.read()
    finally:
        os.unlink(path)


# The session's metadata file: what a script needs besides the rows (and what the import reads
# back: the tables and their focus). `format` names the file, `format_version` its layout.
METADATA_FORMAT = "scentiss-session"
METADATA_VERSION = 1


def session_metadata(*, data: SessionData) -> dict[str, Any]:
    """Title, city, date, instrument (slug, name, version), the tables with their focus, the
    counts, and every statement's element and wide-file variable: plain JSON values."""
    answered = {participant_id for participant_id, *_rest in data.answers}
    people = {p.participant_id for p in data.participants}
    return {
        "format": METADATA_FORMAT,
        "format_version": METADATA_VERSION,
        "session": data.code,
        "title": data.title,
        "city": data.city,
        "date": data.date.isoformat(),
        "instrument": {
            "slug": data.instrument_slug,
            "name": data.instrument,
            "version": data.instrument_version,
        },
        "tables": [
            {"number": n, "focus": data.table_focus.get(n, "")}
            for n in sorted({*data.tables, *data.table_focus})
        ],
        "participants": len(people),
        "respondents": len(answered & people),
        "element_score": {
            "method": METHOD,
            "formula": in_lang(METHOD_TEXT, "en")["methods"][METHOD][0],
            "elements": session_methods(data=data),
        },
        "statements": [
            {
                "statement": s.key,
                "variable": statement_variable(s.key),
                "element": e.key,
                "element_variable": element_variable(e.key),
            }
            for e in data.elements
            for s in e.statements
        ],
    }


def session_methods(*, data: SessionData) -> dict[str, dict[str, float | None]]:
    """Per element its score by each of the three methods; for an anonymised session from the
    results it kept (its answers are gone)."""
    if data.kept is not None:
        kept = {e["key"]: e for e in data.kept.get("elements", [])}
        return {
            e.key: {
                "participant_mean": kept[e.key]["score"] if e.key in kept else None,
                **methods_from_items(kept[e.key]["items"] if e.key in kept else []),
            }
            for e in data.elements
        }
    people = {p.participant_id for p in data.participants}
    return element_methods(
        [(a[0], a[1], a[2]) for a in data.answers if a[0] in people],
        {s.statement_id: e.key for e in data.elements for s in e.statements},
        [e.key for e in data.elements],
    )


def session_json(*, data: SessionData) -> bytes:
    import json

    return json.dumps(session_metadata(data=data), ensure_ascii=False, indent=2).encode("utf-8")


DICTIONARY_HEADER = (
    "variable",
    "element",
    "file_nl",
    "file_en",
    "meaning_nl",
    "meaning_en",
    "type_nl",
    "type_en",
    "values_nl",
    "values_en",
    "long_nl",
    "long_en",
)


def dictionary_rows(*, nl: SessionData, en: SessionData) -> list[tuple[str, ...]]:
    """The codebook in Dutch and English side by side, one row per variable: the same
    session's data read in each language (the statements' texts are the instrument's own)."""
    rows: list[tuple[str, ...]] = []
    dutch, english = codebook_table(data=nl, lang="nl"), codebook_table(data=en, lang="en")
    for d, e in zip(dutch, english, strict=True):
        if d[1] != e[1] and d[0] != in_lang(METHOD_TEXT, "nl")["file"]:
            raise ValueError(f"the codebooks differ at {d[1]!r} / {e[1]!r}")
        rows.append(
            (e[1], d[5] or e[5], d[0], e[0], d[2], e[2], d[3], e[3], d[4], e[4], d[6], e[6])
        )
    return rows


def dictionary_csv(*, nl: SessionData, en: SessionData) -> bytes:
    """One bilingual (nl/en) data dictionary of every file's variables."""
    rows = [tuple(spreadsheet_text(v) for v in row) for row in dictionary_rows(nl=nl, en=en)]
    return csv_bytes(DICTIONARY_HEADER, rows)
