"""The pages that refuse or bound input, in Chromium at the users' device sizes, Dutch and English: the
phone told a session is full or closed, the chair's tablet paging a crowded table, the
organiser creating a session with a participant cap. Screens in test-artifacts/."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, Page

from sessions.models import Participant, Phase, Workshop
from sessions.services import participant_join, workshop_create
from tests.browser_helpers import screenshot
from tests.conftest import ensure_instrument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
TABLET_WIDE = {"width": 1024, "height": 768}
LAPTOP = {"width": 1366, "height": 768}
PASSWORD = "a-long-password-9"


def page_for(browser: Browser, viewport: dict, lang: str) -> Page:
    context = browser.new_context(
        viewport=viewport, locale="nl-NL" if lang == "nl" else "en-GB", device_scale_factor=1
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def assert_nothing_cut_off(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url}: {overflow}px wider than the screen"


def session(**kwargs) -> Workshop:
    return workshop_create(
        city="Zwolle",
        date=datetime.date(2026, 11, 27),
        tables=3,
        instrument=ensure_instrument(),
        **kwargs,
    )


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_phone_is_told_a_session_is_full_or_closed(browser, server, lang):
    full = session(participant_cap=1, phase=Phase.JOIN)
    participant_join(workshop=full, table=None, role="")
    closed = session(phase=Phase.CLOSED)
    expected = {
        "nl": ("Deze sessie is vol", "De sessie is afgelopen"),
        "en": ("This session is full", "The session has ended"),
    }[lang]
    page = page_for(browser, PHONE, lang)
    for workshop, text, name in ((full, expected[0], "full"), (closed, expected[1], "closed")):
        response = page.goto(f"{server.url}/j/{workshop.code}/")
        assert response.status == 200
        assert text in page.locator("main").inner_text()
        assert page.locator("input[name=role]").count() == 0
        assert_nothing_cut_off(page)
        screenshot(page, f"input-join-{name}-phone-{lang}")
    assert Participant.objects.filter(workshop=closed).count() == 0


@pytest.mark.parametrize(("viewport", "label"), [(TABLET, "768"), (TABLET_WIDE, "1024")])
def test_the_chair_pages_a_crowded_table(browser, server, viewport, label):
    workshop = session(phase=Phase.SURVEY, participant_cap=100)
    table = workshop.tables.get(number=1)
    Participant.objects.bulk_create(
        Participant(workshop=workshop, table=table, seat=n) for n in range(1, 46)
    )
    page = page_for(browser, viewport, "nl")
    # The tablet's page as it was without paging (table 2: nobody yet) sets the bar: the
    # pager adds no width of its own.
    quiet = workshop.tables.get(number=2)
    page.goto(f"{server.url}/s/{workshop.code}/chair/{quiet.chair_key}/")
    before = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.goto(f"{server.url}/s/{workshop.code}/chair/{table.chair_key}/")
    pager = page.locator(".panel:not([hidden]) .pager")
    assert "Deelnemers 1\u201320 van 45" in pager.inner_text()
    screenshot(page, f"input-chair-pager-{label}", full_page=False)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= max(0, before), (before, overflow)
    pager.get_by_role("link", name="volgende").click()
    page.wait_for_url("**page=2**")
    assert (
        "Deelnemers 21\u201340 van 45" in page.locator(".panel:not([hidden]) .pager").inner_text()
    )
    assert page.get_by_text("T1·P21", exact=True).count() >= 1


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_organiser_creates_a_session_with_a_cap(browser, server, lang):
    get_user_model().objects.create_user("org", password=PASSWORD)
    ensure_instrument()
    page = page_for(browser, LAPTOP, lang)
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=username]", "org")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/organiser/")
    page.fill("input[name=city]", "Deventer")
    page.fill("input[name=date]", "2026-12-01")
    cap = page.locator("input[name=participant_cap]")
    assert cap.input_value() == "300"
    cap.fill("1000")
    screenshot(page, f"input-create-form-laptop-{lang}", full_page=True)
    assert_nothing_cut_off(page)
    with page.expect_response(lambda r: r.url.endswith("/organiser/new/")) as posted:
        page.locator("form[action$='/organiser/new/'] button[type=submit]").click()
    assert posted.value.status == 302
    page.wait_for_url("**/organiser/")
    assert Workshop.objects.get(city="Deventer").participant_cap == 1000
