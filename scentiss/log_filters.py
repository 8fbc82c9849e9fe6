"""Logging filters (settings.LOGGING)."""

import logging

from django.core.exceptions import PermissionDenied


class RefusalWithoutTraceback(logging.Filter):
    """A refused request (PermissionDenied: a wrong projector key, a page the user may not
    open) is logged by Django as one warning line, "Forbidden (Permission denied): <path>",
    with the exception's traceback after it. The refusal is expected, so the line stays and
    the traceback goes: a room that tries a wrong link does not fill the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
