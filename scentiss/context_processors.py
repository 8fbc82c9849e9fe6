from django.http import HttpRequest

from core.palette import PALETTE


def palette(request: HttpRequest) -> dict:
    """The chart colours for base.html's JSON data block (static/js/charts.js reads it)."""
    return {"palette": PALETTE}
