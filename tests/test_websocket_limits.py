"""The websocket side against a hostile room: unknown paths, foreign origins, wrong keys, and
one projector key opening connection after connection. On the real server
(uvicorn) where the server's behaviour is the point, through the ASGI application otherwise.
"""

import asyncio
import json

import httpx
import pytest
import websockets
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import override_settings

from scentiss.asgi import application
from tests.conftest import HTTPX_TLS, start_server, stop_server

pytestmark = pytest.mark.django_db(transaction=True)

HOST = (b"host", b"127.0.0.1:8000")  # the app as the browser reached it


def _server_log_has_no_traceback(server) -> None:
    # A refusal is one short line at most: no ERROR line and no traceback in the server's log.
    assert server.process.poll() is None
    assert server.errors() == []


@pytest.mark.parametrize(
    "origin",
    [
        b"http://127.0.0.1:1",  # another port: another origin
        b"https://127.0.0.1",  # another scheme
        b"https://127.0.0.1:8000",
        b"http://127.0.0.1",  # the default port (80) is another port
        b"http://localhost:8000",  # another host, even if allowed
        b"http://127.0.0.1:8000.evil.example",
        b"null",
    ],
)
async def test_a_websocket_from_another_origin_is_refused(workshop, origin):
    path = f"/ws/s/{workshop.code}/live/?key={workshop.projector_key}"
    communicator = WebsocketCommunicator(application, path, headers=[(b"origin", origin), HOST])
    connected, _ = await communicator.connect(timeout=3)
    assert not connected, origin


async def test_a_websocket_from_its_own_origin_is_accepted(workshop):
    path = f"/ws/s/{workshop.code}/live/?key={workshop.projector_key}"
    communicator = WebsocketCommunicator(
        application, path, headers=[(b"origin", b"http://127.0.0.1:8000"), HOST]
    )
    connected, _ = await communicator.connect(timeout=3)
    assert connected
    await communicator.disconnect()


@override_settings(CSRF_TRUSTED_ORIGINS=["https://scentiss.example.org"])
async def test_a_trusted_origin_is_accepted_behind_a_proxy(workshop):
    """A proxy that terminates HTTPS but does not say so: the origin is in the trusted list."""
    path = f"/ws/s/{workshop.code}/live/?key={workshop.projector_key}"
    communicator = WebsocketCommunicator(
        application,
        path,
        headers=[(b"origin", b"https://scentiss.example.org"), (b"host", b"127.0.0.1")],
    )
    connected, _ = await communicator.connect(timeout=3)
    assert connected
    await communicator.disconnect()


def test_on_the_real_server_origin_must_match_scheme_host_and_port(server, workshop):
    async def attempt(origin: str) -> bool:
        url = f"ws://{server.host}/ws/s/{workshop.code}/live/?key={workshop.projector_key}"
        try:
            async with websockets.connect(url, origin=origin, open_timeout=5) as ws:
                json.loads(await asyncio.wait_for(ws.recv(), 5))
                return True
        except websockets.InvalidStatus as refused:
            assert refused.response.status_code == 403
            return False

    port = server.url.rsplit(":", 1)[1]
    assert asyncio.run(attempt(server.url))
    assert not asyncio.run(attempt("http://127.0.0.1:1"))
    assert not asyncio.run(attempt("https://127.0.0.1"))
    assert not asyncio.run(attempt(f"https://127.0.0.1:{port}"))


def test_an_unknown_websocket_path_is_a_404_not_a_500(server, workshop, capfd):
    async def attempt(path: str) -> int:
        try:
            async with websockets.connect(
                f"ws://{server.host}{path}", origin=server.url, open_timeout=5
            ):
                return 101
        except websockets.InvalidStatus as refused:
            return refused.response.status_code

    for path in [
        f"/ws/s/{workshop.code}/other/",
        "/ws/",
        "/ws/s/%00/live/x/",
        "/healthz",
        f"/ws/s/{workshop.code}/live/extra/",
    ]:
        assert asyncio.run(attempt(path)) == 404, path
    # The known paths still work.
    assert asyncio.run(attempt(f"/ws/s/{workshop.code}/live/?key={workshop.projector_key}")) == 101
    _server_log_has_no_traceback(server)
    assert "Traceback" not in capfd.readouterr().err


def test_a_wrong_key_is_refused_with_one_short_line_in_the_log(server, workshop):
    for key in ["wrong", "", "%C3%A9"]:  # the projector's page, then its websocket
        page = httpx.get(f"{server.url}/s/{workshop.code}/projector/?key={key}", verify=HTTPX_TLS)
        assert page.status_code == 403

    async def attempt(path: str) -> int | None:
        try:
            async with websockets.connect(
                f"ws://{server.host}{path}", origin=server.url, open_timeout=5
            ) as ws:
                await ws.recv()
        except websockets.InvalidStatus as refused:
            return refused.response.status_code
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
        return None

    for path in [
        f"/ws/s/{workshop.code}/live/?key=wrong",
        f"/ws/s/{workshop.code}/live/",
        f"/ws/s/{workshop.code}/live/?key=%C3%A9%00",
        f"/ws/s/{workshop.code}/phone/",
        f"/ws/s/{workshop.code}/notes/",
        f"/ws/s/{workshop.code}/chair/wrong/",
        "/ws/s/NOPE/live/?key=x",
    ]:
        assert await_refusal(attempt(path)) in (403, 4403), path
    _server_log_has_no_traceback(server)
    refusals = [line for line in server.log if "/ws/s/" in line]
    assert all(len(line) < 400 for line in refusals), refusals


def await_refusal(coroutine) -> int | None:
    return asyncio.run(coroutine)


CAP = 3


@pytest.fixture
def two_capped_servers(transactional_db):
    assert settings.REDIS_URL, "the cap holds across processes through Redis (REDIS_URL)"
    servers = [start_server(extra_env={"WS_PER_PROJECTOR_KEY": str(CAP)}) for _ in range(2)]
    yield servers
    for server in servers:
        stop_server(server)


def test_one_projector_key_opens_a_bounded_number_of_websockets_across_processes(
    two_capped_servers, workshop
):
    asyncio.run(_cap_across(two_capped_servers, workshop))


async def _open(server, workshop) -> tuple[websockets.ClientConnection, int | None]:
    """A projector's connection: the snapshot if let in, else the close code."""
    url = f"ws://{server.host}/ws/s/{workshop.code}/live/?key={workshop.projector_key}"
    ws = await websockets.connect(url, origin=server.url, open_timeout=5)
    try:
        json.loads(await asyncio.wait_for(ws.recv(), 5))
        return ws, None
    except websockets.ConnectionClosed as closed:
        return ws, closed.rcvd.code if closed.rcvd else None


async def _cap_across(servers, workshop) -> None:
    a, b = servers
    held = []
    for server in (a, b, a):  # three places, on both processes
        ws, refused = await _open(server, workshop)
        assert refused is None
        held.append(ws)
    for server in (a, b):  # the fourth, on either process, is turned away
        _, refused = await _open(server, workshop)
        assert refused == 4429
    # One projector goes away: its place is free again, also for the other process.
    await held.pop(0).close()
    deadline = asyncio.get_running_loop().time() + 5
    while True:
        ws, refused = await _open(b, workshop)
        if refused is None:
            held.append(ws)
            break
        assert asyncio.get_running_loop().time() < deadline, "the place was not given back"
        await asyncio.sleep(0.05)
    for ws in held:
        await ws.close()


@override_settings(REDIS_URL="", WS_PER_PROJECTOR_KEY=2)
async def test_without_redis_the_cap_holds_in_the_process(workshop):
    path = f"/ws/s/{workshop.code}/live/?key={workshop.projector_key}"
    headers = [(b"origin", b"http://127.0.0.1:8000"), HOST]
    held = []
    for _ in range(2):
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await communicator.connect(timeout=3)
        assert connected
        await communicator.receive_from(timeout=3)
        held.append(communicator)
    third = WebsocketCommunicator(application, path, headers=headers)
    await third.connect(timeout=3)
    assert (await third.receive_output(timeout=3))["code"] == 4429
    await held.pop().disconnect()
    fourth = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await fourth.connect(timeout=3)
    assert connected and (await fourth.receive_from(timeout=3))
    for communicator in (*held, fourth):
        await communicator.disconnect()


async def test_the_organisers_login_does_not_use_the_keys_places(workshop, django_user_model):
    from asgiref.sync import sync_to_async
    from django.test import Client

    user = await sync_to_async(django_user_model.objects.create_user)("org", password="x" * 12)
    client = Client()
    await sync_to_async(client.force_login)(user)
    session = client.cookies["sessionid"].value
    path = f"/ws/s/{workshop.code}/live/"
    headers = [
        (b"origin", b"http://127.0.0.1:8000"),
        HOST,
        (b"cookie", f"sessionid={session}".encode()),
    ]
    held = []
    with override_settings(WS_PER_PROJECTOR_KEY=1):
        for _ in range(3):
            communicator = WebsocketCommunicator(application, path, headers=headers)
            connected, _ = await communicator.connect(timeout=3)
            assert connected
            assert await communicator.receive_from(timeout=3)
            held.append(communicator)
    for communicator in held:
        await communicator.disconnect()
