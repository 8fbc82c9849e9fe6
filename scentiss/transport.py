"""What a slow or stalled client may cost: its own connection, for a bounded time.

uvicorn closes an idle keep-alive connection (`--timeout-keep-alive`, 5 s) but has no time
limit on a request's headers: a connection that sends nothing, or half a request line, stays
open for good. `HttpToolsProtocol` is uvicorn's own httptools protocol with that limit
(`HTTP_HEADER_TIMEOUT` seconds from the connection's start or the previous response until the
request's headers are complete) and a cap on the headers' size (`HTTP_MAX_HEADER_SIZE`:
the request line and the headers up to the blank line that ends them, not a body that came in
the same read). The body's limits are in scentiss/asgi.py (`BodyFirst`), where the body is
read before the request takes one of the process's slots inside Django.

A websocket upgrade is handed to `WebSocketProtocol`, uvicorn's websockets (sans-I/O)
protocol that also answers a handshake which websockets itself refuses (a request line or a
header over 8 KiB, more than 128 headers: 414/431) and closes the connection; uvicorn left
that answer unsent and the connection open. It caps the size of a message a client may send
(`WS_MAX_MESSAGE_SIZE`; uvicorn's default is 16 MiB).

Start uvicorn with `UVICORN_ARGS` (the Makefile, the README's and docker-compose's commands,
the tests and the benchmarks do); tests/test_transport.py tries it with raw sockets.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

# The uvicorn options every start command uses (after the app and the host/port options).
UVICORN_ARGS = ["--http", "scentiss.transport:HttpToolsProtocol", "--timeout-keep-alive", "5"]


def _limits() -> tuple[float, int]:
    # Read when the first connection arrives: by then uvicorn has loaded the app, so Django's
    # settings are configured (this module is imported before the app).
    from django.conf import settings

    return float(settings.HTTP_HEADER_TIMEOUT), int(settings.HTTP_MAX_HEADER_SIZE)


class WebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets protocol that answers every refused handshake and caps messages."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.conn.max_message_size = int(settings.WS_MAX_MESSAGE_SIZE)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self.handshake_initiated and self.conn.handshake_exc is not None:
            # websockets refused the request before the app saw it (414, 431, not HTTP) and
            # queued its answer; uvicorn sends the answer only for requests it passes on.
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.close_sent = True
            self.transport.close()

    async def send(self, message) -> None:  # type: ignore[no-untyped-def]
        await super().send(message)
        if message["type"] == "websocket.http.response.body" and not message.get("more_body"):
            # An HTTP answer (the 404 of an unknown path, a 503) ends the handshake: without
            # this, uvicorn logs "ASGI callable returned without completing handshake".
            self.handshake_complete = True


class HttpToolsProtocol(_HttpToolsProtocol):
    """uvicorn's httptools protocol with a time and size limit on a request's headers."""

    _header_timer: asyncio.TimerHandle | None = None
    _header_bytes = 0
    # The last bytes of the previous read while waiting for headers: the blank line that ends
    # the headers may straddle two reads.
    _tail = b""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.ws_protocol_class is WebSocketsSansIOProtocol:  # uvicorn's default ("auto")
            self.ws_protocol_class = WebSocketProtocol

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.header_timeout, self.max_header_size = _limits()
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._waiting_for_headers():
            seen = self._tail + data
            end = seen.find(b"\r\n\r\n")
            if end < 0:
                self._header_bytes += len(data)
                self._tail = seen[-3:]
            else:  # only the headers count; what follows them is the body (or the next request)
                self._header_bytes += max(0, end + 4 - len(self._tail))
                self._tail = b""
            if self._header_bytes > self.max_header_size:
                self._cancel_header_timer()
                self._refuse(431, "Request Header Fields Too Large")
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._cancel_header_timer()
        self._header_bytes = 0
        self._tail = b""
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._header_bytes = 0
            self._tail = b""
            self._arm_header_timer()  # the next request's headers get the same time

    def _waiting_for_headers(self) -> bool:
        """No request in progress: its headers are what this connection is waiting for."""
        return self.cycle is None or self.cycle.response_complete

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        if self.header_timeout > 0:
            self._header_timer = self.loop.call_later(self.header_timeout, self._header_timed_out)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or not self._waiting_for_headers():
            return
        if self._header_bytes:
            self._refuse(408, "Request Timeout")
        else:
            self.transport.close()  # never said a word (or idles between requests)

    def _refuse(self, status: int, reason: str) -> None:
        body = reason.encode("ascii")
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s"
            % (status, reason.encode("ascii"), len(body), body)
        )
        self.transport.close()
