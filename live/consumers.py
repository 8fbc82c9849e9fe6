import asyncio
import functools
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, close_old_connections
from django.http import Http404, HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from limits import parse
from limits.aio import storage as limits_storage
from limits.aio import strategies as limits_strategies

from accounts.access import Permission
from live.connection_caps import ConnectionCap
from live.events import notes_group, phones_group, session_group, table_group
from sessions.models import Workshop
from sessions.selectors import (
    is_organiser,
    participant_by_code,
    table_by_chair_key,
    workshop_for_live,
    workshop_for_user,
    workshop_phase,
)
from survey.selectors import results_snapshot
from survey.services import AnswerRefused, AnswerSaved, answer_submit

log = logging.getLogger(__name__)

# Close codes in the private range (4000-4999): the client stops retrying on these.
CLOSE_FORBIDDEN = 4403
# The projector key's connections (WS_PER_PROJECTOR_KEY) or the participant's phone sockets
# (WS_PER_PARTICIPANT) are all taken: retried with backoff.
CLOSE_TOO_MANY = 4429
# A tap over the participant's rate (PHONE_TAP_RATE): the phone keeps it and sends it again.
TAP_TOO_FAST = 429

# A tap is {"type": "answer", "id": <uuid>, "statement": <id>, "score": "1".."5"|"dk"}, about
# 100 bytes; anything much longer is refused unread.
TAP_MAX_BYTES = 1024
T = TypeVar("T")


class NoDbDispatchMixin:
    """channels' dispatch runs close_old_connections in a worker thread before every message;
    these consumers touch the database only through database_sync_to_async (which cleans up
    itself), so forward without that thread hop."""

    async def dispatch(self, message: dict) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


class LiveResultsConsumer(NoDbDispatchMixin, AsyncJsonWebsocketConsumer):
    """live_url: a full snapshot on connect, then every newer snapshot of the session.

    Authorise on connect (projector key or organiser login), join the session's group,
    forward. Clients send nothing; anything they send is ignored.
    """

    group: str | None = None
    version: int = -1
    cap: ConnectionCap | None = None

    async def connect(self) -> None:
        code = self.scope["url_route"]["kwargs"]["code"]
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        key = (query.get("key") or [None])[0]
        user = self.scope.get("user")
        workshop = await database_sync_to_async(workshop_for_live)(code=code, key=key, user=user)
        if workshop is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if not is_organiser(user):  # came in with the key: one of its places
            cap = ConnectionCap(
                key=f"projector:{workshop.pk}",
                member=self.channel_name,
                limit=settings.WS_PER_PROJECTOR_KEY,
            )
            if not await cap.claim():
                await self.accept()
                await self.close(code=CLOSE_TOO_MANY)
                return
            self.cap = cap
        # Join before reading the snapshot, so no change falls between the two.
        self.group = session_group(workshop.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        snapshot = await database_sync_to_async(results_snapshot)(workshop_id=workshop.pk)
        await self._forward(snapshot["version"], json.dumps(snapshot))

    async def disconnect(self, code: int) -> None:
        if self.cap is not None:
            await self.cap.release()
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: object, **kwargs: object) -> None:
        return None

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # Read-only feed: ignore input without parsing it, whatever its size or shape.
        return None

    async def results_snapshot(self, event: dict) -> None:
        await self._forward(event["version"], event["json"])

    async def _forward(self, version: int, text: str) -> None:
        # Snapshots from several server processes may arrive out of order: only go forward.
        if version > self.version:
            self.version = version
            await self.send(text_data=text)


class PhoneStateConsumer(NoDbDispatchMixin, AsyncJsonWebsocketConsumer):
    """The phone's websocket: it follows the session and carries the phone's taps.

    Authorised at connect by the Origin (asgi.py) and the participant's signed cookie.
    Server to phone: {"phase", "revealed"} on connect and on every change (no results: they
    stay hidden from phones until the reveal, and then the phone loads its own page);
    {"type": "ack", "id", "version", "answered", "total"} for each tap stored;
    {"type": "refused", "id", "status", "message"} for each tap refused (nothing stored).

    Phone to server: one message per tap, {"type": "answer", "id", "statement", "score"}.
    Each goes through `answer_submit`, the answer POST's service, with the same raw values and
    the same checks (the cookie, the session and its phase read again per tap). A consumer
    handles its messages one at a time, so one phone has at most one tap in the database.
    """

    group: str | None = None
    state: dict | None = None
    language: str = "nl"
    participant_id: int | None = None
    cap: ConnectionCap | None = None

    async def connect(self) -> None:
        ids = await database_sync_to_async(_phone_ids)(
            code=self.scope["url_route"]["kwargs"]["code"], cookies=self.scope.get("cookies", {})
        )
        if ids is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        workshop_id, participant_id = ids
        # A few sockets per participant, across processes (a page, a reload, a second tab):
        # one cookie opening a thousand held a thousand group memberships and Redis
        # connections and slowed every other phone's taps.
        cap = ConnectionCap(
            key=f"phone:{participant_id}",
            member=self.channel_name,
            limit=settings.WS_PER_PARTICIPANT,
        )
        if not await cap.claim():
            await self.accept()
            await self.close(code=CLOSE_TOO_MANY)
            return
        self.cap = cap
        self.participant_id = participant_id
        self.language = _language_of(self.scope)
        self.group = phones_group(workshop_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self._forward(await database_sync_to_async(_phone_state)(workshop_id))

    async def disconnect(self, code: int) -> None:
        if self.cap is not None:
            await self.cap.release()
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.group is None:
            return  # refused at connect
        tap = _read_tap(text_data)
        if tap is None:
            await self._refuse(None, 400, _unreadable(self.language))
            return
        client_id = tap.get("id")
        if not await _tap_allowed(self.participant_id):
            # Answered, not dropped: the phone keeps the tap and sends it again later.
            await self._refuse(client_id, TAP_TOO_FAST, _slow_down(self.language))
            return
        try:
            saved = await _in_tap_thread(
                _submit,
                cookies=self.scope.get("cookies", {}),
                code=self.scope["url_route"]["kwargs"]["code"],
                tap=tap,
                language=self.language,
            )
        except DatabaseError:
            # The database is away (the answer POST gets the 503 page): the phone keeps the
            # tap and tries again; the socket stays open.
            log.warning("tap not saved: database unavailable", exc_info=True)
            await self._refuse(client_id, 503, _not_saved_yet(self.language))
            return
        if isinstance(saved, AnswerRefused):
            await self._refuse(client_id, saved.status, saved.message)
            return
        await self.send(
            text_data=json.dumps(
                {
                    "type": "ack",
                    "id": client_id,
                    "version": saved.version,
                    "answered": saved.answered,
                    "total": saved.total,
                }
            )
        )

    async def _refuse(self, client_id: object, status: int, message: str) -> None:
        # Echo the id only if it is one the phone could have made (it was checked).
        echo = client_id if isinstance(client_id, str) and len(client_id) <= 64 else None
        await self.send(
            text_data=json.dumps(
                {"type": "refused", "id": echo, "status": status, "message": message}
            )
        )

    async def phone_state(self, event: dict) -> None:
        await self._forward(event["state"])

    async def phone_nudge(self, event: dict) -> None:
        if self.participant_id in event.get("participants", ()):
            await self.send_json({"type": "nudge"})

    async def _forward(self, state: dict) -> None:
        if state != self.state:
            self.state = state
            await self.send_json(state)


# The phones' taps run here, a few threads per process, not in the one thread that
# database_sync_to_async shares with the snapshots and every other consumer's database call:
# there, a room's taps queued behind each other and the projectors' snapshots behind them
# (bench/README.md: 76 taps/s at 13% CPU on one process, projector p50 1 s).
_TAP_EXECUTOR = ThreadPoolExecutor(
    max_workers=settings.TAP_THREADS, thread_name_prefix="scentiss-taps"
)


async def _in_tap_thread(function: Callable[..., T], /, **kwargs: object) -> T:
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


def _read_tap(text: str | None) -> dict | None:
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


def _submit(*, cookies: dict, code: str, tap: dict, language: str) -> AnswerSaved | AnswerRefused:
    with translation.override(language):
        return answer_submit(
            cookies=cookies,
            code=code,
            statement=tap.get("statement"),
            score=tap.get("score"),
            client_id=tap.get("id"),
        )


def _not_saved_yet(language: str) -> str:
    with translation.override(language):
        return _("Not saved yet, trying again…")


def _unreadable(language: str) -> str:
    with translation.override(language):
        return _("This answer could not be read; please tap it again.")


def _language_of(scope: dict) -> str:
    """The language the phone's pages are in (LocaleMiddleware's choice: the language cookie,
    then Accept-Language), for the messages of refused taps."""
    request = HttpRequest()
    request.COOKIES = scope.get("cookies", {})
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            request.META["HTTP_ACCEPT_LANGUAGE"] = value.decode("latin-1")
    return translation.get_language_from_request(request)


def _phone_ids(*, code: str, cookies: dict) -> tuple[int, int] | None:
    """(session id, participant id) of the phone this cookie names, or None (one query)."""
    participant = participant_by_code(cookies=cookies, code=code)
    if participant is None:
        return None
    return participant.workshop_id, participant.pk


# Taps per participant in this process (PHONE_TAP_RATE), counted by the `limits` library (as
# the join limits are) in memory: a participant's sockets are few (WS_PER_PARTICIPANT), so
# its rate over the cluster is at most that many times this one, without a Redis round trip
# per tap. One limiter per event loop (its lock belongs to the loop; the tests run several).
_TapLimiter = limits_strategies.MovingWindowRateLimiter
_tap_limiters: dict[int, tuple[asyncio.AbstractEventLoop, _TapLimiter]] = {}


async def _tap_allowed(participant_id: int | None) -> bool:
    loop = asyncio.get_running_loop()
    owner, limiter = _tap_limiters.get(id(loop), (None, None))
    if owner is not loop or limiter is None:
        limiter = _TapLimiter(limits_storage.MemoryStorage())
        _tap_limiters[id(loop)] = (loop, limiter)
    return await limiter.hit(parse(settings.PHONE_TAP_RATE), "phone-tap", str(participant_id))


def _slow_down(language: str) -> str:
    with translation.override(language):
        return _("Too many answers at once; your answer is sent again in a moment.")


def _phone_state(workshop_id: int) -> dict:
    phase, revealed = workshop_phase(workshop_id=workshop_id)
    return {"phase": phase, "revealed": revealed}


def _workshop_for_organiser(*, code: str, user: object) -> Workshop | None:
    """The session if `user` may read it (sessions.selectors.workshop_for_user), else None."""
    try:
        return workshop_for_user(user=user, code=code, need=Permission.READ)
    except (Http404, PermissionDenied):
        return None


class NoteCountsConsumer(AsyncJsonWebsocketConsumer):
    """ws/s/<code>/notes/: tells the organiser's page (login) that the session's notes changed.

    It sends {"type": "notes.changed"} and nothing else; the page fetches the counts itself.
    """

    group: str | None = None

    async def connect(self) -> None:
        code = self.scope["url_route"]["kwargs"]["code"]
        workshop = await database_sync_to_async(_workshop_for_organiser)(
            code=code, user=self.scope.get("user")
        )
        if workshop is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = notes_group(workshop.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        return None  # nothing to say back

    async def notes_changed(self, event: dict) -> None:
        await self.send_json({"type": "notes.changed"})


def _table_id_for_chair(*, code: str, key: str) -> int | None:
    table = table_by_chair_key(code=code, key=key)
    return None if table is None else table.pk


class ChairTableConsumer(NoDbDispatchMixin, AsyncJsonWebsocketConsumer):
    """ws/s/<code>/chair/<key>/: tells a chair's tablet that who sits at its table changed.

    Authorised by the chair link's key (a rotated key closes with 4403 at the next connect).
    Sends {"type": "table.changed"} on connect (the tablet may have missed changes while it was
    away) and on every change; the tablet fetches its rows itself.
    """

    group: str | None = None

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        table_id = await database_sync_to_async(_table_id_for_chair)(
            code=kwargs["code"], key=kwargs["key"]
        )
        if table_id is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = table_group(table_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "table.changed"})

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        return None

    async def table_changed(self, event: dict) -> None:
        await self.send_json({"type": "table.changed"})
