"""The hand-out's programme text (chapter 5) as editable starting text, every audience it names,
and participants shown beside respondents wherever respondents are shown."""

import io
import re
from pathlib import Path

from django.test import Client
from docx import Document
from openpyxl import load_workbook

from instrument.models import Statement
from profiles.models import Audience, Programme, Recommendation
from sessions.models import Table, Workshop
from sessions.services import participant_join
from survey.services import answer_save

CHAPTER_5 = Path(__file__).resolve().parent / "data" / "aanbevelingen.txt"


def chapter_5() -> str:
    return re.sub(r"\s+", " ", CHAPTER_5.read_text(encoding="utf-8"))


def seat_and_answer(workshop: Workshop, joined: int, answering: int) -> None:
    """`joined` participants, the first `answering` of them with a few answers."""
    statements = list(Statement.objects.filter(element__instrument=workshop.instrument)[:5])
    table = Table.objects.filter(workshop=workshop).first()
    for i in range(joined):
        p = participant_join(workshop=workshop, table=table, role="")
        if i < answering:
            for s in statements:
                answer_save(participant=p, statement_id=s.pk, score=(i % 5) + 1)


def new_programme(organiser: Client, workshops: list[Workshop]) -> Programme:
    response = organiser.post(
        "/organiser/programmes/new/",
        {"name": "Vijf steden", "description": "", "workshops": [w.pk for w in workshops]},
    )
    assert response.status_code == 302
    return Programme.objects.get()


def test_a_new_programme_starts_with_the_hand_outs_recommendations_and_questions(
    organiser, workshop
):
    programme = new_programme(organiser, [workshop])
    text = chapter_5()
    by_audience = {
        a: list(
            Recommendation.objects.filter(programme=programme, audience=a)
            .order_by("order")
            .values_list("text", flat=True)
        )
        for a in Audience.values
    }
    assert {a: len(t) for a, t in by_audience.items()} == {
        "municipalities": 6,
        "support": 0,
        "knowledge": 4,
        "financiers": 4,
        "networks": 4,
    }
    # Word for word the hand-out's, in its order (each after its bullet).
    for texts in by_audience.values():
        positions = [text.index(f"\uf0b7 {t}") for t in texts]
        assert positions == sorted(positions)
    questions = programme.reflective_questions.splitlines()
    assert len(questions) == 4
    assert all(f"\uf0b7 {q}" in text for q in questions)
    page = organiser.get(f"/organiser/programmes/{programme.pk}/").content.decode()
    assert (
        "Reflectieve vragen" in page and "Wie moet er absoluut aan tafel voor het vervolg?" in page
    )
    assert "Ondersteuningsorganisaties" in page  # the audience the hand-out names, still empty
    assert "Zorg voor één aanspreekpunt per regio of stadsdeel rond impact ondernemen." in page


def test_the_starting_text_is_editable_and_support_organisations_get_recommendations(
    organiser, workshop
):
    programme = new_programme(organiser, [workshop])
    response = organiser.post(
        f"/organiser/programmes/{programme.pk}/edit/",
        {
            "name": "Vijf steden",
            "description": "",
            "workshops": [workshop.pk],
            "reflective_questions": "Wat neem jij mee?\nMet wie ga je verder?",
        },
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.reflective_questions == "Wat neem jij mee?\nMet wie ga je verder?"
    response = organiser.post(
        f"/organiser/programmes/{programme.pk}/recommendations/",
        {"audience": "support", "text": "Deel kennis over hybride verdienmodellen."},
    )
    assert response.status_code == 302
    assert Recommendation.objects.get(programme=programme, audience="support").text.startswith(
        "Deel kennis"
    )
    docx = organiser.get(f"/organiser/programmes/{programme.pk}/report.docx")
    assert docx.status_code == 200
    doc = Document(io.BytesIO(docx.content))
    texts = [p.text for p in doc.paragraphs]
    assert "Ondersteuningsorganisaties" in texts
    assert "Reflectieve vragen" in texts and "Met wie ga je verder?" in texts


def test_participants_are_shown_beside_respondents(organiser, workshop, make_workshop):
    seat_and_answer(workshop, joined=21, answering=19)
    single = make_workshop(city="Kampen")
    seat_and_answer(single, joined=1, answering=1)
    html = organiser.get(f"/s/{workshop.code}/profile/").content.decode()
    assert "21 deelnemers, 19 respondenten" in html
    assert (
        "1 deelnemer, 1 respondent<" in organiser.get(f"/s/{single.code}/profile/").content.decode()
    )
    doc = Document(io.BytesIO(organiser.get(f"/s/{workshop.code}/profile.docx").content))
    assert any(p.text.endswith("· 21 deelnemers, 19 respondenten") for p in doc.paragraphs)
    doc = Document(io.BytesIO(organiser.get(f"/s/{single.code}/profile.docx").content))
    assert any(p.text.endswith("· 1 deelnemer, 1 respondent") for p in doc.paragraphs)

    compare = organiser.get(f"/organiser/compare/?code={workshop.code}&code={single.code}")
    assert "21 deelnemers, 19 respondenten" in compare.content.decode()
    programme = new_programme(organiser, [workshop, single])
    page = organiser.get(f"/organiser/programmes/{programme.pk}/").content.decode()
    assert "21 deelnemers, 19 respondenten" in page and "1 deelnemer, 1 respondent" in page
    wb = load_workbook(
        io.BytesIO(
            organiser.get(f"/organiser/compare.xlsx?codes={workshop.code},{single.code}").content
        )
    )
    header, *rows = list(wb["vergelijking"].iter_rows(values_only=True))
    # In the comparison's order (by date, then city): Kampen before Zwolle.
    zwolle = next(r for r in rows if r[header.index("stad")] == "Zwolle")
    assert zwolle[header.index("deelnemers")] == 21
    assert zwolle[header.index("respondenten")] == 19
    facts = dict(
        list(
            load_workbook(io.BytesIO(organiser.get(f"/s/{workshop.code}/export.xlsx").content))[
                "sessie"
            ].iter_rows(values_only=True)
        )[1:16]
    )
    assert (facts["deelnemers"], facts["respondenten"]) == (21, 19)
