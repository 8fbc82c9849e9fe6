from collections.abc import Iterable
from typing import Any

from django import template

register = template.Library()


@register.filter
def join_codes(sessions: Iterable[Any]) -> str:
    """The sessions' codes for ?codes=A,B,C (the files of several sessions together)."""
    return ",".join(session.code for session in sessions)
