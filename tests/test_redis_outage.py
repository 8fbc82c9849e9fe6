"""Redis away (the channel layer's): a websocket is refused cleanly, on the real server.

A handshake gets 503 (the pages' websocket client retries: static/js/live.js) and an open
websocket is closed with 1013 "try again later", not a 500 or a dropped connection, and the
server's log has one line per refusal, no traceback. bench/faults/restart_redis.py restarts
Redis under live projectors.
"""

import asyncio
import json
import queue
import subprocess
import threading
import time

import pytest
import websockets

from tests.conftest import free_port, start_server, stop_server

pytestmark = pytest.mark.django_db(transaction=True)


class OwnRedis:
    """A Redis server of this test's own (no persistence), to stop under the app."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        # Wait for the server to say it is ready (read from its log, not guessed by sleeping).
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:  # keeps the pipe drained for the server's whole life
            for line in self.process.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + 10
        while (left := deadline - time.monotonic()) > 0:
            line = lines.get(timeout=left)
            assert line is not None, "redis did not come up"
            if "Ready to accept connections" in line:
                break
        else:
            raise AssertionError("redis did not come up")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_and_server(transactional_db):
    own = OwnRedis()
    server = start_server(extra_env={"REDIS_URL": own.url, "CHANNEL_PREFIX": "redis_outage"})
    yield own, server
    stop_server(server)
    own.stop()


async def _attempt(url: str, origin: str) -> tuple[str, int | None]:
    """("open", None) with the first message read, ("status", 503) or ("closed", code)."""
    try:
        async with websockets.connect(url, origin=origin, open_timeout=10) as ws:
            json.loads(await asyncio.wait_for(ws.recv(), 10))
            return "open", None
    except websockets.InvalidStatus as refused:
        return "status", refused.response.status_code
    except websockets.ConnectionClosed as closed:
        return "closed", closed.rcvd.code if closed.rcvd else None


def test_with_redis_away_websockets_are_refused_cleanly(redis_and_server, workshop):
    own, server = redis_and_server
    url = f"ws://{server.host}/ws/s/{workshop.code}/live/?key={workshop.projector_key}"

    async def scenario() -> tuple[int | None, list[tuple[str, int | None]]]:
        async with websockets.connect(url, origin=server.url, open_timeout=10) as projector:
            json.loads(await asyncio.wait_for(projector.recv(), 10))
            await asyncio.to_thread(own.stop)  # Redis goes away under an open websocket
            try:
                await asyncio.wait_for(projector.recv(), 15)
                code = None
            except websockets.ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else None
        # New handshakes while Redis is away.
        attempts = [await _attempt(url, server.url) for _ in range(3)]
        return code, attempts

    code, attempts = asyncio.run(scenario())
    assert code == 1013, "the open websocket was not closed with 'try again later'"
    assert all(attempt == ("status", 503) for attempt in attempts), attempts
    assert server.process.poll() is None
    assert server.errors() == []


def test_with_no_redis_at_all_a_handshake_is_a_503(workshop):
    server = start_server(extra_env={"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    try:
        url = f"ws://{server.host}/ws/s/{workshop.code}/live/?key={workshop.projector_key}"
        assert asyncio.run(_attempt(url, server.url)) == ("status", 503)
        assert server.errors() == []
    finally:
        stop_server(server)
