"""A lean HTTP/1.1 client for the load generator: keep-alive connections over asyncio streams.

The generator shares two cores with the servers it measures, so its own CPU per request is
taken from them. httpx (even at its transport level) spent about 1 ms of CPU per request here;
this client does what the benchmark needs (GET and form POSTs to 127.0.0.1, Content-Length or
chunked bodies, several Set-Cookie headers) in a fraction of that. It is no general client: no
TLS, redirects, proxies or compression.
"""

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

# uvicorn closes a keep-alive connection after 5 s without a request; older ones are not reused.
KEEPALIVE_S = 4.0


class HttpError(OSError):
    """The server closed the connection or answered something this client cannot read."""


class _StaleConnection(HttpError):
    """Closed before any byte of the answer came: the server never read the request, so it
    can be sent again on another connection (what browsers and httpx do too)."""


@dataclass
class Response:
    status_code: int
    header_list: list[tuple[str, str]] = field(default_factory=list)
    content: bytes = b""

    @property
    def headers(self) -> dict[str, str]:
        """Lower-case names; the last value of a repeated header."""
        return dict(self.header_list)

    def get_list(self, name: str) -> list[str]:
        return [value for n, value in self.header_list if n == name]


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def close(self) -> None:
        self.writer.close()


class Pool:
    """At most `size` keep-alive connections to one port; callers beyond that wait.
    `local_address`: the client's own address to connect from (any of 127.0.0.0/8), as phones
    reach a server from many addresses, not one."""

    def __init__(self, port: int, size: int, *, local_address: str | None = None) -> None:
        self.port = port
        self.local_addr = (local_address, 0) if local_address else None
        self.idle: list[tuple[_Connection, float]] = []
        self.slots = asyncio.Semaphore(size)

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Response:
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if form is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
        if method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        async with self.slots, asyncio.timeout(timeout):
            while self.idle:
                connection, idle_since = self.idle.pop()
                if time.monotonic() - idle_since > KEEPALIVE_S:
                    connection.close()  # the server may close it any moment now
                    continue
                try:
                    return await self._exchange(connection, method, payload)
                except _StaleConnection:
                    continue  # closed by the server before it read the request: send again
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", self.port, local_addr=self.local_addr
            )
            try:
                return await self._exchange(_Connection(reader, writer), method, payload)
            except _StaleConnection:
                raise HttpError("the server closed a new connection without answering") from None

    async def _exchange(self, connection: _Connection, method: str, payload: bytes) -> Response:
        try:
            connection.writer.write(payload)
            response, keep = await _read_response(connection.reader, method)
        except BaseException:
            connection.close()
            raise
        if keep:
            self.idle.append((connection, time.monotonic()))
        else:
            connection.close()
        return response

    def close(self) -> None:
        for connection, _since in self.idle:
            connection.close()
        self.idle.clear()


async def _read_response(reader: asyncio.StreamReader, method: str) -> tuple[Response, bool]:
    status_line = await reader.readline()
    if not status_line:
        raise _StaleConnection("closed before the answer")
    parts = status_line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise HttpError(f"no HTTP response: {status_line[:80]!r}")
    response = Response(status_code=int(parts[1]))
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n"):
            break
        if not line:
            raise HttpError("connection closed in the headers")
        name, _, value = line.decode("latin-1").partition(":")
        response.header_list.append((name.strip().lower(), value.strip()))
    headers = response.headers
    if method == "HEAD" or response.status_code in (204, 304):
        pass
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()  # the empty trailer
                break
            chunks.append(await reader.readexactly(size))
            await reader.readline()
        response.content = b"".join(chunks)
    elif "content-length" in headers:
        response.content = await reader.readexactly(int(headers["content-length"]))
    else:
        response.content = await reader.read()
        return response, False
    return response, headers.get("connection", "").lower() != "close"
