"""What a facilitator reaches for on the day, used as they would in Chromium against the app
under uvicorn: table tents printed to PDF, a round timer, a rehearsal cleared before the room
arrives, a nudge to the phones still answering, a table's own results."""

import datetime
import re

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from sessions import signals
from sessions.models import Participant, Phase, Table, Workshop
from sessions.qr import qr_svg
from sessions.services import workshop_update
from tests.browser_helpers import (
    PROJECTOR,
    TABLET,
    desk_page,
    off_the_loop,
    phone_page,
    screenshot,
)
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workshop(transactional_db, make_workshop) -> Workshop:
    return make_workshop(city="Zwolle", date=datetime.date(2026, 12, 10), phase=Phase.JOIN)


def end_the_round_now(*, workshop_id: int) -> None:
    """As if the round's minutes had passed (a new version, announced as any change is)."""
    Workshop.objects.filter(pk=workshop_id).update(
        round_ends_at=timezone.now(), results_version=F("results_version") + 1
    )
    signals.results_changed.send(sender=Workshop, workshop_id=workshop_id)


def test_table_tents_print_one_card_per_table_whose_qr_chooses_the_table(browser, server, workshop):
    off_the_loop(
        workshop_update,
        workshop=workshop,
        city="Zwolle",
        title="",
        date=workshop.date,
        tables=3,
        focus={2: "Haven"},
    )
    desk = desk_page(browser, server, workshop)
    with desk.context.expect_page() as opened:
        desk.get_by_role("link", name="Tafelbordjes").click()
    tents = opened.value
    tents.wait_for_load_state()
    expect(tents.get_by_role("heading", name="Tafelbordjes · Zwolle")).to_be_visible()
    cards = tents.locator("article.tent")
    expect(cards).to_have_count(3)
    haven = tents.locator("#tent-2 .tent-side:not(.tent-back)")
    expect(haven.locator(".tent-number")).to_have_text("Tafel 2")
    expect(haven.locator(".tent-focus")).to_have_text("Haven")
    expect(haven.locator(".tent-code")).to_contain_text(workshop.code)
    url = haven.locator(".tent-qr").get_attribute("data-url")
    assert url == f"{server.url}/j/{workshop.code}/?table=2"
    # The code drawn is the code of that URL (segno draws the same modules for the same text).
    drawn = haven.locator(".tent-qr svg path").first.get_attribute("d")
    assert drawn and drawn in qr_svg(url, scale=10)
    screenshot(tents, "facilitator-table-tents-1366x768", full_page=True)

    # Printed: one A4 page per table, nothing of the console around it.
    pdf = tents.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    (ARTIFACTS / "facilitator-table-tents.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 3
    tents.emulate_media(media="print")
    boxes = [cards.nth(i).bounding_box() for i in range(3)]
    assert all(b is not None for b in boxes)
    # 210 x 296 mm at 96 dpi, one under the other: each card fills its sheet.
    assert all(abs(b["width"] - 793) < 3 and abs(b["height"] - 1118) < 4 for b in boxes)
    qr = tents.locator("#tent-2 .tent-side:not(.tent-back) .tent-qr").bounding_box()
    assert qr is not None and qr["width"] > 250  # about 8 cm: scanned from across a table
    tents.screenshot(path=str(ARTIFACTS / "facilitator-table-tents-print.png"), full_page=True)

    # The phone that scans table 2's card finds table 2 chosen, and sits there.
    phone = phone_page(browser)
    phone.goto(url)
    expect(phone.locator("select[name=table]")).to_have_value("2")
    expect(phone.locator("#table-hint")).to_have_count(0)
    screenshot(phone, "facilitator-join-from-tent-390x844")
    phone.locator("input[name=consent]").check()
    phone.get_by_role("button", name="Starten").click()
    expect(phone.get_by_text("Je bent T2·P1")).to_be_visible()
    assert Participant.objects.get().table.number == 2


def test_a_round_timer_runs_on_projector_and_console_and_next_element_moves_both(
    browser, server, workshop
):
    from sessions.services import workshop_update_state

    off_the_loop(
        workshop_update_state,
        workshop=workshop,
        phase=Phase.DISCUSSION,
        projector_mode="discussion",
    )
    desk = desk_page(browser, server, workshop)
    projector = browser.new_context(**PROJECTOR).new_page()
    projector.set_default_timeout(20_000)
    projector.goto(f"{server.url}/s/{workshop.code}/projector/?key={workshop.projector_key}")
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(projector.locator("#discussion-title")).to_have_text("Kennis & Vaardigheden")
    expect(projector.locator("#round-timer")).to_be_hidden()
    # The join URL breaks before the code, never inside it.
    code_box = projector.locator(".with-aside .join-code").bounding_box()
    assert code_box is not None and code_box["height"] < 40

    # Round one: 15 minutes, counting down on both screens.
    desk.get_by_label("Minuten per ronde").fill("15")
    desk.get_by_role("button", name="Ronde starten").click()
    timer = projector.locator("#round-timer")
    expect(timer).to_have_text(re.compile(r"^1[45]:\d\d$"))
    expect(desk.locator("#round-timer")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    first = timer.text_content()
    expect(timer).not_to_have_text(first or "")  # it counts
    screenshot(projector, "facilitator-round-timer-projector-1920x1080")
    screenshot(desk, "facilitator-round-timer-console-1366x768")
    size = projector.evaluate(
        "parseFloat(getComputedStyle(document.getElementById('round-timer')).fontSize)"
    )
    assert size >= 24

    # Next element: the projector's discussion moves on and round two starts, live.
    desk.get_by_role("button", name="Volgend element →").click()
    expect(projector.locator("#discussion-title")).to_have_text("Sociaal Netwerk")
    expect(timer).to_have_text(re.compile(r"^1[45]:\d\d$"))
    expect(desk.locator(".phases.elements button.current")).to_have_text("Sociaal Netwerk")
    workshop.refresh_from_db()
    assert workshop.projector_element == 2 and workshop.round_minutes == 15

    # A round whose time is up says so; stopping hides the timer.
    off_the_loop(end_the_round_now, workshop_id=workshop.pk)
    expect(timer).to_have_text("De tijd is om")
    screenshot(projector, "facilitator-round-time-up-1920x1080")
    desk.reload()
    desk.get_by_role("button", name="Timer stoppen").click()
    expect(timer).to_be_hidden()

    # Past the last element there is no next one.
    off_the_loop(workshop_update_state, workshop=workshop, projector_element=6)
    desk.reload()
    expect(desk.get_by_role("button", name="Volgend element →")).to_be_disabled()


def test_a_second_organisers_console_follows_the_room_without_a_reload(browser, server, workshop):
    """Two organisers of a session, each with the console open: what one moves (the phase, the
    projector's table, the round) shows on the other's controls without a reload, so the other
    is never offered a rehearsal or a phase that is over. Never under the other's hands: while
    they type the round's minutes the controls wait, and follow once the field is left."""
    desk = desk_page(browser, server, workshop)
    other = desk_page(browser, server, workshop, username="colleague")
    expect(other.locator("#live-status")).to_have_attribute("data-state", "live")
    other.evaluate("window.openedOnce = true")  # gone if the page reloads

    desk.get_by_role("button", name="2. Vragenlijst").click()
    expect(other.get_by_role("button", name="2. Vragenlijst")).to_have_attribute(
        "aria-current", "step"
    )
    expect(other.get_by_role("button", name="1. Aanmelden")).not_to_have_attribute(
        "aria-current", "step"
    )
    expect(other.locator("#rehearsal")).to_contain_text("De vragenlijst is begonnen")
    expect(other.get_by_role("link", name="Proefronde wissen…")).to_have_count(0)

    desk.locator("#projector-tables").get_by_role("button", name="2").click()
    expect(other.locator("#projector-tables button.current")).to_have_text("2")
    expect(other.get_by_role("button", name="Spiderdiagram")).not_to_have_attribute(
        "aria-current", "true"
    )
    screenshot(other, "facilitator-second-console-follows-1366x768")

    # The other organiser is typing the minutes when the round starts: nothing moves under
    # their hands; the timer counts, and the controls follow once the field is left.
    minutes = other.get_by_label("Minuten per ronde")
    minutes.fill("7")
    desk.get_by_label("Minuten per ronde").fill("12")
    desk.get_by_role("button", name="Ronde starten").click()
    expect(other.locator("#round-timer")).to_have_text(re.compile(r"^1[12]:\d\d$"))
    expect(other.locator("#controls")).to_have_attribute("data-stale", "")
    expect(minutes).to_be_focused()
    expect(minutes).to_have_value("7")
    expect(other.get_by_role("button", name="Timer stoppen")).to_have_count(0)
    other.locator("#dashboard-card h2").click()  # the organiser looks elsewhere
    expect(other.get_by_role("button", name="Timer stoppen")).to_be_visible()
    expect(other.locator("#controls")).not_to_have_attribute("data-stale", "")
    expect(other.get_by_label("Minuten per ronde")).to_have_value("12")
    # The timer redrawn with the controls still counts, and the next element shows.
    expect(other.locator("#round-timer")).to_have_text(re.compile(r"^1[12]:\d\d$"))
    desk.get_by_role("button", name="Volgend element →").click()
    expect(other.locator(".phases.elements button.current").first).to_have_text("Sociaal Netwerk")
    assert other.evaluate("window.openedOnce") is True


def test_a_rehearsal_is_tried_on_a_phone_and_cleared_in_one_confirmed_step(
    browser, server, workshop
):
    from sessions.services import workshop_update_state
    from survey.models import Answer, ItemTally

    desk = desk_page(browser, server, workshop)
    desk.get_by_role("button", name="Proefronde: QR-code en vragenlijst uitproberen").click()
    expect(desk.locator(".messages")).to_contain_text("Proefronde gestart")
    # The organiser's own phone scans the QR code and answers, in the arrival phase.
    phone = phone_page(browser)
    phone.goto(f"{server.url}/j/{workshop.code}/?table=1")
    phone.locator("input[name=consent]").check()
    phone.get_by_role("button", name="Starten").click()
    expect(phone).to_have_url(re.compile(r"/survey/1/$"))
    phone.locator("form.statement").first.locator("label", has_text="4").first.click()
    expect(phone.locator("#progress")).to_contain_text("1 van 46 beantwoord")
    expect(desk.locator("#dash-respondents")).to_have_text("1")
    screenshot(desk, "facilitator-rehearsal-console-1366x768")

    # Cleared in one confirmed step: nobody, no answers, no tallies; the room starts at 0.
    desk.get_by_role("link", name="Proefronde wissen…").click()
    expect(desk.locator("#rehearsal-clear")).to_contain_text("alle 1 deelnemers")
    screenshot(desk, "facilitator-rehearsal-clear-1366x768")
    desk.get_by_role("button", name="Ja, proefronde wissen").click()
    expect(desk.locator(".messages")).to_contain_text("Proefronde gewist: 1 deelnemer")
    expect(desk.locator("#dash-joined")).to_have_text("0")
    assert not Participant.objects.exists() and not Answer.objects.exists()
    assert not ItemTally.objects.filter(n__gt=0).exists()
    workshop.refresh_from_db()
    assert workshop.rehearsing is False
    # The rehearsal's phone is a stranger now: it joins again like anyone.
    phone.reload()
    expect(phone.get_by_role("button", name="Starten")).to_be_visible()

    # Once the survey has started, clearing is refused, and the page says why.
    off_the_loop(workshop_update_state, workshop=workshop, phase=Phase.SURVEY)
    desk.goto(f"{server.url}/s/{workshop.code}/rehearsal/clear/")
    expect(desk.get_by_role("alert")).to_contain_text("De vragenlijst is begonnen")
    expect(desk.get_by_role("button", name="Ja, proefronde wissen")).to_have_count(0)
    screenshot(desk, "facilitator-rehearsal-refused-1366x768")


def test_a_nudge_reaches_the_phones_that_have_not_finished_in_their_language(
    browser, server, workshop
):
    from sessions.services import workshop_update_state

    off_the_loop(workshop_update_state, workshop=workshop, phase=Phase.SURVEY)
    dutch = phone_page(browser)
    english = phone_page(browser, locale="en-GB")
    for phone, start in [(dutch, "Starten"), (english, "Start")]:
        phone.goto(f"{server.url}/j/{workshop.code}/")
        phone.locator("input[name=consent]").check()
        phone.get_by_role("button", name=start, exact=True).click()
        expect(phone).to_have_url(re.compile(r"/survey/1/$"))
        # the URL matches once navigation commits, before follow.js has run
        phone.wait_for_function("() => window.scentissPhone && window.scentissPhone.isOpen()")
    desk = desk_page(browser, server, workshop)
    expect(desk.locator("ul.nudge")).to_contain_text("P2 0/46")
    desk.get_by_role("button", name="Stuur deze telefoons een herinnering").click()
    expect(desk.locator(".messages")).to_contain_text("Herinnering verstuurd naar 2 telefoons.")
    banner = dutch.locator("#nudge-banner")
    expect(banner).to_contain_text("Een vriendelijke herinnering")
    expect(english.locator("#nudge-banner")).to_contain_text("A friendly reminder")
    screenshot(dutch, "facilitator-nudge-phone-390x844")
    screenshot(english, "facilitator-nudge-phone-en-390x844")
    banner.get_by_role("button", name="Oké").click()
    expect(banner).to_have_count(0)
    # The console's button is gone once the survey is closed.
    off_the_loop(workshop_update_state, workshop=workshop, phase=Phase.DISCUSSION)
    desk.reload()
    expect(desk.get_by_role("button", name="Stuur deze telefoons een herinnering")).to_have_count(0)


def test_a_chair_sees_the_tables_own_results_against_the_room(browser, server, workshop):
    from instrument.models import Statement
    from sessions.services import participant_join
    from survey.services import answer_save

    t1, t2 = Table.objects.filter(workshop=workshop).order_by("number")[:2]
    tablet = browser.new_context(**TABLET).new_page()
    tablet.set_default_timeout(20_000)
    chair = f"{server.url}/s/{workshop.code}/chair/{t1.chair_key}/"
    tablet.goto(chair)
    tablet.get_by_text("De resultaten van deze tafel tegenover de zaal").click()
    expect(tablet.locator("#table-results")).to_contain_text(
        "De grafiek wacht op de eerste antwoorden."
    )
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.SURVEY)
    workshop.refresh_from_db()
    kennis = Statement.objects.filter(
        element__instrument=workshop.instrument, element__order=1
    ).first()
    for table, score in [(t1, 5), (t2, 1), (t2, 2)]:
        p = off_the_loop(participant_join, workshop=workshop, table=table, role="")
        off_the_loop(answer_save, participant=p, statement_id=kennis.pk, score=score)
    tablet.reload()
    tablet.get_by_text("De resultaten van deze tafel tegenover de zaal").click()
    row = tablet.locator("#table-results .spider-numbers tr", has_text="Kennis")
    expect(row.locator("td").nth(0)).to_have_text("5,0")  # this table
    expect(row.locator("td").nth(1)).to_have_text("2,7")  # the room
    # Kennis at the top: this table's 5 at the outer ring (radius 110 around 180, 180).
    expect(tablet.locator("#table-results svg polygon.series.first")).to_have_attribute(
        "points", re.compile(r"^180\.0,70\.0 ")
    )
    tablet.locator("#table-results").scroll_into_view_if_needed()
    screenshot(tablet, "facilitator-table-results-chair-768x1024")
    assert tablet.evaluate("document.documentElement.scrollWidth") <= 768
