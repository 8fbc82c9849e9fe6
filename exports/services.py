"""Writes of the exports app: answers imported from a file in the export's long format."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from core.errors import Rejected
from exports.imports import Problem, ReadResult, read_answers_file
from instrument.models import Statement
from sessions import signals
from sessions.models import Participant, Table, Workshop
from survey.models import Answer
from survey.services import tallies_rebuild


class ImportRefused(Rejected):
    """Nothing was imported; `problems` lists every problem by row and column."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(_("Nothing was imported: the file has problems."))
        self.problems = problems


@dataclass(frozen=True)
class ImportSummary:
    participants: int
    answers: int


def _session_problems(workshop: Workshop, read: ReadResult, tables: dict[int, Table]) -> list:
    problems = []
    taken = {
        (p.table.number if p.table_id else None, p.seat)
        for p in Participant.objects.filter(workshop=workshop).select_related("table")
    }
    for person in read.participants:
        if person.table is not None and person.table not in tables:
            problems.append(
                Problem(
                    person.first_row,
                    "table",
                    _("This session has no table %(n)s.") % {"n": person.table},
                )
            )
        elif person.seat is not None and (person.table, person.seat) in taken:
            problems.append(
                Problem(
                    person.first_row,
                    "seat",
                    _("This seat is taken in this session by someone already there."),
                )
            )
    return problems


def answers_import(*, workshop: Workshop, name: str, content: bytes) -> ImportSummary:
    """Read the whole file, then store its participants and answers in one transaction, or
    nothing at all (ImportRefused with every problem). Imported participants are new ones of
    this session, with the file's table, seat, role and source (empty: paper)."""
    statements = Statement.objects.filter(element__instrument_id=workshop.instrument_id)
    numbers = Table.objects.filter(workshop=workshop).values_list("number", flat=True)
    read = read_answers_file(
        name=name,
        content=content,
        statements=statements.select_related("element"),
        tables=list(numbers),
    )
    if read.problems:
        # The seats already taken too, so that one report lists every problem.
        tables = {t.number: t for t in Table.objects.filter(workshop=workshop)}
        problems = read.problems + _session_problems(workshop, read, tables)
        raise ImportRefused(sorted(problems, key=lambda p: (p.row, p.column)))
    try:
        with transaction.atomic():
            # One import or answer at a time changes the session's tallies.
            Workshop.objects.select_for_update().filter(pk=workshop.pk).first()
            tables = {t.number: t for t in Table.objects.filter(workshop=workshop)}
            problems = _session_problems(workshop, read, tables)
            if problems:
                raise ImportRefused(problems)
            next_seat: dict[int | None, int] = defaultdict(int)
            for row in (
                Participant.objects.filter(workshop=workshop)
                .values("table__number")
                .annotate(top=Max("seat"))
            ):
                next_seat[row["table__number"]] = row["top"]
            for person in read.participants:
                if person.seat is not None:
                    next_seat[person.table] = max(next_seat[person.table], person.seat)
            people = []
            for person in read.participants:
                seat = person.seat
                if seat is None:
                    next_seat[person.table] += 1
                    seat = next_seat[person.table]
                people.append(
                    Participant(
                        workshop=workshop,
                        table=tables.get(person.table) if person.table else None,
                        seat=seat,
                        role=person.role,
                        source=person.source,
                    )
                )
            Participant.objects.bulk_create(people, batch_size=1000)
            answers, timed = [], []
            for person, participant in zip(read.participants, people, strict=True):
                for statement_id, (score, answered_at, changed_at) in person.answers.items():
                    answer = Answer(participant=participant, statement_id=statement_id, score=score)
                    answers.append(answer)
                    if answered_at or changed_at:
                        timed.append((answer, answered_at, changed_at))
            Answer.objects.bulk_create(answers, batch_size=2000)
            # bulk_create stamps "now" (auto_now_add); the file's times are set afterwards.
            for answer, answered_at, changed_at in timed:
                answer.answered_at = answered_at or changed_at
                answer.updated_at = changed_at or answered_at
            Answer.objects.bulk_update(
                [a for a, *_times in timed], ["answered_at", "updated_at"], batch_size=1000
            )
            tallies_rebuild(workshop_id=workshop.pk)
            Workshop.objects.filter(pk=workshop.pk).update(results_version=F("results_version") + 1)
            transaction.on_commit(
                lambda: signals.results_changed.send(sender=Workshop, workshop_id=workshop.pk)
            )
    except DatabaseError as exc:  # e.g. a deadlock with phones answering at that moment
        raise Rejected(_("The import could not be stored (%(error)s); try again.")
                       % {"error": type(exc).__name__}) from exc  # fmt: skip
    return ImportSummary(participants=len(people), answers=len(answers))
