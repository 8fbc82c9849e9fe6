"""The city profile and the programme report as Word documents (python-docx), for editing.

Every text goes through core.inputs.xml_safe on its way in: python-docx refuses what XML 1.0
cannot hold (a ValueError, so a 500), and text stored before the input rules may hold it.

Same content as the printed pages; the spider chart is a PNG drawn with Pillow, followed by
the scores as a table (the numbers stay editable and readable without the picture).
"""

import io

from django.utils import formats
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_BREAK
from docx.shared import Cm, Pt, RGBColor

from core.inputs import xml_safe
from notes.models import Note, Observation
from profiles.charts import Series, radar_png, score_label
from profiles.models import ProfilePoint
from profiles.selectors import ProfileDocument, ProgrammeOverview, source_tally_text
from sessions.selectors import table_focus_text

MUTED = RGBColor(0x4A, 0x5A, 0x53)
GREEN = RGBColor(0x0B, 0x3D, 0x2E)


def _document() -> DocxDocument:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    section.top_margin = section.bottom_margin = Cm(2.0)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    for name in ("Title", "Heading 1", "Heading 2"):
        doc.styles[name].font.color.rgb = GREEN
    return doc


def _heading(doc: DocxDocument, text: str, level: int) -> None:
    doc.add_heading(xml_safe(text), level=level)


def _paragraphs(doc: DocxDocument, text: str) -> None:
    """A text with blank lines between its paragraphs; single line ends stay line breaks."""
    text = xml_safe(text)
    for block in [b for b in text.split("\n\n") if b.strip()]:
        paragraph = doc.add_paragraph()
        for k, line in enumerate(block.strip().split("\n")):
            if k:
                paragraph.runs[-1].add_break(WD_BREAK.LINE)
            paragraph.add_run(line)


def _muted(doc: DocxDocument, text: str) -> None:
    run = doc.add_paragraph().add_run(xml_safe(text))
    run.font.color.rgb = MUTED
    run.font.size = Pt(9.5)


def _quote(doc: DocxDocument, text: str) -> None:
    paragraph = doc.add_paragraph(style="Quote") if "Quote" in doc.styles else doc.add_paragraph()
    run = paragraph.add_run(f"\u201c{xml_safe(text)}\u201d")
    run.italic = True


def _bullets(doc: DocxDocument, points: list[ProfilePoint]) -> None:
    if not points:
        _muted(doc, "\u2013")
        return
    for point in points:
        doc.add_paragraph(xml_safe(point.text), style="List Bullet")


def people_line(participants: int, respondents: int) -> str:
    """ "21 deelnemers, 19 respondenten": the hand-out reports both, in plural forms."""
    return (
        ngettext("%(n)s participant", "%(n)s participants", participants) % {"n": participants}
        + ", "
        + ngettext("%(n)s respondent", "%(n)s respondents", respondents) % {"n": respondents}
    )


def note_line(note: Note) -> str:
    """A note as the profile page shows it behind a point: where, who, what kind, when."""
    when = formats.date_format(localtime(note.created_at), "SHORT_DATETIME_FORMAT")
    table = _("Table %(number)s") % {"number": note.table.number}
    about_seat = note.participant_id is not None or note.anonymised_seat
    seat = note.seat if about_seat else _("whole table")
    return xml_safe(f"{table} · {seat} · {note.kind_label} · {note.author} · {when}: {note.text}")


def observation_line(observation: Observation) -> str:
    """An observation cited by a point: what kind, about what, by whom, when."""
    when = formats.date_format(localtime(observation.created_at), "SHORT_DATETIME_FORMAT")
    parts = [_("Observation"), observation.get_kind_display()]
    if observation.element_name:
        parts.append(observation.element_name)
    if observation.author_label:
        parts.append(observation.author_label)
    parts.append(when)
    return xml_safe(" · ".join(parts) + f": {observation.text}")


def _score_table(doc: DocxDocument, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Light List Accent 1" if "Light List Accent 1" in doc.styles else "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = xml_safe(text)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = xml_safe(text)


def _save(doc: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def profile_docx(document: ProfileDocument) -> bytes:
    workshop = document.workshop
    doc = _document()
    _heading(doc, _("Impact ecosystem %(city)s") % {"city": workshop.city}, level=0)
    _muted(
        doc,
        _("Session of %(date)s") % {"date": formats.date_format(workshop.date, "DATE_FORMAT")}
        + " · "
        + people_line(document.participants, document.respondents),
    )
    if focus := table_focus_text(workshop=workshop):
        _muted(doc, _("Tables with a focus:") + " " + focus)
    _heading(doc, _("Local context"), level=1)
    _paragraphs(doc, document.profile.local_context or "\u2013")

    _heading(doc, _("The ecosystem in six elements"), level=1)
    png = radar_png(document.names, [Series(workshop.city, document.scores)])
    doc.add_picture(io.BytesIO(png), width=Cm(13))
    _score_table(
        doc,
        [_("Element"), _("Score"), _("n")],
        [[s.name, s.score_label, str(s.n)] for s in document.sections],
    )
    _muted(doc, _("Scores from 1 (poorly developed) via 3 (neutral) to 5 (well developed)."))

    for s in document.sections:
        _heading(doc, f"{s.number}. {s.name}", level=1)
        score = doc.add_paragraph()
        score.add_run(_("Score") + ": ").bold = True
        score.add_run(f"{s.score_label} (n = {s.n})")
        if s.quote:
            _quote(doc, s.quote)
        _heading(doc, _("Strong points"), level=2)
        _bullets(doc, s.strengths)
        _heading(doc, _("Bottlenecks"), level=2)
        _bullets(doc, s.bottlenecks)
        if s.synthesis:
            _paragraphs(doc, s.synthesis)

    _heading(doc, _("Summary"), level=1)
    if document.closing_quote:
        _quote(doc, document.closing_quote)
    _paragraphs(doc, document.profile.summary or "\u2013")
    _heading(doc, _("Opportunities for %(city)s") % {"city": workshop.city}, level=1)
    _bullets(doc, document.opportunities)

    points = [(s.name, p) for s in document.sections for p in (*s.strengths, *s.bottlenecks)] + [
        (_("Opportunities"), p) for p in document.opportunities
    ]
    if any(p.source_notes or p.source_observations for _name, p in points):
        doc.add_page_break()
        _heading(doc, _("Sources: the notes behind each point"), level=1)
        for name, point in points:
            paragraph = doc.add_paragraph()
            paragraph.add_run(f"{name}: ").bold = True
            paragraph.add_run(xml_safe(point.text))
            if point.source_notes:
                tally = paragraph.add_run(
                    " (" + _("sources") + ": " + source_tally_text(point.source_tally) + ")"
                )
                tally.font.color.rgb = MUTED
            lines = [note_line(n) for n in point.source_notes] + [
                observation_line(o) for o in point.source_observations
            ]
            for text in lines:
                line = doc.add_paragraph(text, style="List Bullet 2")
                for run in line.runs:
                    run.font.size = Pt(9)
                    run.font.color.rgb = MUTED
    return _save(doc)


def programme_docx(overview: ProgrammeOverview) -> bytes:
    programme = overview.programme
    doc = _document()
    _heading(doc, programme.name, level=0)
    if programme.description:
        _paragraphs(doc, programme.description)
    sessions = overview.comparison["sessions"]
    _heading(doc, _("Element scores per city"), level=1)
    if sessions:
        png = radar_png(
            overview.comparison["names"],
            [Series(s["city"], s["scores"], s["colour"]) for s in sessions],
        )
        doc.add_picture(io.BytesIO(png), width=Cm(14))
        _score_table(
            doc,
            [_("Element"), *(s["city"] for s in sessions)],
            [
                [row["name"], *(score_label(v) for v in row["scores"])]
                for row in overview.comparison["rows"]
            ],
        )
        _score_table(
            doc,
            [_("City"), _("Date"), _("Participants"), _("Respondents")],
            [
                [s["city"], s["date"], str(s["participants"]), str(s["respondents"])]
                for s in sessions
            ],
        )
    else:
        _muted(doc, _("No sessions in this programme yet."))

    _heading(doc, _("Recurring themes"), level=1)
    for row in overview.themes:
        _heading(doc, row.theme.name, level=2)
        if row.theme.description:
            _paragraphs(doc, row.theme.description)
        counts = ", ".join(f"{c.workshop.city} ({c.count})" for c in row.cells if c.count)
        _muted(
            doc,
            _("Came up %(n)s times: %(where)s") % {"n": row.total, "where": counts or "\u2013"},
        )

    _heading(doc, _("Recommendations"), level=1)
    for group in overview.audiences:
        if not group.recommendations:
            continue
        _heading(doc, group.label, level=2)
        for r in group.recommendations:
            paragraph = doc.add_paragraph(xml_safe(r.text), style="List Bullet")
            links = [t.name for t in r.themes.all()] + [w.city for w in r.workshops.all()]
            if links:
                run = paragraph.add_run(xml_safe(f" ({'; '.join(links)})"))
                run.font.color.rgb = MUTED
                run.font.size = Pt(9)
    questions = [q.strip() for q in programme.reflective_questions.splitlines() if q.strip()]
    if questions:
        doc.add_heading(_("Reflective questions"), level=1)
        doc.add_paragraph(_("To carry the conversation on locally:"))
        for question in questions:
            doc.add_paragraph(question, style="List Bullet")
    return _save(doc)
