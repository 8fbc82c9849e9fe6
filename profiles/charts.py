"""The spider chart drawn on the server: as SVG for print (and the page without JavaScript),
as PNG (Pillow) for the Word document. Same geometry as the projector's plotly chart: the
first element at the top, clockwise, 0 in the centre and 5 at the rim."""

import functools
import io
import math
from dataclasses import dataclass

from django.template.defaultfilters import floatformat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.palette import GRID, INK, MUTED, SCORE_INK, series_colour

SCALE_MAX = 5
LABEL_WIDTH = 16  # characters per line of an element's name


@dataclass(frozen=True)
class Series:
    label: str
    scores: list[float | None]
    # The session's colour in every comparison (survey.selectors.compared_series); without
    # one, the palette's colour of the series' place.
    colour: str = ""


def score_label(score: float | None) -> str:
    """One decimal in the active language (a comma in Dutch); a dash without a score."""
    return "\u2013" if score is None else str(floatformat(score, 1))


def wrap(text: str, width: int = LABEL_WIDTH) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


@dataclass(frozen=True)
class Geometry:
    width: int
    height: int
    cx: float
    cy: float
    radius: float

    def angle(self, i: int, n: int) -> float:
        return -math.pi / 2 + 2 * math.pi * i / n

    def point(self, i: int, n: int, value: float) -> tuple[float, float]:
        a = self.angle(i, n)
        r = self.radius * max(0.0, min(value, SCALE_MAX)) / SCALE_MAX
        return self.cx + r * math.cos(a), self.cy + r * math.sin(a)

    def ring_label(self, n: int, ring: int) -> tuple[float, float]:
        """Where a ring's number goes: halfway along the ring between the last element and
        the first, away from the scores' labels."""
        (x1, y1), (x2, y2) = self.point(n - 1, n, ring), self.point(0, n, ring)
        return (x1 + x2) / 2, (y1 + y2) / 2


def _geometry(series_count: int, width: int = 640) -> Geometry:
    legend = 0 if series_count <= 1 else 26 * ((series_count + 2) // 3) + 10
    height = int(width * 0.78) + legend
    chart_height = height - legend
    return Geometry(width, height, width / 2, chart_height / 2 + 4, chart_height * 0.33)


def _anchor(cos: float) -> str:
    if cos > 0.25:
        return "start"
    if cos < -0.25:
        return "end"
    return "middle"


@dataclass(frozen=True)
class NameLabel:
    """Where an element's name goes outside the rim: its lines from (x, y) down, anchored
    at the start, the end or the middle."""

    x: float
    y: float
    anchor: str  # "start", "end" or "middle"
    lines: list[str]
    line_height: float


def name_labels(g: Geometry, names: list[str], scale: int = 1) -> list[NameLabel]:
    """The one layout of the names, for the SVG and the PNG alike: names above the chart end
    at the rim, those at the sides are centred on their spoke, those below hang from it."""
    n = len(names)
    line_height = 17 * scale
    labels = []
    for i, name in enumerate(names):
        a = g.angle(i, n)
        x, y = g.point(i, n, SCALE_MAX)
        x += 14 * scale * math.cos(a)
        y += 14 * scale * math.sin(a)
        lines = wrap(name)
        if math.sin(a) < -0.5:  # above the chart: the last line sits at the rim
            y -= line_height * (len(lines) - 1)
        elif abs(math.sin(a)) <= 0.5:
            y -= line_height * (len(lines) - 1) / 2
        else:
            y += line_height * 0.8
        labels.append(NameLabel(x, y, _anchor(math.cos(a)), lines, line_height))
    return labels


def legend_boxes(g: Geometry, count: int, scale: int = 1) -> list[tuple[float, float]]:
    """The top-left corner of each series' legend box: three to a row under the chart."""
    top = g.height - 26 * scale * ((count + 2) // 3) - 2 * scale
    column = g.width / 3
    return [(20 * scale + column * (k % 3), top + 26 * scale * (k // 3)) for k in range(count)]


def _f(x: float) -> str:
    return f"{x:.1f}"


def radar_svg(names: list[str], series: list[Series], *, title: str = "") -> SafeString:
    """The chart as an inline SVG element. Every text in it is escaped."""
    n = len(names)
    g = _geometry(len(series))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {g.width} {g.height}" '
        f'class="radar" role="img" aria-label="{escape(title)}" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">'
    ]
    if title:
        out.append(f"<title>{escape(title)}</title>")
    if n < 3:
        out.append("</svg>")
        return mark_safe("".join(out))  # noqa: S308 (no text but the escaped title)
    # Rings 1..5 and spokes.
    for ring in range(1, SCALE_MAX + 1):
        ring_points = " ".join(
            f"{_f(x)},{_f(y)}" for x, y in (g.point(i, n, ring) for i in range(n))
        )
        width = "1.4" if ring == SCALE_MAX else "0.8"
        out.append(
            f'<polygon points="{ring_points}" fill="none" stroke="{GRID}" stroke-width="{width}"/>'
        )
    for i in range(n):
        x, y = g.point(i, n, SCALE_MAX)
        out.append(
            f'<line x1="{_f(g.cx)}" y1="{_f(g.cy)}" x2="{_f(x)}" y2="{_f(y)}" '
            f'stroke="{GRID}" stroke-width="0.8"/>'
        )
    for ring in range(1, SCALE_MAX + 1):
        x, y = g.ring_label(n, ring)
        out.append(
            f'<text x="{_f(x)}" y="{_f(y + 4)}" text-anchor="middle" font-size="11" '
            f'fill="{MUTED}">{ring}</text>'
        )
    # The series: a filled polygon each, dots at the scores.
    single = len(series) == 1
    for s_index, s in enumerate(series):
        colour = s.colour or series_colour(s_index)
        pts = [g.point(i, n, v) for i, v in enumerate(s.scores) if v is not None]
        if len(pts) >= 2:
            out.append(
                f'<polygon points="{" ".join(f"{_f(x)},{_f(y)}" for x, y in pts)}" '
                f'fill="{colour}" fill-opacity="{0.28 if single else 0.12}" stroke="{colour}" '
                'stroke-width="2.5" stroke-linejoin="round"/>'
            )
        for x, y in pts:
            out.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="4" fill="{colour}"/>')
        if single:
            for i, v in enumerate(s.scores):
                x, y = g.point(i, n, v or 0)
                a = g.angle(i, n)
                lx, ly = x + 16 * math.cos(a), y + 16 * math.sin(a) + 5
                out.append(
                    f'<text x="{_f(lx)}" y="{_f(ly)}" text-anchor="middle" font-size="15" '
                    f'font-weight="700" fill="{SCORE_INK}" stroke="#fff" stroke-width="3" '
                    f'paint-order="stroke">{escape(score_label(v))}</text>'
                )
    # The elements' names outside the rim.
    for label in name_labels(g, names):
        tspans = "".join(
            f'<tspan x="{_f(label.x)}" y="{_f(label.y + k * label.line_height + 5)}">'
            f"{escape(line)}</tspan>"
            for k, line in enumerate(label.lines)
        )
        out.append(
            f'<text text-anchor="{label.anchor}" font-size="15" font-weight="600" '
            f'fill="{INK}">{tspans}</text>'
        )
    if not single:
        boxes = legend_boxes(g, len(series))
        for s_index, (s, (x, y)) in enumerate(zip(series, boxes, strict=True)):
            colour = s.colour or series_colour(s_index)
            out.append(
                f'<rect x="{_f(x)}" y="{_f(y)}" width="16" height="16" rx="3" fill="{colour}"/>'
                f'<text x="{_f(x + 22)}" y="{_f(y + 13)}" font-size="14" fill="{INK}">'
                f"{escape(s.label)}</text>"
            )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 (every text above went through escape())


def _font(size: int):
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def _rgb(colour: str, alpha: int = 255) -> tuple[int, int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16), alpha


def radar_png(
    names: list[str], series: list[Series], *, scale: int = 3, quick: bool = False
) -> bytes:
    """The same chart as a PNG (for the Word document), drawn at `scale` times 640 pixels
    wide. `quick`: compressed lightly instead of as small as possible (a document of many
    charts is made in a fraction of the time, its pictures some 40% larger).

    The last few charts drawn are kept (the same names, scores, colours and language give the
    same bytes): the smallest PNG costs some 0.2 s of CPU, and a session's profile and its
    programme's documents are downloaded again and again with the same scores."""
    from django.utils.translation import get_language

    key = tuple((s.label, tuple(s.scores), s.colour) for s in series)
    return _radar_png(tuple(names), key, scale, quick, get_language())


@functools.lru_cache(maxsize=16)
def _radar_png(
    names_key: tuple[str, ...],
    series_key: tuple[tuple[str, tuple[float | None, ...], str], ...],
    scale: int,
    quick: bool,
    language: str | None,  # score_label's decimal comma or point
) -> bytes:
    from PIL import Image, ImageDraw

    names = list(names_key)
    series = [Series(label, list(scores), colour) for label, scores, colour in series_key]
    n = len(names)
    base = _geometry(len(series))
    g = Geometry(
        base.width * scale,
        base.height * scale,
        base.cx * scale,
        base.cy * scale,
        base.radius * scale,
    )
    image = Image.new("RGBA", (g.width, g.height), (255, 255, 255, 255))
    draw = ImageDraw.Draw(image)
    if n >= 3:
        for ring in range(1, SCALE_MAX + 1):
            pts = [g.point(i, n, ring) for i in range(n)]
            draw.polygon(pts, outline=_rgb(GRID), width=scale * (2 if ring == SCALE_MAX else 1))
        for i in range(n):
            draw.line([(g.cx, g.cy), g.point(i, n, SCALE_MAX)], fill=_rgb(GRID), width=scale)
        small = _font(11 * scale)
        for ring in range(1, SCALE_MAX + 1):
            draw.text(g.ring_label(n, ring), str(ring), fill=_rgb(MUTED), font=small, anchor="mm")
        single = len(series) == 1
        for s_index, s in enumerate(series):
            colour = s.colour or series_colour(s_index)
            pts = [g.point(i, n, v) for i, v in enumerate(s.scores) if v is not None]
            if len(pts) >= 3:
                overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
                ImageDraw.Draw(overlay).polygon(pts, fill=_rgb(colour, 72 if single else 30))
                image.alpha_composite(overlay)
                draw = ImageDraw.Draw(image)
            if len(pts) >= 2:
                draw.line([*pts, pts[0]], fill=_rgb(colour), width=int(2.5 * scale), joint="curve")
            for x, y in pts:
                r = 4 * scale
                draw.ellipse([x - r, y - r, x + r, y + r], fill=_rgb(colour))
            if single:
                bold = _font(15 * scale)
                for i, v in enumerate(s.scores):
                    x, y = g.point(i, n, v or 0)
                    a = g.angle(i, n)
                    draw.text(
                        (x + 16 * scale * math.cos(a), y + 16 * scale * math.sin(a)),
                        score_label(v),
                        fill=_rgb(SCORE_INK),
                        font=bold,
                        anchor="mm",
                        stroke_width=scale * 2,
                        stroke_fill=(255, 255, 255, 255),
                    )
        font = _font(15 * scale)
        for label in name_labels(g, names, scale):
            horizontal = {"start": "l", "end": "r", "middle": "m"}[label.anchor]
            for k, line in enumerate(label.lines):
                draw.text(
                    (label.x, label.y + k * label.line_height),
                    line,
                    fill=_rgb(INK),
                    font=font,
                    anchor=horizontal + "m",
                )
        if not single:
            legend_font = _font(14 * scale)
            boxes = legend_boxes(g, len(series), scale)
            for s_index, (s, (x, y)) in enumerate(zip(series, boxes, strict=True)):
                draw.rounded_rectangle(
                    [x, y, x + 16 * scale, y + 16 * scale],
                    radius=3 * scale,
                    fill=_rgb(s.colour or series_colour(s_index)),
                )
                draw.text(
                    (x + 22 * scale, y + 8 * scale),
                    s.label,
                    fill=_rgb(INK),
                    font=legend_font,
                    anchor="lm",
                )
    buffer = io.BytesIO()
    if quick:
        image.convert("RGB").save(buffer, format="PNG", compress_level=1)
    else:
        image.convert("RGB").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
