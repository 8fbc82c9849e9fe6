"""One participant's cookie against the phone websocket (ws/s/<code>/phone/), on the real
server: a bounded number of sockets per participant, a bounded tap rate per participant that
answers "slow down" instead of dropping taps, and a bounded number of Redis connections per
server process however many sockets came and went."""

import asyncio
import json
from urllib.parse import urlparse

import pytest
import redis
import websockets
from django.conf import settings

from sessions.models import Participant
from tests.conftest import participant_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def _cookie_header(workshop, participant) -> str:
    name, value = participant_cookie(workshop, str(participant.token))
    return f"{name}={value}"


async def _phone(server, workshop, cookie: str) -> tuple[websockets.ClientConnection, int | None]:
    """A phone's socket: (socket, None) once the state arrived, else (socket, close code)."""
    url = f"ws://{server.host}/ws/s/{workshop.code}/phone/"
    ws = await websockets.connect(
        url, origin=server.url, additional_headers={"Cookie": cookie}, open_timeout=10
    )
    try:
        json.loads(await asyncio.wait_for(ws.recv(), 10))
        return ws, None
    except websockets.ConnectionClosed as closed:
        return ws, closed.rcvd.code if closed.rcvd else None


def test_one_participant_holds_at_most_three_phone_sockets(server, workshop):
    participant = Participant.objects.create(workshop=workshop, seat=1)
    cookie = _cookie_header(workshop, participant)

    async def run() -> list[int | None]:
        outcomes, held = [], []
        for _ in range(10):
            ws, refused = await _phone(server, workshop, cookie)
            outcomes.append(refused)
            held.append(ws)
        # One closes: its place is free again for the same participant.
        await held[0].close()
        deadline = asyncio.get_running_loop().time() + 10
        while True:
            ws, refused = await _phone(server, workshop, cookie)
            held.append(ws)
            if refused is None:
                break
            assert asyncio.get_running_loop().time() < deadline, "the place was not given back"
            await asyncio.sleep(0.1)
        for ws in held:
            await ws.close()
        return outcomes

    outcomes = asyncio.run(run())
    assert outcomes[:3] == [None, None, None]
    assert outcomes[3:] == [4429] * 7


def test_a_flood_of_taps_is_slowed_down_and_nothing_acknowledged_is_dropped(server, workshop):
    flooder = Participant.objects.create(workshop=workshop, seat=1)
    other = Participant.objects.create(workshop=workshop, seat=2)
    statement_ids = [s.pk for e in workshop.instrument.elements.all() for s in e.statements.all()]
    taps = 300

    async def run() -> tuple[dict, dict]:
        ws, refused = await _phone(server, workshop, _cookie_header(workshop, flooder))
        assert refused is None
        for n in range(taps):
            statement = statement_ids[n % len(statement_ids)]
            await ws.send(
                json.dumps({"type": "answer", "id": f"t{n}", "statement": statement, "score": "3"})
            )
        replies: dict[str, dict] = {}
        while len(replies) < taps:  # every tap gets a reply: an ack or a refusal
            reply = json.loads(await asyncio.wait_for(ws.recv(), 30))
            replies[reply["id"]] = reply
        # Another phone's tap right after is acknowledged: the flood's limit is not its.
        other_ws, refused = await _phone(server, workshop, _cookie_header(workshop, other))
        assert refused is None
        await other_ws.send(
            json.dumps({"type": "answer", "id": "o1", "statement": statement_ids[0], "score": "4"})
        )
        other_reply = json.loads(await asyncio.wait_for(other_ws.recv(), 30))
        await ws.close()
        await other_ws.close()
        return replies, other_reply

    replies, other_reply = asyncio.run(run())
    kinds = [r["type"] if r["type"] == "ack" else r["status"] for r in replies.values()]
    assert kinds.count("ack") >= 1
    assert 429 in kinds, "a flood of taps was not slowed down"
    assert set(kinds) <= {"ack", 429}
    slow_down = next(r for r in replies.values() if r["type"] == "refused")
    assert slow_down["message"]
    assert other_reply["type"] == "ack"


def _connections_in_db(client: redis.Redis, db: int) -> int:
    return sum(1 for c in client.client_list() if int(c.get("db", -1)) == db)


def test_redis_connections_of_a_server_stay_bounded_as_sockets_come_and_go(server, workshop):
    """Many phones connecting at once used to grow the channel layer's pool by one Redis
    connection per concurrent operation, and the pool never gave them back."""
    assert settings.REDIS_URL
    db = int(urlparse(settings.REDIS_URL).path.lstrip("/") or 0)
    client = redis.Redis.from_url(settings.REDIS_URL)
    participants = Participant.objects.bulk_create(
        Participant(workshop=workshop, seat=n) for n in range(1, 201)
    )
    cookies = [_cookie_header(workshop, p) for p in participants]

    async def run() -> int:
        first, refused = await _phone(server, workshop, cookies[0])
        assert refused is None
        await first.close()
        opened = await asyncio.gather(*(_phone(server, workshop, c) for c in cookies))
        assert all(refused is None for _, refused in opened)
        peak = _connections_in_db(client, db)
        await asyncio.gather(*(ws.close() for ws, _ in opened))
        for _ in range(20):
            await asyncio.sleep(0.2)
            peak = max(peak, _connections_in_db(client, db))
        return peak

    baseline = _connections_in_db(client, db)
    peak = asyncio.run(run())
    bound = settings.REDIS_POOL_MAX_CONNECTIONS * 2 + 10  # the channel layer's and the caps'
    assert peak - baseline <= bound, (baseline, peak)
    after = _connections_in_db(client, db)
    assert after - baseline <= bound, (baseline, after)
    client.close()


@pytest.fixture
def slow_tap_server(transactional_db):
    from tests.conftest import start_server, stop_server

    server = start_server(extra_env={"PHONE_TAP_RATE": "1/5 seconds"})
    yield server
    stop_server(server)


def test_a_phone_told_to_slow_down_sends_its_taps_again(browser, slow_tap_server, workshop):
    """Over the tap rate the server answers 429 over the socket; the phone keeps the tap and
    sends it again (it used to show it as refused and drop it)."""
    from tests.browser_helpers import PHONE

    participant = Participant.objects.create(workshop=workshop, seat=1)
    name, value = participant_cookie(workshop, str(participant.token))
    context = browser.new_context(**PHONE)
    context.add_cookies([{"name": name, "value": value, "url": slow_tap_server.url}])
    page = context.new_page()
    page.goto(f"{slow_tap_server.url}/s/{workshop.code}/survey/1/")
    page.wait_for_function("() => window.scentissPhone && window.scentissPhone.isOpen()")
    forms = page.locator("form.statement")
    for n in range(3):  # three taps at once: the second and third are over the rate
        forms.nth(n).locator("label").nth(2).click()
    for n in range(3):
        forms.nth(n).locator("xpath=self::*[contains(@class, 'answered')]").wait_for(timeout=30_000)
    assert page.locator("form.statement.rejected").count() == 0
    context.close()
    assert participant.answers.count() == 3
