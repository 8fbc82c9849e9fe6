"""The numbers behind the spider chart, as pure functions on plain data.

Definitions (also in docs/research-data.md, "The numbers"):
- An answer is a score 1-5 or "don't know" (None).
- Item mean: the mean of the item's 1-5 answers; n is their count; don't-know answers are
  counted apart and never enter a mean.
- Element score: the mean, over participants, of each participant's own mean over their 1-5
  answers in that element. A participant with no 1-5 answer in the element does not count;
  n is the number of participants who do. So each participant weighs the same, however many
  statements they answered.
- Respondents: participants with at least one answer (don't-know included).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

SCORES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class ItemSpec:
    statement_id: int
    key: str
    label: str


@dataclass(frozen=True)
class ElementSpec:
    key: str
    name: str
    items: Sequence[ItemSpec] = field(default_factory=tuple)


# (participant_id, statement_id, score or None for don't know)
AnswerRow = tuple[int, int, int | None]


def _empty_counts(
    elements: Sequence[ElementSpec],
) -> tuple[dict[int, int], dict[int, list[int]], dict[int, int]]:
    """statement -> element index, statement -> counts of 1..5, statement -> don't knows."""
    element_of = {
        item.statement_id: index for index, element in enumerate(elements) for item in element.items
    }
    counts = {sid: [0, 0, 0, 0, 0] for sid in element_of}
    return element_of, counts, defaultdict(int)


def _item_results(
    element: ElementSpec, counts: dict[int, list[int]], dont_know: dict[int, int]
) -> list[dict[str, Any]]:
    items = []
    for item in element.items:
        c = counts[item.statement_id]
        n = sum(c)
        items.append(
            {
                "key": item.key,
                "label": item.label,
                "mean": (sum(s * k for s, k in zip(SCORES, c, strict=True)) / n) if n else None,
                "n": n,
                "dont_know": dont_know[item.statement_id],
                "counts": list(c),
            }
        )
    return items


def aggregate(elements: Sequence[ElementSpec], answers: Iterable[AnswerRow]) -> dict[str, Any]:
    """Element and item results from answer rows.

    Returns {"respondents": int, "elements": [{"key", "name", "score", "n", "dont_know",
    "items": [{"key", "label", "mean", "n", "dont_know", "counts": [c1..c5]}]}]}.
    Rows for statements outside `elements` are ignored.
    """
    element_of, counts, item_dont_know = _empty_counts(elements)
    # per element: participant -> [sum, count] of their 1-5 answers
    per_participant: list[dict[int, list[int]]] = [defaultdict(lambda: [0, 0]) for _ in elements]
    respondents: set[int] = set()

    for participant_id, statement_id, score in answers:
        index = element_of.get(statement_id)
        if index is None:
            continue
        respondents.add(participant_id)
        if score is None:
            item_dont_know[statement_id] += 1
            continue
        if score not in SCORES:
            raise ValueError(f"score {score!r} is not 1-5 or None")
        counts[statement_id][score - 1] += 1
        acc = per_participant[index][participant_id]
        acc[0] += score
        acc[1] += 1

    result_elements = []
    for index, element in enumerate(elements):
        items = _item_results(element, counts, item_dont_know)
        participant_means = [total / count for total, count in per_participant[index].values()]
        result_elements.append(
            {
                "key": element.key,
                "name": element.name,
                "score": fmean(participant_means) if participant_means else None,
                "n": len(participant_means),
                "dont_know": sum(item["dont_know"] for item in items),
                "items": items,
            }
        )
    return {"respondents": len(respondents), "elements": result_elements}


# (statement_id, score or 0 for don't know, count)
ItemTallyRow = tuple[int, int, int]
# (element index in the spec, participants with a 1-5 answer there, sum of their own means)
ElementMeanRow = tuple[int, int, float]


def aggregate_tallies(
    elements: Sequence[ElementSpec],
    item_tallies: Iterable[ItemTallyRow],
    element_means: Iterable[ElementMeanRow],
    *,
    respondents: int,
) -> dict[str, Any]:
    """The same result as `aggregate`, from the tallies `answer_save` keeps (the sum of the
    participants' own means comes from the database, so the last digit may differ)."""
    element_of, counts, item_dont_know = _empty_counts(elements)
    for statement_id, score, n in item_tallies:
        if statement_id not in element_of:
            continue
        if score == 0:
            item_dont_know[statement_id] += n
        elif score in SCORES:
            counts[statement_id][score - 1] += n
        else:
            raise ValueError(f"score {score!r} is not 0-5")
    means: dict[int, tuple[int, float]] = {}
    for index, n, total in element_means:
        means[index] = (n, total)
    result_elements = []
    for index, element in enumerate(elements):
        items = _item_results(element, counts, item_dont_know)
        n, total = means.get(index, (0, 0.0))
        result_elements.append(
            {
                "key": element.key,
                "name": element.name,
                "score": total / n if n else None,
                "n": n,
                "dont_know": sum(item["dont_know"] for item in items),
                "items": items,
            }
        )
    return {"respondents": respondents, "elements": result_elements}
