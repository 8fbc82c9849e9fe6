"""A team's manager in Chromium: sets the team's retention period, sees the console propose
anonymising an old closed session, anonymises it, and finds it in the audit trail; on a laptop
in Dutch and on a phone in English, with nothing cut off and no refusal on the way."""

import datetime

import pytest
from playwright.sync_api import expect

from accounts.models import AuditAction, AuditEvent, Role
from accounts.services import team_get_or_create
from sessions.models import Participant, Phase
from sessions.services import participant_join, workshop_update_state
from survey.selectors import results_snapshot
from tests import test_browser
from tests.browser_helpers import log_in, screenshot
from tests.conftest import ensure_instrument
from tests.test_accounts import PASSWORD, make_member
from tests.test_console import answer_all
from tests.test_day_devices import SIDEWAYS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

new_context = test_browser.new_context

LAPTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "nl-NL"}
PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "en-GB"}


def _old_closed_session(team):
    from sessions.services import workshop_create

    workshop = workshop_create(
        city="Deventer",
        date=datetime.date.today() - datetime.timedelta(days=800),
        tables=2,
        instrument=ensure_instrument(),
        phase=Phase.SURVEY,
        team=team,
    )
    for score in (2, 4):
        answer_all(workshop, participant_join(workshop=workshop, table=None, role=""),
                   lambda i, s, score=score: score)  # fmt: skip
    workshop_update_state(workshop=workshop, phase=Phase.CLOSED)
    return workshop


def test_a_manager_sets_retention_anonymises_an_old_session_and_reads_the_audit_trail(
    server, new_context
):
    team = team_get_or_create(name="Scentiss Oost")
    make_member("m.manager", team, Role.MANAGER)
    workshop = _old_closed_session(team)
    before = results_snapshot(workshop_id=workshop.pk)["elements"]
    statuses: list[int] = []

    laptop = new_context(**LAPTOP).new_page()
    laptop.on("response", lambda r: statuses.append(r.status))
    log_in(laptop, f"{server.url}/accounts/login/?next=/organiser/", "m.manager", PASSWORD,
           lands_on="**/organiser/")  # fmt: skip
    # No period yet: the console proposes nothing.
    laptop.goto(f"{server.url}/s/{workshop.code}/organiser/")
    expect(laptop.locator("#retention-notice")).to_have_count(0)

    # The team's retention period: a refused value first, then twelve months.
    laptop.goto(f"{server.url}/organiser/teams/{team.slug}/retention/")
    field = laptop.get_by_label("Bewaartermijn in maanden")
    field.fill("1_0")
    laptop.get_by_role("button", name="Opslaan").click()
    expect(laptop.locator(".error, [role=alert]").first).to_be_visible()
    field = laptop.get_by_label("Bewaartermijn in maanden")
    field.fill("12")
    laptop.get_by_role("button", name="Opslaan").click()
    expect(laptop.locator("#team-retention")).to_contain_text("12 maanden")
    screenshot(laptop, "retention/team-retention-1366x768")
    assert laptop.evaluate(SIDEWAYS) <= 0

    # The session is 800 days old: the list marks it and its console proposes anonymising.
    laptop.goto(f"{server.url}/organiser/")
    expect(laptop.get_by_text("anonimiseren?")).to_be_visible()
    laptop.goto(f"{server.url}/s/{workshop.code}/organiser/")
    expect(laptop.locator("#retention-notice")).to_be_visible()
    screenshot(laptop, "retention/console-notice-1366x768")
    laptop.locator("#retention-notice").get_by_role("link", name="Anonimiseren…").click()
    expect(laptop.locator("#anonymise h1")).to_contain_text("Deventer")
    # A wrong code changes nothing; the right one anonymises.
    laptop.locator("#confirm_code").fill("NOTTHIS")
    laptop.get_by_role("button", name="Definitief anonimiseren").click()
    expect(laptop.get_by_role("alert").first).to_be_visible()
    assert Participant.objects.filter(workshop=workshop).count() == 2
    screenshot(laptop, "retention/anonymise-refused-1366x768")
    laptop.locator("#confirm_code").fill(workshop.code)
    laptop.get_by_role("button", name="Definitief anonimiseren").click()
    expect(laptop.locator("#retention-notice")).to_have_count(0)
    screenshot(laptop, "retention/anonymised-console-1366x768")
    assert not Participant.objects.filter(workshop=workshop).exists()
    assert results_snapshot(workshop_id=workshop.pk)["elements"] == before

    # The audit trail names the anonymising and the period, on the laptop and a phone.
    laptop.get_by_role("link", name="Logboek").click()
    expect(laptop.locator("main")).to_contain_text(workshop.code)
    screenshot(laptop, "retention/audit-1366x768")
    assert AuditEvent.objects.filter(
        action=AuditAction.ANONYMISE, session_code=workshop.code
    ).exists()
    assert laptop.evaluate(SIDEWAYS) <= 0

    phone = new_context(**PHONE).new_page()
    phone.on("response", lambda r: statuses.append(r.status))
    log_in(phone, f"{server.url}/accounts/login/?next=/organiser/audit/", "m.manager", PASSWORD,
           lands_on="**/organiser/audit/")  # fmt: skip
    expect(phone.locator("main")).to_contain_text(workshop.code)
    screenshot(phone, "retention/audit-390x844-en", full_page=True)
    assert phone.evaluate(SIDEWAYS) <= 0
    phone.goto(f"{server.url}/s/{workshop.code}/anonymise/")
    expect(phone.get_by_role("status")).to_contain_text("This session was anonymised on")
    screenshot(phone, "retention/anonymise-done-390x844-en")
    assert phone.evaluate(SIDEWAYS) <= 0
    # The refused code and the refused period are 400s with a message; nothing else refused.
    assert not [s for s in statuses if s >= 400 and s != 400], statuses
