"""The room's view of its tables and the phone's own numbers, used as people would in
Chromium against the app under uvicorn: the projector sets one table (its focus: "Haven")
against the rest of the room, the phone's results as a spider against the room, the paper
form's answers on a tablet, a chair's heading that follows an edited focus."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from sessions.models import Phase, Table, Workshop
from sessions.services import participant_join, workshop_create, workshop_update
from tests.browser_helpers import PROJECTOR, log_in, off_the_loop, screenshot
from tests.conftest import ensure_instrument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"viewport": {"width": 1366, "height": 768}, "locale": "nl-NL"}
PASSWORD = "a-long-password-1"


@pytest.fixture
def workshop(transactional_db) -> Workshop:
    workshop = workshop_create(
        city="Zwolle",
        date=datetime.date(2026, 12, 10),
        tables=3,
        instrument=ensure_instrument(),
        phase=Phase.SURVEY,
    )
    workshop_update(
        workshop=workshop,
        city="Zwolle",
        title="",
        date=workshop.date,
        tables=3,
        focus={2: "Haven"},
    )
    return workshop


def desk_page(browser, server, workshop: Workshop, **options) -> Page:
    """The organiser's console, logged in."""
    if not get_user_model().objects.filter(username="organiser").exists():
        get_user_model().objects.create_user("organiser", password=PASSWORD)
    page = browser.new_context(**{**DESK, **options}).new_page()
    page.set_default_timeout(20_000)
    log_in(
        page,
        f"{server.url}/accounts/login/?next=/s/{workshop.code}/organiser/",
        "organiser",
        PASSWORD,
        lands_on=f"**/s/{workshop.code}/organiser/",
    )
    return page


def answer_kennis(workshop: Workshop, seats: list[tuple[int | None, int]]) -> None:
    """One participant per (table number, score), each answering every Kennis statement."""
    from instrument.models import Statement
    from survey.services import answer_save

    statements = list(
        Statement.objects.filter(element__instrument=workshop.instrument, element__order=1)
    )
    for number, score in seats:
        table = None if number is None else Table.objects.get(workshop=workshop, number=number)
        p = participant_join(workshop=workshop, table=table, role="")
        for statement in statements:
            answer_save(participant=p, statement_id=statement.pk, score=score)


def test_the_projector_sets_a_focus_table_against_the_rest_of_the_room(browser, server, workshop):
    off_the_loop(
        answer_kennis, workshop=workshop, seats=[(2, 5), (2, 4), (1, 2), (3, 1), (None, 3)]
    )
    desk = desk_page(browser, server, workshop)
    projector = browser.new_context(**PROJECTOR).new_page()
    projector.set_default_timeout(20_000)
    projector.goto(f"{server.url}/s/{workshop.code}/projector/?key={workshop.projector_key}")
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")

    # The console offers each table by its number and focus; choosing one moves the projector.
    tables = desk.locator("#projector-tables")
    expect(tables.get_by_role("button")).to_have_count(3)
    tables.get_by_role("button", name="2 · Haven").click()
    expect(desk.locator("#projector-tables button.current")).to_have_text("2 · Haven")
    expect(projector.locator("#beamer")).to_have_attribute("data-mode", "table")
    title = projector.locator("#table-title")
    expect(title).to_have_text("Tafel 2 · Haven tegenover de rest van de zaal")
    expect(title).to_be_visible()
    # Table 2 answered 5 and 4 (4,5); the rest 2, 1 and 3 (2,0): the chart says both.
    table = projector.evaluate("window.scentissSnapshot.projector.table")
    kennis = table["elements"][0]
    assert (kennis["key"], kennis["table"], kennis["rest"]) == ("kennis", 4.5, 2.0)
    assert (table["respondents"], table["rest_respondents"]) == (2, 3)
    chart = projector.locator("#table-chart")
    expect(chart.locator(".legendtext")).to_have_count(2)
    expect(chart.locator(".legendtext").nth(0)).to_have_text("Tafel 2 · Haven (2)")
    expect(chart.locator(".legendtext").nth(1)).to_have_text("rest van de zaal (3)")
    expect(chart.locator(".textpoint text", has_text="4,5").first).to_be_visible()
    # Every text on the projector at least 24 px, read from the back of the room.
    sizes = projector.evaluate(
        """[...document.querySelectorAll('.pane-table h2, #table-chart text')]
           .filter(e => e.getBoundingClientRect().width > 0 && e.textContent.trim())
           .map(e => parseFloat(getComputedStyle(e).fontSize))"""
    )
    assert sizes and min(sizes) >= 24, sizes
    screenshot(projector, "facilitator-projector-table-1920x1080")

    # A new answer at the table moves its line without a reload.
    off_the_loop(answer_kennis, workshop=workshop, seats=[(2, 3)])
    expect(chart.locator(".legendtext").nth(0)).to_have_text("Tafel 2 · Haven (3)")
    assert projector.evaluate("window.scentissSnapshot.projector.table.elements[0].table") == 4.0

    # Back to the spider chart from the modes above.
    desk.get_by_role("button", name="Spiderdiagram").click()
    expect(projector.locator("#beamer")).to_have_attribute("data-mode", "chart")
    expect(desk.locator("#projector-tables button.current")).to_have_count(0)


def test_the_projector_table_in_english(browser, server, workshop):
    off_the_loop(answer_kennis, workshop=workshop, seats=[(2, 5), (1, 2)])
    from sessions.services import workshop_update_state

    off_the_loop(workshop_update_state, workshop=workshop, projector_table=2)
    projector = browser.new_context(**{**PROJECTOR, "locale": "en-GB"}).new_page()
    projector.goto(f"{server.url}/s/{workshop.code}/projector/?key={workshop.projector_key}")
    expect(projector.locator("#table-title")).to_have_text(
        "Table 2 · Haven against the rest of the room"
    )
    expect(projector.locator("#table-chart .legendtext").nth(1)).to_have_text(
        re.compile(r"^rest of the room \(1\)$")
    )
    screenshot(projector, "facilitator-projector-table-en-1920x1080")
