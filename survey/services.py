import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, Rejected
from core.inputs import parse_id
from sessions import signals
from sessions.models import Exclusion, Participant, Phase, Source, Table, Workshop
from sessions.selectors import archived_refusal, participant_by_code
from sessions.services import participant_join
from survey.models import Answer, ElementTally, ItemTally, PaperEntry
from survey.selectors import instrument_statement_elements, participants_busy
from survey.tallies import ElementCount, answer_tally, item_score, tallies_count


@dataclass(frozen=True)
class AnswerSaved:
    changed: bool
    version: int
    answered: int  # the participant's answers so far, this one included
    total: int = 0  # the statements of the session's instrument (the progress bar's 100%)


@dataclass(frozen=True)
class AnswerRefused:
    """A tap not stored: the message for the phone, and the HTTP status that fits it (the
    websocket sends it along too): 403 not a phone of this session, 409 the survey is not
    open (whatever else was wrong), 400 a value that is not an answer."""

    message: str
    status: int


# A tap's client id: the phone makes one per tap (a UUID) and gets it back with the
# acknowledgement. Bounded and plain so it can be echoed as it came.
_CLIENT_ID = re.compile(r"[A-Za-z0-9-]{1,64}", re.ASCII)


def parse_score(raw: object) -> int | None:
    """ "1".."5" -> int, "dk" -> None (don't know); anything else is refused."""
    if raw == "dk":
        return None
    if isinstance(raw, str) and raw in {"1", "2", "3", "4", "5"}:
        return int(raw)
    raise Rejected(_("Choose 1 to 5, or “don't know / no opinion”."))


def parse_client_id(raw: object) -> str | None:
    """The tap's client id, or None if the phone sent none (old pages, the bare form)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str) and _CLIENT_ID.fullmatch(raw):
        return raw
    raise Rejected(_("This answer could not be read; please tap it again."))


def answer_submit(
    *,
    cookies: Mapping[str, str],
    code: object,
    statement: object,
    score: object,
    client_id: object = None,
) -> AnswerSaved | AnswerRefused:
    """One tap as a phone sends it, by either transport (the answer POST and the phone's
    websocket call this with the same raw values): the signed cookie names a participant of
    this session, the values are parsed strictly (statement ids by core.inputs.parse_id), then
    `answer_save` checks the phase and the statement and stores it.

    The websocket was authorised at connect, but the cookie and the session are read again
    for every tap, as over HTTP: a session deleted or a phase closed since the connect
    refuses the tap just the same."""
    participant = participant_by_code(cookies=cookies, code=code)
    if participant is None:
        return AnswerRefused(
            _("Your phone is not registered for this session; scan the QR code again."), 403
        )
    workshop = participant.workshop
    if participant.withdrawn_at is not None:
        return AnswerRefused(_("You have withdrawn: your answers no longer count."), 403)
    if participant.exclusion_id is not None:
        return AnswerRefused(
            _("The organiser has taken this phone's answers out of the results."), 403
        )
    try:
        parse_client_id(client_id)
        # ASCII digits or a JSON integer only: int() took "+7", "1_0" (as 10), other scripts.
        statement_id = parse_id(
            statement, message=_("This statement is not part of this session's survey.")
        )
        saved = answer_save(
            participant=participant, statement_id=statement_id, score=parse_score(score)
        )
    except Rejected as rejected:
        # A closed survey is a conflict with the session's state, not a malformed request.
        return AnswerRefused(str(rejected), 400 if workshop.accepts_answers else 409)
    total = len(instrument_statement_elements(workshop.instrument_id))
    return AnswerSaved(
        changed=saved.changed, version=saved.version, answered=saved.answered, total=total
    )


def answer_save(
    *, participant: Participant, statement_id: int, score: int | None, any_phase: bool = False
) -> AnswerSaved:
    """Store the participant's answer to a statement (an upsert), keep the session's tallies,
    bump its results version if the answer changed, and push the new results after commit.

    The answer, the tallies and the version change in one transaction: a snapshot that reads
    version v, then the tallies, holds every answer acknowledged with a version up to v.
    """
    workshop = participant.workshop
    archived_refusal(workshop=workshop)
    # Paper forms and imports are typed in during or after the session (any_phase).
    if not any_phase and not workshop.accepts_answers:
        raise Rejected(_("The survey is closed; your answer was not saved."))
    if score is not None and not 1 <= score <= 5:
        raise Rejected(_("Choose 1 to 5, or “don't know / no opinion”."))
    element_id = instrument_statement_elements(workshop.instrument_id).get(statement_id)
    if element_id is None:
        raise Rejected(_("This statement is not part of this session's survey."))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT changed, version, answered "
                "FROM scentiss_answer_save(%s, %s, %s, %s, %s::smallint)",
                [workshop.pk, participant.pk, statement_id, element_id, score],
            )
            changed, version, answered = cursor.fetchone()
    else:
        changed, version = _answer_save_orm(
            workshop_id=workshop.pk,
            participant_id=participant.pk,
            statement_id=statement_id,
            element_id=element_id,
            score=score,
        )
        answered = Answer.objects.filter(participant_id=participant.pk).count()
    if changed:
        # Outside a transaction this runs at once; inside one (a test's), after its commit.
        transaction.on_commit(
            lambda: signals.results_changed.send(sender=Workshop, workshop_id=workshop.pk)
        )
    return AnswerSaved(changed=changed, version=version, answered=answered)


def _answer_save_orm(
    *, workshop_id: int, participant_id: int, statement_id: int, element_id: int, score: int | None
) -> tuple[bool, int]:
    """What scentiss_answer_save does on PostgreSQL, for the other databases (SQLite for
    `make run`); the tests run both against the same answers."""
    with transaction.atomic():
        version = (
            Workshop.objects.select_for_update()
            .values_list("results_version", flat=True)
            .get(pk=workshop_id)
        )
        answer = Answer.objects.filter(
            participant_id=participant_id, statement_id=statement_id
        ).first()
        if answer is not None and answer.score == score:
            return False, version
        if answer is None:
            Answer.objects.create(
                participant_id=participant_id, statement_id=statement_id, score=score
            )
        else:
            Answer.objects.filter(pk=answer.pk).update(score=score, updated_at=timezone.now())
            ItemTally.objects.filter(
                workshop_id=workshop_id, statement_id=statement_id, score=item_score(answer.score)
            ).update(n=F("n") - 1)
        # Bump the tally, or create it at its first count: one statement when it exists.
        item = {
            "workshop_id": workshop_id,
            "statement_id": statement_id,
            "score": item_score(score),
        }
        if not ItemTally.objects.filter(**item).update(n=F("n") + 1):
            ItemTally.objects.create(**item, n=1)
        delta = answer_tally(score) - (answer_tally(answer.score) if answer else ElementCount())
        element = {"participant_id": participant_id, "element_id": element_id}
        if not ElementTally.objects.filter(**element).update(
            total=F("total") + delta.total,
            scored=F("scored") + delta.scored,
            answered=F("answered") + delta.answered,
        ):
            ElementTally.objects.create(
                **element,
                workshop_id=workshop_id,
                total=delta.total,
                scored=delta.scored,
                answered=delta.answered,
            )
        Workshop.objects.filter(pk=workshop_id).update(results_version=F("results_version") + 1)
        return True, version + 1


@dataclass(frozen=True)
class PaperFormSaved:
    participant: Participant
    created: bool
    saved: int  # answers stored or changed
    repeat: bool = False  # the same form sent again: nothing was stored this time


def _paper_content(
    participant: Participant | None,
    table: Table | None,
    role: str,
    scores: Mapping[int, int | None],
) -> str:
    """What a paper form's post says, as a fingerprint: its participant (a correction) or its
    table and role (a new one), and its answers."""
    posted = {
        "participant": participant.pk if participant is not None else None,
        "table": table.pk if table is not None and participant is None else None,
        "role": role if participant is None else "",
        "scores": sorted(scores.items()),
    }
    return hashlib.sha256(json.dumps(posted, sort_keys=True).encode()).hexdigest()


def _without_phone(participant: Participant) -> bool:
    """A seat added on the chair's tablet for someone without a phone (notes.ExtraSeat)."""
    return Participant.objects.filter(pk=participant.pk, extra_seat__isnull=False).exists()


def paper_form_save(
    *,
    workshop: Workshop,
    scores: dict[int, int | None],
    client_id: uuid.UUID | None = None,
    participant: Participant | None = None,
    table: Table | None = None,
    role: str = "",
) -> PaperFormSaved:
    """One paper form typed in: a new participant marked as entered from paper (or the paper
    participant being corrected, or the seat without a phone whose form it is) and its
    answers, all in one transaction, in any phase.

    `scores` maps statement ids to 1-5 or None (don't know); a statement left out is not
    answered (a correction never removes an answer: the form shows the stored ones).
    Refused (nothing stored) when a statement is not of the session's instrument or a score
    is outside 1-5.

    Once per `client_id` (the form's page makes one when it is drawn; survey.paper always
    passes it), as a chair's note: the same form sent again with the same content returns the
    first save (repeat=True) and stores nothing; the same id with other content is a Conflict,
    and nothing changes. Without one (a script, a test), every call stores.
    """
    archived_refusal(workshop=workshop)
    known = instrument_statement_elements(workshop.instrument_id)
    for statement_id, score in scores.items():
        if statement_id not in known:
            raise Rejected(_("This statement is not part of this session's survey."))
        if score is not None and not 1 <= score <= 5:
            raise Rejected(_("Choose 1 to 5, or “don't know / no opinion”."))
    if participant is not None and (
        participant.workshop_id != workshop.pk
        or (participant.source != Source.PAPER and not _without_phone(participant))
    ):
        raise Rejected(_("Only a paper form of this session can be corrected here."))
    content = _paper_content(participant, table, role, scores)

    def repeat() -> PaperFormSaved | None:
        if client_id is None:
            return None
        entry = (
            PaperEntry.objects.select_related("participant__table")
            .filter(workshop=workshop, client_id=client_id)
            .first()
        )
        if entry is None:
            return None
        if entry.content != content and participant is not None:
            raise Conflict(
                _(
                    "This correction was already saved with other answers; nothing was "
                    "changed. The form shows the answers you sent now: save once more to "
                    "store them."
                )
            )
        if entry.content != content:
            raise Conflict(
                _(
                    "This form was already saved, as %(seat)s, with other answers; nothing "
                    "was changed. To correct it, open %(seat)s below; to store these answers "
                    "as another participant, save once more."
                )
                % {"seat": entry.participant.seat_label}
            )
        return PaperFormSaved(participant=entry.participant, created=False, saved=0, repeat=True)

    if (earlier := repeat()) is not None:
        return earlier
    saved = 0
    try:
        with transaction.atomic():
            created = participant is None
            if participant is None:
                participant = participant_join(
                    workshop=workshop, table=table, role=role, source=Source.PAPER
                )
            elif participant.source != Source.PAPER:
                # A seat the chair added for someone without a phone: the form fills that seat
                # (one person, one participant), whose answers now came from paper.
                Participant.objects.filter(pk=participant.pk).update(source=Source.PAPER)
                participant.source = Source.PAPER
            participant.workshop = workshop
            for statement_id, score in scores.items():
                result = answer_save(
                    participant=participant,
                    statement_id=statement_id,
                    score=score,
                    any_phase=True,
                )
                saved += int(result.changed)
            if client_id is not None:
                PaperEntry.objects.create(
                    workshop=workshop,
                    client_id=client_id,
                    participant=participant,
                    content=content,
                )
    except IntegrityError:
        # The same form twice at once: the first one's save stands, this one rolled back.
        if (earlier := repeat()) is not None:
            return earlier
        raise
    return PaperFormSaved(participant=participant, created=created, saved=saved)


def tallies_rebuild(*, workshop_id: int) -> None:
    """Recount a session's tallies from its stored answers (survey.tallies' rule), in the
    caller's transaction: after answers were stored in bulk (an import on SQLite), or after
    the rule changed (`manage.py retally`)."""
    answers = Answer.objects.filter(participant__workshop_id=workshop_id).values_list(
        "participant_id", "statement_id", "statement__element_id", "score"
    )
    tallies = tallies_count(answers.iterator(chunk_size=5000))
    ItemTally.objects.filter(workshop_id=workshop_id).delete()
    ElementTally.objects.filter(workshop_id=workshop_id).delete()
    ItemTally.objects.bulk_create(
        ItemTally(workshop_id=workshop_id, statement_id=statement_id, score=score, n=n)
        for (statement_id, score), n in tallies.items.items()
    )
    ElementTally.objects.bulk_create(
        ElementTally(
            workshop_id=workshop_id,
            participant_id=participant_id,
            element_id=element_id,
            total=count.total,
            scored=count.scored,
            answered=count.answered,
        )
        for (participant_id, element_id), count in tallies.elements.items()
    )


def rehearsal_clear(*, workshop: Workshop) -> int:
    """Clear a rehearsal: every participant of the session (phones and paper forms, with their
    answers, notes and seats), the tallies and the exclusions, so the room starts from zero.
    Only in the arrival phase (Rejected once the survey phase has started: those answers are
    real). Returns how many participants were cleared; the rehearsal ends."""
    archived_refusal(workshop=workshop)
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if locked.phase != Phase.JOIN:
            raise Rejected(
                _(
                    "The survey has started, so its answers are real: the rehearsal can no "
                    "longer be cleared."
                )
            )
        count = Participant.objects.filter(workshop=locked).count()
        Participant.objects.filter(workshop=locked).delete()
        ItemTally.objects.filter(workshop=locked).delete()
        Exclusion.objects.filter(workshop=locked).delete()
        Workshop.objects.filter(pk=locked.pk).update(
            rehearsing=False, results_version=F("results_version") + 1
        )
        transaction.on_commit(
            lambda: signals.results_changed.send(sender=Workshop, workshop_id=workshop.pk)
        )
    workshop.rehearsing = False
    return count


def participants_nudge(*, workshop: Workshop) -> int:
    """Remind the phones that have not answered every statement (the console's "Not finished
    yet"): each shows a reminder in its own language. Returns how many were reminded; refused
    (Rejected) outside the survey phase or when everyone has finished."""
    archived_refusal(workshop=workshop)
    if not workshop.accepts_answers:
        raise Rejected(_("Reminders can be sent only while the survey is open."))
    busy = [row["id"] for row in participants_busy(workshop=workshop)]
    ids = sorted(
        Participant.objects.filter(pk__in=busy, source=Source.PHONE).values_list("pk", flat=True)
    )
    if not ids:
        raise Rejected(_("Every phone has answered every statement: nobody to remind."))
    transaction.on_commit(
        lambda: signals.phones_nudged.send(
            sender=Workshop, workshop_id=workshop.pk, participant_ids=ids
        )
    )
    return len(ids)
