"""core.inputs: the one id parser, code-list parser and text cleaner."""

import pytest
from django.utils import translation

from core.errors import Rejected
from core.inputs import (
    ID_MAX,
    clean_text,
    parse_id,
    parse_id_list,
    parse_optional_id,
    parse_session_codes,
    xml_safe,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


ODD_DIGITS = [
    "²",
    "\uff17",
    "\u0667",
    "+7",
    "1_0",
    "-1",
    " 7",
    "7 ",
    "0x7",
    "7.0",
    "1e3",
    "",
    "\u0663\u0664",
]


@pytest.mark.parametrize("raw", [*ODD_DIGITS, "99999999999999999999", str(ID_MAX + 1), None, True])
def test_parse_id_refuses_what_is_not_ascii_digits_in_range(raw):
    with pytest.raises(Rejected):
        parse_id(raw)


@pytest.mark.parametrize(("raw", "value"), [("7", 7), ("007", 7), (7, 7), (str(ID_MAX), ID_MAX)])
def test_parse_id_accepts_ascii_digits(raw, value):
    assert parse_id(raw) == value


def test_parse_id_range_and_message():
    assert parse_id("0", min_value=0) == 0
    with pytest.raises(Rejected, match="kies"):
        parse_id("0", message="kies")
    with pytest.raises(Rejected):
        parse_id("51", max_value=50)
    with translation.override("nl"), pytest.raises(Rejected) as refused:
        parse_id("²")
    assert "geen geldig getal" in str(refused.value)


def test_parse_optional_id():
    assert parse_optional_id("") is None
    assert parse_optional_id(None) is None
    assert parse_optional_id("3") == 3
    with pytest.raises(Rejected):
        parse_optional_id("\uff13")


def test_parse_id_list():
    assert parse_id_list(["3", "1", "3"]) == [3, 1]
    assert parse_id_list("4,5") == [4, 5]
    assert parse_id_list(None) == []
    assert parse_id_list([]) == []
    for bad in (["1", "²"], ["99999999999999999999"], ["1_0"]):
        with pytest.raises(Rejected):
            parse_id_list(bad)
    with pytest.raises(Rejected):
        parse_id_list([str(i) for i in range(1, 20)], max_items=10)


def test_parse_session_codes():
    assert parse_session_codes("abc234, XYZ; abc234") == ["ABC234", "XYZ"]
    assert parse_session_codes(["A B", "C"]) == ["A", "B", "C"]
    assert parse_session_codes(None) == []
    assert parse_session_codes("  ,, ") == []
    for bad in ("AB\x00C", "X,AB\x00C", "ÄB", "AB-C", "A" * 13, "Ⅻ", "ABC\ufeff"):
        with pytest.raises(Rejected):
            parse_session_codes(bad)
    with pytest.raises(Rejected):
        parse_session_codes("A,B,C", max_codes=2)


@pytest.mark.parametrize(
    "raw", ["a\x00b", "a\x0bb", "x\x1b", "ctrl \x0b\x1b\x08", "x\ufffe", "x\uffff", "x\ud800"]
)
def test_clean_text_refuses_what_xml_cannot_hold(raw):
    with pytest.raises(Rejected, match="U\\+"):
        clean_text(raw, max_length=100)


@pytest.mark.parametrize("raw", ["\u200b", "\u200b \u200b", "\ufeff\u200d", " \u2060\n\u200e "])
def test_clean_text_refuses_invisible_only(raw):
    with pytest.raises(Rejected, match="invisible"):
        clean_text(raw, max_length=100)


def test_clean_text_normalises_what_is_harmless():
    assert clean_text("  a\r\nb\rc\u2028d  ", max_length=100) == "a\nb\nc\u2028d"
    assert clean_text("e\u0301", max_length=100) == "\u00e9"  # NFC
    assert clean_text(" Den\n\tHaag ", max_length=100, multiline=False) == "Den Haag"
    # Right-to-left text, emoji and a zero-width joiner inside visible text are kept.
    assert clean_text("שלום 👩\u200d💻", max_length=100) == "שלום 👩\u200d💻"
    assert clean_text("tab\there", max_length=100) == "tab\there"
    assert clean_text(None, max_length=5) == ""


def test_clean_text_length_required_and_types():
    assert clean_text("x" * 5, max_length=5) == "xxxxx"
    with pytest.raises(Rejected, match="at most 5 characters; this one has 6"):
        clean_text("x" * 6, max_length=5)
    with pytest.raises(Rejected, match="empty"):
        clean_text("   ", max_length=5, required=True)
    with pytest.raises(Rejected, match="leeg"):
        clean_text("", max_length=5, required=True, empty_message="leeg")
    with pytest.raises(Rejected):
        clean_text(["x"], max_length=5)


def test_xml_safe():
    assert xml_safe("a\x0bb\uffff") == "ab"
    assert xml_safe("gewoon") == "gewoon"
