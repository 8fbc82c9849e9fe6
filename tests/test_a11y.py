"""Accessibility of the main pages, checked with axe-core inside Chromium, and the phone survey
used with the keyboard only."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from sessions.models import Phase, Workshop
from sessions.services import participant_join, workshop_create
from survey.models import Answer
from tests.browser_helpers import PHONE, PROJECTOR, off_the_loop
from tests.conftest import ARTIFACTS, BASE_DIR, ensure_instrument

AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TABLET = {"viewport": {"width": 1024, "height": 768}, "locale": "nl-NL", "has_touch": True}
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "nl-NL"}


@pytest.fixture
def workshop(transactional_db) -> Workshop:
    return workshop_create(
        city="Zwolle", date="2026-11-26", tables=3, instrument=ensure_instrument(),
        title="Toegankelijkheid", phase=Phase.SURVEY,
    )  # fmt: skip


def axe_problems(page: Page, name: str) -> list[str]:
    """The serious and critical axe-core findings on the page, as readable lines.

    axe is injected as an inline script, so these pages run with bypass_csp (the CSP itself is
    tested in tests/test_security.py)."""
    assert AXE.exists(), "axe-core is missing: `make test` installs it with npm"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    page.screenshot(path=str(ARTIFACTS / f"a11y-{name}.png"), full_page=True)
    return [
        f"{name}: {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_main_pages_have_no_serious_accessibility_problems(browser, server, workshop):
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    phone = browser.new_context(**PHONE, bypass_csp=True).new_page()
    phone.goto(f"{server.url}/j/{workshop.code}/")
    problems += axe_problems(phone, "phone-join")
    phone.locator("input[name=consent]").check()
    phone.get_by_role("button", name="Starten").click()
    phone.get_by_role("radiogroup").first.wait_for()
    problems += axe_problems(phone, "phone-survey")
    phone.goto(f"{server.url}/s/{workshop.code}/survey/done/")
    problems += axe_problems(phone, "phone-done")

    projector = browser.new_context(**PROJECTOR, bypass_csp=True).new_page()
    projector.goto(f"{server.url}/s/{workshop.code}/projector/?key={workshop.projector_key}")
    projector.wait_for_selector("#live-status[data-state=live]")
    problems += axe_problems(projector, "projector")

    chair = browser.new_context(**TABLET, bypass_csp=True).new_page()
    table = workshop.tables.get(number=1)
    off_the_loop(participant_join, workshop=workshop, table=table, role="policy")
    chair.goto(f"{server.url}/s/{workshop.code}/chair/{table.chair_key}/")
    problems += axe_problems(chair, "chair")

    get_user_model().objects.create_user("a11y", password="a-long-password-1")
    organiser = browser.new_context(**DESKTOP, bypass_csp=True).new_page()
    organiser.goto(f"{server.url}/accounts/login/")
    problems += axe_problems(organiser, "login")
    organiser.fill("#id_username", "a11y")
    organiser.fill("#id_password", "a-long-password-1")
    organiser.get_by_role("button", name="Inloggen").click()
    organiser.wait_for_url("**/organiser/")
    problems += axe_problems(organiser, "organiser-home")
    organiser.goto(f"{server.url}/s/{workshop.code}/organiser/")
    problems += axe_problems(organiser, "organiser-session")
    # The same phone and projector in English (the browser's language decides).
    english_phone = browser.new_context(**{**PHONE, "locale": "en-GB"}, bypass_csp=True).new_page()
    english_phone.goto(f"{server.url}/j/{workshop.code}/")
    english_phone.locator("input[name=consent]").check()
    english_phone.get_by_role("button", name="Start").click()
    english_phone.get_by_role("radiogroup", name="are there enough suitable workers").wait_for()
    problems += axe_problems(english_phone, "phone-survey-en")
    english_projector = browser.new_context(
        **{**PROJECTOR, "locale": "en-GB"}, bypass_csp=True
    ).new_page()
    english_projector.goto(
        f"{server.url}/s/{workshop.code}/projector/?key={workshop.projector_key}"
    )
    english_projector.get_by_text("Scan the code with your phone's camera").wait_for()
    problems += axe_problems(english_projector, "projector-en")
    assert problems == []


def test_the_survey_works_with_the_keyboard_only(browser, server, workshop):
    page = browser.new_context(**PHONE, bypass_csp=True).new_page()
    page.goto(f"{server.url}/j/{workshop.code}/")
    # Tab to the consent box (Space ticks it), then the start button and press Enter: no
    # pointer anywhere.
    start = page.get_by_role("button", name="Starten")
    consent = page.locator("input[name=consent]")
    for _ in range(60):
        page.keyboard.press("Tab")
        if consent.evaluate("el => el === document.activeElement"):
            page.keyboard.press("Space")  # agree to the consent text
        if start.evaluate("el => el === document.activeElement"):
            break
    page.keyboard.press("Enter")
    first = page.get_by_role("radiogroup").first
    first.wait_for()
    while not first.get_by_role("radio", name="1").evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    # The focused option is visibly marked (an outline drawn around its box).
    focused_box = first.locator("label.opt").first.locator("span").first
    expect(focused_box).to_have_css("outline-style", "solid")
    page.keyboard.press("ArrowRight")  # radio groups move and select with the arrow keys
    # One tap per statement on its way, the newest after it: the last one is what the server
    # keeps, and "Opgeslagen" shows only once that one is acknowledged.
    page.keyboard.press("ArrowRight")
    expect(first.get_by_role("radio", name="3")).to_be_checked()
    expect(first.locator(".status")).to_contain_text("Opgeslagen")
    assert Answer.objects.get().score == 3
