"""The instrument in the database is the hand-out's appendix, complete and exact."""

import re
from pathlib import Path

from instrument.models import Element, Statement

# The hand-out's appendix (from ../shared/seed), kept beside the tests so they run anywhere.
APPENDIX = Path(__file__).resolve().parent / "data" / "appendix.txt"


def _appendix_text() -> str:
    return re.sub(r"\s+", " ", APPENDIX.read_text(encoding="utf-8"))


def test_six_elements_with_46_statements(instrument):
    elements = list(Element.objects.filter(instrument=instrument).order_by("order"))
    assert [e.name_nl for e in elements] == [
        "Kennis & Vaardigheden",
        "Sociaal Netwerk",
        "Cultuur & Mindset",
        "Financiering & Investeringen",
        "Publieke Ondersteuning",
        "Ruimtelijke Mogelijkheden",
    ]
    assert [e.statements.count() for e in elements] == [8, 9, 7, 6, 5, 11]
    assert Statement.objects.filter(element__instrument=instrument).count() == 46
    assert elements[0].capital_nl == "Menselijk kapitaal"
    assert len(elements[0].discussion_questions_nl) == 3


def test_every_statement_and_label_is_the_appendix_text(instrument):
    appendix = _appendix_text()
    statements = Statement.objects.filter(element__instrument=instrument).select_related("element")
    for s in statements:
        # In the appendix each statement follows "... " and is followed by its own label.
        assert f"... {s.text_nl}" in appendix, s.key
        assert s.label_nl in appendix, s.key
        assert s.text_en and s.label_en, f"{s.key} lacks its English translation"
    for e in Element.objects.filter(instrument=instrument):
        assert e.core_question_nl in appendix
        assert all(q in appendix for q in e.discussion_questions_nl)


def test_full_text_fills_in_the_city(instrument):
    s = Statement.objects.get(element__instrument=instrument, key="kennis-1")
    assert s.label_nl == "Talentvolle Arbeidskrachten"
    assert s.full_text("Groningen", "nl") == (
        "Voor het bevorderen van impact ondernemerschap in Groningen "
        "zijn er voldoende geschikte arbeidskrachten beschikbaar"
    )
    assert s.full_text("Groningen", "en").startswith(
        "To foster impact entrepreneurship in Groningen, "
    )
