"""The database unreachable: every request fails fast with the friendly 503 page, on the
real server (uvicorn, the PostgreSQL connection pool).

Two kinds of outage: a host that accepts the connection and never answers (a black hole, as
a cut network looks), and one that refuses it. bench/faults/db_outage.py cuts a working
database in the middle of a session.
"""

import socket
import threading
import time

import httpx
import pytest

from tests.conftest import HTTPX_TLS, start_server, stop_server

PATIENCE = 5.0  # seconds a phone's request waits (the fault script's client timeout)


class BlackHole:
    """Accepts TCP connections and never says a word."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(100)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


def _refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: nothing listens there


@pytest.fixture(params=["black hole", "refused"])
def server_without_database(request, db):
    hole = BlackHole() if request.param == "black hole" else None
    port = hole.port if hole else _refused_port()
    server = start_server(
        extra_env={"DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/gone", "REDIS_URL": ""}
    )
    yield server
    stop_server(server)
    if hole:
        hole.close()


def _get(server, path: str, **headers) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.get(server.url + path, headers=headers, timeout=PATIENCE, verify=HTTPX_TLS)
    return response, time.monotonic() - started


def test_requests_fail_fast_with_the_friendly_page(server_without_database):
    server = server_without_database
    # A process that served before (Django's first request imports and loads a lot, seconds
    # on a busy machine): a page that needs no database.
    assert httpx.get(server.url + "/no-such-page/", timeout=30, verify=HTTPX_TLS).status_code == 404
    health, waited = _get(server, "/healthz")
    assert health.status_code == 503
    assert waited < PATIENCE, f"the health check took {waited:.1f} s"
    # A phone's page: the friendly page in its language, with a hint when to try again.
    page, waited = _get(server, "/j/ABCDEF/", **{"Accept-Language": "nl"})
    # The process already knows: no second wait for the pool (DB_POOL_TIMEOUT, 3 s).
    assert page.status_code == 503 and waited < 2, waited
    assert "De database is even niet bereikbaar" in page.text
    assert "Traceback" not in page.text and page.headers["Retry-After"].isdigit()
    english, _ = _get(server, "/j/ABCDEF/", **{"Accept-Language": "en"})
    assert "The database cannot be reached for a moment" in english.text
    # An answer (a POST as htmx sends it) too: a 5xx, which the phone sends again.
    started = time.monotonic()
    answer = httpx.post(
        server.url + "/s/ABCDEF/answer/",
        data={"statement": "1", "score": "3"},
        headers={"HX-Request": "true"},
        timeout=PATIENCE,
        verify=HTTPX_TLS,
    )
    assert answer.status_code in (403, 503), answer.status_code  # CSRF first, or the outage
    assert time.monotonic() - started < PATIENCE
    # Static files need no database.
    assert (
        httpx.get(
            server.url + "/static/css/app.css", timeout=PATIENCE, verify=HTTPX_TLS
        ).status_code
        == 200
    )
