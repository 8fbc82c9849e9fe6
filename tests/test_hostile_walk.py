"""Every URL the app has, as every role, with hostile values, so that the next 500
is found by a test, not a user.

The URL patterns come from the resolver (a new view is walked without editing this file), the
field names from every form class of the apps plus the names views read from request.GET and
request.POST directly. Each request is made as one of six roles: anonymous, a phone of
session A, session A's table chair (the key in the URL), the projector key, session A's
organiser and another organiser. Asserted for every request: never a 5xx, and a refusal (4xx)
changes no stored row. Afterwards every export of both sessions still opens with openpyxl
and python-docx.

A fixed sweep (every pattern x role x method once, with a fixed hostile payload) pins the
coverage; hypothesis adds random combinations (fixed seed and example count: the same
examples in CI as on a laptop).
"""

import functools
import hashlib
import io
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import cycle

import openpyxl
import pytest
from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from docx import Document
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from accounts.models import Membership, Role
from accounts.services import team_get_or_create
from notes.models import Note, Observation
from profiles.models import Profile, ProfilePoint, Programme, Recommendation, Theme
from sessions.models import Phase, Workshop
from sessions.services import participant_join
from survey.models import Answer, Element, Statement
from tests.conftest import participant_cookie, property_examples
from tests.test_hostile_text import open_research_files

# Odd digits and numbers no column holds.
ODD_NUMBERS = [
    "\u00b2",
    "\uff17",
    "\u0667",
    "+7",
    "1_0",
    "-1",
    "0",
    " 7",
    "7.0",
    "1e3",
    "99999999999999999999",
    str(2**63),
    str(2**31),
    "32768",
]
# Text no export can hold, text that hides, text that runs, text that is long.
HOSTILE_TEXT = [
    "",
    " ",
    "a\x00b",
    "ctrl \x0b\x1b\x08",
    "x\ufffe",
    "x\uffff",
    "\u200b\u200b\u200b",
    "\u202eRTL\u202c \u05e9\u05dc\u05d5\u05dd",
    '=HYPERLINK("http://evil.example","x")',
    "<script>alert(1)</script>",
    "AB\x00C",
    "x" * 5000,
    "y" * 70_000,
]
# Names views read besides their forms' fields.
EXTRA_FIELDS = [
    "statement",
    "score",
    "code",
    "codes",
    "key",
    "next",
    "e",
    "page",
    "element",
    "session",
    "notes",
    "themes-1",
    "confirm",
    "confirm_code",
    "archived",
    "projector",
    "workshop",
    "language",
    "username",
    "password",
    "team",
    "shared",
]
ROLES = ["anonymous", "phone", "chair", "projector", "organiser", "other_organiser"]
# Django's own admin is not the app's code; logout would end the organiser's role mid-walk.
SKIPPED_PREFIXES = ("admin/", "accounts/logout/")
STATEFUL_TABLES = ("workshops", "survey", "notes", "profiles", "accounts")


def form_field_names() -> list[str]:
    """Every field name of every form class in the app's modules."""
    import accounts.forms
    import notes.forms
    import profiles.forms
    import sessions.forms

    names: set[str] = set()
    for module in (sessions.forms, notes.forms, profiles.forms, accounts.forms):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm):
                names |= set(value.base_fields)
    return sorted(names | set(EXTRA_FIELDS))


def url_patterns() -> list[str]:
    """Every route of the app, as "prefix/<conv:name>/..." strings, from the resolver."""

    def walk(patterns, prefix: str) -> Iterator[str]:
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                yield prefix + route

    routes = sorted(set(walk(get_resolver().url_patterns, "")))
    return [r for r in routes if not r.startswith(SKIPPED_PREFIXES) and "^" not in r]


@dataclass
class World:
    a: Workshop
    b: Workshop
    ids: dict[str, list[str]]  # URL parameter name -> real values for it
    clients: dict[str, Client]
    projector_key: str
    programme: Programme


def fill(route: str, world: World, choose) -> str:
    """A concrete path for `route`: each <conv:name> replaced by `choose(name, real values)`."""

    def value(match: re.Match) -> str:
        name = match.group(2)
        return choose(name, world.ids.get(name, ["1"]))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


@functools.cache
def _stateful_tables() -> list[str]:
    """The tables requests write: every table of the app's apps but the instrument's."""
    return sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in STATEFUL_TABLES
        and model.__name__ not in ("Instrument", "Element", "Statement")
    )


def fingerprint() -> str:
    """A digest of every row the app stores (one query on PostgreSQL): a refusal must leave
    it as it was."""
    tables = _stateful_tables()
    if connection.vendor == "postgresql":
        parts = " || ".join(
            f"(SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "  # noqa: S608
            f'FROM "{table}" t)'
            for table in tables
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT md5({parts})")
            return cursor.fetchone()[0]
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            digest.update(repr(sorted(map(repr, cursor.fetchall()))).encode())
    return digest.hexdigest()


class StoredRows:
    """The app's stored rows around one request (stored_rows): `unchanged()` says whether the
    request left them as they were, as fingerprint() before and after it would.

    On PostgreSQL, inside the test's transaction, the two fingerprints (a digest of every
    row, 1-3 ms of the database's CPU each) are made only for a request that wrote: the
    transaction's own counts of rows inserted, updated and deleted in the app's tables
    (pg_stat_get_xact_tuples_*, which count rolled-back writes too) say whether it did. Then
    the request ran in a savepoint: the rows after it are compared with those after rolling
    it back, which are the rows before it. Elsewhere, fingerprint() before and after."""

    def __init__(self) -> None:
        self.counted = connection.vendor == "postgresql" and connection.in_atomic_block
        if self.counted:
            self.writes = _row_writes()
            self.savepoint = transaction.savepoint()
        else:
            self.before = fingerprint()

    def unchanged(self) -> bool:
        if not self.counted:
            return fingerprint() == self.before
        if _row_writes() == self.writes:
            return True
        after = fingerprint()
        transaction.savepoint_rollback(self.savepoint)
        self.savepoint = None
        return fingerprint() == after

    def release(self) -> None:
        if self.counted and self.savepoint is not None:
            transaction.savepoint_commit(self.savepoint)


@contextmanager
def stored_rows() -> Iterator[StoredRows]:
    """Watch the stored rows around the request made in the block (StoredRows)."""
    rows = StoredRows()
    yield rows
    rows.release()


@functools.cache
def _stateful_table_oids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT oid FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'",
            [_stateful_tables()],
        )
        return [row[0] for row in cursor.fetchall()]


def _row_writes() -> int:
    """Rows the current transaction inserted, updated or deleted in the app's tables so far,
    rolled back or not."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(pg_stat_get_xact_tuples_inserted(o) + pg_stat_get_xact_tuples_updated(o)"
            " + pg_stat_get_xact_tuples_deleted(o)) FROM unnest(%s::oid[]) o",
            [_stateful_table_oids()],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def world(db, make_workshop) -> Iterator[World]:
    users = get_user_model().objects
    owner = users.create_user("walk-owner", password="a-long-password-1")
    other = users.create_user("walk-other", password="a-long-password-2")
    # The owner manages a team (the people page and its forms are walked as a manager); the
    # other organiser is in another team, so the walk cannot deactivate or reset them. B's
    # session is shared read-only with the owner's team (the owner exports both; the share
    # form is walked).
    walk, elsewhere = team_get_or_create(name="Walk"), team_get_or_create(name="Elsewhere")
    Membership.objects.create(user=owner, team=walk, role=Role.MANAGER)
    Membership.objects.create(user=other, team=elsewhere)
    a = make_workshop(city="Zwolle", created_by=owner, team=walk)
    b = make_workshop(city="Deventer", created_by=other, phase=Phase.JOIN, team=elsewhere)
    b.shared_with.add(walk)
    table = a.tables.get(number=1)
    participant = participant_join(workshop=a, table=table, role="finance")
    element = Element.objects.filter(instrument=a.instrument).order_by("order").first()
    statement = Statement.objects.filter(element=element).order_by("order").first()
    Answer.objects.create(participant=participant, statement=statement, score=4)
    note = Note.objects.create(
        workshop=a,
        table=table,
        participant=participant,
        element=element,
        kind="plus",
        text="Sterk netwerk",
        is_quote=True,
        client_id=uuid.uuid4(),
        author="T1",
    )
    observation = Observation.objects.create(workshop=a, kind="theme", text="Thema")
    profile = Profile.objects.create(workshop=a)
    point = ProfilePoint.objects.create(
        profile=profile, element=element, section="strength", text="Punt"
    )
    point.sources.set([note])
    programme = Programme.objects.create(name="Programma", team=walk)
    programme.workshops.set([a, b])
    theme = Theme.objects.create(programme=programme, name="Thema", order=0)
    recommendation = Recommendation.objects.create(
        programme=programme, audience="financiers", text="Advies", order=0
    )

    phone = Client()
    name, value = participant_cookie(a, str(participant.token))
    phone.cookies[name] = value
    organiser, other_organiser = Client(), Client()
    organiser.force_login(owner)
    other_organiser.force_login(other)
    clients = {
        "anonymous": Client(),
        "phone": phone,
        "chair": Client(),
        "projector": Client(),
        "organiser": organiser,
        "other_organiser": other_organiser,
    }
    ids = {
        "code": [a.code, b.code],
        "key": [table.chair_key],
        "number": ["1", "2"],
        "note_id": [str(note.pk)],
        "pk": [str(programme.pk), str(point.pk), str(observation.pk)],
        "theme_pk": [str(theme.pk)],
        "rec_pk": [str(recommendation.pk)],
    }
    world = World(
        a=a,
        b=b,
        ids=ids,
        clients=clients,
        projector_key=a.projector_key,
        programme=programme,
    )
    yield world
    assert_exports_open(world)  # after every walk, whatever it stored


def request(
    world: World, role: str, method: str, path: str, data: dict, *, lang: str, htmx: bool = True
):
    """One request; fails the test on a 5xx or on a refusal that changed a stored row."""
    client = world.clients[role]
    if role == "projector":
        path += ("&" if "?" in path else "?") + f"key={world.projector_key}"
    call = client.get if method == "get" else client.post
    headers = {"HTTP_ACCEPT_LANGUAGE": lang, **({"HTTP_HX_REQUEST": "true"} if htmx else {})}
    context = f"{method.upper()} {path[:200]!r} as {role} with {_short(data)}"
    with stored_rows() as rows:
        try:
            response = call(path, data, **headers)
        except Exception as error:  # a view's exception is a 500 for the user
            raise AssertionError(context) from error
        assert response.status_code < 500, context
        if response.status_code >= 400:
            assert rows.unchanged(), f"a refusal changed stored rows: {context}"
    return response


def _short(data: dict) -> str:
    return repr({k: (v[:40] if isinstance(v, str) else v) for k, v in data.items()})


def assert_exports_open(world: World) -> None:
    organiser = world.clients["organiser"]
    for workshop in (world.a, world.b):
        if not Workshop.objects.filter(pk=workshop.pk).exists():
            continue  # the walk may delete a session (its confirm form is walked too)
        for url in (f"/s/{workshop.code}/export.xlsx",):
            response = organiser.get(url)
            assert response.status_code == 200, url
            openpyxl.load_workbook(io.BytesIO(response.content))
        csv = organiser.get(f"/s/{workshop.code}/answers.csv")
        assert csv.status_code == 200
        csv.content.decode("utf-8-sig")
        open_research_files(organiser, workshop)
        docx = organiser.get(f"/s/{workshop.code}/profile.docx")
        assert docx.status_code == 200
        Document(io.BytesIO(docx.content))
    codes = ",".join(w.code for w in Workshop.objects.all())
    if codes:
        compared = organiser.get(f"/organiser/compare.xlsx?codes={codes}")
        assert compared.status_code == 200
        openpyxl.load_workbook(io.BytesIO(compared.content))
    for programme in Programme.objects.all():
        report = organiser.get(f"/organiser/programmes/{programme.pk}/report.docx")
        assert report.status_code == 200
        Document(io.BytesIO(report.content))


def test_the_resolver_walk_covers_the_app():
    routes = url_patterns()
    assert len(routes) >= 40
    for expected in ("j/<str:code>/", "s/<str:code>/answer/", "organiser/compare.xlsx"):
        assert expected in routes
    assert {"text", "sources", "participant_cap", "initials", "city"} <= set(form_field_names())


@pytest.mark.walk
def test_every_route_as_every_role_with_hostile_values(world):
    """The fixed sweep: each route, role and method once, with every form field hostile."""
    fields = form_field_names()
    odd, text = cycle(ODD_NUMBERS), cycle(HOSTILE_TEXT)
    langs = cycle(["nl", "en"])
    for route in url_patterns():
        for role in ROLES:
            for method in ("get", "post"):
                path = fill(route, world, lambda _name, real: real[0])
                data = {f: (next(odd) if i % 2 else next(text)) for i, f in enumerate(fields)}
                if method == "get":
                    data = {k: v for k, v in data.items() if len(v) < 2000}  # a URL's length
                htmx = ROLES.index(role) % 2 == 0
                request(world, role, method, path, data, lang=next(langs), htmx=htmx)
        # The same route with odd digits and hostile text in its URL parameters.
        for bad in ("\u00b2", "99999999999999999999", "AB%00C"):
            path = fill(route, world, lambda _name, _real, bad=bad: bad)
            request(world, "organiser", "get", path, {}, lang="en")


# --- hypothesis: random combinations ------------------------------------------------------

ROUTES = url_patterns()
FIELDS = form_field_names()
scalar = st.one_of(
    st.sampled_from(ODD_NUMBERS),
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=40),  # any code point but surrogates, which HTTP cannot carry
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["1", "2", "3", "5", "dk", "up", "down", "plus", "agree", "on", "nl"]),
)
value = st.one_of(scalar, st.lists(scalar, max_size=3))  # a list: a field sent repeatedly
payload = st.dictionaries(st.sampled_from(FIELDS), value, max_size=6)


@pytest.mark.walk
@seed(20261127)
@settings(
    max_examples=property_examples(200),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(ROUTES),
    role=st.sampled_from(ROLES),
    method=st.sampled_from(["get", "post"]),
    data=payload,
    real=st.booleans(),
    lang=st.sampled_from(["nl", "en"]),
    htmx=st.booleans(),
)
def test_any_request_as_any_role_is_never_a_500(world, route, role, method, data, real, lang, htmx):
    bad = iter(cycle(ODD_NUMBERS))
    path = fill(route, world, lambda _name, values: values[0] if real else next(bad))
    if method == "get":
        data = {k: v for k, v in data.items() if len(str(v)) < 2000}
    request(world, role, method, path, data, lang=lang, htmx=htmx)


# --- every websocket route ------------------------------------------------------------------

WS_VALUES = ["\u00b2", "99999999999999999999", "AB%00C", "%EF%BF%BF", "x" * 300, "\u202e"]
WS_MESSAGES = ["{not json", "\u200b", "x\uffff", '{"type": "websocket.disconnect"}', "9" * 40]


@pytest.mark.django_db(transaction=True)
async def test_every_websocket_route_as_every_role_with_hostile_values():
    """Each websocket route (from live.routing) as anonymous, phone, projector key and
    organiser, with the real code and hostile ones, hostile keys, and hostile messages once
    connected: the server never fails (a refusal closes the socket; a feed ignores input)."""
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator

    from live.routing import websocket_urlpatterns
    from scentiss.asgi import application

    @sync_to_async
    def setup():
        from sessions.services import workshop_create
        from tests.conftest import ensure_instrument

        workshop = workshop_create(
            city="Zwolle", date="2026-11-26", tables=2, instrument=ensure_instrument()
        )
        participant = participant_join(workshop=workshop, table=None, role="")
        organiser = Client()
        organiser.force_login(
            get_user_model().objects.create_user("ws-walk", password="a-long-password-3")
        )
        return (
            workshop,
            participant_cookie(workshop, str(participant.token)),
            organiser.cookies["sessionid"].value,
        )

    workshop, (phone_name, phone_value), session_id = await setup()
    origin = (b"origin", b"http://127.0.0.1")
    roles = {
        "anonymous": [origin],
        "phone": [origin, (b"cookie", f"{phone_name}={phone_value}".encode())],
        "projector": [origin],
        "organiser": [origin, (b"cookie", f"sessionid={session_id}".encode())],
    }
    routes = [str(p.pattern) for p in websocket_urlpatterns]
    assert len(routes) >= 3
    for route in routes:
        for code in [workshop.code, *WS_VALUES]:
            for role, headers in roles.items():
                query = f"?key={workshop.projector_key}" if role == "projector" else "?key=\u00b2"
                path = "/" + route.replace("<str:code>", code) + query
                communicator = WebsocketCommunicator(application, path, headers=headers)
                connected, _ = await communicator.connect(timeout=5)
                if connected:
                    while not await communicator.receive_nothing(timeout=0.1):
                        await communicator.receive_output()  # the feed's first state
                    for message in WS_MESSAGES:
                        await communicator.send_to(text_data=message)
                    # Still alive: a feed answers nothing to input, the socket stays open.
                    assert await communicator.receive_nothing(timeout=0.05)
                await communicator.disconnect(timeout=2)
