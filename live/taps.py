"""The phone's taps over its websocket, for `PhoneStateConsumer`: read, held to the
participant's rate, saved in threads of their own, answered.

`tap_receive` takes the socket's text and returns the one message the phone gets back:
{"type": "ack", "id", "version", "answered", "total"} for a tap stored,
{"type": "refused", "id", "status", "message"} for one refused (nothing stored). Each tap goes
through `answer_submit`, the answer POST's service, with the same raw values and the same checks
(the cookie, the session and its phase read again per tap).
"""

import asyncio
import functools
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import translation
from django.utils.translation import gettext as _
from limits import parse
from limits.aio import storage as limits_storage
from limits.aio import strategies as limits_strategies

from survey.services import AnswerRefused, AnswerSaved, answer_submit

log = logging.getLogger(__name__)

# A tap over the participant's rate (PHONE_TAP_RATE): the phone keeps it and sends it again.
TAP_TOO_FAST = 429

# A tap is {"type": "answer", "id": <uuid>, "statement": <id>, "score": "1".."5"|"dk"}, about
# 100 bytes; anything much longer is refused unread.
TAP_MAX_BYTES = 1024
T = TypeVar("T")


async def tap_receive(
    *, text: str | None, participant_id: int | None, cookies: dict, code: str, language: str
) -> dict:
    """The phone's reply to one message of its socket (a tap, or anything else)."""
    tap = read_tap(text)
    if tap is None:
        return refused(None, 400, _unreadable(language))
    client_id = tap.get("id")
    if not await tap_allowed(participant_id):
        # Answered, not dropped: the phone keeps the tap and sends it again later.
        return refused(client_id, TAP_TOO_FAST, _slow_down(language))
    try:
        saved = await in_tap_thread(_submit, cookies=cookies, code=code, tap=tap, language=language)
    except DatabaseError:
        # The database is away (the answer POST gets the 503 page): the phone keeps the
        # tap and tries again; the socket stays open.
        log.warning("tap not saved: database unavailable", exc_info=True)
        return refused(client_id, 503, _not_saved_yet(language))
    if isinstance(saved, AnswerRefused):
        return refused(client_id, saved.status, saved.message)
    return {
        "type": "ack",
        "id": client_id,
        "version": saved.version,
        "answered": saved.answered,
        "total": saved.total,
    }


def refused(client_id: object, status: int, message: str) -> dict:
    # Echo the id only if it is one the phone could have made (it was checked).
    echo = client_id if isinstance(client_id, str) and len(client_id) <= 64 else None
    return {"type": "refused", "id": echo, "status": status, "message": message}


def read_tap(text: str | None) -> dict | None:
    """The tap as a dict with type "answer", or None for anything else (binary, too long,
    not JSON, another shape). Values inside are checked by the service."""
    if not isinstance(text, str) or len(text) > TAP_MAX_BYTES:
        return None
    try:
        tap = json.loads(text)
    except (ValueError, RecursionError):  # 1 kB of "[[[[" nests deeper than json allows
        return None
    if not isinstance(tap, dict) or tap.get("type") != "answer":
        return None
    return tap


# The phones' taps run here, a few threads per process, not in the one thread that
# database_sync_to_async shares with the snapshots and every other consumer's database call:
# there, a room's taps queued behind each other and the projectors' snapshots behind them
# (bench/README.md: 76 taps/s at 13% CPU on one process, projector p50 1 s).
_TAP_EXECUTOR = ThreadPoolExecutor(
    max_workers=settings.TAP_THREADS, thread_name_prefix="scentiss-taps"
)


async def in_tap_thread(function: Callable[..., T], /, **kwargs: object) -> T:
    # asgiref's sync_to_async with an executor of our own (its public API): the thread then
    # knows the server's loop as asgiref's own threads do, so that the broadcast a saved
    # answer triggers after commit (sessions.signals.results_changed, passed on by
    # live/receivers.py to live.broadcast.results_changed) goes to this server's loop instead
    # of a loop of its own.
    call = functools.partial(_tap_thread_call, function, kwargs)
    return await sync_to_async(call, thread_sensitive=False, executor=_TAP_EXECUTOR)()


def _tap_thread_call(function: Callable[..., T], kwargs: dict) -> T:
    close_old_connections()
    try:
        return function(**kwargs)
    finally:
        close_old_connections()  # the connection goes back to the pool between taps


def _submit(*, cookies: dict, code: str, tap: dict, language: str) -> AnswerSaved | AnswerRefused:
    with translation.override(language):
        return answer_submit(
            cookies=cookies,
            code=code,
            statement=tap.get("statement"),
            score=tap.get("score"),
            client_id=tap.get("id"),
        )


# Taps per participant in this process (PHONE_TAP_RATE), counted by the `limits` library (as
# the join limits are) in memory: a participant's sockets are few (WS_PER_PARTICIPANT), so
# its rate over the cluster is at most that many times this one, without a Redis round trip
# per tap. One limiter per event loop (its lock belongs to the loop; the tests run several).
_TapLimiter = limits_strategies.MovingWindowRateLimiter
_tap_limiters: dict[int, tuple[asyncio.AbstractEventLoop, _TapLimiter]] = {}


async def tap_allowed(participant_id: int | None) -> bool:
    loop = asyncio.get_running_loop()
    owner, limiter = _tap_limiters.get(id(loop), (None, None))
    if owner is not loop or limiter is None:
        limiter = _TapLimiter(limits_storage.MemoryStorage())
        _tap_limiters[id(loop)] = (loop, limiter)
    return await limiter.hit(parse(settings.PHONE_TAP_RATE), "phone-tap", str(participant_id))


def _not_saved_yet(language: str) -> str:
    with translation.override(language):
        return _("Not saved yet, trying again…")


def _unreadable(language: str) -> str:
    with translation.override(language):
        return _("This answer could not be read; please tap it again.")


def _slow_down(language: str) -> str:
    with translation.override(language):
        return _("Too many answers at once; your answer is sent again in a moment.")
