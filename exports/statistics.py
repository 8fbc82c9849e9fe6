"""Spread and breakdowns of the element scores, and the three ways to make an element score.

Plain Python, no Django: the workbook, the research files and the organiser's page build on it.

**The unit is the participant.** A participant's element score is the mean of their own 1-5
answers in the element (don't-know answers never count); the session's element score is the
mean of those over the participants who have one (`survey.aggregation`, the live results).
Its spread is the spread of the participants' element scores:

- `n`: participants with an element score;
- `sd`: their sample standard deviation (divisor n - 1; none for n < 2);
- the 95% confidence interval: mean ± t(0.975, n - 1) · sd / √n, Student's t on the
  participants' element scores (none for n < 2). Answers of one participant are not
  independent of each other, participants are (to first order): hence the participant, not
  the answer, as the unit.

A breakdown (per table, role, source, table focus) is the same computation on the participants
of each group.

**Three methods** (`element_methods`) give an element score; the results use the first:

- `participant_mean`: the mean of the participants' own means (every participant weighs the
  same, however many statements they answered);
- `answer_mean`: the mean of all 1-5 answers in the element (every answer weighs the same);
- `item_mean`: the mean of the statements' means (every statement weighs the same).

They differ when participants answer different numbers of statements, or statements have
different numbers of answers; with every participant answering every statement they agree.
"""

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)

METHODS = ("participant_mean", "answer_mean", "item_mean")
METHOD = METHODS[0]  # the one the live results, the projector and every score column use
CONFIDENCE = 0.95


# --- Student's t ---------------------------------------------------------------------------


def _betacf(a: float, b: float, x: float) -> float:
    """The continued fraction of the regularised incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((a + m2 - 1.0) * (a + m2)),
            -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: int) -> float:
    """P(T <= t) for Student's t with `df` degrees of freedom."""
    tail = 0.5 * _betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, df: int) -> float:
    """The t with P(T <= t) = p (0.5 < p < 1), by bisection to 1e-12."""
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2.0


# --- spread --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None


def spread(values: Sequence[float]) -> Spread:
    """n, mean, sample SD and the t-based 95% confidence interval of the mean of `values`."""
    n = len(values)
    if n == 0:
        return Spread(0, None, None, None, None)
    mean = math.fsum(values) / n
    if n < 2:
        return Spread(1, mean, None, None, None)
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(1 - (1 - CONFIDENCE) / 2, n - 1) * sd / math.sqrt(n)
    return Spread(n, mean, sd, mean - half, mean + half)


# (participant, statement, score or None for don't know)
Answer = tuple[int, int, int | None]


def participant_means(
    answers: Iterable[Answer], element_of: Mapping[int, str]
) -> dict[int, dict[str, float]]:
    """Each participant's element scores: the mean of their 1-5 answers per element (an
    element where they gave none is absent)."""
    sums: dict[int, dict[str, list[int]]] = {}
    for participant, statement, score in answers:
        element = element_of.get(statement)
        if score is None or element is None:
            continue
        total = sums.setdefault(participant, {}).setdefault(element, [0, 0])
        total[0] += score
        total[1] += 1
    return {p: {e: total / n for e, (total, n) in per.items()} for p, per in sums.items()}


def element_spreads(
    means: Mapping[int, Mapping[str, float]],
    elements: Sequence[str],
    participants: Iterable[int] | None = None,
) -> dict[str, Spread]:
    """Per element, the spread of the element scores of `participants` (default: all)."""
    people = list(means) if participants is None else list(participants)
    return {
        e: spread([means[p][e] for p in people if p in means and e in means[p]]) for e in elements
    }


def breakdown(
    means: Mapping[int, Mapping[str, float]],
    elements: Sequence[str],
    group_of: Mapping[int, K],
) -> dict[K, dict[str, Spread]]:
    """Per group (in the order first met in `group_of`), per element, the spread of its
    participants' element scores. A participant missing from `group_of` is in no group."""
    members: dict[K, list[int]] = {}
    for participant, group in group_of.items():
        members.setdefault(group, []).append(participant)
    return {g: element_spreads(means, elements, people) for g, people in members.items()}


# --- the three methods ---------------------------------------------------------------------


def element_methods(
    answers: Iterable[Answer], element_of: Mapping[int, str], elements: Sequence[str]
) -> dict[str, dict[str, float | None]]:
    """Per element, its score by each of METHODS (None where no 1-5 answer was given)."""
    answers = list(answers)
    means = participant_means(answers, element_of)
    items: dict[int, list[int]] = {}
    per_element: dict[str, list[int]] = {}
    for _participant, statement, score in answers:
        element = element_of.get(statement)
        if score is None or element is None:
            continue
        items.setdefault(statement, []).append(score)
        per_element.setdefault(element, []).append(score)
    item_means: dict[str, list[float]] = {}
    for statement, scores in items.items():
        item_means.setdefault(element_of[statement], []).append(math.fsum(scores) / len(scores))
    result: dict[str, dict[str, float | None]] = {}
    for e in elements:
        own = [m[e] for m in means.values() if e in m]
        result[e] = {
            "participant_mean": math.fsum(own) / len(own) if own else None,
            "answer_mean": (
                math.fsum(per_element[e]) / len(per_element[e]) if per_element.get(e) else None
            ),
            "item_mean": (
                math.fsum(item_means[e]) / len(item_means[e]) if item_means.get(e) else None
            ),
        }
    return result


def methods_from_items(items: Sequence[Mapping[str, Any]]) -> dict[str, float | None]:
    """`answer_mean` and `item_mean` of one element from its statements' results (each with
    `mean` and `counts`, the numbers of 1s … 5s, as the results feed gives them): what an
    anonymised session, which kept its results but not its answers, still has."""
    total = sum(score * count for item in items for score, count in enumerate(item["counts"], 1))
    n = sum(sum(item["counts"]) for item in items)
    means = [item["mean"] for item in items if item["mean"] is not None]
    return {
        "answer_mean": total / n if n else None,
        "item_mean": math.fsum(means) / len(means) if means else None,
    }
