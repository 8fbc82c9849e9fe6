# ruff: noqa: RUF001  (the hand-out's typography, and a fullwidth digit on purpose)
"""The programme's publication: the whole hand-out as one Word document, read back with
python-docx from a programme of two sessions with answers and notes; its texts edited in the
app, the hand-out's as starting text, filled into older programmes without overwriting."""

import datetime
import io
import shutil
import subprocess
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils.html import escape
from docx import Document
from docx.document import Document as DocxDocument

from instrument.models import Element, Statement
from notes.services import note_create
from profiles import handout
from profiles.models import Programme, ProgrammeElement, Recommendation, Theme
from profiles.services import (
    point_create,
    profile_element_update,
    profile_update,
    programme_fill_from_handout,
)
from sessions.models import Participant, Table, Workshop
from sessions.services import participant_join
from survey.selectors import results_snapshot
from survey.services import answer_save
from tests.conftest import ARTIFACTS

FOREWORD = "Dit is ons voorwoord.\n\nMet dank aan alle deelnemers.\n\nDe redactie"


def seat(workshop: Workshop, roles: list[str], answering: int) -> list[Participant]:
    """Participants with these roles; the first `answering` answer every statement."""
    statements = list(
        Statement.objects.filter(element__instrument=workshop.instrument).order_by(
            "element__order", "order"
        )
    )
    tables = list(Table.objects.filter(workshop=workshop).order_by("number"))
    people = []
    for i, role in enumerate(roles):
        p = participant_join(workshop=workshop, table=tables[i % len(tables)], role=role)
        if i < answering:
            for k, s in enumerate(statements):
                answer_save(
                    participant=p, statement_id=s.pk, score=None if k % 9 == 0 else 1 + (i + k) % 5
                )
        people.append(p)
    return people


def write_profile(workshop: Workshop, people: list[Participant]) -> None:
    """A profile with a context, a quote, points and a duiding per element, a summary, a
    closing quote and opportunities, drawn from the chairs' notes."""
    city = workshop.city
    table = people[0].table
    assert table is not None
    elements = list(Element.objects.filter(instrument=workshop.instrument).order_by("order"))
    for element in elements:
        good = note_create(
            table=table,
            element_id=element.pk,
            kind="plus",
            text=f"Goed in {city}: {element.key}",
            client_id=uuid.uuid4(),
            participant_id=people[0].pk,
        ).note
        quote = note_create(
            table=table,
            element_id=element.pk,
            kind="minus",
            text=f"Citaat {city} over {element.key}",
            client_id=uuid.uuid4(),
            participant_id=people[0].pk,
            is_quote=True,
        ).note
        point_create(
            workshop=workshop,
            section="strength",
            element_id=element.pk,
            text="",
            source_ids=[good.pk],
        )
        point_create(
            workshop=workshop,
            section="bottleneck",
            element_id=element.pk,
            text=f"Knelpunt {city} {element.key}",
            source_ids=[quote.pk],
        )
        profile_element_update(
            workshop=workshop,
            element_id=element.pk,
            synthesis=f"Duiding {city} {element.key}.",
            quote="",
            quote_note_id=quote.pk,
        )
    point_create(workshop=workshop, section="opportunity", text=f"Kans voor {city}")
    profile_update(
        workshop=workshop,
        local_context=f"{city} is een stad.\n\nMet {{deelnemers}} deelnemers in totaal.",
        summary=f"Samenvatting {city}.",
        closing_quote=f"Slotcitaat {city}",
    )


@pytest.fixture
def two_sessions(workshop, make_workshop) -> dict:
    """Groningen (earlier) and Zwolle, with roles, answers, notes and profiles."""
    groningen = make_workshop(city="Groningen", date=datetime.date(2026, 10, 1))
    zwolle = workshop
    g = seat(groningen, ["entrepreneur", "entrepreneur", "policy", "finance", ""], answering=4)
    z = seat(
        zwolle,
        ["entrepreneur", "network", "network", "research", "civil", "other", ""],
        answering=6,
    )
    write_profile(groningen, g)
    write_profile(zwolle, z)
    return {"groningen": groningen, "zwolle": zwolle}


def new_programme(organiser: Client, workshops: list[Workshop]) -> Programme:
    response = organiser.post(
        "/organiser/programmes/new/",
        {
            "name": "Impact ondernemerschap in 2 steden",
            "description": "",
            "workshops": [w.pk for w in workshops],
        },
    )
    assert response.status_code == 302
    return Programme.objects.get()


def has_picture(paragraph) -> bool:
    return bool(paragraph._p.xpath(".//pic:pic"))


def blocks(doc: DocxDocument) -> list[tuple[str, str, bool]]:
    """The body in order: (style, text, has a picture) per paragraph; a table as ("table",
    its first cell's text, False)."""
    out = []
    for item in doc.iter_inner_content():
        if hasattr(item, "style") and hasattr(item, "runs"):
            out.append((item.style.name, item.text, has_picture(item)))
        else:
            out.append(("table", item.rows[0].cells[0].text, False))
    return out


def index_of(rows: list[tuple[str, str, bool]], text: str, start: int = 0) -> int:
    for i in range(start, len(rows)):
        if rows[i][1] == text:
            return i
    raise AssertionError(f"{text!r} not found after block {start}")


def test_the_publication_has_the_hand_outs_sections_in_order_with_the_data(organiser, two_sessions):
    groningen, zwolle = two_sessions["groningen"], two_sessions["zwolle"]
    programme = new_programme(organiser, [zwolle, groningen])
    page = organiser.get(f"/organiser/programmes/{programme.pk}/").content.decode()
    assert f'href="/organiser/programmes/{programme.pk}/publication.docx"' in page
    texts_url = f"/organiser/programmes/{programme.pk}/texts/"
    form = organiser.get(texts_url)
    assert form.status_code == 200
    data = {
        name: form.context["form"].initial.get(name, "") for name in form.context["form"].fields
    }
    assert data["method"] == handout.METHOD
    assert data["definition-kennis"] == handout.ELEMENT_DEFINITIONS["kennis"]
    data["foreword"] = FOREWORD
    assert organiser.post(texts_url, data).status_code == 302

    response = organiser.get(f"/organiser/programmes/{programme.pk}/publication.docx")
    assert response.status_code == 200
    assert 'filename="impact-ondernemerschap-in-2-steden.docx"' in response["Content-Disposition"]
    (ARTIFACTS / "publication.docx").write_bytes(response.content)
    doc = Document(io.BytesIO(response.content))
    rows = blocks(doc)
    texts = [t for _s, t, _p in rows]

    # Page numbers at the foot of every page but the title page.
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    assert section.footer._element.xpath('.//w:fldSimple[@w:instr="PAGE"]')
    assert not section.first_page_footer._element.xpath(".//w:fldSimple")

    # Title page, then the chapters in the hand-out's order.
    assert rows[0] == ("Title", "Impact ondernemerschap in 2 steden", False)
    chapters = [
        handout.CHAPTER_FOREWORD,
        handout.CHAPTER_INTRODUCTION,
        handout.CHAPTER_ELEMENTS,
        handout.CHAPTER_THEMES,
        handout.CHAPTER_RECOMMENDATIONS,
        handout.CHAPTER_CITIES,
        handout.CHAPTER_APPENDIX,
    ]
    where = [index_of(rows, c) for c in chapters]
    assert where == sorted(where)
    assert all(rows[i][0] == "Heading 1" for i in where)
    foreword, intro, elements, themes, recs, cities, appendix = where

    # 1. The foreword as written, paragraph by paragraph.
    assert texts[foreword + 1 : foreword + 4] == FOREWORD.split("\n\n")

    # 2. Introduction and method: the hand-out's text, its counts from the data.
    assert index_of(rows, "Waarom een ecosysteemblik?", intro) < index_of(rows, "De aanpak", intro)
    assert (
        "In twee steden – Groningen en Zwolle – organiseerden we ecosysteemdialogen samen met "
        "lokale ecosysteem leiders. In elke stad kwamen tussen de 5 en 7 deelnemers samen"
        in " ".join(texts[intro:elements])
    )
    for sub in (
        "1. Gestructureerde survey",
        "2. Rondetafelgesprekken",
        "3. Visuele Spiderdiagrammen",
        "4. Observaties & notities",
    ):
        i = index_of(rows, sub, intro)
        assert intro < i < elements and rows[i][0] == "Heading 3"
    participants_at = index_of(rows, handout.HEADING_PARTICIPANTS, intro)
    assert participants_at < elements
    # Counts per city and per role, from the data, equal to the sessions' own results.
    city_table, role_table = [t for t in doc.tables if t.rows[0].cells[0].text in ("Stad", "Rol")]
    cells = [[c.text for c in r.cells] for r in city_table.rows]
    assert cells[0] == ["Stad", "Datum", "Deelnemers", "Respondenten"]
    for row, w in zip(cells[1:3], [groningen, zwolle], strict=True):
        snap = results_snapshot(workshop_id=w.pk)
        assert row[0] == w.city and row[2:] == [str(snap["participants"]), str(snap["respondents"])]
    assert (
        cells[1][2:] == ["5", "4"]
        and cells[2][2:] == ["7", "6"]
        and cells[3] == ["Totaal", "", "12", "10"]
    )
    roles = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in role_table.rows}
    assert roles["Rol"] == ["Groningen", "Zwolle", "Totaal"]
    assert roles["Impactondernemer"] == ["2 (2)", "1 (1)", "3 (3)"]
    assert roles["Netwerkorganisatie"] == ["0 (0)", "2 (2)", "2 (2)"]
    assert roles["Financier of investeerder"] == ["1 (1)", "0 (0)", "1 (1)"]
    # Groningen's fifth (no role) did not answer; Zwolle's seventh (no role) neither.
    no_role = [k for k in roles if k.startswith("Geen rol")]
    assert len(no_role) == 1 and roles[no_role[0]] == ["1 (0)", "1 (0)", "2 (0)"]

    # 3. Six elements, each with its form of capital and the programme's definition.
    element_rows = list(Element.objects.filter(instrument=zwolle.instrument).order_by("order"))
    assert len(element_rows) == 6
    at = elements
    for element in element_rows:
        at = index_of(rows, element.name_nl, at)
        assert at < themes and rows[at][0] == "Heading 2"
        assert texts[at + 1] == element.capital_nl
        assert texts[at + 2] == handout.ELEMENT_DEFINITIONS[element.key]

    # 4. Five themes: each its narrative (its paragraphs) and three key points.
    assert texts[themes + 1].startswith("In de twee steden zijn uiteenlopende gesprekken")
    assert "vijf centrale thema’s" in texts[themes + 1]
    at = themes
    for number, (name, _old) in enumerate(handout.SUGGESTED_THEMES, start=1):
        narrative, points = handout.THEME_TEXTS[name]
        at = index_of(rows, f"Thema {number}: {name}", at)
        assert at < recs and rows[at][0] == "Heading 2"
        paragraphs = narrative.split("\n\n")
        assert texts[at + 1 : at + 1 + len(paragraphs)] == paragraphs
        k = at + 1 + len(paragraphs)
        assert texts[k] == "Kernpunten:"
        assert texts[k + 1 : k + 4] == list(points)
        assert all(rows[j][0] == "List Bullet" for j in range(k + 1, k + 4))

    # 5. Recommendations: the audiences as headings, then the reflective questions.
    headings = [t for s, t, _p in rows[recs:cities] if s == "Heading 2"]
    assert headings == [
        "Voor gemeenten en provincies",
        "Voor kennisinstellingen",
        "Voor financiers en fondsen",
        "Voor netwerkorganisaties",
        "Reflectieve vragen",
    ]
    reflective = index_of(rows, "Reflectieve vragen", recs)
    assert texts[reflective + 1] == "Tot slot, enkele vragen om het gesprek lokaal voort te zetten:"
    assert texts[reflective + 2 : reflective + 6] == handout.REFLECTIVE_QUESTIONS.splitlines()
    assert (
        texts[index_of(rows, "Voor gemeenten en provincies", recs) + 3]
        == "Zorg voor één aanspreekpunt per regio of stadsdeel rond impact ondernemen."
    )

    # 6. The cities, in the programme's order (by date), each with its chart and its texts.
    assert texts[cities + 1].startswith(
        "In de afgelopen maanden organiseerden we twee regionale werksessies in Groningen en Zwolle."
    )
    city_at = [index_of(rows, f"Impactecosysteem {c}", cities) for c in ("Groningen", "Zwolle")]
    assert cities < city_at[0] < city_at[1] < appendix
    for w, start, end in ((groningen, city_at[0], city_at[1]), (zwolle, city_at[1], appendix)):
        chapter = rows[start:end]
        chapter_texts = [t for _s, t, _p in chapter]
        assert sum(1 for _s, _t, picture in chapter if picture) == 1  # its spider chart
        assert chapter_texts[1] == "Lokale context"
        assert chapter_texts[2:4] == [f"{w.city} is een stad.", "Met 12 deelnemers in totaal."]
        at = 0
        for element in element_rows:
            at = chapter_texts.index(element.name_nl, at)
            assert chapter_texts[at + 1] == f"“Citaat {w.city} over {element.key}”"
            assert chapter_texts[at + 2 : at + 6] == [
                "Sterke punten:",
                f"Goed in {w.city}: {element.key}",
                "Knelpunten:",
                f"Knelpunt {w.city} {element.key}",
            ]
            assert chapter_texts[at + 6] == f"Duiding {w.city} {element.key}."
        summary = chapter_texts.index("Samenvattend", at)
        assert chapter_texts[summary + 1 : summary + 5] == [
            f"“Slotcitaat {w.city}”",
            f"Samenvatting {w.city}.",
            f"Kansen {w.city}:",
            f"Kans voor {w.city}",
        ]
    # The comparison chart of all cities opens the chapter; one chart per city follows.
    assert len(doc.inline_shapes) == 3

    # 7. The appendix: all 46 statements exactly as the instrument has them, per element, as
    # the participants of the first city saw them.
    statements = list(
        Statement.objects.filter(element__instrument=groningen.instrument).order_by(
            "element__order", "order"
        )
    )
    assert len(statements) == 46
    survey_tables = [t for t in doc.tables if t.rows[0].cells[-1].text == "Label"]
    assert len(survey_tables) == 6
    seen = []
    for table, element in zip(survey_tables, element_rows, strict=True):
        header = table.rows[0].cells[0].text
        assert header == "Voor het bevorderen van impact ondernemerschap in Groningen …"
        for row, statement in zip(
            table.rows[1:], [s for s in statements if s.element_id == element.pk], strict=True
        ):
            assert row.cells[0].text == f"... {statement.text_nl}"
            assert row.cells[1].text == statement.label_nl
            seen.append(statement.pk)
    assert seen == [s.pk for s in statements]
    at = appendix
    for number, element in enumerate(element_rows, start=1):
        at = index_of(rows, f"Element {number} – {element.name_nl}", at)
        assert texts[at + 1] == f"Kernvraag: {element.core_question_nl}"
    assert "In Zwolle stond in elke stelling de eigen stad." in texts[appendix:]

    # The command writes the same document.
    out = ARTIFACTS / "publication-command.docx"
    call_command("publication", str(programme.pk), out=out)
    again = Document(str(out))
    assert [t for _s, t, _p in blocks(again)] == texts
    call_command("publication", programme.name, out=out)


def test_the_publication_renders_as_pdf_when_libreoffice_is_there(organiser, two_sessions):
    """Once, where LibreOffice is installed: the document converts and its pages render."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    programme = new_programme(organiser, [two_sessions["zwolle"], two_sessions["groningen"]])
    content = organiser.get(f"/organiser/programmes/{programme.pk}/publication.docx").content
    path = ARTIFACTS / "publication-render.docx"
    path.write_bytes(content)
    if office is None:
        # Without LibreOffice the check is that Word's format is read back whole.
        assert len(Document(io.BytesIO(content)).paragraphs) > 100
        return
    subprocess.run(
        [office, "--headless", "--convert-to", "pdf", "--outdir", str(ARTIFACTS), str(path)],
        check=True,
        timeout=240,
        capture_output=True,
    )
    from pypdf import PdfReader

    pdf = PdfReader(str(path.with_suffix(".pdf")))
    assert len(pdf.pages) > 10
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Tot slot, enkele vragen om het gesprek lokaal voort te zetten:" in text


def test_an_older_programme_gets_the_hand_outs_text_without_losing_its_own(organiser, workshop):
    # As a programme made before the publication: themes whose description holds the key
    # points in one line, no texts of the publication, no definitions.
    programme = Programme.objects.create(name="Oud", reflective_questions="Eigen vraag?")
    programme.workshops.set([workshop])
    for order, (name, description) in enumerate(handout.SUGGESTED_THEMES):
        Theme.objects.create(programme=programme, name=name, description=description, order=order)
    own = Theme.objects.create(
        programme=programme, name="Eigen thema", narrative="Eigen verhaal", order=9
    )
    first = Theme.objects.get(programme=programme, order=0)
    first.narrative = "Onze eigen tekst."
    first.save()
    programme.method = "Onze methode."
    programme.save()
    ProgrammeElement.objects.create(programme=programme, key="kennis", definition="Eigen definitie")
    Recommendation.objects.create(programme=programme, audience="support", text="Eigen advies")

    response = organiser.post(f"/organiser/programmes/{programme.pk}/fill/")
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.method == "Onze methode."  # kept
    assert programme.reflective_questions == "Eigen vraag?"  # kept
    assert programme.introduction == handout.INTRODUCTION  # filled
    assert programme.cities_intro == handout.CITIES_INTRO
    assert programme.foreword == ""  # the programme's own: no starting text
    definitions = dict(programme.elements.values_list("key", "definition"))
    assert definitions["kennis"] == "Eigen definitie"
    assert definitions["ruimte"] == handout.ELEMENT_DEFINITIONS["ruimte"]
    first.refresh_from_db()
    assert first.narrative == "Onze eigen tekst."  # kept
    assert first.key_point_list == list(handout.THEME_TEXTS[first.name][1])
    assert first.description == ""  # the old one-line key points became the list
    second = Theme.objects.get(programme=programme, order=1)
    assert second.narrative == handout.THEME_TEXTS[second.name][0]
    own.refresh_from_db()
    assert own.narrative == "Eigen verhaal" and own.key_points == ""
    # It had recommendations: none added.
    assert list(programme.recommendations.values_list("text", flat=True)) == ["Eigen advies"]
    # Twice: nothing more to fill, nothing changed.
    before = (programme.introduction, first.narrative, first.key_points)
    assert programme_fill_from_handout(programme=programme) == 0
    response = organiser.post(f"/organiser/programmes/{programme.pk}/fill/", follow=True)
    assert (
        "Niets in te vullen" in response.content.decode()
        or "Nothing to fill" in response.content.decode()
    )
    first.refresh_from_db()
    programme.refresh_from_db()
    assert (programme.introduction, first.narrative, first.key_points) == before


def test_a_theme_is_edited_as_narrative_and_key_points(organiser, workshop):
    programme = new_programme(organiser, [workshop])
    theme = programme.themes.order_by("order").first()
    url = f"/organiser/programmes/{programme.pk}/themes/{theme.pk}/"
    response = organiser.post(
        url,
        {
            "name": theme.name,
            "description": "",
            "narrative": "Eerste alinea.\n\nTweede alinea.",
            "key_points": "Punt een\n\n  Punt twee  \n",
        },
    )
    assert response.status_code == 302
    theme.refresh_from_db()
    assert theme.narrative == "Eerste alinea.\n\nTweede alinea."
    assert theme.key_point_list == ["Punt een", "Punt twee"]
    # A page without the fields (an older one) keeps them.
    organiser.post(url, {"name": "Nieuwe naam", "description": ""})
    theme.refresh_from_db()
    assert theme.name == "Nieuwe naam" and theme.key_points == "Punt een\nPunt twee"
    page = organiser.get(f"/organiser/programmes/{programme.pk}/").content.decode()
    assert "Tweede alinea." in page and "<li>Punt twee</li>" in page


@pytest.mark.parametrize(
    "text",
    ["Voorwoord\x07met een bel", "\u200b\u200b", "x" * 10001],
    ids=["control character", "only invisible", "too long"],
)
def test_an_odd_text_of_the_publication_is_refused_and_nothing_is_stored(organiser, workshop, text):
    programme = new_programme(organiser, [workshop])
    url = f"/organiser/programmes/{programme.pk}/texts/"
    form = organiser.get(url).context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["foreword"] = "Een goed voorwoord."
    data["definition-ruimte"] = text
    response = organiser.post(url, data)
    assert response.status_code == 400
    programme.refresh_from_db()
    assert programme.foreword == ""
    assert programme.elements.get(key="ruimte").definition == handout.ELEMENT_DEFINITIONS["ruimte"]


def test_unknown_braces_stay_and_the_command_refuses_an_unknown_programme(
    organiser, workshop, tmp_path
):
    programme = new_programme(organiser, [workshop])
    programme.foreword = "Een {onbekend} woord en {steden}."
    programme.save()
    doc = Document(
        io.BytesIO(organiser.get(f"/organiser/programmes/{programme.pk}/publication.docx").content)
    )
    assert "Een {onbekend} woord en Zwolle." in [p.text for p in doc.paragraphs]

    for ref in ("999999", "Bestaat niet", "７"):
        with pytest.raises(CommandError):
            call_command("publication", ref, out=tmp_path / "x.docx")
    assert not (tmp_path / "x.docx").exists()


# --- the printable page ----------------------------------------------------------------------


def test_the_printable_publication_has_the_same_chapters_and_escapes_the_texts(
    organiser, two_sessions
):
    groningen, zwolle = two_sessions["groningen"], two_sessions["zwolle"]
    programme = new_programme(organiser, [zwolle, groningen])
    programme.foreword = "<script>alert(1)</script>\n\n## Een kop\n\n- een\n- twee"
    programme.save()
    page = organiser.get(f"/organiser/programmes/{programme.pk}/")
    assert f'href="/organiser/programmes/{programme.pk}/publication/"' in page.content.decode()
    response = organiser.get(f"/organiser/programmes/{programme.pk}/publication/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<link rel="stylesheet" href="/static/css/profiles-print.css" media="print">' in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<h3>Een kop</h3>" in html and "<ul><li>een</li><li>twee</li></ul>" in html
    chapters = [
        handout.CHAPTER_FOREWORD,
        handout.CHAPTER_INTRODUCTION,
        handout.HEADING_PARTICIPANTS,
        handout.CHAPTER_ELEMENTS,
        handout.CHAPTER_THEMES,
        handout.CHAPTER_RECOMMENDATIONS,
        handout.REFLECTIVE_LEAD_IN,
        handout.CHAPTER_CITIES,
        "Impactecosysteem Groningen",
        "Impactecosysteem Zwolle",
        handout.CHAPTER_APPENDIX,
    ]
    # The contents first, each entry a link to its chapter; then the chapters.
    toc = html.split('class="pub-chapter pub-toc"', 1)[1].split("</section>", 1)[0]
    for c in [c for c in chapters if c.startswith(("1", "2", "3", "4", "5", "6", "7", "Imp"))]:
        assert f">{escape(c)}</a>" in toc, c
    body = html.index('id="voorwoord"')
    where = [html.index(escape(c), body) for c in chapters]
    assert where == sorted(where)
    # The contents, 7 chapters, one per city, and the sources of the profiles' points.
    assert html.count('class="pub-chapter') == 11
    assert html.count("<svg") == 3  # the comparison and one chart per city
    assert "In twee steden – Groningen en Zwolle – organiseerden" in html
    statements = Statement.objects.filter(element__instrument=groningen.instrument)
    assert html.count("<td>... ") == 46
    for s in statements:
        assert f"<td>... {escape(s.text_nl)}</td>" in html
    assert "Voor het bevorderen van impact ondernemerschap in Groningen …" in html


# Markers put into the printed page by the test: at the start and the end of every chart (with
# its caption) and every table, tiny and white, so that the PDF's text says on which page each
# begins and ends.
MARK_FIGURES_AND_TABLES = """() => {
  const mark = (parent, text, first) => {
    const span = document.createElement("span");
    span.textContent = text;
    span.style.fontSize = "3px";
    span.style.color = "#fff";
    if (first) parent.prepend(span); else parent.append(span);
  };
  const items = [...document.querySelectorAll(".publication figure, .publication table")];
  items.forEach((item, i) => {
    if (item.tagName === "TABLE") {
      const rows = item.querySelectorAll("tr");
      mark(rows[0].cells[0], `[[S${i}]]`, true);
      const last = rows[rows.length - 1];
      mark(last.cells[last.cells.length - 1], `[[E${i}]]`, false);
    } else {
      mark(item, `[[S${i}]]`, true);
      mark(item, `[[E${i}]]`, false);
    }
  });
  return items.map(item => item.tagName);
}"""


@pytest.mark.browser
def test_the_publication_prints_with_contents_page_numbers_and_nothing_cut(
    server, transactional_db, two_sessions
):
    import re

    from django.contrib.auth import get_user_model
    from pypdf import PdfReader

    from notes.models import Observation
    from profiles.services import programme_create
    from tests.browser_helpers import printer_page

    zwolle = two_sessions["zwolle"]
    seen = Observation.objects.create(
        workshop=zwolle,
        kind="statement",
        text="Iedereen kent iedereen in Zwolle",
        table=Table.objects.get(workshop=zwolle, number=2),
    )
    point_create(
        workshop=zwolle,
        section="opportunity",
        text="Het netwerk verder openen",
        observation_ids=[seen.pk],
    )
    programme = programme_create(
        name="Impact ondernemerschap in 2 steden",
        workshop_ids=[zwolle.pk, two_sessions["groningen"].pk],
    )
    programme.foreword = FOREWORD
    programme.save()
    get_user_model().objects.create_user("printer", password="a-long-password-9")
    url = f"/organiser/programmes/{programme.pk}/publication/"
    with printer_page(server.url, url) as page:
        plain = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        kinds = page.evaluate(MARK_FIGURES_AND_TABLES)
        marked = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    path = ARTIFACTS / "publication-print.pdf"
    path.write_bytes(plain)
    (ARTIFACTS / "publication-print-marked.pdf").write_bytes(marked)

    reader = PdfReader(path)
    pages = [page.extract_text() for page in reader.pages]
    lines = [[line.strip() for line in text.strip().split("\n") if line.strip()] for text in pages]
    # Page numbers at the foot of every page but the title page (the PDF's text has them
    # first or last); the rest of each page without them.
    assert str(1) not in (lines[0][0], lines[0][-1])
    for number, page_lines in enumerate(lines[1:], start=2):
        assert str(number) in (page_lines[0], page_lines[-1]), (number, page_lines)
        page_lines.remove(str(number))
    firsts = [page_lines[0] for page_lines in lines]
    chapters = [
        handout.CHAPTER_FOREWORD,
        handout.CHAPTER_INTRODUCTION,
        handout.CHAPTER_ELEMENTS,
        handout.CHAPTER_THEMES,
        handout.CHAPTER_RECOMMENDATIONS,
        handout.CHAPTER_CITIES,
        "Impactecosysteem Groningen",
        "Impactecosysteem Zwolle",
        handout.CHAPTER_APPENDIX,
        handout.CHAPTER_SOURCES,
    ]
    # Each chapter and each city begins a page, in the publication's order.
    starts = [firsts.index(heading) for heading in chapters]
    assert starts == sorted(starts), firsts

    # The page count: the title page, the contents, the chapters and cities each from a new
    # page; the long ones (the introduction, the cities, the appendix) run on, none empty.
    assert len(pages) == len(reader.pages)
    assert 2 + len(chapters) <= len(pages) <= 40, len(pages)
    assert all(len(page_lines) > 1 for page_lines in lines), "an empty page"

    # The contents on the page after the title page, in order, each entry a link to the page
    # its chapter begins on.
    assert firsts[1] == handout.TABLE_OF_CONTENTS
    toc = lines[1]
    at = [toc.index(heading) for heading in chapters]
    assert at == sorted(at), toc
    page_of = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    targets = []
    for annotation in reader.pages[1].get("/Annots", []):
        annotation = annotation.get_object()
        if annotation.get("/Subtype") != "/Link":
            continue
        destination = annotation.get("/Dest")
        if destination is None and "/A" in annotation:
            destination = annotation["/A"].get("/D")
        if isinstance(destination, str):  # a named destination: the chapter's id
            targets.append(
                reader.get_destination_page_number(reader.named_destinations[destination])
            )
        else:
            targets.append(page_of[destination[0].idnum])
    assert targets == starts, (targets, starts)

    # No chart (with its caption) and no table cut at a page's edge: each one's start and end
    # markers are on the same page.
    marked_pages = [
        page.extract_text() for page in PdfReader(ARTIFACTS / "publication-print-marked.pdf").pages
    ]
    assert len(marked_pages) == len(pages)
    assert kinds.count("FIGURE") == 3 and kinds.count("TABLE") >= 2 + 2 + 6
    for i, kind in enumerate(kinds):
        where = {
            edge: [n for n, text in enumerate(marked_pages) if f"[[{edge}{i}]]" in text]
            for edge in "SE"
        }
        assert len(where["S"]) == 1 and where["S"] == where["E"], (kind, i, where)

    # The observation a point cites is among that point's sources.
    sources = "\n".join(pages[starts[-1] :])
    assert "Kansen: Het netwerk verder openen" in sources
    assert re.search(
        r"Observatie · opvallende uitspraak · Tafelvoorzitter T2 · .*: Iedereen kent iedereen in Zwolle",
        sources,
    ), sources
    text = "\n".join(pages)
    for hidden in ("Alle sessies", ".docx", "Print"):
        assert hidden not in text, hidden


# --- observations as sources -----------------------------------------------------------------


def test_a_point_cites_observations_and_the_sources_appendix_lists_them(
    organiser, workshop, make_workshop, django_user_model
):
    from notes.models import Observation
    from profiles.models import ProfilePoint

    researcher = django_user_model.objects.create_user("onderzoeker", password="a-long-pw-12345")
    elements = list(Element.objects.filter(instrument=workshop.instrument).order_by("order"))
    table = Table.objects.get(workshop=workshop, number=1)
    about_first = Observation.objects.create(
        workshop=workshop,
        kind="theme",
        element=elements[0],
        text="Kennis komt steeds terug",
        author=researcher,
    )
    whole = Observation.objects.create(
        workshop=workshop, kind="statement", text="Het borrelt in Zwolle", table=table
    )
    about_second = Observation.objects.create(
        workshop=workshop,
        kind="example",
        element=elements[1],
        text="Impact Oost",
        author=researcher,
    )
    elsewhere = Observation.objects.create(
        workshop=make_workshop(city="Kampen"), kind="theme", text="Elders", author=researcher
    )
    url = f"/s/{workshop.code}/profile/points/"
    base = {"section": "strength", "element": elements[0].pk, "text": ""}
    organiser.post(url, {**base, "observations": [about_first.pk, whole.pk]})
    point = ProfilePoint.objects.get()
    assert point.text == "Kennis komt steeds terug Het borrelt in Zwolle"  # prefilled
    assert set(point.observations.all()) == {about_first, whole}
    # Refused, nothing stored: another session's, or another element's observation.
    for refused in (elsewhere, about_second):
        organiser.post(url, {**base, "text": "x", "observations": [refused.pk]})
    assert ProfilePoint.objects.count() == 1

    edit = f"/s/{workshop.code}/profile/points/{point.pk}/"
    page = organiser.get(edit).content.decode()
    assert "Kennis komt steeds terug" in page and "Impact Oost" not in page
    # An older page without the observations keeps them; this page sets them.
    organiser.post(edit, {"text": "Kennis leeft"})
    assert point.observations.count() == 2
    organiser.post(
        edit, {"text": "Kennis leeft", "observations-shown": "1", "observations": [whole.pk]}
    )
    assert list(point.observations.all()) == [whole]

    html = organiser.get(f"/s/{workshop.code}/profile/").content.decode()
    assert "Het borrelt in Zwolle" in html and "Tafelvoorzitter T1" in html
    doc = Document(io.BytesIO(organiser.get(f"/s/{workshop.code}/profile.docx").content))
    texts = [p.text for p in doc.paragraphs]
    assert any(
        t.startswith("Observatie · ")
        and "Tafelvoorzitter T1" in t
        and t.endswith(": Het borrelt in Zwolle")
        for t in texts
    ), texts

    # The programme's publication: the sources chapter lists the point with its observations,
    # in the Word file and on the printable page.
    programme = new_programme(organiser, [workshop])
    doc = Document(
        io.BytesIO(organiser.get(f"/organiser/programmes/{programme.pk}/publication.docx").content)
    )
    texts = [p.text for p in doc.paragraphs]
    chapter = texts.index(handout.CHAPTER_SOURCES)
    assert texts[chapter + 2] == "Impactecosysteem Zwolle"
    assert texts[chapter + 3] == f"{elements[0].name_nl}: Kennis leeft"
    cited = texts[chapter + 4 :]
    assert len(cited) == 1
    assert cited[0].startswith("Observatie · opvallende uitspraak · Tafelvoorzitter T1 · ")
    assert cited[0].endswith(": Het borrelt in Zwolle")
    page = organiser.get(f"/organiser/programmes/{programme.pk}/publication/").content.decode()
    block = page.split('id="bronnen"', 1)[1].split("</section>", 1)[0]
    assert f"<strong>{escape(elements[0].name_nl)}:</strong> Kennis leeft" in block
    assert escape(cited[0]) in block


def test_a_programme_without_sessions_still_gives_its_publication(organiser):
    response = organiser.post(
        "/organiser/programmes/new/", {"name": "Nog leeg", "description": "", "workshops": []}
    )
    programme = Programme.objects.get()
    assert response.status_code == 302
    response = organiser.get(f"/organiser/programmes/{programme.pk}/publication.docx")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    texts = [p.text for p in doc.paragraphs]
    assert handout.CHAPTER_CITIES in texts and handout.CHAPTER_APPENDIX not in texts
    # Counts from the data: none yet.
    assert any(t.startswith("In nul steden – nog geen steden – organiseerden") for t in texts)
    page = organiser.get(f"/organiser/programmes/{programme.pk}/publication/")
    assert page.status_code == 200
    assert organiser.get(f"/organiser/programmes/{programme.pk}/texts/").status_code == 200


def test_two_fills_at_once_fill_each_text_once(transactional_db, workshop):
    import threading

    from django.db import connection

    programme = Programme.objects.create(name="Oud")
    programme.workshops.set([workshop])
    counts: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def fill() -> None:
        try:
            barrier.wait(timeout=30)
            counts.append(
                programme_fill_from_handout(programme=Programme.objects.get(pk=programme.pk))
            )
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=fill) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(counts)[0] == 0 and sorted(counts)[1] > 0
    assert programme.elements.count() == 6
    assert programme.themes.count() == 5
    assert programme.recommendations.count() == 18


def test_a_quote_can_be_an_observation(organiser, two_sessions, django_user_model):
    from notes.models import Observation

    zwolle = two_sessions["zwolle"]
    researcher = django_user_model.objects.create_user("onderzoeker", password="a-long-pw-12345")
    first, second = Element.objects.filter(instrument=zwolle.instrument).order_by("order")[:2]
    striking = Observation.objects.create(
        workshop=zwolle, kind="statement", element=first, text="Het borrelt hier", author=researcher
    )
    closing = Observation.objects.create(
        workshop=zwolle, kind="statement", text="We zijn goed op weg", author=researcher
    )
    other = Observation.objects.create(
        workshop=zwolle, kind="statement", element=second, text="Ander element", author=researcher
    )
    url = f"/s/{zwolle.code}/profile/elements/1/"
    assert "Het borrelt hier" in organiser.get(url).content.decode()
    assert "Ander element" not in organiser.get(url).content.decode()
    base = {"synthesis": "Duiding.", "quote": ""}
    # Another element's observation, or a note and an observation at once: refused.
    note = zwolle.notes.filter(element=first, is_quote=True).first()
    for refused in (
        {"quote_observation": other.pk},
        {"quote_observation": striking.pk, "quote_note": note.pk},
    ):
        assert organiser.post(url, {**base, **refused}).status_code == 400
    assert organiser.post(url, {**base, "quote_observation": striking.pk}).status_code == 302
    edit = f"/s/{zwolle.code}/profile/edit/"
    assert "We zijn goed op weg" in organiser.get(edit).content.decode()
    response = organiser.post(
        edit,
        {
            "local_context": "Context.",
            "summary": "Samenvatting.",
            "closing_quote": "",
            "closing_quote_observation": closing.pk,
        },
    )
    assert response.status_code == 302
    programme = new_programme(organiser, [zwolle])
    doc = Document(
        io.BytesIO(organiser.get(f"/organiser/programmes/{programme.pk}/publication.docx").content)
    )
    texts = [p.text for p in doc.paragraphs]
    assert "“Het borrelt hier”" in texts and "“We zijn goed op weg”" in texts


def test_observations_are_tagged_with_themes_like_notes(organiser, workshop, make_workshop):
    from notes.models import Observation

    programme = new_programme(organiser, [workshop])
    themes = list(programme.themes.order_by("order"))
    table = Table.objects.get(workshop=workshop, number=2)
    seen = Observation.objects.create(
        workshop=workshop, kind="theme", text="Intermediairs dragen alles", table=table
    )
    stray = Observation.objects.create(
        workshop=make_workshop(city="Kampen"), kind="theme", text="Elders", table=None
    )
    url = f"/organiser/programmes/{programme.pk}/tags/"
    page = organiser.get(f"{url}?session={workshop.code}").content.decode()
    assert "Intermediairs dragen alles" in page and f'name="observation-themes-{seen.pk}"' in page
    response = organiser.post(
        url,
        {
            "session": workshop.code,
            "observations": [seen.pk],
            f"observation-themes-{seen.pk}": [themes[0].pk, themes[3].pk],
        },
    )
    assert response.status_code == 302
    assert set(seen.themes.all()) == {themes[0], themes[3]}
    # Another session's observation: refused, nothing changes.
    organiser.post(
        url,
        {
            "session": workshop.code,
            "observations": [seen.pk, stray.pk],
            f"observation-themes-{seen.pk}": [],
            f"observation-themes-{stray.pk}": [themes[0].pk],
        },
    )
    assert set(seen.themes.all()) == {themes[0], themes[3]} and not stray.themes.exists()
    # Unticked: removed.
    organiser.post(url, {"session": workshop.code, "observations": [seen.pk]})
    assert not seen.themes.exists()
    organiser.post(
        url,
        {
            "session": workshop.code,
            "observations": [seen.pk],
            f"observation-themes-{seen.pk}": [themes[1].pk],
        },
    )
    html = organiser.get(f"/organiser/programmes/{programme.pk}/").content.decode()
    theme_block = html.split(f'id="theme-{themes[1].pk}"', 1)[1].split("</article>", 1)[0]
    assert "Intermediairs dragen alles" in theme_block and "Tafelvoorzitter T2" in theme_block
