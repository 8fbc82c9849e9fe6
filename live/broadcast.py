"""Push results snapshots to a session's live views, coalesced.

One helper for every change to the answers: `results_changed(workshop_id)`, called after
commit. Each session gets at most one snapshot per interval: per process by the tick below,
and across processes by a claim in Redis (one process snapshots a session in an interval; the
others look again at their next tick). The first change in a quiet period goes out at once,
changes during an interval are folded into one snapshot at its end, and a snapshot whose
version was already sent is skipped.

The interval follows the cost of the snapshots: four times what the last tick took (up to
handing its snapshots to the channel layer; their delivery goes on meanwhile), between
RESULTS_BROADCAST_MIN_INTERVAL (25 ms) and RESULTS_BROADCAST_INTERVAL (100 ms). On free cores
a busy session's chart follows within a few tens of milliseconds; on saturated ones the
snapshots keep to a quarter of the time and leave the rest to the answers (a fixed short
interval made the chart fall seconds behind there: bench/README.md). This keeps each projector's
channel far below the Redis layer's per-channel capacity (past which it drops messages
silently), whatever the rate of answers.
"""

import asyncio
import contextvars
import json
import logging
import uuid
from dataclasses import dataclass, field

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from live.events import (
    NOTES_CHANGED,
    PHONE_NUDGE,
    PHONE_STATE,
    RESULTS_SNAPSHOT,
    TABLE_CHANGED,
    notes_group,
    nudged_phones,
    phones_group,
    session_group,
    table_group,
)
from live.redis_client import redis_client, redis_key
from live.server_loop import on_server_loop, serving_loop
from survey.selectors import results_snapshots

log = logging.getLogger(__name__)


@dataclass
class _LoopState:
    loop: asyncio.AbstractEventLoop
    dirty: set[int] = field(default_factory=set)
    sent_version: dict[int, int] = field(default_factory=dict)
    last_tick: float = float("-inf")
    # Seconds the last tick took, from its start to its last send (a deferred tick: to its
    # sends handed to the channel layer, after the previous tick's were delivered).
    last_cost: float = 0.0
    ticker: asyncio.Task | None = None
    # Who holds this loop's claims in Redis (_claim): its next tick renews them.
    holder: str = field(default_factory=lambda: uuid.uuid4().hex)
    sending: asyncio.Future | None = None  # the last deferred tick's group_sends


@dataclass
class ResultsBroadcaster:
    """Per process (per event loop): a set of sessions whose results changed, and one tick
    that snapshots all of them in one trip to a worker thread, then sends each snapshot whose
    version is new. Ticks are at least `interval` apart, so no session gets more than one
    snapshot per interval; the first change after a quiet interval is sent at once.

    One tick for all sessions, rather than a timer per session: with many sessions on a
    process, per-session snapshots each queued for the one thread that sync code outside a
    request shares, and the projectors fell seconds behind (bench/README.md)."""

    interval: float  # the longest spacing of ticks (snapshots costly: a busy machine)
    min_interval: float | None = None  # the shortest (None: always `interval`)
    # Keyed by event loop: a test client runs each request in a loop of its own.
    _states: dict[int, _LoopState] = field(default_factory=dict)

    def spacing(self, state: _LoopState) -> float:
        """How far apart this process's ticks are now: the snapshots take at most a quarter
        of the time (SNAPSHOT_SHARE), within [min_interval, interval]."""
        low = self.interval if self.min_interval is None else self.min_interval
        return min(self.interval, max(low, state.last_cost / SNAPSHOT_SHARE))

    def _state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        state = self._states.get(id(loop))
        if state is None or state.loop is not loop:  # ids of closed loops get reused
            state = self._states[id(loop)] = _LoopState(loop=loop)
        return state

    async def mark_dirty(self, workshop_id: int, *, defer: bool | None = None) -> None:
        """defer: the loop outlives this call (an ASGI server's), so even the first tick of a
        quiet period runs as a task and the request that caused it does not wait for it.
        None: whether this runs on the server's loop (live.server_loop)."""
        if defer is None:
            defer = on_server_loop()
        if defer:
            self.mark_dirty_deferred(workshop_id)
            return
        state = self._state()
        state.dirty.add(workshop_id)
        if state.ticker is not None and not state.ticker.done():
            return  # a tick is scheduled or running; it (or the one after it) sends this
        wait = max(0.0, state.last_tick + self.spacing(state) - state.loop.time())
        if wait == 0:
            # No later tick in a loop that ends with this call, so no waiting for a claim.
            await self._tick(state, claim=False)
            return
        self._schedule(state, wait)

    def mark_dirty_deferred(self, workshop_id: int) -> None:
        """mark_dirty on a loop that outlives the call (the server's), from that loop: the
        session goes into the next tick, which is scheduled if none is; nothing is awaited."""
        state = self._state()
        state.dirty.add(workshop_id)
        if state.ticker is not None and not state.ticker.done():
            return  # a tick is scheduled or running; it (or the one after it) sends this
        wait = max(0.0, state.last_tick + self.spacing(state) - state.loop.time())
        self._schedule(state, wait)

    def _schedule(self, state: _LoopState, wait: float) -> None:
        # A fresh context: the caller's context ties sync work to the request's thread,
        # which is gone by the time this runs.
        state.ticker = state.loop.create_task(
            self._tick_later(state, wait), context=contextvars.Context()
        )

    async def _tick_later(self, state: _LoopState, wait: float) -> None:
        await asyncio.sleep(wait)
        try:
            await self._tick(state, detach=True)
        except Exception:
            log.exception("results broadcast failed")
        finally:
            if state.dirty:  # changes that came in while this tick ran
                wait = state.last_tick + self.spacing(state) - state.loop.time()
                self._schedule(state, max(0.0, wait))

    async def _tick(self, state: _LoopState, *, claim: bool = True, detach: bool = False) -> None:
        """detach: the tick ends once its snapshots are handed to the channel layer, and its
        cost (the next spacing) leaves out their delivery, which goes on meanwhile."""
        state.last_tick = state.loop.time()
        try:
            if state.sending is not None:
                # At most one tick's sends in flight: a slow channel layer holds up the next
                # tick, and so counts in its cost, rather than piling up.
                await asyncio.wait([state.sending])
            await self._snapshot_and_send(state, claim=claim, detach=detach)
        finally:
            state.last_cost = state.loop.time() - state.last_tick

    async def _snapshot_and_send(self, state: _LoopState, *, claim: bool, detach: bool) -> None:
        sessions, state.dirty = state.dirty, set()
        layer = get_channel_layer()
        spacing = self.spacing(state)
        mine = (
            await _claim(sorted(sessions), spacing, holder=state.holder)
            if claim
            else sorted(sessions)
        )
        # Another process snapshots those in this interval; the next tick looks again, so a
        # change it read too early is still sent.
        state.dirty |= sessions - set(mine)
        snapshots = await database_sync_to_async(results_snapshots)(workshop_ids=mine)
        sends = []
        for workshop_id, snapshot in snapshots.items():
            if snapshot["version"] <= state.sent_version.get(workshop_id, -1):
                continue
            state.sent_version[workshop_id] = snapshot["version"]
            # Encoded once here, not once per projector: each goes out as this text.
            message = {
                "type": RESULTS_SNAPSHOT,
                "version": snapshot["version"],
                "json": json.dumps(snapshot),
            }
            sends.append(layer.group_send(session_group(workshop_id), message))
        delivery = asyncio.gather(*sends, return_exceptions=True)
        if detach:
            state.sending = delivery
            delivery.add_done_callback(_delivered)
            return
        for error in await delivery:
            if isinstance(error, Exception):
                raise error


def _delivered(delivery: asyncio.Future) -> None:
    if delivery.cancelled():
        return
    for error in delivery.result():
        if isinstance(error, Exception):
            log.error("results broadcast failed", exc_info=error)


async def _claim(workshop_ids: list[int], interval: float, *, holder: str) -> list[int]:
    """The sessions this process snapshots in this interval: one process per session for the
    whole cluster (a Redis key per session, held by one `holder` for one interval), so that
    with N processes the snapshots and the projectors' messages are not N times as many.

    The holder's own next tick renews its claims: its ticks are an interval apart already, and
    a plain set-if-absent lost its own session for a whole interval whenever this tick's
    claim reached Redis a little sooner after the tick began than the last one's had (the key
    not yet expired): 15% of the claims in the load benchmark, each a projector update an
    interval late."""
    if not settings.REDIS_URL or not workshop_ids:
        return workshop_ids  # the in-memory layer: one process
    keys = [redis_key("tick", workshop_id) for workshop_id in workshop_ids]
    try:
        claimed = await redis_client().eval(
            _CLAIM, len(keys), *keys, holder, max(1, int(interval * 1000))
        )
    except Exception:
        log.warning("could not claim the snapshots in Redis; taking them all", exc_info=True)
        return workshop_ids
    return [w for w, ok in zip(workshop_ids, claimed, strict=True) if ok]


# Each key: taken if free or already this holder's, for ARGV[2] ms. One round trip for all.
_CLAIM = """
local claimed = {}
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if not holder or holder == ARGV[1] then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    claimed[i] = 1
  else
    claimed[i] = 0
  end
end
return claimed
"""


# Snapshots may take this share of the time; the ticks are spaced out accordingly.
SNAPSHOT_SHARE = 0.25

broadcaster = ResultsBroadcaster(
    interval=settings.RESULTS_BROADCAST_INTERVAL,
    min_interval=settings.RESULTS_BROADCAST_MIN_INTERVAL,
)


def results_changed(workshop_id: int) -> None:
    """Tell the session's live views that its results changed. Call after commit, from sync code.

    Under an ASGI server this runs on the server's event loop, so a deferred flush outlives the
    request that caused it.

    The change is committed whether or not the message goes out: a broken channel layer (Redis
    down) is logged, never raised, or the phone would be told "not saved" for a saved answer.
    Projectors get the current snapshot when they reconnect.
    """
    # From a thread serving a connection (a request's, a tap's) the session is handed to the
    # server's loop, which defers the tick, without waiting for it: the thread goes on at
    # once (an async_to_sync hop there and back cost the request a future, a context copy
    # each way and a wake-up of its thread). Anywhere else (a command, a test thread) on a
    # loop that ends with this call, and the tick runs before it returns.
    loop = serving_loop()
    if loop is not None:
        try:
            loop.call_soon_threadsafe(_mark_dirty_on_loop, workshop_id)
        except RuntimeError:  # the loop closed meanwhile (the server stopping)
            log.warning(
                "results broadcast for session %s: the server's loop is closed", workshop_id
            )
        return
    try:
        async_to_sync(broadcaster.mark_dirty)(workshop_id)
    except Exception:
        log.exception("results broadcast for session %s failed", workshop_id)


def _mark_dirty_on_loop(workshop_id: int) -> None:
    try:
        broadcaster.mark_dirty_deferred(workshop_id)
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


def tables_changed(table_ids: list[int]) -> None:
    """Tell these tables' chair tablets that who sits there changed. Call after commit, from
    sync code. Rare (a join, a seating), so sent at once; a lost message only delays the row
    until the tablet's next reconnect, which fetches the rows again."""
    loop = serving_loop()
    if loop is not None:  # a join that chose a table: sent from the loop, not waited for
        try:
            loop.call_soon_threadsafe(_send_tables_later, loop, table_ids)
        except RuntimeError:  # the loop closed meanwhile (the server stopping)
            log.warning("table broadcast for tables %s: the server's loop closed", table_ids)
        return
    try:
        async_to_sync(_send_tables)(table_ids)
    except Exception:
        log.exception("table broadcast for tables %s failed", table_ids)


async def _send_tables(table_ids: list[int]) -> None:
    layer = get_channel_layer()
    for table_id in table_ids:
        await layer.group_send(table_group(table_id), {"type": TABLE_CHANGED})


def _send_tables_later(loop: asyncio.AbstractEventLoop, table_ids: list[int]) -> None:
    task = loop.create_task(_send_tables(table_ids), context=contextvars.Context())
    _pending.add(task)  # kept until done (the loop holds only a weak reference)
    task.add_done_callback(_table_sent)


def _table_sent(task: asyncio.Task) -> None:
    _pending.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("table broadcast failed", exc_info=task.exception())


_pending: set[asyncio.Task] = set()


def notes_changed(workshop_id: int) -> None:
    """Tell the organiser pages of a session that its notes changed. Call after commit.

    A note is stored whether or not the message goes out: a broken channel layer is logged,
    never raised to the chair.
    """
    try:
        async_to_sync(get_channel_layer().group_send)(
            notes_group(workshop_id), {"type": NOTES_CHANGED, "workshop": workshop_id}
        )
    except Exception:
        log.exception("notes broadcast for session %s failed", workshop_id)


def phones_nudged(workshop_id: int, *, participant_ids: list[int]) -> None:
    """Remind these phones of the session to finish the survey. Call after commit. Rare (an
    organiser's click), so sent at once; a phone that is offline misses it."""
    try:
        async_to_sync(get_channel_layer().group_send)(
            phones_group(workshop_id),
            {"type": PHONE_NUDGE, "phones": nudged_phones(participant_ids)},
        )
    except Exception:
        log.exception("nudge for session %s failed", workshop_id)
