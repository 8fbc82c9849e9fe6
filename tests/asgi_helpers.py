"""A request sent straight to an ASGI application, without a server or a socket: for the
tests that count what one request costs (tests/test_handler.py) or run two at once in one
event loop (tests/test_export_busy.py)."""

import asyncio


async def asgi_get(app, path: str, headers: list[tuple[bytes, bytes]] | None = None):
    """One GET of `path` through `app` (Dutch, from 127.0.0.1): (status, headers, body), the
    headers' names in lower case. The client stays connected until the response is sent."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), (b"accept-language", b"nl"), *(headers or [])],
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 1),
    }
    pending = [{"type": "http.request", "body": b"", "more_body": False}]
    sent: list[dict] = []

    async def receive():
        if pending:
            return pending.pop()
        await asyncio.Event().wait()  # the client stays connected

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], {k.lower(): v for k, v in start["headers"]}, body
