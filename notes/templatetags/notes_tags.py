import uuid

from django import template

register = template.Library()


@register.simple_tag
def new_client_id() -> str:
    """A fresh note id for a browser without the tablet script (the script makes its own)."""
    return str(uuid.uuid4())


@register.inclusion_tag("notes/_seating.html")
def seating_panel(workshop) -> dict:
    """The organiser's seating card: who has no table, and a form to seat or move anyone."""
    from notes.forms import seating_card

    return seating_card(workshop=workshop)
