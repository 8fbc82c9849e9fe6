"""Reads of the notes app."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from instrument.models import Element
from notes.models import Note, NoteKind, Observation
from sessions.models import TABLE_ADVISED_MAX, Participant, Table, Workshop

# Participants per page of the chair's tablet. A table seats 5-10 people; a table that many
# phones joined (a script, a mistaken table number) must not make a page of megabytes: 2,000
# participants were 25 MB and 7.5 s on one page.
CHAIR_PAGE_SIZE = 20


@dataclass(frozen=True)
class ParticipantPage:
    number: int
    count: int  # participants at the table
    first: int  # 1-based position of the page's first participant (0 when there is none)
    last: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // CHAIR_PAGE_SIZE))

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def table_participants(*, table: Table, page: int = 1) -> list[Participant]:
    """Who sits at the table (one page of CHAIR_PAGE_SIZE, by seat): the phones that joined
    with its number, and the seats the chair added for people without a phone."""
    offset = (max(1, page) - 1) * CHAIR_PAGE_SIZE
    participants = list(
        Participant.objects.filter(table=table)
        .select_related("table", "extra_seat")
        .order_by("seat")[offset : offset + CHAIR_PAGE_SIZE]
    )
    for p in participants:
        extra = getattr(p, "extra_seat", None)  # a missing row raises an AttributeError
        p.without_phone = extra is not None
        p.initials = extra.initials if extra is not None else ""
    return participants


def table_participant_page(*, table: Table, page: int, shown: int) -> ParticipantPage:
    """Where the page of `shown` participants lies among the table's."""
    count = Participant.objects.filter(table=table).count()
    first = (max(1, page) - 1) * CHAIR_PAGE_SIZE + 1 if shown else 0
    return ParticipantPage(number=max(1, page), count=count, first=first, last=first + shown - 1)


def note_get_for_table(*, table: Table, note_id: int) -> Note | None:
    return (
        Note.objects.select_related("participant__table", "participant__extra_seat")
        .filter(pk=note_id, table=table)
        .first()
    )


def instrument_elements(*, workshop: Workshop) -> list[Element]:
    return list(Element.objects.filter(instrument_id=workshop.instrument_id).order_by("order"))


@dataclass
class ParticipantRow:
    participant: Participant
    plus: list[Note] = field(default_factory=list)
    minus: list[Note] = field(default_factory=list)


@dataclass
class ElementBoard:
    """One tab of the tablet: an element, its questions and the table's notes on it."""

    number: int
    element: Element
    name: str
    core_question: str
    discussion_questions: list[str]
    rows: list[ParticipantRow]
    agree: list[Note] = field(default_factory=list)
    differ: list[Note] = field(default_factory=list)

    @property
    def count(self) -> int:
        return (
            sum(len(r.plus) + len(r.minus) for r in self.rows) + len(self.agree) + len(self.differ)
        )


def chair_board(*, table: Table, participants: list[Participant]) -> list[ElementBoard]:
    """Every element with the table's notes, grouped as the tablet shows them (3 queries):
    the notes about the whole table and those about the participants shown."""
    elements = instrument_elements(workshop=table.workshop)
    notes = (
        Note.objects.filter(table=table)
        .filter(Q(participant__isnull=True) | Q(participant_id__in=[p.pk for p in participants]))
        .order_by("created_at", "pk")
    )
    by_place: dict[tuple[Any, ...], list[Note]] = defaultdict(list)
    seats = {p.pk: p for p in participants}
    for note in notes:
        if note.participant_id is not None:
            # Reuse the loaded participants: their seat labels need no query per note.
            note.participant = seats.get(note.participant_id) or note.participant
        by_place[(note.element_id, note.kind, note.participant_id)].append(note)
    boards = []
    for number, element in enumerate(elements, start=1):
        rows = [
            ParticipantRow(
                participant=p,
                plus=by_place[(element.pk, NoteKind.PLUS, p.pk)],
                minus=by_place[(element.pk, NoteKind.MINUS, p.pk)],
            )
            for p in participants
        ]
        boards.append(
            ElementBoard(
                number=number,
                element=element,
                name=element.tr("name"),
                core_question=element.tr("core_question"),
                discussion_questions=list(element.tr("discussion_questions") or []),
                rows=rows,
                agree=by_place[(element.pk, NoteKind.AGREE, None)],
                differ=by_place[(element.pk, NoteKind.DIFFER, None)],
            )
        )
    return boards


LATEST_NOTES = 12


def note_counts(*, workshop: Workshop) -> dict[str, Any]:
    """For the organiser: how many notes each table has per element, and the newest notes
    themselves, so what the chairs type shows up on the organiser's page (3-4 queries)."""
    elements = instrument_elements(workshop=workshop)
    tables = list(workshop.tables.order_by("number"))
    counts = {
        (row["table_id"], row["element_id"]): row["n"]
        for row in Note.objects.filter(workshop=workshop)
        .values("table_id", "element_id")
        .annotate(n=Count("pk"))
    }
    rows = [
        {
            "table": table,
            "counts": [counts.get((table.pk, e.pk), 0) for e in elements],
            "total": sum(counts.get((table.pk, e.pk), 0) for e in elements),
        }
        for table in tables
    ]
    latest = (
        Note.objects.filter(workshop=workshop)
        .select_related("table", "participant__table", "element")
        .order_by("-created_at", "-pk")[:LATEST_NOTES]
    )
    return {
        "elements": [(e, e.tr("name")) for e in elements],
        "rows": rows,
        "total": sum(r["total"] for r in rows),
        "latest": list(latest),
    }


def observations_list(*, workshop: Workshop) -> list[Observation]:
    """Newest first; `element_name` is the element's name in the active language."""
    observations = list(
        Observation.objects.filter(workshop=workshop)
        .select_related("element", "author", "table")
        .order_by("-created_at", "-pk")
    )
    for o in observations:
        o.element_name = o.element.tr("name") if o.element is not None else ""
    return observations


def seating_candidates(*, workshop: Workshop, exclude_table: Table | None = None) -> list[Any]:
    """Who can be seated (or moved): the session's participants not at `exclude_table`, those
    without a table first, then by table and seat. `label` says where each sits now."""
    query = Participant.objects.filter(workshop=workshop)
    if exclude_table is not None:  # exclude(table=None) would drop the unseated
        query = query.exclude(table=exclude_table)
    participants = list(
        query.select_related("table", "extra_seat").order_by("table__number", "seat")
    )
    participants.sort(key=lambda p: p.table_id is not None)  # stable: the order above stays
    for p in participants:
        extra = getattr(p, "extra_seat", None)
        p.without_phone = extra is not None
        p.initials = extra.initials if extra is not None else ""
    return participants


def seating_context(*, workshop: Workshop) -> dict[str, Any]:
    """The organiser's seating card: the unseated, the tables' sizes, everyone to seat."""
    candidates = seating_candidates(workshop=workshop)
    tables = list(workshop.tables.order_by("number").annotate(size=Count("participants")))
    for t in tables:
        t.over = t.size > TABLE_ADVISED_MAX  # type: ignore[attr-defined]  # for the template
    return {
        "workshop": workshop,
        "unseated": [p for p in candidates if p.table_id is None],
        "tables": tables,
        "advised_max": TABLE_ADVISED_MAX,
        "candidates": candidates,
    }


def participant_note_count(*, participant: Participant) -> int:
    """How many notes are about this participant (they move along with them)."""
    return Note.objects.filter(participant=participant).count()


def note_id_taken(*, table: Table, client_id: uuid.UUID | str) -> bool:
    """Whether a note of this table was stored under this client id (a refused note that is
    such a repeat conflicts with the stored one: 409, not 400)."""
    return Note.objects.filter(table=table, client_id=client_id).exists()


def table_observations(*, table: Table) -> list[Observation]:
    """The observations this table's chair recorded, newest first."""
    observations = list(
        Observation.objects.filter(table=table)
        .select_related("element")
        .order_by("-created_at", "-pk")
    )
    for o in observations:
        o.element_name = o.element.tr("name") if o.element is not None else ""
    return observations
