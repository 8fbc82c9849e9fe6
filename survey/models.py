from django.db import models
from django.db.models import Q

from instrument.models import Element, Statement


class Answer(models.Model):
    """One participant's answer to one statement: 1-5, or NULL for "weet ik niet / geen mening".

    Saving is an upsert on (participant, statement): a phone that retries stores nothing twice.
    """

    participant = models.ForeignKey(
        "workshops.Participant", on_delete=models.CASCADE, related_name="answers"
    )
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "statement"], name="answer_once_per_statement"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="answer_score_1_to_5_or_dont_know",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}/{self.statement_id}={self.score}"


class ItemTally(models.Model):
    """How many of a session's answers to a statement gave one score (0: don't know).

    Kept by `answer_save` in the answer's own transaction, so the live results are read from
    at most 6 rows per statement instead of every answer of the session.
    """

    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="item_tallies"
    )
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "statement", "score"], name="itemtally_once"
            ),
            models.CheckConstraint(condition=Q(score__lte=5), name="itemtally_score_0_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.workshop_id}/{self.statement_id}/{self.score}: {self.n}"


class ElementTally(models.Model):
    """One participant's answers in one element: the sum and count of their 1-5 scores and
    the count of all their answers (don't know included). Kept like ItemTally."""

    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="element_tallies"
    )
    participant = models.ForeignKey(
        "workshops.Participant", on_delete=models.CASCADE, related_name="element_tallies"
    )
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="+")
    total = models.PositiveIntegerField(default=0)
    scored = models.PositiveSmallIntegerField(default=0)
    answered = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "element"], name="elementtally_once"),
        ]
        indexes = [models.Index(fields=["workshop", "element"], name="elementtally_session")]

    def __str__(self) -> str:
        return f"{self.participant_id}/{self.element_id}: {self.total}/{self.scored}"


class PaperEntry(models.Model):
    """One save of a paper form: the id its page carried (made when the page was drawn), the
    participant it stored or corrected and a fingerprint of what was posted.

    The same form sent twice (a double click, a retry after a lost answer) is stored once: a
    repeat with the same id and the same content gets the first save's answer, one with other
    content is refused.
    """

    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="paper_entries"
    )
    client_id = models.UUIDField()
    participant = models.ForeignKey(
        "workshops.Participant", on_delete=models.CASCADE, related_name="paper_entries"
    )
    # sha256 of the posted table, role, participant and answers (survey.services)
    content = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "client_id"], name="paper_entry_client_id_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workshop_id}/{self.client_id} -> {self.participant_id}"
