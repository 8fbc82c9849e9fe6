"""The live message of the notes: "the notes of this session changed".

The organiser's page listens on its own group (not the results group: the results consumer has no
handler for this type) and fetches the counts again. Kept here until scentiss/events.py takes it.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)

NOTES_CHANGED = "notes.changed"


def notes_group(workshop_id: int) -> str:
    return f"session.{workshop_id}.notes"


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
