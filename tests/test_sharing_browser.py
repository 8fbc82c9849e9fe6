"""The console's share form in Chromium: an organiser shares a session with a team they know
from the list and with another team by its code, mistypes a code, and stops sharing; on a
laptop in Dutch, on a phone in English and on a tablet both ways round, with the form's
outcome in view, nothing cut off and no other team's name on the page."""

import datetime

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from accounts.services import team_get_or_create
from sessions.models import Phase, Workshop
from sessions.services import workshop_create
from tests import browser_helpers, test_browser
from tests.browser_helpers import log_in, screenshot
from tests.conftest import ensure_instrument
from tests.test_accounts import PASSWORD, make_member
from tests.test_day_devices import SIDEWAYS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

new_context = test_browser.new_context

LAPTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "nl-NL"}
PHONE = {**browser_helpers.PHONE, "locale": "en-GB"}
TABLET = {"viewport": {"width": 768, "height": 1024}, "locale": "nl-NL", "has_touch": True}
TABLET_SIDEWAYS = {**TABLET, "viewport": {"width": 1024, "height": 768}}
# The message after a POST is at the top of the page, the form further down (#share).
IN_VIEW = """sel => { const r = document.querySelector(sel).getBoundingClientRect();
  return r.top >= 0 && r.bottom <= innerHeight; }"""


def _session(team) -> Workshop:
    return workshop_create(
        city="Amersfoort",
        date=datetime.date(2026, 10, 1),
        tables=2,
        instrument=ensure_instrument(),
        phase=Phase.JOIN,
        team=team,
    )


def _share_section(page) -> None:
    page.locator("#share").scroll_into_view_if_needed()
    page.evaluate("() => document.querySelector('#share').scrollIntoView({block: 'start'})")


def test_an_organiser_shares_by_list_and_by_code_in_dutch_and_english(server, new_context):
    team = team_get_or_create(name="Scentiss Oost")
    team_get_or_create(name="Team West")
    team_get_or_create(name="Gemeente Geheim")
    partner = team_get_or_create(name="Partner Noord")
    make_member("o.oost", team, Role.ORGANISER)
    workshop = _session(team)
    # Partner Noord shares a session with Scentiss Oost: a team the organiser knows.
    theirs = workshop_create(
        city="Zwolle", date=datetime.date(2026, 9, 1), tables=1, instrument=ensure_instrument(),
        team=partner,
    )  # fmt: skip
    theirs.shared_with.add(team)
    statuses: list[int] = []

    # A laptop in Dutch: the list holds Partner Noord only; Team West by its code.
    laptop = new_context(**LAPTOP).new_page()
    laptop.on("response", lambda r: statuses.append(r.status))
    console = f"{server.url}/s/{workshop.code}/organiser/"
    log_in(laptop, f"{server.url}/accounts/login/?next=/s/{workshop.code}/organiser/",
           "o.oost", PASSWORD, lands_on="**/organiser/")  # fmt: skip
    section = laptop.locator("section.card", has=laptop.locator("#share"))
    expect(laptop.get_by_label("Team", exact=True)).to_be_visible()
    options = laptop.get_by_label("Team", exact=True).locator("option").all_inner_texts()
    assert options == ["Een ander team: typ hieronder zijn code", "Partner Noord"]
    page_text = laptop.content()
    assert "Team West" not in page_text and "Gemeente Geheim" not in page_text
    expect(section).to_contain_text("De code van uw team, voor een team dat een sessie")
    expect(section.locator("code", has_text="scentiss-oost")).to_be_visible()
    _share_section(laptop)
    screenshot(laptop, "sharing/share-form-nl-1366x768")
    assert laptop.evaluate(SIDEWAYS) <= 0

    # A mistyped code: the same message as a code of no team, the outcome in view.
    laptop.get_by_label("Of de code van een ander team").fill("team-wets")
    laptop.get_by_role("button", name="Alleen-lezen delen").click()
    message = laptop.locator(".messages li.error")
    expect(message).to_contain_text("Geen team heeft deze code.")
    assert laptop.evaluate(IN_VIEW, ".messages li")
    screenshot(laptop, "sharing/share-wrong-code-nl-1366x768")
    # The code as the other team gave it.
    laptop.goto(console)
    laptop.get_by_label("Of de code van een ander team").fill("team-west")
    laptop.get_by_role("button", name="Alleen-lezen delen").click()
    expect(laptop.locator(".messages li")).to_have_text("Alleen-lezen gedeeld met Team West.")
    assert laptop.evaluate(IN_VIEW, ".messages li")
    shared = laptop.locator("ul.shared-with li", has_text="Team West")
    expect(shared.get_by_role("button", name="Niet meer delen")).to_be_visible()
    screenshot(laptop, "sharing/shared-nl-1366x768")
    shared.get_by_role("button", name="Niet meer delen").click()
    expect(laptop.locator(".messages li")).to_have_text("Niet langer gedeeld met Team West.")
    expect(laptop.locator("ul.shared-with")).to_have_count(0)
    # Team West is known now? No: stopping leaves it unlisted (nothing shared between them).
    assert "Team West" not in laptop.get_by_label("Team", exact=True).inner_text()

    # A phone in English: from the list.
    phone = new_context(**PHONE).new_page()
    phone.on("response", lambda r: statuses.append(r.status))
    log_in(phone, f"{server.url}/accounts/login/?next=/s/{workshop.code}/organiser/",
           "o.oost", PASSWORD, lands_on="**/organiser/")  # fmt: skip
    _share_section(phone)
    expect(phone.get_by_label("Or another team's code")).to_be_visible()
    expect(phone.locator("#share-code-hint")).to_contain_text("Your team's code")
    assert phone.evaluate(SIDEWAYS) <= 0
    screenshot(phone, "sharing/share-form-en-390x844")
    phone.get_by_label("Team", exact=True).select_option(label="Partner Noord")
    phone.get_by_role("button", name="Share read-only").click()
    expect(phone.locator(".messages li")).to_have_text("Shared read-only with Partner Noord.")
    assert phone.evaluate(IN_VIEW, ".messages li")
    screenshot(phone, "sharing/shared-en-390x844")
    phone.goto(console)
    # Partner Noord was the only team in the list: now the code alone.
    expect(phone.get_by_label("Team", exact=True)).to_have_count(0)
    phone.get_by_label("The other team's code").fill("Gemeente Geheim")  # a name, not a code
    phone.get_by_role("button", name="Share read-only").click()
    expect(phone.locator(".messages li.error")).to_contain_text("No team has this code.")
    assert "Gemeente Geheim" not in phone.locator(".messages.in-place").inner_text()
    screenshot(phone, "sharing/share-wrong-code-en-390x844")
    assert phone.evaluate(SIDEWAYS) <= 0

    # A tablet, upright and sideways.
    for name, options in (("768x1024", TABLET), ("1024x768", TABLET_SIDEWAYS)):
        tablet = new_context(**options).new_page()
        log_in(tablet, f"{server.url}/accounts/login/?next=/s/{workshop.code}/organiser/",
               "o.oost", PASSWORD, lands_on="**/organiser/")  # fmt: skip
        _share_section(tablet)
        expect(tablet.locator("#share-code")).to_be_visible()
        assert tablet.evaluate(SIDEWAYS) <= 0, name
        screenshot(tablet, f"sharing/share-form-nl-{name}")

    assert set(workshop.shared_with.values_list("name", flat=True)) == {"Partner Noord"}
    assert not [s for s in statuses if s >= 500]
    assert not server.errors()
