"""Table chairs' notes and researchers' observations, through HTTP (and the organiser's
websocket): chair-key access, every kind of note, the idempotent retry, refusals, escaping."""

import datetime
import re
import uuid

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils.html import escape

from instrument.models import Element, Instrument
from live.routing import websocket_urlpatterns
from notes.models import ExtraSeat, Note, Observation
from notes.services import note_create
from sessions.models import Participant, Table, Workshop
from sessions.services import participant_join, workshop_create
from tests.browser_helpers import CHROMIUM, CHROMIUM_ARGS, off_the_loop
from tests.conftest import ARTIFACTS, ensure_instrument

HTMX = {"HTTP_HX_REQUEST": "true"}
REFUSED = "X-Notes-Refused"


def chair_url(table: Table) -> str:
    return f"/s/{table.workshop.code}/chair/{table.chair_key}/"


def table_of(workshop: Workshop, number: int) -> Table:
    return Table.objects.select_related("workshop").get(workshop=workshop, number=number)


def element_of(workshop: Workshop, order: int = 1) -> Element:
    return Element.objects.get(instrument=workshop.instrument, order=order)


def post_note(
    client: Client, to: Table | str, *, htmx: bool = True, follow: bool = False, **fields
):
    """A note posted to a table's chair page (or to the URL `to`): as the tablet's script sends
    it (htmx) or as the form does without the script."""
    data = {"client_id": str(uuid.uuid4()), "text": "Kent iedereen in de regio", **fields}
    data = {k: v for k, v in data.items() if v is not None}
    url = to if isinstance(to, str) else f"{chair_url(to)}notes/"
    return client.post(url, data, follow=follow, **(HTMX if htmx else {}))


@pytest.fixture
def t2(workshop) -> Table:
    return table_of(workshop, 2)


@pytest.fixture
def seated(workshop, t2) -> list[Participant]:
    """Two phones at table 2 and one at table 3."""
    return [
        participant_join(workshop=workshop, table=t2, role="finance"),
        participant_join(workshop=workshop, table=t2, role="policy"),
        participant_join(workshop=workshop, table=table_of(workshop, 3), role=""),
    ]


# --- chair access -------------------------------------------------------------------------


def test_chair_page_shows_its_table_participants_and_the_six_elements(client, workshop, t2, seated):
    page = client.get(chair_url(t2))
    assert page.status_code == 200
    html = page.content.decode()
    assert "T2·P1" in html and "T2·P2" in html
    # Another table's participant is not on the board (only among those the chair may seat).
    assert "T3·P1" not in html.split('id="seat-move"')[0]
    assert "Financier of investeerder" in html  # the role, in Dutch
    elements = list(workshop.instrument.elements.order_by("order"))
    assert len(elements) == 6
    assert html.count('role="tab"') == 6
    for element in elements:
        assert escape(element.name_nl) in html
        # Escaped as the page escapes it (instrument v2 quotes element 6's core question).
        assert escape(element.core_question_nl)[:40] in html
    # Per element: a plus and a minus entry for each of the 2 participants, agree and differ.
    assert html.count('class="note-new"') == 6 * (2 * 2 + 2)
    assert page["Cache-Control"].startswith("max-age=0")
    # The key stays on this site, and the tablet's form posts keep their Origin.
    assert '<meta name="referrer" content="same-origin">' in html


def test_discussion_questions_follow_the_language(client, workshop, t2):
    element = element_of(workshop)
    client.cookies["django_language"] = "en"
    html = client.get(chair_url(t2)).content.decode()
    assert element.discussion_questions_en[0].replace("'", "&#x27;") in html
    assert element.core_question_en.replace("'", "&#x27;")[:30] in html


def test_a_wrong_key_gets_a_plain_403_page(client, workshop):
    response = client.get(f"/s/{workshop.code}/chair/not-a-key/")
    assert response.status_code == 403
    assert response[REFUSED] == "1"
    assert "Traceback" not in response.content.decode()
    assert client.get(f"/s/NOSUCH/chair/{table_of(workshop, 1).chair_key}/").status_code == 403


def test_another_sessions_key_opens_nothing_here(client, workshop, make_workshop):
    other = make_workshop(city="Deventer")
    foreign_key = table_of(other, 2).chair_key
    response = client.get(f"/s/{workshop.code}/chair/{foreign_key}/")
    assert response.status_code == 403
    response = post_note(
        client,
        f"/s/{workshop.code}/chair/{foreign_key}/notes/",
        element=element_of(workshop).pk,
        kind="agree",
        text="x",
    )
    assert response.status_code == 403
    assert not Note.objects.exists()


def test_one_tables_key_cannot_read_or_write_another_tables_notes(client, workshop, t2, seated):
    t3 = table_of(workshop, 3)
    element = element_of(workshop)
    theirs = note_create(
        table=t3,
        element_id=element.pk,
        kind="agree",
        text="Geheim van tafel 3",
        client_id=uuid.uuid4(),
    ).note
    html = client.get(chair_url(t2)).content.decode()
    assert "Geheim van tafel 3" not in html
    # Reading, editing or deleting it through table 2's link finds nothing.
    assert client.get(f"{chair_url(t2)}notes/{theirs.pk}/", **HTMX).status_code == 404
    assert client.get(f"{chair_url(t2)}notes/{theirs.pk}/edit/", **HTMX).status_code == 404
    response = client.post(
        f"{chair_url(t2)}notes/{theirs.pk}/edit/", {"text": "overschreven"}, **HTMX
    )
    assert response.status_code == 404
    client.post(f"{chair_url(t2)}notes/{theirs.pk}/delete/", **HTMX)
    theirs.refresh_from_db()
    assert theirs.text == "Geheim van tafel 3"
    # Nor write about a participant of table 3.
    response = post_note(client, t2, element=element.pk, kind="plus", participant=seated[2].pk)
    assert response.status_code == 400
    assert Note.objects.count() == 1


def test_rotating_the_chair_key_revokes_the_old_link_at_once(client, organiser, workshop, t2):
    old_url = chair_url(t2)
    assert client.get(old_url).status_code == 200
    response = organiser.post(f"/s/{workshop.code}/tables/2/chair-key/", **HTMX)
    assert response.status_code == 200
    t2.refresh_from_db()
    assert chair_url(t2) != old_url
    assert chair_url(t2) in response.content.decode()  # the panel shows the new link
    assert client.get(old_url).status_code == 403
    response = post_note(
        client,
        Table(workshop=workshop, chair_key=old_url.split("/")[-2]),
        element=element_of(workshop).pk,
        kind="agree",
    )
    assert response.status_code == 403
    assert client.get(chair_url(t2)).status_code == 200
    assert not Note.objects.exists()


def test_rotating_needs_the_organisers_login(client, workshop, t2):
    key = t2.chair_key
    response = client.post(f"/s/{workshop.code}/tables/2/chair-key/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    t2.refresh_from_db()
    assert t2.chair_key == key


def test_rotating_without_htmx_goes_back_to_the_session_page(organiser, workshop, t2):
    key = t2.chair_key
    response = organiser.post(f"/s/{workshop.code}/tables/2/chair-key/")
    assert response.status_code == 302
    assert response["Location"] == f"/s/{workshop.code}/organiser/"
    t2.refresh_from_db()
    assert t2.chair_key != key
    page = organiser.get(response["Location"])
    assert chair_url(t2) in page.content.decode()


# --- notes --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["plus", "minus"])
def test_a_participant_note_per_kind(client, workshop, t2, seated, kind):
    element = element_of(workshop, 3)
    client_id = uuid.uuid4()
    response = post_note(
        client,
        t2,
        client_id=str(client_id),
        element=element.pk,
        kind=kind,
        participant=seated[1].pk,
        text="  Ziet kansen in de regio  ",
    )
    assert response.status_code == 201
    note = Note.objects.get()
    assert (note.workshop, note.table, note.participant, note.element) == (
        workshop,
        t2,
        seated[1],
        element,
    )
    assert note.kind == kind and note.text == "Ziet kansen in de regio"
    assert note.client_id == client_id and not note.is_quote
    assert note.author == "Tafelvoorzitter T2"
    html = response.content.decode()
    assert f'id="note-{note.pk}"' in html and "Ziet kansen in de regio" in html
    assert "Tafelvoorzitter T2" in html
    assert response["X-Note-Id"] == str(note.pk)


@pytest.mark.parametrize("kind", ["agree", "differ"])
def test_a_table_note_per_kind(client, workshop, t2, kind):
    response = post_note(client, t2, element=element_of(workshop, 6).pk, kind=kind)
    assert response.status_code == 201
    note = Note.objects.get()
    assert note.kind == kind and note.participant is None and note.table == t2


def test_a_note_can_be_a_quote(client, workshop, t2, seated):
    response = post_note(
        client,
        t2,
        element=element_of(workshop).pk,
        kind="minus",
        participant=seated[0].pk,
        text="Geld is er genoeg, het komt niet aan",
        is_quote="on",
    )
    assert response.status_code == 201
    assert Note.objects.get().is_quote
    assert "is-quote" in response.content.decode()


def test_notes_appear_in_their_place_on_the_chair_page(client, workshop, t2, seated):
    element = element_of(workshop, 2)
    post_note(
        client, t2, element=element.pk, kind="plus", participant=seated[0].pk, text="Plus voor P1"
    )
    post_note(client, t2, element=element.pk, kind="differ", text="Verschil aan tafel")
    html = client.get(chair_url(t2) + f"?e={element.key}").content.decode()
    plus_list = re.search(
        rf'data-list="{element.pk}:plus:{seated[0].pk}">(.*?)</ul>', html, re.S
    ).group(1)
    assert "Plus voor P1" in plus_list
    differ_list = re.search(rf'data-list="{element.pk}:differ:">(.*?)</ul>', html, re.S).group(1)
    assert "Verschil aan tafel" in differ_list
    # The element's tab opens, and counts its notes.
    assert re.search(rf'id="panel-{element.key}"[^>]*data-element="{element.key}">', html)
    assert re.search(rf'id="tab-{element.key}".*?class="tab-count"[^>]*>2<', html, re.S)


def test_a_retried_note_is_stored_once(client, workshop, t2, seated):
    fields = {
        "client_id": str(uuid.uuid4()),
        "element": element_of(workshop).pk,
        "kind": "plus",
        "participant": seated[0].pk,
        "text": "Eén keer",
        "is_quote": "on",
    }
    first = post_note(client, t2, **fields)
    again = post_note(client, t2, **fields)
    assert (first.status_code, again.status_code) == (201, 200)
    assert Note.objects.count() == 1
    assert first["X-Note-Id"] == again["X-Note-Id"]
    # Line ends and outer spaces do not make a retry a different note.
    third = post_note(client, t2, **{**fields, "text": " Eén keer\r\n"})
    assert third.status_code == 200 and Note.objects.count() == 1


def test_the_same_id_with_other_content_is_a_conflict(client, workshop, t2, seated):
    client_id = str(uuid.uuid4())
    element = element_of(workshop).pk
    post_note(client, t2, client_id=client_id, element=element, kind="agree", text="Origineel")
    response = post_note(
        client, t2, client_id=client_id, element=element, kind="agree", text="Iets anders"
    )
    assert response.status_code == 409
    assert response[REFUSED] == "1"
    assert "Laad de pagina opnieuw" in response.content.decode()
    assert list(Note.objects.values_list("text", flat=True)) == ["Origineel"]


def post_observation(client: Client, table: Table, client_id: str, text: str, **fields):
    data = {"kind": "theme", "element": "", "text": text, "client_id": client_id, **fields}
    return client.post(f"{chair_url(table)}observations/", data)


def test_a_replayed_chair_observation_is_stored_once_and_answered_alike(client, workshop, t2):
    client_id = str(uuid.uuid4())
    first = post_observation(client, t2, client_id, "Origineel", e="kennis")
    again = post_observation(client, t2, client_id, "Origineel", e="kennis")
    assert (first.status_code, again.status_code) == (302, 302)
    assert first["Location"] == again["Location"]
    assert list(Observation.objects.values_list("text", flat=True)) == ["Origineel"]


def test_a_chair_observation_replayed_with_other_text_is_a_conflict(client, workshop, t2):
    """It said "Observatie opgeslagen." and stored nothing; notes answer 409."""
    client_id = str(uuid.uuid4())
    element = element_of(workshop, 2)
    assert post_observation(client, t2, client_id, "Origineel").status_code == 302
    response = post_observation(
        client, t2, client_id, "Iets anders", kind="example", element=element.pk
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Onder het id van dit formulier is al een andere observatie bewaard" in html
    assert list(Observation.objects.values_list("text", flat=True)) == ["Origineel"]
    # The text is kept in the open form, under a new id: saving again stores it.
    assert '<details class="seat-add" id="chair-observations" open>' in html
    assert "Iets anders</textarea>" in html
    assert f'value="{element.pk}" selected' in html
    new_id = re.search(r'name="client_id" value="([0-9a-f-]{36})"', html)[1]
    assert new_id != client_id
    saved = post_observation(client, t2, new_id, "Iets anders", kind="example")
    assert saved.status_code == 302
    assert Observation.objects.count() == 2
    # An id stored at another table of the session is no new observation either.
    other = post_observation(client, table_of(workshop, 3), client_id, "Origineel")
    assert other.status_code == 409
    assert Observation.objects.count() == 2


def test_a_conflicting_observation_is_explained_in_english(workshop, t2):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client_id = str(uuid.uuid4())
    post_observation(client, t2, client_id, "Original")
    response = post_observation(client, t2, client_id, "Something else")
    assert response.status_code == 409
    assert "Another observation was already stored under this form" in response.content.decode()


def test_the_same_client_id_at_another_table_is_another_note(client, workshop, t2):
    client_id = str(uuid.uuid4())
    element = element_of(workshop).pk
    assert (
        post_note(client, t2, client_id=client_id, element=element, kind="agree").status_code == 201
    )
    t1 = table_of(workshop, 1)
    assert (
        post_note(client, t1, client_id=client_id, element=element, kind="agree").status_code == 201
    )
    assert Note.objects.count() == 2


def test_2000_characters_are_fine(client, workshop, t2):
    response = post_note(client, t2, element=element_of(workshop).pk, kind="agree", text="x" * 2000)
    assert response.status_code == 201
    assert len(Note.objects.get().text) == 2000


def _other_instrument_element() -> Element:
    other = Instrument.objects.create(slug="ander", version=1, name_nl="Ander", stem_nl="In {city}")
    return Element.objects.create(
        instrument=other, order=1, key="ander", name_nl="Ander", core_question_nl="?"
    )


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("empty", "empty note"),
        ("blank", "empty note"),
        ("too_long", "at most 2,000 characters; this one has 2,001"),
        ("unknown_kind", "Unknown kind of note"),
        ("plus_without_participant", "about one participant"),
        ("agree_with_participant", "about the whole table"),
        ("participant_of_another_table", "does not sit at this table"),
        ("unknown_participant", "does not sit at this table"),
        ("huge_ids", "not a valid number"),
        ("element_of_another_instrument", "not part of this session"),
        ("no_element", "element"),
        ("bad_client_id", "UUID"),
        ("nul_character", "Null characters are not allowed"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_stores_nothing(
    client, workshop, t2, seated, case, message
):
    client.cookies["django_language"] = "en"
    ok = {"element": element_of(workshop).pk, "kind": "plus", "participant": seated[0].pk}
    fields = {
        "empty": {**ok, "text": ""},
        "blank": {**ok, "text": " \r\n\t "},
        "too_long": {**ok, "text": "é" * 2001},
        "unknown_kind": {**ok, "kind": "maybe"},
        "plus_without_participant": {**ok, "participant": None},
        "agree_with_participant": {**ok, "kind": "agree"},
        "participant_of_another_table": {**ok, "participant": seated[2].pk},
        "unknown_participant": {**ok, "participant": 999999},
        "huge_ids": {**ok, "participant": 10**30, "element": 10**30},
        "element_of_another_instrument": {**ok, "element": _other_instrument_element().pk},
        "no_element": {**ok, "element": None},
        "bad_client_id": {**ok, "client_id": "not-a-uuid"},
        "nul_character": {**ok, "text": "a\x00b"},
    }[case]
    participants = Participant.objects.count()
    response = post_note(client, t2, **fields)
    assert response.status_code == 400
    assert response[REFUSED] == "1"
    assert message in response.content.decode()
    assert not Note.objects.exists()
    assert Participant.objects.count() == participants


def test_without_the_script_a_refusal_comes_back_as_a_message(client, workshop, t2):
    response = post_note(
        client, t2, htmx=False, follow=True, element=element_of(workshop).pk, kind="agree", text=""
    )
    assert response.status_code == 200
    assert "lege notitie" in response.content.decode()
    assert not Note.objects.exists()


def test_without_the_script_a_note_is_stored_and_the_tab_stays(client, workshop, t2):
    element = element_of(workshop, 4)
    response = post_note(client, t2, htmx=False, element=element.pk, kind="agree", text="Ok")
    assert response.status_code == 302
    assert response["Location"] == f"{chair_url(t2)}?e={element.key}"
    assert Note.objects.count() == 1


def test_a_note_is_shown_as_text_never_as_markup(client, workshop, t2, seated):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = post_note(
        client,
        t2,
        element=element_of(workshop).pk,
        kind="plus",
        participant=seated[0].pk,
        text=payload,
    )
    assert response.status_code == 201
    for html in (response.content.decode(), client.get(chair_url(t2)).content.decode()):
        assert payload not in html
        assert "<img src=x" not in html
        assert (
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
            in html
        )
    assert Note.objects.get().text == payload  # stored as typed


def test_creating_a_note_takes_few_queries(
    client, workshop, t2, seated, django_assert_max_num_queries
):
    element = element_of(workshop).pk
    with django_assert_max_num_queries(7):  # key, retry check, element, participant, insert
        response = post_note(client, t2, element=element, kind="plus", participant=seated[0].pk)
    assert response.status_code == 201
    with django_assert_max_num_queries(2):  # a retry: the chair link and the stored note
        post_note(
            client,
            t2,
            client_id=response.content.decode().split('data-client-id="')[1][:36],
            element=element,
            kind="plus",
            participant=seated[0].pk,
        )


# --- edit and delete ----------------------------------------------------------------------


@pytest.fixture
def note(client, workshop, t2, seated) -> Note:
    post_note(
        client,
        t2,
        element=element_of(workshop).pk,
        kind="plus",
        participant=seated[0].pk,
        text="Eerste versie",
    )
    return Note.objects.get()


def test_the_table_edits_its_note(client, t2, note):
    form = client.get(f"{chair_url(t2)}notes/{note.pk}/edit/", **HTMX)
    assert form.status_code == 200 and "Eerste versie" in form.content.decode()
    response = client.post(
        f"{chair_url(t2)}notes/{note.pk}/edit/", {"text": "Tweede versie", "is_quote": "on"}, **HTMX
    )
    assert response.status_code == 200
    assert "Tweede versie" in response.content.decode()
    note.refresh_from_db()
    assert note.text == "Tweede versie" and note.is_quote
    assert note.kind == "plus" and note.author == "Tafelvoorzitter T2"


def test_an_edit_to_an_empty_or_too_long_text_is_refused(client, t2, note):
    client.cookies["django_language"] = "en"
    for text in ("   ", "y" * 2001):
        response = client.post(f"{chair_url(t2)}notes/{note.pk}/edit/", {"text": text}, **HTMX)
        assert response.status_code == 400
        assert "note-edit" in response.content.decode()  # the form again, with the message
    note.refresh_from_db()
    assert note.text == "Eerste versie"


def test_the_table_deletes_its_note(client, t2, note):
    response = client.post(f"{chair_url(t2)}notes/{note.pk}/delete/", **HTMX)
    assert response.status_code == 200 and response.content == b""
    assert not Note.objects.exists()
    again = client.post(f"{chair_url(t2)}notes/{note.pk}/delete/", **HTMX)
    assert again.status_code == 200


def test_another_table_cannot_edit_or_delete_the_note(client, workshop, note):
    t1 = table_of(workshop, 1)
    response = client.post(f"{chair_url(t1)}notes/{note.pk}/edit/", {"text": "Van tafel 1"}, **HTMX)
    assert response.status_code == 404
    assert response["HX-Retarget"] == "#chair-alert"
    client.post(f"{chair_url(t1)}notes/{note.pk}/delete/", **HTMX)
    note.refresh_from_db()
    assert note.text == "Eerste versie"


def test_a_revoked_key_cannot_edit_or_delete(client, organiser, workshop, t2, note):
    old = chair_url(t2)
    organiser.post(f"/s/{workshop.code}/tables/2/chair-key/", **HTMX)
    assert client.post(f"{old}notes/{note.pk}/edit/", {"text": "Oud"}, **HTMX).status_code == 403
    assert client.post(f"{old}notes/{note.pk}/delete/", **HTMX).status_code == 403
    note.refresh_from_db()
    assert note.text == "Eerste versie"


def test_chair_writes_need_post_and_csrf(workshop, t2):
    strict = Client(enforce_csrf_checks=True)
    assert strict.get(f"{chair_url(t2)}notes/").status_code == 405
    response = post_note(strict, t2, element=element_of(workshop).pk, kind="agree", text="x")
    assert response.status_code == 403
    assert not Note.objects.exists()


# --- seats without a phone ----------------------------------------------------------------


def test_the_chair_adds_a_seat_with_initials(client, workshop, t2, seated):
    response = client.post(
        f"{chair_url(t2)}seats/", {"initials": "JdV", "role": "civil", "e": "geld"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{chair_url(t2)}?e=geld"
    seat = ExtraSeat.objects.select_related("participant__table").get()
    assert seat.initials == "JdV"
    assert seat.participant.seat_label == "T2·P3" and seat.participant.role == "civil"
    html = client.get(chair_url(t2)).content.decode()
    assert "T2·P3" in html and "JdV" in html
    # The new seat takes notes like any other.
    response = post_note(
        client, t2, element=element_of(workshop).pk, kind="minus", participant=seat.participant.pk
    )
    assert response.status_code == 201


def test_a_seat_without_initials_is_fine(client, t2):
    client.post(f"{chair_url(t2)}seats/", {"initials": "", "role": ""})
    assert ExtraSeat.objects.get().initials == ""


@pytest.mark.parametrize("element", ["y" * 20000, "geld?x=1&", "<b>", "\u202egeld"])
def test_an_odd_element_to_return_to_is_dropped_after_the_seat_is_added(client, t2, element):
    # A stored seat answered with a 400 when the element to return to made the redirect too
    # long (Django refuses a redirect over 16,384 characters): the write was done, the chair
    # saw an error. Only an element key (a slug) comes back into the link.
    response = client.post(f"{chair_url(t2)}seats/", {"initials": "", "role": "", "e": element})
    assert response.status_code == 302
    assert response["Location"] == chair_url(t2)
    assert ExtraSeat.objects.count() == 1


@pytest.mark.parametrize("fields", [{"initials": "ABCDEF"}, {"initials": "A", "role": "king"}])
def test_bad_seats_are_refused(client, t2, fields):
    response = client.post(f"{chair_url(t2)}seats/", fields, follow=True)
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not Participant.objects.exists() and not ExtraSeat.objects.exists()


def test_a_seat_initials_are_shown_as_text(client, t2):
    client.post(f"{chair_url(t2)}seats/", {"initials": "<b>x"})
    html = client.get(chair_url(t2)).content.decode()
    assert "&lt;b&gt;x" in html and "<b>x" not in html


# --- the organiser's side -----------------------------------------------------------------


def test_organiser_panel_shows_chair_links_cards_and_counts(organiser, workshop, t2):
    html = organiser.get(f"/s/{workshop.code}/organiser/").content.decode()
    assert chair_url(t2) in html
    assert f"/s/{workshop.code}/tables/2/chair-key/" in html
    assert f"/s/{workshop.code}/tables/cards/" in html
    assert f"/s/{workshop.code}/observations/" in html
    assert f'hx-get="/s/{workshop.code}/notes/counts/"' in html


def test_table_cards_have_a_qr_code_per_table(organiser, client, workshop):
    response = organiser.get(f"/s/{workshop.code}/tables/cards/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") == 3
    assert html.count('class="table-card"') == 3
    for table in workshop.tables.all():
        assert f"testserver{chair_url(table)}" in html
    assert client.get(f"/s/{workshop.code}/tables/cards/").status_code == 302


def test_note_counts_per_table_and_element(organiser, client, workshop, t2, seated):
    post_note(client, t2, element=element_of(workshop, 2).pk, kind="agree")
    post_note(client, t2, element=element_of(workshop, 2).pk, kind="plus", participant=seated[0].pk)
    post_note(client, t2, element=element_of(workshop, 5).pk, kind="differ")
    response = organiser.get(f"/s/{workshop.code}/notes/counts/", **HTMX)
    assert response.status_code == 200
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", response.content.decode(), re.S)
    cells = [re.findall(r"<td[^>]*>(?:<strong>)?(\d+)", row) for row in rows]
    assert cells == [
        ["0"] * 7,
        ["0", "2", "0", "0", "1", "0", "3"],
        ["0"] * 7,
    ]
    assert client.get(f"/s/{workshop.code}/notes/counts/").status_code == 403


def test_what_a_chair_types_shows_on_the_organisers_page(organiser, client, workshop, t2, seated):
    post_note(
        client, t2, element=element_of(workshop, 3).pk, kind="minus", participant=seated[1].pk,
        text="Falen wordt <em>niet</em> geaccepteerd", is_quote="on",
    )  # fmt: skip
    html = organiser.get(f"/s/{workshop.code}/notes/counts/", **HTMX).content.decode()
    assert "Nieuwste notities" in html
    assert f"Tafel 2 · {seated[1].seat_label}" in html
    assert "Cultuur &amp; Mindset" in html
    assert "Falen wordt &lt;em&gt;niet&lt;/em&gt; geaccepteerd" in html
    assert "quote" in html


def test_observations_need_the_login(client, workshop):
    assert client.get(f"/s/{workshop.code}/observations/").status_code == 302
    client.post(f"/s/{workshop.code}/observations/", {"kind": "theme", "text": "Anoniem"})
    assert not Observation.objects.exists()


def test_the_organiser_adds_and_lists_observations(organiser, workshop):
    element = element_of(workshop, 3)
    url = f"/s/{workshop.code}/observations/"
    response = organiser.post(
        url, {"kind": "statement", "element": element.pk, "text": "“Wij <b>doen</b> het gewoon”"}
    )
    assert response.status_code == 302
    organiser.post(url, {"kind": "theme", "element": "", "text": "Netwerken overlappen"})
    observation = Observation.objects.get(kind="statement")
    assert observation.element == element and observation.author.username == "organiser"
    assert Observation.objects.get(kind="theme").element is None
    html = organiser.get(url).content.decode()
    assert "Wij &lt;b&gt;doen&lt;/b&gt; het gewoon" in html and "<b>doen" not in html
    assert "Netwerken overlappen" in html
    assert html.index("Netwerken overlappen") < html.index("het gewoon")  # newest first
    organiser.post(f"{url}{observation.pk}/delete/")
    assert not Observation.objects.filter(pk=observation.pk).exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "theme", "text": "  "},
        {"kind": "theme", "text": "z" * 2001},
        {"kind": "gossip", "text": "Iets"},
        {"kind": "example", "text": "Iets", "element": "other-instrument"},
    ],
)
def test_bad_observations_are_refused(organiser, workshop, fields):
    if fields.get("element") == "other-instrument":
        fields = {**fields, "element": _other_instrument_element().pk}
    response = organiser.post(f"/s/{workshop.code}/observations/", fields)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not Observation.objects.exists()


# --- live counts for the organiser ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_organisers_websocket_hears_of_new_notes(django_user_model):
    from asgiref.sync import sync_to_async

    from tests.conftest import ensure_instrument

    @sync_to_async
    def setup():
        from sessions.services import workshop_create

        workshop = workshop_create(
            city="Zwolle", date="2026-11-26", tables=2, instrument=ensure_instrument()
        )
        user = django_user_model.objects.create_user("org", password="x" * 12)
        return workshop, table_of(workshop, 1), element_of(workshop), user

    workshop, table, element, user = await setup()
    app = URLRouter(websocket_urlpatterns)
    path = f"/ws/s/{workshop.code}/notes/"

    anonymous = WebsocketCommunicator(app, path)
    anonymous.scope["user"] = AnonymousUser()
    connected, code = await anonymous.connect(timeout=3)
    assert not connected and code == 4403

    communicator = WebsocketCommunicator(app, path)
    communicator.scope["user"] = user
    connected, _ = await communicator.connect(timeout=3)
    assert connected
    await sync_to_async(note_create)(
        table=table, element_id=element.pk, kind="agree", text="Live", client_id=uuid.uuid4()
    )
    assert await communicator.receive_json_from(timeout=3) == {"type": "notes.changed"}
    await communicator.disconnect()


# --- never lose a note: the tablet's script in a real browser ------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_tablet_keeps_a_note_until_the_server_has_it(server):
    from playwright.sync_api import expect, sync_playwright

    def stored_notes() -> list[str]:
        """The notes in the database (off_the_loop: sync Playwright keeps an event loop in this
        thread, where Django refuses ORM calls)."""
        return off_the_loop(lambda: list(Note.objects.values_list("text", flat=True)))

    workshop = workshop_create(
        city="Zwolle", date=datetime.date(2026, 11, 26), tables=2, instrument=ensure_instrument()
    )
    t2 = table_of(workshop, 2)
    participant_join(workshop=workshop, table=t2, role="finance")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1024, "height": 768}, has_touch=True)
        page.set_default_timeout(15_000)
        page.goto(server.url + chair_url(t2))
        pending = page.locator("li.note.pending")
        status = page.locator("#sync-status")

        # The wifi is down: every send fails.
        page.route("**/notes/", lambda route: route.abort("internetdisconnected"))
        area = page.locator("section.panel:not([hidden]) .cell-plus textarea").first
        area.fill("Kent <b>iedereen</b>")
        area.press("Enter")
        expect(pending).to_have_count(1)
        expect(pending).to_contain_text("Kent <b>iedereen</b>")  # as text
        expect(status).to_have_class(re.compile("unsent"))
        expect(area).to_have_value("")  # ready for the next note

        # A reload keeps it: shown from the tablet's storage and sent again.
        page.reload()
        expect(pending).to_have_count(1)
        assert stored_notes() == []

        # The note reaches the server but the answer is lost on the way back.
        def answer_lost(route):
            route.fetch()
            route.abort("internetdisconnected")

        page.unroute("**/notes/")
        page.route("**/notes/", answer_lost)
        with page.expect_event("requestfailed"):
            pass
        assert stored_notes() == ["Kent <b>iedereen</b>"]
        expect(pending).to_have_count(1)  # the tablet does not know yet

        # The wifi is back: the retry finds the stored note, and nothing is doubled.
        page.unroute("**/notes/")
        expect(pending).to_have_count(0)
        expect(status).not_to_have_class(re.compile("unsent"))
        assert stored_notes() == ["Kent <b>iedereen</b>"]  # once
        stored = page.evaluate(
            "Object.keys(localStorage).filter(k => k.startsWith('scentiss.note.')).length"
        )
        assert stored == 0
        page.reload()
        expect(page.locator("li.note")).to_have_count(1)
        chair = {"nl": "Tafelvoorzitter T2", "en": "Table chair T2"}  # the page's language
        label = chair[page.locator("html").get_attribute("lang")]
        expect(page.locator("li.note")).to_contain_text(label)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "chair-tablet-after-retry.png"))
        browser.close()


def test_an_observation_sent_by_the_tablets_script_is_stored_once_by_its_client_id(
    client, workshop, t2
):
    """The tablet keeps an observation until the server has it and may send it twice (a reply
    lost to the network): stored once, answered alike with the list item; a refusal is a short
    fragment the script shows beside the observation, and stores nothing."""
    client_id = str(uuid.uuid4())
    url = f"{chair_url(t2)}observations/"
    data = {"kind": "example", "element": "", "text": "De haven", "client_id": client_id}
    first = client.post(url, data, HTTP_HX_REQUEST="true")
    again = client.post(url, data, HTTP_HX_REQUEST="true")
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert f'data-client-id="{client_id}"' in first.content.decode()
    assert "De haven" in first.content.decode()
    assert Observation.objects.get().table == t2

    other = client.post(url, {**data, "text": "Iets anders"}, HTTP_HX_REQUEST="true")
    assert other.status_code == 409 and other[REFUSED] == "1"
    empty = client.post(
        url, {**data, "text": "\u200b", "client_id": str(uuid.uuid4())}, HTTP_HX_REQUEST="true"
    )
    assert empty.status_code == 400 and empty[REFUSED] == "1"
    assert "Schrijf eerst iets" in empty.content.decode()
    assert list(Observation.objects.values_list("text", flat=True)) == ["De haven"]
