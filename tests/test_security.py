"""Who may do what, and the Content-Security-Policy.

The matrix: roles (anonymous, a phone, a table chair's key, the projector key, the organiser's
login, staff) by resources (pages, JSON, exports, writes, websockets) by sessions (own, other).
Every refusal is checked twice: the status (403/404/redirect to a login) and that the body
holds nothing of the session's data (city, notes, observations, keys). Writes that are refused
must leave the database as it was.
"""

import datetime
import re
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client

from instrument.models import Statement
from notes.models import Note, Observation
from notes.services import extra_seat_create, note_create, observation_create
from scentiss.asgi import application
from sessions.models import Participant, Phase, Table, Workshop
from sessions.services import participant_join, workshop_create, workshop_update_state
from survey.models import Answer
from survey.services import answer_save
from tests.browser_helpers import CHROMIUM, CHROMIUM_ARGS, log_in, off_the_loop
from tests.conftest import ensure_instrument, participant_cookie

HTMX = {"HTTP_HX_REQUEST": "true"}
ORIGIN = (b"origin", b"http://127.0.0.1")
HOST = (b"host", b"127.0.0.1")  # a websocket's Origin must be its own host's
TIMEOUT = 3
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


# --- two sessions full of data ------------------------------------------------------------


class Session:
    """A session with a phone at each table, answers, notes and an observation, and the
    distinctive texts that must never show up where they don't belong."""

    def __init__(self, tag: str, *, organiser) -> None:
        instrument = ensure_instrument()
        self.tag = tag
        self.city = f"Stad{tag}"
        self.title = f"Titel{tag}"
        self.workshop = workshop_create(
            city=self.city,
            title=self.title,
            date=datetime.date(2026, 11, 26),
            tables=2,
            instrument=instrument,
            phase=Phase.SURVEY,
            created_by=organiser,
        )
        self.code = self.workshop.code
        self.t1, self.t2 = Table.objects.filter(workshop=self.workshop).order_by("number")
        self.p1 = participant_join(workshop=self.workshop, table=self.t1, role="finance")
        self.p2 = participant_join(workshop=self.workshop, table=self.t2, role="policy")
        self.statements = list(
            Statement.objects.filter(element__instrument=instrument).order_by(
                "element__order", "order"
            )
        )
        self.element = self.statements[0].element
        answer_save(participant=self.p1, statement_id=self.statements[0].pk, score=5)
        answer_save(participant=self.p1, statement_id=self.statements[1].pk, score=1)
        answer_save(participant=self.p2, statement_id=self.statements[2].pk, score=2)
        self.note1_text = f"NotitieTafel1{tag}"
        self.note2_text = f"NotitieTafel2{tag}"
        self.note1 = note_create(
            table=self.t1,
            element_id=self.element.pk,
            kind="plus",
            participant_id=self.p1.pk,
            text=self.note1_text,
            client_id=uuid.uuid4(),
        ).note
        self.note2 = note_create(
            table=self.t2,
            element_id=self.element.pk,
            kind="agree",
            text=self.note2_text,
            client_id=uuid.uuid4(),
        ).note
        self.seat_initials = f"Zq{tag[0]}{len(tag)}"  # at most 5 characters
        extra_seat_create(table=self.t1, initials=self.seat_initials)
        self.observation_text = f"Observatie{tag}"
        self.observation = observation_create(
            workshop=self.workshop, kind="theme", text=self.observation_text, author=organiser
        )
        self.workshop.refresh_from_db()

    @property
    def hidden(self) -> list[str]:
        """What no phone and no one without the right key or login may read."""
        return [
            self.note1_text,
            self.note2_text,
            self.observation_text,
            self.seat_initials,
            self.workshop.projector_key,
            self.t1.chair_key,
            self.t2.chair_key,
        ]

    @property
    def secrets(self) -> list[str]:
        """What a refusal must not show: the hidden data, and the session's city and title
        (which the session's own join page does show, to anyone with its code)."""
        return [*self.hidden, self.city, self.title]

    def phone(self, participant: Participant) -> Client:
        client = Client()
        name, value = participant_cookie(self.workshop, str(participant.token))
        client.cookies[name] = value
        return client


@pytest.fixture
def organiser_user(db):
    return get_user_model().objects.create_user("organiser", password="a-long-password-1")


@pytest.fixture
def organiser(organiser_user) -> Client:
    client = Client()
    client.force_login(organiser_user)
    return client


@pytest.fixture
def a(organiser_user) -> Session:
    return Session("Alfa", organiser=organiser_user)


@pytest.fixture
def b(organiser_user) -> Session:
    return Session("Bravo", organiser=organiser_user)


def state() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        sorted(
            Workshop.objects.values_list(
                "code", "city", "title", "phase", "archived", "results_revealed", "projector_key"
            )
        ),
        sorted(Table.objects.values_list("pk", "chair_key")),
        sorted(Participant.objects.values_list("pk", "workshop_id", "table_id", "role")),
        sorted(Answer.objects.values_list("participant_id", "statement_id", "score")),
        sorted(Note.objects.values_list("pk", "text", "is_quote")),
        sorted(Observation.objects.values_list("pk", "text")),
    )


def assert_refused(
    response, *, secrets: list[str], login: str | None = LOGIN, own: tuple[str, ...] = ()
) -> None:
    """A refusal: 403, 404, or a redirect to a login page; and nothing of `secrets` inside.

    `own`: what the caller sent itself (a key in its URL comes back in the language switch's
    return address and in a login redirect's ?next=); that is no leak.
    """
    secrets = [s for s in secrets if s not in own]
    status = response.status_code
    if status == 302:
        assert login is not None and response["Location"].startswith(login), response["Location"]
    else:
        assert status in (403, 404), status
    body = response.content.decode(errors="replace")
    assert "Traceback" not in body
    for secret in secrets:
        assert secret not in body, secret
        assert secret not in response.get("Location", ""), secret


# --- the organiser's resources: only with the login -----------------------------------------


def organiser_requests(s: Session) -> list[tuple[str, str, dict]]:
    """(method, url, data) of everything behind the organiser's login, for session s."""
    code = s.code
    return [
        ("get", f"/s/{code}/organiser/", {}),
        ("get", f"/s/{code}/dashboard/", {}),
        ("post", f"/s/{code}/state/", {"phase": Phase.CLOSED}),
        ("post", f"/s/{code}/state/", {"results_revealed": "1"}),
        ("post", f"/s/{code}/duplicate/", {"city": "Kopie", "date": "2027-01-01"}),
        ("post", f"/s/{code}/archive/", {"archived": "1"}),
        ("get", f"/s/{code}/delete/", {}),
        ("post", f"/s/{code}/delete/", {"confirm_code": code}),
        ("get", f"/s/{code}/export.xlsx", {}),
        ("get", f"/s/{code}/answers.csv", {}),
        ("get", f"/s/{code}/excel/answers.csv", {}),
        ("get", f"/s/{code}/excel/wide.csv?lang=en", {}),
        ("get", f"/organiser/compare.xlsx?codes={code}", {}),
        ("get", f"/organiser/compare/?code={code}", {}),
        ("get", "/organiser/", {}),
        (
            "post",
            "/organiser/new/",
            {
                "city": "Nieuw",
                "date": "2027-01-01",
                "tables": "2",
                "instrument": s.workshop.instrument_id,
            },
        ),
        ("get", f"/s/{code}/tables/cards/", {}),
        ("post", f"/s/{code}/tables/1/chair-key/", {}),
        ("get", f"/s/{code}/notes/counts/", {}),
        ("get", f"/s/{code}/observations/", {}),
        ("post", f"/s/{code}/observations/", {"kind": "theme", "text": "Ingebroken"}),
        ("post", f"/s/{code}/observations/{s.observation.pk}/delete/", {}),
    ]


def test_the_organisers_resources_work_with_the_login(organiser, a):
    """The control for the refusals below: the same requests succeed with the login."""
    for method, url, data in organiser_requests(a):
        if "delete" in url and method == "post":
            continue  # deleting would empty the session for the rest of this loop
        response = getattr(organiser, method)(url, data)
        assert response.status_code in (200, 302), (url, response.status_code)
        if response.status_code == 302:
            assert not response["Location"].startswith(LOGIN), url
        if url.endswith("/archive/"):  # an archived session refuses the observations below
            organiser.post(url, {"archived": "0"})


@pytest.mark.parametrize("actor", ["anonymous", "phone", "chair", "projector", "other-projector"])
def test_without_the_login_nothing_of_the_organisers_opens(actor, a, b):
    """A phone's cookie, a chair link's key, the projector key (of this or another session):
    none of them opens a page, an export or a write of the organiser. The key is tried in the
    query string, where the projector and results URLs take it."""
    before = state()
    client = a.phone(a.p1) if actor == "phone" else Client()
    key = {
        "chair": a.t1.chair_key,
        "projector": a.workshop.projector_key,
        "other-projector": b.workshop.projector_key,
    }.get(actor)
    secrets = [*a.secrets, *b.secrets]
    for method, url, data in organiser_requests(a):
        if key:
            url = f"{url}{'&' if '?' in url else '?'}key={key}"
        response = getattr(client, method)(url, data, **HTMX)
        assert_refused(response, secrets=secrets, own=(key,) if key else ())
        if response.status_code == 302:
            assert not response.has_header("HX-Redirect")
    assert state() == before


def test_htmx_refusals_of_the_organisers_resources_carry_no_data(a, b):
    """The note counts answer a plain 403 fragment, not the counts, to a request without
    the login."""
    response = Client().get(f"/s/{a.code}/notes/counts/", **HTMX)
    assert response.status_code == 403
    assert_refused(response, secrets=[*a.secrets, *b.secrets, "<table"])


@pytest.mark.parametrize("who", ["anonymous", "organiser"])
def test_the_admin_needs_a_staff_login(who, organiser, a):
    client = organiser if who == "organiser" else Client()  # an organiser is not staff
    before = state()
    for url in [
        "/admin/",
        "/admin/notes/note/",
        f"/admin/notes/note/{a.note1.pk}/change/",
        "/admin/notes/observation/",
        "/admin/notes/extraseat/",
        "/admin/auth/user/",
    ]:
        assert_refused(client.get(url), secrets=a.secrets, login=ADMIN_LOGIN)
    response = client.post(f"/admin/notes/note/{a.note1.pk}/delete/", {"post": "yes"})
    assert_refused(response, secrets=a.secrets, login=ADMIN_LOGIN)
    assert state() == before


def test_staff_reaches_the_admin(db, a):
    staff = get_user_model().objects.create_superuser("staff", password="a-long-password-2")
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    response = client.get("/admin/notes/note/")
    assert response.status_code == 200 and a.note1_text in response.content.decode()


# --- the projector key: it reads, nothing else ----------------------------------------------


def test_the_projector_key_reads_the_results_and_the_projector(a):
    key = a.workshop.projector_key
    results = Client().get(f"/s/{a.code}/results.json?key={key}")
    assert results.status_code == 200
    assert results.json()["city"] == a.city and results.json()["respondents"] == 2
    page = Client().get(f"/s/{a.code}/projector/?key={key}")
    assert page.status_code == 200
    html = page.content.decode()
    assert a.city in html
    # What the projector shows is the room's: no notes, observations, chair keys or seats.
    for secret in [a.note1_text, a.note2_text, a.observation_text, a.seat_initials]:
        assert secret not in html
        assert secret not in results.content.decode()
    for secret in [a.t1.chair_key, a.t2.chair_key]:
        assert secret not in html
        assert secret not in results.content.decode()
    for p in (a.p1, a.p2):
        assert str(p.token) not in html and str(p.token) not in results.content.decode()


def test_the_projector_key_opens_no_chair_link(a):
    key = a.workshop.projector_key
    for url in [f"/s/{a.code}/chair/{key}/", f"/s/{a.code}/chair/{key}/notes/{a.note1.pk}/"]:
        assert_refused(Client().get(url), secrets=a.secrets, own=(key,))
    before = state()
    response = Client().post(f"/s/{a.code}/chair/{key}/notes/{a.note1.pk}/delete/", **HTMX)
    assert_refused(response, secrets=a.secrets, own=(key,))
    assert state() == before


@pytest.mark.parametrize(
    "key",
    ["", "wrong", "chair", "other", "other-chair", "prefix", "é", "\u202e", "x" * 10_000],
)
def test_a_wrong_key_reads_nothing(key, a, b):
    key = {
        "chair": a.t1.chair_key,
        "other": b.workshop.projector_key,
        "other-chair": b.t1.chair_key,
        "prefix": a.workshop.projector_key[:-1],
    }.get(key, key)
    for url in [f"/s/{a.code}/results.json", f"/s/{a.code}/projector/"]:
        response = Client().get(url, {"key": key})
        assert response.status_code == 403
        secrets = [*a.secrets, *b.secrets, str(a.p1.token)]
        assert_refused(response, secrets=secrets, own=(key,))


def test_a_refused_projector_gets_a_friendly_page_in_its_language(a):
    response = Client().get(f"/s/{a.code}/projector/?key=wrong")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Deze projectorlink is niet geldig." in html and "Geen toegang" in html
    assert '<html lang="nl">' in html
    response = Client().get(f"/s/{a.code}/projector/?key=wrong", HTTP_ACCEPT_LANGUAGE="en")
    assert "This projector link is not valid." in response.content.decode()


# --- table chairs: their own table only -----------------------------------------------------


def chair(s: Session, table: Table) -> str:
    return f"/s/{s.code}/chair/{table.chair_key}/"


def test_a_chair_key_opens_its_own_table(a):
    """The control: table 1's link reads, edits and deletes table 1's note."""
    html = Client().get(chair(a, a.t1)).content.decode()
    assert a.note1_text in html and a.seat_initials in html
    url = f"{chair(a, a.t1)}notes/{a.note1.pk}/"
    assert a.note1_text in Client().get(url, **HTMX).content.decode()
    assert a.note1_text in Client().get(f"{url}edit/", **HTMX).content.decode()
    assert Client().post(f"{url}edit/", {"text": "Nieuw"}, **HTMX).status_code == 200
    assert Client().post(f"{url}delete/", **HTMX).status_code == 200
    assert not Note.objects.filter(pk=a.note1.pk).exists()


def test_a_chair_key_sees_nothing_of_another_table(a, b):
    html = Client().get(chair(a, a.t1)).content.decode()
    for secret in [a.note2_text, b.note1_text, b.note2_text, a.observation_text, *b.secrets]:
        assert secret not in html
    assert a.t2.chair_key not in html and a.workshop.projector_key not in html
    assert a.p2.token.hex not in html and str(a.p2.token) not in html


@pytest.mark.parametrize("target", ["other-table", "other-session"])
def test_a_chair_key_cannot_read_edit_or_delete_another_tables_note(target, a, b):
    note = a.note2 if target == "other-table" else b.note1
    text = a.note2_text if target == "other-table" else b.note1_text
    base = f"{chair(a, a.t1)}notes/{note.pk}/"
    before = state()
    secrets = [text, *b.secrets, a.note2_text]
    assert_refused(Client().get(base, **HTMX), secrets=secrets)
    assert_refused(Client().get(f"{base}edit/", **HTMX), secrets=secrets)
    assert_refused(Client().post(f"{base}edit/", {"text": "Overschreven"}, **HTMX), secrets=secrets)
    response = Client().post(f"{base}delete/", **HTMX)
    assert response.status_code == 200 and response.content == b""  # "already gone": no data
    assert state() == before


def test_a_chair_key_cannot_write_about_another_tables_participant(a, b):
    before = state()
    for participant in (a.p2, b.p1):
        response = Client().post(
            f"{chair(a, a.t1)}notes/",
            {
                "client_id": str(uuid.uuid4()),
                "element": a.element.pk,
                "kind": "plus",
                "participant": participant.pk,
                "text": "Over iemand anders",
            },
            **HTMX,
        )
        assert response.status_code == 400
        assert participant.seat_label not in response.content.decode()
    # Nor about an element that is not one of the session's instrument.
    response = Client().post(
        f"{chair(a, a.t1)}notes/",
        {"client_id": str(uuid.uuid4()), "element": "999999", "kind": "agree", "text": "x"},
        **HTMX,
    )
    assert response.status_code == 400
    assert state() == before


def test_a_chair_key_of_one_session_opens_nothing_of_another(a, b):
    """b's chair keys on a's code (and a's keys on b's code) are unknown links: 403."""
    before = state()
    for s, other in ((a, b), (b, a)):
        for table in (other.t1, other.t2):
            base = f"/s/{s.code}/chair/{table.chair_key}/"
            secrets = [x for x in [*s.secrets, *other.secrets] if x != table.chair_key]
            assert_refused(Client().get(base), secrets=secrets)
            for note in (s.note1, s.note2, other.note1):
                assert_refused(Client().get(f"{base}notes/{note.pk}/", **HTMX), secrets=secrets)
                assert_refused(
                    Client().post(f"{base}notes/{note.pk}/edit/", {"text": "x"}, **HTMX),
                    secrets=secrets,
                )
                assert_refused(
                    Client().post(f"{base}notes/{note.pk}/delete/", **HTMX), secrets=secrets
                )
            response = Client().post(
                f"{base}notes/",
                {
                    "client_id": str(uuid.uuid4()),
                    "element": s.element.pk,
                    "kind": "agree",
                    "text": "Binnengedrongen",
                },
                **HTMX,
            )
            assert_refused(response, secrets=secrets)
            response = Client().post(f"{base}seats/", {"initials": "ZZ"})
            assert_refused(response, secrets=secrets)
    assert state() == before


def test_a_chair_key_opens_no_results_or_projector(a):
    """(Nor the organiser's pages: see the matrix above.)"""
    key = a.t1.chair_key
    for url in [f"/s/{a.code}/results.json", f"/s/{a.code}/projector/"]:
        assert_refused(Client().get(url, {"key": key}), secrets=[a.note2_text, a.observation_text])


# --- phones: their own answers only -----------------------------------------------------------


def test_a_phone_sees_only_its_own_answers(a):
    html = a.phone(a.p2).get(f"/s/{a.code}/survey/1/").content.decode()
    assert html.count(" checked") == 1  # p2 answered the third statement only
    own = a.phone(a.p1).get(f"/s/{a.code}/survey/1/").content.decode()
    assert own.count(" checked") == 2
    for page in (html, own):
        for secret in [*a.hidden, str(a.p1.token), str(a.p2.token)]:
            assert secret not in page


def test_after_the_reveal_a_phone_sees_its_own_scores_beside_the_rooms(a):
    workshop_update_state(workshop=a.workshop, phase=Phase.RESULTS, results_revealed=True)
    html = a.phone(a.p2).get(f"/s/{a.code}/results/").content.decode()
    # The numbers a person reads (the chart's drawing has coordinates such as 213.0).
    html = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    # p2's own first element: 2.0; p1's own would be 3.0 (5 and 1); the room's is 2.5.
    assert "2,0" in html or "2.0" in html
    assert "3,0" not in html and "3.0" not in html
    for secret in a.hidden:
        assert secret not in html


def test_a_phone_reads_no_results_feed_or_projector(a):
    phone = a.phone(a.p1)
    for url in [f"/s/{a.code}/results.json", f"/s/{a.code}/projector/"]:
        assert_refused(phone.get(url), secrets=a.secrets)


@pytest.mark.parametrize(
    "path",
    ["survey/1/", "survey/done/", "results/"],
)
def test_a_phone_of_another_session_is_sent_to_join(path, a, b):
    workshop_update_state(workshop=b.workshop, results_revealed=True)
    response = a.phone(a.p1).get(f"/s/{b.code}/{path}")
    assert response.status_code == 302 and response["Location"] == f"/j/{b.code}/"


def test_a_phone_of_another_session_cannot_answer_or_follow(a, b):
    before = state()
    phone = a.phone(a.p1)
    response = phone.post(
        f"/s/{b.code}/answer/", {"statement": b.statements[5].pk, "score": "3"}, **HTMX
    )
    assert response.status_code == 403
    assert "niet aangemeld" in response.content.decode()
    response = phone.get(f"/s/{b.code}/survey/status/", **HTMX)
    assert response["HX-Redirect"] == f"/j/{b.code}/"
    assert state() == before


def test_a_cookie_signed_for_another_sessions_participant_is_no_one_here(a, b):
    """A valid signature is not enough: the participant must belong to the session."""
    name, _ = participant_cookie(a.workshop, "x")
    _, foreign_value = participant_cookie(a.workshop, str(b.p1.token))
    client = Client()
    client.cookies[name] = foreign_value
    before = state()
    response = client.post(
        f"/s/{a.code}/answer/", {"statement": a.statements[5].pk, "score": "4"}, **HTMX
    )
    assert response.status_code == 403
    assert client.get(f"/s/{a.code}/survey/1/")["Location"] == f"/j/{a.code}/"
    assert state() == before


# --- websockets: authorised on connect, Origin checked ----------------------------------------


@database_sync_to_async
def two_sessions() -> tuple[Session, Session, Client]:
    user = get_user_model().objects.create_user("ws-organiser", password="a-long-password-3")
    client = Client()
    client.force_login(user)
    return Session("Alfa", organiser=user), Session("Bravo", organiser=user), client


def cookie_header(**cookies: str) -> tuple[bytes, bytes]:
    return (b"cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()).encode())


async def ws_connect(path: str, *headers: tuple[bytes, bytes], origin=ORIGIN):
    communicator = WebsocketCommunicator(
        application, path, headers=[h for h in (origin, HOST, *headers) if h]
    )
    connected, code = await communicator.connect(timeout=TIMEOUT)
    return communicator, connected, code


@pytest.mark.django_db(transaction=True)
async def test_websocket_matrix():
    a, b, organiser = await two_sessions()
    session_cookie = organiser.cookies["sessionid"].value
    organiser_cookie = cookie_header(sessionid=session_cookie)
    a_phone = participant_cookie(a.workshop, str(a.p1.token))
    b_phone = participant_cookie(b.workshop, str(b.p1.token))
    a_phone_cookie = cookie_header(**{a_phone[0]: a_phone[1]})
    # b's participant, signed, under a's cookie name.
    foreign_signed = cookie_header(
        **{a_phone[0]: participant_cookie(a.workshop, str(b.p1.token))[1]}
    )
    tampered = cookie_header(**{a_phone[0]: a_phone[1][:-2] + "zz"})
    key_a, key_b = a.workshop.projector_key, b.workshop.projector_key

    allowed = [
        (f"/ws/s/{a.code}/live/?key={key_a}", None),
        (f"/ws/s/{a.code.lower()}/live/?key={key_a}", None),
        (f"/ws/s/{a.code}/live/", organiser_cookie),
        (f"/ws/s/{b.code}/live/", organiser_cookie),
        (f"/ws/s/{a.code}/phone/", a_phone_cookie),
        (f"/ws/s/{a.code}/notes/", organiser_cookie),
    ]
    refused = [
        (f"/ws/s/{a.code}/live/", None),
        (f"/ws/s/{a.code}/live/?key=", None),
        (f"/ws/s/{a.code}/live/?key={key_b}", None),
        (f"/ws/s/{b.code}/live/?key={key_a}", None),
        (f"/ws/s/{a.code}/live/?key={a.t1.chair_key}", None),
        (f"/ws/s/{a.code}/live/?key={key_a[:-1]}", None),
        (f"/ws/s/{a.code}/live/?key=%C3%A9", None),
        (f"/ws/s/{a.code}/live/?key={key_a}%00", None),
        (f"/ws/s/NOPE99/live/?key={key_a}", None),
        (f"/ws/s/{a.code}/live/", a_phone_cookie),
        (f"/ws/s/{a.code}/phone/", None),
        (f"/ws/s/{b.code}/phone/", a_phone_cookie),
        (f"/ws/s/{a.code}/phone/", foreign_signed),
        (f"/ws/s/{a.code}/phone/", tampered),
        (f"/ws/s/{a.code}/phone/", cookie_header(**{b_phone[0]: b_phone[1]})),
        (f"/ws/s/{a.code}/phone/?key={key_a}", None),
        (f"/ws/s/{a.code}/notes/", None),
        (f"/ws/s/{a.code}/notes/?key={key_a}", None),
        (f"/ws/s/{a.code}/notes/", a_phone_cookie),
        (f"/ws/s/{a.code}/notes/", cookie_header(sessionid="forged" + session_cookie[6:])),
    ]
    for path, cookie in allowed:
        communicator, connected, _ = await ws_connect(path, cookie)
        assert connected, path
        if "/notes/" not in path:
            first = await communicator.receive_json_from(timeout=TIMEOUT)
            if "/phone/" in path:
                # A phone hears the phase, never the results.
                assert set(first) == {"phase", "revealed"}
            else:
                assert first["city"] in (a.city, b.city)
        await communicator.disconnect()
    for path, cookie in refused:
        communicator, connected, code = await ws_connect(path, cookie)
        assert not connected, path
        assert code == 4403, (path, code)
        assert await communicator.receive_nothing(timeout=0.05)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "origin", [b"http://evil.example", b"null", b"http://127.0.0.1.evil.example", None]
)
async def test_a_foreign_or_missing_origin_is_refused_on_every_route(origin):
    a, _, organiser = await two_sessions()
    organiser_cookie = cookie_header(sessionid=organiser.cookies["sessionid"].value)
    name, value = participant_cookie(a.workshop, str(a.p1.token))
    for path, cookie in [
        (f"/ws/s/{a.code}/live/?key={a.workshop.projector_key}", None),
        (f"/ws/s/{a.code}/live/", organiser_cookie),
        (f"/ws/s/{a.code}/phone/", cookie_header(**{name: value})),
        (f"/ws/s/{a.code}/notes/", organiser_cookie),
    ]:
        header = (b"origin", origin) if origin else None
        communicator, connected, _ = await ws_connect(path, cookie, origin=header)
        assert not connected, (path, origin)
        assert await communicator.receive_nothing(timeout=0.05)


@pytest.mark.django_db(transaction=True)
async def test_a_projector_hears_its_own_session_only():
    """A change in b reaches b's projector; a's projector hears nothing of it."""
    a, b, _ = await two_sessions()
    live_a, connected_a, _ = await ws_connect(
        f"/ws/s/{a.code}/live/?key={a.workshop.projector_key}"
    )
    live_b, connected_b, _ = await ws_connect(
        f"/ws/s/{b.code}/live/?key={b.workshop.projector_key}"
    )
    assert connected_a and connected_b
    assert (await live_a.receive_json_from(timeout=TIMEOUT))["city"] == a.city
    assert (await live_b.receive_json_from(timeout=TIMEOUT))["city"] == b.city
    saved = await sync_to_async(answer_save)(
        participant=b.p2, statement_id=b.statements[10].pk, score=4
    )
    snapshot = await live_b.receive_json_from(timeout=TIMEOUT)
    while snapshot["version"] < saved.version:
        snapshot = await live_b.receive_json_from(timeout=TIMEOUT)
    assert snapshot["city"] == b.city
    assert await live_a.receive_nothing(timeout=0.5)
    await live_a.disconnect()
    await live_b.disconnect()


# --- the Content-Security-Policy ---------------------------------------------------------


EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self' ws: wss:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
}


def parse_csp(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return directives


def test_every_page_carries_the_policy(client, organiser, a):
    pages = [
        (client, "/"),
        (client, f"/j/{a.code}/"),
        (client, f"/s/{a.code}/projector/?key={a.workshop.projector_key}"),
        (client, chair(a, a.t1)),
        (client, "/j/NOPE99/"),
        (organiser, f"/s/{a.code}/organiser/"),
        (organiser, f"/organiser/compare/?code={a.code}"),
        (a.phone(a.p1), f"/s/{a.code}/survey/1/"),
    ]
    for c, url in pages:
        response = c.get(url)
        assert response.status_code in (200, 404), url
        policy = parse_csp(response["Content-Security-Policy"])
        for directive, value in EXPECTED_CSP.items():
            assert policy[directive] == value, (url, directive)
        # No inline script or eval is ever allowed.
        assert "unsafe" not in policy["script-src"]
        assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_the_policy_is_django_csps_own_text_built_once(rf, settings):
    """scentiss.csp writes the text django-csp builds, once per process; a response whose view
    changed the policy, or whose page used a nonce, goes through django-csp itself, and changed
    settings are followed."""
    from csp.constants import NONCE
    from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
    from csp.utils import build_policy
    from django.http import HttpResponse

    from scentiss.csp import CSPMiddleware

    def headers(middleware_class, *, nonce=False, update=None, path="/j/ABC/"):
        middleware = middleware_class(lambda request: HttpResponse("page"))
        request = rf.get(path)
        middleware.process_request(request)
        if nonce:
            str(request.csp_nonce)
        response = HttpResponse("page")
        if update is not None:
            response._csp_update = update
        return middleware.process_response(request, response).headers

    ours = headers(CSPMiddleware)["Content-Security-Policy"]
    assert ours == build_policy() == headers(DjangoCSPMiddleware)["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in headers(CSPMiddleware)
    assert "Content-Security-Policy" not in headers(CSPMiddleware, path="/static/js/live.js")
    update = {"img-src": ["https://tiles.example.org"]}
    changed = headers(CSPMiddleware, update=update)["Content-Security-Policy"]
    assert "https://tiles.example.org" in changed
    assert changed == headers(DjangoCSPMiddleware, update=update)["Content-Security-Policy"]
    policy = {**settings.CONTENT_SECURITY_POLICY}
    policy["DIRECTIVES"] = {**policy["DIRECTIVES"], "script-src": [SELF_SOURCE, NONCE]}
    settings.CONTENT_SECURITY_POLICY = policy
    with_nonce = headers(CSPMiddleware, nonce=True)["Content-Security-Policy"]
    assert "'nonce-" in parse_csp(with_nonce)["script-src"]
    assert parse_csp(headers(CSPMiddleware)["Content-Security-Policy"])["script-src"] == "'self'"
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert headers(CSPMiddleware)["Content-Security-Policy-Report-Only"] == "default-src 'none'"


SELF_SOURCE = "'self'"


def test_no_page_has_an_inline_script_or_style_attribute(client, organiser, a):
    """What the policy would block, caught in the HTML: inline <script> (other than the JSON
    data of json_script), event handler attributes and style attributes."""
    workshop_update_state(workshop=a.workshop, phase=Phase.RESULTS, results_revealed=True)
    pages = [
        client.get(f"/j/{a.code}/"),
        client.get(f"/s/{a.code}/projector/?key={a.workshop.projector_key}"),
        client.get(chair(a, a.t1)),
        organiser.get(f"/s/{a.code}/organiser/"),
        organiser.get(f"/organiser/compare/?code={a.code}"),
        organiser.get(f"/s/{a.code}/tables/cards/"),
        organiser.get(f"/s/{a.code}/observations/"),
        organiser.get("/organiser/"),
        a.phone(a.p1).get(f"/s/{a.code}/results/"),
    ]
    workshop_update_state(workshop=a.workshop, phase=Phase.SURVEY)
    # the Bedankt! page during the survey (in the results phase it goes to the results)
    pages.append(a.phone(a.p2).get(f"/s/{a.code}/survey/done/"))
    pages.append(a.phone(a.p1).get(f"/s/{a.code}/survey/1/"))
    pages.append(
        a.phone(a.p1).post(
            f"/s/{a.code}/answer/", {"statement": a.statements[3].pk, "score": "3"}, **HTMX
        )
    )
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, tag
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html)
        assert not re.search(r"<[^>]+\sstyle\s*=", html)
        assert "javascript:" not in html


# --- in a real browser: htmx and plotly work under the policy ------------------------------


@pytest.mark.browser
def test_htmx_and_plotly_work_under_the_policy_without_violations(server):
    from playwright.sync_api import expect, sync_playwright

    user = get_user_model().objects.create_user("csp-organiser", password="a-long-password-4")
    s = Session("Csp", organiser=user)
    other = Session("Csp2", organiser=user)
    # Plotly reads markup in a trace name; the compare chart's legend must show it as typed.
    markup_city = '<b>Vet</b> & <a href="javascript:alert(1)">Co</a>'
    Workshop.objects.filter(pk=other.workshop.pk).update(city=markup_city)
    workshop = s.workshop
    base = server.url
    violations: list[str] = []
    errors: list[str] = []

    def watch(page) -> None:
        def on_console(message) -> None:
            if "Content Security Policy" in message.text:
                violations.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="nl-NL")
        page = context.new_page()
        page.set_default_timeout(15_000)
        watch(page)

        # The phone: join, tap an answer (htmx), see it saved and the progress bar move.
        page.goto(f"{base}/j/{workshop.code}/")
        page.locator("input[name=consent]").check()
        page.locator("button.primary.big").click()
        page.wait_for_url(f"**/s/{workshop.code}/survey/1/")
        statement = page.locator("form.statement").first
        statement.locator("label.opt", has=page.locator('input[value="4"]')).click()
        expect(statement.locator(".status")).to_contain_text("Opgeslagen")
        expect(page.locator("#progress p")).to_contain_text("1 van 46")
        expect(page.locator("#progress rect")).to_have_attribute("width", "2")
        stored = off_the_loop(lambda: Answer.objects.filter(participant__workshop=workshop).count())
        assert stored == 4  # the three of the fixture and the tap

        # The projector: the spider chart renders (plotly) and follows live.
        projector = context.new_page()
        projector.set_default_timeout(15_000)
        watch(projector)
        projector.goto(f"{base}/s/{workshop.code}/projector/?key={workshop.projector_key}")
        off_the_loop(workshop_update_state, workshop=workshop, projector_mode="chart")
        expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")
        expect(projector.locator("#chart .main-svg").first).to_be_visible()
        saved = off_the_loop(
            answer_save, participant=s.p2, statement_id=s.statements[20].pk, score=3
        )
        projector.wait_for_function(
            "v => Number(document.getElementById('chart').dataset.version) >= v", arg=saved.version
        )
        # One element in depth: a polar chart and stacked bars.
        off_the_loop(
            workshop_update_state, workshop=workshop, projector_mode="element", projector_element=2
        )
        expect(projector.locator("#element-bars .main-svg").first).to_be_visible()
        expect(projector.locator("#element-polar .main-svg").first).to_be_visible()
        expect(projector.locator("#element-bars .bars path").first).to_be_attached()

        # The organiser: log in, the session page goes live, the comparison chart renders.
        log_in(
            page,
            f"{base}/accounts/login/",
            "csp-organiser",
            "a-long-password-4",
            lands_on="**/organiser/",
        )
        page.goto(f"{base}/s/{workshop.code}/organiser/")
        expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
        expect(page.locator("#note-counts table")).to_be_visible()  # htmx load
        page.goto(f"{base}/organiser/compare/?code={workshop.code}&code={other.code}")
        expect(page.locator("#compare-chart .main-svg").first).to_be_visible()
        # The legend is the page's own list under the chart: the typed markup shows as text.
        legend = page.locator(".compare-legend li")
        expect(legend.filter(has_text="Vet")).to_contain_text(markup_city)
        expect(page.locator("#compare-chart a, .compare-legend a")).to_have_count(0)

        # The chair's tablet and the phone's results page (SVG bars, no style attributes).
        page.goto(f"{base}/s/{workshop.code}/chair/{s.t1.chair_key}/")
        expect(page.locator("li.note").first).to_be_visible()
        off_the_loop(
            workshop_update_state, workshop=workshop, phase=Phase.RESULTS, results_revealed=True
        )
        phone = context.new_page()
        watch(phone)
        name, value = participant_cookie(workshop, str(s.p1.token))
        context.add_cookies([{"name": name, "value": value, "url": base}])
        phone.goto(f"{base}/s/{workshop.code}/results/")
        # The phone's own scores over the room's: a spider chart drawn as SVG on the server.
        expect(phone.locator("figure.spider svg")).to_be_visible()
        expect(phone.locator("figure.spider polygon.series.first")).to_have_count(1)
        expect(phone.locator("table.spider-numbers")).to_be_visible()

        assert violations == [], "\n".join(violations)
        assert errors == [], errors

        # The control: the listener does catch a violation, and the policy does block.
        with phone.expect_console_message(lambda m: "Content Security Policy" in m.text):
            phone.evaluate(
                "() => { const s = document.createElement('script');"
                " s.textContent = 'window.injected = 1'; document.body.appendChild(s); }"
            )
        assert phone.evaluate("() => window.injected") is None
        assert any("script-src" in v for v in violations), violations
        browser.close()
