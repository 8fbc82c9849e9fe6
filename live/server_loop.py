"""The event loop that serves this process (uvicorn's), as the ASGI entry last saw it.

Sync code (a view, a tap in its thread) reaches async code through asgiref's `async_to_sync`,
which runs the coroutine on the server's loop when it is called from one of asgiref's worker
threads, and on a loop of its own otherwise (a management command, a sync test). Only on the
server's loop may a coroutine leave work behind: the results broadcast defers its tick there,
so that the request that caused it does not wait for the snapshot; on a loop of its own the
tick must run before the call returns, or it never runs.

asgiref knows the server's loop, but only in a private thread-local
(`SyncToAsync.threadlocal.main_event_loop`) that a rename would silently break. This module
keeps its own record instead: `server_loop_remember()` is called by the ASGI entry
(scentiss.asgi) for every connection, `on_server_loop()` asks whether the running coroutine is
on that loop. Public asyncio only.
"""

from __future__ import annotations

import asyncio
import contextvars

_loop: asyncio.AbstractEventLoop | None = None
# The server's loop, in the context of the connection being served: asgiref copies the context
# into the thread of a request (or a tap), so sync code there finds the loop it was called from.
_serving: contextvars.ContextVar[asyncio.AbstractEventLoop | None] = contextvars.ContextVar(
    "serving", default=None
)


def server_loop_remember() -> None:
    """Record the running loop as the server's (called from the ASGI application)."""
    global _loop
    loop = asyncio.get_running_loop()
    if _loop is not loop:
        _loop = loop
    if _serving.get() is not loop:
        _serving.set(loop)


def serving_loop() -> asyncio.AbstractEventLoop | None:
    """From sync code serving a connection in a thread of its own (a request's, a tap's): the
    server's loop, running, that the connection came in on. None anywhere else (on the loop
    itself, a management command, a test's own thread)."""
    loop = _serving.get()
    if loop is None or loop is not _loop or not loop.is_running():
        return None
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return loop  # a thread without a loop of its own
    return None


def on_server_loop() -> bool:
    """Whether the running coroutine runs on the server's loop, which outlives it."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return False
    return loop is _loop and loop.is_running()
