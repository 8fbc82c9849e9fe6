"""The tally rule, written once.

A session's results are read from two tallies, kept as answers arrive instead of recounted:

- the item tally: per statement and score, how many participants gave it; "don't know"
  counts under score 0 (`item_score`);
- the element tally: per participant and element, the sum of their scores (`total`), how many
  of them were scores (`scored`) and how many statements they answered, don't-knows included
  (`answered`).

This module says what the tallies of a set of answers are (`tallies_count`) and what one
answer adds (`answer_tally`). The writers follow it: the import and `tallies_rebuild` count
with it; the ORM path of answer_save (SQLite) adds and removes `answer_tally`; the PL/pgSQL
function (survey/sql/answer_save.sql, PostgreSQL's fast path) does the same in SQL, and
tests/test_tallies.py checks both against `tallies_count` of the stored answers. A changed
rule: change it here, in the SQL file and the ORM path, then `python manage.py retally`
recounts the stored sessions (the function is reinstalled from its file on `migrate`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SQL_FILE = Path(__file__).resolve().parent / "sql" / "answer_save.sql"


def item_score(score: int | None) -> int:
    """The item tally's score key: 1-5, or 0 for "don't know"."""
    return score or 0


@dataclass(frozen=True)
class ElementCount:
    total: int = 0
    scored: int = 0
    answered: int = 0

    def __add__(self, other: ElementCount) -> ElementCount:
        return ElementCount(
            self.total + other.total, self.scored + other.scored, self.answered + other.answered
        )

    def __sub__(self, other: ElementCount) -> ElementCount:
        return ElementCount(
            self.total - other.total, self.scored - other.scored, self.answered - other.answered
        )


def answer_tally(score: int | None) -> ElementCount:
    """What one answer adds to its participant's element tally."""
    return ElementCount(total=score or 0, scored=int(score is not None), answered=1)


@dataclass(frozen=True)
class Tallies:
    # (statement_id, item_score) -> n
    items: dict[tuple[int, int], int]
    # (participant_id, element_id) -> counts
    elements: dict[tuple[int, int], ElementCount]


def tallies_count(answers: Iterable[tuple[int, int, int, int | None]]) -> Tallies:
    """The tallies of (participant_id, statement_id, element_id, score) answers, one per
    participant and statement."""
    items: Counter[tuple[int, int]] = Counter()
    elements: dict[tuple[int, int], ElementCount] = {}
    for participant_id, statement_id, element_id, score in answers:
        items[(statement_id, item_score(score))] += 1
        key = (participant_id, element_id)
        elements[key] = elements.get(key, ElementCount()) + answer_tally(score)
    return Tallies(items=dict(items), elements=elements)


def answer_save_sql() -> str:
    """The PL/pgSQL function's CREATE OR REPLACE, with the models' table names."""
    from sessions.models import Workshop
    from survey.models import Answer, ElementTally, ItemTally

    return SQL_FILE.read_text(encoding="utf-8").format(
        answer=Answer._meta.db_table,
        item_tally=ItemTally._meta.db_table,
        element_tally=ElementTally._meta.db_table,
        workshop=Workshop._meta.db_table,
    )
