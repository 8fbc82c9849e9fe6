"""The hand-out's own words in the Dutch interface: what it calls things is what the
pages, exports and documents call them."""

import re
from pathlib import Path

import polib
from django.utils import translation
from django.utils.translation import gettext, ngettext

PO = Path(__file__).resolve().parent.parent / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def dutch(msgid: str) -> str:
    with translation.override("nl"):
        return gettext(msgid)


def test_the_hand_outs_terms():
    assert dutch("Discussion questions") == "Discussievragen"
    assert dutch("Spider chart") == "Spiderdiagram"
    assert dutch("quote") == "quote"
    assert dutch("Impact ecosystem %(city)s") == "Impactecosysteem %(city)s"
    assert dutch("Element %(number)s of %(count)s") == "Element %(number)s van %(count)s"


def test_plural_forms_and_plain_dutch():
    with translation.override("nl"):
        assert ngettext("%(n)s respondent", "%(n)s respondents", 1) % {"n": 1} == "1 respondent"
        assert ngettext("%(n)s respondent", "%(n)s respondents", 19) % {"n": 19} == (
            "19 respondenten"
        )
        assert ngettext("%(n)s participant", "%(n)s participants", 1) % {"n": 1} == "1 deelnemer"


def test_no_word_the_hand_out_does_not_use_is_left_in_the_catalogue():
    banned = [
        r"\bcitaat\b",
        r"citaten",
        r"spinnenweb",
        r"gespreksvragen",
        r"impact ecosysteem",
        r"\bstoel\b",
        r"ongedaan worden;",
        r"werk de elementen door",
        r"^schrijf het$",
        r"zodra de organisator start",
        r"willekeurige notitie",
        r"tijdzone van alle tijden",
    ]
    for entry in polib.pofile(str(PO)):
        if entry.obsolete:
            continue
        texts = [entry.msgstr, *entry.msgstr_plural.values()]
        for text in texts:
            for pattern in banned:
                assert not re.search(pattern, text, re.IGNORECASE), (entry.msgid, text)
