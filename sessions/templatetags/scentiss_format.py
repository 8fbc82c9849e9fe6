"""Numbers as the page's language writes them, with a sign where a difference is shown."""

from django import template
from django.utils.formats import number_format

from sessions.selectors import table_focus_text

register = template.Library()

MINUS = "\u2212"  # a real minus sign: as wide as the plus, not a hyphen


@register.filter
def signed(value: float | None, places: int = 2) -> str:
    """+0,24 / (minus)0,24 / ±0,00 in the active language (a difference needs its sign: "(0,24)"
    alone says nothing about which city is higher)."""
    if value is None:
        return "\u2013"
    rounded = round(float(value), int(places))
    text = number_format(abs(rounded), int(places))
    if rounded > 0:
        return f"+{text}"
    if rounded < 0:
        return f"{MINUS}{text}"
    return f"\u00b1{text}"


@register.simple_tag
def table_focus_list(workshop) -> str:
    """The tables that focus on a sector or district (sessions.selectors.table_focus_text)."""
    return table_focus_text(workshop=workshop)
