"""City profiles and programmes: organiser-only pages, points that remember their
notes, the printable page and the Word document read back, and the numbers across cities
checked against the sessions' own results and the tagged notes."""

import io
import re
import uuid
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.utils import timezone, translation
from django.utils.html import escape
from docx import Document
from pypdf import PdfReader

from core.errors import Rejected
from instrument.models import Element, Statement
from notes.models import Note
from notes.services import note_create
from profiles.charts import Series, radar_png, radar_svg, score_label
from profiles.handout import SUGGESTED_THEMES
from profiles.models import (
    Audience,
    PointSection,
    Profile,
    ProfilePoint,
    Programme,
    Recommendation,
    ThemeTag,
)
from profiles.selectors import programme_overview, theme_counts
from profiles.services import (
    point_create,
    profile_element_update,
    profile_update,
    programme_create,
    theme_tags_set,
)
from sessions.models import Participant, Table, Workshop
from sessions.services import participant_join
from survey.selectors import results_snapshot, sessions_comparison
from survey.services import answer_save
from tests.conftest import ARTIFACTS

# --- helpers ---------------------------------------------------------------------------------


def table_of(workshop: Workshop, number: int) -> Table:
    return Table.objects.select_related("workshop").get(workshop=workshop, number=number)


def elements_of(workshop: Workshop) -> list[Element]:
    return list(Element.objects.filter(instrument=workshop.instrument).order_by("order"))


def answer_all(workshop: Workshop, pattern: list[int | None]) -> list[Participant]:
    """One participant per score pattern entry offset: varied 1-5 answers and don't-knows."""
    statements = list(
        Statement.objects.filter(element__instrument=workshop.instrument).order_by(
            "element__order", "order"
        )
    )
    people = []
    for offset in range(3):
        p = participant_join(workshop=workshop, table=table_of(workshop, 1 + offset % 2), role="")
        for i, statement in enumerate(statements):
            score = pattern[(i + offset) % len(pattern)]
            answer_save(participant=p, statement_id=statement.pk, score=score)
        people.append(p)
    return people


def note(
    table: Table,
    element: Element,
    kind: str,
    text: str,
    participant: Participant | None = None,
    *,
    is_quote: bool = False,
) -> Note:
    return note_create(
        table=table,
        element_id=element.pk,
        kind=kind,
        text=text,
        client_id=uuid.uuid4(),
        participant_id=participant.pk if participant else None,
        is_quote=is_quote,
    ).note


def nl(value: float | None) -> str:
    with translation.override("nl"):
        return score_label(value)


def title_of(city: str) -> str:
    """The profile's heading in Dutch (or the English msgid while it is not translated)."""
    with translation.override("nl"):
        return translation.gettext("Impact ecosystem %(city)s") % {"city": city}


@pytest.fixture
def seated(workshop) -> dict:
    """A table of two with notes of every kind on the first two elements."""
    t2 = table_of(workshop, 2)
    a = participant_join(workshop=workshop, table=t2, role="finance")
    b = participant_join(workshop=workshop, table=t2, role="policy")
    first, second = elements_of(workshop)[:2]
    return {
        "table": t2,
        "a": a,
        "b": b,
        "first": first,
        "second": second,
        "plus": note(t2, first, "plus", "Veel kennis bij de hogeschool", a),
        "agree": note(t2, first, "agree", "Studenten zijn enthousiast"),
        "minus": note(t2, first, "minus", "Kennis is versnipperd", b),
        "differ": note(t2, first, "differ", "Over de rol van de gemeente"),
        "quote": note(
            t2, first, "minus", "Er is veel kennis, maar slecht te vinden.", b, is_quote=True
        ),
        "other_element": note(t2, second, "plus", "Impact Zwolle verbindt", a),
    }


# --- access ----------------------------------------------------------------------------------


def test_every_profile_and_programme_page_is_for_the_organiser_only(client, workshop, seated):
    programme = programme_create(name="Vijf steden", workshop_ids=[workshop.pk])
    point = point_create(
        workshop=workshop,
        section=PointSection.STRENGTH,
        element_id=seated["first"].pk,
        text="Sterk",
        source_ids=[seated["plus"].pk],
    )
    theme = programme.themes.first()
    code, key = workshop.code, workshop.projector_key
    gets = [
        f"/s/{code}/profile/",
        f"/s/{code}/profile.docx",
        f"/s/{code}/profile/edit/",
        f"/s/{code}/profile/elements/1/",
        f"/s/{code}/profile/points/{point.pk}/",
        "/organiser/programmes/",
        f"/organiser/programmes/{programme.pk}/",
        f"/organiser/programmes/{programme.pk}/edit/",
        f"/organiser/programmes/{programme.pk}/report/",
        f"/organiser/programmes/{programme.pk}/report.docx",
        f"/organiser/programmes/{programme.pk}/tags/",
        f"/organiser/programmes/{programme.pk}/themes/{theme.pk}/",
    ]
    for url in gets:
        for suffix in ("", f"{'&' if '?' in url else '?'}key={key}"):
            response = client.get(url + suffix)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url
    posts = {
        f"/s/{code}/profile/points/": {
            "section": "strength",
            "element": seated["first"].pk,
            "text": "x",
            "key": key,
        },
        f"/s/{code}/profile/points/{point.pk}/delete/": {"key": key},
        f"/s/{code}/profile/edit/": {"local_context": "x", "key": key},
        "/organiser/programmes/new/": {"name": "x", "key": key},
        f"/organiser/programmes/{programme.pk}/delete/": {"confirm": "1", "key": key},
        f"/organiser/programmes/{programme.pk}/tags/": {
            "session": code,
            "notes": [seated["plus"].pk],
            f"themes-{seated['plus'].pk}": [theme.pk],
        },
    }
    for url, data in posts.items():
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
    assert ProfilePoint.objects.count() == 1
    assert Profile.objects.get().local_context == ""
    assert Programme.objects.count() == 1
    assert not ThemeTag.objects.exists()


def test_the_organiser_pages_answer(organiser, workshop, seated):
    programme = programme_create(name="Vijf steden", workshop_ids=[workshop.pk])
    for url in (
        f"/s/{workshop.code}/profile/",
        f"/s/{workshop.code}/profile/edit/",
        f"/s/{workshop.code}/profile/elements/6/",
        "/organiser/programmes/",
        f"/organiser/programmes/{programme.pk}/",
        f"/organiser/programmes/{programme.pk}/edit/",
        f"/organiser/programmes/{programme.pk}/report/",
        f"/organiser/programmes/{programme.pk}/tags/",
    ):
        response = organiser.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        # Under the Content-Security-Policy: no inline script or style attribute anywhere.
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), url
        assert not re.search(r"<[^>]+\sstyle\s*=", html), url
    assert organiser.get(f"/s/{workshop.code}/profile/elements/7/").status_code == 404
    assert organiser.get("/s/NOSUCH/profile/").status_code == 404
    # Reading never writes: the profile row appears with the first change.
    assert not Profile.objects.exists()


# --- the profile -----------------------------------------------------------------------------


def test_the_profile_shows_all_six_elements_with_the_sessions_scores(organiser, workshop):
    answer_all(workshop, [4, 2, 5, None, 3, 1, 4])
    snapshot = results_snapshot(workshop_id=workshop.pk)
    html = organiser.get(f"/s/{workshop.code}/profile/").content.decode()
    assert escape(title_of(workshop.city)) in html
    elements = elements_of(workshop)
    assert len(elements) == 6
    for number, (element, result) in enumerate(
        zip(elements, snapshot["elements"], strict=True), start=1
    ):
        assert result["key"] == element.key
        section = html.split(f'id="element-{number}"', 1)[1].split("</section>", 1)[0]
        assert escape(element.name_nl) in section
        assert result["score"] is not None
        assert f'<span class="score-value">{nl(result["score"])}</span>' in section
        assert "," in nl(result["score"])  # one decimal, Dutch decimal comma
    # The data of the interactive chart are the same numbers, in the instrument's order.
    assert [e["score"] for e in snapshot["elements"]] == [
        pytest.approx(v) for v in _chart_scores(html)
    ]


def _chart_scores(html: str) -> list[float]:
    import json

    raw = html.split('<script id="profile-chart-data" type="application/json">', 1)[1]
    return json.loads(raw.split("</script>", 1)[0])["series"][0]["scores"]


def test_a_point_from_notes_keeps_its_sources_and_links_back_to_them(organiser, workshop, seated):
    url = f"/s/{workshop.code}/profile/points/"
    back = f"/s/{workshop.code}/profile/elements/1/"
    response = organiser.post(
        url,
        {
            "section": "strength",
            "element": seated["first"].pk,
            "sources": [seated["plus"].pk, seated["agree"].pk],
            "text": "",
            "next": back,
        },
    )
    assert response.status_code == 302 and response["Location"] == back
    point = ProfilePoint.objects.get()
    assert point.section == PointSection.STRENGTH and point.element == seated["first"]
    assert set(point.sources.all()) == {seated["plus"], seated["agree"]}
    # An empty text takes the notes' texts, joined, in the order they were written.
    assert point.text == "Veel kennis bij de hogeschool Studenten zijn enthousiast"

    # Reworded: the sources stay.
    organiser.post(
        f"/s/{workshop.code}/profile/points/{point.pk}/",
        {"text": "Sterke kennisbasis", "sources": [seated["plus"].pk, seated["agree"].pk]},
    )
    point.refresh_from_db()
    assert point.text == "Sterke kennisbasis"
    assert point.sources.count() == 2

    html = organiser.get(f"/s/{workshop.code}/profile/").content.decode()
    item = html.split(f'id="point-{point.pk}"', 1)[1].split("</details>", 1)[0]
    assert "Sterke kennisbasis" in item
    assert "2 notes" in item or "2 notities" in item
    sources = item.split('class="sources"', 1)[1]
    plus, agree = seated["plus"], seated["agree"]
    for n in (plus, agree):
        assert escape(n.text) in sources
        assert escape(n.author) in sources  # "Tafelvoorzitter T2"
        assert f'datetime="{timezone.localtime(n.created_at).isoformat()}"' in sources
    assert "T2·P1" in sources  # the plus note's seat
    assert "Table 2" in sources or "Tafel 2" in sources
    assert 'class="kind kind-plus"' in sources and 'class="kind kind-agree"' in sources
    # Beside the point: how many of its sources were agreement, difference, + and minus.
    tally = item.split('class="src-tally"', 1)[1].split("</summary>", 1)[0]
    tally_text = re.sub(r"<[^>]+>", "", tally.split(">", 1)[1]).replace("&nbsp;", " ").strip()
    assert tally_text in (
        "eens 1 · verschil 0 · + 1 · \u2212 0",
        "agreement 1 · difference 0 · + 1 · \u2212 0",
    )


def test_points_come_only_from_the_right_notes_of_the_session(workshop, make_workshop, seated):
    first = seated["first"]

    def attempt(section, sources, element=first):
        return point_create(
            workshop=workshop,
            section=section,
            element_id=element.pk if element else None,
            text="",
            source_ids=[n.pk for n in sources],
        )

    refusals = [
        (PointSection.STRENGTH, [seated["other_element"]], first),  # another element's note
        (PointSection.STRENGTH, [], first),  # nothing to say
        (PointSection.OPPORTUNITY, [seated["plus"]], first),  # opportunities: whole city
    ]
    other = make_workshop(city="Deventer")
    foreign = note(table_of(other, 1), elements_of(other)[0], "agree", "Elders gezegd")
    refusals.append((PointSection.STRENGTH, [foreign], first))
    for section, sources, element in refusals:
        with pytest.raises(Rejected):
            attempt(section, sources, element)
    assert not ProfilePoint.objects.exists()

    bottleneck = attempt(PointSection.BOTTLENECK, [seated["minus"], seated["differ"]])
    assert set(bottleneck.sources.all()) == {seated["minus"], seated["differ"]}
    # "eens"/"verschil" say whether the table agreed, not whether it is good or bad: a table
    # that agreed on a bottleneck is its source, and a minus may stand behind a strong point.
    agreed = attempt(PointSection.BOTTLENECK, [seated["agree"]])
    assert set(agreed.sources.all()) == {seated["agree"]}
    mixed = attempt(PointSection.STRENGTH, [seated["minus"], seated["differ"], seated["plus"]])
    assert mixed.sources.count() == 3
    # An opportunity may come from any note of the session, or from none.
    opportunity = attempt(PointSection.OPPORTUNITY, [seated["other_element"]], None)
    assert opportunity.element is None and opportunity.sources.count() == 1


def test_the_organiser_reorders_edits_and_deletes_points(
    organiser, workshop, make_workshop, seated
):
    first = seated["first"]
    points = [
        point_create(
            workshop=workshop,
            section=PointSection.STRENGTH,
            element_id=first.pk,
            text=f"Punt {i}",
        )
        for i in range(3)
    ]
    base = f"/s/{workshop.code}/profile/points"

    def order() -> list[str]:
        return list(
            ProfilePoint.objects.filter(element=first)
            .order_by("order", "pk")
            .values_list("text", flat=True)
        )

    organiser.post(f"{base}/{points[2].pk}/move/", {"direction": "up"})
    assert order() == ["Punt 0", "Punt 2", "Punt 1"]
    organiser.post(f"{base}/{points[0].pk}/move/", {"direction": "up"})  # already first
    assert order() == ["Punt 0", "Punt 2", "Punt 1"]
    organiser.post(f"{base}/{points[0].pk}/move/", {"direction": "down"})
    assert order() == ["Punt 2", "Punt 0", "Punt 1"]
    html = organiser.get(f"/s/{workshop.code}/profile/").content.decode()
    assert html.index("Punt 2") < html.index("Punt 0") < html.index("Punt 1")

    response = organiser.post(f"{base}/{points[1].pk}/", {"text": "  ", "sources": []})
    assert response.status_code == 400  # a point needs a text
    response = organiser.post(
        f"{base}/{points[1].pk}/", {"text": "Bijgewerkt", "sources": [seated["other_element"].pk]}
    )
    assert response.status_code == 400  # another element's note cannot back this point
    assert ProfilePoint.objects.get(pk=points[1].pk).text == "Punt 1"
    response = organiser.post(
        f"{base}/{points[1].pk}/", {"text": "Bijgewerkt", "sources": [seated["minus"].pk]}
    )
    assert response.status_code == 302  # a minus may back a strong point: the organiser reads it
    assert ProfilePoint.objects.get(pk=points[1].pk).sources.get() == seated["minus"]

    organiser.post(f"{base}/{points[1].pk}/delete/")
    assert order() == ["Punt 2", "Punt 0"]
    assert Note.objects.filter(pk=seated["minus"].pk).exists()
    # A point is not reachable through another session's code.
    other = make_workshop(city="Deventer")
    response = organiser.post(f"/s/{other.code}/profile/points/{points[0].pk}/delete/")
    assert response.status_code == 404
    assert ProfilePoint.objects.filter(pk=points[0].pk).exists()


def test_quotes_are_chosen_from_notes_marked_as_quotes(organiser, workshop, seated):
    first = seated["first"]
    url = f"/s/{workshop.code}/profile/elements/1/"
    page = organiser.get(url).content.decode()
    assert escape(seated["quote"].text) in page
    # A note not marked as a quote is refused; nothing is stored.
    response = organiser.post(
        url, {"quote_note": seated["plus"].pk, "quote": "", "synthesis": "Kort"}
    )
    assert response.status_code == 400
    assert not Profile.objects.exists()
    response = organiser.post(
        url, {"quote_note": seated["quote"].pk, "quote": "", "synthesis": "Kort en krachtig."}
    )
    assert response.status_code == 302
    html = organiser.get(f"/s/{workshop.code}/profile/").content.decode()
    section = html.split('id="element-1"', 1)[1].split("</section>", 1)[0]
    assert f'<blockquote class="quote"><p>{escape(seated["quote"].text)}</p>' in section
    assert "Kort en krachtig." in section
    # The organiser's own wording wins over the note's.
    profile_element_update(
        workshop=workshop,
        element_id=first.pk,
        synthesis="",
        quote="Veel kennis, slecht vindbaar.",
        quote_note_id=seated["quote"].pk,
    )
    html = organiser.get(f"/s/{workshop.code}/profile/").content.decode()
    assert "<p>Veel kennis, slecht vindbaar.</p>" in html
    # The closing quote, from any quote note of the session.
    response = organiser.post(
        f"/s/{workshop.code}/profile/edit/",
        {
            "local_context": "Zwolle is een hanzestad.",
            "summary": "Samengevat.",
            "closing_quote_note": seated["quote"].pk,
            "closing_quote": "",
        },
    )
    assert response.status_code == 302
    profile = Profile.objects.get()
    assert profile.closing_quote_note == seated["quote"]
    html = organiser.get(f"/s/{workshop.code}/profile/").content.decode()
    assert f'<blockquote class="quote closing"><p>{escape(seated["quote"].text)}</p>' in html
    assert "Zwolle is een hanzestad." in html


def test_user_text_is_shown_as_text(organiser, make_workshop):
    workshop = make_workshop(city="<b>Zw</b>olle")
    t1 = table_of(workshop, 1)
    element = elements_of(workshop)[0]
    evil = note(t1, element, "agree", '<script>alert("x")</script>')
    point_create(
        workshop=workshop,
        section=PointSection.STRENGTH,
        element_id=element.pk,
        text="<img src=x onerror=alert(1)>",
        source_ids=[evil.pk],
    )
    profile_update(
        workshop=workshop, local_context="<i>context</i>", summary="", closing_quote="<u>q</u>"
    )
    html = organiser.get(f"/s/{workshop.code}/profile/").content.decode()
    for raw in ("<b>Zw</b>", "<script>alert", "<img src=x", "<i>context", "<u>q</u>"):
        assert raw not in html
    assert "&lt;b&gt;Zw&lt;/b&gt;olle" in html  # in the heading and the chart's SVG
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_print_stylesheet_is_linked_and_the_chart_is_an_svg(organiser, workshop):
    answer_all(workshop, [3, 4, 5])
    html = organiser.get(f"/s/{workshop.code}/profile/").content.decode()
    assert '<link rel="stylesheet" href="/static/css/profiles-print.css" media="print">' in html
    assert '<link rel="stylesheet" href="/static/css/profiles.css">' in html
    svg = html.split('<figure class="radar-figure">', 1)[1].split("</figure>", 1)[0]
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    for element in elements_of(workshop):
        for word in element.name_nl.split():
            assert escape(word) in svg
    for result in results_snapshot(workshop_id=workshop.pk)["elements"]:
        assert f">{nl(result['score'])}</text>" in svg
    with open(finders.find("css/profiles-print.css"), encoding="utf-8") as f:
        text = f.read()
    assert "size: A4" in text and ".no-print" in text and "header.top" in text


def test_the_radar_drawings(workshop):
    names = ["Een", "Twee", "Drie", "Vier", "Vijf", "Zes"]
    svg = str(radar_svg(names, [Series("A", [5, 5, 5, 5, 5, 5])]))
    # The first element at the top: at 5 the dot sits on the rim straight above the centre.
    dots = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)
    assert len(dots) == 6
    rim = re.findall(r'<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"', svg)[0]
    assert dots[0] == (rim[2], rim[3]) and float(rim[2]) == pytest.approx(float(rim[0]))
    assert float(rim[3]) < float(rim[1])
    two = str(radar_svg(names, [Series("A", [1] * 6), Series("B", [None, 2, 3, 4, 5, 1])]))
    assert two.count("<circle") == 11  # no dot without a score
    assert ">A</text>" in two and ">B</text>" in two  # the legend
    png = radar_png(names, [Series("A", [3.5] * 6)])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


def build_profile(workshop: Workshop, seated: dict) -> dict:
    first = seated["first"]
    strength = point_create(
        workshop=workshop,
        section=PointSection.STRENGTH,
        element_id=first.pk,
        text="Kennis is ruim aanwezig",
        source_ids=[seated["plus"].pk],
    )
    bottleneck = point_create(
        workshop=workshop,
        section=PointSection.BOTTLENECK,
        element_id=first.pk,
        text="Kennis is moeilijk vindbaar",
        source_ids=[seated["minus"].pk, seated["differ"].pk],
    )
    opportunity = point_create(
        workshop=workshop,
        section=PointSection.OPPORTUNITY,
        text="Verbeter de vindbaarheid van kennis",
    )
    profile_element_update(
        workshop=workshop,
        element_id=first.pk,
        synthesis="Veel kennis, weinig overzicht.",
        quote="",
        quote_note_id=seated["quote"].pk,
    )
    profile_update(
        workshop=workshop,
        local_context="Zwolle is een hanzestad met een actieve hogeschool.",
        summary="Een jong, energiek ecosysteem.",
        closing_quote="Het leeft hier echt.",
    )
    return {"strength": strength, "bottleneck": bottleneck, "opportunity": opportunity}


def test_the_word_document_reads_back_with_headings_scores_and_points(organiser, workshop, seated):
    answer_all(workshop, [5, 4, None, 2, 3])
    points = build_profile(workshop, seated)
    response = organiser.get(f"/s/{workshop.code}/profile.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert 'filename="profiel-zwolle-2026-11-26.docx"' in response["Content-Disposition"]
    (ARTIFACTS / "profile.docx").write_bytes(response.content)
    doc = Document(io.BytesIO(response.content))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    texts = [t for _style, t in paragraphs]
    headings = [t for style, t in paragraphs if style.startswith(("Heading", "Title"))]
    assert headings[0] == title_of(workshop.city)
    snapshot = results_snapshot(workshop_id=workshop.pk)
    for number, (element, result) in enumerate(
        zip(elements_of(workshop), snapshot["elements"], strict=True), start=1
    ):
        assert f"{number}. {element.name_nl}" in headings
        # Its score line follows the heading.
        at = texts.index(f"{number}. {element.name_nl}")
        assert texts[at + 1].endswith(f"{nl(result['score'])} (n = {result['n']})")
    bullets = [t for style, t in paragraphs if style == "List Bullet"]
    for point in points.values():
        assert point.text in bullets
    assert f"\u201c{seated['quote'].text}\u201d" in texts
    assert "\u201cHet leeft hier echt.\u201d" in texts
    assert "Zwolle is een hanzestad met een actieve hogeschool." in texts
    assert "Veel kennis, weinig overzicht." in texts
    # The scores as a table as well as the chart as a picture.
    table = doc.tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[1:] == [
        [e.name_nl, nl(r["score"]), str(r["n"])]
        for e, r in zip(elements_of(workshop), snapshot["elements"], strict=True)
    ]
    assert len(doc.inline_shapes) == 1
    # The notes behind each point, at the end.
    sources = [t for style, t in paragraphs if style == "List Bullet 2"]
    assert any(t.endswith(f": {seated['minus'].text}") and "T2·P2" in t for t in sources)
    assert any(t.endswith(f": {seated['differ'].text}") for t in sources)
    # Each point's sources counted by kind: the bottleneck came from a minus and a difference.
    bottleneck_line = next(
        t
        for t in texts
        if t.endswith(
            points["bottleneck"].text + " (bronnen: eens 0 · verschil 1 · + 0 · \u2212 1)"
        )
    )
    assert bottleneck_line.startswith(elements_of(workshop)[0].name_nl)


# --- programmes ------------------------------------------------------------------------------


def test_a_new_programme_starts_with_the_hand_outs_five_themes(organiser, workshop, make_workshop):
    other = make_workshop(city="Groningen")
    response = organiser.post(
        "/organiser/programmes/new/",
        {"name": "Vijf steden", "description": "", "workshops": [workshop.pk, other.pk]},
    )
    programme = Programme.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/organiser/programmes/{programme.pk}/"
    assert [t.name for t in programme.themes.order_by("order")] == [
        "De rol van intermediairs en netwerkvorming",
        "De kloof tussen kennis, beleid en praktijk",
        "Behoefte aan lange termijn ondersteuning en financiering",
        "Zichtbaarheid, legitimiteit en taalgebruik",
        "Ruimte, bereikbaarheid en infrastructuur",
    ]
    assert [name for name, _text in SUGGESTED_THEMES] == [
        t.name for t in programme.themes.order_by("order")
    ]
    assert set(programme.workshops.all()) == {workshop, other}
    # Suggestions: they can be renamed and deleted.
    theme = programme.themes.order_by("order").first()
    organiser.post(
        f"/organiser/programmes/{programme.pk}/themes/{theme.pk}/",
        {"name": "Intermediairs", "description": ""},
    )
    assert programme.themes.order_by("order").first().name == "Intermediairs"
    organiser.post(f"/organiser/programmes/{programme.pk}/themes/{theme.pk}/delete/")
    assert programme.themes.count() == 4


@pytest.fixture
def two_cities(workshop, make_workshop) -> dict:
    """Zwolle and Groningen, answered differently, with notes at two tables each."""
    groningen = make_workshop(city="Groningen")
    answer_all(workshop, [4, 5, 3, None, 4])
    answer_all(groningen, [2, 1, 3, 2, None, 5])
    made = {}
    for w in (workshop, groningen):
        t1, t2 = table_of(w, 1), table_of(w, 2)
        person = participant_join(workshop=w, table=t1, role="")
        elements = elements_of(w)
        made[w.city] = [
            note(
                t1,
                elements[i % 6],
                kind,
                f"{w.city} notitie {i}",
                person if kind in ("plus", "minus") else None,
            )
            for i, kind in enumerate(["plus", "minus", "agree", "differ", "plus", "minus"])
        ] + [note(t2, elements[1], "agree", f"{w.city} tafel 2")]
    programme = programme_create(name="Twee steden", workshop_ids=[workshop.pk, groningen.pk])
    return {"zwolle": workshop, "groningen": groningen, "notes": made, "programme": programme}


def test_the_theme_counts_equal_the_tagged_notes_per_city(organiser, two_cities):
    programme = two_cities["programme"]
    zwolle, groningen = two_cities["zwolle"], two_cities["groningen"]
    themes = list(programme.themes.order_by("order"))
    zn, gn = two_cities["notes"]["Zwolle"], two_cities["notes"]["Groningen"]
    # Tag through the page, one session at a time, as the organiser does.
    url = f"/organiser/programmes/{programme.pk}/tags/"
    form = {"session": zwolle.code, "element": "", "notes": [n.pk for n in zn]}
    form.update({f"themes-{n.pk}": [themes[0].pk] for n in zn[:4]})
    form[f"themes-{zn[4].pk}"] = [themes[0].pk, themes[2].pk]
    assert organiser.post(url, form).status_code == 302
    form = {"session": groningen.code, "element": "", "notes": [n.pk for n in gn]}
    form.update({f"themes-{n.pk}": [themes[2].pk] for n in gn[:3]})
    form[f"themes-{gn[6].pk}"] = [themes[0].pk]
    organiser.post(url, form)
    # A second save with one tag less removes it.
    form[f"themes-{gn[2].pk}"] = []
    organiser.post(url, form)
    page = organiser.get(f"{url}?session={groningen.code}").content.decode()
    assert page.count(" checked>") == 3

    expected: Counter = Counter()
    for tag in ThemeTag.objects.select_related("note"):
        expected[(tag.theme_id, tag.note.workshop_id)] += 1
    assert expected == Counter(
        {
            (themes[0].pk, zwolle.pk): 5,
            (themes[2].pk, zwolle.pk): 1,
            (themes[2].pk, groningen.pk): 2,
            (themes[0].pk, groningen.pk): 1,
        }
    )
    rows = theme_counts(programme=programme)
    assert [c.workshop for c in rows[0].cells] == [groningen, zwolle]  # by date, then city
    for row in rows:
        for cell in row.cells:
            assert cell.count == expected[(row.theme.pk, cell.workshop.pk)]
            tagged = set(
                ThemeTag.objects.filter(theme=row.theme, note__workshop=cell.workshop).values_list(
                    "note_id", flat=True
                )
            )
            assert {n.pk for n in cell.notes} == tagged
        assert row.total == sum(expected[(row.theme.pk, w.pk)] for w in (zwolle, groningen))

    html = organiser.get(f"/organiser/programmes/{programme.pk}/").content.decode()
    matrix = html.split('class="matrix numbers theme-matrix"', 1)[1].split("</table>", 1)[0]
    order = [c.workshop for c in rows[0].cells]
    for row in rows:
        line = matrix.split(f'href="#theme-{row.theme.pk}"', 1)[1].split("</tr>", 1)[0]
        counts = re.findall(r'<td class="count[^"]*">(\d+)</td>', line)
        assert counts == [str(expected[(row.theme.pk, w.pk)]) for w in order] + [str(row.total)]
    # The notes behind a count are on the page.
    block = html.split(f'id="theme-{themes[0].pk}"', 1)[1].split("</article>", 1)[0]
    for n in [*zn[:5], gn[6]]:
        assert escape(n.text) in block
    assert escape(zn[5].text) not in block

    # A note of a session outside the programme cannot be tagged.
    outside = Workshop.objects.create(
        city="Utrecht", date=zwolle.date, instrument=zwolle.instrument
    )
    table = Table.objects.create(workshop=outside, number=1)
    stray = note(table, elements_of(outside)[0], "agree", "Buiten het programma")
    with pytest.raises(Rejected):
        theme_tags_set(programme=programme, tags={stray.pk: [themes[0].pk]})


def test_the_comparison_equals_each_sessions_results(organiser, two_cities):
    programme = two_cities["programme"]
    overview = programme_overview(programme=programme)
    workshops = [two_cities["groningen"], two_cities["zwolle"]]
    workshops.sort(key=lambda w: (w.date, w.city, w.pk))
    assert overview.workshops == workshops
    assert overview.comparison == sessions_comparison(workshops=workshops)
    for session, w in zip(overview.comparison["sessions"], workshops, strict=True):
        own = results_snapshot(workshop_id=w.pk)
        assert session["city"] == w.city
        assert session["scores"] == [e["score"] for e in own["elements"]]
        assert session["respondents"] == own["respondents"]
    html = organiser.get(f"/organiser/programmes/{programme.pk}/").content.decode()
    table = html.split('class="scores numbers matrix"', 1)[1].split("</table>", 1)[0]
    for element, row in zip(elements_of(workshops[0]), overview.comparison["rows"], strict=True):
        line = table.split(f'<th scope="row">{escape(element.name_nl)}</th>', 1)[1].split(
            "</tr>", 1
        )[0]
        assert re.findall(r"<td>([^<]*)</td>", line) == [nl(v) for v in row["scores"]]
    # The overlaid chart gets the same numbers.
    import json

    data = json.loads(
        html.split('<script id="profile-chart-data" type="application/json">', 1)[1].split(
            "</script>", 1
        )[0]
    )
    assert [s["scores"] for s in data["series"]] == [
        s["scores"] for s in overview.comparison["sessions"]
    ]


def test_recommendations_per_audience_appear_in_the_printable_report(organiser, two_cities):
    programme = two_cities["programme"]
    zwolle = two_cities["zwolle"]
    themes = list(programme.themes.order_by("order"))
    # The hand-out's starting recommendations are tested in test_handout_programme.py.
    Recommendation.objects.filter(programme=programme).delete()
    url = f"/organiser/programmes/{programme.pk}/recommendations/"
    organiser.post(
        url,
        {
            "audience": "municipalities",
            "text": "Investeer in stabiele intermediairs.",
            "themes": [themes[0].pk],
            "workshops": [zwolle.pk],
        },
    )
    organiser.post(url, {"audience": "financiers", "text": "Ontwikkel hybride instrumenten."})
    organiser.post(url, {"audience": "municipalities", "text": "Eén aanspreekpunt per regio."})
    # Refused: an unknown audience, and a city outside the programme.
    organiser.post(url, {"audience": "everyone", "text": "x"})
    outside = Workshop.objects.create(
        city="Utrecht", date=zwolle.date, instrument=zwolle.instrument
    )
    organiser.post(url, {"audience": "networks", "text": "y", "workshops": [outside.pk]})
    assert Recommendation.objects.count() == 3
    first = Recommendation.objects.get(text="Investeer in stabiele intermediairs.")
    assert list(first.themes.all()) == [themes[0]] and list(first.workshops.all()) == [zwolle]

    # Reordered within its audience.
    second = Recommendation.objects.get(text="Eén aanspreekpunt per regio.")
    organiser.post(f"{url}{second.pk}/move/", {"direction": "up"})

    report = organiser.get(f"/organiser/programmes/{programme.pk}/report/").content.decode()
    assert '<link rel="stylesheet" href="/static/css/profiles-print.css" media="print">' in report
    assert '<figure class="radar-figure always"><svg' in report
    municipalities = str(Audience.MUNICIPALITIES.label)
    with translation.override("nl"):
        municipalities = translation.gettext(municipalities)
    section = report.split(f"<h3>{escape(municipalities)}</h3>", 1)[1].split("</ul>", 1)[0]
    assert section.index("Eén aanspreekpunt per regio.") < section.index(
        "Investeer in stabiele intermediairs."
    )
    assert escape(themes[0].name) in section and ">Zwolle</span>" in section
    assert "Ontwikkel hybride instrumenten." in report

    doc = Document(
        io.BytesIO(organiser.get(f"/organiser/programmes/{programme.pk}/report.docx").content)
    )
    texts = [p.text for p in doc.paragraphs]
    assert programme.name in texts
    assert f"Investeer in stabiele intermediairs. ({themes[0].name}; Zwolle)" in texts
    assert "Ontwikkel hybride instrumenten." in texts
    scores = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    overview = programme_overview(programme=programme)
    assert scores[0][1:] == [s["city"] for s in overview.comparison["sessions"]]
    assert [r[1:] for r in scores[1:]] == [
        [nl(v) for v in row["scores"]] for row in overview.comparison["rows"]
    ]


def test_deleting_a_programme_keeps_the_sessions_and_notes(organiser, two_cities):
    programme = two_cities["programme"]
    notes = Note.objects.count()
    theme_tags_set(
        programme=programme,
        tags={two_cities["notes"]["Zwolle"][0].pk: [programme.themes.first().pk]},
    )
    response = organiser.post(f"/organiser/programmes/{programme.pk}/delete/", {})
    assert response.status_code == 302 and Programme.objects.exists()  # not confirmed
    organiser.post(f"/organiser/programmes/{programme.pk}/delete/", {"confirm": "1"})
    assert not Programme.objects.exists() and not ThemeTag.objects.exists()
    assert Workshop.objects.count() == 2 and Note.objects.count() == notes


# --- print to PDF in a real browser ----------------------------------------------------------


@pytest.mark.browser
def test_the_profile_prints_to_a_tidy_a4_pdf(server, transactional_db, make_workshop):
    from tests.browser_helpers import printer_page

    workshop = make_workshop()
    answer_all(workshop, [4, 3, 5, 2])
    t2 = table_of(workshop, 2)
    a = participant_join(workshop=workshop, table=t2, role="")
    first = elements_of(workshop)[0]
    seated = {
        "first": first,
        "plus": note(t2, first, "plus", "Veel kennis bij de hogeschool", a),
        "minus": note(t2, first, "minus", "Kennis is versnipperd", a),
        "differ": note(t2, first, "differ", "Over de rol van de gemeente"),
        "quote": note(
            t2, first, "minus", "Er is veel kennis, maar slecht te vinden.", a, is_quote=True
        ),
    }
    build_profile(workshop, seated)
    get_user_model().objects.create_user("printer", password="a-long-password-9")
    with printer_page(server.url, f"/s/{workshop.code}/profile/") as page:
        page.locator("#element-1 details summary").first.click()  # sources open on screen
        assert page.locator("#element-1 ul.sources").first.is_visible()
        pdf = page.pdf(format="A4", print_background=True)
    path = ARTIFACTS / "profile-test.pdf"
    path.write_bytes(pdf)
    reader = PdfReader(path)
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    # A4 is 595 x 842 points; Chromium rounds it to whole hundredths of an inch.
    assert abs(width - 595) < 2 and abs(height - 842) < 2
    assert 2 <= len(reader.pages) <= 6
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert title_of(workshop.city) in text
    for element in elements_of(workshop):
        assert element.name_nl in text
    assert "Kennis is ruim aanwezig" in text and "Verbeter de vindbaarheid van kennis" in text
    # Only the document: no navigation, buttons or the notes behind the points.
    for hidden in ("Alle sessies", "Bewerken", "Edit", ".docx", "Tafelvoorzitter"):
        assert hidden not in text, hidden


def test_the_session_page_include_links_to_the_profile_and_programmes(workshop):
    from django.template.loader import render_to_string

    programme = programme_create(name="Vijf <steden>", workshop_ids=[workshop.pk])
    html = render_to_string(
        "profiles/_session_link.html",
        {"workshop": workshop, "session_programmes": workshop.programmes.all()},
    )
    assert f'href="/s/{workshop.code}/profile/"' in html
    assert f'href="/s/{workshop.code}/profile.docx"' in html
    assert f'href="/organiser/programmes/{programme.pk}/"' in html
    assert "Vijf &lt;steden&gt;" in html
    assert f'href="/organiser/programmes/?workshop={workshop.pk}"' in html
