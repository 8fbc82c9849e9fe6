"""A spider chart drawn as plain SVG on the server: a table's (or a phone's) element scores
against the room's, for pages that do not load plotly (the chair's tablet, the phone)."""

import math
from typing import Any

from django.utils.formats import number_format

SIZE = 360  # the SVG's square viewBox
RADIUS = 110  # a score of 5
CENTRE = SIZE / 2
NO_SCORE = "\u2013"  # an en dash, as the tables write a missing score


def _point(index: int, count: int, score: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count  # the first element at the top
    r = RADIUS * score / 5
    return round(CENTRE + r * math.cos(angle), 1), round(CENTRE + r * math.sin(angle), 1)


def _polygon(values: list[float | None]) -> str:
    """The outline of the scores (an element without a score at the centre)."""
    return " ".join(
        f"{x},{y}" for x, y in (_point(i, len(values), v or 0) for i, v in enumerate(values))
    )


LABEL_LINE = 13  # characters per line of a spoke's label: two lines fit beside the chart


def _label_lines(name: str) -> list[str]:
    """A spoke's label in at most two lines, broken at a space ("Kennis &" / "Vaardigheden"),
    so no element's name is cut."""
    words, lines = name.split(), [""]
    for word in words:
        if lines[-1] and len(lines[-1]) + 1 + len(word) > LABEL_LINE and len(lines) < 2:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]} {word}".strip()
    return lines


def spider(rows: list[dict[str, Any]], *, first: str, second: str) -> dict[str, Any]:
    """The drawing of rows [{"name", first: score|None, second: score|None}]: the rings,
    the spokes with their labels, and one outline per series. `empty` when neither has a
    score (the page then says that it waits for the first answers)."""
    count = len(rows)
    if not count:
        return {"empty": True}
    rings = [_polygon([level] * count) for level in (1, 2, 3, 4, 5)]
    spokes = []
    for index, row in enumerate(rows):
        x, y = _point(index, count, 5)
        lx, ly = _point(index, count, 6.1)
        anchor = "middle" if abs(lx - CENTRE) < 20 else ("start" if lx > CENTRE else "end")
        lines = _label_lines(row["name"])
        # Two lines sit around the label's point: the first half a line up.
        spokes.append(
            {"x": x, "y": y, "lx": lx, "ly": ly, "anchor": anchor, "name": row["name"],
             "lines": lines, "first_dy": f"{-0.55 * (len(lines) - 1):.2f}em"}
        )  # fmt: skip
    return {
        "empty": all(r[first] is None and r[second] is None for r in rows),
        "size": SIZE,
        "centre": CENTRE,
        "rings": rings,
        "spokes": spokes,
        "first": _polygon([r[first] for r in rows]),
        "second": _polygon([r[second] for r in rows]),
        "rows": [
            {
                **r,
                "first_text": NO_SCORE
                if r[first] is None
                else number_format(round(r[first], 1), 1),
                "second_text": NO_SCORE
                if r[second] is None
                else number_format(round(r[second], 1), 1),
            }
            for r in rows
        ],
    }
