"""The aggregation against cases computed by hand, and its properties (hypothesis)."""

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.aggregation import ElementSpec, ItemSpec, aggregate

# Also run on SQLite (the database of `make run`): `make test`'s second run.
pytestmark = pytest.mark.both_databases

A = ElementSpec(key="a", name="A", items=(ItemSpec(1, "a-1", "s1"), ItemSpec(2, "a-2", "s2")))
B = ElementSpec(key="b", name="B", items=(ItemSpec(3, "b-1", "s3"),))
DK = None


def test_hand_computed_case():
    rows = [
        (1, 1, 5), (1, 2, 3), (1, 3, DK),
        (2, 1, 2), (2, 2, DK), (2, 3, 4),
        (3, 1, DK), (3, 2, DK), (3, 3, 1),
        (4, 3, 5),
    ]  # fmt: skip
    result = aggregate([A, B], rows)
    a, b = result["elements"]
    assert result["respondents"] == 4
    # Participant means in A: P1 (5+3)/2 = 4, P2 2, P3 only don't-know (left out) -> (4+2)/2.
    # (The pooled mean of all 1-5 answers would be 10/3: the definition weighs participants.)
    assert a["score"] == 3.0
    assert a["n"] == 2
    assert a["dont_know"] == 3
    assert a["items"][0] == {
        "key": "a-1", "label": "s1", "mean": 3.5, "n": 2, "dont_know": 1, "counts": [0, 1, 0, 0, 1],
    }  # fmt: skip
    assert a["items"][1] == {
        "key": "a-2", "label": "s2", "mean": 3.0, "n": 1, "dont_know": 2, "counts": [0, 0, 1, 0, 0],
    }  # fmt: skip
    # B: 4, 1, 5 -> 10/3; P1's don't-know is counted apart.
    assert b["score"] == pytest.approx(10 / 3)
    assert b["n"] == 3
    assert b["dont_know"] == 1
    assert b["items"][0]["counts"] == [1, 0, 0, 1, 1]


def test_unequal_answer_counts_weigh_participants_equally():
    # P1 answers both statements with 5, P2 one statement with 1: (5 + 1) / 2 = 3, not 11/3.
    result = aggregate([A], [(1, 1, 5), (1, 2, 5), (2, 1, 1)])
    assert result["elements"][0]["score"] == 3.0


def test_empty_session_has_no_scores():
    result = aggregate([A, B], [])
    assert result["respondents"] == 0
    for element in result["elements"]:
        assert element["score"] is None
        assert element["n"] == 0
        assert all(item["mean"] is None for item in element["items"])


def test_only_dont_know_counts_as_respondent_without_score():
    result = aggregate([A], [(7, 1, DK)])
    assert result["respondents"] == 1
    assert result["elements"][0]["score"] is None
    assert result["elements"][0]["dont_know"] == 1


def test_answers_to_other_statements_are_ignored():
    assert aggregate([A], [(1, 99, 5)])["respondents"] == 0


def test_score_outside_scale_is_refused():
    with pytest.raises(ValueError):
        aggregate([A], [(1, 1, 6)])


answer_rows = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=12),
        st.sampled_from([1, 2, 3]),
        st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
    ),
    max_size=80,
).map(lambda rows: list({(p, s): (p, s, v) for p, s, v in rows}.values()))  # one per statement


@given(answer_rows)
def test_scores_stay_on_the_scale_and_n_counts_participants(rows):
    for element, spec in zip(aggregate([A, B], rows)["elements"], [A, B], strict=True):
        ids = {i.statement_id for i in spec.items}
        numeric = {p for p, s, v in rows if s in ids and v is not None}
        assert element["n"] == len(numeric)
        if numeric:
            assert 1 <= element["score"] <= 5
        else:
            assert element["score"] is None
        assert element["dont_know"] == sum(1 for _, s, v in rows if s in ids and v is None)
        for item in element["items"]:
            assert sum(item["counts"]) == item["n"]


@given(answer_rows, st.randoms())
def test_order_of_answers_does_not_matter(rows, rnd: random.Random):
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert _rounded(aggregate([A, B], rows)) == _rounded(aggregate([A, B], shuffled))


@given(answer_rows)
def test_dont_know_never_moves_a_score(rows):
    numeric_only = [r for r in rows if r[2] is not None]
    with_dk, without = aggregate([A, B], rows), aggregate([A, B], numeric_only)
    for e1, e2 in zip(with_dk["elements"], without["elements"], strict=True):
        assert _close(e1["score"], e2["score"])
        for i1, i2 in zip(e1["items"], e2["items"], strict=True):
            assert _close(i1["mean"], i2["mean"])
            assert i1["counts"] == i2["counts"]


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=1, max_size=20))
def test_complete_answers_make_the_score_the_mean_of_item_means(pairs):
    rows = [(p, 1, x) for p, (x, _) in enumerate(pairs)] + [
        (p, 2, y) for p, (_, y) in enumerate(pairs)
    ]
    a = aggregate([A], rows)["elements"][0]
    assert math.isclose(a["score"], (a["items"][0]["mean"] + a["items"][1]["mean"]) / 2)


def _close(x, y) -> bool:
    return (x is None and y is None) or (x is not None and y is not None and math.isclose(x, y))


def _rounded(result: dict) -> dict:
    for element in result["elements"]:
        if element["score"] is not None:
            element["score"] = round(element["score"], 9)
    return result
