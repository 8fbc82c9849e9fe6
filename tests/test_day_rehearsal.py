"""The workshop day rehearsed in a real browser with every role.

The organiser creates and edits the session in the web UI; eight phones join (one in English,
one choosing no table) and answer; the organiser seats the unseated phone; table 2's chair
adds a seat for someone without a phone, notes every person of the table on all six
elements and records an observation; the phases run to closed through the confirmation; the
projector ends on its closing screen and the join page says the session has ended; the
exported workbook (read back with openpyxl) holds all of it.
"""

import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from instrument.models import Statement
from notes.models import Note, Observation
from sessions.models import Participant, Table, Workshop
from survey.models import Answer
from tests import test_browser
from tests.browser_helpers import screenshot
from tests.conftest import ensure_instrument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

new_context = test_browser.new_context
servers = test_browser.servers

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# Table per phone: "" is "Weet ik nog niet"; phone 3 is the English one.
PHONE_TABLES = ["1", "1", "2", "2", "", "3", "3", "1"]


def tap(page: Page, statement: Statement, answer: str, text: str) -> None:
    group = page.get_by_role("radiogroup", name=text)
    group.locator("label", has=page.get_by_role("radio", name=answer)).tap()
    expect(group.get_by_role("status")).to_contain_text("✓")


def test_the_workshop_day_with_every_role(servers, new_context):
    ensure_instrument()
    User.objects.create_user("organiser", password="geheim-wachtwoord")
    url = servers.url

    # The organiser logs in and creates the session in the web UI.
    desk = new_context(viewport={"width": 1366, "height": 768}, locale="nl-NL").new_page()
    desk.set_default_timeout(20_000)
    desk.goto(f"{url}/organiser/")
    desk.get_by_label("Gebruikersnaam").fill("organiser")
    desk.get_by_label("Wachtwoord").fill("geheim-wachtwoord")
    desk.get_by_role("button", name="Inloggen").click()
    desk.get_by_label("Stad").fill("Groningen")
    desk.get_by_label("Datum").fill("2026-11-27")
    desk.get_by_label("Titel").fill("Ecosysteemdialoog")
    desk.get_by_label("Aantal tafels").fill("2")
    desk.get_by_role("button", name="Sessie aanmaken").click()
    expect(desk.get_by_text("Sessie aangemaakt.")).to_be_visible()
    workshop = Workshop.objects.get(city="Groningen")
    # ... and edits it on the day: a better title, a third table, a focus for table 1.
    desk.get_by_role("link", name="Bewerken").click()
    desk.get_by_label("Titel").fill("Ecosysteemdialoog Groningen")
    desk.get_by_label("Aantal tafels").fill("3")
    desk.get_by_label("Tafel 1: focus (sector of wijk, optioneel)").fill("Haven")
    desk.get_by_role("button", name="Opslaan").click()
    expect(desk.get_by_text("Sessie opgeslagen.")).to_be_visible()
    assert workshop.tables.count() == 3
    screenshot(desk, "rehearsal-console-1366x768")

    # The projector, and the survey opens.
    projector = new_context(viewport={"width": 1920, "height": 1080}, locale="nl-NL").new_page()
    projector.set_default_timeout(30_000)
    projector.goto(
        f"{url}/s/{workshop.code}/projector/?key={workshop.projector_key}",
        wait_until="domcontentloaded",
    )
    desk.get_by_role("button", name="2. Vragenlijst").click()

    # Eight phones join; one in English, one choosing no table. Each answers three statements.
    statements = list(
        Statement.objects.filter(
            element__instrument=workshop.instrument, element__order=1
        ).order_by("order")[:3]
    )
    phones = []
    for number, table in enumerate(PHONE_TABLES):
        english = number == 3
        phone = new_context(**PHONE, locale="en-GB" if english else "nl-NL").new_page()
        phone.set_default_timeout(20_000)
        phone.goto(f"{url}/j/{workshop.code}/")
        if table:
            phone.locator("select[name=table]").select_option(table)
        phone.locator("input[name=consent]").check()
        phone.get_by_role("button", name="Start" if english else "Starten").tap()
        expect(phone).to_have_url(re.compile(r"/survey/1/$"))
        for statement, answer in zip(statements, ["4", "2", "5"], strict=True):
            tap(phone, statement, answer, statement.text_en if english else statement.text_nl)
        phones.append(phone)
    screenshot(phones[3], "rehearsal-phone-english-390x844")
    assert Participant.objects.filter(workshop=workshop).count() == 8
    assert Answer.objects.filter(participant__workshop=workshop).count() == 24
    lost = Participant.objects.get(workshop=workshop, table__isnull=True)

    # The organiser seats the unseated phone at table 2.
    desk.goto(f"{url}/s/{workshop.code}/organiser/")
    seating = desk.locator("#seating")
    expect(seating).to_contain_text("1 deelnemer heeft geen tafel")
    seating.get_by_label("Deelnemer").select_option(str(lost.pk))
    seating.get_by_label("Tafel", exact=True).select_option("2")
    seating.get_by_role("button", name="Plaatsen").click()
    expect(desk.locator("#seating")).to_contain_text("Iedereen die meedoet zit aan een tafel.")

    # Table 2's chair: a seat for someone without a phone, then every person on every element.
    t2 = Table.objects.get(workshop=workshop, number=2)
    tablet = new_context(
        viewport={"width": 768, "height": 1024}, locale="nl-NL", has_touch=True
    ).new_page()
    tablet.set_default_timeout(20_000)
    tablet.goto(f"{url}/s/{workshop.code}/chair/{t2.chair_key}/")
    tablet.get_by_text("Plek toevoegen voor iemand zonder telefoon").click()
    tablet.get_by_label("Initialen (optioneel)").fill("JB")
    tablet.get_by_role("button", name="Plek toevoegen").click()
    expect(tablet.get_by_text("Plek T2·P4 toegevoegd.")).to_be_visible()
    people = list(Participant.objects.filter(table=t2).order_by("seat"))
    assert [p.seat_label for p in people] == ["T2·P1", "T2·P2", "T2·P3", "T2·P4"]
    tabs = tablet.get_by_role("tab")
    expect(tabs).to_have_count(6)
    for element_index in range(6):
        tabs.nth(element_index).click()
        panel = tablet.locator(".panel:not([hidden])")
        for person in people:
            box = panel.get_by_role("textbox", name=f"{person.seat_label} + …")
            box.fill(f"E{element_index + 1} {person.seat_label} denkt mee")
            box.press("Enter")
        expect(tablet.get_by_text("Alle notities verzonden")).to_be_visible()
    screenshot(tablet, "rehearsal-chair-768x1024")
    assert Note.objects.filter(table=t2).count() == 6 * 4
    # ... and records an observation.
    tablet.get_by_text("Observatie vastleggen").click()
    tablet.get_by_label("Opvallende uitspraak").check()
    tablet.locator("#obs-id_text, #obs-text").first.fill("“Zonder haven geen regio.”")
    tablet.get_by_role("button", name="Observatie opslaan").click()
    expect(tablet.get_by_text("Observatie opgeslagen.")).to_be_visible()

    # The phases run to closed; the first move asks first.
    desk.goto(f"{url}/s/{workshop.code}/organiser/")
    desk.get_by_role("button", name="3. Gesprek").click()
    expect(
        desk.get_by_role("heading", name="8 deelnemers zijn nog bezig. Toch sluiten?")
    ).to_be_visible()
    screenshot(desk, "rehearsal-confirm-1366x768")
    desk.get_by_role("button", name="Toch sluiten: Gesprek").click()
    desk.get_by_role("button", name="4. Resultaten").click()
    desk.get_by_role("button", name="5. Afgesloten").click()
    expect(desk.get_by_role("button", name="5. Afgesloten")).to_have_attribute(
        "aria-current", "step"
    )
    expect(projector.get_by_role("heading", name="Bedankt!")).to_be_visible()
    assert projector.locator(".qr").filter(visible=True).count() == 0
    screenshot(projector, "rehearsal-projector-closed-1920x1080")
    late = new_context(**PHONE, locale="nl-NL").new_page()
    late.goto(f"{url}/j/{workshop.code}/")
    expect(late.get_by_role("heading", name="De sessie is afgelopen")).to_be_visible()

    # The export holds all of it.
    response = desk.request.get(f"{url}/s/{workshop.code}/export.xlsx")
    assert response.status == 200
    book = openpyxl.load_workbook(io.BytesIO(response.body()))
    facts = {r[0]: r[1] for r in book["sessie"].iter_rows(values_only=True) if r[0]}
    assert facts["titel"] == "Ecosysteemdialoog Groningen"
    assert facts["focus tafel 1"] == "Haven"
    assert facts["deelnemers"] == 9 and facts["antwoorden"] == 24
    people_rows = list(book["deelnemers"].iter_rows(values_only=True))[1:]
    assert len(people_rows) == 9
    notes = list(book["notities"].iter_rows(values_only=True))[1:]
    assert len(notes) == 24
    assert {(r[0], r[1]) for r in notes} == {(2, p.seat_label) for p in people}
    observations = list(book["observaties"].iter_rows(values_only=True))[1:]
    assert observations[0][2] == "“Zonder haven geen regio.”"
    assert observations[0][3] == "Tafelvoorzitter T2"
    assert Observation.objects.get().table_id == t2.pk
