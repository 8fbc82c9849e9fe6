"""Bad input gets a clear message in the user's language and changes nothing.

Examples for every kind of bad input (scores, statements, phases, codes, cookies, keys,
websocket messages), and properties (hypothesis) for the score parser and the answer endpoint:
whatever a phone sends, the outcome is a stored valid answer or a 4xx with a message, and
never a 500 or a half-done change.
"""

import asyncio
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx
import pytest
import websockets
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.errors import Rejected
from instrument.loader import instrument_load, read_instrument
from instrument.models import Statement
from notes.models import Note
from notes.services import note_create
from scentiss.asgi import application
from sessions.models import Participant, Phase, Workshop
from sessions.services import participant_join, workshop_create
from survey.models import Answer
from survey.selectors import results_snapshot
from survey.services import answer_save, parse_score
from tests.conftest import (
    HTTPX_TLS,
    ensure_instrument,
    participant_cookie,
    property_examples,
)

HTMX = {"HTTP_HX_REQUEST": "true"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ORIGIN = (b"origin", b"http://127.0.0.1")
HOST = (b"host", b"127.0.0.1")  # a websocket's Origin must be its own host's
TIMEOUT = 3
VALID_SCORES = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "dk": None}

# (Dutch, English) of each refusal a phone can get.
SCORE = ("Kies 1 tot 5", "Choose 1 to 5")
STATEMENT = ("hoort niet bij de vragenlijst", "is not part of this session")
CLOSED = ("De vragenlijst is gesloten", "The survey is closed")
NOT_REGISTERED = ("niet aangemeld voor deze sessie", "not registered for this session")
PROPERTY_SETTINGS = settings(
    max_examples=property_examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def participant(workshop) -> Participant:
    return participant_join(workshop=workshop, table=workshop.tables.first(), role="")


@pytest.fixture
def phone(workshop, participant) -> Client:
    client = Client()
    name, value = participant_cookie(workshop, str(participant.token))
    client.cookies[name] = value
    return client


def own_statements(workshop: Workshop) -> list[Statement]:
    return list(
        Statement.objects.filter(element__instrument=workshop.instrument).order_by(
            "element__order", "order"
        )
    )


def foreign_statement() -> Statement:
    data = read_instrument()
    data["version"] = 99
    other, _ = instrument_load(data)
    return Statement.objects.filter(element__instrument=other).first()


def state() -> tuple:
    return (
        sorted(Answer.objects.values_list("participant_id", "statement_id", "score")),
        sorted(Workshop.objects.values_list("pk", "phase", "results_version")),
        Participant.objects.count(),
    )


def post_answer(client: Client, workshop: Workshop, data: dict, **extra):
    return client.post(f"/s/{workshop.code}/answer/", data, **HTMX, **extra)


def assert_message(response, status: int, message: tuple[str, str], lang: str) -> None:
    assert response.status_code == status
    html = response.content.decode()
    assert 'role="alert"' in html
    dutch, english = message
    assert (dutch if lang == "nl" else english) in html
    assert (english if lang == "nl" else dutch) not in html
    assert "Traceback" not in html


# --- answers: examples ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize(
    "score", ["0", "6", "", "vier", "four", "3.5", "-1", "1e3", " 3", "3 ", "\uff15", "DK", "null"]
)
def test_a_score_off_the_scale_is_refused_in_the_users_language(phone, workshop, lang, score):
    before = state()
    statement = own_statements(workshop)[0]
    extra = EN if lang == "en" else {}
    response = post_answer(phone, workshop, {"statement": statement.pk, "score": score}, **extra)
    assert_message(response, 400, SCORE, lang)
    assert state() == before


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("statement", ["", "abc", "999999", "-1", "0", "1.5", "9" * 40, "\x00"])
def test_an_unknown_statement_is_refused_in_the_users_language(phone, workshop, lang, statement):
    before = state()
    extra = EN if lang == "en" else {}
    response = post_answer(phone, workshop, {"statement": statement, "score": "3"}, **extra)
    assert_message(response, 400, STATEMENT, lang)
    assert state() == before


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_statement_of_another_instrument_is_refused(phone, workshop, lang):
    """Another session's questionnaire (another instrument version): not this session's."""
    foreign = foreign_statement()
    other = workshop_create(
        city="Elders", date="2026-12-01", tables=1, instrument=foreign.element.instrument
    )
    assert other.instrument_id != workshop.instrument_id
    before = state()
    extra = EN if lang == "en" else {}
    response = post_answer(phone, workshop, {"statement": foreign.pk, "score": "4"}, **extra)
    assert_message(response, 400, STATEMENT, lang)
    assert state() == before


def test_a_missing_field_is_refused(phone, workshop):
    before = state()
    statement = own_statements(workshop)[0]
    assert_message(post_answer(phone, workshop, {"score": "3"}), 400, STATEMENT, "nl")
    assert_message(post_answer(phone, workshop, {"statement": statement.pk}), 400, SCORE, "nl")
    assert_message(post_answer(phone, workshop, {}), 400, STATEMENT, "nl")
    assert state() == before


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("phase", [Phase.JOIN, Phase.DISCUSSION, Phase.RESULTS, Phase.CLOSED])
def test_answers_outside_the_survey_phase_are_refused(phone, workshop, phase, lang):
    answer_save(
        participant=Participant.objects.get(), statement_id=own_statements(workshop)[0].pk, score=2
    )
    Workshop.objects.filter(pk=workshop.pk).update(phase=phase)
    before = state()
    extra = EN if lang == "en" else {}
    for statement in own_statements(workshop)[:2]:  # a change and a new answer
        response = post_answer(phone, workshop, {"statement": statement.pk, "score": "5"}, **extra)
        assert_message(response, 409, CLOSED, lang)
    assert state() == before


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_phone_without_a_seat_is_told_to_scan_again(client, workshop, lang):
    before = state()
    extra = EN if lang == "en" else {}
    statement = own_statements(workshop)[0]
    response = post_answer(client, workshop, {"statement": statement.pk, "score": "3"}, **extra)
    assert_message(response, 403, NOT_REGISTERED, lang)
    assert state() == before


# --- tampered cookies ---------------------------------------------------------------------


def tampered_cookies(workshop: Workshop, participant: Participant) -> list[str]:
    _, value = participant_cookie(workshop, str(participant.token))
    _, not_a_uuid = participant_cookie(workshop, "not-a-uuid")
    _, unknown = participant_cookie(workshop, str(uuid.uuid4()))
    _, _, signature = value.partition(":")
    return [
        value[:-1] + ("A" if value[-1] != "A" else "B"),  # signature changed
        str(participant.token),  # the token without a signature
        f"{uuid.uuid4()}:{signature}",  # another token with this signature
        not_a_uuid,  # signed, but no token
        unknown,  # signed, a token of no one
        "",
        "x" * 4000,
        "é\xa0ÿ;,",  # a cookie header is Latin-1: no browser sends more than that
        value + ":extra",
    ]


def test_a_tampered_cookie_is_no_participant(workshop, participant):
    statement = own_statements(workshop)[0]
    name, _ = participant_cookie(workshop, "x")
    before = state()
    for value in tampered_cookies(workshop, participant):
        client = Client()
        client.cookies[name] = value
        for path in ("survey/1/", "survey/done/", "results/"):
            response = client.get(f"/s/{workshop.code}/{path}")
            assert response.status_code == 302 and response["Location"] == f"/j/{workshop.code}/"
        response = post_answer(client, workshop, {"statement": statement.pk, "score": "3"})
        assert_message(response, 403, NOT_REGISTERED, "nl")
        # The join page offers a new seat; the tampered cookie does not resume anyone's.
        assert client.get(f"/j/{workshop.code}/").status_code == 200
    assert state() == before


# --- unknown session codes and bad URLs: a friendly 404 -----------------------------------------


UNKNOWN = [
    "/j/NOPE99/",
    "/j/AB%00C/",
    "/s/NOPE99/projector/",
    "/s/NOPE99/survey/1/",
    "/s/NOPE99/results.json",
    "/s/%00/survey/done/",
    "/s/NOPE99/chair-nope/",
    "/?code=AB/C",
    "/nowhere/",
]


@pytest.mark.parametrize("url", UNKNOWN)
def test_an_unknown_code_gets_a_friendly_404_in_dutch(client, db, url):
    response = client.get(url, follow=url.startswith("/?"))
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert "Pagina niet gevonden" in html
    assert "Controleer de sessiecode" in html
    assert 'href="/"' in html  # a way on
    assert "Traceback" not in html and "Page not found" not in html


def test_the_404_page_follows_the_language(client, db):
    response = client.get("/j/NOPE99/", **EN)
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="en">' in html and "Page not found" in html
    assert "Check the session code" in html


def test_unknown_codes_over_post_and_for_the_organiser_are_404(db):
    organiser = Client()
    organiser.force_login(get_user_model().objects.create_user("o", password="a-long-password"))
    assert Client().post("/s/NOPE99/answer/", {"statement": "1", "score": "3"}).status_code == 404
    assert organiser.get("/s/NOPE99/organiser/").status_code == 404
    assert organiser.post("/s/AB%00C/state/", {"phase": "closed"}).status_code == 404
    assert organiser.get("/s/NOPE99/export.xlsx").status_code == 404
    response = organiser.get("/organiser/compare/?code=AB%00C")
    assert response.status_code == 400  # no session code has a NUL byte: refused, not a 500


@pytest.mark.parametrize("key", ["", "x", "é", "\x00", "a\x00b", "a" * 5000, "\u202e"])
def test_a_tampered_chair_key_gets_a_plain_403(client, workshop, key):
    response = client.get(f"/s/{workshop.code}/chair/{quote(key, safe='') or 'x'}/")
    assert response.status_code == 403
    assert "Traceback" not in response.content.decode()


def test_the_403_page_is_friendly_and_dutch(client, workshop):
    response = client.get(f"/s/{workshop.code}/projector/?key=nope")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="nl">' in html and "Geen toegang" in html
    assert "Vraag de organisator" in html


# --- websockets: malformed and oversized messages -----------------------------------------------


@database_sync_to_async
def ws_setup():
    workshop = workshop_create(
        city="Zwolle",
        date="2026-11-26",
        tables=2,
        instrument=ensure_instrument(),
        phase=Phase.SURVEY,
    )
    participant = participant_join(workshop=workshop, table=workshop.tables.first(), role="")
    user = get_user_model().objects.create_user("ws", password="a-long-password")
    organiser = Client()
    organiser.force_login(user)
    statements = list(
        Statement.objects.filter(element__instrument=workshop.instrument)
        .order_by("element__order", "order")
        .values_list("pk", flat=True)[:3]
    )
    element_id = Statement.objects.get(pk=statements[0]).element_id
    return workshop, participant, organiser.cookies["sessionid"].value, statements, element_id


GARBAGE = [
    {"text_data": "{not json"},
    {"text_data": "[]"},
    {"text_data": '{"type": "results.snapshot", "snapshot": {"version": 999999}}'},
    {"text_data": '{"type": "websocket.disconnect"}'},
    {"text_data": "\x00" * 100},
    {"text_data": "x" * 2_000_000},
    {"bytes_data": b"\xff\xfe" * 1000},
    {"text_data": " "},
]


@pytest.mark.django_db(transaction=True)
async def test_garbage_on_every_websocket_is_ignored_and_the_feeds_go_on():
    workshop, participant, session_id, statements, element_id = await ws_setup()
    name, value = participant_cookie(workshop, str(participant.token))
    live = WebsocketCommunicator(
        application,
        f"/ws/s/{workshop.code}/live/?key={workshop.projector_key}",
        headers=[ORIGIN, HOST],
    )
    phone = WebsocketCommunicator(
        application,
        f"/ws/s/{workshop.code}/phone/",
        headers=[ORIGIN, HOST, (b"cookie", f"{name}={value}".encode())],
    )
    notes = WebsocketCommunicator(
        application,
        f"/ws/s/{workshop.code}/notes/",
        headers=[ORIGIN, HOST, (b"cookie", f"sessionid={session_id}".encode())],
    )
    for communicator in (live, phone, notes):
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
    first = await live.receive_json_from(timeout=TIMEOUT)
    assert await phone.receive_json_from(timeout=TIMEOUT) == {"phase": "survey", "revealed": False}
    for communicator in (live, phone, notes):
        for message in GARBAGE:
            await communicator.send_to(**message)
            if communicator is phone:
                # The phone's socket carries taps: anything else is refused, with a message.
                reply = await phone.receive_json_from(timeout=TIMEOUT)
                assert reply["type"] == "refused" and reply["status"] == 400, message
        # Nothing (else) comes back: a forged "snapshot" is not echoed, the connection stays open.
        assert await communicator.receive_nothing(timeout=0.2)

    saved = await database_sync_to_async(answer_save)(
        participant=participant, statement_id=statements[0], score=4
    )
    snapshot = await live.receive_json_from(timeout=TIMEOUT)
    while snapshot["version"] < saved.version:
        snapshot = await live.receive_json_from(timeout=TIMEOUT)
    assert snapshot["version"] > first["version"] and snapshot["respondents"] == 1
    await database_sync_to_async(note_create)(
        table=participant.table,
        element_id=element_id,
        kind="agree",
        text="Nog steeds live",
        client_id=uuid.uuid4(),
    )
    assert await notes.receive_json_from(timeout=TIMEOUT) == {"type": "notes.changed"}
    for communicator in (live, phone, notes):
        await communicator.disconnect()


def test_an_oversized_websocket_message_closes_that_socket_only(server, transactional_db):
    """Against the real server (uvicorn): a message over the size limit closes that one
    connection; the server stays up and the other projectors' feed goes on."""
    workshop = workshop_create(
        city="Zwolle", date="2026-11-26", tables=1, instrument=ensure_instrument(),
        phase=Phase.SURVEY,
    )  # fmt: skip
    participant = participant_join(workshop=workshop, table=None, role="")
    statement = own_statements(workshop)[0]
    url = f"ws://{server.host}/ws/s/{workshop.code}/live/?key={workshop.projector_key}"

    async def scenario() -> tuple[int | None, dict]:
        # Waits for events, generous for a loaded CI machine (10 s once timed out there).
        kwargs = {"origin": f"http://{server.host}", "max_size": None, "open_timeout": 60}
        close_code = None
        async with (
            websockets.connect(url, **kwargs) as bystander,
            websockets.connect(url, **kwargs) as attacker,
        ):
            await bystander.recv()
            await attacker.recv()
            # Over WS_MAX_MESSAGE_SIZE (64 KiB; uvicorn's own limit is 16 MiB).
            await attacker.send("x" * (django_settings.WS_MAX_MESSAGE_SIZE + 1))
            try:
                await asyncio.wait_for(attacker.recv(), timeout=60)
            except websockets.ConnectionClosed as closed:
                close_code = closed.rcvd.code if closed.rcvd else None
            saved = await asyncio.to_thread(
                answer_save_closing, participant=participant, statement_id=statement.pk, score=3
            )
            while True:
                snapshot = json.loads(await asyncio.wait_for(bystander.recv(), 60))
                if snapshot["version"] >= saved.version:
                    return close_code, snapshot

    close_code, snapshot = asyncio.run(scenario())
    assert close_code == 1009  # "message too big"
    assert snapshot["respondents"] == 1
    assert server.process.poll() is None
    assert httpx.get(f"{server.url}/healthz", verify=HTTPX_TLS).text == "ok"


def answer_save_closing(**kwargs):
    """answer_save in a thread of its own (beside the test's event loop)."""
    try:
        return answer_save(**kwargs)
    finally:
        connections.close_all()


# --- properties -------------------------------------------------------------------------------


@given(st.one_of(st.text(), st.sampled_from([*VALID_SCORES, " 1", "1 ", "01", "+1", "dK"])))
def test_parse_score_accepts_exactly_the_scale(raw):
    with translation.override("nl"):
        if raw in VALID_SCORES:
            assert parse_score(raw) == VALID_SCORES[raw]
        else:
            with pytest.raises(Rejected) as refused:
                parse_score(raw)
            assert str(refused.value).startswith("Kies 1 tot 5")


def test_parse_score_refuses_none():
    with pytest.raises(Rejected):
        parse_score(None)


def field_values(valid: list[str]) -> st.SearchStrategy:
    """What a phone might send as one form field: anything, near misses, the valid values, or
    nothing at all (None: the field is left out)."""
    return st.one_of(
        st.none(),
        st.text(max_size=50),
        st.sampled_from(valid),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
    )


@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_answer_post_stores_a_valid_answer_or_is_refused_and_changes_nothing(
    phone, workshop, participant, data
):
    own = [str(s.pk) for s in own_statements(workshop)]
    statement = data.draw(field_values(own), label="statement")
    score = data.draw(field_values([*VALID_SCORES, "0", "6"]), label="score")
    form = {k: v for k, v in {"statement": statement, "score": score}.items() if v is not None}
    before = state()
    response = post_answer(phone, workshop, form)
    html = response.content.decode()
    if response.status_code == 200:
        # Stored exactly what was chosen, for a statement of this session's instrument.
        assert score in VALID_SCORES
        stored = Answer.objects.get(participant=participant, statement_id=int(statement))
        assert stored.score == VALID_SCORES[score]
        assert str(stored.statement_id) in own
        assert "Opgeslagen" in html
        assert len(state()[0]) - len(before[0]) in (0, 1)
    else:
        assert 400 <= response.status_code < 500, response.status_code
        assert 'role="alert"' in html and ("Kies 1 tot 5" in html or "hoort niet bij" in html)
        assert state() == before
    # The room's results stay consistent with the stored answers.
    snapshot = results_snapshot(workshop_id=workshop.pk)
    answers = Answer.objects.filter(participant__workshop=workshop)
    assert snapshot["respondents"] == answers.values("participant").distinct().count()
    for element in snapshot["elements"]:
        for item in element["items"]:
            assert sum(item["counts"]) == item["n"]
            assert item["mean"] is None or 1 <= item["mean"] <= 5


@PROPERTY_SETTINGS
@given(key=st.text(max_size=200))
def test_any_projector_key_but_the_right_one_reads_nothing(client, workshop, key):
    response = client.get(f"/s/{workshop.code}/results.json", {"key": key})
    if key == workshop.projector_key:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert workshop.city not in response.content.decode()


@PROPERTY_SETTINGS
@given(value=st.text(alphabet=st.characters(max_codepoint=255), max_size=300))
def test_any_participant_cookie_but_a_signed_one_is_no_one(workshop, participant, value):
    name, _ = participant_cookie(workshop, "x")
    client = Client()
    client.cookies[name] = value
    before = state()
    statement = own_statements(workshop)[0]
    response = post_answer(client, workshop, {"statement": statement.pk, "score": "3"})
    assert response.status_code == 403
    assert state() == before


@PROPERTY_SETTINGS
@given(code=st.text(min_size=1, max_size=40))
def test_any_session_code_but_a_real_one_is_a_404(client, workshop, code):
    assume(code.strip().upper() != workshop.code)
    response = client.get(f"/j/{quote(code, safe='')}/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()


# --- nothing stored twice: sequences and races ------------------------------------------------


@settings(PROPERTY_SETTINGS, max_examples=property_examples(50))  # a sequence is up to 12 requests
@given(
    taps=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(list(VALID_SCORES))), max_size=12)
)
def test_a_sequence_of_taps_keeps_one_answer_per_statement_the_last_one(
    phone, workshop, participant, taps
):
    """Taps, changes and retries in any order: one row per statement holding the last tap,
    and the results version moves once per real change (a retry changes nothing)."""
    Answer.objects.filter(participant=participant).delete()
    chosen = own_statements(workshop)[:3]
    version = Workshop.objects.get(pk=workshop.pk).results_version
    expected: dict[int, int | None] = {}
    changes = 0
    for index, score in taps:
        statement = chosen[index]
        response = post_answer(phone, workshop, {"statement": statement.pk, "score": score})
        assert response.status_code == 200
        if statement.pk not in expected or expected[statement.pk] != VALID_SCORES[score]:
            changes += 1
        expected[statement.pk] = VALID_SCORES[score]
        assert int(response["X-Results-Version"]) == version + changes
    stored = dict(
        Answer.objects.filter(participant=participant).values_list("statement_id", "score")
    )
    assert stored == expected
    assert Workshop.objects.get(pk=workshop.pk).results_version == version + changes


def race(count: int, fn) -> list:
    """Run fn(i) for i in range(count) in as many threads, released at the same moment; each
    thread has its own database connection, as concurrent requests have."""
    barrier = threading.Barrier(count)

    def run(i: int):
        try:
            barrier.wait(timeout=10)
            return fn(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.mark.django_db(transaction=True)
def test_racing_retries_of_one_tap_store_one_answer_and_one_change():
    workshop = workshop_create(
        city="Zwolle", date="2026-11-26", tables=1, instrument=ensure_instrument(),
        phase=Phase.SURVEY,
    )  # fmt: skip
    participant = participant_join(workshop=workshop, table=None, role="")
    statement = own_statements(workshop)[0]
    name, value = participant_cookie(workshop, str(participant.token))
    version = Workshop.objects.get(pk=workshop.pk).results_version

    def tap(_: int):
        client = Client()
        client.cookies[name] = value
        response = post_answer(client, workshop, {"statement": statement.pk, "score": "4"})
        return response.status_code, int(response["X-Results-Version"])

    results = race(8, tap)
    assert [status for status, _ in results] == [200] * 8
    assert Answer.objects.filter(participant=participant).count() == 1
    assert Answer.objects.get(participant=participant).score == 4
    # One creation, seven retries that changed nothing: one new version, and every
    # acknowledgement names it.
    assert Workshop.objects.get(pk=workshop.pk).results_version == version + 1
    assert {v for _, v in results} == {version + 1}


@pytest.mark.django_db(transaction=True)
def test_racing_retries_of_one_note_store_it_once_and_a_different_one_is_a_conflict():
    workshop = workshop_create(
        city="Zwolle", date="2026-11-26", tables=1, instrument=ensure_instrument(),
        phase=Phase.SURVEY,
    )  # fmt: skip
    table = workshop.tables.get()
    element = own_statements(workshop)[0].element
    client_id = str(uuid.uuid4())
    url = f"/s/{workshop.code}/chair/{table.chair_key}/notes/"

    def send(i: int):
        text = "Iets anders" if i == 0 else "Tafel is het eens"
        response = Client().post(
            url,
            {"client_id": client_id, "element": element.pk, "kind": "agree", "text": text},
            **HTMX,
        )
        return i, response.status_code, response.get("X-Note-Id")

    results = race(8, send)
    notes = list(Note.objects.filter(table=table))
    assert len(notes) == 1
    stored = notes[0]
    winner_text = stored.text
    for i, status, note_id in results:
        text = "Iets anders" if i == 0 else "Tafel is het eens"
        if text == winner_text:
            assert status in (200, 201) and note_id == str(stored.pk)
        else:
            assert status == 409 and note_id is None
    assert sum(1 for _, status, _ in results if status == 201) == 1
