"""The room's view of its tables and the phone's own numbers, used as people would in
Chromium against the app under uvicorn: the projector sets one table (its focus: "Haven")
against the rest of the room, the phone's results as a spider against the room, the paper
form's answers on a tablet, a chair's heading that follows an edited focus."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from sessions.models import Phase, Table, Workshop
from sessions.services import participant_join, workshop_update
from tests.browser_helpers import (
    PROJECTOR,
    desk_page,
    off_the_loop,
    phone_page,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workshop(transactional_db, make_workshop) -> Workshop:
    workshop = make_workshop(city="Zwolle", date=datetime.date(2026, 12, 10), phase=Phase.SURVEY)
    off_the_loop(
        workshop_update,
        workshop=workshop,
        city="Zwolle",
        title="",
        date=workshop.date,
        tables=3,
        focus={2: "Haven"},
    )
    return workshop


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


def test_the_phone_keeps_its_progress_in_view_and_sees_its_spider_against_the_room(
    browser, server, workshop
):
    from sessions.services import workshop_update_state

    off_the_loop(answer_kennis, workshop=workshop, seats=[(1, 1), (3, 1)])
    phone = phone_page(browser)
    phone.goto(f"{server.url}/j/{workshop.code}/")
    phone.locator("input[name=consent]").check()
    phone.get_by_role("button", name="Starten").click()
    expect(phone.locator("#progress")).to_contain_text("0 van")

    # A long element: scrolled to its last statement, the progress is still at the top.
    phone.locator("form.statement").last.scroll_into_view_if_needed()
    assert phone.evaluate("window.scrollY") > 400
    box = phone.locator("#progress").bounding_box()
    assert box is not None and -1 <= box["y"] <= 1 and box["height"] > 20
    phone.locator("form.statement").last.locator("label", has_text="5").first.click()
    expect(phone.locator("#progress")).to_contain_text("1 van")
    expect(phone.locator("#progress")).to_be_in_viewport()
    screenshot(phone, "facilitator-phone-progress-sticky-390x844")
    for form in phone.locator("form.statement").all():
        form.locator("label", has_text="5").first.click()
    expect(phone.locator("form.statement.answered")).to_have_count(
        phone.locator("form.statement").count()
    )

    # The reveal: the phone's own outline (5 for Kennis) over the room's (5, 1, 1: 2,3).
    off_the_loop(
        workshop_update_state, workshop=workshop, phase=Phase.RESULTS, results_revealed=True
    )
    expect(phone).to_have_url(re.compile(r"/results/$"))  # the phone follows by itself
    chart = phone.locator("figure.spider")
    expect(chart.locator("svg polygon.series.first")).to_have_attribute(
        "points",
        re.compile(r"^180\.0,70\.0 "),  # 5 at the top: the outer ring
    )
    expect(chart.locator("figcaption")).to_have_text(re.compile(r"Jij · .*Zaal"))
    row = chart.locator(".spider-numbers tr", has_text="Kennis")
    expect(row.locator("td").nth(0)).to_have_text("5,0")
    expect(row.locator("td").nth(1)).to_have_text("2,3")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # Every spoke's label inside the screen.
    boxes = [t.bounding_box() for t in chart.locator("svg text").all()]
    assert all(b is not None and b["x"] >= 0 and b["x"] + b["width"] <= 390 for b in boxes)
    screenshot(phone, "facilitator-phone-results-390x844", full_page=True)


@pytest.mark.parametrize(
    "width, height", [(768, 1024), (1024, 768)], ids=["tablet-portrait", "tablet-landscape"]
)
def test_the_paper_forms_answers_are_touch_sized_on_a_tablet(
    browser, server, workshop, width, height
):
    table = Table.objects.get(workshop=workshop, number=2)
    page = browser.new_context(
        viewport={"width": width, "height": height}, locale="nl-NL", has_touch=True
    ).new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{server.url}/s/{workshop.code}/chair/{table.chair_key}/paper/")
    labels = page.locator(".paper-item").first.locator(".pi-scale label")
    expect(labels).to_have_count(6)
    for box in (label.bounding_box() for label in labels.all()):
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, box
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # A finger on "4" chooses it and moves on to the next statement.
    second = page.locator(".paper-item").nth(1)
    page.locator(".paper-item").first.locator(".pi-scale label", has_text="4").tap()
    expect(page.locator(".paper-item").first.locator("input[value='4']")).to_be_checked()
    # The keyboard still works: 3 on the second statement, and the form moves on.
    second.locator("input[value='1']").focus()
    page.keyboard.press("3")
    expect(second.locator("input[value='3']")).to_be_checked()
    expect(page.locator(".paper-item").nth(2)).to_have_class(re.compile(r"\bcurrent\b"))
    screenshot(page, f"facilitator-paper-touch-{width}x{height}")


def test_an_open_chair_tablet_follows_an_edited_focus(browser, server, workshop):
    table = Table.objects.get(workshop=workshop, number=2)
    tablet = browser.new_context(
        viewport={"width": 768, "height": 1024}, locale="nl-NL", has_touch=True
    ).new_page()
    tablet.set_default_timeout(20_000)
    tablet.goto(f"{server.url}/s/{workshop.code}/chair/{table.chair_key}/")
    expect(tablet.locator("#table-focus")).to_have_text("Focus: Haven")
    expect(tablet.locator("#chair")).to_have_attribute("data-seated", "0")  # connected
    desk = desk_page(browser, server, workshop)
    desk.goto(f"{server.url}/s/{workshop.code}/edit/")
    desk.get_by_label("Tafel 2: focus (sector of wijk, optioneel)").fill("Zorg")
    desk.get_by_label("Tafel 1: focus (sector of wijk, optioneel)").fill("Noord")
    desk.get_by_role("button", name="Opslaan").click()
    expect(desk).to_have_url(re.compile(r"/organiser/$"))
    expect(tablet.locator("#table-focus")).to_have_text("Focus: Zorg")
    # A focus taken away hides the line; a new city renews the heading.
    off_the_loop(
        workshop_update, workshop=workshop, city="Kampen", title="", date=workshop.date,
        tables=3, focus={2: ""},
    )  # fmt: skip
    expect(tablet.locator("#table-heading")).to_have_text("Tafel 2 · Kampen")
    expect(tablet.locator("#table-focus")).to_be_hidden()
    screenshot(tablet, "facilitator-chair-heading-follows-768x1024")


def test_the_plotly_charts_do_not_widen_the_profile_and_programme_pages_on_a_phone(
    browser, server, workshop
):
    from profiles.services import programme_create

    off_the_loop(answer_kennis, workshop=workshop, seats=[(1, 4), (2, 2)])
    programme = off_the_loop(programme_create, name="Vijf steden", workshop_ids=[workshop.pk])
    desk = desk_page(browser, server, workshop, viewport={"width": 390, "height": 844})
    for name, url in [
        ("profile", f"/s/{workshop.code}/profile/"),
        ("programme", f"/organiser/programmes/{programme.pk}/"),
    ]:
        desk.goto(server.url + url)
        expect(desk.locator("#chart-wrap")).to_have_class(re.compile(r"\bhas-plotly\b"))
        expect(desk.locator("#profile-chart .main-svg").first).to_be_visible()
        assert desk.evaluate("document.documentElement.scrollWidth") <= 390, name
        # The chart itself fits: nothing of it is cut off or scrolls inside its card.
        for part in ("#profile-chart", "#profile-chart .main-svg"):
            box = desk.locator(part).first.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
        names = desk.locator("#profile-chart .angularaxistick text").all()
        assert len(names) == 6
        for label in names:
            box = label.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
        desk.locator("#profile-chart").scroll_into_view_if_needed()
        screenshot(desk, f"facilitator-{name}-chart-390x844")
