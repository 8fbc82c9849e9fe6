"""The paper form typed in with the keyboard alone in Chromium: digits 1-5 and 0 for "weet ik
niet", moving on by itself, the current statement's label always in view."""

import pytest
from playwright.sync_api import expect

from instrument.models import Statement
from sessions.models import Participant, Phase, Source, Table, Workshop
from sessions.services import workshop_create
from survey.models import Answer
from tests.browser_helpers import log_in, screenshot
from tests.conftest import ensure_instrument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TABLET = {"viewport": {"width": 1024, "height": 768}, "locale": "nl-NL"}


@pytest.fixture
def workshop(transactional_db) -> Workshop:
    return workshop_create(
        city="Zwolle", date="2026-11-26", tables=3, instrument=ensure_instrument(),
        phase=Phase.DISCUSSION,
    )  # fmt: skip


def test_a_chair_types_in_a_whole_paper_form_from_the_keyboard(browser, server, workshop):
    table = Table.objects.get(workshop=workshop, number=2)
    statements = list(
        Statement.objects.filter(element__instrument=workshop.instrument).order_by(
            "element__order", "order"
        )
    )
    keys = [("0" if i % 9 == 8 else str(i % 5 + 1)) for i in range(len(statements))]
    page = browser.new_context(**TABLET).new_page()  # with the app's CSP: no inline script
    page.goto(f"{server.url}/s/{workshop.code}/chair/{table.chair_key}/paper/")
    role = page.get_by_label("Rol")
    expect(role).to_be_focused()
    page.keyboard.press("Tab")  # into the first statement
    bar = page.locator(".paper-current .pc-label")
    for index, (statement, key) in enumerate(zip(statements, keys, strict=True)):
        expect(bar).to_have_text(statement.label_nl)
        box = bar.bounding_box()
        assert box is not None and 0 <= box["y"] <= 768  # the label stays in view
        page.keyboard.press(key)
        if index == 2:
            # A slip of the finger: Backspace goes back, the right digit moves on again.
            page.keyboard.press("Backspace")
            expect(bar).to_have_text(statement.label_nl)
            page.keyboard.press("5")
            keys[2] = "5"
        if index == 20:
            screenshot(page, "paper-form-tablet")
    # After the last statement the save button has the focus; Enter sends the form.
    expect(page.get_by_role("button", name="Dit papieren formulier opslaan")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("opgeslagen: 46 antwoorden")
    participant = Participant.objects.get(workshop=workshop)
    assert (participant.source, participant.table_id) == (Source.PAPER, table.pk)
    scores = dict(
        Answer.objects.filter(participant=participant).values_list("statement_id", "score")
    )
    assert [scores[s.pk] for s in statements] == [None if k == "0" else int(k) for k in keys]


def test_the_page_sends_a_paper_form_once_until_it_is_shown_again(browser, server, workshop):
    table = Table.objects.get(workshop=workshop, number=1)
    page = browser.new_context(**TABLET).new_page()
    page.goto(f"{server.url}/s/{workshop.code}/chair/{table.chair_key}/paper/")
    save = page.get_by_role("button", name="Dit papieren formulier opslaan")
    # Two sends in a row (a double tap): the page's own handler lets the first one through and
    # stops the second. The test's listener, after the page's, records that and keeps the
    # page where it is.
    stopped = page.evaluate(
        """() => {
          const form = document.querySelector(".paper-form");
          const seen = [];
          form.addEventListener("submit", e => { seen.push(e.defaultPrevented); e.preventDefault(); });
          form.requestSubmit();
          form.requestSubmit();
          return seen;
        }"""
    )
    assert stopped == [False, True]
    expect(save).to_be_disabled()
    # Shown again from the browser's history: the button works again.
    page.evaluate(
        "() => window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))"
    )
    expect(save).to_be_enabled()


@pytest.mark.parametrize(
    ("size", "locale"),
    [((1366, 768), "nl-NL"), ((768, 1024), "en-GB"), ((1024, 768), "en-GB"), ((390, 844), "nl-NL")],
)
def test_the_paper_form_at_the_organisers_sizes(browser, server, workshop, size, locale):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("paper", password="a-long-password-1")
    page = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, locale=locale
    ).new_page()
    log_in(
        page,
        f"{server.url}/accounts/login/",
        "paper",
        "a-long-password-1",
        lands_on="**/organiser/",
    )
    page.goto(f"{server.url}/s/{workshop.code}/organiser/")
    page.locator(f'a[href="/s/{workshop.code}/paper/"]').click()
    expect(page.locator(".paper-current")).to_be_visible()
    screenshot(page, f"paper-form-{size[0]}x{size[1]}-{locale}")
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0], page.evaluate(
        "[...document.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > "
        "innerWidth).map(e => e.tagName + '.' + e.className).slice(0, 8).join(' ')"
    )
    page.get_by_label("Table" if locale == "en-GB" else "Tafel").select_option("3")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    for key in "12345":
        page.keyboard.press(key)
    page.locator(".paper-save").click()
    expect(page.locator(".messages")).to_contain_text("5")
    assert Participant.objects.get(workshop=workshop).table.number == 3
