"""Every message type that travels over the channel layer, in one place.

Consumers get a handler per type: "results.snapshot" calls `results_snapshot`.
"""

RESULTS_SNAPSHOT = "results.snapshot"


def session_group(workshop_id: int) -> str:
    """The channel-layer group of everything live about one session."""
    return f"session.{workshop_id}"
