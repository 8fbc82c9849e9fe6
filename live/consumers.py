import json
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from live.access import phone_ids, phone_state_of, table_id_for_chair, workshop_for_organiser
from live.connection_caps import ConnectionCap
from live.events import is_nudged, notes_group, phones_group, session_group, table_group
from live.taps import tap_receive
from sessions.selectors import is_organiser, workshop_for_live
from survey.selectors import results_snapshot

# Close codes in the private range (4000-4999): the client stops retrying on these.
CLOSE_FORBIDDEN = 4403
# The projector key's connections (WS_PER_PROJECTOR_KEY) or the participant's phone sockets
# (WS_PER_PARTICIPANT) are all taken: retried with backoff.
CLOSE_TOO_MANY = 4429


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
    the same checks (the cookie, the session and its phase read again per tap): live/taps.py's
    `tap_receive`. A consumer handles its messages one at a time, so one phone has at most one
    tap in the database.
    """

    group: str | None = None
    state: dict | None = None
    language: str = "nl"
    participant_id: int | None = None
    cap: ConnectionCap | None = None

    async def connect(self) -> None:
        ids = await database_sync_to_async(phone_ids)(
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
        await self._forward(await database_sync_to_async(phone_state_of)(workshop_id))

    async def disconnect(self, code: int) -> None:
        if self.cap is not None:
            await self.cap.release()
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.group is None:
            return  # refused at connect
        reply = await tap_receive(
            text=text_data,
            participant_id=self.participant_id,
            cookies=self.scope.get("cookies", {}),
            code=self.scope["url_route"]["kwargs"]["code"],
            language=self.language,
        )
        await self.send(text_data=json.dumps(reply))

    async def phone_state(self, event: dict) -> None:
        await self._forward(event["state"])

    async def phone_nudge(self, event: dict) -> None:
        if is_nudged(event.get("phones"), self.participant_id):
            await self.send_json({"type": "nudge"})

    async def _forward(self, state: dict) -> None:
        if state != self.state:
            self.state = state
            await self.send_json(state)


def _language_of(scope: dict) -> str:
    """The language the phone's pages are in (LocaleMiddleware's choice: the language cookie,
    then Accept-Language), for the messages of refused taps."""
    request = HttpRequest()
    request.COOKIES = scope.get("cookies", {})
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            request.META["HTTP_ACCEPT_LANGUAGE"] = value.decode("latin-1")
    return translation.get_language_from_request(request)


class NoteCountsConsumer(AsyncJsonWebsocketConsumer):
    """ws/s/<code>/notes/: tells the organiser's page (login) that the session's notes changed.

    It sends {"type": "notes.changed"} and nothing else; the page fetches the counts itself.
    """

    group: str | None = None

    async def connect(self) -> None:
        code = self.scope["url_route"]["kwargs"]["code"]
        workshop = await database_sync_to_async(workshop_for_organiser)(
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


class ChairTableConsumer(NoDbDispatchMixin, AsyncJsonWebsocketConsumer):
    """ws/s/<code>/chair/<key>/: tells a chair's tablet that who sits at its table changed.

    Authorised by the chair link's key (a rotated key closes with 4403 at the next connect).
    Sends {"type": "table.changed"} on connect (the tablet may have missed changes while it was
    away) and on every change; the tablet fetches its rows itself.
    """

    group: str | None = None

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        table_id = await database_sync_to_async(table_id_for_chair)(
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
