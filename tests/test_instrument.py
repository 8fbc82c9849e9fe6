"""The instrument is the hand-out's appendix, character for character, in its order.

Each element's block of the appendix (tests/data/appendix.txt, extracted from the hand-out's
PDF) is rebuilt from the instrument JSON and from the database (heading, core question, the
stem's line, every statement followed by its own label, the discussion questions) and compared
with the appendix text exactly, after only collapsing the PDF's line breaks into single spaces.
A changed character, a swapped statement or label, or a label paired with another statement
fails the comparison.
"""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from instrument.loader import (
    INSTRUMENT_V1,
    INSTRUMENT_V2,
    InstrumentConflict,
    instrument_as_data,
    instrument_load,
    read_instrument,
)
from instrument.models import Element, Instrument, Statement
from sessions.models import Workshop

# The hand-out's appendix (from ../shared/seed), kept beside the tests so they run anywhere.
APPENDIX = Path(__file__).resolve().parent / "data" / "appendix.txt"
BULLET = "\uf0b7"  # the PDF's bullet before each discussion question
DASH = "\u2013"  # the en dash of the "Element N - name" headings


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def appendix_blocks() -> list[str]:
    """The appendix split at each element's heading, whitespace collapsed."""
    text = _collapse(APPENDIX.read_text(encoding="utf-8"))
    starts = [m.start() for m in re.finditer(rf"Element \d {DASH} ", text)]
    return [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def rebuilt_block(number: int, element: dict, data: dict) -> str:
    stem = data["stem_nl"].replace("{city}", "Zwolle")
    parts = [
        f"Element {number} {DASH} {element['name_nl']}",
        f"Kernvraag: {element['core_question_nl']}",
        "Surveyvragen:",
        f"{stem} … Label",
        *(f"... {s['text_nl']} {s['label_nl']}" for s in element["statements"]),
        "Discussievragen:",
        *(f"{BULLET} {q}" for q in element["discussion_questions_nl"]),
    ]
    return _collapse(" ".join(parts))


def assert_is_the_appendix(data: dict) -> None:
    blocks = appendix_blocks()
    assert len(blocks) == len(data["elements"]) == 6
    for number, (element, block) in enumerate(zip(data["elements"], blocks, strict=True), 1):
        assert rebuilt_block(number, element, data) == block, element["key"]


def test_the_instrument_file_is_the_appendix_exactly():
    assert_is_the_appendix(read_instrument(INSTRUMENT_V2))


def test_the_stored_instrument_is_the_appendix_exactly(instrument):
    assert (instrument.slug, instrument.version) == ("scentiss-ecosysteem", 2)
    assert_is_the_appendix(instrument_as_data(instrument))


@pytest.mark.parametrize(
    "change",
    [
        "drop the final full stop of publiek-2",
        "one character of a label",
        "two statements swapped",
        "two labels swapped",
        "two discussion questions swapped",
        "the core question's quotation marks",
    ],
)
def test_any_change_of_a_character_an_order_or_a_pairing_fails(change):
    data = read_instrument(INSTRUMENT_V2)
    netwerk, publiek, ruimte = data["elements"][1], data["elements"][4], data["elements"][5]
    if change == "drop the final full stop of publiek-2":
        publiek["statements"][1]["text_nl"] = publiek["statements"][1]["text_nl"].rstrip(".")
    elif change == "one character of a label":
        netwerk["statements"][5]["label_nl"] = "Contacten Commercieel Bedrijf"
    elif change == "two statements swapped":
        s = netwerk["statements"]
        s[0], s[1] = s[1], s[0]
    elif change == "two labels swapped":
        a, b = netwerk["statements"][7], netwerk["statements"][8]
        a["label_nl"], b["label_nl"] = b["label_nl"], a["label_nl"]
    elif change == "two discussion questions swapped":
        q = ruimte["discussion_questions_nl"]
        q[0], q[1] = q[1], q[0]
    else:
        ruimte["core_question_nl"] = ruimte["core_question_nl"].strip('"')
    with pytest.raises(AssertionError):
        assert_is_the_appendix(data)


def test_version_1_differs_from_the_appendix_only_where_version_2_restores_it():
    v1, v2 = read_instrument(INSTRUMENT_V1), read_instrument(INSTRUMENT_V2)
    failing = []
    for number, (element, block) in enumerate(
        zip(v1["elements"], appendix_blocks(), strict=True), 1
    ):
        if rebuilt_block(number, element, v1) != block:
            failing.append(element["key"])
    assert failing == ["publiek", "ruimte"]
    changed = {
        (s1["key"], field)
        for e1, e2 in zip(v1["elements"], v2["elements"], strict=True)
        for s1, s2 in zip(e1["statements"], e2["statements"], strict=True)
        for field in s1
        if s1[field] != s2[field]
    }
    assert changed == {("publiek-2", "text_nl"), ("netwerk-8", "text_en"), ("publiek-1", "text_en")}
    by_key = {s["key"]: s for e in v2["elements"] for s in e["statements"]}
    # "lokale bestuurders" are the elected ones; netwerk-9 has the civil servants.
    assert "elected officials" in by_key["netwerk-8"]["text_en"]
    assert "civil servants" in by_key["netwerk-9"]["text_en"]
    assert "single one-stop" not in by_key["publiek-1"]["text_en"]


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
    for s in Statement.objects.filter(element__instrument=instrument):
        assert s.text_en and s.label_en, f"{s.key} lacks its English translation"


def test_sessions_keep_their_version_and_new_sessions_get_the_newest(make_workshop):
    """Version 1 (the data migration's first load) stays for the sessions made with it."""
    v1, _ = instrument_load(read_instrument(INSTRUMENT_V1))
    old = make_workshop(instrument=v1)
    call_command("createsession", "--city", "Deventer", stdout=StringIO())
    new = Workshop.objects.get(city="Deventer")
    assert old.instrument.version == 1 and new.instrument.version == 2
    old_text = Statement.objects.get(element__instrument=v1, key="publiek-2").text_nl
    assert not old_text.endswith(".")
    assert Instrument.objects.filter(slug="scentiss-ecosysteem").count() == 2


def test_loading_a_changed_file_under_a_used_version_is_refused(instrument):
    data = read_instrument(INSTRUMENT_V2)
    data["elements"][0]["statements"][0]["label_nl"] = "Iets anders"
    with pytest.raises(InstrumentConflict):
        instrument_load(data)
    assert Statement.objects.get(element__instrument=instrument, key="kennis-1").label_nl == (
        "Talentvolle Arbeidskrachten"
    )


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
