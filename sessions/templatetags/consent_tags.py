"""The consent text in the page's language: `{{ text|consent_part:"purpose" }}`."""

from django import template
from django.utils.translation import get_language

from accounts.models import CONSENT_PARTS, ConsentText

register = template.Library()


@register.filter
def consent_part(text: ConsentText, name: str) -> str:
    """A part of a consent text (`purpose`, `audience`, `retention`) in the page's language."""
    if name not in CONSENT_PARTS:
        return ""
    return text.part(name, get_language())
