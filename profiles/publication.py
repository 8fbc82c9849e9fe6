"""The programme's publication: the whole hand-out ("Impact ondernemerschap in 5 steden") as one
Word document (python-docx), in the hand-out's order and words.

Title page; 1 foreword; 2 introduction and method, with the participants counted per city and
role; 3 the six elements, each with its form of capital and its definition; 4 the themes, each
a narrative and its key points; 5 the recommendations per audience and the reflective
questions; 6 the cities, each with its spider chart and its profile; 7 the appendix: the
survey as the participants saw it.

Written in the sessions' language (Dutch, the instrument's and the hand-out's): the fixed
headings are the hand-out's own (profiles.handout), the texts are the programme's and the
profiles', every number comes from the data. The programme's texts may hold a small markup
(profiles.handout) and the count placeholders, filled in here.
"""

import io
from dataclasses import dataclass
from typing import Any

from django.template.defaultfilters import linebreaksbr
from django.utils import formats, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from core.inputs import xml_safe
from profiles import handout
from profiles.charts import Series, radar_png, radar_svg
from profiles.docx import (
    MUTED,
    _document,
    _muted,
    _save,
    _score_table,
    note_line,
    observation_line,
    people_line,
)
from profiles.models import ProfilePoint, Programme
from profiles.selectors import ProfileDocument, PublicationDocument, publication_document

LANGUAGE = "nl"

NUMBER_WORDS = (
    "nul",
    "één",
    "twee",
    "drie",
    "vier",
    "vijf",
    "zes",
    "zeven",
    "acht",
    "negen",
    "tien",
    "elf",
    "twaalf",
)

# Labels of the publication's tables (Dutch, as its headings).
CITY = "Stad"
DATE = "Datum"
PARTICIPANTS = "Deelnemers"
RESPONDENTS = "Respondenten"
ROLE = "Rol"
TOTAL = "Totaal"
ROLE_TABLE_NOTE = (
    "Deelnemers per rol en stad; tussen haakjes hoeveel van hen de survey invulden (respondenten)."
)
SCORES_NOTE = "Scores van 1 (slecht ontwikkeld) via 3 (neutraal) tot 5 (goed ontwikkeld)."
NO_CITIES = "nog geen steden"
OTHER_CITIES = "In {cities} stond in elke stelling de eigen stad."


def number_word(n: int) -> str:
    """Small counts in words, as the hand-out writes them ("vijf steden")."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def joined(names: list[str]) -> str:
    """ "Amsterdam, Groningen en Zwolle"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " en " + names[-1]


def placeholders(document: PublicationDocument) -> dict[str, str]:
    """The counts a programme text may name, from the data."""
    people = [c.participants for c in document.cities]
    return {
        "{aantal_steden}": number_word(len(document.cities)),
        "{steden}": joined([c.workshop.city for c in document.cities]) or NO_CITIES,
        "{min_deelnemers}": str(min(people, default=0)),
        "{max_deelnemers}": str(max(people, default=0)),
        "{deelnemers}": str(document.participants),
        "{respondenten}": str(document.respondents),
        "{aantal_themas}": number_word(len(document.themes)),
    }


def fill(text: str, values: dict[str, str]) -> str:
    """Only the known placeholders are replaced; other braces stay as they are."""
    for key, value in values.items():
        text = text.replace(key, value)
    return text


@dataclass(frozen=True)
class Block:
    """One block of a text in the small markup: a heading (`level`), a paragraph (its lines)
    or a bulleted list (its items)."""

    kind: str  # "heading", "paragraph" or "list"
    lines: tuple[str, ...]
    level: int = 0


def text_blocks(text: str, *, level: int = 2) -> list[Block]:
    """A programme or profile text in the small markup: blocks separated by a blank line; a
    block "## Kop" is a heading at `level`, "### Kop" one level below; a block of lines that
    all start with "- " is a bulleted list; any other block a paragraph (its single line ends
    kept as line breaks)."""
    blocks = []
    for block in xml_safe(text).replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and lines[0].startswith("### "):
            blocks.append(Block("heading", (lines[0][4:].strip(),), min(level + 1, 9)))
        elif len(lines) == 1 and lines[0].startswith("## "):
            blocks.append(Block("heading", (lines[0][3:].strip(),), level))
        elif all(line.startswith("- ") for line in lines):
            blocks.append(Block("list", tuple(line[2:].strip() for line in lines)))
        else:
            blocks.append(Block("paragraph", tuple(lines)))
    return blocks


def rich(doc: DocxDocument, text: str, *, level: int = 2) -> None:
    """A text in the small markup (text_blocks) into the document."""
    for block in text_blocks(text, level=level):
        if block.kind == "heading":
            _h(doc, block.lines[0], block.level)
        elif block.kind == "list":
            for item in block.lines:
                _styled(doc, item, "List Bullet")
        else:
            paragraph = doc.add_paragraph()
            for k, line in enumerate(block.lines):
                if k:
                    paragraph.runs[-1].add_break(WD_BREAK.LINE)
                paragraph.add_run(line)


def rich_html(text: str, *, level: int = 2) -> SafeString:
    """The same text as HTML for the printable publication (a docx heading level n is <h n+1>:
    the page's title is the <h1>)."""
    parts = []
    for block in text_blocks(text, level=level):
        if block.kind == "heading":
            tag = f"h{min(block.level + 1, 6)}"
            parts.append(format_html("<{}>{}</{}>", tag, block.lines[0], tag))
        elif block.kind == "list":
            items = format_html_join("", "<li>{}</li>", ((item,) for item in block.lines))
            parts.append(format_html("<ul>{}</ul>", items))
        else:
            lines = linebreaksbr("\n".join(block.lines), autoescape=True)
            parts.append(format_html("<p>{}</p>", lines))
    return format_html_join("\n", "{}", ((part,) for part in parts))


def _styled(doc: DocxDocument, text: str, style: str) -> Paragraph:
    """A paragraph of a style given by name. The style's id is looked up once per document:
    python-docx looks a style given by name up among all styles for every paragraph, which
    took half the build time of a five-city publication."""
    ids: dict[str, str] = doc.__dict__.setdefault("_style_ids", {})
    if style not in ids:
        ids[style] = doc.styles[style].style_id
    paragraph = doc.add_paragraph(xml_safe(text))
    paragraph._p.style = ids[style]
    return paragraph


def _h(doc: DocxDocument, text: str, level: int) -> None:
    """A heading (level 0: the title), as doc.add_heading makes it."""
    _styled(doc, text, "Title" if level == 0 else f"Heading {level}")


def _widths(doc: DocxDocument, widths: list[float]) -> None:
    """The widths (cm) of the columns of the document's last table: Word and LibreOffice
    read them per cell."""
    table = doc.tables[-1]
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=False):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = Cm(width)


def _quote(doc: DocxDocument, text: str) -> None:
    paragraph = _styled(doc, "", "Quote")
    paragraph.add_run(f"\u201c{xml_safe(text)}\u201d").italic = True


def _label(doc: DocxDocument, text: str) -> None:
    doc.add_paragraph().add_run(xml_safe(text)).bold = True


def _bullets(doc: DocxDocument, texts: list[str]) -> None:
    for text in texts:
        _styled(doc, text, "List Bullet")


def _points(doc: DocxDocument, points: list[ProfilePoint]) -> None:
    if points:
        _bullets(doc, [p.text for p in points])
    else:
        _muted(doc, "\u2013")


def city_colours(document: PublicationDocument) -> dict[str, str]:
    """Each session's colour in the comparison chart, by code: a city's own chart has it too."""
    return {s["code"]: s["colour"] for s in document.comparison["sessions"]}


def _page_numbers(doc: DocxDocument) -> None:
    """The page number (a PAGE field) centred at the foot of every page but the title page."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"  # shown until Word or LibreOffice computes the field
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _title_page(doc: DocxDocument, document: PublicationDocument) -> None:
    programme = document.programme
    _h(doc, programme.name, 0)
    if programme.description:
        rich(doc, programme.description)
    cities = [c.workshop.city for c in document.cities]
    if cities:
        _muted(doc, " \u00b7 ".join(cities))
    dates = [c.workshop.date for c in document.cities]
    if dates:
        _muted(doc, formats.date_format(max(dates), "YEAR_MONTH_FORMAT"))
    doc.add_page_break()


def _participants(doc: DocxDocument, document: PublicationDocument, values: dict[str, str]) -> None:
    _h(doc, handout.HEADING_PARTICIPANTS, 2)
    rich(doc, fill(document.programme.participants_text, values), level=3)
    if not document.cities:
        return
    _score_table(
        doc,
        [CITY, DATE, PARTICIPANTS, RESPONDENTS],
        [
            [
                c.workshop.city,
                formats.date_format(c.workshop.date, "DATE_FORMAT"),
                str(c.participants),
                str(c.respondents),
            ]
            for c in document.cities
        ]
        + [[TOTAL, "", str(document.participants), str(document.respondents)]],
    )
    doc.add_paragraph()
    totals = document.role_totals
    rows = []
    for i, total in enumerate(totals):
        if not total.participants:
            continue  # a role nobody had: no row of zeros
        rows.append(
            [
                total.label,
                *(f"{c.roles[i].participants} ({c.roles[i].respondents})" for c in document.cities),
                f"{total.participants} ({total.respondents})",
            ]
        )
    _muted(doc, ROLE_TABLE_NOTE)
    _score_table(doc, [ROLE, *(c.workshop.city for c in document.cities), TOTAL], rows)
    others = (16.6 - 5.0) / (len(document.cities) + 1)
    _widths(doc, [5.0] + [others] * (len(document.cities) + 1))


def _elements(doc: DocxDocument, document: PublicationDocument, values: dict[str, str]) -> None:
    doc.add_page_break()
    _h(doc, handout.CHAPTER_ELEMENTS, 1)
    rich(doc, fill(document.programme.elements_intro, values))
    for element in document.elements:
        _h(doc, element.name, 2)
        if element.capital:
            run = doc.add_paragraph().add_run(xml_safe(element.capital))
            run.bold = run.italic = True
        rich(doc, fill(element.definition, values), level=3)


def _themes(doc: DocxDocument, document: PublicationDocument, values: dict[str, str]) -> None:
    doc.add_page_break()
    _h(doc, handout.CHAPTER_THEMES, 1)
    rich(doc, fill(document.programme.themes_intro, values))
    for number, theme in enumerate(document.themes, start=1):
        _h(doc, handout.THEME_HEADING.format(number=number, name=theme.name), 2)
        rich(doc, fill(theme.narrative or theme.description, values), level=3)
        points = theme.key_point_list
        if points:
            _label(doc, handout.KEY_POINTS)
            _bullets(doc, points)


def _recommendations(
    doc: DocxDocument, document: PublicationDocument, values: dict[str, str]
) -> None:
    doc.add_page_break()
    _h(doc, handout.CHAPTER_RECOMMENDATIONS, 1)
    rich(doc, fill(document.programme.recommendations_intro, values))
    for group in document.audiences:
        if not group.recommendations:
            continue
        _h(doc, handout.AUDIENCE_HEADINGS.get(group.audience, group.label), 2)
        _bullets(doc, [r.text for r in group.recommendations])
    questions = [
        q.strip() for q in document.programme.reflective_questions.splitlines() if q.strip()
    ]
    if questions:
        _h(doc, handout.HEADING_REFLECTIVE, 2)
        doc.add_paragraph(handout.REFLECTIVE_LEAD_IN)
        _bullets(doc, questions)


def _city(doc: DocxDocument, profile: ProfileDocument, values: dict[str, str], colour: str) -> None:
    """A city's chapter; its chart in the city's colour of the comparison chart."""
    city = profile.workshop.city
    doc.add_page_break()
    _h(doc, handout.CITY_HEADING.format(city=city), 2)
    _h(doc, handout.LOCAL_CONTEXT, 3)
    if profile.profile.local_context:
        rich(doc, fill(profile.profile.local_context, values), level=4)
    _muted(
        doc,
        formats.date_format(profile.workshop.date, "DATE_FORMAT")
        + " \u00b7 "
        + people_line(profile.participants, profile.respondents),
    )
    png = radar_png(profile.names, [Series(city, profile.scores, colour)], scale=2, quick=True)
    doc.add_picture(io.BytesIO(png), width=Cm(12))
    caption = doc.add_paragraph()
    run = caption.add_run(handout.CITY_FIGURE.format(city=city))
    run.italic = True
    run.font.color.rgb = MUTED
    _score_table(
        doc,
        ["Element", "Score", "n"],
        [[s.name, s.score_label, str(s.n)] for s in profile.sections],
    )
    _muted(doc, SCORES_NOTE)
    for section in profile.sections:
        _h(doc, section.name, 3)
        if section.quote:
            _quote(doc, section.quote)
        _label(doc, handout.STRENGTHS)
        _points(doc, section.strengths)
        _label(doc, handout.BOTTLENECKS)
        _points(doc, section.bottlenecks)
        if section.synthesis:
            rich(doc, fill(section.synthesis, values), level=4)
    _h(doc, handout.SUMMARY, 3)
    if profile.closing_quote:
        _quote(doc, profile.closing_quote)
    if profile.profile.summary:
        rich(doc, fill(profile.profile.summary, values), level=4)
    _label(doc, handout.OPPORTUNITIES.format(city=city))
    _points(doc, profile.opportunities)


def _cities(doc: DocxDocument, document: PublicationDocument, values: dict[str, str]) -> None:
    doc.add_page_break()
    _h(doc, handout.CHAPTER_CITIES, 1)
    rich(doc, fill(document.programme.cities_intro, values))
    sessions = document.comparison["sessions"]
    if sessions:
        png = radar_png(
            document.comparison["names"],
            [Series(s["city"], s["scores"], s["colour"]) for s in sessions],
            scale=2,
            quick=True,
        )
        doc.add_picture(io.BytesIO(png), width=Cm(14))
        caption = doc.add_paragraph()
        run = caption.add_run(handout.CITIES_FIGURE)
        run.italic = True
        run.font.color.rgb = MUTED
    colours = city_colours(document)
    for profile in document.profiles:
        _city(doc, profile, values, colours.get(profile.workshop.code, ""))


def _appendix(doc: DocxDocument, document: PublicationDocument) -> None:
    if not document.appendices:
        return
    doc.add_page_break()
    _h(doc, handout.CHAPTER_APPENDIX, 1)
    for appendix in document.appendices:
        instrument = appendix.instrument
        if len(document.appendices) > 1:
            _h(doc, f"{instrument.name_nl} (v{instrument.version})", 2)
        if appendix.other_cities:
            _muted(doc, OTHER_CITIES.format(cities=joined(appendix.other_cities)))
        stem = instrument.stem_for(appendix.city, LANGUAGE)
        for item in appendix.elements:
            element = item.element
            _h(
                doc,
                handout.APPENDIX_ELEMENT.format(number=item.number, name=element.name_nl),
                2,
            )
            core = doc.add_paragraph()
            core.add_run(handout.CORE_QUESTION + " ").bold = True
            core.add_run(xml_safe(element.core_question_nl))
            _label(doc, handout.SURVEY_QUESTIONS)
            table = doc.add_table(rows=1, cols=2)
            table.style = "Table Grid"
            header = table.rows[0].cells
            header[0].text = xml_safe(f"{stem} \u2026")
            header[1].text = handout.LABEL
            for cell in header:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for statement in item.statements:
                cells = table.add_row().cells
                cells[0].text = xml_safe(f"... {statement.text_nl}")
                cells[1].text = xml_safe(statement.label_nl)
            _widths(doc, [11.6, 5.0])
            questions = [q for q in element.discussion_questions_nl if str(q).strip()]
            if questions:
                _label(doc, handout.DISCUSSION_QUESTIONS)
                _bullets(doc, [str(q) for q in questions])


def source_points(profile: ProfileDocument) -> list[dict[str, Any]]:
    """The city's points that cite notes or observations, in the chapter's order, each with a
    line per source (as the profile's own sources appendix writes them)."""
    points = [(s.name, p) for s in profile.sections for p in (*s.strengths, *s.bottlenecks)] + [
        (handout.OPPORTUNITIES_SECTION, p) for p in profile.opportunities
    ]
    return [
        {
            "name": name,
            "text": point.text,
            "lines": [note_line(n) for n in point.source_notes]
            + [observation_line(o) for o in point.source_observations],
        }
        for name, point in points
        if point.source_notes or point.source_observations
    ]


def publication_sources(document: PublicationDocument) -> list[dict[str, Any]]:
    """Per city (in the chapters' order) the points with their sources; cities without any
    are left out."""
    out = []
    for profile in document.profiles:
        points = source_points(profile)
        if points:
            out.append(
                {
                    "heading": handout.CITY_HEADING.format(city=profile.workshop.city),
                    "points": points,
                }
            )
    return out


def _sources(doc: DocxDocument, sources: list[dict[str, Any]]) -> None:
    if not sources:
        return
    doc.add_page_break()
    _h(doc, handout.CHAPTER_SOURCES, 1)
    _muted(doc, handout.SOURCES_INTRO)
    for city in sources:
        _h(doc, city["heading"], 2)
        for point in city["points"]:
            paragraph = doc.add_paragraph()
            paragraph.add_run(xml_safe(f"{point['name']}: ")).bold = True
            paragraph.add_run(xml_safe(point["text"]))
            for text in point["lines"]:
                line = doc.add_paragraph(xml_safe(text), style="List Bullet 2")
                for run in line.runs:
                    run.font.size = Pt(9)
                    run.font.color.rgb = MUTED


def publication_docx(document: PublicationDocument) -> bytes:
    """The whole publication as a .docx, in Dutch whatever the interface's language."""
    with translation.override(LANGUAGE):
        values = placeholders(document)
        programme = document.programme
        doc = _document()
        doc.styles["Normal"].font.size = Pt(10.5)
        _page_numbers(doc)
        _title_page(doc, document)

        _h(doc, handout.CHAPTER_FOREWORD, 1)
        rich(doc, fill(programme.foreword, values))
        doc.add_page_break()

        _h(doc, handout.CHAPTER_INTRODUCTION, 1)
        rich(doc, fill(programme.introduction, values))
        rich(doc, fill(programme.method, values))
        _participants(doc, document, values)

        _elements(doc, document, values)
        _themes(doc, document, values)
        _recommendations(doc, document, values)
        _cities(doc, document, values)
        _appendix(doc, document)
        _sources(doc, publication_sources(document))
        return _save(doc)


def programme_publication(*, programme: Programme) -> bytes:
    """The programme's publication, read and written in the publication's language."""
    with translation.override(LANGUAGE):
        return publication_docx(publication_document(programme=programme))


def _role_rows(document: PublicationDocument) -> list[list[str]]:
    rows = []
    for i, total in enumerate(document.role_totals):
        if total.participants:
            rows.append(
                [
                    total.label,
                    *(
                        f"{c.roles[i].participants} ({c.roles[i].respondents})"
                        for c in document.cities
                    ),
                    f"{total.participants} ({total.respondents})",
                ]
            )
    return rows


def _contents(document: PublicationDocument, *, has_sources: bool) -> list[dict[str, Any]]:
    """The print page's table of contents: each chapter (and each city) with its anchor."""
    cities = [
        {
            "id": f"stad-{p.workshop.code}",
            "title": handout.CITY_HEADING.format(city=p.workshop.city),
        }
        for p in document.profiles
    ]
    chapters = [
        ("voorwoord", handout.CHAPTER_FOREWORD, []),
        ("inleiding", handout.CHAPTER_INTRODUCTION, []),
        ("elementen", handout.CHAPTER_ELEMENTS, []),
        ("themas", handout.CHAPTER_THEMES, []),
        ("aanbevelingen", handout.CHAPTER_RECOMMENDATIONS, []),
        ("steden", handout.CHAPTER_CITIES, cities),
    ]
    if document.appendices:
        chapters.append(("appendix", handout.CHAPTER_APPENDIX, []))
    if has_sources:
        chapters.append(("bronnen", handout.CHAPTER_SOURCES, []))
    return [{"id": i, "title": t, "children": c} for i, t, c in chapters]


def publication_page_context(document: PublicationDocument) -> dict[str, Any]:
    """The same publication for the printable page: the texts as HTML, the charts as SVG, in
    the order of the Word document. Call it in the publication's language."""
    values = placeholders(document)
    programme = document.programme

    def html(text: str, level: int = 2) -> SafeString:
        return rich_html(fill(text, values), level=level)

    sessions = document.comparison["sessions"]
    colours = city_colours(document)
    sources = publication_sources(document)
    return {
        "h": handout,
        "toc": _contents(document, has_sources=bool(sources)),
        "sources": sources,
        "labels": {
            "city": CITY,
            "date": DATE,
            "participants": PARTICIPANTS,
            "respondents": RESPONDENTS,
            "role": ROLE,
            "total": TOTAL,
            "role_note": ROLE_TABLE_NOTE,
            "scores_note": SCORES_NOTE,
        },
        "cities_line": " \u00b7 ".join(c.workshop.city for c in document.cities),
        "month": formats.date_format(
            max(c.workshop.date for c in document.cities), "YEAR_MONTH_FORMAT"
        )
        if document.cities
        else "",
        "description": html(programme.description),
        "foreword": html(programme.foreword),
        "introduction": html(programme.introduction),
        "method": html(programme.method),
        "participants_text": html(programme.participants_text, 3),
        "city_counts": document.cities,
        "role_rows": _role_rows(document),
        "elements": [
            {"name": e.name, "capital": e.capital, "definition": html(e.definition, 3)}
            for e in document.elements
        ],
        "elements_intro": html(programme.elements_intro),
        "themes_intro": html(programme.themes_intro),
        "themes": [
            {
                "heading": handout.THEME_HEADING.format(number=n, name=t.name),
                "narrative": html(t.narrative or t.description, 3),
                "points": t.key_point_list,
            }
            for n, t in enumerate(document.themes, start=1)
        ],
        "recommendations_intro": html(programme.recommendations_intro),
        "audiences": [
            {
                "heading": handout.AUDIENCE_HEADINGS.get(g.audience, g.label),
                "texts": [r.text for r in g.recommendations],
            }
            for g in document.audiences
            if g.recommendations
        ],
        "questions": [q.strip() for q in programme.reflective_questions.splitlines() if q.strip()],
        "cities_intro": html(programme.cities_intro),
        "comparison_svg": radar_svg(
            document.comparison["names"],
            [Series(s["city"], s["scores"], s["colour"]) for s in sessions],
            title=handout.CITIES_FIGURE,
        )
        if sessions
        else "",
        "profiles": [
            {
                "doc": p,
                "heading": handout.CITY_HEADING.format(city=p.workshop.city),
                "context": html(p.profile.local_context, 4),
                "people": people_line(p.participants, p.respondents),
                "caption": handout.CITY_FIGURE.format(city=p.workshop.city),
                "chart_svg": p.chart_svg(
                    handout.CITY_HEADING.format(city=p.workshop.city),
                    colour=colours.get(p.workshop.code, ""),
                ),
                "sections": [{"section": s, "synthesis": html(s.synthesis, 4)} for s in p.sections],
                "summary": html(p.profile.summary, 4),
                "opportunities_heading": handout.OPPORTUNITIES.format(city=p.workshop.city),
            }
            for p in document.profiles
        ],
        "appendices": [
            {
                "appendix": a,
                "several": len(document.appendices) > 1,
                "other_cities": OTHER_CITIES.format(cities=joined(a.other_cities))
                if a.other_cities
                else "",
                "stem": f"{a.instrument.stem_for(a.city, LANGUAGE)} \u2026",
                "elements": [
                    {
                        "heading": handout.APPENDIX_ELEMENT.format(
                            number=item.number, name=item.element.name_nl
                        ),
                        "core_question": item.element.core_question_nl,
                        "rows": [(f"... {s.text_nl}", s.label_nl) for s in item.statements],
                        "discussion": [
                            str(q) for q in item.element.discussion_questions_nl if str(q).strip()
                        ],
                    }
                    for item in a.elements
                ],
            }
            for a in document.appendices
        ],
    }
