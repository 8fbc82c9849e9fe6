from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notes.events import notes_group
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
