"""Every message type that travels over the channel layer, in one place.

Consumers get a handler per type: "results.snapshot" calls `results_snapshot`.
"""

# {"version": int, "json": the snapshot as JSON text}: to the session's projectors.
RESULTS_SNAPSHOT = "results.snapshot"
# {"state": {"phase", "revealed"}}: to the session's phones.
PHONE_STATE = "phone.state"
# {"participants": [int]}: to the session's phones; those named show a reminder to finish.
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
