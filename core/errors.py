class Rejected(Exception):
    """A user's input refused with a message for that user (already translated or lazy)."""


class Conflict(Rejected):
    """A repeat of an earlier post (the same client id) with other content: the first one
    stays as it was, nothing is changed (HTTP 409)."""
