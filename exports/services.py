"""Writes of the exports app: answers imported from a file the app writes (the long CSV or the
session workbook)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Rejected
from exports.imports import ImportedParticipant, Problem, ReadResult, read_answers_file
from instrument.models import Statement
from sessions import signals
from sessions.models import SEAT_MAX, Participant, Table, Workshop
from sessions.selectors import anonymised_refusal, join_refusal
from survey.models import Answer, ElementTally, ItemTally
from survey.services import tallies_rebuild
from survey.tallies import tallies_count


class ImportRefused(Rejected):
    """Nothing was imported; `problems` lists the problems by row and column (at most
    exports.imports.MAX_PROBLEMS of them; `omitted` says how many more there are)."""

    def __init__(self, problems: list[Problem], omitted: int = 0) -> None:
        super().__init__(_("Nothing was imported: the file has problems."))
        self.problems = problems
        self.omitted = omitted


@dataclass(frozen=True)
class ImportSummary:
    participants: int
    answers: int


def _taken_seats(workshop: Workshop) -> set[tuple[int | None, int]]:
    return {
        (number, seat)
        for number, seat in Participant.objects.filter(workshop=workshop).values_list(
            "table__number", "seat"
        )
    }


def _session_problems(workshop: Workshop, read: ReadResult) -> list[Problem]:
    """What the session itself refuses: seats already taken, more participants than its cap
    admits (the one rule of sessions.selectors.join_refusal; an import is a paper form's
    kind of join, so a closed session takes it too)."""
    problems = []
    taken = _taken_seats(workshop)
    for person in read.participants:
        if person.seat is not None and (person.table, person.seat) in taken:
            problems.append(
                Problem(
                    person.first_row,
                    "seat",
                    _("This seat is taken in this session by someone already there."),
                    person.sheet,
                )
            )
    if read.participants:
        refusal = join_refusal(
            workshop_id=workshop.pk, closed_ok=True, joining=len(read.participants)
        )
        if refusal is not None:
            problems.append(Problem(0, "", refusal))
    return problems


def _seats(workshop: Workshop, people: list[ImportedParticipant]) -> list[tuple[int | None, int]]:
    """Each participant's (table number, seat): the file's, or the next free one at the
    table, read with the session's row locked (joins pick theirs under the same lock)."""
    taken = _taken_seats(workshop)
    for person in people:
        if person.seat is not None and (person.table, person.seat) in taken:
            raise ImportRefused(
                [
                    Problem(
                        person.first_row,
                        "seat",
                        _("This seat is taken in this session by someone already there."),
                        person.sheet,
                    )
                ]
            )
    taken |= {(p.table, p.seat) for p in people if p.seat is not None}
    top: dict[int | None, int] = defaultdict(int)
    for table, seat in taken:
        top[table] = max(top[table], seat)
    places = []
    for person in people:
        if person.seat is not None:
            places.append((person.table, person.seat))
            continue
        seat = top[person.table] + 1
        if seat > SEAT_MAX:  # seats of left participants leave gaps: the lowest free one
            seat = next(n for n in range(1, SEAT_MAX + 1) if (person.table, n) not in taken)
        top[person.table] = max(top[person.table], seat)
        taken.add((person.table, seat))
        places.append((person.table, seat))
    return places


def _lock_and_add_people(
    workshop: Workshop, read: ReadResult, ids: list[int] | None
) -> tuple[list[Participant], list[int]]:
    """Lock the session's row (the version bump: answers and joins take the same lock), check
    the cap under it, give seats, store the participants and the tables' focus. Returns the
    participants and the ids of the tables whose chairs should see new rows."""
    Workshop.objects.filter(pk=workshop.pk).update(results_version=F("results_version") + 1)
    refusal = join_refusal(workshop_id=workshop.pk, closed_ok=True, joining=len(read.participants))
    if refusal is not None and read.participants:
        raise ImportRefused([Problem(0, "", refusal)])
    tables = {t.number: t for t in Table.objects.filter(workshop=workshop)}
    people = []
    for index, (person, (table, seat)) in enumerate(
        zip(read.participants, _seats(workshop, read.participants), strict=True)
    ):
        participant = Participant(
            workshop=workshop,
            table=tables.get(table) if table else None,
            seat=seat,
            role=person.role,
            source=person.source,
        )
        if ids is not None:
            participant.pk = ids[index]
        people.append(participant)
    Participant.objects.bulk_create(people, batch_size=1000)
    changed = set()
    for number, focus in read.focus.items():
        table_row = tables.get(number)
        if table_row is not None and not table_row.focus:  # never overwrite the session's own
            Table.objects.filter(pk=table_row.pk).update(focus=focus)
            changed.add(table_row.pk)
    changed |= {p.table.pk for p in people if p.table is not None}
    return people, sorted(changed)


def _answer_rows(
    read: ReadResult, participant_ids: list[int]
) -> list[tuple[int, int, int | None, Any, Any]]:
    now = timezone.now()
    rows = []
    for person, participant_id in zip(read.participants, participant_ids, strict=True):
        for statement_id, (score, answered_at, changed_at) in person.answers.items():
            answered = answered_at or changed_at or now
            rows.append((participant_id, statement_id, score, answered, changed_at or answered))
    return rows


def _store_postgresql(workshop: Workshop, read: ReadResult, element_of: dict[int, int]) -> Any:
    """Everything that no tap of the session waits for first, the contended rows last, in
    the order scentiss_answer_save takes them: the statements' tallies by statement and score,
    then the session's row, held from there to the commit, a moment.

    The participants' ids are drawn first and their answers and element tallies written
    before the participants themselves (the foreign keys are checked at commit): their seats
    can only be chosen under the session's lock, which a tap takes last."""
    n = len(read.participants)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Participant._meta.db_table, n],
        )
        ids = [row[0] for row in cursor.fetchall()]
        answers = _answer_rows(read, ids)
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(
            f"COPY {Answer._meta.db_table} "
            "(participant_id, statement_id, score, answered_at, updated_at) FROM STDIN"
        ) as copy:
            for row in answers:
                copy.write_row(row)
        tallies = tallies_count(
            (participant_id, statement_id, element_of[statement_id], score)
            for participant_id, statement_id, score, *_times in answers
        )
        with raw.copy(
            f"COPY {ElementTally._meta.db_table} "
            "(workshop_id, participant_id, element_id, total, scored, answered) FROM STDIN"
        ) as copy:
            for (participant_id, element_id), c in tallies.elements.items():
                copy.write_row(
                    (workshop.pk, participant_id, element_id, c.total, c.scored, c.answered)
                )
        ordered = sorted(tallies.items.items())
        if ordered:
            cursor.execute(
                f"INSERT INTO {ItemTally._meta.db_table} "  # noqa: S608
                "(workshop_id, statement_id, score, n) "
                "SELECT %s, s, k, c FROM unnest(%s::bigint[], %s::smallint[], %s::integer[]) "
                "AS t(s, k, c) ORDER BY s, k "
                "ON CONFLICT (workshop_id, statement_id, score) "
                f"DO UPDATE SET n = {ItemTally._meta.db_table}.n + EXCLUDED.n",
                [
                    workshop.pk,
                    [s for (s, _k), _c in ordered],
                    [k for (_s, k), _c in ordered],
                    [c for _key, c in ordered],
                ],
            )
    people, tables = _lock_and_add_people(workshop, read, ids)
    return people, len(answers), tables


def _store_other(workshop: Workshop, read: ReadResult) -> Any:
    """The same on SQLite (`make run`), which runs one writer at a time: in plain order."""
    Workshop.objects.select_for_update().filter(pk=workshop.pk).first()
    people, tables = _lock_and_add_people(workshop, read, None)
    answers = [
        Answer(participant_id=p, statement_id=s, score=score)
        for p, s, score, *_times in _answer_rows(read, [p.pk for p in people])
    ]
    times = _answer_rows(read, [p.pk for p in people])
    Answer.objects.bulk_create(answers, batch_size=2000)
    # bulk_create stamps "now" (auto_now_add); the file's times are set afterwards.
    for answer, (*_ids, answered_at, changed_at) in zip(answers, times, strict=True):
        answer.answered_at = answered_at
        answer.updated_at = changed_at
    Answer.objects.bulk_update(answers, ["answered_at", "updated_at"], batch_size=1000)
    tallies_rebuild(workshop_id=workshop.pk)
    return people, len(answers), tables


def answers_import(
    *,
    workshop: Workshop,
    name: str = "",
    content: bytes = b"",
    files: Sequence[tuple[str, bytes]] = (),
) -> ImportSummary:
    """Read and check the whole file outside any transaction, then store its participants
    (those without answers too), answers and tables' focus in one short transaction, or
    nothing at all (ImportRefused with every problem). Imported participants are new ones of
    this session, with the file's table, seat, role and source (empty: paper), within the
    session's participant cap. Several `files` (name, content) are read as one: the answers
    CSV, the participants CSV and the session's metadata file. An anonymised session takes
    none (Rejected)."""
    anonymised_refusal(workshop=workshop)
    statements = list(
        Statement.objects.filter(element__instrument_id=workshop.instrument_id).select_related(
            "element"
        )
    )
    numbers = Table.objects.filter(workshop=workshop).values_list("number", flat=True)
    cap = Workshop.objects.values_list("participant_cap", flat=True).get(pk=workshop.pk)
    read = read_answers_file(
        name=name,
        content=content,
        files=files,
        statements=statements,
        tables=list(numbers),
        cap=cap,
    )
    problems = read.problems + (
        [] if read.problems and read.problems[0].row == 0 else _session_problems(workshop, read)
    )
    if problems or read.omitted:
        raise ImportRefused(
            sorted(problems, key=lambda p: (p.sheet, p.row, p.column)), read.omitted
        )
    if not read.participants:
        raise ImportRefused([Problem(2, "", _("The file has no answers under its header."))])
    element_of = {s.pk: s.element_id for s in statements}
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                people, answers, tables = _store_postgresql(workshop, read, element_of)
            else:
                people, answers, tables = _store_other(workshop, read)
            transaction.on_commit(
                lambda: signals.results_changed.send(sender=Workshop, workshop_id=workshop.pk)
            )
            if tables:
                transaction.on_commit(
                    lambda: signals.seating_changed.send(
                        sender=Workshop, workshop_id=workshop.pk, table_ids=tables
                    )
                )
    except DatabaseError as exc:
        raise Rejected(_("The import could not be stored (%(error)s); try again.")
                       % {"error": type(exc).__name__}) from exc  # fmt: skip
    return ImportSummary(participants=len(people), answers=answers)
