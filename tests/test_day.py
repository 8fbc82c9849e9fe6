"""The workshop day rehearsed, through HTTP and the websocket: the CSRF failure
page, seating and moving participants, the chair's live board."""

import uuid

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client

from live.routing import websocket_urlpatterns
from notes.models import ExtraSeat, Note
from notes.services import note_create, participant_seat
from sessions.models import Participant, Table, Workshop
from sessions.services import participant_join

HTMX = {"HTTP_HX_REQUEST": "true"}


def table_of(workshop: Workshop, number: int) -> Table:
    return Table.objects.select_related("workshop").get(workshop=workshop, number=number)


def chair_url(table: Table) -> str:
    return f"/s/{table.workshop.code}/chair/{table.chair_key}/"


# --- finding 1: a refused form post -------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "title", "back"),
    [
        ("nl", "De pagina is verlopen", "Terug naar de pagina"),
        ("en", "The page has expired", "Back to the page"),
    ],
)
def test_a_csrf_failure_explains_in_the_users_language_and_leads_back(
    db, workshop, lang, title, back
):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = lang
    t2 = table_of(workshop, 2)
    response = client.post(
        f"{chair_url(t2)}seats/",
        {"initials": "JB"},
        HTTP_REFERER=f"http://testserver{chair_url(t2)}",
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert title in html and back in html
    assert f'href="http://testserver{chair_url(t2)}"' in html  # the way back: the chair page
    assert "CSRF-verificatie" not in html and "CSRF verification" not in html  # not Django's page
    assert not ExtraSeat.objects.exists()  # nothing stored


def test_the_way_back_never_leads_off_the_site(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/i18n/setlang/",
        {"language": "en", "next": "https://evil.example/"},
        HTTP_REFERER="https://evil.example/x",
    )
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()
    assert 'href="/"' in response.content.decode()


def test_a_csrf_failure_of_htmx_is_a_short_fragment(db):
    response = Client(enforce_csrf_checks=True).post("/i18n/setlang/", {"language": "en"}, **HTMX)
    assert response.status_code == 403
    assert "<html" not in response.content.decode()
    assert "De pagina is verlopen" in response.content.decode()


@pytest.mark.parametrize("path", ["chair", "cards", "invalid", "403"])
def test_no_page_sends_origin_null(organiser, client, workshop, path):
    """Every page with a key in its URL keeps it in with same-origin, never no-referrer (which
    makes the browser send `Origin: null` with its own form posts)."""
    t2 = table_of(workshop, 2)
    url = {
        "chair": chair_url(t2),
        "cards": f"/s/{workshop.code}/tables/cards/",
        "invalid": f"/s/{workshop.code}/chair/wrong/",
        "403": f"/s/{workshop.code}/projector/?key=wrong",
    }[path]
    html = (organiser if path == "cards" else client).get(url).content.decode()
    assert "no-referrer" not in html
    assert '<meta name="referrer" content="same-origin">' in html


# --- finding 2: seating --------------------------------------------------------------------


def test_the_organiser_sees_the_unseated_and_seats_them(organiser, workshop):
    lost = participant_join(workshop=workshop, table=None, role="policy")
    page = organiser.get(f"/s/{workshop.code}/organiser/").content.decode()
    assert "1 deelnemer heeft geen tafel" in page
    assert f"{lost.seat_label} (geen tafel)" in page
    response = organiser.post(f"/s/{workshop.code}/seating/", {"participant": lost.pk, "table": 3})
    assert response.status_code == 302
    lost.refresh_from_db()
    assert lost.table.number == 3 and lost.seat_label == "T3·P1"
    page = organiser.get(f"/s/{workshop.code}/organiser/").content.decode()
    assert "Iedereen die meedoet zit aan een tafel." in page
    assert "T3·P1 is nu aan tafel 3 geplaatst." in page


def test_the_organiser_moves_someone_with_their_notes(organiser, workshop):
    t1, t2 = table_of(workshop, 1), table_of(workshop, 2)
    p = participant_join(workshop=workshop, table=t1, role="")
    participant_join(workshop=workshop, table=t2, role="")
    note_create(
        table=t1,
        element_id=workshop.instrument.elements.first().pk,
        kind="plus",
        text="Kent iedereen",
        client_id=uuid.uuid4(),
        participant_id=p.pk,
    )
    organiser.post(f"/s/{workshop.code}/seating/", {"participant": p.pk, "table": 2})
    p.refresh_from_db()
    assert (p.table_id, p.seat) == (t2.pk, 2)
    assert Note.objects.get().table_id == t2.pk  # the new chair sees what was noted
    assert "Kent iedereen" in Client().get(chair_url(t2)).content.decode()
    assert "Kent iedereen" not in Client().get(chair_url(t1)).content.decode()


@pytest.mark.parametrize(
    "bad",
    [
        {"participant": "\uff17", "table": "1"},
        {"participant": "1_0", "table": "1"},
        {"participant": "99999999999999999999", "table": "1"},
        {"participant": "", "table": "1"},
        {"participant": "\u200b", "table": "1"},
        {"table": "+1"},
        {"table": "\x0b"},
    ],
)
def test_odd_seating_input_is_refused_with_a_message(organiser, workshop, bad):
    p = participant_join(workshop=workshop, table=None, role="")
    data = {"participant": str(p.pk), **bad}
    response = organiser.post(f"/s/{workshop.code}/seating/", data, follow=True)
    assert response.status_code == 200
    assert "Kies een" in response.content.decode()
    p.refresh_from_db()
    assert p.table_id is None


def test_another_sessions_participant_cannot_be_seated(organiser, workshop, make_workshop):
    other = make_workshop(city="Deventer")
    stranger = participant_join(workshop=other, table=None, role="")
    organiser.post(f"/s/{workshop.code}/seating/", {"participant": stranger.pk, "table": 1})
    organiser.post(
        f"{chair_url(table_of(workshop, 1))}seats/move/", {"participant": stranger.pk, "table": 1}
    )
    stranger.refresh_from_db()
    assert stranger.table_id is None


def test_a_chair_seats_a_phone_without_table_and_one_from_elsewhere(client, workshop):
    t1, t2 = table_of(workshop, 1), table_of(workshop, 2)
    lost = participant_join(workshop=workshop, table=None, role="")
    elsewhere = participant_join(workshop=workshop, table=t1, role="finance")
    page = client.get(chair_url(t2)).content.decode()
    assert "P1 (geen tafel)" in page and "T1·P1 · Financier of investeerder" in page
    response = client.post(f"{chair_url(t2)}seats/move/", {"participant": lost.pk, "table": 2})
    assert response.status_code == 302
    # Someone from another table: the chair is asked first, nothing moves until confirmed.
    move = {"participant": elsewhere.pk, "table": 2}
    response = client.post(f"{chair_url(t2)}seats/move/", move)
    assert "T1·P1 zit nu aan tafel 1. Verplaatsen naar tafel 2?" in response.content.decode()
    assert Participant.objects.get(pk=elsewhere.pk).table_id == t1.pk
    response = client.post(f"{chair_url(t2)}seats/move/", {**move, "confirm": "1"})
    assert response.status_code == 302
    page = client.get(chair_url(t2)).content.decode()
    assert "T2·P1" in page and "T2·P2" in page
    assert "is nu aan deze tafel" in page
    # Twice is once: the same request again changes nothing.
    client.post(f"{chair_url(t2)}seats/move/", {"participant": lost.pk, "table": 2})
    assert Participant.objects.filter(table=t2).count() == 2


def test_a_chair_cannot_seat_at_another_table(client, workshop):
    lost = participant_join(workshop=workshop, table=None, role="")
    client.post(
        f"{chair_url(table_of(workshop, 2))}seats/move/", {"participant": lost.pk, "table": 3}
    )
    lost.refresh_from_db()
    assert lost.table_id is None


def test_a_revoked_chair_link_seats_nobody(client, workshop):
    lost = participant_join(workshop=workshop, table=None, role="")
    response = client.post(
        f"/s/{workshop.code}/chair/old-key/seats/move/", {"participant": lost.pk}
    )
    assert response.status_code == 403
    lost.refresh_from_db()
    assert lost.table_id is None


@pytest.mark.django_db(transaction=True)
async def test_the_chairs_tablet_hears_of_a_join_and_a_seating(workshop):
    from asgiref.sync import sync_to_async

    t2 = await sync_to_async(table_of)(workshop, 2)
    application = URLRouter(websocket_urlpatterns)
    tablet = WebsocketCommunicator(application, f"/ws/s/{workshop.code}/chair/{t2.chair_key}/")
    connected, _ = await tablet.connect()
    assert connected
    assert await tablet.receive_json_from(timeout=2) == {"type": "table.changed"}  # on connect
    lost = await sync_to_async(participant_join)(workshop=workshop, table=None, role="")
    await sync_to_async(participant_seat)(participant=lost, table=t2)
    assert await tablet.receive_json_from(timeout=2) == {"type": "table.changed"}
    await sync_to_async(participant_join)(workshop=workshop, table=t2, role="")
    assert await tablet.receive_json_from(timeout=2) == {"type": "table.changed"}
    await tablet.disconnect()

    wrong = WebsocketCommunicator(application, f"/ws/s/{workshop.code}/chair/wrong/")
    connected, code = await wrong.connect()
    assert not connected and code == 4403


# --- finding 3 and 9: phase moves ask first; a closed session says so ---------------------


def _answer(participant: Participant, count: int) -> None:
    from instrument.models import Statement
    from survey.services import answer_save

    statements = Statement.objects.filter(
        element__instrument=participant.workshop.instrument
    ).order_by("element__order", "order")[:count]
    for statement in statements:
        answer_save(participant=participant, statement_id=statement.pk, score=3)


def test_closing_the_survey_on_busy_phones_asks_first(organiser, workshop):
    from notes.services import extra_seat_create

    t1 = table_of(workshop, 1)
    busy = [participant_join(workshop=workshop, table=t1, role="") for _ in range(2)]
    _answer(busy[0], 24)
    _answer(busy[1], 20)
    extra_seat_create(table=t1, initials="JB")  # no phone: never counts as busy
    response = organiser.post(f"/s/{workshop.code}/state/", {"phase": "discussion"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 deelnemers zijn nog bezig. Toch sluiten?" in html
    assert "T1·P2</strong> 20/46" in html and "T1·P1</strong> 24/46" in html
    workshop.refresh_from_db()
    assert workshop.phase == "survey"  # nothing changed yet
    response = organiser.post(f"/s/{workshop.code}/state/", {"phase": "discussion", "confirm": "1"})
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.phase == "discussion"
    # Later moves cut nobody off: no question.
    assert organiser.post(f"/s/{workshop.code}/state/", {"phase": "closed"}).status_code == 302


def test_english_confirmation_and_no_question_when_everyone_is_done(organiser, workshop):
    p = participant_join(workshop=workshop, table=None, role="")
    organiser.cookies["django_language"] = "en"
    html = organiser.post(f"/s/{workshop.code}/state/", {"phase": "closed"}).content.decode()
    assert "1 participant is still busy. Close anyway?" in html
    _answer(p, 46)
    assert organiser.post(f"/s/{workshop.code}/state/", {"phase": "closed"}).status_code == 302


def test_a_closed_session_says_so_on_the_join_page_and_the_projector(client, organiser, workshop):
    from sessions.services import workshop_update_state

    workshop_update_state(workshop=workshop, phase="closed")
    page = client.get(f"/j/{workshop.code}/").content.decode()
    assert "De sessie is afgelopen" in page and "Starten" not in page
    response = client.post(f"/j/{workshop.code}/", {"role": "", "table": "", "consent": "on"})
    assert "De sessie is afgelopen" in response.content.decode()
    assert not Participant.objects.exists()
    projector = client.get(
        f"/s/{workshop.code}/projector/?key={workshop.projector_key}"
    ).content.decode()
    assert 'data-mode="closed"' in projector and "Bedankt!" in projector


# --- finding 4: editing on the day; the next city's title -----------------------------------


def test_the_organiser_edits_the_session_and_adds_a_table(organiser, workshop):
    page = organiser.get(f"/s/{workshop.code}/edit/")
    assert page.status_code == 200
    assert 'value="2026-11-26"' in page.content.decode()  # an ISO date the date input shows
    response = organiser.post(
        f"/s/{workshop.code}/edit/",
        {
            "city": " Groningen ",
            "title": "Ecosysteemdialoog Groningen",
            "date": "2026-11-27",
            "tables": "4",
            "participant_cap": "40",
            "focus_1": "Haven",
            "focus_2": "",
            "focus_3": "Zorg  en welzijn",
        },
    )
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.participant_cap == 40
    assert (workshop.city, workshop.title, str(workshop.date)) == (
        "Groningen",
        "Ecosysteemdialoog Groningen",
        "2026-11-27",
    )
    assert list(workshop.tables.values_list("number", "focus")) == [
        (1, "Haven"),
        (2, ""),
        (3, "Zorg en welzijn"),
        (4, ""),
    ]
    console = organiser.get(f"/s/{workshop.code}/organiser/").content.decode()
    assert "Sessie opgeslagen." in console and "Groningen · 2026-11-27" in console


@pytest.mark.parametrize(
    "bad",
    [
        {"tables": "2"},
        {"tables": "\uff14"},
        {"tables": "1_0"},
        {"tables": "+4"},
        {"tables": "99999999999999999999"},
        {"city": "\u200b"},
        {"city": "Gron\x0bingen"},
        {"title": "A\uffffB"},
        {"focus_1": "Ha\x00ven"},
        {"date": "2026-02-30"},
        {"participant_cap": "0"},
        {"participant_cap": "\uff13\uff10"},
        {"participant_cap": "99999999999999999999"},
    ],
)
def test_odd_edits_are_refused_and_change_nothing(organiser, workshop, bad):
    data = {
        "city": "Zwolle",
        "title": "",
        "date": "2026-11-26",
        "tables": "3",
        "participant_cap": "300",
        **bad,
    }
    response = organiser.post(f"/s/{workshop.code}/edit/", data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.city == "Zwolle" and workshop.tables.count() == 3
    assert not workshop.tables.exclude(focus="").exists()


def test_the_next_city_gets_its_own_name_in_the_title(organiser, make_workshop):
    groningen = make_workshop(city="Groningen", title="Ecosysteemdialoog Groningen", tables=4)
    response = organiser.post(
        f"/s/{groningen.code}/duplicate/", {"city": "Utrecht", "date": "2026-12-03", "title": ""}
    )
    assert response.status_code == 302
    utrecht = Workshop.objects.get(city="Utrecht")
    assert utrecht.title == "Ecosysteemdialoog Utrecht"
    assert utrecht.tables.count() == 4
    projector = (
        Client().get(f"/s/{utrecht.code}/projector/?key={utrecht.projector_key}").content.decode()
    )
    assert "Groningen" not in projector
    # A title of one's own wins.
    organiser.post(
        f"/s/{groningen.code}/duplicate/",
        {"city": "Zwolle", "date": "2026-12-04", "title": "Dialoog aan de IJssel"},
    )
    assert Workshop.objects.get(city="Zwolle").title == "Dialoog aan de IJssel"


# --- tables as the method has them ----------------------------------------------------------


def test_the_join_page_shows_how_full_the_tables_are_and_suggests_one(client, workshop):
    from sessions.services import workshop_update

    workshop_update(
        workshop=workshop,
        city="Zwolle",
        title="",
        date=workshop.date,
        tables=3,
        focus={1: "Haven"},
    )
    t1, t2 = table_of(workshop, 1), table_of(workshop, 2)
    for _ in range(8):
        participant_join(workshop=workshop, table=t1, role="")
    participant_join(workshop=workshop, table=t2, role="")
    html = client.get(f"/j/{workshop.code}/").content.decode()
    assert "1 · Haven (8 van 7)" in html and "2 (1 van 7)" in html and "3 (0 van 7)" in html
    assert "Aan tafel 3 is nog plek." in html
    # Nothing is refused: a ninth joins table 1.
    assert (
        client.post(f"/j/{workshop.code}/", {"role": "", "table": "1", "consent": "on"}).status_code
        == 302
    )
    assert Participant.objects.filter(table=t1).count() == 9


def test_the_dashboard_flags_a_table_above_seven(organiser, workshop):
    t1 = table_of(workshop, 1)
    for _ in range(8):
        participant_join(workshop=workshop, table=t1, role="")
    html = organiser.get(f"/s/{workshop.code}/dashboard/").content.decode()
    assert '<tr class="over"><td>1</td><td>8 <span class="flag">meer dan 7</span>' in html
    console = organiser.get(f"/s/{workshop.code}/organiser/").content.decode()
    assert 'class="over">Tafel 1: <strong>8</strong>' in console


def test_a_tables_focus_is_shown_to_its_chair_and_on_the_cards(client, organiser, workshop):
    Table.objects.filter(workshop=workshop, number=2).update(focus="Haven")
    t2 = table_of(workshop, 2)
    assert "Focus: Haven" in client.get(chair_url(t2)).content.decode()
    assert "Focus: Haven" in organiser.get(f"/s/{workshop.code}/tables/cards/").content.decode()


def test_a_tables_focus_is_in_the_profile_page_and_its_docx(organiser, workshop):
    import io

    from docx import Document

    Table.objects.filter(workshop=workshop, number=2).update(focus="Haven")
    page = organiser.get(f"/s/{workshop.code}/profile/").content.decode()
    assert "2 \u00b7 Haven" in page
    response = organiser.get(f"/s/{workshop.code}/profile.docx")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "Tafels met een focus: 2 \u00b7 Haven" in text


# --- chairs record observations; focus and observations in the export ----------------------


def test_a_chair_records_an_observation_next_to_the_researchers(client, organiser, workshop):
    from notes.models import Observation

    t2 = table_of(workshop, 2)
    element = workshop.instrument.elements.get(order=3)
    client_id = str(uuid.uuid4())
    data = {
        "kind": "statement",
        "element": element.pk,
        "text": "“Hier begint alles.”",
        "client_id": client_id,
    }
    for _ in range(2):  # the same post twice is stored once
        response = client.post(f"{chair_url(t2)}observations/", data)
        assert response.status_code == 302
    observation = Observation.objects.get()
    assert (observation.table_id, observation.author_id) == (t2.pk, None)
    organiser.post(
        f"/s/{workshop.code}/observations/", {"kind": "theme", "element": "", "text": "Regie"}
    )
    page = organiser.get(f"/s/{workshop.code}/observations/").content.decode()
    assert "Tafelvoorzitter T2" in page and "“Hier begint alles.”" in page
    assert "organiser" in page and "Regie" in page
    chair_page = client.get(chair_url(t2)).content.decode()
    assert "“Hier begint alles.”" in chair_page and "Regie" not in chair_page


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "nonsense"},
        {"text": ""},
        {"text": "\u200b"},
        {"text": "a\x00b"},
        {"element": "\uff11"},
        {"element": "99999999999999999999"},
        {"client_id": "x"},
        {"text": "x" * 2001},
    ],
)
def test_odd_chair_observations_are_refused(client, workshop, bad):
    from notes.models import Observation

    data = {
        "kind": "theme",
        "element": "",
        "text": "Samenwerking",
        "client_id": str(uuid.uuid4()),
        **bad,
    }
    response = client.post(f"{chair_url(table_of(workshop, 1))}observations/", data, follow=True)
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not Observation.objects.exists()


def test_the_export_holds_the_focus_and_the_chairs_observation(organiser, workshop):
    import io

    import openpyxl

    from notes.services import observation_create

    Table.objects.filter(workshop=workshop, number=2).update(focus="Haven")
    observation_create(
        workshop=workshop,
        kind="example",
        text="De haven als proeftuin",
        author=None,
        table=table_of(workshop, 2),
    )
    response = organiser.get(f"/s/{workshop.code}/export.xlsx")
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    facts = {row[0]: row[1] for row in book["sessie"].iter_rows(values_only=True) if row[0]}
    assert facts["focus tafel 2"] == "Haven"
    rows = list(book["observaties"].iter_rows(values_only=True))
    assert rows[1][:4] == ("voorbeeld", None, "De haven als proeftuin", "Tafelvoorzitter T2")


def test_differences_carry_their_sign_in_the_pages_language(organiser, make_workshop):
    from django.utils import translation

    from sessions.templatetags.scentiss_format import signed

    with translation.override("nl"):
        assert (signed(0.2449), signed(-0.24), signed(0.0)) == ("+0,24", "\u22120,24", "\u00b10,00")
    with translation.override("en"):
        assert signed(-1.5, 1) == "\u22121.5"
