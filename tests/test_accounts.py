"""Organiser accounts in the app: a team's manager invites a colleague, who chooses a password
through a one-time link; links expire and work once; a deactivated account cannot log in; only
a manager sees the people page. And `manage.py addorganiser` from the shell."""

import datetime
import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Invitation, Membership, Role, Team
from accounts.services import account_reset, organiser_invite, team_get_or_create
from tests import test_browser
from tests.browser_helpers import log_in, screenshot
from tests.test_a11y import axe_problems

new_context = test_browser.new_context

PASSWORD = "a-long-password-1"
NEW_PASSWORD = "Kastanje-Boom-1987"
DESKTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "nl-NL"}
LINK = re.compile(r"^http://[^/]+/welcome/([A-Za-z0-9_-]{43})/$")


def make_member(username: str, team: Team, role: str = Role.ORGANISER) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    Membership.objects.create(user=user, team=team, role=role)
    return user


@pytest.fixture
def team(db) -> Team:
    return team_get_or_create(name="Scentiss Oost")


@pytest.fixture
def manager(team) -> User:
    return make_member("m.manager", team, Role.MANAGER)


@pytest.fixture
def manager_client(manager) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(manager)
    return client


def invite_data(team: Team) -> dict:
    return {"username": "j.jansen", "name": "Jan Jansen", "team": team.slug, "role": "organiser"}


def link_from(html: str) -> str:
    match = re.search(r'id="link" readonly size="60" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


# --- the whole path in a browser -------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_invites_a_colleague_who_sets_a_password_once(server, new_context):
    team = team_get_or_create(name="Scentiss Oost")
    make_member("m.manager", team, Role.MANAGER)
    boss = new_context(**DESKTOP).new_page()
    log_in(
        boss,
        f"{server.url}/accounts/login/?next=/organiser/",
        "m.manager",
        PASSWORD,
        lands_on="**/organiser/",
    )
    boss.get_by_role("link", name="Mensen").click()  # the menu shows the page to a manager
    boss.get_by_label("Gebruikersnaam (om in te loggen)").fill("j.jansen")
    boss.get_by_label("Naam (optioneel)").fill("Jan Jansen")
    boss.get_by_label("Team").select_option(label="Scentiss Oost")
    boss.get_by_label("Rol").select_option(label="organisator")
    boss.get_by_role("button", name="Maak de link").click()
    expect(boss.get_by_role("heading", name="Account j.jansen aangemaakt")).to_be_visible()
    link = boss.get_by_label("Eenmalige link").input_value()
    assert LINK.match(link.replace(server.url, "http://host")), link
    screenshot(boss, "accounts-link-1366x768")

    # The colleague, in a browser of their own, chooses a password and logs in with it.
    colleague = new_context(**DESKTOP).new_page()
    colleague.goto(link)
    expect(colleague.locator("#welcome")).to_contain_text("Uw gebruikersnaam is j.jansen.")
    colleague.get_by_label("Nieuw wachtwoord").fill(NEW_PASSWORD)
    colleague.get_by_label("Herhaal het wachtwoord").fill(NEW_PASSWORD)
    colleague.get_by_role("button", name="Wachtwoord instellen").click()
    expect(colleague.get_by_text("Uw wachtwoord is ingesteld. Log ermee in.")).to_be_visible()
    colleague.get_by_label("Gebruikersnaam").fill("j.jansen")
    colleague.get_by_label("Wachtwoord").fill(NEW_PASSWORD)
    colleague.get_by_role("button", name="Inloggen").click()
    expect(colleague).to_have_url(f"{server.url}/organiser/")
    expect(colleague.get_by_role("heading", name="Sessies")).to_be_visible()
    # An organiser, not a manager: no people page in the menu.
    expect(colleague.get_by_role("link", name="Mensen")).to_have_count(0)

    # The link works once: a second opening (in English) says so, with 410.
    again = new_context(viewport={"width": 390, "height": 844}, locale="en-GB").new_page()
    response = again.goto(link)
    assert response.status == 410
    expect(again.get_by_role("alert")).to_have_text(
        "This link has already been used; it works only once. Log in with the password you "
        "chose, or ask your team's manager for a new link."
    )
    expect(again.get_by_role("button", name="Set password")).to_have_count(0)

    # The manager deactivates the account: its open login ends, a new login fails.
    boss.get_by_role("link", name="Terug naar mensen").click()
    row = boss.locator('tr[data-username="j.jansen"]')
    expect(row).to_contain_text("actief")
    row.get_by_role("button", name="Deactiveren").click()
    expect(boss.get_by_text("j.jansen kan niet meer inloggen.")).to_be_visible()
    expect(boss.locator('tr[data-username="j.jansen"]')).to_contain_text("gedeactiveerd")
    colleague.goto(f"{server.url}/organiser/")
    expect(colleague).to_have_url(re.compile(r"/accounts/login/\?next=/organiser/$"))
    colleague.get_by_label("Gebruikersnaam").fill("j.jansen")
    colleague.get_by_label("Wachtwoord").fill(NEW_PASSWORD)
    colleague.get_by_role("button", name="Inloggen").click()
    expect(colleague.get_by_role("alert")).to_have_text(
        "Gebruikersnaam en wachtwoord komen niet overeen. Probeer het opnieuw."
    )
    assert not User.objects.get(username="j.jansen").is_active


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_expired_link_says_so(server, new_context):
    team = team_get_or_create(name="Scentiss Oost")
    issued = organiser_invite(
        username="late", name="", email="", team=team, role=Role.ORGANISER, created_by=None
    )
    Invitation.objects.filter(pk=issued.invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    page = new_context(**DESKTOP).new_page()
    response = page.goto(f"{server.url}/welcome/{issued.token}/")
    assert response.status == 410
    expect(page.get_by_role("alert")).to_have_text(
        "Deze link is verlopen. Vraag de beheerder van uw team om een nieuwe link."
    )
    expect(page.get_by_label("Nieuw wachtwoord")).to_have_count(0)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_someone_who_is_not_a_manager_gets_a_403_page_on_people(server, new_context):
    team = team_get_or_create(name="Scentiss Oost")
    make_member("r.researcher", team, Role.RESEARCHER)
    page = new_context(**DESKTOP).new_page()
    log_in(
        page,
        f"{server.url}/accounts/login/?next=/organiser/",
        "r.researcher",
        PASSWORD,
        lands_on="**/organiser/",
    )
    response = page.goto(f"{server.url}/organiser/people/")
    assert response.status == 403
    expect(page.get_by_role("alert")).to_have_text(
        "Alleen de beheerder van een team kan collega’s uitnodigen en beheren. Vraag het de "  # noqa: RUF001
        "beheerder van uw team."
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_people_and_password_pages_have_no_serious_accessibility_problems(server, new_context):
    team = team_get_or_create(name="Scentiss Oost")
    make_member("m.manager", team, Role.MANAGER)
    make_member("c.colleague", team)
    issued = organiser_invite(
        username="n.new", name="Nieuw", email="", team=team, role=Role.ORGANISER, created_by=None
    )
    page = new_context(**DESKTOP, bypass_csp=True).new_page()  # axe is an inline script
    log_in(
        page,
        f"{server.url}/accounts/login/?next=/organiser/people/",
        "m.manager",
        PASSWORD,
        lands_on="**/organiser/people/",
    )
    problems = axe_problems(page, "people")
    page.get_by_role("button", name="Maak de link").click()  # empty: the form with its errors
    problems += axe_problems(page, "people-refused")
    page.locator('tr[data-username="c.colleague"]').get_by_role(
        "button", name="Nieuwe link"
    ).click()
    problems += axe_problems(page, "people-link")
    welcome = new_context(**DESKTOP, bypass_csp=True).new_page()
    welcome.goto(f"{server.url}/welcome/{issued.token}/")
    problems += axe_problems(welcome, "welcome")
    welcome.goto(f"{server.url}/welcome/{'x' * 43}/")
    problems += axe_problems(welcome, "welcome-refused")
    assert not problems, "\n".join(problems)


# --- the rules, through the test client --------------------------------------------------------


def test_an_organiser_without_a_team_is_refused_the_people_page_and_its_posts(organiser, team):
    assert organiser.get("/organiser/people/").status_code == 403
    response = organiser.post("/organiser/people/invite/", invite_data(team))
    assert response.status_code == 403
    assert not User.objects.filter(username="j.jansen").exists()


def test_anonymous_is_sent_to_the_login(client, team):
    response = client.get("/organiser/people/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_link_is_stored_hashed_and_is_gone_after_a_new_one(manager_client, team):
    html = manager_client.post("/organiser/people/invite/", invite_data(team)).content.decode()
    first = link_from(html)
    token = first.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    user = User.objects.get(username="j.jansen")
    assert not user.has_usable_password() and user.first_name == "Jan Jansen"
    assert Membership.objects.get(user=user).role == Role.ORGANISER
    # A new link: the first stops working (404: it is no longer known).
    second = link_from(
        manager_client.post(f"/organiser/people/{user.pk}/new-link/").content.decode()
    )
    assert second != first
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200
    # Too short a password is Django's validators' message; nothing is used.
    refused = anonymous.post(second, {"new_password1": "kort", "new_password2": "kort"})
    assert refused.status_code == 400
    assert "This password is too short" in refused.content.decode()
    assert Invitation.objects.get().used_at is None
    done = anonymous.post(second, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    again = anonymous.post(second, {"new_password1": "Other-pass-2024", "new_password2": "x"})
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_the_language_switch_on_the_links_page_leads_back_to_people(manager_client, team):
    """The switch sends the browser back to the page's own URL with GET: the link's page is the
    answer to a POST, so its URL leads to the people page (the link is not shown again)."""
    colleague = make_member("c.colleague", team)
    for url in ("/organiser/people/invite/", f"/organiser/people/{colleague.pk}/new-link/"):
        response = manager_client.post(
            "/i18n/setlang/", {"language": "nl", "next": url}, follow=True
        )
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == "/organiser/people/"
    assert not Invitation.objects.exists()
    assert User.objects.get(pk=colleague.pk).check_password(PASSWORD)


def test_a_reset_stops_the_old_password_and_ends_open_logins(manager_client, team):
    colleague = make_member("c.colleague", team)
    logged_in = Client()
    logged_in.force_login(colleague)
    assert logged_in.get("/organiser/").status_code == 200
    response = manager_client.post(f"/organiser/people/{colleague.pk}/new-link/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    colleague.refresh_from_db()
    assert not colleague.check_password(PASSWORD)
    assert logged_in.get("/organiser/").status_code == 302  # logged out


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "\u200b\u200b"}, "invisible characters only"),
        ({"name": "\u202eRTL\u202c"}, "invisible direction characters"),
        ({"name": "x" * 5000}, "at most 150 characters"),
        ({"name": "a\x00b"}, "Null characters are not allowed"),
        ({"name": "a\x1bb"}, "invisible control character"),
        ({"username": "j\u200bjansen"}, "letters a-z, digits"),
        ({"username": "\u0430dmin"}, "letters a-z, digits"),  # a Cyrillic a
        ({"username": "jan jansen"}, "letters a-z, digits"),
        ({"username": "x" * 10_000}, "at most 150 characters"),
        ({"username": "a\x00b"}, "Null characters are not allowed"),
        ({"username": ""}, "This field is required"),
        ({"team": "not-a-team"}, "Select a valid choice"),
        ({"team": "\u00b2"}, "Select a valid choice"),
        ({"role": "superuser"}, "Select a valid choice"),
        ({"email": "not an address"}, "Enter a valid email address"),
    ],
)
def test_hostile_input_on_the_invite_form_is_a_message_and_stores_nothing(
    manager_client, team, changes, message
):
    data = {**invite_data(team), **changes}
    response = manager_client.post("/organiser/people/invite/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invitation.objects.exists()
    assert User.objects.count() == 1  # the manager


def test_the_same_invitation_twice_is_refused_the_second_time(manager_client, team):
    assert manager_client.post("/organiser/people/invite/", invite_data(team)).status_code == 200
    for username in ("j.jansen", "J.Jansen"):
        data = {**invite_data(team), "username": username}
        response = manager_client.post("/organiser/people/invite/", data)
        assert response.status_code == 400
        assert "There is already an account with the user name" in response.content.decode()
    assert User.objects.filter(username__iexact="j.jansen").count() == 1
    assert Invitation.objects.count() == 1


def test_a_manager_manages_only_their_teams_people(manager, manager_client, team):
    other_team = team_get_or_create(name="Elders")
    outsider = make_member("o.outsider", other_team)
    both = make_member("b.both", team)
    Membership.objects.create(user=both, team=other_team, role=Role.ORGANISER)
    boss = User.objects.create_superuser("root", "", PASSWORD)
    Membership.objects.create(user=boss, team=team, role=Role.ORGANISER)
    page = manager_client.get("/organiser/people/").content.decode()
    assert "o.outsider" not in page and "b.both" in page
    # Someone of another team, someone also in another team, a superuser, oneself: refused.
    for user in (outsider, both, boss, manager):
        for url in (
            f"/organiser/people/{user.pk}/new-link/",
            f"/organiser/people/{user.pk}/active/",
        ):
            response = manager_client.post(url, {"active": "0"}, follow=True)
            assert "You cannot change this account." in response.content.decode(), (user, url)
        user.refresh_from_db()
        assert user.is_active and user.has_usable_password()
    assert not Invitation.objects.exists()
    # Not a team this manager manages.
    response = manager_client.post(
        "/organiser/people/invite/", {**invite_data(team), "team": other_team.slug}
    )
    assert response.status_code == 400 and not User.objects.filter(username="j.jansen").exists()
    # Ids no row can have.
    for pk in ("\u00b2", "99999999999999999999", "0"):
        response = manager_client.post(f"/organiser/people/{pk}/active/", follow=True)
        assert "There is no such account." in response.content.decode()


def test_a_deactivated_accounts_link_says_so_and_activating_again_works(manager_client, team):
    issued = organiser_invite(
        username="d.dormant", name="", email="", team=team, role=Role.ORGANISER, created_by=None
    )
    user = issued.user
    manager_client.post(f"/organiser/people/{user.pk}/active/", {"active": "0"})
    response = Client(HTTP_ACCEPT_LANGUAGE="nl").get(f"/welcome/{issued.token}/")
    assert response.status_code == 410
    assert "Dit account is gedeactiveerd." in response.content.decode()
    manager_client.post(f"/organiser/people/{user.pk}/active/", {"active": "1"})
    assert Client().get(f"/welcome/{issued.token}/").status_code == 200


@pytest.mark.parametrize("token", ["x", "A" * 43, "A" * 5000, "%00" * 20, "\u202e" * 30])
def test_a_link_no_one_was_given_is_a_404_page(client, db, token):
    response = client.get(f"/welcome/{token}/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 404
    assert "Deze link is niet geldig." in response.content.decode()


def test_the_link_is_mailed_when_the_server_has_e_mail(manager_client, team, settings):
    settings.INVITATION_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    data = {**invite_data(team), "email": "jan@example.org"}
    html = manager_client.post("/organiser/people/invite/", data).content.decode()
    assert "The link was also sent to jan@example.org." in html
    (message,) = mail.outbox
    assert message.to == ["jan@example.org"] and link_from(html) in message.body


def test_a_mail_server_that_fails_still_shows_the_link(manager_client, team, settings):
    settings.INVITATION_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    data = {**invite_data(team), "email": "jan@example.org"}
    response = manager_client.post("/organiser/people/invite/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The e-mail could not be sent; copy the link instead." in html
    assert Client().get(link_from(html)).status_code == 200


# --- from the shell ------------------------------------------------------------------------------


def test_addorganiser_makes_the_team_the_account_and_prints_the_link(client, db):
    out = StringIO()
    call_command(
        "addorganiser", "a.vries", "--team", "Scentiss Noord", "--role", "manager",
        "--base-url", "https://scentiss.example.org/", stdout=out,
    )  # fmt: skip
    team = Team.objects.get()
    assert (team.name, team.slug) == ("Scentiss Noord", "scentiss-noord")
    user = User.objects.get(username="a.vries")
    assert Membership.objects.get(user=user, team=team).role == Role.MANAGER
    assert not user.has_usable_password()
    link = re.search(r"^link: (\S+)$", out.getvalue(), re.MULTILINE).group(1)
    assert link.startswith("https://scentiss.example.org/welcome/")
    path = link.removeprefix("https://scentiss.example.org")
    assert client.get(path).status_code == 200
    # The same team by its name again; an existing account joins it, a new link on request.
    out = StringIO()
    call_command("addorganiser", "A.Vries", "--team", "scentiss noord", stdout=out)
    assert Team.objects.count() == 1 and "link:" not in out.getvalue()
    assert Membership.objects.get(user=user).role == Role.ORGANISER
    out = StringIO()
    call_command("addorganiser", "a.vries", "--team", "Scentiss Noord", "--new-link", stdout=out)
    new = re.search(r"^link: (\S+)$", out.getvalue(), re.MULTILINE).group(1)
    assert new.startswith("http://127.0.0.1:8000/welcome/")
    assert client.get(path).status_code == 404  # the first link no longer works


@pytest.mark.parametrize(
    "args",
    [
        ["x y", "--team", "T"],
        ["ok", "--team", "  "],
        ["ok", "--team", "\u200b"],
        ["ok", "--team", "!!!"],
        ["ok", "--team", "T", "--role", "boss"],
        ["ok", "--team", "T", "--name", "\u202eevil"],
    ],
)
def test_addorganiser_refuses_bad_input(db, args):
    with pytest.raises((CommandError, SystemExit)):
        call_command("addorganiser", *args, stdout=StringIO(), stderr=StringIO())
    assert not User.objects.exists() and not Invitation.objects.exists()


def test_the_demo_organiser_manages_the_demo_team(db, settings, tmp_path):
    settings.BASE_DIR = tmp_path  # its password file
    out = StringIO()
    call_command("demo", "--base-url", "http://127.0.0.1:8000", stdout=out)
    call_command("demo", "--base-url", "http://127.0.0.1:8000", stdout=StringIO())  # twice: same
    membership = Membership.objects.get(user__username="organiser")
    assert (membership.team.name, membership.role) == ("Demo", Role.MANAGER)
    client = Client()
    password = (tmp_path / ".demo-login").read_text().strip()
    assert membership.user.check_password(password)
    client.force_login(membership.user)
    assert client.get("/organiser/people/").status_code == 200
    assert "manager of team Demo" in out.getvalue()


def test_account_reset_from_the_shell_needs_no_manager(team):
    user = make_member("s.shell", team)
    issued = account_reset(user=user, by=None)
    assert Client().get(f"/welcome/{issued.token}/").status_code == 200


# --- who sees which sessions ----------------------------------------------------------------------


def test_an_organiser_sees_only_the_sessions_of_their_teams(make_workshop, team):
    other_team = team_get_or_create(name="Elders")
    ours = make_workshop(city="Zwolle", team=team)
    theirs = make_workshop(city="Deventer", team=other_team)
    teamless = make_workshop(city="Kampen")
    member = make_member("o.ours", team)
    client = Client()
    client.force_login(member)
    page = client.get("/organiser/").content.decode()
    assert ours.code in page and theirs.code not in page and teamless.code not in page
    # In both teams: both; in no team: the sessions of no team; a superuser: all.
    Membership.objects.create(user=member, team=other_team)
    page = client.get("/organiser/").content.decode()
    assert ours.code in page and theirs.code in page and teamless.code not in page
    loner = Client()
    loner.force_login(User.objects.create_user("l.loner", password=PASSWORD))
    page = loner.get("/organiser/").content.decode()
    assert teamless.code in page and ours.code not in page and theirs.code not in page
    root = Client()
    root.force_login(User.objects.create_superuser("root", "", PASSWORD))
    page = root.get("/organiser/").content.decode()
    assert all(w.code in page for w in (ours, theirs, teamless))


def _session_form(instrument, **changes) -> dict:
    return {
        "city": "Ede",
        "date": "2026-12-01",
        "tables": "3",
        "instrument": str(instrument.pk),
        **changes,
    }


def test_a_new_session_belongs_to_the_organisers_team(instrument, team):
    from sessions.models import Workshop

    member = make_member("o.one", team)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member)
    assert 'name="team"' not in client.get("/organiser/").content.decode()  # one team: no choice
    assert client.post("/organiser/new/", _session_form(instrument)).status_code == 302
    created = Workshop.objects.get(city="Ede")
    assert created.team == team and created.created_by == member
    # Duplicated: the same team.
    response = client.post(f"/s/{created.code}/duplicate/", {"city": "Epe", "date": "2026-12-02"})
    assert response.status_code == 302 and Workshop.objects.get(city="Epe").team == team
    # In two teams: the form asks which; another team's slug, or none, is refused.
    other = team_get_or_create(name="Elders")
    Membership.objects.create(user=member, team=other)
    assert 'name="team"' in client.get("/organiser/").content.decode()
    for bad in ("", "nobody", "\u00b2", "x" * 5000):
        data = _session_form(instrument, city="Olst", team=bad)
        assert client.post("/organiser/new/", data).status_code == 400, bad
    assert not Workshop.objects.filter(city="Olst").exists()
    data = _session_form(instrument, city="Olst", team=other.slug)
    assert client.post("/organiser/new/", data).status_code == 302
    assert Workshop.objects.get(city="Olst").team == other


def test_createsession_puts_the_session_in_a_team(db, instrument):
    import json

    from sessions.models import Workshop

    out = StringIO()
    call_command(
        "createsession", "--city", "Ommen", "--team", "Scentiss Oost", "--json", stdout=out
    )
    workshop = Workshop.objects.get(code=json.loads(out.getvalue())["code"])
    assert workshop.team.name == "Scentiss Oost"
    with pytest.raises(CommandError):
        call_command("createsession", "--city", "Ommen", "--team", "\u200b", stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_existing_sessions_and_accounts_in_the_team_scentiss(make_workshop):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from sessions.models import Workshop

    old = make_workshop(city="Zwolle")
    staff = User.objects.create_user("s.staff", password=PASSWORD, is_staff=True)
    plain = User.objects.create_user("p.plain", password=PASSWORD)
    executor = MigrationExecutor(connection)
    executor.migrate([("workshops", "0007_workshop_team")])  # back before the data migration
    executor.loader.build_graph()
    # Forward again to the latest migrations, the data migration among them: the tests after
    # this one need the whole schema.
    executor.migrate(executor.loader.graph.leaf_nodes())
    team = Team.objects.get(slug="scentiss")
    assert team.name == "Scentiss"
    assert Workshop.objects.get(pk=old.pk).team == team
    assert Membership.objects.get(user=staff, team=team).role == Role.MANAGER
    assert Membership.objects.get(user=plain, team=team).role == Role.ORGANISER
    client = Client()
    client.force_login(plain)
    assert old.code in client.get("/organiser/").content.decode()


# --- two at once ----------------------------------------------------------------------------------


def _at_once(*calls):
    """Run the calls in threads released together; their results in order."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=10)
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [f.result(timeout=60) for f in [pool.submit(run, c) for c in calls]]


@pytest.mark.django_db(transaction=True)
def test_a_link_posted_twice_at_once_sets_the_password_once():
    team = team_get_or_create(name="Scentiss Oost")
    issued = organiser_invite(
        username="t.twice", name="", email="", team=team, role=Role.ORGANISER, created_by=None
    )
    url = f"/welcome/{issued.token}/"
    passwords = ["First-Password-11", "Second-Password-22"]
    statuses = _at_once(
        *[
            lambda p=p: Client().post(url, {"new_password1": p, "new_password2": p}).status_code
            for p in passwords
        ]
    )
    assert sorted(statuses) == [302, 410]
    user = User.objects.get(username="t.twice")
    winner = passwords[statuses.index(302)]
    assert user.check_password(winner)
    assert Invitation.objects.get().used_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_same_invitation_sent_twice_at_once_makes_one_account():
    team = team_get_or_create(name="Scentiss Oost")
    manager = make_member("m.manager", team, Role.MANAGER)
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(manager)
        clients.append(client)
    data = invite_data(team)
    statuses = _at_once(
        *[lambda c=c: c.post("/organiser/people/invite/", data).status_code for c in clients]
    )
    assert sorted(statuses) == [200, 400]
    assert User.objects.filter(username="j.jansen").count() == 1
    assert Invitation.objects.count() == 1
