from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from sessions.models import Participant, Workshop
from survey.broadcast import results_changed
from survey.models import Answer, Statement


class AnswerRejected(Exception):
    """The answer was not stored; `message` says why, in the user's language."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class AnswerSaved:
    answer: Answer
    changed: bool
    version: int


def parse_score(raw: str | None) -> int | None:
    """ "1".."5" -> int, "dk" -> None (don't know); anything else is refused."""
    if raw == "dk":
        return None
    if raw in {"1", "2", "3", "4", "5"}:
        return int(raw)
    raise AnswerRejected(_("Choose 1 to 5, or “don't know / no opinion”."))


def answer_save(*, participant: Participant, statement_id: int, score: int | None) -> AnswerSaved:
    """Store the participant's answer to a statement (an upsert), bump the session's results
    version if it changed, and push the new results after commit."""
    workshop = participant.workshop
    if not workshop.accepts_answers:
        raise AnswerRejected(_("The survey is closed; your answer was not saved."), status=409)
    if score is not None and not 1 <= score <= 5:
        raise AnswerRejected(_("Choose 1 to 5, or “don't know / no opinion”."))
    if not Statement.objects.filter(
        pk=statement_id, element__instrument_id=workshop.instrument_id
    ).exists():
        raise AnswerRejected(_("This statement is not part of this session's survey."))

    with transaction.atomic():
        answer, created = Answer.objects.select_for_update().get_or_create(
            participant=participant, statement_id=statement_id, defaults={"score": score}
        )
        if not created and answer.score == score:
            version = Workshop.objects.values_list("results_version", flat=True).get(pk=workshop.pk)
            return AnswerSaved(answer=answer, changed=False, version=version)
        if not created:
            answer.score = score
            answer.save(update_fields=["score", "updated_at"])
        Workshop.objects.filter(pk=workshop.pk).update(results_version=F("results_version") + 1)
        version = Workshop.objects.values_list("results_version", flat=True).get(pk=workshop.pk)
        transaction.on_commit(lambda: results_changed(workshop.pk))
    return AnswerSaved(answer=answer, changed=True, version=version)
