import uuid

from django import template

register = template.Library()


@register.simple_tag
def new_client_id() -> str:
    """A fresh note id for a browser without the tablet script (the script makes its own)."""
    return str(uuid.uuid4())
