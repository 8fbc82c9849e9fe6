"""The live app's answers to the data apps' signals (sessions/signals.py): each passes the
change on to the broadcaster. Connected by LiveConfig.ready."""

from typing import Any

from live.broadcast import (
    notes_changed,
    phone_state_changed,
    phones_nudged,
    results_changed,
    tables_changed,
)
from sessions import signals


def on_results_changed(sender: object, *, workshop_id: int, **kwargs: Any) -> None:
    results_changed(workshop_id)


def on_phone_state_changed(
    sender: object, *, workshop_id: int, phase: str, revealed: bool, **kwargs: Any
) -> None:
    phone_state_changed(workshop_id, phase=phase, revealed=revealed)


def on_notes_changed(sender: object, *, workshop_id: int, **kwargs: Any) -> None:
    notes_changed(workshop_id)


def on_seating_changed(sender: object, *, table_ids: list[int], **kwargs: Any) -> None:
    tables_changed(table_ids)


def on_phones_nudged(
    sender: object, *, workshop_id: int, participant_ids: list[int], **kwargs: Any
) -> None:
    phones_nudged(workshop_id, participant_ids=participant_ids)


def connect() -> None:
    signals.results_changed.connect(on_results_changed, dispatch_uid="live.results")
    signals.phone_state_changed.connect(on_phone_state_changed, dispatch_uid="live.phone")
    signals.notes_changed.connect(on_notes_changed, dispatch_uid="live.notes")
    signals.seating_changed.connect(on_seating_changed, dispatch_uid="live.seating")
    signals.phones_nudged.connect(on_phones_nudged, dispatch_uid="live.nudge")
