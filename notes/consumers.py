from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notes.events import notes_group
from notes.selectors import table_for_chair
from scentiss.events import table_group
from sessions.models import Workshop
from sessions.selectors import is_organiser, workshop_by_code

CLOSE_FORBIDDEN = 4403


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


class ChairTableConsumer(AsyncJsonWebsocketConsumer):
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
