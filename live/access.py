"""What the consumers read at connect: who may follow which group (the session's phones, the
organiser's note counts, a chair's table), each read in one call through
database_sync_to_async."""

from sessions.models import Workshop
from sessions.selectors import (
    is_organiser,
    participant_from_cookies,
    table_by_chair_key,
    workshop_by_code,
)


def phone_ids(*, code: str, cookies: dict) -> tuple[int, int] | None:
    """(session id, participant id) of the phone this cookie names, or None."""
    workshop = workshop_by_code(code)
    if workshop is None:
        return None
    participant = participant_from_cookies(cookies=cookies, workshop=workshop)
    if participant is None:
        return None
    return workshop.pk, participant.pk


def phone_state_of(workshop_id: int) -> dict:
    phase, revealed = Workshop.objects.values_list("phase", "results_revealed").get(pk=workshop_id)
    return {"phase": phase, "revealed": revealed}


def workshop_for_organiser(*, code: str, user: object) -> Workshop | None:
    if not is_organiser(user):
        return None
    return workshop_by_code(code)


def table_id_for_chair(*, code: str, key: str) -> int | None:
    table = table_by_chair_key(code=code, key=key)
    return None if table is None else table.pk
