"""The live results come from tallies that `answer_save` keeps, not from re-reading every
answer. Whatever the phones tap (new answers, changed answers, don't know and back, the same
answer again), the snapshot equals the aggregation of the stored answers — on PostgreSQL's
function and on the ORM path that SQLite uses, and the two paths keep the same tallies as each
other. The tests marked both_databases run on SQLite too (`make test`'s second run)."""

import random

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessions.models import Table, Workshop
from sessions.services import participant_join, participant_withdraw, workshop_update_state
from survey.aggregation import aggregate
from survey.models import Answer, ElementTally, ItemTally
from survey.selectors import (
    focus_comparison,
    instrument_specs,
    instrument_statement_elements,
    results_snapshot,
    results_snapshots,
    session_dashboard,
)
from survey.services import _answer_save_orm, answer_save, tallies_rebuild
from survey.tallies import ElementCount, tallies_count
from tests.conftest import property_examples

SCORE = st.sampled_from([1, 2, 3, 4, 5, None])


def _expected(workshop) -> dict:
    rows = Answer.objects.filter(participant__workshop=workshop).values_list(
        "participant_id", "statement_id", "score"
    )
    return aggregate(instrument_specs(instrument_id=workshop.instrument_id), rows)


def _assert_snapshot_matches_answers(workshop) -> None:
    snapshot = results_snapshot(workshop_id=workshop.pk)
    expected = _expected(workshop)
    assert snapshot["respondents"] == expected["respondents"]
    for got, want in zip(snapshot["elements"], expected["elements"], strict=True):
        assert got["n"] == want["n"]
        assert got["dont_know"] == want["dont_know"]
        assert got["items"] == want["items"]
        if want["score"] is None:
            assert got["score"] is None
        else:
            assert got["score"] == pytest.approx(want["score"], rel=1e-12)


def assert_tallies_follow_the_rule(workshop) -> None:
    """The tallies kept answer by answer (the PL/pgSQL function or the ORM path) equal the
    rule (survey.tallies) applied to the stored answers."""
    answers = Answer.objects.filter(participant__workshop=workshop).values_list(
        "participant_id", "statement_id", "statement__element_id", "score"
    )
    rule = tallies_count(answers)
    kept_items = {
        (s, k): n
        for s, k, n in ItemTally.objects.filter(workshop=workshop, n__gt=0).values_list(
            "statement_id", "score", "n"
        )
    }
    kept_elements = {
        (p, e): ElementCount(t, c, a)
        for p, e, t, c, a in ElementTally.objects.filter(workshop=workshop).values_list(
            "participant_id", "element_id", "total", "scored", "answered"
        )
    }
    assert kept_items == rule.items
    assert kept_elements == rule.elements


def _taps(workshop, n_participants: int):
    statements = list(instrument_statement_elements(workshop.instrument_id))
    participants = [
        participant_join(workshop=workshop, table=None, role="") for _ in range(n_participants)
    ]
    return participants, statements


@pytest.mark.both_databases
@pytest.mark.django_db
@settings(
    max_examples=property_examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    taps=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 7), SCORE), min_size=1, max_size=60),
    orm=st.booleans(),
)
def test_snapshot_from_tallies_equals_aggregation_of_answers(make_workshop, taps, orm):
    workshop = make_workshop()
    participants, statements = _taps(workshop, 4)
    elements = instrument_statement_elements(workshop.instrument_id)
    # Statements from two elements, so a participant's taps move two element tallies.
    chosen = statements[:4] + statements[-4:]
    for who, which, score in taps:
        participant, statement_id = participants[who], chosen[which]
        if orm:
            _answer_save_orm(
                workshop_id=workshop.pk,
                participant_id=participant.pk,
                statement_id=statement_id,
                element_id=elements[statement_id],
                score=score,
            )
        else:
            answer_save(participant=participant, statement_id=statement_id, score=score)
    _assert_snapshot_matches_answers(workshop)
    assert not ItemTally.objects.filter(n__lt=0).exists()
    assert_tallies_follow_the_rule(workshop)
    # The dashboard reads the same tallies: its counts equal the stored answers.
    dashboard = session_dashboard(workshop=workshop)
    assert (
        sum(row["answers"] for row in dashboard["tables"])
        == Answer.objects.filter(participant__workshop=workshop).count()
    )


@pytest.mark.both_databases
@pytest.mark.django_db
def test_a_full_room_with_changes_of_mind(make_workshop):
    """30 phones answer all 46 statements, a third change some answers (to don't know and
    back); the snapshot still equals the aggregation of what is stored."""
    workshop = make_workshop()
    participants, statements = _taps(workshop, 30)
    rnd = random.Random(7)
    for participant in participants:
        for statement_id in statements:
            answer_save(
                participant=participant,
                statement_id=statement_id,
                score=rnd.choice([1, 2, 3, 4, 5, None]),
            )
    for participant in participants[::3]:
        for statement_id in rnd.sample(statements, 10):
            answer_save(
                participant=participant,
                statement_id=statement_id,
                score=rnd.choice([1, 2, 3, 4, 5, None]),
            )
    _assert_snapshot_matches_answers(workshop)
    assert ElementTally.objects.filter(workshop=workshop).count() == 30 * 6


@pytest.mark.both_databases
@pytest.mark.django_db
def test_the_same_answer_again_changes_nothing(workshop):
    participant = participant_join(workshop=workshop, table=None, role="")
    statement_id = next(iter(instrument_statement_elements(workshop.instrument_id)))
    first = answer_save(participant=participant, statement_id=statement_id, score=4)
    again = answer_save(participant=participant, statement_id=statement_id, score=4)
    assert first.changed and not again.changed
    assert again.version == first.version
    assert ItemTally.objects.get(workshop=workshop, statement_id=statement_id, score=4).n == 1


@pytest.mark.both_databases
@pytest.mark.django_db
def test_a_snapshot_reads_a_fixed_number_of_queries(make_workshop, django_assert_num_queries):
    """However many answers a session holds, a snapshot is the same few queries."""
    workshop = make_workshop()
    participants, statements = _taps(workshop, 5)
    for participant in participants:
        for statement_id in statements:
            answer_save(participant=participant, statement_id=statement_id, score=3)
    results_snapshot(workshop_id=workshop.pk)  # the instrument's specs, once per process
    with django_assert_num_queries(2):
        results_snapshot(workshop_id=workshop.pk)


@pytest.mark.both_databases
@pytest.mark.django_db
def test_a_projector_on_one_table_costs_no_query_more_per_snapshot(
    make_workshop, django_assert_num_queries
):
    """The projector's "one table against the room" comes from the snapshot's own two
    statements (each broadcast is one snapshot), whichever table and however many sessions,
    with the numbers of the comparison page's focus tables (focus_comparison)."""
    workshop, other, plain = (make_workshop(city=city) for city in ("Zwolle", "Deventer", "Ede"))
    tables = {t.number: t for t in workshop.tables.all()}
    Table.objects.filter(pk=tables[2].pk).update(focus="Haven")
    statements = list(instrument_statement_elements(workshop.instrument_id))
    first, last = statements[0], statements[-1]  # in the first and the last element
    seats = [(2, [5, 4]), (2, [4, None]), (2, [None, None]), (1, [2, 1]), (None, [3, 3])]
    for number, scores in seats:
        participant = participant_join(workshop=workshop, table=tables.get(number), role="")
        for statement_id, score in zip([first, last], scores, strict=True):
            answer_save(participant=participant, statement_id=statement_id, score=score)
    gone = participant_join(workshop=workshop, table=tables[2], role="")
    answer_save(participant=gone, statement_id=first, score=1)
    participant_withdraw(participant=gone)  # counts nowhere, neither at the table nor the rest
    for session in (workshop, other):
        workshop_update_state(workshop=session, projector_table=2)
    everyone = [workshop.pk, other.pk, plain.pk]
    results_snapshots(workshop_ids=everyone)  # the specs, once per process

    with django_assert_num_queries(2):
        snapshot = results_snapshot(workshop_id=workshop.pk)
    with django_assert_num_queries(2):
        both = results_snapshots(workshop_ids=everyone)
    assert "table" not in both[plain.pk]["projector"]  # a projector on another mode

    table = snapshot["projector"]["table"]
    assert both[workshop.pk]["projector"]["table"] == table
    (expected,) = focus_comparison(workshop=workshop)
    assert (table["number"], table["focus"]) == (2, "Haven")
    assert (table["respondents"], table["rest_respondents"]) == (3, 2)
    assert (expected["respondents"], expected["rest_respondents"]) == (3, 2)
    for got, want in zip(table["elements"], expected["rows"], strict=True):
        assert got["key"] == want["key"]
        for mine, theirs in (("table", "focus"), ("rest", "rest"), ("diff", "diff")):
            assert got[mine] == (None if want[theirs] is None else pytest.approx(want[theirs]))
    kennis_row = table["elements"][0]
    assert (kennis_row["table"], kennis_row["rest"]) == (pytest.approx(4.5), pytest.approx(2.5))
    # A session whose projector shows a table it has not (none chosen, or no such table).
    assert both[other.pk]["projector"]["table"]["respondents"] == 0
    Workshop.objects.filter(pk=other.pk).update(projector_table=9)
    with django_assert_num_queries(2):
        assert results_snapshot(workshop_id=other.pk)["projector"]["table"] is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_taps_keep_the_tallies_exact(make_workshop):
    """Eight phones' taps at once, on the same statements and the same participants (as
    retries and changes of mind race): no deadlock, no lost count, one version per change."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    workshop = make_workshop()
    participants, statements = _taps(workshop, 4)
    chosen = statements[:3]

    def phone(seed: int) -> list:
        rnd = random.Random(seed)
        saved = []
        try:
            for _ in range(40):
                saved.append(
                    answer_save(
                        participant=rnd.choice(participants),
                        statement_id=rnd.choice(chosen),
                        score=rnd.choice([1, 2, 3, 4, 5, None]),
                    )
                )
        finally:
            connections.close_all()
        return saved

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [s for batch in pool.map(phone, range(8)) for s in batch]
    changed = [s.version for s in results if s.changed]
    assert len(changed) == len(set(changed))  # every change got a version of its own
    _assert_snapshot_matches_answers(workshop)
    assert not ItemTally.objects.filter(n__lt=0).exists()


def _item_tallies(workshop) -> list[tuple]:
    return sorted(
        ItemTally.objects.filter(workshop=workshop).values_list("statement_id", "score", "n")
    )


def _element_tallies(workshop, participants) -> list[tuple]:
    """Keyed by the participant's place in the list, so two sessions' rows compare."""
    place = {p.pk: i for i, p in enumerate(participants)}
    rows = ElementTally.objects.filter(workshop=workshop).values_list(
        "participant_id", "element_id", "total", "scored", "answered"
    )
    return sorted((place[p], *rest) for p, *rest in rows)


@pytest.mark.django_db
@settings(
    max_examples=property_examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    taps=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 7), SCORE), min_size=1, max_size=60)
)
def test_the_plpgsql_and_orm_paths_keep_the_same_tallies(make_workshop, taps):
    """The same taps, one session through scentiss_answer_save and a twin session through the
    ORM path that SQLite uses: the same answers changed, the same versions, the same tallies."""
    assert connection.vendor == "postgresql"  # where answer_save calls the PL/pgSQL function
    function_session, orm_session = make_workshop(), make_workshop()
    function_phones, statements = _taps(function_session, 4)
    orm_phones, _statements = _taps(orm_session, 4)
    elements = instrument_statement_elements(function_session.instrument_id)
    chosen = statements[:4] + statements[-4:]
    for who, which, score in taps:
        statement_id = chosen[which]
        saved = answer_save(
            participant=function_phones[who], statement_id=statement_id, score=score
        )
        orm = _answer_save_orm(
            workshop_id=orm_session.pk,
            participant_id=orm_phones[who].pk,
            statement_id=statement_id,
            element_id=elements[statement_id],
            score=score,
        )
        assert (saved.changed, saved.version) == orm
    assert _item_tallies(function_session) == _item_tallies(orm_session)
    assert _element_tallies(function_session, function_phones) == _element_tallies(
        orm_session, orm_phones
    )


@pytest.mark.both_databases
@pytest.mark.django_db
def test_retally_recounts_every_session_by_the_rule(make_workshop):
    """After a change of the rule, `manage.py retally` recounts stored sessions: tallies that
    drifted (here: wiped and one made up) come back as the rule says."""
    from django.core.management import call_command

    workshop = make_workshop()
    participants, statements = _taps(workshop, 3)
    for i, participant in enumerate(participants):
        for j, statement_id in enumerate(statements[:10]):
            answer_save(
                participant=participant, statement_id=statement_id, score=[1, 5, None][(i + j) % 3]
            )
    ElementTally.objects.filter(workshop=workshop).delete()
    ItemTally.objects.filter(workshop=workshop).update(n=99)
    call_command("retally", verbosity=0)
    assert_tallies_follow_the_rule(workshop)
    _assert_snapshot_matches_answers(workshop)
    tallies_rebuild(workshop_id=workshop.pk)  # idempotent
    assert_tallies_follow_the_rule(workshop)
