"""A session shared read-only with another team, and unshared again.

Team A shares its session (Amersfoort) with team B; B's organiser puts it in a programme of
B's, names it in a recommendation and tags its note and observation with a theme. Once A
stops sharing, nothing of B's names it any more: every page and file B's organiser can open
(every route of the app, filled with B's programme and session, and the programme-wide files
its page links) is read back, the Word files with python-docx and the workbooks with
openpyxl, and none holds the city, the code or the note. B's data is kept, unseen: sharing
again shows it again. And the share form: it lists only the teams the organiser knows and
takes another team by its exact code, without telling which teams exist.
"""

import datetime
import io
import re
import uuid
import zipfile
from dataclasses import dataclass

import docx
import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import Membership, Role, Team
from accounts.services import team_get_or_create
from notes.models import Note, Observation
from profiles.models import Programme, Recommendation, Theme, ThemeTag
from sessions.models import Source, Workshop
from sessions.services import participant_join
from survey.models import Answer, Element, Statement
from survey.services import answer_save
from tests.test_access import organiser_routes
from tests.test_hostile_walk import fingerprint

NOTE = "Unieke notitie over de Kamp"
OBSERVATION = "Unieke observatie over de Eem"


@dataclass
class Shared:
    a: Workshop
    b: Workshop
    team_a: Team
    team_b: Team
    a_organiser: Client
    b_organiser: Client
    note: Note
    observation: Observation


def member(username: str, *teams_roles: tuple[Team, str]) -> Client:
    user = get_user_model().objects.create_user(username, password="a-long-password-9")
    for team, role in teams_roles:
        Membership.objects.create(user=user, team=team, role=role)
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(user)
    return client


def answered(workshop: Workshop) -> None:
    """Two phones and a paper form with answers, so that every file has rows."""
    table = workshop.tables.get(number=1)
    statements = list(
        Statement.objects.filter(element__instrument=workshop.instrument).order_by(
            "element__order", "order"
        )[:6]
    )
    for role, source in (("finance", Source.PHONE), ("policy", Source.PHONE), ("", Source.PAPER)):
        person = participant_join(workshop=workshop, table=table, role=role, source=source)
        for k, statement in enumerate(statements):
            answer_save(participant=person, statement_id=statement.pk, score=1 + k % 5)


@pytest.fixture
def shared(db, make_workshop) -> Shared:
    team_a = team_get_or_create(name="Team A")
    team_b = team_get_or_create(name="Team B")
    a_organiser = member("a.organiser", (team_a, Role.ORGANISER))
    b_organiser = member("b.organiser", (team_b, Role.ORGANISER))
    a = make_workshop(city="Amersfoort", team=team_a, date=datetime.date(2026, 10, 1))
    b = make_workshop(city="Bergen", team=team_b, date=datetime.date(2026, 11, 1))
    answered(a)
    answered(b)
    element = Element.objects.filter(instrument=a.instrument).order_by("order").first()
    note = Note.objects.create(
        workshop=a,
        table=a.tables.get(number=1),
        element=element,
        kind="agree",
        text=NOTE,
        client_id=uuid.uuid4(),
        author="T1",
    )
    observation = Observation.objects.create(workshop=a, kind="theme", text=OBSERVATION)
    return Shared(a, b, team_a, team_b, a_organiser, b_organiser, note, observation)


def share(s: Shared, shared: bool) -> None:
    response = s.a_organiser.post(
        f"/s/{s.a.code}/share/", {"team": "team-b", "shared": "1" if shared else "0"}
    )
    assert response.status_code == 302
    assert s.a.shared_with.filter(pk=s.team_b.pk).exists() == shared


def b_programme_with_a(s: Shared) -> Programme:
    """What B's organiser does with A's shared session: a programme of both cities, a
    recommendation naming both, A's note and observation tagged with a theme."""
    b = s.b_organiser
    response = b.post(
        "/organiser/programmes/new/",
        {"name": "Oost en West", "workshops": [s.a.pk, s.b.pk]},
    )
    assert response.status_code == 302
    programme = Programme.objects.get(name="Oost en West")
    assert programme.team == s.team_b
    b.post(
        f"/organiser/programmes/{programme.pk}/recommendations/",
        {
            "audience": "municipalities",
            "text": "Leer van elkaar.",
            "workshops": [s.a.pk, s.b.pk],
        },
    )
    recommendation = Recommendation.objects.get(programme=programme, text="Leer van elkaar.")
    assert set(recommendation.workshops.all()) == {s.a, s.b}
    theme = Theme.objects.filter(programme=programme).order_by("order").first()
    b.post(
        f"/organiser/programmes/{programme.pk}/tags/",
        {
            "session": s.a.code,
            "notes": [s.note.pk],
            f"themes-{s.note.pk}": [theme.pk],
            "observations": [s.observation.pk],
            f"observation-themes-{s.observation.pk}": [theme.pk],
        },
    )
    assert ThemeTag.objects.filter(theme=theme, note=s.note).exists()
    assert theme.observations.filter(pk=s.observation.pk).exists()
    return programme


def readable_text(response) -> str:
    """What someone who opens the response reads, as text: a page or CSV as it is; a
    workbook's cells (openpyxl); a Word file's paragraphs, tables, headers and footers
    (python-docx); and for both, every part of the zip too (a chart's labels, the file's
    properties); .sav and .dta as their bytes."""
    content = response.content
    kind = response.get("Content-Type", "")
    parts: list[str] = []
    if "spreadsheetml" in kind:
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        parts += [
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
    elif "wordprocessingml" in kind:
        document = docx.Document(io.BytesIO(content))
        parts += [p.text for p in document.paragraphs]
        parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
        for section in document.sections:
            parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        return "\n".join(parts)
    return "\n".join([*parts, content.decode("utf-8", "replace")])


def everything_b_opens(s: Shared, programme: Programme) -> dict[str, str]:
    """Every page and file of the app B's organiser can open (GET, 200), filled with B's
    programme, theme, recommendation and session, and the programme-wide files and the
    comparison its page links, as read text by path."""
    theme = programme.themes.order_by("order").first()
    recommendation = programme.recommendations.get(text="Leer van elkaar.")
    values = {
        "code": s.b.code,
        "pk": str(programme.pk),
        "theme_pk": str(theme.pk),
        "rec_pk": str(recommendation.pk),
        "number": "1",
    }
    paths = {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), route)
        for route, _name in organiser_routes()
    }
    # The tagging page of A's session by its code, and the picker of the comparison with it.
    paths |= {
        f"/organiser/programmes/{programme.pk}/tags/?session={s.a.code}",
        f"/organiser/compare/?code={s.a.code}&code={s.b.code}",
    }
    read: dict[str, str] = {}
    page = s.b_organiser.get(f"/organiser/programmes/{programme.pk}/").content.decode()
    links = {h.replace("&amp;", "&") for h in re.findall(r'href="([^"]*codes=[^"]*)"', page)}
    assert links, "the programme's page links its sessions' files"
    for path in sorted(paths | links):
        response = s.b_organiser.get(path)
        if response.status_code != 200:
            continue
        # The address itself (the language switch's "next") echoes what was asked for.
        read[path] = readable_text(response).replace(path.replace("&", "&amp;"), "")
    return read


def names_a(s: Shared, text: str) -> list[str]:
    return [word for word in (s.a.city, s.a.code, NOTE, OBSERVATION) if word in text]


def test_an_unshared_session_is_named_nowhere_in_the_other_teams_pages_and_files(shared):
    s = shared
    share(s, True)
    programme = b_programme_with_a(s)
    before = everything_b_opens(s, programme)
    # While shared, B's programme names it: on its pages and in its files.
    for path in (
        f"/organiser/programmes/{programme.pk}/",
        f"/organiser/programmes/{programme.pk}/report.docx",
        f"/organiser/programmes/{programme.pk}/publication.docx",
        "/organiser/programmes/",
    ):
        assert s.a.city in before[path], path
    assert any(s.a.code in text for path, text in before.items() if "codes=" in path)

    share(s, False)
    after = everything_b_opens(s, programme)
    assert len(after) >= 25, sorted(after)
    for path in (
        f"/organiser/programmes/{programme.pk}/",
        f"/organiser/programmes/{programme.pk}/report/",
        f"/organiser/programmes/{programme.pk}/report.docx",
        f"/organiser/programmes/{programme.pk}/publication.docx",
        f"/organiser/programmes/{programme.pk}/publication/",
        f"/organiser/programmes/{programme.pk}/edit/",
        f"/organiser/programmes/{programme.pk}/tags/",
        f"/organiser/programmes/{programme.pk}/texts/",
        "/organiser/programmes/",
        "/organiser/compare/",
        f"/s/{s.b.code}/organiser/",
    ):
        assert path in after, path  # read, not skipped
        if not path.endswith(("/tags/", "/texts/")):
            assert s.b.city in after[path], path  # their own city is there
    leaks = {path: names_a(s, text) for path, text in after.items() if names_a(s, text)}
    assert not leaks
    # The programme's files link B's session alone.
    linked = [path for path in after if "codes=" in path]
    assert linked and all(s.a.code not in path and s.b.code in path for path in linked)

    # B's data is kept, unseen; sharing again shows it again.
    recommendation = Recommendation.objects.get(programme=programme, text="Leer van elkaar.")
    assert set(programme.workshops.all()) == {s.a, s.b}
    assert set(recommendation.workshops.all()) == {s.a, s.b}
    assert ThemeTag.objects.filter(note=s.note, theme__programme=programme).exists()
    share(s, True)
    again = s.b_organiser.get(f"/organiser/programmes/{programme.pk}/").content.decode()
    assert s.a.city in again and NOTE in again and OBSERVATION in again
    chips = re.findall(r'<span class="chip city-chip">([^<]*)</span>', again)
    assert sorted(chips) == ["Amersfoort", "Bergen"]


def test_saving_the_other_teams_forms_after_unsharing_keeps_the_unseen_session(shared):
    """B's organiser edits the programme and the recommendation while A's session is not
    shared: the forms show B's session only, and saving them keeps A's, unseen, for when it
    is shared again."""
    s = shared
    share(s, True)
    programme = b_programme_with_a(s)
    recommendation = Recommendation.objects.get(programme=programme, text="Leer van elkaar.")
    share(s, False)
    b = s.b_organiser
    edit = b.get(f"/organiser/programmes/{programme.pk}/edit/").content.decode()
    assert s.a.city not in edit and f'name="workshops" value="{s.a.pk}"' not in edit
    response = b.post(
        f"/organiser/programmes/{programme.pk}/edit/",
        {"name": "Oost en West (herzien)", "workshops": [s.b.pk]},
    )
    assert response.status_code == 302
    page = b.get(f"/organiser/programmes/{programme.pk}/recommendations/{recommendation.pk}/")
    assert s.a.city not in page.content.decode()
    response = b.post(
        f"/organiser/programmes/{programme.pk}/recommendations/{recommendation.pk}/",
        {"audience": "support", "text": "Leer van elkaar, ook later.", "workshops": [s.b.pk]},
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.name == "Oost en West (herzien)"
    assert set(programme.workshops.all()) == {s.a, s.b}
    assert set(recommendation.workshops.all()) == {s.a, s.b}
    # Unseen, it cannot be named by its id either: refused, nothing stored.
    before = fingerprint()
    for url, data in (
        (
            f"/organiser/programmes/{programme.pk}/recommendations/",
            {"audience": "support", "text": "Stiekem", "workshops": [s.a.pk]},
        ),
        (
            f"/organiser/programmes/{programme.pk}/tags/",
            {"session": s.b.code, "notes": [s.note.pk], f"themes-{s.note.pk}": []},
        ),
        (
            f"/organiser/programmes/{programme.pk}/edit/",
            {"name": "Stiekem", "workshops": [s.a.pk, s.b.pk]},
        ),
    ):
        response = b.post(url, data, follow=True)
        assert response.status_code in (200, 400), url
        assert s.a.city not in response.content.decode(), url
    assert fingerprint() == before
    share(s, True)
    page = b.get(f"/organiser/programmes/{programme.pk}/").content.decode()
    assert re.findall(r'<span class="chip city-chip">([^<]*)</span>', page) == [
        "Amersfoort",
        "Bergen",
    ]


def test_the_programme_shows_the_same_to_every_reader_and_the_console_links_it_only_then(
    shared,
):
    """Someone in both teams, and a superuser, read B's programme as B's members do (it is
    B's document: its publication names what B reads); A's console names B's programme only
    while the session is shared with B."""
    s = shared
    share(s, True)
    programme = b_programme_with_a(s)
    both = member("both", (s.team_a, Role.ORGANISER), (s.team_b, Role.RESEARCHER))
    root = Client()
    root.force_login(get_user_model().objects.create_superuser("root", password="a-long-pw-77"))
    console = both.get(f"/s/{s.a.code}/organiser/").content.decode()
    assert "Oost en West" in console
    share(s, False)
    for client in (both, root):
        page = client.get(f"/organiser/programmes/{programme.pk}/").content.decode()
        assert s.b.city in page and s.a.city not in page
        publication = client.get(f"/organiser/programmes/{programme.pk}/publication.docx")
        assert s.a.city not in readable_text(publication)
    assert "Oost en West" not in both.get(f"/s/{s.a.code}/organiser/").content.decode()
    # Their own session's console still links it.
    assert "Oost en West" in both.get(f"/s/{s.b.code}/organiser/").content.decode()


def test_a_programme_holds_only_sessions_its_team_reads(shared):
    """Someone in both teams puts A's session (not shared with B) into a programme of B's:
    refused with the reason, nothing stored (the programme would name it to B's members)."""
    s = shared
    both = member("both", (s.team_b, Role.ORGANISER), (s.team_a, Role.ORGANISER))
    programme = Programme.objects.create(name="Alleen B", team=s.team_b)
    programme.workshops.set([s.b])
    before = fingerprint()
    response = both.post(
        f"/organiser/programmes/{programme.pk}/edit/",
        {"name": "Alleen B", "workshops": [s.a.pk, s.b.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert fingerprint() == before
    # A new programme takes the team of its first session (A's, by date): B's is refused.
    response = both.post(
        "/organiser/programmes/new/",
        {"name": "Samen", "workshops": [s.a.pk, s.b.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = response.content.decode()
    assert "A programme of Team A holds only that team&#x27;s sessions" in body
    assert "Bergen (" in body and "Share the session with Team A first." in body
    assert not Programme.objects.filter(name="Samen").exists()
    assert fingerprint() == before
    # Shared with A, it can.
    Workshop.objects.get(pk=s.b.pk).shared_with.add(s.team_a)
    both.post("/organiser/programmes/new/", {"name": "Samen", "workshops": [s.a.pk, s.b.pk]})
    assert set(Programme.objects.get(name="Samen").workshops.all()) == {s.a, s.b}
    assert Answer.objects.exists()


# --- the share form -----------------------------------------------------------------------------


def share_form(client: Client, workshop: Workshop) -> str:
    page = client.get(f"/s/{workshop.code}/organiser/").content.decode()
    start = page.index('id="share"')
    return page[start : page.index("</section>", start)]


def refusal(response) -> str:
    """The message a refused share shows (the page after the redirect)."""
    found = re.findall(r"<li class=\"error\">(.*?)</li>", response.content.decode(), re.S)
    assert found, response.content.decode()[-2000:]
    return found[0].strip()


def test_the_share_form_lists_only_teams_the_organiser_knows(shared):
    """It listed every team on the server: the names of teams that are none of the
    organiser's business. Now: their own other teams, the teams their team shares with or
    is shared by; any other team by its code, which the form shows the own team's."""
    s = shared
    team_get_or_create(name="Gemeente Geheim")
    partner = team_get_or_create(name="Partner Noord")
    lender = team_get_or_create(name="Lener Zuid")
    form = share_form(s.a_organiser, s.a)
    for name in ("Gemeente Geheim", "Partner Noord", "Lener Zuid", "Team B"):
        assert name not in form, name
    assert 'name="code"' in form and "<code>team-a</code>" in form
    assert "Vraag het andere team om zijn code" in form
    # Another session of A's shared with Partner Noord; Lener Zuid shares one with A; the
    # organiser is also in Team B.
    other = Workshop.objects.create(
        city="Utrecht", date=s.a.date, instrument=s.a.instrument, team=s.team_a, code="UTR123"
    )
    other.shared_with.add(partner)
    lent = Workshop.objects.create(
        city="Maastricht", date=s.a.date, instrument=s.a.instrument, team=lender, code="MST123"
    )
    lent.shared_with.add(s.team_a)
    Membership.objects.create(
        user=get_user_model().objects.get(username="a.organiser"), team=s.team_b, role="researcher"
    )
    form = share_form(s.a_organiser, s.a)
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', form)
    assert options == [
        ("", "Een ander team: typ hieronder zijn code"),
        ("lener-zuid", "Lener Zuid"),
        ("partner-noord", "Partner Noord"),
        ("team-b", "Team B"),
    ]
    assert "Gemeente Geheim" not in form
    # Shared with Partner Noord: listed with "stop", not offered again.
    s.a_organiser.post(f"/s/{s.a.code}/share/", {"team": "partner-noord", "shared": "1"})
    form = share_form(s.a_organiser, s.a)
    assert '<option value="partner-noord">' not in form and "Partner Noord" in form
    assert "Niet meer delen" in form


def test_another_team_is_shared_with_by_its_exact_code(shared):
    s = shared
    secret = team_get_or_create(name="Gemeente Geheim")
    a = s.a_organiser
    response = a.post(
        f"/s/{s.a.code}/share/", {"team": "", "code": "  Team-B ", "shared": "1"}, follow=True
    )
    assert "Alleen-lezen gedeeld met Team B." in response.content.decode()
    assert list(s.a.shared_with.all()) == [s.team_b]
    # The code wins over the list.
    a.post(f"/s/{s.a.code}/share/", {"team": "team-b", "code": "gemeente-geheim", "shared": "1"})
    assert set(s.a.shared_with.all()) == {s.team_b, secret}


@pytest.mark.parametrize(
    "code",
    [
        "team-bb",  # a typo
        "Team B",  # the name, not the code
        "team_b",
        "nobody",
        "team-b\u200b",
        "t\u0435am-b",  # a Cyrillic e
        "team-\u00b2",
        "a\x00b",
        "x\uffff\u202e",
        "9" * 300,
        "%",
        "*",
    ],
)
def test_a_wrong_code_says_what_a_code_of_no_team_says(shared, code):
    """No enumeration: a mistyped code, a team's name, a code of no team and hostile text
    all get the same message, which names no team; nothing is stored."""
    s = shared
    team_get_or_create(name="Gemeente Geheim")
    before = fingerprint()
    response = s.a_organiser.post(
        f"/s/{s.a.code}/share/", {"code": code, "shared": "1"}, follow=True
    )
    assert response.status_code == 200
    assert fingerprint() == before
    unknown = s.a_organiser.post(
        f"/s/{s.a.code}/share/", {"code": "geen-team-zo", "shared": "1"}, follow=True
    )
    assert refusal(response) == refusal(unknown)
    assert refusal(response).startswith("Geen team heeft deze code.")
    body = response.content.decode()
    assert "Gemeente Geheim" not in body and "Team B" not in body


def test_stopping_tells_no_team_name_and_twice_changes_nothing(shared):
    s = shared
    team_get_or_create(name="Gemeente Geheim")
    share(s, True)
    before = fingerprint()
    messages = [
        refusal(
            s.a_organiser.post(f"/s/{s.a.code}/share/", {"team": t, "shared": "0"}, follow=True)
        )
        for t in ("gemeente-geheim", "geen-team-zo", "team-a")
    ]
    assert messages == ["Deze sessie is niet gedeeld met dat team."] * 3
    assert fingerprint() == before
    share(s, False)
    again = s.a_organiser.post(
        f"/s/{s.a.code}/share/", {"team": "team-b", "shared": "0"}, follow=True
    )
    assert refusal(again) == "Deze sessie is niet gedeeld met dat team."
    assert not s.a.shared_with.exists()
    # Empty, and the own team: told so, nothing stored.
    before = fingerprint()
    empty = s.a_organiser.post(f"/s/{s.a.code}/share/", {"code": " ", "shared": "1"}, follow=True)
    assert refusal(empty) == "Kies een team uit de lijst, of typ de code van een ander team."
    own = s.a_organiser.post(
        f"/s/{s.a.code}/share/", {"code": "team-a", "shared": "1"}, follow=True
    )
    assert "hoort al bij dit team" in refusal(own)
    assert fingerprint() == before


def test_a_session_of_no_team_offers_no_sharing(db, make_workshop, organiser):
    workshop = make_workshop(city="Zonderteam")
    team_get_or_create(name="Gemeente Geheim")
    page = organiser.get(f"/s/{workshop.code}/organiser/").content.decode()
    assert "Gemeente Geheim" not in page and 'name="code"' not in page
    before = fingerprint()
    response = organiser.post(
        f"/s/{workshop.code}/share/", {"code": "gemeente-geheim", "shared": "1"}, follow=True
    )
    assert "A session of no team cannot be shared" in response.content.decode() or (
        "Een sessie zonder team kan niet gedeeld worden" in response.content.decode()
    )
    assert fingerprint() == before
