import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions.models import Participant, Workshop
from sessions.selectors import participant_by_code
from survey.broadcast import results_changed
from survey.models import Answer, ElementTally, ItemTally
from survey.selectors import instrument_statement_elements


class AnswerRejected(Exception):
    """The answer was not stored; `message` says why, in the user's language."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class AnswerSaved:
    changed: bool
    version: int
    answered: int  # the participant's answers so far, this one included
    total: int = 0  # the statements of the session's instrument (the progress bar's 100%)


# A tap's client id: the phone makes one per tap (a UUID) and gets it back with the
# acknowledgement. Bounded and plain so it can be echoed as it came.
_CLIENT_ID = re.compile(r"[A-Za-z0-9-]{1,64}", re.ASCII)
_STATEMENT_ID = re.compile(r"[0-9]{1,19}", re.ASCII)
_ID_MAX = 2**63 - 1


def parse_score(raw: object) -> int | None:
    """ "1".."5" -> int, "dk" -> None (don't know); anything else is refused."""
    if raw == "dk":
        return None
    if isinstance(raw, str) and raw in {"1", "2", "3", "4", "5"}:
        return int(raw)
    raise AnswerRejected(_("Choose 1 to 5, or “don't know / no opinion”."))


def parse_statement_id(raw: object) -> int:
    """A statement id as the phone sends it: ASCII digits (a form field) or a JSON integer,
    in the range of the column; superscripts, full-width
    digits, "+7", "1_0", floats and booleans are refused."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and _STATEMENT_ID.fullmatch(raw):
        value = int(raw)
    else:
        value = 0
    if not 1 <= value <= _ID_MAX:
        raise AnswerRejected(_("This statement is not part of this session's survey."))
    return value


def parse_client_id(raw: object) -> str | None:
    """The tap's client id, or None if the phone sent none (old pages, the bare form)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str) and _CLIENT_ID.fullmatch(raw):
        return raw
    raise AnswerRejected(_("This answer could not be read; please tap it again."))


def answer_submit(
    *,
    cookies: Mapping[str, str],
    code: object,
    statement: object,
    score: object,
    client_id: object = None,
) -> AnswerSaved:
    """One tap as a phone sends it, by either transport (the answer POST and the phone's
    websocket call this with the same raw values): the signed cookie names a participant of
    this session, the values are parsed strictly, then `answer_save` checks the phase and the
    statement and stores it. Refusals raise AnswerRejected with the message and HTTP status.

    The websocket was authorised at connect, but the cookie and the session are read again
    for every tap, as over HTTP: a session deleted or a phase closed since the connect
    must refuse the tap just the same."""
    participant = participant_by_code(cookies=cookies, code=code)
    if participant is None:
        raise AnswerRejected(
            _("Your phone is not registered for this session; scan the QR code again."), 403
        )
    parse_client_id(client_id)
    statement_id = parse_statement_id(statement)
    score_value = parse_score(score)
    saved = answer_save(participant=participant, statement_id=statement_id, score=score_value)
    total = len(instrument_statement_elements(participant.workshop.instrument_id))
    return AnswerSaved(
        changed=saved.changed, version=saved.version, answered=saved.answered, total=total
    )


def answer_save(*, participant: Participant, statement_id: int, score: int | None) -> AnswerSaved:
    """Store the participant's answer to a statement (an upsert), keep the session's tallies,
    bump its results version if the answer changed, and push the new results after commit.

    The answer, the tallies and the version change in one transaction: a snapshot that reads
    version v, then the tallies, holds every answer acknowledged with a version up to v.
    """
    workshop = participant.workshop
    if not workshop.accepts_answers:
        raise AnswerRejected(_("The survey is closed; your answer was not saved."), status=409)
    if score is not None and not 1 <= score <= 5:
        raise AnswerRejected(_("Choose 1 to 5, or “don't know / no opinion”."))
    element_id = instrument_statement_elements(workshop.instrument_id).get(statement_id)
    if element_id is None:
        raise AnswerRejected(_("This statement is not part of this session's survey."))
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
        transaction.on_commit(lambda: results_changed(workshop.pk))
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
            old_total = old_scored = 0
            new_answer = 1
        else:
            Answer.objects.filter(pk=answer.pk).update(score=score, updated_at=timezone.now())
            ItemTally.objects.filter(
                workshop_id=workshop_id, statement_id=statement_id, score=answer.score or 0
            ).update(n=F("n") - 1)
            old_total, old_scored, new_answer = answer.score or 0, answer.score is not None, 0
        tally, _created = ItemTally.objects.get_or_create(
            workshop_id=workshop_id, statement_id=statement_id, score=score or 0
        )
        ItemTally.objects.filter(pk=tally.pk).update(n=F("n") + 1)
        tally, _created = ElementTally.objects.get_or_create(
            workshop_id=workshop_id, participant_id=participant_id, element_id=element_id
        )
        ElementTally.objects.filter(pk=tally.pk).update(
            total=F("total") + (score or 0) - old_total,
            scored=F("scored") + int(score is not None) - int(old_scored),
            answered=F("answered") + new_answer,
        )
        Workshop.objects.filter(pk=workshop_id).update(results_version=F("results_version") + 1)
        return True, version + 1
