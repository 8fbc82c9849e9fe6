"""Push results snapshots to a session's live views, coalesced.

One helper for every change to the answers: `results_changed(workshop_id)`, called after
commit. Per server process and session it sends at most one snapshot per
RESULTS_BROADCAST_INTERVAL: the first change in a quiet period goes out at once, changes
during the interval are folded into one snapshot at its end, and a snapshot whose version
was already sent is skipped. This keeps each projector's channel far below the Redis
layer's per-channel capacity (past which it drops messages silently), whatever the rate of
answers.
"""

import asyncio
import contextvars
import logging
from dataclasses import dataclass, field

from asgiref.sync import SyncToAsync, async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from scentiss.events import PHONE_STATE, RESULTS_SNAPSHOT, phones_group, session_group
from survey.selectors import results_snapshot

log = logging.getLogger(__name__)


@dataclass
class _SessionState:
    loop: asyncio.AbstractEventLoop
    last_flush: float = float("-inf")
    sent_version: int = -1
    pending: asyncio.Task | None = None


@dataclass
class ResultsBroadcaster:
    interval: float
    # Keyed by event loop: a test client runs each request in a loop of its own.
    _states: dict[tuple[int, int], _SessionState] = field(default_factory=dict)

    def _state(self, workshop_id: int) -> _SessionState:
        loop = asyncio.get_running_loop()
        key = (id(loop), workshop_id)
        state = self._states.get(key)
        if state is None or state.loop is not loop:  # ids of closed loops get reused
            state = self._states[key] = _SessionState(loop=loop)
        return state

    async def mark_dirty(self, workshop_id: int, *, defer: bool = True) -> None:
        """defer: the loop outlives this call (an ASGI server's), so even the first flush of
        a quiet period runs as a task and the request that caused it does not wait for it."""
        state = self._state(workshop_id)
        if state.pending is not None and not state.pending.done():
            return  # a flush is already scheduled and will read the newest state
        loop = asyncio.get_running_loop()
        wait = max(0.0, state.last_flush + self.interval - loop.time())
        if wait == 0 and not defer:
            state.last_flush = loop.time()
            await self._flush(workshop_id, state)
            return
        # A fresh context: the caller's context ties sync work to the request's thread,
        # which is gone by the time this runs.
        state.pending = loop.create_task(
            self._flush_later(workshop_id, state, wait), context=contextvars.Context()
        )

    async def _flush_later(self, workshop_id: int, state: _SessionState, wait: float) -> None:
        await asyncio.sleep(wait)
        state.last_flush = asyncio.get_running_loop().time()
        state.pending = None
        try:
            await self._flush(workshop_id, state)
        except Exception:
            log.exception("results broadcast for session %s failed", workshop_id)

    async def _flush(self, workshop_id: int, state: _SessionState) -> None:
        snapshot = await database_sync_to_async(results_snapshot)(workshop_id=workshop_id)
        if snapshot["version"] <= state.sent_version:
            return
        state.sent_version = snapshot["version"]
        await get_channel_layer().group_send(
            session_group(workshop_id), {"type": RESULTS_SNAPSHOT, "snapshot": snapshot}
        )


broadcaster = ResultsBroadcaster(interval=settings.RESULTS_BROADCAST_INTERVAL)


def results_changed(workshop_id: int) -> None:
    """Tell the session's live views that its results changed. Call after commit, from sync code.

    Under an ASGI server this runs on the server's event loop, so a deferred flush outlives the
    request that caused it.

    The change is committed whether or not the message goes out: a broken channel layer (Redis
    down) is logged, never raised, or the phone would be told "not saved" for a saved answer.
    Projectors get the current snapshot when they reconnect.
    """
    # Sync code that an ASGI server runs (sync_to_async) knows the server's loop; anywhere
    # else (a command, a test thread) async_to_sync runs a loop that ends with this call.
    server_loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    defer = server_loop is not None and server_loop.is_running()
    try:
        async_to_sync(broadcaster.mark_dirty)(workshop_id, defer=defer)
    except Exception:
        log.exception("results broadcast for session %s failed", workshop_id)


def phone_state_changed(workshop_id: int, *, phase: str, revealed: bool) -> None:
    """Tell the session's phones the new phase or reveal. Call after commit, from sync code.

    Phones are not in the results group: a snapshot per 0.1 s to a thousand phones that only
    follow the phase would cost a thousand deliveries each. Phase changes are rare and come
    from one organiser, so this goes out at once, uncoalesced, from whichever process made it.
    """
    try:
        async_to_sync(get_channel_layer().group_send)(
            phones_group(workshop_id),
            {"type": PHONE_STATE, "state": {"phase": phase, "revealed": revealed}},
        )
    except Exception:
        log.exception("phone state for session %s failed", workshop_id)
