"""A tap by either transport: the phone's websocket, or the answer POST (its fallback).

Both call the same service (survey.services.answer_submit) with the raw values the phone sent,
so every check is asserted here on both: who may answer (the signed cookie, of this session),
when (the survey phase), what (the statement of this instrument, a score 1-5 or "dk", in a
strict form), and that a tap acknowledged by either is stored exactly once.
"""

import json
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.middleware.csrf import _get_new_csrf_string
from django.test import AsyncClient

from instrument.models import Statement
from scentiss.asgi import application
from sessions.models import Participant, Phase, Workshop
from sessions.services import participant_join, workshop_create
from survey.models import Answer
from tests.conftest import ensure_instrument, participant_cookie

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1")
HOST = (b"host", b"127.0.0.1")  # a websocket's Origin must be its own host's
TIMEOUT = 10
NOT_REGISTERED = "Je telefoon is niet aangemeld voor deze sessie"
CLOSED = "De vragenlijst is gesloten"
BAD_SCORE = "Kies 1 tot 5"
NOT_OURS = "hoort niet bij"
UNREADABLE = "Dit antwoord kon niet worden gelezen"


@dataclass
class Reply:
    """What the phone is told about one tap, whichever way it went."""

    status: int  # 200 for an acknowledgement
    text: str  # the message shown (the HTML fragment over HTTP, the message over the socket)
    client_id: str | None = None
    version: int | None = None
    answered: int | None = None
    total: int | None = None


@database_sync_to_async
def make_session(phase: str = Phase.SURVEY) -> Workshop:
    return workshop_create(
        city="Zwolle", date="2026-11-26", tables=2, instrument=ensure_instrument(), phase=phase
    )


@database_sync_to_async
def join(workshop: Workshop) -> Participant:
    return participant_join(workshop=workshop, table=workshop.tables.first(), role="")


@database_sync_to_async
def statement_ids(workshop: Workshop, count: int = 2) -> list[int]:
    qs = Statement.objects.filter(element__instrument_id=workshop.instrument_id)
    return list(qs.order_by("element__order", "order").values_list("pk", flat=True)[:count])


@database_sync_to_async
def stored(workshop: Workshop) -> list[tuple[int, int | None]]:
    return sorted(
        Answer.objects.filter(participant__workshop=workshop).values_list("statement_id", "score")
    )


@database_sync_to_async
def set_phase(workshop: Workshop, phase: str) -> None:
    Workshop.objects.filter(pk=workshop.pk).update(phase=phase)


@database_sync_to_async
def version_of(workshop: Workshop) -> int:
    return Workshop.objects.get(pk=workshop.pk).results_version


def cookie_header(workshop: Workshop, participant: Participant | None, value: str | None = None):
    name, signed = participant_cookie(workshop, str(participant.token if participant else "x"))
    return name, value if value is not None else signed


class Http:
    """The answer POST through the ASGI app, as the page's fallback sends it."""

    name = "http"

    def __init__(self, workshop: Workshop, cookie: tuple[str, str] | None) -> None:
        self.workshop, self.cookie = workshop, cookie

    async def open(self) -> "Http":
        return self

    async def tap(self, statement: object, score: object, client_id: object = None) -> Reply:
        fields = {"statement": statement, "score": score}
        if client_id is not None:
            fields["client_id"] = client_id
        fields = {k: v for k, v in fields.items() if v is not None}
        return await self.post(urlencode(fields).encode())

    async def post(self, body: bytes) -> Reply:
        # Django's async test client runs the ASGI handler, the middleware (CSRF enforced) and
        # the view in the request's own thread, and gives its connection back afterwards.
        client = AsyncClient(enforce_csrf_checks=True)
        csrf = _get_new_csrf_string()
        client.cookies["csrftoken"] = csrf
        if self.cookie:
            client.cookies[self.cookie[0]] = self.cookie[1]
        response = await client.post(
            f"/s/{self.workshop.code}/answer/",
            body,
            content_type="application/x-www-form-urlencoded",
            headers={"x-csrftoken": csrf, "hx-request": "true"},
        )
        number = lambda h: int(response[h]) if h in response else None  # noqa: E731
        return Reply(
            status=response.status_code,
            text=response.content.decode(),
            client_id=response.get("X-Client-Id"),
            version=number("X-Results-Version"),
            answered=number("X-Answered"),
            total=number("X-Total"),
        )

    async def close(self) -> None:
        return None


class Socket:
    """The phone's websocket, a tap per message, its reply on the same socket."""

    name = "ws"

    def __init__(self, workshop: Workshop, cookie: tuple[str, str] | None) -> None:
        self.workshop, self.cookie = workshop, cookie
        self.communicator: WebsocketCommunicator | None = None

    async def open(self) -> "Socket | None":
        headers = [ORIGIN, HOST]
        if self.cookie:
            headers.append((b"cookie", f"{self.cookie[0]}={self.cookie[1]}".encode()))
        self.communicator = WebsocketCommunicator(
            application, f"/ws/s/{self.workshop.code}/phone/", headers=headers
        )
        connected, _ = await self.communicator.connect(timeout=TIMEOUT)
        if not connected:
            return None
        state = await self.communicator.receive_json_from(timeout=TIMEOUT)
        assert set(state) == {"phase", "revealed"}
        return self

    async def tap(self, statement: object, score: object, client_id: object = None) -> Reply:
        message = {"type": "answer", "statement": statement, "score": score}
        if client_id is not None:
            message["id"] = client_id
        return await self.send_text(json.dumps(message))

    async def send_text(self, text: str) -> Reply:
        await self.communicator.send_to(text_data=text)
        return await self.reply()

    async def reply(self) -> Reply:
        message = await self.communicator.receive_json_from(timeout=TIMEOUT)
        if message["type"] == "ack":
            return Reply(
                status=200,
                text="",
                client_id=message["id"],
                version=message["version"],
                answered=message["answered"],
                total=message["total"],
            )
        assert message["type"] == "refused"
        return Reply(status=message["status"], text=message["message"], client_id=message["id"])

    async def close(self) -> None:
        if self.communicator is not None:
            await self.communicator.disconnect()


TRANSPORTS = [Http, Socket]


@pytest.fixture(params=TRANSPORTS, ids=lambda t: t.name)
def transport(request):
    return request.param


async def phone_of(transport, workshop: Workshop, participant: Participant | None, **kw):
    """A phone holding the cookie of `participant` (or a cookie given as `value`)."""
    return await transport(workshop, cookie_header(workshop, participant, **kw)).open()


# --- the acknowledgement --------------------------------------------------------------------


async def test_a_tap_is_stored_and_acknowledged_with_its_client_id(transport):
    workshop = await make_session()
    participant = await join(workshop)
    first, second = await statement_ids(workshop)
    phone = await phone_of(transport, workshop, participant)
    tap_id = str(uuid.uuid4())
    reply = await phone.tap(str(first), "4", tap_id)
    assert (reply.status, reply.client_id) == (200, tap_id)
    assert (reply.answered, reply.total) == (1, 46)
    assert reply.version == await version_of(workshop)
    reply = await phone.tap(second, "dk", str(uuid.uuid4()))
    assert (reply.status, reply.answered) == (200, 2)
    assert await stored(workshop) == [(first, 4), (second, None)]
    await phone.close()


async def test_the_same_tap_twice_by_socket_then_by_http_is_stored_once():
    """A tap whose acknowledgement was lost is sent again, also by the other transport."""
    workshop = await make_session()
    participant = await join(workshop)
    first, second = await statement_ids(workshop)
    socket = await phone_of(Socket, workshop, participant)
    http = await phone_of(Http, workshop, participant)
    tap_id = str(uuid.uuid4())
    replies = [
        await socket.tap(first, "3", tap_id),
        await socket.tap(first, "3", tap_id),
        await http.tap(str(first), "3", tap_id),
    ]
    assert [(r.status, r.client_id, r.answered) for r in replies] == [(200, tap_id, 1)] * 3
    # Nothing changed after the first: the results version stays where the first put it.
    assert replies[0].version == replies[1].version == replies[2].version
    # And the other way round, for another statement.
    other_id = str(uuid.uuid4())
    assert (await http.tap(str(second), "5", other_id)).status == 200
    assert (await socket.tap(second, "5", other_id)).answered == 2
    assert await stored(workshop) == [(first, 3), (second, 5)]
    await socket.close()


async def test_a_changed_tap_replaces_the_answer_on_either_transport():
    workshop = await make_session()
    participant = await join(workshop)
    [first] = await statement_ids(workshop, 1)
    socket = await phone_of(Socket, workshop, participant)
    http = await phone_of(Http, workshop, participant)
    await socket.tap(first, "2", str(uuid.uuid4()))
    await http.tap(str(first), "5", str(uuid.uuid4()))
    assert await stored(workshop) == [(first, 5)]
    await socket.tap(first, "1", str(uuid.uuid4()))
    assert await stored(workshop) == [(first, 1)]
    await socket.close()


async def test_an_http_tap_without_a_client_id_still_works():
    """Pages cached before the websocket taps send none."""
    workshop = await make_session()
    participant = await join(workshop)
    [first] = await statement_ids(workshop, 1)
    http = await phone_of(Http, workshop, participant)
    reply = await http.tap(str(first), "4")
    assert (reply.status, reply.client_id) == (200, None)
    assert "Opgeslagen" in reply.text
    assert await stored(workshop) == [(first, 4)]


async def test_many_taps_on_one_socket_are_each_acknowledged_in_order():
    workshop = await make_session()
    participant = await join(workshop)
    ids = await statement_ids(workshop, 20)
    socket = await phone_of(Socket, workshop, participant)
    sent = [str(uuid.uuid4()) for _ in ids]
    for statement, tap_id in zip(ids, sent, strict=True):  # without waiting in between
        await socket.communicator.send_to(
            text_data=json.dumps(
                {"type": "answer", "id": tap_id, "statement": statement, "score": "3"}
            )
        )
    replies = [await socket.reply() for _ in ids]
    assert [r.client_id for r in replies] == sent
    assert [r.answered for r in replies] == list(range(1, 21))
    assert len(await stored(workshop)) == 20
    await socket.close()


# --- who may tap ----------------------------------------------------------------------------


async def test_without_a_cookie_nothing_is_stored(transport):
    workshop = await make_session()
    await join(workshop)
    [first] = await statement_ids(workshop, 1)
    phone = await transport(workshop, None).open()
    if phone is None:  # the socket is refused at connect
        assert transport is Socket
    else:
        reply = await phone.tap(str(first), "3", str(uuid.uuid4()))
        assert reply.status == 403 and NOT_REGISTERED in reply.text
    assert await stored(workshop) == []


async def test_a_tampered_cookie_is_refused(transport):
    workshop = await make_session()
    participant = await join(workshop)
    [first] = await statement_ids(workshop, 1)
    _, good = cookie_header(workshop, participant)
    phone = await phone_of(transport, workshop, participant, value=good[:-3] + "abc")
    if phone is not None:
        assert transport is Http
        reply = await phone.tap(str(first), "3")
        assert reply.status == 403 and NOT_REGISTERED in reply.text
    assert await stored(workshop) == []


async def test_another_sessions_cookie_is_refused(transport):
    """A phone of session B at session A's address (its own cookie, or B's participant's
    token signed under A's cookie name)."""
    a, b = await make_session(), await make_session()
    b_participant = await join(b)
    [first] = await statement_ids(a, 1)
    for cookie in (cookie_header(b, b_participant), cookie_header(a, b_participant)):
        phone = await transport(a, cookie).open()
        if phone is not None:
            assert transport is Http
            reply = await phone.tap(str(first), "3")
            assert reply.status == 403 and NOT_REGISTERED in reply.text
    assert await stored(a) == [] and await stored(b) == []


async def test_a_foreign_origin_cannot_open_the_phones_socket():
    workshop = await make_session()
    participant = await join(workshop)
    name, value = cookie_header(workshop, participant)
    communicator = WebsocketCommunicator(
        application,
        f"/ws/s/{workshop.code}/phone/",
        headers=[
            (b"origin", b"http://evil.example"),
            HOST,
            (b"cookie", f"{name}={value}".encode()),
        ],
    )
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert not connected


async def test_a_participant_removed_after_the_connect_cannot_tap(transport):
    """The socket was authorised at connect; each tap checks the cookie's participant again."""
    workshop = await make_session()
    participant = await join(workshop)
    [first] = await statement_ids(workshop, 1)
    phone = await phone_of(transport, workshop, participant)
    await database_sync_to_async(Participant.objects.filter(pk=participant.pk).delete)()
    reply = await phone.tap(first, "3", str(uuid.uuid4()))
    assert reply.status == 403 and NOT_REGISTERED in reply.text
    assert await stored(workshop) == []
    await phone.close()


# --- when -----------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", [Phase.JOIN, Phase.DISCUSSION, Phase.RESULTS, Phase.CLOSED])
async def test_outside_the_survey_phase_nothing_is_stored(transport, phase):
    workshop = await make_session()
    participant = await join(workshop)  # a closed session admits no one: joined before
    await set_phase(workshop, phase)
    [first] = await statement_ids(workshop, 1)
    phone = await phone_of(transport, workshop, participant)
    before = await version_of(workshop)
    reply = await phone.tap(str(first), "3", str(uuid.uuid4()))
    assert reply.status == 409 and CLOSED in reply.text
    assert await stored(workshop) == []
    assert await version_of(workshop) == before
    await phone.close()


async def test_a_phase_closed_while_the_socket_is_open_refuses_the_next_tap():
    workshop = await make_session()
    participant = await join(workshop)
    first, second = await statement_ids(workshop)
    socket = await phone_of(Socket, workshop, participant)
    assert (await socket.tap(first, "3", str(uuid.uuid4()))).status == 200
    await set_phase(workshop, Phase.DISCUSSION)
    reply = await socket.tap(second, "3", "tap-2")
    assert (reply.status, reply.client_id) == (409, "tap-2")
    assert CLOSED in reply.text
    assert await stored(workshop) == [(first, 3)]
    await socket.close()


# --- what -----------------------------------------------------------------------------------

BAD_SCORES = [
    "0",
    "6",
    "",
    "vier",
    "3.5",
    "-1",
    "1e3",
    "+3",
    " 3",
    "\uff13",
    "\u00b3",
    "\u0663",
    "3\x00",
]
BAD_STATEMENTS = [
    "abc", "", "0", "-1", "+{id}", " {id}", "{id}.0", "1_0", "\u00b2", "\uff17", "\u0667",
    "99999999999999999999", "9" * 400, "{id}\x0b", "\u200b{id}", "\u202e{id}",
]  # fmt: skip


@pytest.mark.parametrize("score", BAD_SCORES)
async def test_a_bad_score_is_refused_and_changes_nothing(transport, score):
    workshop = await make_session()
    participant = await join(workshop)
    [first] = await statement_ids(workshop, 1)
    phone = await phone_of(transport, workshop, participant)
    before = await version_of(workshop)
    reply = await phone.tap(str(first), score, str(uuid.uuid4()))
    assert reply.status == 400 and BAD_SCORE in reply.text
    assert await stored(workshop) == []
    assert await version_of(workshop) == before
    await phone.close()


@pytest.mark.parametrize("raw", BAD_STATEMENTS)
async def test_a_bad_statement_id_is_refused_and_changes_nothing(transport, raw):
    workshop = await make_session()
    participant = await join(workshop)
    [first] = await statement_ids(workshop, 1)
    phone = await phone_of(transport, workshop, participant)
    reply = await phone.tap(raw.replace("{id}", str(first)), "3", str(uuid.uuid4()))
    assert reply.status == 400 and NOT_OURS in reply.text
    assert await stored(workshop) == []
    await phone.close()


async def test_a_statement_of_another_instrument_or_unknown_is_refused(transport):
    workshop = await make_session()
    participant = await join(workshop)
    phone = await phone_of(transport, workshop, participant)
    for raw in ("999999999", str(2**63 - 1)):
        reply = await phone.tap(raw, "3", str(uuid.uuid4()))
        assert reply.status == 400 and NOT_OURS in reply.text
    assert await stored(workshop) == []
    await phone.close()


@pytest.mark.parametrize(
    "client_id", ["a" * 65, "tap id", "<script>", "ü", "\x00", "id\n", "\u200b"]
)
async def test_a_bad_client_id_is_refused_and_not_echoed(transport, client_id):
    workshop = await make_session()
    participant = await join(workshop)
    [first] = await statement_ids(workshop, 1)
    phone = await phone_of(transport, workshop, participant)
    reply = await phone.tap(str(first), "3", client_id)
    assert reply.status == 400 and UNREADABLE in reply.text
    assert reply.client_id in (None, client_id if len(client_id) <= 64 else None)
    assert "<script>" not in reply.text
    assert await stored(workshop) == []
    await phone.close()


# The websocket takes JSON: wrong types there, each refused with a message, never a crash.
WRONG_SHAPES = [
    "not json",
    "[]",
    "null",
    "3",
    '"answer"',
    "{}",
    '{"type": "other", "id": "x", "statement": 1, "score": "3"}',
    '{"type": "answer", "id": "t", "statement": 1.0, "score": "3"}',
    '{"type": "answer", "id": "t", "statement": true, "score": "3"}',
    '{"type": "answer", "id": "t", "statement": [1], "score": "3"}',
    '{"type": "answer", "id": "t", "statement": {"a": 1}, "score": "3"}',
    '{"type": "answer", "id": "t", "statement": null, "score": "3"}',
    '{"type": "answer", "id": "t", "statement": 1e400, "score": "3"}',
    '{"type": "answer", "id": "t", "statement": -5, "score": "3"}',
    '{"type": "answer", "id": "t", "statement": 99999999999999999999999, "score": "3"}',
    '{"type": "answer", "id": "t", "statement": STATEMENT, "score": 3}',
    '{"type": "answer", "id": "t", "statement": STATEMENT, "score": true}',
    '{"type": "answer", "id": "t", "statement": STATEMENT, "score": null}',
    '{"type": "answer", "id": "t", "statement": STATEMENT, "score": ["3"]}',
    '{"type": "answer", "id": 5, "statement": STATEMENT, "score": "3"}',
    '{"type": "answer", "id": ["t"], "statement": STATEMENT, "score": "3"}',
    '{"type": "answer", "statement": STATEMENT, "score": "3", "pad": "' + "x" * 2000 + '"}',
    "[" * 1000 + "]" * 1000,
    "[" * 500,
    "\ud800",
]


async def test_wrong_shapes_on_the_socket_are_refused_and_the_socket_goes_on():
    workshop = await make_session()
    participant = await join(workshop)
    first, second = await statement_ids(workshop)
    socket = await phone_of(Socket, workshop, participant)
    for text in WRONG_SHAPES:
        reply = await socket.send_text(text.replace("STATEMENT", str(first)))
        assert reply.status in (400, 403), text
        assert reply.text, text
    await socket.communicator.send_to(bytes_data=b"\x00\x01")
    assert (await socket.reply()).status == 400
    assert await stored(workshop) == []
    # The socket still carries taps afterwards.
    reply = await socket.tap(second, "2", "after")
    assert (reply.status, reply.client_id) == (200, "after")
    assert await stored(workshop) == [(second, 2)]
    await socket.close()


async def test_http_wrong_shapes_are_refused():
    workshop = await make_session()
    participant = await join(workshop)
    [first] = await statement_ids(workshop, 1)
    http = await phone_of(Http, workshop, participant)
    for body in (
        b"",
        b"statement=" + str(first).encode(),
        b"score=3",
        f"statement={first}&statement=1&score=9".encode(),
        b"statement=%FF%FE&score=3",
        f"statement={first}&score=3&client_id=".encode() + b"x" * 5000,
    ):
        reply = await http.post(body)
        assert reply.status == 400, body
    assert await stored(workshop) == []


async def test_refusals_over_the_socket_are_in_the_phones_language():
    workshop = await make_session()
    participant = await join(workshop)
    await set_phase(workshop, Phase.DISCUSSION)
    [first] = await statement_ids(workshop, 1)
    name, value = cookie_header(workshop, participant)
    for headers, expected in (
        ([(b"accept-language", b"en-GB,en;q=0.9")], "The survey is closed"),
        ([(b"accept-language", b"en")], "The survey is closed"),
        ([], CLOSED),
    ):
        communicator = WebsocketCommunicator(
            application,
            f"/ws/s/{workshop.code}/phone/",
            headers=[ORIGIN, HOST, (b"cookie", f"{name}={value}".encode()), *headers],
        )
        assert (await communicator.connect(timeout=TIMEOUT))[0]
        await communicator.receive_json_from(timeout=TIMEOUT)
        await communicator.send_json_to(
            {"type": "answer", "id": "t", "statement": first, "score": "3"}
        )
        reply = await communicator.receive_json_from(timeout=TIMEOUT)
        assert reply["type"] == "refused" and expected in reply["message"]
        await communicator.disconnect()


async def test_a_tap_over_the_socket_reaches_the_projector_with_its_version():
    workshop = await make_session()
    participant = await join(workshop)
    [first] = await statement_ids(workshop, 1)
    projector = WebsocketCommunicator(
        application,
        f"/ws/s/{workshop.code}/live/?key={workshop.projector_key}",
        headers=[ORIGIN, HOST],
    )
    assert (await projector.connect(timeout=TIMEOUT))[0]
    await projector.receive_json_from(timeout=TIMEOUT)
    socket = await phone_of(Socket, workshop, participant)
    reply = await socket.tap(first, "5", "to-the-projector")
    assert reply.status == 200
    snapshot = await projector.receive_json_from(timeout=TIMEOUT)
    while snapshot["version"] < reply.version:
        snapshot = await projector.receive_json_from(timeout=TIMEOUT)
    assert snapshot["version"] == reply.version
    assert snapshot["elements"][0]["items"][0]["counts"] == [0, 0, 0, 0, 1]
    await socket.close()
    await projector.disconnect()


async def test_a_tap_the_database_cannot_take_is_refused_for_a_retry_and_the_socket_stays(
    monkeypatch,
):
    """With the database away (the answer POST gets the 503 page), the socket says so with a
    status the phone retries on, and stays open for the taps after."""
    from django.db import OperationalError

    import live.taps

    workshop = await make_session()
    participant = await join(workshop)
    [first] = await statement_ids(workshop, 1)
    socket = await phone_of(Socket, workshop, participant)

    def away(**kwargs):
        raise OperationalError("couldn't get a connection after 3.00 sec")

    monkeypatch.setattr(live.taps, "answer_submit", away)
    reply = await socket.tap(first, "4", "while-away")
    assert (reply.status, reply.client_id) == (503, "while-away")
    assert "Nog niet opgeslagen" in reply.text
    monkeypatch.undo()
    reply = await socket.tap(first, "4", "back-again")
    assert (reply.status, reply.client_id) == (200, "back-again")
    assert await stored(workshop) == [(first, 4)]
    await socket.close()
