"""Bilingual instrument texts: every text field exists as <field>_nl and <field>_en."""

from typing import Any

from django.utils.translation import get_language


def current_lang() -> str:
    lang = (get_language() or "nl")[:2]
    return "en" if lang == "en" else "nl"


def localized(obj: Any, field: str, lang: str | None = None) -> Any:
    """The field in the active language, falling back to Dutch where English is empty."""
    lang = lang or current_lang()
    value = getattr(obj, f"{field}_{lang}", None)
    return value if value else getattr(obj, f"{field}_nl")
