import re
import uuid

from django import template
from django.utils.translation import gettext as _

register = template.Library()

# notes.services.chair_author_label: the stored author of a chair's note (data, in Dutch).
_CHAIR_AUTHOR = re.compile(r"Tafelvoorzitter T(\d+)")


@register.filter
def author_label(author: str) -> str:
    """A note's author as the page's language says it: "Table chair T3" on an English page
    for the stored "Tafelvoorzitter T3"; any other author as stored."""
    match = _CHAIR_AUTHOR.fullmatch(author or "")
    if match is None:
        return author
    return _("Table chair T%(n)s") % {"n": match.group(1)}


@register.simple_tag
def new_client_id() -> str:
    """A fresh note id for a browser without the tablet script (the script makes its own)."""
    return str(uuid.uuid4())


@register.inclusion_tag("notes/_seating.html")
def seating_panel(workshop) -> dict:
    """The organiser's seating card: who has no table, and a form to seat or move anyone."""
    from notes.forms import seating_card

    return seating_card(workshop=workshop)
