"""The workshop day in a real browser (Debian's Chromium through Playwright, the app under uvicorn):
the chair's tablet posts its forms (no 403), a seated person appears on the board live."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from notes.models import ExtraSeat
from sessions.models import Participant, Phase, Table, Workshop
from sessions.services import workshop_create
from tests import test_browser
from tests.browser_helpers import screenshot
from tests.conftest import ensure_instrument

# The browser, its contexts and the app server of tests/test_browser.py, shared.
new_context = test_browser.new_context
servers = test_browser.servers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"viewport": {"width": 768, "height": 1024}, "locale": "nl-NL", "has_touch": True}


@pytest.fixture
def workshop(transactional_db) -> Workshop:
    return workshop_create(
        city="Groningen",
        date=datetime.date(2026, 11, 27),
        tables=3,
        title="Ecosysteemdialoog",
        instrument=ensure_instrument(),
        phase=Phase.SURVEY,
    )


def chair_link(url: str, table: Table) -> str:
    return f"{url}/s/{table.workshop.code}/chair/{table.chair_key}/"


def test_the_chair_adds_a_seat_and_switches_language_without_a_403(servers, workshop, new_context):
    table = Table.objects.get(workshop=workshop, number=2)
    tablet = new_context(**TABLET).new_page()
    statuses: list[int] = []
    tablet.on("response", lambda r: statuses.append(r.status))
    tablet.goto(chair_link(servers.url, table))
    tablet.get_by_text("Plek toevoegen voor iemand zonder telefoon").click()
    tablet.get_by_label("Initialen (optioneel)").fill("JB")
    tablet.get_by_role("button", name="Plek toevoegen").click()
    expect(tablet.get_by_text("Plek T2·P1 toegevoegd.")).to_be_visible()
    assert ExtraSeat.objects.get().initials == "JB"
    tablet.get_by_role("button", name="English").click()
    expect(tablet.get_by_role("heading", name="Table 2 · Groningen")).to_be_visible()
    tablet.get_by_role("button", name="Nederlands").click()
    expect(tablet.get_by_role("heading", name="Tafel 2 · Groningen")).to_be_visible()
    assert 403 not in statuses and not any(s >= 500 for s in statuses)


def test_a_seated_phone_appears_on_the_chairs_board_without_reload(servers, workshop, new_context):
    t2 = Table.objects.get(workshop=workshop, number=2)
    tablet = new_context(**TABLET).new_page()
    tablet.goto(chair_link(servers.url, t2))
    expect(tablet.get_by_text("Nog niemand aan deze tafel").first).to_be_visible()
    # A phone joins without choosing a table; the chair of table 2 sees it among those to seat.
    phone = new_context(viewport={"width": 390, "height": 844}, locale="nl-NL").new_page()
    phone.goto(f"{servers.url}/j/{workshop.code}/")
    phone.locator("input[name=consent]").check()
    phone.get_by_role("button", name="Starten").click()
    expect(phone).to_have_url(re.compile(r"/survey/1/$"))
    lost = Participant.objects.get(workshop=workshop)
    # The organiser seats it at table 2 from the console.
    organiser = new_context(viewport={"width": 1366, "height": 768}, locale="nl-NL").new_page()
    User.objects.create_user("organiser", password="geheim-wachtwoord")
    organiser.goto(f"{servers.url}/accounts/login/?next=/s/{workshop.code}/organiser/")
    organiser.get_by_label("Gebruikersnaam").fill("organiser")
    organiser.get_by_label("Wachtwoord").fill("geheim-wachtwoord")
    organiser.get_by_role("button", name="Inloggen").click()
    seating = organiser.locator("#seating")
    expect(seating).to_contain_text("1 deelnemer heeft geen tafel")
    seating.get_by_label("Deelnemer").select_option(str(lost.pk))
    seating.get_by_label("Tafel").select_option("2")
    seating.get_by_role("button", name="Plaatsen").click()
    expect(organiser.locator("#seating")).to_contain_text("Iedereen die meedoet zit aan een tafel.")
    # The tablet, never reloaded, shows the row on every element's board.
    expect(tablet.locator(".panel:not([hidden]) .board-row[data-participant]")).to_have_count(1)
    expect(tablet.locator(".panel:not([hidden])")).to_contain_text("T2·P1")
    tablet.get_by_role("textbox", name="T2·P1 + …").first.fill("Kent de haven goed")
    tablet.keyboard.press("Enter")
    expect(tablet.get_by_text("Alle notities verzonden")).to_be_visible()
    # A second phone joins table 2 itself: it appears too.
    phone2 = new_context(viewport={"width": 390, "height": 844}, locale="nl-NL").new_page()
    phone2.goto(f"{servers.url}/j/{workshop.code}/")
    phone2.locator("select[name=table]").select_option("2")
    phone2.locator("input[name=consent]").check()
    phone2.get_by_role("button", name="Starten").click()
    expect(tablet.locator(".panel:not([hidden]) .board-row[data-participant]")).to_have_count(2)
    screenshot(tablet, "day-chair-live-seated-768x1024")
