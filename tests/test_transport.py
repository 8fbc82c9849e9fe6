"""Slow and stalled clients, tried with raw sockets on the real server (uvicorn).

A client that stops half-way through its headers or its body must cost only its own
connection: the room's answers and /healthz go on, and the stalled connection is closed after
the header or body time limit.
"""

import asyncio
import contextlib
import re
import socket
import subprocess
import time

import httpx
import pytest

from scentiss.transport import UVICORN_ARGS
from tests.conftest import BASE_DIR, HTTPX_TLS

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 5  # seconds: HTTP_HEADER_TIMEOUT and HTTP_BODY_TIMEOUT of the server under test
STALLED = 12  # more than HTTP_CONCURRENCY (3) of each kind


# The server under test (the `server` fixture, one for the module: tests/conftest.py).
SERVER_ENV = {"HTTP_HEADER_TIMEOUT": str(LIMIT), "HTTP_BODY_TIMEOUT": str(LIMIT)}


def _port(server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def _stall(port: int, data: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(data)
    return sock


STALLED_BODY = (
    b"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
)
STALLED_HEADERS = b"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n"
SILENT = b""


def _closed_within(sock: socket.socket, seconds: float) -> tuple[bool, bytes]:
    """Whether the server closes the connection within `seconds`; what it said before."""
    sock.settimeout(seconds)
    said = b""
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            chunk = sock.recv(4096)
            if not chunk:
                return True, said
            said += chunk
    except TimeoutError:
        return False, said
    except ConnectionResetError:
        return True, said
    return False, said


def test_stalled_headers_and_bodies_do_not_delay_healthz_or_an_answer(server, workshop):
    port = _port(server)
    asyncio.run(_a_phone_answers(server, workshop, within=30))  # a process that served before
    stalled = (
        [_stall(port, STALLED_BODY) for _ in range(STALLED)]
        + [_stall(port, STALLED_HEADERS) for _ in range(STALLED)]
        + [_stall(port, SILENT) for _ in range(STALLED)]
    )
    opened = time.monotonic()
    try:
        # The room goes on: a health check and a phone that joins and answers, while every
        # stalled connection is still open (before, they waited as long as those stalled).
        asyncio.run(_a_phone_answers(server, workshop, within=LIMIT - 1))
        assert time.monotonic() - opened < LIMIT, "the phone's requests came after the limit"
        # Each stalled connection is closed after the limit (a little slack), not kept.
        for sock in stalled:
            closed, said = _closed_within(sock, LIMIT + 3 - (time.monotonic() - opened))
            assert closed, f"a stalled connection is still open after {LIMIT + 3} s"
            assert not said or said.startswith((b"HTTP/1.1 408", b"HTTP/1.1 400")), said[:80]
        # The room never noticed.
        asyncio.run(_a_phone_answers(server, workshop, within=LIMIT - 1))
    finally:
        for sock in stalled:
            sock.close()


async def _a_phone_answers(server, workshop, *, within: float) -> None:
    async with httpx.AsyncClient(verify=HTTPX_TLS, base_url=server.url, timeout=within) as phone:
        assert (await phone.get("/healthz")).text == "ok"
        await phone.get(f"/j/{workshop.code}/")
        csrf = phone.cookies["csrftoken"]
        joined = await phone.post(
            f"/j/{workshop.code}/",
            data={"csrfmiddlewaretoken": csrf, "consent": "on"},
            headers={"Referer": server.url + "/"},
            follow_redirects=True,
        )
        assert joined.status_code == 200
        statement = re.search(r'name="statement" value="(\d+)"', joined.text).group(1)
        saved = await phone.post(
            f"/s/{workshop.code}/answer/",
            data={"statement": statement, "score": "4"},
            headers={"X-CSRFToken": csrf, "HX-Request": "true", "Referer": server.url + "/"},
        )
        assert saved.status_code == 200, saved.text[:300]


def test_a_body_that_trickles_in_slower_than_the_limit_is_refused(server):
    """One byte per half second: the body time limit is a total, not per chunk."""
    port = _port(server)
    sock = _stall(port, STALLED_BODY.replace(b"1000", b"20"))
    started = time.monotonic()
    said = b""
    sock.settimeout(0.5)
    try:
        for _ in range(20):
            sock.sendall(b"a")
            try:
                said += sock.recv(4096)
            except TimeoutError:
                continue
            if said:
                break
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        sock.close()
    assert said.startswith(b"HTTP/1.1 408"), said[:80]
    assert time.monotonic() - started < LIMIT + 2


def test_a_body_over_the_size_limit_is_refused_before_it_is_read(server):
    port = _port(server)
    huge = STALLED_BODY.replace(b"1000", str(50 * 1024 * 1024).encode())
    sock = _stall(port, huge)
    try:
        closed, said = _closed_within(sock, 5)
    finally:
        sock.close()
    assert said.startswith(b"HTTP/1.1 413"), said[:80]
    assert closed


def test_every_start_command_uses_the_limits_on_slow_clients():
    """`make run`, the start commands in docs/deployment.md and the container's (Dockerfile,
    which docker-compose builds) start uvicorn with the protocol that limits a request's headers (the tests and
    benchmarks import UVICORN_ARGS)."""
    flags = " ".join(UVICORN_ARGS)
    make_run = subprocess.run(
        ["make", "-n", "run"], cwd=BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    documented = (BASE_DIR / "docs" / "deployment.md").read_text()
    container = (BASE_DIR / "Dockerfile").read_text()
    assert flags in make_run
    assert flags in " ".join(documented.split())
    assert flags in " ".join(container.split())


def test_headers_over_the_size_limit_are_refused(server):
    sock = _stall(_port(server), b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    try:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for _ in range(100):  # 100 KiB of headers, fast: the time limit is not the point
                sock.sendall(b"X-Padding: " + b"p" * 1010 + b"\r\n")
        closed, said = _closed_within(sock, 5)
    finally:
        sock.close()
    assert said.startswith(b"HTTP/1.1 431"), said[:80]
    assert closed


def test_a_keep_alive_connection_serves_request_after_request(server):
    """The header limit starts again after each response: a phone's connection is reused."""
    sock = _stall(_port(server), b"")
    try:
        for _ in range(3):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            said = b""
            while not said.endswith(b"ok"):
                said += sock.recv(4096)
            assert said.startswith(b"HTTP/1.1 200")
        # Two requests in one write (pipelined): both answered.
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 2)
        said = b""
        while said.count(b"ok") < 2:
            said += sock.recv(4096)
        assert said.count(b"HTTP/1.1 200") == 2
    finally:
        sock.close()


def test_an_organisers_large_upload_reaches_the_import_page(server, workshop, django_user_model):
    """The body limits leave room for the answers import (files up to 20 MB): a file over that
    gets the import page's own message, through the real server."""
    from django.test import Client

    organiser = Client()
    organiser.force_login(django_user_model.objects.create_user("org", password="x" * 12))
    cookies = {"sessionid": organiser.cookies["sessionid"].value}
    with httpx.Client(verify=HTTPX_TLS, base_url=server.url, cookies=cookies, timeout=60) as client:
        assert client.get(f"/s/{workshop.code}/import/").status_code == 200
        big = b"participant,statement,score,dont_know\n" + b"x" * (21 * 1024 * 1024)
        response = client.post(
            f"/s/{workshop.code}/import/",
            files={"file": ("big.csv", big, "text/csv")},
            data={"csrfmiddlewaretoken": client.cookies["csrftoken"]},
            headers={"Referer": server.url + "/"},
        )
    assert response.status_code == 400, response.text[:200]
    assert "20 MB" in response.text


def _answer(sock: socket.socket, seconds: float = 10) -> bytes:
    """What the server says until it closes the connection or `seconds` pass."""
    _closed, said = _closed_within(sock, seconds)
    return said


def test_headers_and_a_large_body_in_one_write_are_not_taken_for_large_headers(server):
    """Only the headers count toward the header limit: a client that sends its headers and a
    200 KB body in one write (curl, an upload) gets an answer to its request, not a 431."""
    body = b"a=" + b"x" * 200_000
    request = (
        b"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    sock = _stall(_port(server), request + body)
    try:
        said = _answer(sock)
    finally:
        sock.close()
    # Django's answer (the form has no CSRF token): the request and its body reached the app.
    assert said.startswith(b"HTTP/1.1 403"), said[:80]
    assert b"CSRF" in said


def _upgrade(path: bytes, *, extra: bytes = b"") -> bytes:
    return (
        b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1\r\n" + extra + b"\r\n"
    )


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (_upgrade(b"/ws/s/" + b"A" * 9000 + b"/live/?key=x"), b"414"),
        (_upgrade(b"/ws/s/ABC/live/", extra=b"X-Long: " + b"l" * 9000 + b"\r\n"), b"431"),
        (_upgrade(b"/ws/s/ABC/live/", extra=b"X-Many: m\r\n" * 200), b"431"),
    ],
    ids=["long path", "long header", "many headers"],
)
def test_an_oversized_websocket_upgrade_is_answered_and_closed(server, request_bytes, status):
    sock = _stall(_port(server), request_bytes)
    try:
        closed, said = _closed_within(sock, LIMIT + 3)
    finally:
        sock.close()
    assert said.startswith(b"HTTP/1.1 " + status), said[:80]
    assert closed, "the connection was left open"
    assert server.errors() == []


def test_an_anonymous_body_over_the_small_limit_is_refused_at_once(server):
    """Only an organiser's upload may be large: anyone else's 25 MB is refused before it is
    read, on any path."""
    huge = STALLED_BODY.replace(b"1000", str(25 * 1024 * 1024).encode())
    sock = _stall(_port(server), huge)
    try:
        closed, said = _closed_within(sock, 3)
    finally:
        sock.close()
    assert said.startswith(b"HTTP/1.1 413"), said[:80]
    assert closed


def test_a_large_body_with_a_made_up_session_is_refused_on_the_upload_path(server, workshop):
    """The import page's larger limit needs a session that is logged in, not just a cookie."""
    request = (
        b"POST /s/%s/import/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Cookie: sessionid=madeupmadeupmadeupmadeupmadeupma\r\n"
        b"Content-Type: multipart/form-data; boundary=x\r\n"
        b"Content-Length: %d\r\n\r\n" % (workshop.code.encode(), 5 * 1024 * 1024)
    )
    sock = _stall(_port(server), request)
    try:
        closed, said = _closed_within(sock, 5)
    finally:
        sock.close()
    assert said.startswith(b"HTTP/1.1 413"), said[:80]
    assert closed


def test_a_body_that_stops_coming_is_refused_after_the_grace_period(server):
    """A body must keep up with the minimum rate once the grace period is over: 100 kB of a
    900 kB body and then nothing is a 408 a few seconds after the grace period, not after the
    time the announced length would take at the minimum rate."""
    request = STALLED_BODY.replace(b"1000", b"900000") + b"a" * 100_000
    sock = _stall(_port(server), request)
    started = time.monotonic()
    try:
        closed, said = _closed_within(sock, LIMIT + 8)
    finally:
        sock.close()
    assert said.startswith(b"HTTP/1.1 408"), said[:80]
    assert closed
    assert time.monotonic() - started < LIMIT + 8
