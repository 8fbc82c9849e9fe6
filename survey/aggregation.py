"""The numbers behind the spider chart, as pure functions on plain data.

Definitions (also in the README):
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


def aggregate(elements: Sequence[ElementSpec], answers: Iterable[AnswerRow]) -> dict:
    """Element and item results from answer rows.

    Returns {"respondents": int, "elements": [{"key", "name", "score", "n", "dont_know",
    "items": [{"key", "label", "mean", "n", "dont_know", "counts": [c1..c5]}]}]}.
    Rows for statements outside `elements` are ignored.
    """
    element_of: dict[int, int] = {}
    for index, element in enumerate(elements):
        for item in element.items:
            element_of[item.statement_id] = index

    counts: dict[int, list[int]] = {sid: [0, 0, 0, 0, 0] for sid in element_of}
    item_dont_know: dict[int, int] = defaultdict(int)
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
                    "dont_know": item_dont_know[item.statement_id],
                    "counts": list(c),
                }
            )
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
