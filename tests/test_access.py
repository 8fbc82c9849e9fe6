"""Who may see what: every organiser route and websocket as every role, with two teams.

Team A runs a session (with answers, notes, an observation, a profile, an exclusion, a paper
form) and a programme; team B runs its own. Team C has A's session shared with it read-only.
The routes come from the URL resolver, as in tests/test_hostile_walk.py: every route an
anonymous visitor cannot open must say here which right it needs (NEEDS), so a new view fails
`test_every_organiser_route_says_which_right_it_needs` until it is given one, and is then
walked as every role by `test_every_organiser_route_as_every_role`.
"""

import datetime
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.access import Permission
from accounts.models import Membership, Role, Team
from accounts.services import team_get_or_create
from notes.models import Note, Observation
from profiles.models import Profile, ProfilePoint, Programme, Recommendation, Theme
from sessions.models import Phase, Source, Workshop
from sessions.services import participant_join, participants_exclude
from survey.models import Answer, Element, Statement
from tests.test_hostile_walk import fingerprint, stored_rows

R, E, A, X = Permission.READ, Permission.EXPORT, Permission.ANALYSE, Permission.RUN
# The right each organiser route needs, by URL name; a (GET, POST) pair where the two differ.
# None: a page of no one session or programme (the lists), which shows only the user's own.
NEEDS: dict[str, Permission | tuple[Permission, Permission] | None] = {
    # console
    "organiser-home": None,
    "organiser-create": None,
    "organiser-compare": None,
    "organiser-session": R,
    "organiser-dashboard": R,
    "organiser-controls": X,
    "projector": R,
    "organiser-state": X,
    "organiser-edit": X,
    "organiser-duplicate": X,
    "organiser-archive": X,
    "organiser-exclude": X,
    "organiser-exclusion-undo": X,
    "organiser-share": X,
    "organiser-delete": X,
    "organiser-round": X,
    "organiser-rehearsal": X,
    "organiser-rehearsal-clear": X,
    "organiser-nudge": X,
    "organiser-table-tents": R,
    "organiser-consent": X,
    "organiser-anonymise": X,
    # the results feed
    "results-json": R,
    # exports and the import
    "export-xlsx": E,
    "export-csv": E,
    "export-wide-csv": E,
    "export-excel-long": E,
    "export-excel-wide": E,
    "export-codebook": E,
    "export-long-sav": E,
    "export-wide-sav": E,
    "export-compare": None,
    "export-long-dta": E,
    "export-wide-dta": E,
    "export-dictionary": E,
    "export-session-json": E,
    "export-breakdowns": E,
    "breakdowns": E,
    # several sessions' files: the codes in the query, each checked like the comparison's
    "export-programme-answers-csv": None,
    "export-programme-answers-sav": None,
    "export-programme-answers-dta": None,
    "export-programme-codebook-csv": None,
    "export-programme-elements-csv": None,
    "import-answers": X,
    # paper forms typed in by the organiser
    "paper-new": X,
    "paper-edit": X,
    # notes' organiser views
    "chair-key-rotate": X,
    "organiser-seat": X,
    "table-cards": X,
    "note-counts": R,
    "observations": (R, A),
    "observation-delete": A,
    # the city profile
    "profile": R,
    "profile-docx": E,
    "profile-edit": A,
    "profile-element": A,
    "profile-point-create": A,
    "profile-point-edit": A,
    "profile-point-move": A,
    "profile-point-delete": A,
    # programmes (of a team; never shared)
    "programmes": None,
    "programme-create": None,
    "programme": R,
    "programme-report": R,
    "programme-docx": E,
    "publication": E,
    "publication-page": R,
    "programme-edit": A,
    "programme-texts": A,
    "programme-fill": A,
    "programme-tag": A,
    "programme-theme-create": A,
    "programme-theme-edit": A,
    "programme-theme-delete": A,
    "programme-recommendation-create": A,
    "programme-recommendation-edit": A,
    "programme-recommendation-move": A,
    "programme-recommendation-delete": A,
    "programme-delete": X,
    # people (the manager's page: accounts' own rules, tests/test_accounts.py)
    "people": None,
    "people-invite": None,
    "people-reset": None,
    "people-active": None,
    "team-consent": None,
    "team-retention": None,
    "audit": None,
}
# Routes opened by a key or a cookie in the link, not by a login: a chair's, a phone's, the
# one-time password link's. The organiser's login adds nothing to them.
KEY_PARAMS = ("<str:key>", "<str:token>")
PHONE_ROUTES = {"answer"}  # the phone's signed cookie
PROGRAMME_ROUTES = "organiser/programmes/<int:pk>/"
SKIPPED = ("admin/", "accounts/")

# Each role and the rights it has on team A's session (None: it must not learn it exists)
# and on team A's programme.
ALL = frozenset(Permission)
ROLE_RIGHTS = {
    "a_manager": (ALL, ALL),
    "a_organiser": (ALL, ALL),
    "a_researcher": (frozenset({R, E, A}), frozenset({R, E, A})),
    "c_reader": (frozenset({R, E}), None),  # team C: A's session is shared with it
    "b_organiser": (None, None),
    "superuser": (ALL, ALL),
}


def organiser_routes() -> list[tuple[str, str]]:
    """(route, name) of every route of the app, from the resolver."""

    def walk(patterns, prefix: str) -> Iterator[tuple[str, str]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.name or ""

    return sorted(
        (route, name)
        for route, name in set(walk(get_resolver().url_patterns, ""))
        if not route.startswith(SKIPPED) and "^" not in route
    )


@dataclass
class Teams:
    a: Workshop
    b: Workshop
    programme: Programme
    b_programme: Programme
    ids: dict[str, dict[str, str]]  # URL name -> parameter -> value (team A's things)
    clients: dict[str, Client]
    users: dict[str, object]


def member(username: str, team: Team, role: str):
    user = get_user_model().objects.create_user(username, password="a-long-password-9")
    Membership.objects.create(user=user, team=team, role=role)
    return user


@pytest.fixture
def teams(db, make_workshop) -> Teams:
    team_a = team_get_or_create(name="Team A")
    team_b = team_get_or_create(name="Team B")
    team_c = team_get_or_create(name="Team C")
    users = {
        "a_manager": member("a.manager", team_a, Role.MANAGER),
        "a_organiser": member("a.organiser", team_a, Role.ORGANISER),
        "a_researcher": member("a.researcher", team_a, Role.RESEARCHER),
        "c_reader": member("c.organiser", team_c, Role.ORGANISER),
        "b_organiser": member("b.organiser", team_b, Role.ORGANISER),
        "superuser": get_user_model().objects.create_superuser(
            "root", password="a-long-password-8"
        ),
    }
    a = make_workshop(city="Amersfoort", team=team_a, created_by=users["a_organiser"])
    a.shared_with.add(team_c)
    b = make_workshop(city="Bergen", team=team_b, created_by=users["b_organiser"])
    table = a.tables.get(number=1)
    phone = participant_join(workshop=a, table=table, role="finance")
    paper = participant_join(workshop=a, table=table, role="", source=Source.PAPER)
    element = Element.objects.filter(instrument=a.instrument).order_by("order").first()
    statement = Statement.objects.filter(element=element).order_by("order").first()
    Answer.objects.create(participant=phone, statement=statement, score=4)
    note = Note.objects.create(
        workshop=a,
        table=table,
        participant=phone,
        element=element,
        kind="plus",
        text="Sterk netwerk",
        client_id=uuid.uuid4(),
        author="T1",
    )
    observation = Observation.objects.create(workshop=a, kind="theme", text="Thema")
    point = ProfilePoint.objects.create(
        profile=Profile.objects.create(workshop=a),
        element=element,
        section="strength",
        text="Punt",
    )
    point.sources.set([note])
    late = participant_join(workshop=a, table=None, role="")
    exclusion = participants_exclude(
        workshop=a,
        joined_from=late.joined_at,
        joined_to=late.joined_at + datetime.timedelta(seconds=1),
        by=users["a_organiser"],
    )
    programme = Programme.objects.create(name="Programma A", team=team_a)
    programme.workshops.set([a])
    theme = Theme.objects.create(programme=programme, name="Thema", order=0)
    recommendation = Recommendation.objects.create(
        programme=programme, audience="financiers", text="Advies", order=0
    )
    b_programme = Programme.objects.create(name="Programma B", team=team_b)
    b_programme.workshops.set([b])
    ids = {
        "": {"code": a.code, "number": "1", "pk": str(programme.pk)},
        "organiser-exclusion-undo": {"exclusion_id": str(exclusion.pk)},
        "paper-edit": {"participant_id": str(paper.pk)},
        "observation-delete": {"pk": str(observation.pk)},
        "profile-point-edit": {"pk": str(point.pk)},
        "profile-point-move": {"pk": str(point.pk)},
        "profile-point-delete": {"pk": str(point.pk)},
        "programme-theme-edit": {"theme_pk": str(theme.pk)},
        "programme-theme-delete": {"theme_pk": str(theme.pk)},
        "programme-recommendation-edit": {"rec_pk": str(recommendation.pk)},
        "programme-recommendation-move": {"rec_pk": str(recommendation.pk)},
        "programme-recommendation-delete": {"rec_pk": str(recommendation.pk)},
    }
    clients = {"anonymous": Client(HTTP_ACCEPT_LANGUAGE="en")}
    for role, user in users.items():
        clients[role] = Client(HTTP_ACCEPT_LANGUAGE="en")
        clients[role].force_login(user)
    return Teams(a, b, programme, b_programme, ids, clients, users)


def fill(route: str, name: str, teams: Teams) -> str:
    values = {**teams.ids[""], **teams.ids.get(name, {})}
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), route)


def call(client: Client, method: str, path: str):
    return (client.get if method == "get" else client.post)(path, {})


def test_every_organiser_route_says_which_right_it_needs(teams):
    """A route anonymous cannot open is an organiser's: it must be in NEEDS (a new view is
    refused here until it says which right it needs, and is then walked below)."""
    anonymous = teams.clients["anonymous"]
    unknown = []
    for route, name in organiser_routes():
        if any(param in route for param in KEY_PARAMS) or name in PHONE_ROUTES:
            continue
        path = fill(route, name, teams)
        response = anonymous.get(path)
        if response.status_code == 405:
            response = anonymous.post(path)
        login = response.status_code == 302 and "/accounts/login/" in response["Location"]
        if (login or response.status_code == 403) and name not in NEEDS:
            unknown.append(route)
    assert not unknown, f"say which right these need (NEEDS): {unknown}"
    assert len(NEEDS) >= 60


def _expected_refusal(role: str, route: str, need) -> int | None:
    """The status the role must get (404 or 403), or None if it may."""
    session_rights, programme_rights = ROLE_RIGHTS[role]
    rights = programme_rights if route.startswith(PROGRAMME_ROUTES) else session_rights
    if rights is None:
        return 404
    return None if need in rights else 403


# Destructive routes last, so that a role that may delete still finds the rest in place.
def _walk_order(item: tuple[str, str]) -> tuple[bool, str]:
    return ("delete" in item[1] or "delete" in item[0], item[0])


@pytest.mark.walk
@pytest.mark.parametrize("role", list(ROLE_RIGHTS))
def test_every_organiser_route_as_every_role(teams, role):
    """Every route of team A's session and programme, GET and POST: team B's organiser gets
    a 404 everywhere (as for a code that does not exist); a role that sees the session but
    may not do this gets a 403 page that says why, and nothing changes; the others are let
    in."""
    client = teams.clients[role]
    walked = 0
    routes = [(r, n) for r, n in organiser_routes() if NEEDS.get(n) is not None]
    for route, name in sorted(routes, key=_walk_order):
        path = fill(route, name, teams)
        if name == "projector":
            path += "?key=wrong"
        for index, method in enumerate(("get", "post")):
            need = NEEDS[name]
            if isinstance(need, tuple):
                need = need[index]
            with stored_rows() as rows:
                response = call(client, method, path)
                if response.status_code == 405:
                    continue
                walked += 1
                expected = _expected_refusal(role, route, need)
                context = f"{method.upper()} {path} as {role} (needs {need})"
                if expected is None:
                    assert response.status_code not in (403, 404), context
                    assert response.status_code < 500, context
                    continue
                if name == "projector" and expected == 404:
                    expected = 403  # the projector's page answers a wrong key as anonymous's
                if name == "results-json" and expected == 404:
                    expected = 403  # the feed answers like a wrong projector key
                assert response.status_code == expected, context
                assert rows.unchanged(), f"a refusal changed stored rows: {context}"
            body = response.content.decode(errors="replace")
            if expected == 404:
                assert teams.a.city not in body and teams.programme.name not in body, context
            html = response.get("Content-Type", "").startswith("text/html")
            if expected == 403 and html and name != "projector":
                assert "not allow" in body or "to read" in body, context
    assert walked >= 60


def test_team_bs_organiser_finds_nothing_of_team_a_in_lists_pickers_and_exports(teams):
    b = teams.clients["b_organiser"]
    a = teams.a
    pages = [
        "/organiser/",
        "/organiser/?archived=1",
        f"/organiser/compare/?code={a.code}&code={teams.b.code}",
        "/organiser/programmes/",
        f"/organiser/programmes/?workshop={a.pk}",
        f"/organiser/programmes/{teams.b_programme.pk}/edit/",
    ]
    for page in pages:
        response = b.get(page)
        assert response.status_code == 200, page
        # The address itself (the language switch's "next") echoes what was typed in.
        body = response.content.decode().replace(page.replace("&", "&amp;"), "")
        assert a.city not in body and a.code not in body, page
        assert teams.programme.name not in body, page
        assert teams.b.city in body, page  # their own is there
    # The codes typed in: A's is as unknown as a code of no session.
    assert b.get(f"/organiser/compare.xlsx?codes={a.code},{teams.b.code}").status_code == 404
    assert b.get(f"/organiser/compare.xlsx?codes={teams.b.code}").status_code == 200
    for name in ("answers.csv", "answers.sav", "answers.dta", "elements.csv", "codebook.csv"):
        # The programme-wide files: the same rule as the comparison's.
        mixed = b.get(f"/organiser/sessions/{name}?codes={a.code},{teams.b.code}")
        assert mixed.status_code == 404, name
        assert a.city.encode() not in mixed.content, name
        assert b.get(f"/organiser/sessions/{name}?codes={teams.b.code}").status_code == 200, name
    # A programme of B's cannot be given A's session by its id.
    before = fingerprint()
    b.post(
        f"/organiser/programmes/{teams.b_programme.pk}/edit/",
        {"name": "Programma B", "workshops": [str(a.pk), str(teams.b.pk)]},
    )
    b.post("/organiser/programmes/new/", {"name": "Stiekem", "workshops": [str(a.pk)]})
    assert fingerprint() == before
    assert not Programme.objects.filter(name="Stiekem").exists()
    assert list(teams.b_programme.workshops.all()) == [teams.b]


def test_a_researcher_cannot_change_a_phase_or_delete_and_is_told_why_in_dutch(teams):
    researcher = teams.clients["a_researcher"]
    a = teams.a
    response = researcher.post(
        f"/s/{a.code}/state/", {"phase": Phase.RESULTS}, HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert response.status_code == 403
    assert "Uw rol in het team van deze sessie staat dit niet toe" in response.content.decode()
    response = researcher.post(f"/s/{a.code}/delete/", {"confirm_code": a.code})
    assert response.status_code == 403
    a.refresh_from_db()
    assert a.phase == Phase.SURVEY
    assert Workshop.objects.filter(pk=a.pk).exists()
    # The console shows them the session, without the buttons they may not use.
    page = researcher.get(f"/s/{a.code}/organiser/").content.decode()
    assert a.city in page
    assert f"/s/{a.code}/state/" not in page and f"/s/{a.code}/delete/" not in page
    assert "/chair/" not in page  # the chairs' links write notes
    # Nor the dashboard's buttons that take phones out of the results or put them back.
    assert "/undo/" not in researcher.get(f"/s/{a.code}/dashboard/").content.decode()
    assert "/undo/" in teams.clients["a_organiser"].get(f"/s/{a.code}/dashboard/").content.decode()
    # They export and edit the profile.
    assert researcher.get(f"/s/{a.code}/export.xlsx").status_code == 200
    assert researcher.get(f"/s/{a.code}/profile/edit/").status_code == 200
    # No new session from their list either.
    assert "organiser-create" not in researcher.get("/organiser/").content.decode()
    assert 'action="/organiser/new/"' not in researcher.get("/organiser/").content.decode()
    assert researcher.post("/organiser/new/", {"city": "X"}).status_code == 403


def test_a_session_shared_read_only_is_compared_and_exported_but_not_changed(teams):
    organiser = teams.clients["a_organiser"]
    a, b = teams.a, teams.b
    a.shared_with.clear()
    b_organiser = teams.clients["b_organiser"]
    assert b_organiser.get(f"/s/{a.code}/organiser/").status_code == 404
    # The form on the console takes another team by its code (it lists only the teams the
    # organiser knows: tests/test_sharing.py).
    page = organiser.get(f"/s/{a.code}/organiser/").content.decode()
    assert 'name="code"' in page and "Team B" not in page
    response = organiser.post(f"/s/{a.code}/share/", {"code": "team-b", "shared": "1"})
    assert response.status_code == 302
    assert list(a.shared_with.values_list("name", flat=True)) == ["Team B"]
    # B's organiser now sees it in the comparison picker and compares and exports it.
    picker = b_organiser.get("/organiser/compare/").content.decode()
    assert a.city in picker
    compared = b_organiser.get(f"/organiser/compare.xlsx?codes={a.code},{b.code}")
    assert compared.status_code == 200
    openpyxl.load_workbook(io.BytesIO(compared.content))
    assert b_organiser.get(f"/s/{a.code}/organiser/").status_code == 200
    assert b_organiser.get(f"/s/{a.code}/answers.csv").status_code == 200
    profile = b_organiser.get(f"/s/{a.code}/profile/").content.decode()
    assert a.city in profile and f"/s/{a.code}/profile/edit/" not in profile
    assert f"/s/{a.code}/profile/edit/" in organiser.get(f"/s/{a.code}/profile/").content.decode()
    # Nothing to change.
    refused = b_organiser.post(f"/s/{a.code}/state/", {"phase": Phase.CLOSED})
    assert refused.status_code == 403
    assert "shared with your team to read" in refused.content.decode()
    assert (
        b_organiser.post(f"/s/{a.code}/share/", {"team": "team-b", "shared": "0"}).status_code
        == 403
    )
    # Not on their own list of sessions; their programmes can hold it.
    assert a.code not in b_organiser.get("/organiser/").content.decode()
    # A programme of theirs may hold it; it stays theirs, unseen by team A.
    b_organiser.post(
        "/organiser/programmes/new/", {"name": "West en Oost", "workshops": [a.pk, b.pk]}
    )
    mine = Programme.objects.get(name="West en Oost")
    assert mine.team.name == "Team B" and set(mine.workshops.all()) == {a, b}
    assert "West en Oost" not in organiser.get(f"/s/{a.code}/organiser/").content.decode()
    assert organiser.get(f"/organiser/programmes/{mine.pk}/").status_code == 404
    assert "West en Oost" in b_organiser.get(f"/s/{a.code}/organiser/").content.decode()
    # Stopped: a 404 again.
    organiser.post(f"/s/{a.code}/share/", {"team": "team-b", "shared": "0"})
    assert b_organiser.get(f"/s/{a.code}/organiser/").status_code == 404
    # and their programme names it no more (it keeps it, unseen: tests/test_sharing.py).
    assert a.city not in b_organiser.get(f"/organiser/programmes/{mine.pk}/").content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"team": "team-a", "shared": "1"},  # its own team
        {"team": "team-\u00b2", "shared": "1"},
        {"team": "x\uffff\u200b\u202e", "shared": "1"},
        {"team": "a\x00b", "shared": "1"},
        {"team": "9" * 300, "shared": "1"},
        {"shared": "1"},
    ],
)
def test_the_share_form_refuses_odd_input_with_a_message(teams, data):
    organiser = teams.clients["a_organiser"]
    before = fingerprint()
    response = organiser.post(
        f"/s/{teams.a.code}/share/", data, HTTP_ACCEPT_LANGUAGE="nl", follow=True
    )
    assert response.status_code == 200
    assert fingerprint() == before
    body = response.content.decode()
    assert (
        "Kies een team uit de lijst" in body
        or "Geen team heeft deze code." in body
        or "hoort al bij dit team" in body
    )


def test_sharing_twice_changes_nothing_the_second_time(teams):
    organiser = teams.clients["a_organiser"]
    organiser.post(f"/s/{teams.a.code}/share/", {"team": "team-b", "shared": "1"})
    before = fingerprint()
    organiser.post(f"/s/{teams.a.code}/share/", {"team": "team-b", "shared": "1"})
    assert fingerprint() == before
    assert teams.a.shared_with.count() == 2  # C from the fixture, and B once


def test_the_projector_key_still_opens_the_results_for_anyone(teams):
    a = teams.a
    for role in ("anonymous", "b_organiser"):
        client = teams.clients[role]
        assert client.get(f"/s/{a.code}/results.json?key={a.projector_key}").status_code == 200
        assert client.get(f"/s/{a.code}/projector/?key={a.projector_key}").status_code == 200
        assert client.get(f"/s/{a.code}/results.json").status_code == 403


def test_the_upgrade_puts_programmes_in_the_team_of_their_sessions(teams):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    loose = Programme.objects.create(name="Zonder sessies")
    Programme.objects.filter(pk=teams.programme.pk).update(team=None)
    executor = MigrationExecutor(connection)
    executor.migrate([("profiles", "0008_programme_team")])
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Programme.objects.get(pk=teams.programme.pk).team.name == "Team A"
    assert Programme.objects.get(pk=loose.pk).team.slug == "scentiss"


# --- websockets -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_organisers_websockets_as_every_role():
    """ws/s/<code>/live/ and /notes/ by login: team A's roles and the shared team connect,
    team B's organiser and anonymous are refused; the projector key still opens the feed."""
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator

    from scentiss.asgi import application
    from sessions.services import workshop_create
    from tests.conftest import ensure_instrument

    @sync_to_async
    def setup():
        team_a = team_get_or_create(name="Team A")
        team_c = team_get_or_create(name="Team C")
        team_b = team_get_or_create(name="Team B")
        workshop = workshop_create(
            city="Amersfoort",
            date="2026-11-26",
            tables=2,
            instrument=ensure_instrument(),
            team=team_a,
        )
        workshop.shared_with.add(team_c)
        cookies = {}
        for role, team, kind in [
            ("a_organiser", team_a, Role.ORGANISER),
            ("a_researcher", team_a, Role.RESEARCHER),
            ("c_reader", team_c, Role.ORGANISER),
            ("b_organiser", team_b, Role.ORGANISER),
        ]:
            client = Client()
            client.force_login(member(role, team, kind))
            cookies[role] = client.cookies["sessionid"].value
        return workshop, cookies

    workshop, cookies = await setup()
    origin = (b"origin", b"http://127.0.0.1")
    host = (b"host", b"127.0.0.1")
    expected = {"a_organiser": True, "a_researcher": True, "c_reader": True, "b_organiser": False}
    for route in ("live", "notes"):
        for role, allowed in {**expected, "anonymous": False}.items():
            headers = [origin, host]
            if role in cookies:
                headers.append((b"cookie", f"sessionid={cookies[role]}".encode()))
            path = f"/ws/s/{workshop.code}/{route}/"
            communicator = WebsocketCommunicator(application, path, headers=headers)
            connected, _ = await communicator.connect(timeout=5)
            assert connected is allowed, f"{route} as {role}"
            await communicator.disconnect(timeout=2)
    keyed = WebsocketCommunicator(
        application,
        f"/ws/s/{workshop.code}/live/?key={workshop.projector_key}",
        headers=[origin, host, (b"cookie", f"sessionid={cookies['b_organiser']}".encode())],
    )
    connected, _ = await keyed.connect(timeout=5)
    assert connected
    snapshot = await keyed.receive_json_from(timeout=5)
    assert "version" in snapshot
    await keyed.disconnect(timeout=2)
