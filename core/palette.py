"""The chart colours, one list for the server's charts (SVG, PNG, Word, the legends) and the
browser's (plotly): read from palette.json here, and given to the pages as the JSON data
block "palette" (base.html), which static/js/charts.js reads."""

import json
from pathlib import Path

PALETTE: dict = json.loads((Path(__file__).with_name("palette.json")).read_text(encoding="utf-8"))

# One colour per series (city, session), in order; more series than colours wrap around.
SERIES: list[str] = PALETTE["series"]
GRID: str = PALETTE["grid"]
INK: str = PALETTE["ink"]
MUTED: str = PALETTE["muted"]
# The scores written beside a single series' dots.
SCORE_INK: str = PALETTE["scoreInk"]
# Answers 1..5 from red to blue, then "don't know" in grey.
SCALE: list[str] = PALETTE["scale"]


def series_colour(index: int) -> str:
    return SERIES[index % len(SERIES)]
