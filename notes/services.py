"""Writes of the notes app: table chairs' notes and seats, chair keys, observations.

Every refusal is a Rejected with a message in the user's language; a refused call changes
nothing.
"""

import uuid
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditAction
from accounts.services import audit_record
from core.errors import Conflict, Rejected
from core.inputs import clean_text
from notes.models import (
    INITIALS_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PARTICIPANT_KINDS,
    ExtraSeat,
    Note,
    NoteKind,
    Observation,
    ObservationKind,
)
from sessions import signals
from sessions.models import Participant, Phase, Role, Table, Workshop, new_key
from sessions.selectors import archived_refusal, session_element
from sessions.services import participant_join
from survey.models import Answer, ItemTally
from survey.selectors import session_aggregates


@dataclass(frozen=True)
class NoteCreated:
    note: Note
    created: bool  # False: a retry of a note that was already stored


def chair_author_label(table: Table) -> str:
    """Who wrote a chair's note. Data, like the seat labels, so in the sessions' language."""
    return f"Tafelvoorzitter T{table.number}"


def _notify(workshop_id: int) -> None:
    transaction.on_commit(
        lambda: signals.notes_changed.send(sender=Workshop, workshop_id=workshop_id)
    )


def _same_content(note: Note, **content: object) -> bool:
    return all(getattr(note, field) == value for field, value in content.items())


def note_create(
    *,
    table: Table,
    element_id: int | None,
    kind: str,
    text: str,
    client_id: uuid.UUID,
    participant_id: int | None = None,
    is_quote: bool = False,
) -> NoteCreated:
    """Store a chair's note, once per client_id.

    The tablet sends a note until it hears back; a repeat with the same id and the same content
    returns the stored note, one with the same id and other content is refused (409).
    """
    archived_refusal(workshop=table.workshop)
    if kind not in NoteKind.values:
        raise Rejected(_("Unknown kind of note."))
    if kind in PARTICIPANT_KINDS and participant_id is None:
        raise Rejected(_("A plus or minus note is about one participant: choose who."))
    if kind not in PARTICIPANT_KINDS and participant_id is not None:
        raise Rejected(_("An agreement or difference note is about the whole table."))
    text = clean_text(
        text,
        max_length=NOTE_MAX_LENGTH,
        required=True,
        empty_message=_("Write something first: an empty note is not stored."),
    )
    content = {
        "kind": kind,
        "participant_id": participant_id,
        "element_id": element_id,
        "text": text,
        "is_quote": bool(is_quote),
    }

    def existing() -> NoteCreated | None:
        note = (
            Note.objects.select_related("participant__table", "participant__extra_seat")
            .filter(table=table, client_id=client_id)
            .first()
        )
        if note is None:
            return None
        if not _same_content(note, **content):
            raise Conflict(
                _(
                    "Another note was already stored under this note's id; nothing was "
                    "changed. Reload the page to see the stored notes."
                )
            )
        return NoteCreated(note=note, created=False)

    if (repeat := existing()) is not None:
        return repeat
    element = session_element(workshop=table.workshop, element_id=element_id)
    participant = None
    if participant_id is not None:
        participant = (
            Participant.objects.select_related("table", "extra_seat")
            .filter(pk=participant_id, table=table)
            .first()
        )
        if participant is None:
            raise Rejected(_("This participant does not sit at this table."))
    try:
        with transaction.atomic():
            note = Note.objects.create(
                workshop_id=table.workshop_id,
                table=table,
                participant=participant,
                element=element,
                kind=kind,
                text=text,
                is_quote=bool(is_quote),
                client_id=client_id,
                author=chair_author_label(table),
            )
            _notify(table.workshop_id)
    except IntegrityError:
        # The same note arrived twice at once (two tabs, a retry racing the first try).
        if (repeat := existing()) is not None:
            return repeat
        raise
    return NoteCreated(note=note, created=True)


def note_update(*, note: Note, text: str, is_quote: bool) -> Note:
    """Change a note's text and quote flag (its kind, person and element stay)."""
    archived_refusal(workshop=note.workshop)
    note.text = clean_text(
        text,
        max_length=NOTE_MAX_LENGTH,
        required=True,
        empty_message=_("Write something first: an empty note is not stored."),
    )
    note.is_quote = bool(is_quote)
    note.save(update_fields=["text", "is_quote", "updated_at"])
    _notify(note.workshop_id)
    return note


def note_delete(*, note: Note) -> None:
    archived_refusal(workshop=note.workshop)
    workshop_id = note.workshop_id
    note.delete()
    _notify(workshop_id)


def extra_seat_create(*, table: Table, initials: str = "", role: str = "") -> Participant:
    """Give someone without a phone a seat at the table, with optional initials."""
    archived_refusal(workshop=table.workshop)
    initials = clean_text(initials, max_length=INITIALS_MAX_LENGTH, multiline=False)
    if role and role not in Role.values:
        raise Rejected(_("Unknown role."))
    with transaction.atomic():
        # A seat for someone without a phone, also after the close (notes are often completed
        # afterwards); the session's participant cap still holds.
        participant = participant_join(
            workshop=table.workshop, table=table, role=role, closed_ok=True
        )
        ExtraSeat.objects.create(participant=participant, initials=initials)
    return participant


def _seated_notify(workshop_id: int, table_ids: list[int | None]) -> None:
    tables = [t for t in table_ids if t is not None]
    transaction.on_commit(
        lambda: signals.seating_changed.send(
            sender=Workshop, workshop_id=workshop_id, table_ids=tables
        )
    )
    transaction.on_commit(
        lambda: signals.results_changed.send(sender=Workshop, workshop_id=workshop_id)
    )
    _notify(workshop_id)


def participant_seat(*, participant: Participant, table: Table) -> Participant:
    """Seat a participant at a table: a phone that chose no table, one that sits elsewhere, or
    a seat the chair added. The organiser and the table's chair do this.

    The participant takes the next free seat number there (their label becomes "T3·P5"); the
    notes about them go with them, so the new chair sees them. Nothing is refused for a full
    table (the hand-out's 7 is advice; the dashboard flags it). Seating where one already sits
    changes nothing. Both tables' chairs and the organiser's page hear of it after commit.
    """
    if table.workshop_id != participant.workshop_id:
        raise Rejected(_("This table is not part of this participant's session."))
    archived_refusal(workshop=table.workshop)
    if participant.table_id == table.pk:
        return participant
    old_table_id = participant.table_id
    for _attempt in range(10):
        try:
            with transaction.atomic():
                seat = (
                    Participant.objects.filter(table=table).aggregate(m=Max("seat"))["m"] or 0
                ) + 1
                moved = Participant.objects.filter(
                    pk=participant.pk, workshop_id=table.workshop_id
                ).update(table=table, seat=seat)
                if not moved:
                    raise Rejected(_("This participant is no longer in the session."))
                Note.objects.filter(participant_id=participant.pk).update(table=table)
                # The dashboard's per-table counts follow the results' version.
                Workshop.objects.filter(pk=table.workshop_id).update(
                    results_version=F("results_version") + 1
                )
                _seated_notify(table.workshop_id, [old_table_id, table.pk])
        except IntegrityError:
            continue  # a phone joined this table at the same moment: take the next seat
        participant.table = table
        participant.seat = seat
        return participant
    raise Rejected(_("The table is busy; try again."))


def table_rotate_chair_key(*, table: Table) -> Table:
    """Revoke the table's chair link and issue a new one: the old link stops working at once."""
    table.chair_key = new_key()
    table.save(update_fields=["chair_key"])
    return table


def observation_create(
    *,
    workshop: Workshop,
    kind: str,
    text: str,
    author: User | None,
    element_id: int | None = None,
    table: Table | None = None,
    client_id: uuid.UUID | None = None,
) -> Observation:
    """A researcher's observation (author) or a table chair's (table, from the tablet).

    With a client_id (the chair's form makes one when the page is drawn), as a note: a repeat
    of the same post returns the stored observation; the same id with other content (another
    text, kind, element or table) is refused as a Conflict and changes nothing. The id is
    looked up where the database holds it unique: within the session.
    """
    archived_refusal(workshop=workshop)
    if kind not in ObservationKind.values:
        raise Rejected(_("Choose a theme, an example or a striking statement."))
    if table is not None and table.workshop_id != workshop.pk:
        raise Rejected(_("This table is not part of this session."))
    text = clean_text(
        text,
        max_length=NOTE_MAX_LENGTH,
        required=True,
        empty_message=_("Write something first: an empty note is not stored."),
    )
    element = (
        session_element(workshop=workshop, element_id=element_id)
        if element_id is not None
        else None
    )
    content = {
        "kind": kind,
        "text": text,
        "element_id": element.pk if element is not None else None,
        "table_id": table.pk if table is not None else None,
        "author_id": author.pk if author is not None else None,
    }

    def existing() -> Observation | None:
        stored = Observation.objects.filter(workshop=workshop, client_id=client_id).first()
        if stored is not None and not all(
            getattr(stored, field) == value for field, value in content.items()
        ):
            raise Conflict(
                _(
                    "Another observation was already stored under this form's id; nothing "
                    "was changed. Your text is still in the form: save it again to store it "
                    "as a new observation."
                )
            )
        return stored

    if client_id is not None and (stored := existing()) is not None:
        return stored
    try:
        with transaction.atomic():
            observation = Observation.objects.create(
                workshop=workshop,
                kind=kind,
                text=text,
                element=element,
                author=author,
                table=table,
                client_id=client_id,
            )
            _notify(workshop.pk)
    except IntegrityError:  # the same post twice at once
        if client_id is None or (stored := existing()) is None:
            raise
        return stored
    return observation


def observation_delete(*, observation: Observation) -> None:
    observation.delete()


@dataclass(frozen=True)
class Anonymised:
    workshop: Workshop
    done: bool  # False: it was anonymised already (the same request twice), nothing changed
    participants: int = 0
    answers: int = 0
    notes: int = 0


def session_anonymise(*, workshop: Workshop, by: User | None) -> Anonymised:
    """Remove a closed session's per-participant data in one transaction, keeping the numbers
    its results, profile and publication show (Workshop.aggregates, read by the results
    snapshot and the counts per role).

    Removed: the participants (seat, role, table, join and consent times, the phone's token),
    their answers and element tallies, the paper forms' entries, the chairs' seats for people
    without a phone (with their initials), the item tallies (the kept snapshot replaces
    them). A chair's note about a seat keeps its text, element, table and the seat's label as
    text (`Note.anonymised_seat`), so the profile's sources read the same; its link to the
    participant (and through it to their role and answers) is cut. Table notes, observations,
    the profile and the programmes are untouched. The session stays closed for good.

    Here, in the notes app, because it is the lowest app that sees every per-participant row
    (the seats and notes are this app's). Refused (Rejected) for a session that is not
    closed; a session anonymised already is left as it is (done False)."""
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if locked.anonymised_at is not None:
            workshop.anonymised_at, workshop.aggregates = locked.anonymised_at, locked.aggregates
            return Anonymised(workshop=workshop, done=False)
        if locked.phase != Phase.CLOSED:
            raise Rejected(
                _(
                    "Only a closed session can be anonymised: move it to the phase "
                    "“%(phase)s” first."
                )
                % {"phase": Phase.CLOSED.label}
            )
        kept = session_aggregates(workshop=locked)
        notes = list(
            Note.objects.filter(workshop=locked, participant__isnull=False).select_related(
                "participant__table"
            )
        )
        for note in notes:
            assert note.participant is not None  # filtered above
            note.anonymised_seat = note.participant.seat_label
            note.participant = None
        Note.objects.bulk_update(notes, ["participant", "anonymised_seat"], batch_size=1000)
        participants = Participant.objects.filter(workshop=locked)
        counts = {
            "participants": participants.count(),
            "answers": Answer.objects.filter(participant__workshop=locked).count(),
            "notes": len(notes),
        }
        # Answers, element tallies, paper entries and chairs' seats go with them (CASCADE).
        participants.delete()
        ItemTally.objects.filter(workshop=locked).delete()
        now = timezone.now()
        Workshop.objects.filter(pk=locked.pk).update(
            anonymised_at=now, aggregates=kept, results_version=F("results_version") + 1
        )
        audit_record(actor=by, action=AuditAction.ANONYMISE, workshop=locked, detail=counts)
        transaction.on_commit(
            lambda: signals.results_changed.send(sender=Workshop, workshop_id=locked.pk)
        )
    workshop.anonymised_at, workshop.aggregates = now, kept
    return Anonymised(workshop=workshop, done=True, **counts)
