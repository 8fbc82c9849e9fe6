"""Every message type that travels over the channel layer, in one place.

Consumers get a handler per type: "results.snapshot" calls `results_snapshot`.
"""

# {"version": int, "json": the snapshot as JSON text}: to the session's projectors.
RESULTS_SNAPSHOT = "results.snapshot"
# {"state": {"phase", "revealed"}}: to the session's phones.
PHONE_STATE = "phone.state"
# {"phones": nudged_phones(ids)}: to the session's phones; those in it show a reminder to
# finish (is_nudged).
PHONE_NUDGE = "phone.nudge"
# {}: to a table's chair tablets: who sits at the table changed (a phone joined it, someone was
# seated or moved, a seat was added), so the tablet fetches its board's rows again.
TABLE_CHANGED = "table.changed"


def session_group(workshop_id: int) -> str:
    """The channel-layer group of everything live about one session."""
    return f"session.{workshop_id}"


def phones_group(workshop_id: int) -> str:
    """The session's phones: they get the phase and the reveal, never the results."""
    return f"session.{workshop_id}.phones"


def table_group(table_id: int) -> str:
    """The chair tablets of one table."""
    return f"table.{table_id}"


# {"workshop": int}: to the session's organiser pages, which fetch the note counts again.
NOTES_CHANGED = "notes.changed"


def notes_group(workshop_id: int) -> str:
    """The session's organiser pages (not the results group: its consumer has no handler for
    notes.changed)."""
    return f"session.{workshop_id}.notes"


def nudged_phones(participant_ids: list[int]) -> dict[str, int | bytes]:
    """The phones a reminder is for, as a bitmap from the lowest id. The channel layer copies a
    group's message once per member: a list of 10,000 ids to 10,000 phones was 10^8 ids to
    pack, copy through Redis and unpack, where the bitmap of a session's ids is a few KiB."""
    if not participant_ids:
        return {"base": 0, "bits": b""}
    base = min(participant_ids)
    bits = bytearray((max(participant_ids) - base) // 8 + 1)
    for pid in participant_ids:
        offset = pid - base
        bits[offset >> 3] |= 1 << (offset & 7)
    return {"base": base, "bits": bytes(bits)}


def is_nudged(phones: object, participant_id: int | None) -> bool:
    """Is this participant in nudged_phones' bitmap (anything else: no)?"""
    if not isinstance(phones, dict) or participant_id is None:
        return False
    base, bits = phones.get("base"), phones.get("bits")
    if not isinstance(base, int) or not isinstance(bits, bytes):
        return False
    offset = participant_id - base
    return 0 <= offset < 8 * len(bits) and bool(bits[offset >> 3] & (1 << (offset & 7)))
