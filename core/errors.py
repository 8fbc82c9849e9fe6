class Rejected(Exception):
    """A user's input refused with a message for that user (already translated or lazy)."""
