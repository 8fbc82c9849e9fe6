"""Comparing cities, ready to publish: one order and one colour per city on the comparison
page, in the programme's Word files and in compare.xlsx; the baseline of "verschil met" chosen
on the page and followed by the download; a table with a focus beside the rest of its room;
the chart's legend never over an element's name."""

import datetime
import html
import io
import json
import re

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook
from PIL import Image

from core.palette import SERIES
from instrument.models import Statement
from profiles.models import Programme
from sessions.models import Participant, Table, Workshop
from sessions.services import participant_join
from survey.aggregation import aggregate
from survey.selectors import compared_series, instrument_specs
from survey.services import answer_save


def answer_all(workshop: Workshop, scores: list[int], table_number: int = 1) -> list[Participant]:
    """One participant per score at table `table_number`, answering every statement with it."""
    statements = list(
        Statement.objects.filter(element__instrument=workshop.instrument).order_by(
            "element__order", "order"
        )
    )
    table = Table.objects.get(workshop=workshop, number=table_number)
    people = []
    for score in scores:
        p = participant_join(workshop=workshop, table=table, role="entrepreneur")
        for k, s in enumerate(statements):
            answer_save(participant=p, statement_id=s.pk, score=score if k % 7 else None)
        people.append(p)
    return people


@pytest.fixture
def cities(make_workshop) -> list[Workshop]:
    """Given in another order than the comparison's (by date, then city): Almere and Deventer
    on the same day, Zwolle later."""
    zwolle = make_workshop(city="Zwolle", date=datetime.date(2026, 11, 26))
    deventer = make_workshop(city="Deventer", date=datetime.date(2026, 10, 1))
    almere = make_workshop(city="Almere", date=datetime.date(2026, 10, 1))
    answer_all(zwolle, [4, 5, 4])
    answer_all(deventer, [2, 3])
    answer_all(almere, [3, 3, 1, 5])
    return [zwolle, deventer, almere]


def page_data(organiser: Client, query: str) -> tuple[str, dict]:
    response = organiser.get(f"/organiser/compare/?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    block = re.search(r'<script id="compare-data" type="application/json">(.*?)</script>', page)
    assert block is not None
    return page, json.loads(block.group(1))


def legend_colours(png: bytes, count: int) -> list[str]:
    """The series' colours in the PNG chart's legend, left to right (profiles.charts draws
    the boxes on one row under the chart for up to three series)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    scale = image.width // 640
    assert count <= 3
    y = image.height - 26 * scale - 2 * scale + 8 * scale
    wanted = {c.lower() for c in SERIES}
    seen: list[str] = []
    for x in range(image.width):
        colour = "#{:02x}{:02x}{:02x}".format(*image.getpixel((x, y)))
        if colour in wanted and colour not in seen:
            seen.append(colour)
    return seen


def colour_pixels(png: bytes, colour: str) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return dict((c, n) for n, c in image.getcolors(maxcolors=1 << 24)).get(rgb, 0)


def test_compared_series_orders_by_date_then_city_and_colours_in_that_order(cities):
    zwolle, deventer, almere = cities
    series = compared_series(workshops=[zwolle, deventer, almere, zwolle])
    assert [s.workshop for s in series] == [almere, deventer, zwolle]
    assert [s.colour for s in series] == SERIES[:3]
    assert series[0].label == "Almere (2026-10-01)"
    # The same cities given in any order get the same places and colours.
    again = compared_series(workshops=[almere, zwolle, deventer])
    assert [(s.workshop, s.colour) for s in again] == [(s.workshop, s.colour) for s in series]


def test_a_city_has_the_same_colour_and_order_on_the_page_in_the_word_files_and_the_workbook(
    organiser, cities
):
    zwolle, deventer, almere = cities
    expected = [(w.city, c) for w, c in zip([almere, deventer, zwolle], SERIES, strict=False)]
    query = "&".join(f"code={w.code}" for w in cities)  # Zwolle, Deventer, Almere

    # The page: the chart's data, the legend under it and the table's columns.
    page, data = page_data(organiser, query)
    assert [(s["city"], s["colour"]) for s in data["sessions"]] == expected
    legend = re.search(r'<ul class="compare-legend">(.*?)</ul>', page, re.S).group(1)
    assert re.findall(r'fill="(#[0-9a-f]{6})"/></svg> (\w+) \(', legend) == [
        (c, city) for city, c in expected
    ]
    head = page.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert re.findall(r'fill="(#[0-9a-f]{6})"/></svg> (\w+)<br>', head) == [
        (c, city) for city, c in expected
    ]

    # The workbook, from the page's own link: its chart's series in that order and colours.
    link = re.search(r'href="([^"]*compare\.xlsx[^"]*)" download', page).group(1)
    response = organiser.get(html.unescape(link))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    chart_sheet = wb["grafiek"]
    header = [c.value for c in chart_sheet[1]]
    assert header == ["element", "Almere", "Deventer", "Zwolle"]
    (chart,) = chart_sheet._charts
    assert [
        (
            header[ord(s.tx.strRef.f.split("!")[1][0]) - ord("A")],
            s.graphicalProperties.line.solidFill.srgbClr,
        )
        for s in chart.series
    ] == [(city, c.lstrip("#").upper()) for city, c in expected]
    rows = list(wb["vergelijking"].iter_rows(min_row=2, values_only=True))
    assert list(dict.fromkeys(r[1] for r in rows)) == ["Almere", "Deventer", "Zwolle"]

    # The programme (the same three cities): its report and its publication.
    organiser.post(
        "/organiser/programmes/new/",
        {"name": "Drie steden", "description": "", "workshops": [w.pk for w in cities]},
    )
    programme = Programme.objects.get()
    overview = organiser.get(f"/organiser/programmes/{programme.pk}/").content.decode()
    legend = overview.split('class="chart-legend"', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'fill="(#[0-9a-f]{6})"/></svg> (\w+) \(', legend) == [
        (c, city) for city, c in expected
    ]
    for url in ("report.docx", "publication.docx"):
        response = organiser.get(f"/organiser/programmes/{programme.pk}/{url}")
        assert response.status_code == 200
        doc = Document(io.BytesIO(response.content))
        pictures = [
            shape._inline.graphic.graphicData.pic.blipFill.blip.embed for shape in doc.inline_shapes
        ]
        blobs = [doc.part.related_parts[rid].blob for rid in pictures]
        overlay = blobs[0]
        assert legend_colours(overlay, 3) == [c for _city, c in expected], url
        if url == "publication.docx":
            # A chapter per city in the same order, each chart in the city's colour.
            texts = [p.text for p in doc.paragraphs]
            chapters = [texts.index(f"Impactecosysteem {city}") for city, _c in expected]
            assert chapters == sorted(chapters)
            for blob, (city, colour) in zip(blobs[1:], expected, strict=True):
                assert colour_pixels(blob, colour) > 500, city
                others = [c for _city, c in expected if c != colour]
                assert all(colour_pixels(blob, c) == 0 for c in others), city


def test_the_baseline_of_the_difference_is_chosen_on_the_page_and_the_download_follows(
    organiser, cities
):
    _zwolle, deventer, almere = cities
    query = "&".join(f"code={w.code}" for w in cities)
    # Without a choice: the first of the comparison (Almere).
    page, data = page_data(organiser, query)
    assert data["base"] == almere.code
    assert "Tussen haakjes: het verschil met Almere." in page
    assert f'<option value="{almere.code}" selected>' in page
    # Deventer chosen: its column has no difference, the others are against it.
    page, data = page_data(organiser, f"{query}&base={deventer.code.lower()}")
    assert data["base"] == deventer.code
    assert "Tussen haakjes: het verschil met Deventer." in page
    assert f'<option value="{deventer.code}" selected>' in page
    for row in data["rows"]:
        almere_score, deventer_score, zwolle_score = row["scores"]
        assert row["diffs"] == [
            pytest.approx(almere_score - deventer_score),
            None,
            pytest.approx(zwolle_score - deventer_score),
        ]
    first = page.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert first.count('class="diff"') == 2
    # The download names the same baseline and the same differences.
    link = re.search(r'href="([^"]*compare\.xlsx[^"]*)" download', page).group(1)
    assert f"base={deventer.code}" in html.unescape(link)
    wb = load_workbook(io.BytesIO(organiser.get(html.unescape(link)).content))
    sheet = wb["vergelijking"]
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["verschil met", "verschil"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    for row in rows:
        assert row[-2] == "Deventer"
        base_row = next(r for r in rows if r[1] == "Deventer" and r[6] == row[6])
        if row[1] == "Deventer":
            assert row[-1] is None
        else:
            assert row[-1] == pytest.approx(row[8] - base_row[8])
    diff_cells = [r[-1] for r in sheet.iter_rows(min_row=2)]
    assert {c.number_format for c in diff_cells} == {"+0.00;-0.00;0.00"}
    # A baseline that is not compared falls back to the first; an odd one is refused.
    _page, data = page_data(organiser, f"{query}&base=ZZZZZZ")
    assert data["base"] == almere.code
    for odd in ("%EF%BC%97", "A%00B", "a b!"):
        assert organiser.get(f"/organiser/compare/?{query}&base={odd}").status_code in (200, 400)
        response = organiser.get(f"/organiser/compare.xlsx?{query}&base={odd}")
        assert response.status_code in (200, 400)
    assert organiser.get(f"/organiser/compare/?{query}&base=A%00B").status_code == 400
    assert organiser.get(f"/organiser/compare.xlsx?{query}&base=A%00B").status_code == 400


def test_a_table_with_a_focus_is_compared_with_the_rest_of_its_room(organiser, make_workshop):
    rotterdam = make_workshop(city="Rotterdam", tables=3)
    Table.objects.filter(workshop=rotterdam, number=2).update(focus="Haven & logistiek")
    harbour = answer_all(rotterdam, [5, 4], table_number=2)
    rest = answer_all(rotterdam, [1, 2, 2], table_number=1) + answer_all(
        rotterdam, [3], table_number=3
    )
    page = organiser.get(f"/organiser/compare/?code={rotterdam.code}").content.decode()
    assert "Rotterdam: tafels met een focus tegenover de rest van de zaal" in page
    section = page.split('class="focus-comparison"', 1)[1].split("</section>", 1)[0]
    assert "Tafel 2: Haven &amp; logistiek" in section
    assert "2 respondenten" in section and "4 respondenten" in section
    # Each element: the table's score and the room's without it, by the one aggregation rule.
    specs = instrument_specs(instrument_id=rotterdam.instrument_id)

    def scores(people):
        rows = [
            (a.participant_id, a.statement_id, a.score) for p in people for a in p.answers.all()
        ]
        return [e["score"] for e in aggregate(specs, rows)["elements"]]

    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    cells = re.findall(
        r"<tr><th scope=\"row\">[^<]*</th><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>",
        body,
    )
    assert len(cells) == 6
    for (mine, others, diff), a, b in zip(cells, scores(harbour), scores(rest), strict=True):
        assert mine == f"{a:.2f}".replace(".", ",")
        assert others == f"{b:.2f}".replace(".", ",")
        assert diff == f"+{a - b:.2f}".replace(".", ",")
    # A session without a focus shows no such section.
    plain = make_workshop(city="Kampen")
    page = organiser.get(f"/organiser/compare/?code={plain.code}").content.decode()
    assert "focus-comparison" not in page


# The boxes of the chart's element names (plotly's angular tick labels) and of the legend.
BOXES = """() => {
  const box = e => { const r = e.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, text: e.textContent}; };
  return {
    labels: [...document.querySelectorAll("#compare-chart .angularaxistick text")].map(box),
    legend: [...document.querySelectorAll(".compare-legend li")].map(box),
    chart: box(document.getElementById("compare-chart")),
  };
}"""


def overlaps(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and (b["top"] < a["bottom"])
    )


@pytest.mark.browser
def test_the_legend_never_covers_an_element_name(server, transactional_db, cities, browser):
    from django.contrib.auth import get_user_model

    from tests.browser_helpers import log_in, screenshot

    get_user_model().objects.create_user("vergelijker", password="a-long-password-9")
    query = "&".join(f"code={w.code}" for w in cities)
    problems = []
    for width, height, projector in (
        (1920, 1080, False),
        (1366, 768, False),
        (1920, 1080, True),
    ):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="nl-NL")
        page = context.new_page()
        url = f"/organiser/compare/?{query}" + ("&projector=1" if projector else "")
        log_in(
            page,
            f"{server.url}/accounts/login/?next={url.replace('&', '%26')}",
            "vergelijker",
            "a-long-password-9",
            lands_on="**/organiser/compare/**",
        )
        page.wait_for_function(
            "() => document.querySelectorAll('#compare-chart .angularaxistick text').length === 6"
        )
        name = f"compare-legend-{width}x{height}{'-projector' if projector else ''}"
        screenshot(page, name)
        boxes = page.evaluate(BOXES)
        texts = " ".join(label["text"] for label in boxes["labels"])
        assert "Financiering &" in texts, texts
        assert [li["text"].strip() for li in boxes["legend"]] == [
            "Almere (2026-10-01)",
            "Deventer (2026-10-01)",
            "Zwolle (2026-11-26)",
        ]
        for label in boxes["labels"]:
            for item in boxes["legend"]:
                if overlaps(label, item):
                    problems.append(
                        f"{name}: the legend's {item['text']!r} covers {label['text']!r}"
                    )
            chart = boxes["chart"]
            if label["left"] < chart["left"] or label["right"] > chart["right"]:
                problems.append(f"{name}: {label['text']!r} is cut at the chart's side")
        if projector:
            # Readable from the back, and all of it on the screen.
            size = page.evaluate(
                "() => parseFloat(getComputedStyle(document.querySelector('.compare-legend li')).fontSize)"
            )
            assert size >= 24
            assert page.evaluate("() => document.documentElement.scrollHeight - innerHeight") <= 0
        context.close()
    assert not problems, "\n".join(problems)
