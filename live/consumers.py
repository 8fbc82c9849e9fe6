import json
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from live.connection_caps import ConnectionCap
from live.events import notes_group, phones_group, session_group, table_group
from notes.selectors import table_for_chair
from sessions.models import Workshop
from sessions.selectors import (
    is_organiser,
    participant_from_cookies,
    workshop_by_code,
    workshop_for_live,
)
from survey.selectors import results_snapshot

# Close codes in the private range (4000-4999): the client stops retrying on these.
CLOSE_FORBIDDEN = 4403
# The projector key's connections are all taken (WS_PER_PROJECTOR_KEY): retried with backoff.
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
    """A phone follows the session: {"phase", "revealed"} on connect and on every change.

    Authorised by the participant's signed cookie; carries no results (they stay hidden from
    phones until the reveal, and then the phone loads its own page).
    """

    group: str | None = None
    state: dict | None = None

    async def connect(self) -> None:
        workshop_id = await database_sync_to_async(_phone_workshop_id)(
            code=self.scope["url_route"]["kwargs"]["code"], cookies=self.scope.get("cookies", {})
        )
        if workshop_id is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = phones_group(workshop_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self._forward(await database_sync_to_async(_phone_state)(workshop_id))

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        return None

    async def phone_state(self, event: dict) -> None:
        await self._forward(event["state"])

    async def _forward(self, state: dict) -> None:
        if state != self.state:
            self.state = state
            await self.send_json(state)


def _phone_workshop_id(*, code: str, cookies: dict) -> int | None:
    workshop = workshop_by_code(code)
    if workshop is None or participant_from_cookies(cookies=cookies, workshop=workshop) is None:
        return None
    return workshop.pk


def _phone_state(workshop_id: int) -> dict:
    phase, revealed = Workshop.objects.values_list("phase", "results_revealed").get(pk=workshop_id)
    return {"phase": phase, "revealed": revealed}


def _workshop_for_organiser(*, code: str, user: object) -> Workshop | None:
    if not is_organiser(user):
        return None
    return workshop_by_code(code)


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
    table = table_for_chair(code=code, key=key)
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
