"""The live loop in one process: the websocket consumer, the coalesced broadcast, results_url."""

import asyncio
import json
import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string

from instrument.models import Statement
from scentiss.asgi import application
from sessions.models import Phase, Workshop
from sessions.services import participant_join, workshop_create
from survey.services import answer_save
from tests.conftest import ensure_instrument, participant_cookie

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1")
HOST = (b"host", b"127.0.0.1")  # a websocket's Origin must be its own host's
TIMEOUT = 3


@database_sync_to_async
def make_session(tables: int = 2) -> Workshop:
    instrument = ensure_instrument()
    return workshop_create(
        city="Zwolle", date="2026-11-26", tables=tables, instrument=instrument, phase=Phase.SURVEY
    )


@database_sync_to_async
def join(workshop: Workshop):
    return participant_join(workshop=workshop, table=workshop.tables.first(), role="")


@database_sync_to_async
def first_statements(workshop: Workshop, count: int) -> list[int]:
    qs = Statement.objects.filter(element__instrument_id=workshop.instrument_id)
    return list(qs.order_by("element__order", "order").values_list("pk", flat=True)[:count])


@database_sync_to_async
def save(participant, statement_id: int, score: int | None):
    return answer_save(participant=participant, statement_id=statement_id, score=score)


async def connect(workshop: Workshop, key: str | None = None) -> WebsocketCommunicator:
    path = f"/ws/s/{workshop.code}/live/?key={key or workshop.projector_key}"
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, HOST])
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


async def receive_until_version(communicator: WebsocketCommunicator, version: int) -> list[dict]:
    received = []
    while not received or received[-1]["version"] < version:
        received.append(await communicator.receive_json_from(timeout=TIMEOUT))
    return received


async def test_connect_sends_a_full_snapshot_first():
    workshop = await make_session()
    communicator = await connect(workshop)
    snapshot = await communicator.receive_json_from(timeout=TIMEOUT)
    assert snapshot["session"] == workshop.code
    assert snapshot["city"] == "Zwolle"
    assert snapshot["respondents"] == 0
    assert [e["key"] for e in snapshot["elements"]] == [
        "kennis", "netwerk", "cultuur", "financiering", "publiek", "ruimte",
    ]  # fmt: skip
    assert sum(len(e["items"]) for e in snapshot["elements"]) == 46
    await communicator.disconnect()


@pytest.mark.parametrize("key", ["wrong", ""])
async def test_a_wrong_key_is_refused(key):
    workshop = await make_session()
    path = f"/ws/s/{workshop.code}/live/?key={key}"
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, HOST])
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert not connected


async def test_another_sessions_key_is_refused():
    workshop, other = await make_session(), await make_session()
    path = f"/ws/s/{workshop.code}/live/?key={other.projector_key}"
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, HOST])
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert not connected


async def test_a_foreign_origin_is_refused():
    workshop = await make_session()
    path = f"/ws/s/{workshop.code}/live/?key={workshop.projector_key}"
    communicator = WebsocketCommunicator(
        application, path, headers=[(b"origin", b"http://evil.example"), HOST]
    )
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert not connected


async def test_an_answer_reaches_the_projector_with_its_version():
    workshop = await make_session()
    participant = await join(workshop)
    communicator = await connect(workshop)
    await communicator.receive_json_from(timeout=TIMEOUT)
    [statement] = await first_statements(workshop, 1)
    saved = await save(participant, statement, 4)
    snapshot = (await receive_until_version(communicator, saved.version))[-1]
    assert snapshot["version"] == saved.version
    assert snapshot["respondents"] == 1
    assert snapshot["elements"][0]["score"] == 4.0
    assert snapshot["elements"][0]["items"][0]["counts"] == [0, 0, 0, 1, 0]
    await communicator.disconnect()


async def test_a_burst_is_coalesced_and_ends_on_the_newest_version():
    workshop = await make_session()
    participants = [await join(workshop) for _ in range(5)]
    communicator = await connect(workshop)
    await communicator.receive_json_from(timeout=TIMEOUT)
    statements = await first_statements(workshop, 8)
    last = None
    started = time.monotonic()
    for participant in participants:
        for statement in statements:
            last = await save(participant, statement, 3)
    received = await receive_until_version(communicator, last.version)
    elapsed = time.monotonic() - started
    # 40 answers: at most one snapshot per interval (the shortest; plus the leading and
    # trailing one), however fast they came, and far fewer than 40.
    assert len(received) <= elapsed / settings.RESULTS_BROADCAST_MIN_INTERVAL + 2
    assert len(received) < 40
    assert received[-1]["respondents"] == 5
    assert received[-1]["elements"][0]["items"][0]["n"] == 5
    versions = [m["version"] for m in received]
    assert versions == sorted(set(versions))
    # Nothing further was pending: the last snapshot already held the newest version.
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_an_unchanged_answer_sends_nothing():
    workshop = await make_session()
    participant = await join(workshop)
    [statement] = await first_statements(workshop, 1)
    saved = await save(participant, statement, 2)
    communicator = await connect(workshop)
    assert (await communicator.receive_json_from(timeout=TIMEOUT))["version"] == saved.version
    again = await save(participant, statement, 2)
    assert not again.changed
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_client_input_is_ignored_and_the_feed_goes_on():
    workshop = await make_session()
    participant = await join(workshop)
    communicator = await connect(workshop)
    await communicator.receive_json_from(timeout=TIMEOUT)
    await communicator.send_to(text_data="{not json" * 10000)
    await communicator.send_to(bytes_data=b"\x00\xff" * 1000)
    [statement] = await first_statements(workshop, 1)
    saved = await save(participant, statement, 5)
    received = await receive_until_version(communicator, saved.version)
    assert received[-1]["elements"][0]["score"] == 5.0
    await communicator.disconnect()


async def test_a_tap_over_http_reaches_the_projector():
    """The whole loop through the ASGI app: the phone's POST to the projector's websocket."""
    workshop = await make_session()
    participant = await join(workshop)
    communicator = await connect(workshop)
    await communicator.receive_json_from(timeout=TIMEOUT)
    [statement] = await first_statements(workshop, 1)
    csrf = _get_new_csrf_string()
    name, value = participant_cookie(workshop, str(participant.token))
    body = f"statement={statement}&score=5".encode()
    http = HttpCommunicator(
        application,
        "POST",
        f"/s/{workshop.code}/answer/",
        body=body,
        headers=[
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"cookie", f"csrftoken={csrf}; {name}={value}".encode()),
            (b"x-csrftoken", csrf.encode()),
            (b"hx-request", b"true"),
        ],
    )
    response = await http.get_response(timeout=TIMEOUT)
    assert response["status"] == 200, response["body"]
    version = int(dict(response["headers"])[b"X-Results-Version"])
    received = await receive_until_version(communicator, version)
    assert received[-1]["elements"][0]["score"] == 5.0
    await communicator.disconnect()


async def test_results_url_equals_the_live_snapshot():
    workshop = await make_session()
    participant = await join(workshop)
    statements = await first_statements(workshop, 3)
    for statement, score in zip(statements, [1, None, 4], strict=True):
        saved = await save(participant, statement, score)
    communicator = await connect(workshop)
    live = await communicator.receive_json_from(timeout=TIMEOUT)
    http = HttpCommunicator(
        application,
        "GET",
        f"/s/{workshop.code}/results.json?key={workshop.projector_key}",
        headers=[(b"host", b"127.0.0.1")],
    )
    response = await http.get_response(timeout=TIMEOUT)
    assert response["status"] == 200
    assert json.loads(response["body"]) == live
    assert live["version"] == saved.version
    assert live["elements"][0]["score"] == 2.5
    assert live["elements"][0]["dont_know"] == 1
    forbidden = HttpCommunicator(
        application, "GET", f"/s/{workshop.code}/results.json?key=nope",
        headers=[(b"host", b"127.0.0.1")],
    )  # fmt: skip
    assert (await forbidden.get_response(timeout=TIMEOUT))["status"] == 403
    await communicator.disconnect()


async def test_several_projectors_all_follow():
    workshop = await make_session()
    participant = await join(workshop)
    projectors = [await connect(workshop) for _ in range(3)]
    for p in projectors:
        await p.receive_json_from(timeout=TIMEOUT)
    [statement] = await first_statements(workshop, 1)
    saved = await save(participant, statement, 1)
    results = await asyncio.gather(*(receive_until_version(p, saved.version) for p in projectors))
    assert all(r[-1]["elements"][0]["score"] == 1.0 for r in results)
    for p in projectors:
        await p.disconnect()


async def test_one_process_of_the_cluster_snapshots_a_session_per_interval(settings):
    """Processes share the work through Redis: while one holds a session's claim for the
    interval, another gets nothing to do for it (its next tick looks again), and the holder's
    own next tick renews it (its ticks are an interval apart already); once the claim expires
    the session can be claimed anew. Without Redis (one process) it claims all."""
    from live.broadcast import _claim

    assert settings.REDIS_URL, "CI runs the Redis layer: set REDIS_URL"
    session_id = int(time.time() * 1000)  # a session no other run claims
    interval = 0.05
    both = [session_id, session_id + 1]
    assert await _claim(both, interval, holder="a") == both
    assert await _claim([session_id], interval, holder="b") == []
    assert await _claim(both, interval, holder="a") == both  # renewed by its holder
    deadline = time.monotonic() + 2
    while not await _claim([session_id], interval, holder="b"):
        assert time.monotonic() < deadline, "the claim did not expire after its interval"
        await asyncio.sleep(0.01)
    # b holds the first now; the second is a's still, or free: a gets that one only.
    assert await _claim(both, interval, holder="a") == [session_id + 1]
    settings.REDIS_URL = ""
    assert await _claim([session_id], interval, holder="a") == [session_id]


def test_the_snapshot_interval_follows_the_cost_of_the_snapshots():
    """Free cores: a busy session's chart follows within the shortest interval; costly
    snapshots (a saturated machine) are spaced out so that they take at most a quarter of the
    time, up to the longest interval, leaving the rest to the answers."""
    from live.broadcast import ResultsBroadcaster, _LoopState

    broadcaster = ResultsBroadcaster(interval=0.1, min_interval=0.025)
    state = _LoopState(loop=asyncio.new_event_loop())
    try:
        assert broadcaster.spacing(state) == 0.025  # no tick yet
        state.last_cost = 0.004
        assert broadcaster.spacing(state) == 0.025
        state.last_cost = 0.015
        assert broadcaster.spacing(state) == pytest.approx(0.06)
        state.last_cost = 0.5
        assert broadcaster.spacing(state) == 0.1
    finally:
        state.loop.close()
    assert ResultsBroadcaster(interval=0.1).spacing(state) == 0.1  # fixed when no minimum


async def test_a_deferred_tick_ends_before_its_snapshots_are_delivered(monkeypatch):
    """A deferred tick hands its snapshots to the channel layer and ends: their delivery is
    not in its cost (the next spacing), and the next tick waits for it, so that at most one
    tick's sends are in flight."""
    import live.broadcast as broadcast

    delivered = asyncio.Event()
    sent: list[str] = []

    class SlowLayer:
        async def group_send(self, group: str, message: dict) -> None:
            await delivered.wait()
            sent.append(group)

    monkeypatch.setattr(broadcast, "get_channel_layer", SlowLayer)
    monkeypatch.setattr(
        broadcast,
        "results_snapshots",
        lambda workshop_ids: {w: {"version": 1} for w in workshop_ids},
    )
    ticks = broadcast.ResultsBroadcaster(interval=0.1, min_interval=0.025)
    state = ticks._state()
    state.dirty = {1}
    await ticks._tick(state, claim=False, detach=True)
    assert sent == [] and state.sending is not None and not state.sending.done()
    state.dirty = {2}
    second = asyncio.ensure_future(ticks._tick(state, claim=False, detach=True))
    await asyncio.sleep(0)
    assert not second.done()  # waits for the first tick's sends
    delivered.set()
    await second
    await state.sending
    assert sorted(sent) == [broadcast.session_group(1), broadcast.session_group(2)]
