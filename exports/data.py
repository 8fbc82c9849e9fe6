"""The plain data every export is built from (a session, its elements, participants and
answers, as the selectors read them), and the two conventions all files share: texts per
language (`in_lang`) and times as the sessions' wall-clock time (`local_naive`).

No openpyxl and no ORM here: the workbook, the research files and the import build on this
module, and it on none of them.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from survey.aggregation import AnswerRow

# Excel has no time zones: every time in an export is the wall-clock time of the sessions.
LOCAL_TZ = ZoneInfo("Europe/Amsterdam")
T = TypeVar("T")

# Fields of a note row / observation row, in column order (tuples) or as keys (mappings).
NOTE_FIELDS = ("table", "seat", "element", "kind", "quote", "text", "author", "created_at")
OBSERVATION_FIELDS = ("kind", "element", "text", "author", "created_at")


@dataclass(frozen=True)
class StatementData:
    statement_id: int
    key: str
    label: str
    text: str  # the full statement as the participant read it, with the city


@dataclass(frozen=True)
class ElementData:
    key: str
    name: str
    statements: tuple[StatementData, ...]


# The source of a seat the chair added for someone without a phone, until their paper form is
# typed in: it has no answers, and is neither a phone nor a paper form.
SEAT_WITHOUT_PHONE = "seat"


@dataclass(frozen=True)
class ParticipantData:
    participant_id: int
    seat_label: str
    table: int | None
    seat: int
    role: str  # the role's label in the export's language, "" if none was given
    joined_at: datetime.datetime
    role_code: str = ""  # the role's stable code ("policy", ...), "" if none was given
    # "phone", "paper" (typed in from a paper form) or SEAT_WITHOUT_PHONE (no answers)
    source: str = "phone"
    # The version (accounts.ConsentText's number) of the consent text the phone agreed to;
    # None for paper forms, chairs' seats, imports and phones that joined before it was asked.
    consent_version: int | None = None


# (participant_id, statement_id, score or None for don't know, answered_at, updated_at)
AnswerData = tuple[int, int, int | None, datetime.datetime, datetime.datetime]


@dataclass(frozen=True)
class ParticipantScores:
    """One participant's answers in the session's elements, element by element in the order
    of `SessionData.elements`."""

    answers: Sequence[int]  # the answers given in each element, don't know included
    dont_know: int  # the don't-know answers, in all elements together
    # Their own element scores: the mean of their 1-5 answers in each element (None where
    # they gave none), the means that the session's element score averages.
    means: Sequence[float | None]


def participant_scores(
    *,
    elements: Sequence[ElementData],
    participants: Sequence[ParticipantData],
    answers: Sequence[AnswerData],
) -> dict[int, ParticipantScores]:
    """Every participant's `ParticipantScores`, by participant id, in the participants' order.
    An answer to a statement of no element of these (another instrument's) counts nowhere."""
    element_of = {s.statement_id: index for index, e in enumerate(elements) for s in e.statements}
    width = len(elements)
    given = {p.participant_id: [0] * width for p in participants}
    sums = {p.participant_id: [0] * width for p in participants}
    scored = {p.participant_id: [0] * width for p in participants}
    dont_knows = dict.fromkeys(given, 0)
    for participant_id, statement_id, score, *_ in answers:
        index = element_of.get(statement_id)
        counts = given.get(participant_id)
        if index is None or counts is None:
            continue  # another instrument's statement, or a participant deleted meanwhile
        counts[index] += 1
        if score is None:
            dont_knows[participant_id] += 1
        else:
            sums[participant_id][index] += score
            scored[participant_id][index] += 1
    return {
        participant_id: ParticipantScores(
            answers=counts,
            dont_know=dont_knows[participant_id],
            means=[
                total / n if n else None
                for total, n in zip(sums[participant_id], scored[participant_id], strict=True)
            ],
        )
        for participant_id, counts in given.items()
    }


@dataclass(frozen=True)
class SessionData:
    code: str
    city: str
    date: datetime.date
    title: str
    instrument: str
    instrument_version: int
    phase: str  # the phase's label in the export's language
    elements: Sequence[ElementData]
    participants: Sequence[ParticipantData]
    answers: Sequence[AnswerData]
    notes: Sequence[Sequence[Any] | Mapping[str, Any]] = ()
    observations: Sequence[Sequence[Any] | Mapping[str, Any]] = ()
    # Table number -> its focus (a sector or a district), for the tables that have one.
    table_focus: Mapping[int, str] = field(default_factory=dict)
    scale: Sequence[str] = ()  # the labels of 1..5 in the export's language ("" for none)
    roles: Sequence[tuple[str, str]] = ()  # every role's (code, label in the export's language)
    tables: Sequence[int] = ()  # the numbers of the session's tables, with or without a focus
    instrument_slug: str = ""
    # When the session was anonymised (its participants and answers removed), and the numbers
    # it kept (sessions.models.Workshop.aggregates: "elements", "respondents", "participants",
    # "answers", "dont_know"); None for a session that was not.
    anonymised_at: datetime.datetime | None = None
    kept: Mapping[str, Any] | None = None

    @cached_property
    def participant_scores(self) -> dict[int, ParticipantScores]:
        """Each participant's answers per element and own element scores, computed once for
        every file and sheet that shows them (the workbook's participants and breakdowns, the
        wide table)."""
        return participant_scores(
            elements=self.elements, participants=self.participants, answers=self.answers
        )


@dataclass(frozen=True)
class ComparedSession:
    code: str
    city: str
    date: datetime.date
    title: str
    elements: Sequence[ElementData]
    answers: Sequence[AnswerRow] = field(default_factory=tuple)
    participants: int = 0  # who joined (respondents are counted from the answers)
    colour: str = ""  # "#17805e": the session's colour in every comparison (compared_series)
    # An anonymised session's kept results ("respondents", "elements"), instead of answers.
    kept: Mapping[str, Any] | None = None


def in_lang(texts: Mapping[str, T], lang: str) -> T:
    """`texts`' English entry for "en", its Dutch one for any other language."""
    return texts["en" if lang == "en" else "nl"]


def local_naive(value: datetime.datetime | None, tz: datetime.tzinfo = LOCAL_TZ) -> Any:
    """A datetime as Excel can hold it: wall-clock time in `tz`, without zone, to the second
    (the cells show seconds, and a day fraction cannot hold microseconds exactly)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(tz)
    return value.replace(tzinfo=None, microsecond=0)
