"""Files of several sessions together (a programme's, or any chosen set): every answer in one
long file (CSV, .sav, .dta) with the session, city, date and instrument version on every row,
the element scores per session by the three methods with their spread, and the codebook of both.

The sessions are plain `SessionData`; which sessions (a programme's) is the caller's business:
exports does not import profiles (the import contracts keep the two apart), so the programme's
page links here with its sessions' codes.
"""

from collections.abc import Sequence
from typing import Any

from exports.breakdowns import TEXT as BREAKDOWN_TEXT
from exports.data import SessionData, in_lang
from exports.research import (
    LONG_VARIABLES,
    TEXT,
    codebook_rows,
    codebook_table,
    csv_bytes,
    method_codebook_rows,
    research_tables,
    session_methods,
    spreadsheet_text,
)
from exports.statistics import METHOD, Spread, element_spreads, participant_means

ELEMENT_VARIABLES = (
    "session",
    "city",
    "date",
    "instrument_version",
    "element",
    "method",
    "score",
    "n",
    "sd",
    "ci95_low",
    "ci95_high",
    "answer_mean",
    "item_mean",
)

ELEMENT_TEXT: dict[str, dict[str, Any]] = {
    "nl": {
        "file": "elementen van het programma (één rij per sessie en element)",
        "score": "elementscore van de sessie volgens method (participant_mean)",
        "answer_mean": "ter vergelijking: het gemiddelde van alle antwoorden 1-5 in het element",
        "item_mean": "ter vergelijking: het gemiddelde van de gemiddelden van de stellingen",
    },
    "en": {
        "file": "programme elements (one row per session and element)",
        "score": "the session's element score by method (participant_mean)",
        "answer_mean": "for comparison: the mean of all 1-5 answers in the element",
        "item_mean": "for comparison: the mean of the means of the element's statements",
    },
}


def long_rows(sessions: Sequence[SessionData]) -> list[tuple[Any, ...]]:
    """Every session's long rows, stacked in the order given."""
    return [row for data in sessions for row in research_tables(data=data).long_rows]


def long_csv(*, sessions: Sequence[SessionData]) -> bytes:
    return csv_bytes(LONG_VARIABLES, long_rows(sessions))


def element_rows(sessions: Sequence[SessionData]) -> list[tuple[Any, ...]]:
    """Per session and element: the score (METHOD) with n, SD and 95% interval, and the other
    two methods beside it."""
    rows = []
    for data in sessions:
        people = {p.participant_id for p in data.participants}
        answers = [(a[0], a[1], a[2]) for a in data.answers if a[0] in people]
        element_of = {s.statement_id: e.key for e in data.elements for s in e.statements}
        keys = [e.key for e in data.elements]
        spreads = element_spreads(participant_means(answers, element_of), keys)
        methods = session_methods(data=data)
        kept = {e["key"]: e for e in data.kept.get("elements", [])} if data.kept else None
        for key in keys:
            s = spreads[key]
            if kept is not None:  # anonymised: the score and n it kept, no spread
                found = kept.get(key, {})
                s = Spread(found.get("n") or 0, found.get("score"), None, None, None)
            rows.append(
                (
                    data.code,
                    data.city,
                    data.date,
                    data.instrument_version,
                    key,
                    METHOD,
                    s.mean,
                    s.n,
                    s.sd,
                    s.ci_low,
                    s.ci_high,
                    methods[key]["answer_mean"],
                    methods[key]["item_mean"],
                )
            )
    return rows


def elements_csv(*, sessions: Sequence[SessionData]) -> bytes:
    return csv_bytes(ELEMENT_VARIABLES, element_rows(sessions))


def codebook(*, sessions: Sequence[SessionData], lang: str = "nl") -> list[tuple[str, ...]]:
    """The long file's variables (as a session's codebook gives them), the elements file's,
    and the element score's methods with the worked example."""
    t = in_lang(TEXT, lang)
    e = in_lang(ELEMENT_TEXT, lang)
    b = in_lang(BREAKDOWN_TEXT, lang)["meaning"]
    long_file = t["files"]["long"]
    rows: list[tuple[str, ...]] = [
        row for row in codebook_rows(data=sessions[0], lang=lang) if row[0] == long_file
    ]
    session_rows = {row[1]: row for row in rows}
    types = t["types"]
    meanings = {
        "element": (t["meaning"]["element"], types["text"]),
        "method": (b["method"], types["text"]),
        "score": (e["score"], types["num"]),
        "n": (b["n"], types["int"]),
        "sd": (b["sd"], types["num"]),
        "ci95_low": (b["ci95_low"], types["num"]),
        "ci95_high": (b["ci95_high"], types["num"]),
        "answer_mean": (e["answer_mean"], types["num"]),
        "item_mean": (e["item_mean"], types["num"]),
    }
    for variable in ELEMENT_VARIABLES:
        if variable in meanings:
            meaning, kind = meanings[variable]
            rows.append((e["file"], variable, meaning, kind, ""))
        else:
            rows.append((e["file"], *session_rows[variable][1:]))
    return rows + method_codebook_rows(lang)


def codebook_csv(*, sessions: Sequence[SessionData], lang: str = "nl") -> bytes:
    rows = [
        tuple(spreadsheet_text(v) for v in row)
        for row in codebook_table(
            data=sessions[0], lang=lang, rows=codebook(sessions=sessions, lang=lang)
        )
    ]
    return csv_bytes(in_lang(TEXT, lang)["header"], rows)
