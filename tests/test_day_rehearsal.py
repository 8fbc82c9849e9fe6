"""The workshop day rehearsed from start to end with every role on one server (uvicorn,
PostgreSQL, Redis) and Debian's Chromium, in the order of the day.

The organiser logs in and creates the session (three tables, a focus for table 1) and prints
the table tents to PDF; a co-organiser of the same team keeps the console open all day and
sees it follow the room without a reload. A rehearsal phone joins and answers, and the
rehearsal is cleared in one confirmed step. In the survey a Dutch and an English phone join
by their tables' tents; the English one loses the network halfway, answers and moves between
elements offline, and everything arrives once it is back. Table 1's chair writes notes and an
observation on a tablet without network (portrait, then turned to landscape), and types in the
paper form of a seat without a phone. The phone that has not finished gets a nudge. The
discussion runs two rounds of the timer; "4. Resultaten" puts the results on the projector in
one step; table 1's own results show on the tablet and the projector; the workbook holds what
the phones answered, and the session closes.

Screens: test-artifacts/day-rehearsal-*.png and day-rehearsal-tents.pdf.
"""

import io
import re

import openpyxl
import pypdf
import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from accounts.models import Membership, Role, Team
from instrument.models import Statement
from notes.models import ExtraSeat, Note, Observation
from sessions.models import Participant, Source, Workshop
from survey.models import Answer
from tests.browser_helpers import (
    CHAIR_SOCKET,
    DESK,
    PASSWORD,
    PHONE,
    PHONE_SOCKET,
    PROJECTOR,
    TABLET,
    Network,
    log_in,
    screenshot,
)
from tests.conftest import ARTIFACTS, ensure_instrument
from tests.test_browser import socket_open, tap_form
from tests.test_offline_browser import WORDS, kept_on, statements_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CITY = "Groningen"
# What each phone taps, statement after statement ("dk": don't know).
TAPS = ["4", "2", "5", "1", "3", "dk", "4", "5"]


@pytest.fixture(autouse=True)
def _patient_expectations():
    """The day keeps eight pages busy at once on a shared machine: each expectation may wait
    up to 15 s for what it expects (Playwright's default is 5 s); none waits once it is so."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=None)  # back to the default for the other modules


def shot(page: Page, step: str, role: str) -> None:
    """test-artifacts/day-rehearsal-<step>-<role>-<width>x<height>.png"""
    size = page.viewport_size or {"width": 0, "height": 0}
    screenshot(page, f"day-rehearsal-{step}-{role}-{size['width']}x{size['height']}")


def console_of(browser, url: str, username: str) -> Page:
    """An organiser's laptop, logged in, on the sessions list."""
    page = browser.new_context(**DESK).new_page()
    page.set_default_timeout(20_000)
    # The login page's own URL ends in ?next=/organiser/: wait for the list itself.
    log_in(page, f"{url}/organiser/", username, PASSWORD, lands_on=f"{url}/organiser/")
    return page


def device(browser, options: dict, **more) -> Page:
    page = browser.new_context(**{**options, **more}).new_page()
    page.set_default_timeout(20_000)
    return page


def join_by_tent(phone: Page, tent_url: str, table: int, language: str) -> None:
    """Scan a table's tent: the join page has that table chosen; agree and start."""
    phone.goto(tent_url)
    expect(phone.locator("select[name=table]")).to_have_value(str(table))
    phone.locator("input[name=consent]").check()
    phone.get_by_role("button", name=WORDS[language]["start"], exact=True).tap()
    expect(phone).to_have_url(re.compile(r"/survey/1/$"))
    socket_open(phone)  # the URL matches before follow.js has opened the phone's socket


def tap(phone: Page, statement: Statement, answer: str, status: str | None) -> None:
    """Tap an answer; with `status`, wait until the phone says so (saved, or kept)."""
    form = tap_form(phone, statement)
    form.locator(f'label.opt:has(input[value="{answer}"])').tap()
    expect(form.locator(f'input[value="{answer}"]')).to_be_checked()
    if status:
        expect(form.locator("p.status")).to_have_text(status)


def score(answer: str) -> int | None:
    return None if answer == "dk" else int(answer)


def test_the_whole_day_with_every_role(browser, server):
    ensure_instrument()
    url = server.url
    team = Team.objects.create(name="Scentiss Noord", slug="scentiss-noord")
    for username in ("organiser", "colleague"):
        user = get_user_model().objects.create_user(username, password=PASSWORD)
        Membership.objects.create(user=user, team=team, role=Role.ORGANISER)

    # --- The organiser logs in and creates the session: three tables, table 1 "Haven".
    desk = console_of(browser, url, "organiser")
    desk.get_by_label("Stad").fill(CITY)
    desk.get_by_label("Datum").fill("2026-11-27")
    desk.get_by_label("Titel").fill("Ecosysteemdialoog Groningen")
    desk.get_by_label("Aantal tafels").fill("3")
    desk.get_by_label("Focus per tafel (optioneel)").fill("Haven\n\nZorg")
    desk.get_by_role("button", name="Sessie aanmaken").click()
    expect(desk.get_by_text("Sessie aangemaakt.")).to_be_visible()
    workshop = Workshop.objects.get(city=CITY)
    assert workshop.team_id == team.pk
    assert [t.focus for t in workshop.tables.order_by("number")] == ["Haven", "", "Zorg"]
    shot(desk, "01", "console")

    # The co-organiser opens the same session from the team's list, and keeps it open.
    colleague = console_of(browser, url, "colleague")
    colleague.get_by_role("link", name=CITY, exact=True).click()
    expect(colleague).to_have_url(re.compile(rf"/s/{workshop.code}/organiser/$"))
    expect(colleague.locator("#live-status")).to_have_attribute("data-state", "live")
    colleague.evaluate("window.openedOnce = true")  # gone if the page ever reloads
    joined_seen_by_colleague = colleague.locator("#dash-joined")
    expect(joined_seen_by_colleague).to_have_text("0")

    # The projector, from the console's link, on the wall.
    href = desk.get_by_role("link", name="Projector openen").get_attribute("href")
    projector = device(browser, PROJECTOR)
    projector.set_default_timeout(30_000)
    projector.goto(href, wait_until="domcontentloaded")
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(projector.locator("#beamer")).to_have_attribute("data-mode", "join")
    # The title says what the heading says: shown once.
    expect(projector.locator(".join-screen h1")).to_have_text(f"Ecosysteemdialoog {CITY}")
    expect(projector.locator(".join-screen .subtitle")).to_have_count(0)
    shot(projector, "02", "projector-join")

    # --- The table tents, printed to PDF: one A4 page per table, whose QR chooses the table.
    with desk.context.expect_page() as opened:
        desk.get_by_role("link", name="Tafelbordjes").click()
    tents = opened.value
    tents.set_default_timeout(20_000)
    expect(tents.locator("article.tent")).to_have_count(3)
    tent_urls = {}
    for number in (1, 2, 3):
        qr = tents.locator(f"#tent-{number} .tent-side:not(.tent-back) .tent-qr")
        tent_urls[number] = qr.get_attribute("data-url")
        assert tent_urls[number] == f"{url}/j/{workshop.code}/?table={number}"
        expect(qr.locator("svg")).to_be_visible()
    pdf = tents.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    (ARTIFACTS / "day-rehearsal-tents.pdf").write_bytes(pdf)
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 3
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"Tafel {number}" in text and workshop.code in text, text
    assert "Haven" in pages[0].extract_text() and "Zorg" in pages[2].extract_text()
    tents.close()

    # --- The rehearsal: the organiser's own phone scans table 1's tent and answers.
    desk.get_by_role("button", name="Proefronde: QR-code en vragenlijst uitproberen").click()
    expect(desk.locator(".messages")).to_contain_text("Proefronde gestart")
    elements = statements_of(workshop)
    trial = device(browser, PHONE)
    join_by_tent(trial, tent_urls[1], 1, "nl")
    tap(trial, elements[0][0], "4", WORDS["nl"]["saved"])
    shot(trial, "03", "phone-rehearsal")
    expect(joined_seen_by_colleague).to_have_text("1")  # live, without a reload
    expect(colleague.locator("#dash-respondents")).to_have_text("1")
    expect(projector.locator("#participants")).to_have_text("1")
    shot(colleague, "04", "co-organiser-rehearsal")
    # Cleared in one confirmed step: the counts go back to zero everywhere.
    desk.goto(f"{url}/s/{workshop.code}/organiser/")
    desk.get_by_role("link", name="Proefronde wissen…").click()
    expect(desk.locator("#rehearsal-clear")).to_contain_text("alle 1 deelnemers")
    shot(desk, "05", "console-rehearsal-clear")
    desk.get_by_role("button", name="Ja, proefronde wissen").click()
    expect(desk.locator(".messages")).to_contain_text("Proefronde gewist: 1 deelnemer")
    expect(desk.locator("#dash-joined")).to_have_text("0")
    expect(desk.locator("#dash-respondents")).to_have_text("0")
    expect(joined_seen_by_colleague).to_have_text("0")
    expect(colleague.locator("#dash-respondents")).to_have_text("0")
    expect(projector.locator("#participants")).to_have_text("0")
    assert not Participant.objects.exists() and not Answer.objects.exists()
    trial.context.close()

    # --- The survey opens; the projector shows the chart. No rehearsal to clear any more.
    desk.get_by_role("button", name="2. Vragenlijst").click()
    expect(desk.get_by_role("button", name="2. Vragenlijst")).to_have_attribute(
        "aria-current", "step"
    )
    expect(desk.locator("#rehearsal")).to_contain_text(
        "De vragenlijst is begonnen: een proefronde kan niet meer gewist worden."
    )
    expect(desk.get_by_role("link", name="Proefronde wissen…")).to_have_count(0)
    # ... and the co-organiser's console says so too, without a reload.
    expect(colleague.get_by_role("button", name="2. Vragenlijst")).to_have_attribute(
        "aria-current", "step"
    )
    expect(colleague.get_by_role("link", name="Proefronde wissen…")).to_have_count(0)
    desk.get_by_role("button", name="Spiderdiagram").click()
    expect(projector.locator("#beamer")).to_have_attribute("data-mode", "chart")

    expected: dict[tuple[str, str], int | None] = {}  # (seat, statement key) -> score

    # A Dutch phone at table 1 answers the first element and stops there.
    anna = device(browser, PHONE)
    join_by_tent(anna, tent_urls[1], 1, "nl")
    for statement, answer in zip(elements[0], TAPS, strict=True):
        tap(anna, statement, answer, WORDS["nl"]["saved"])
        expected["T1·P1", statement.key] = score(answer)
    expect(anna.get_by_text("Je bent T1·P1")).to_be_visible()
    expect(projector.locator("#respondents")).to_have_text("1")
    expect(colleague.locator("#dash-respondents")).to_have_text("1")
    shot(anna, "06", "phone-nl")

    # An English phone at table 2 answers everything; the network goes halfway.
    en = WORDS["en"]
    ben_context = browser.new_context(**{**PHONE, "locale": en["locale"]})
    network = Network(ben_context, PHONE_SOCKET)
    ben = ben_context.new_page()
    ben.set_default_timeout(20_000)
    join_by_tent(ben, tent_urls[2], 2, "en")
    expect(ben.get_by_text("You are T2·P1")).to_be_visible()
    expect(ben.locator(".survey")).to_have_attribute("data-pages-kept", "6")
    bens = Answer.objects.filter(participant__table__number=2)
    answers = iter(TAPS * 6)
    first, second, third = elements[0], elements[1], elements[2]
    for statement in first[:4]:
        tap(ben, statement, answer := next(answers), en["saved"])
        expected["T2·P1", statement.key] = score(answer)
    network.cut()
    ben.wait_for_function("() => !window.scentissPhone.isOpen()")
    offline_taps = [*first[4:], *second, *third[:3]]
    for statement in first[4:]:
        tap(ben, statement, answer := next(answers), en["kept"])
        expected["T2·P1", statement.key] = score(answer)
    shot(ben, "07", "phone-en-offline")
    ben.get_by_role("link", name=en["next"]).tap()
    expect(ben.get_by_text(en["element"].format(n=2))).to_be_visible()
    expect(ben).to_have_url(re.compile(r"/survey/2/$"))
    for statement in second:
        tap(ben, statement, answer := next(answers), en["kept"])
        expected["T2·P1", statement.key] = score(answer)
    # Back to the first element and on again, still offline: the kept answers are shown.
    ben.get_by_role("link", name=en["previous"]).tap()
    expect(ben.get_by_text(en["element"].format(n=1))).to_be_visible()
    last_of_first = first[-1]
    expect(tap_form(ben, last_of_first).locator("p.status")).to_have_text(en["kept"])
    expect(
        tap_form(ben, last_of_first).locator(f'input[value="{TAPS[(len(first) - 1) % len(TAPS)]}"]')
    ).to_be_checked()
    for number in (2, 3):
        ben.get_by_role("link", name=en["next"]).tap()
        expect(ben.get_by_text(en["element"].format(n=number))).to_be_visible()
    for statement in third[:3]:
        tap(ben, statement, answer := next(answers), en["kept"])
        expected["T2·P1", statement.key] = score(answer)
    expect(ben.locator("#kept")).to_contain_text(f"No connection: {len(offline_taps)} answers")
    shot(ben, "08", "phone-en-offline-kept")
    assert kept_on(ben, "scentiss.tap.") == len(offline_taps)
    assert bens.count() == 4
    # Back online: every kept tap is stored, once.
    network.restore()
    ben.wait_for_function(
        "() => !Object.keys(localStorage).some(k => k.startsWith('scentiss.tap.'))"
    )
    expect(ben.locator("#kept")).to_be_hidden()
    socket_open(ben)
    assert bens.count() == 4 + len(offline_taps)
    # ... and the rest online, to the end.
    for statement in third[3:]:
        tap(ben, statement, answer := next(answers), en["saved"])
        expected["T2·P1", statement.key] = score(answer)
    for number, statements in enumerate(elements[3:], start=4):
        ben.get_by_role("link", name=en["next"]).tap()
        expect(ben.get_by_text(en["element"].format(n=number))).to_be_visible()
        for statement in statements:
            tap(ben, statement, answer := next(answers), en["saved"])
            expected["T2·P1", statement.key] = score(answer)
    ben.get_by_role("link", name=en["finish"]).tap()
    expect(ben.get_by_role("heading", name="Thank you!")).to_be_visible()
    expect(ben.get_by_text("You answered every statement.")).to_be_visible()
    shot(ben, "09", "phone-en-done")
    expect(colleague.locator("#dash-finished")).to_have_text("1")
    expect(projector.locator("#respondents")).to_have_text("2")

    # --- Table 1's chair: notes and an observation without network, on a turned tablet.
    chair_url = desk.locator("#chair-links li").nth(0).locator("a").get_attribute("href")
    tablet_context = browser.new_context(**TABLET)
    tablet_network = Network(tablet_context, CHAIR_SOCKET)
    tablet = tablet_context.new_page()
    tablet.set_default_timeout(20_000)
    tablet.goto(chair_url)
    expect(tablet.get_by_role("heading", name=f"Tafel 1 · {CITY}")).to_be_visible()
    expect(tablet.locator("#table-focus")).to_have_text("Focus: Haven")
    tablet_network.cut()
    panel = tablet.locator(".panel:not([hidden])")
    note = panel.get_by_role("textbox", name="T1·P1 + …")
    note.fill("Kent iedereen in de haven")
    note.press("Enter")
    agree = panel.locator(".table-board textarea").first
    agree.fill("Iedereen noemt de haven")
    agree.press("Enter")
    expect(tablet.locator("li.note.pending")).to_have_count(2)
    expect(tablet.locator("#sync-status")).to_contain_text("2 notities nog niet verzonden")
    shot(tablet, "10", "tablet-notes-offline-portrait")
    tablet.get_by_text("Observatie vastleggen").click()
    observations = tablet.locator("#chair-observations")
    observations.get_by_label("Thema").check()
    observations.get_by_label("Observatie", exact=True).fill("Zonder haven geen regio.")
    observations.get_by_role("button", name="Observatie opslaan").click()
    expect(observations.locator("li.observation.pending")).to_contain_text("nog niet verzonden")
    expect(tablet.locator("#observation-status")).to_contain_text("1 observatie nog niet")
    shot(tablet, "11", "tablet-observation-offline-portrait")
    tablet.set_viewport_size({"width": 1024, "height": 768})  # the chair turns the tablet
    assert tablet.evaluate("document.documentElement.scrollWidth") <= 1024
    tablet.evaluate("window.scrollTo(0, 0)")
    expect(tablet.locator("li.note.pending").first).to_be_in_viewport()
    shot(tablet, "12", "tablet-notes-offline-landscape")
    assert not Note.objects.exists() and not Observation.objects.exists()
    tablet_network.restore()
    expect(tablet.locator("#sync-status")).to_have_text("✓ Alle notities verzonden")
    expect(tablet.locator("#observation-status")).to_have_text("✓ Observatie opgeslagen.")
    expect(tablet.locator("li.note.pending")).to_have_count(0)
    assert sorted(Note.objects.values_list("table__number", "text")) == [
        (1, "Iedereen noemt de haven"),
        (1, "Kent iedereen in de haven"),
    ]
    assert Observation.objects.get().table.number == 1

    # The paper form of a seat without a phone fills that seat: one person, one participant.
    tablet.get_by_text("Plek toevoegen voor iemand zonder telefoon").click()
    tablet.get_by_label("Initialen (optioneel)").fill("JB")
    tablet.get_by_role("button", name="Plek toevoegen").click()
    expect(tablet.get_by_text("Plek T1·P2 toegevoegd.")).to_be_visible()
    row = tablet.locator(".panel:not([hidden]) .board-row", has_text="T1·P2")
    row.get_by_role("link", name="papieren formulier invullen").click()
    expect(
        tablet.get_by_role("heading", name=re.compile("Papieren formulier van T1·P2"))
    ).to_be_visible()
    for statement, answer in zip(first[:3], ["2", "3", "dk"], strict=True):
        tablet.locator(f"input[name=s{statement.pk}][value='{answer}']").check(force=True)
        expected["T1·P2", statement.key] = score(answer)
    shot(tablet, "13", "tablet-paper-form")
    tablet.get_by_role("button", name="Dit papieren formulier opslaan").click()
    expect(tablet.locator(".messages")).to_contain_text(
        "Papieren formulier van T1·P2 opgeslagen: 3 antwoorden"
    )
    paper = Participant.objects.get(table__number=1, seat=2)
    assert paper.source == Source.PAPER and ExtraSeat.objects.get().participant_id == paper.pk
    assert Participant.objects.count() == 3
    expect(joined_seen_by_colleague).to_have_text("3")

    # --- The nudge: the phone that has not finished gets it; the one that did, not.
    desk.goto(f"{url}/s/{workshop.code}/organiser/")
    nudge = desk.locator("ul.nudge")
    expect(nudge).to_contain_text("T1·P1 8/46")
    expect(nudge).not_to_contain_text("T2·P1")
    expect(nudge).not_to_contain_text("T1·P2")  # a paper form is never nudged
    desk.get_by_role("button", name="Stuur deze telefoons een herinnering").click()
    expect(desk.locator(".messages")).to_contain_text("Herinnering verstuurd naar 1 telefoon.")
    expect(anna.locator("#nudge-banner")).to_contain_text("Een vriendelijke herinnering")
    expect(ben.locator("#nudge-banner")).to_have_count(0)
    shot(anna, "14", "phone-nl-nudged")
    shot(desk, "15", "console-survey")

    # --- The discussion: two rounds of the timer, the projector following the elements.
    desk.get_by_role("button", name="3. Gesprek").click()
    expect(
        desk.get_by_role("heading", name="1 deelnemer is nog bezig. Toch sluiten?")
    ).to_be_visible()
    desk.get_by_role("button", name="Toch sluiten: Gesprek").click()
    desk.get_by_role("button", name="Discussievragen").click()
    expect(projector.locator("#beamer")).to_have_attribute("data-mode", "discussion")
    expect(projector.locator("#discussion-title")).to_have_text("Kennis & Vaardigheden")
    desk.get_by_label("Minuten per ronde").fill("10")
    desk.get_by_role("button", name="Ronde starten").click()
    counting = re.compile(r"^(10:00|9:[0-5]\d)$")
    expect(projector.locator("#round-timer")).to_have_text(counting)
    expect(desk.locator("#round-timer")).to_have_text(counting)
    expect(colleague.locator("#round-timer")).to_have_text(counting)  # live, no reload
    expect(colleague.get_by_role("button", name="3. Gesprek")).to_have_attribute(
        "aria-current", "step"
    )
    shot(projector, "16", "projector-round-1")
    desk.get_by_role("button", name="Volgend element →").click()
    expect(projector.locator("#discussion-title")).to_have_text("Sociaal Netwerk")
    expect(projector.locator("#round-timer")).to_have_text(counting)
    expect(desk.locator(".phases.elements button.current")).to_have_text("Sociaal Netwerk")
    workshop.refresh_from_db()
    assert (workshop.projector_element, workshop.round_minutes) == (2, 10)
    expect(colleague.locator(".phases.elements button.current").first).to_have_text(
        "Sociaal Netwerk"
    )
    shot(projector, "17", "projector-round-2")
    colleague.locator("#round").scroll_into_view_if_needed()
    shot(colleague, "18", "co-organiser-round")

    # --- Results in one step: the projector's chart, the phones' own results.
    desk.get_by_role("button", name="4. Resultaten").click()
    expect(desk.get_by_text("Telefoons tonen de resultaten.")).to_be_visible()
    expect(projector.locator("#beamer")).to_have_attribute("data-mode", "chart")
    expect(projector.locator("#chart .main-svg").first).to_be_visible()
    # The discussion's rounds are over: no timer on the projector or the console.
    expect(projector.locator("#round-timer")).to_be_hidden()
    expect(desk.locator("#round-timer")).to_be_hidden()
    expect(anna.get_by_role("heading", name=f"De resultaten van {CITY}")).to_be_visible()
    expect(ben.get_by_role("heading", name=f"The results of {CITY}")).to_be_visible()
    expect(colleague.get_by_role("button", name="4. Resultaten")).to_have_attribute(
        "aria-current", "step"
    )
    shot(projector, "19", "projector-results")
    shot(anna, "20", "phone-nl-results")
    shot(ben, "21", "phone-en-results")

    # Table 1's own results: Kennis at table 1 is anna's and JB's own means averaged; the
    # rest of the room is ben's.
    def kennis_mean(seat: str) -> float:
        scores = [v for (s, k), v in expected.items() if s == seat and k.startswith("kennis")]
        given = [v for v in scores if v is not None]
        return sum(given) / len(given)

    table_1 = (kennis_mean("T1·P1") + kennis_mean("T1·P2")) / 2
    rest = kennis_mean("T2·P1")
    room = (kennis_mean("T1·P1") + kennis_mean("T1·P2") + rest) / 3
    desk.locator("#projector-tables").get_by_role("button", name="1 · Haven").click()
    expect(projector.locator("#beamer")).to_have_attribute("data-mode", "table")
    expect(projector.locator("#table-title")).to_have_text(
        "Tafel 1 · Haven tegenover de rest van de zaal"
    )
    legend = projector.locator("#table-chart .legendtext")
    expect(legend.nth(0)).to_have_text("Tafel 1 · Haven (2)")
    expect(legend.nth(1)).to_have_text("rest van de zaal (1)")
    shown = projector.evaluate("window.scentissSnapshot.projector.table.elements[0]")
    assert shown["key"] == "kennis"
    assert (shown["table"], shown["rest"]) == (pytest.approx(table_1), pytest.approx(rest))
    # The two values' labels on either side along the axis, the higher one outward (above, on
    # the top axis): one on top of the other, they could not be read.
    rest_sides, table_sides = projector.evaluate(
        "[...document.getElementById('table-chart').data].map(t => t.textposition[0])"
    )
    assert {rest_sides, table_sides} == {"top center", "bottom center"}
    assert (table_sides == "top center") == (table_1 >= rest)
    expect(colleague.locator("#projector-tables button.current")).to_have_text("1 · Haven")
    shot(projector, "22", "projector-table-1")
    tablet.goto(chair_url)
    tablet.get_by_text("De resultaten van deze tafel tegenover de zaal").click()
    kennis = tablet.locator("#table-results .spider-numbers tr", has_text="Kennis")
    expect(kennis.locator("td").nth(0)).to_have_text(f"{table_1:.1f}".replace(".", ","))
    expect(kennis.locator("td").nth(1)).to_have_text(f"{room:.1f}".replace(".", ","))
    # Just under the tablet's bar of tabs, which stays on top of what scrolls under it.
    tablet.locator("#table-results").evaluate(
        """e => window.scrollBy(0, e.getBoundingClientRect().top
               - document.querySelector('.chair-bar').getBoundingClientRect().height)"""
    )
    shot(tablet, "23", "tablet-table-results")

    # --- The workbook holds what the phones and the paper form answered.
    response = desk.request.get(f"{url}/s/{workshop.code}/export.xlsx")
    assert response.status == 200
    book = openpyxl.load_workbook(io.BytesIO(response.body()))
    facts = {r[0]: r[1] for r in book["sessie"].iter_rows(values_only=True) if r[0]}
    dont_know = sum(v is None for v in expected.values())
    assert (facts["deelnemers"], facts["respondenten"]) == (3, 3)
    assert (facts["antwoorden"], facts["weet-ik-niet-antwoorden"]) == (len(expected), dont_know)
    assert (facts["notities"], facts["observaties"], facts["focus tafel 1"]) == (2, 1, "Haven")
    people = {r[0]: r for r in list(book["deelnemers"].iter_rows(values_only=True))[1:]}
    assert {seat: (r[1], r[4], r[6]) for seat, r in people.items()} == {
        "T1·P1": (1, "telefoon", 8),
        "T2·P1": (2, "telefoon", 46),
        "T1·P2": (1, "papier", 3),
    }
    rows = list(book["antwoorden"].iter_rows(values_only=True))
    header = rows[0]
    seat, key, given = (header.index(c) for c in ("deelnemer", "code stelling", "score"))
    assert {
        (r[seat], r[key]): (None if r[given] == "weet ik niet" else r[given]) for r in rows[1:]
    } == expected
    assert len(rows) - 1 == len(expected)

    # --- The session closes: the projector thanks the room, a late phone is told.
    desk.get_by_role("button", name="5. Afgesloten").click()
    expect(projector.get_by_role("heading", name="Bedankt!")).to_be_visible()
    assert projector.locator(".qr").filter(visible=True).count() == 0
    late = device(browser, PHONE)
    late.goto(tent_urls[3])
    expect(late.get_by_role("heading", name="De sessie is afgelopen")).to_be_visible()
    # The co-organiser's console followed all day without a single reload.
    assert colleague.evaluate("window.openedOnce") is True
    colleague.evaluate("window.scrollTo(0, 0)")
    expect(colleague.get_by_role("button", name="5. Afgesloten")).to_have_attribute(
        "aria-current", "step"
    )
    shot(colleague, "24", "co-organiser-end")
