"""What the consumers read at connect: who may follow which group (the session's phones, the
organiser's note counts, a chair's table), each read in one call through
database_sync_to_async."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.access import Permission
from sessions.models import Workshop
from sessions.selectors import (
    participant_by_code,
    table_by_chair_key,
    workshop_for_user,
    workshop_phase,
)


def phone_ids(*, code: str, cookies: dict) -> tuple[int, int] | None:
    """(session id, participant id) of the phone this cookie names, or None (one query)."""
    participant = participant_by_code(cookies=cookies, code=code)
    if participant is None:
        return None
    return participant.workshop_id, participant.pk


def phone_state_of(workshop_id: int) -> dict:
    phase, revealed = workshop_phase(workshop_id=workshop_id)
    return {"phase": phase, "revealed": revealed}


def workshop_for_organiser(*, code: str, user: object) -> Workshop | None:
    """The session if `user` may read it (sessions.selectors.workshop_for_user), else None."""
    try:
        return workshop_for_user(user=user, code=code, need=Permission.READ)
    except (Http404, PermissionDenied):
        return None


def table_id_for_chair(*, code: str, key: str) -> int | None:
    table = table_by_chair_key(code=code, key=key)
    return None if table is None else table.pk
