"""A phone agrees to the consent text, answers, withdraws, and its answers leave the projector
and the exports: in a real browser (390x844), in Dutch and in English."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from sessions.models import Participant
from tests import test_browser
from tests.browser_helpers import PHONE, screenshot

new_context = test_browser.new_context
servers = test_browser.servers
workshop = test_browser.workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "nl": {
        "agree": "Ik heb dit gelezen en ga akkoord",
        "start": "Starten",
        "what_for": "Waarvoor, wie ziet de antwoorden, hoe lang?",
        "purpose": "hoe het ecosysteem voor impactondernemers",
        "withdraw": "Mijn antwoorden terugtrekken",
        "confirm": "Ja, trek mijn antwoorden terug",
        "withdrawn": "Je hebt je teruggetrokken",
        "refused": "Vink het vakje aan",
    },
    "en": {
        "agree": "I have read this and agree",
        "start": "Start",
        "what_for": "What for, who sees the answers, for how long?",
        "purpose": "how the ecosystem for impact entrepreneurs",
        "withdraw": "Withdraw my answers",
        "confirm": "Yes, withdraw my answers",
        "withdrawn": "You have withdrawn",
        "refused": "Tick the box to agree",
    },
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_phone_agrees_answers_withdraws_and_leaves_projector_and_exports(
    servers, workshop, new_context, language
):
    texts = TEXTS[language]
    url = servers.url
    projector = test_browser.open_projector(new_context, url, workshop)
    test_browser.show_chart(projector, workshop)
    phone = new_context(**{**PHONE, "locale": "nl-NL" if language == "nl" else "en-GB"}).new_page()
    statuses: list[int] = []
    phone.on("response", lambda r: statuses.append(r.status))
    phone.goto(f"{url}/j/{workshop.code}/")
    phone.get_by_text(texts["what_for"]).click()  # the layered text opens
    expect(phone.get_by_text(texts["purpose"])).to_be_visible()
    screenshot(phone, f"consent/join-{language}", full_page=True)
    # Without agreeing the browser does not send the form; sent anyway, nothing is stored.
    phone.evaluate("document.querySelector('input[name=consent]').required = false")
    phone.get_by_role("button", name=texts["start"], exact=True).tap()
    expect(phone.get_by_text(texts["refused"])).to_be_visible()
    assert not Participant.objects.exists()
    phone.get_by_label(texts["agree"]).check()
    phone.get_by_role("button", name=texts["start"], exact=True).tap()
    phone.wait_for_url(f"**/s/{workshop.code}/survey/1/")
    phone.get_by_role("radiogroup").first.locator("label.opt").first.tap()
    expect(projector.locator("#respondents")).to_have_text("1")
    expect(projector.locator("#participants")).to_have_text("1")
    participant = Participant.objects.get()
    assert participant.consent_id is not None and participant.consented_at is not None
    # Withdraw: a link on the survey page, a confirmation, then it says so.
    phone.get_by_role("link", name=texts["withdraw"]).tap()
    confirm = phone.get_by_role("button", name=texts["confirm"])
    expect(confirm).to_be_visible()
    screenshot(phone, f"consent/withdraw-{language}")
    confirm.tap()
    expect(phone.get_by_role("heading", name=texts["withdrawn"])).to_be_visible()
    screenshot(phone, f"consent/withdrawn-{language}")
    # The projector follows without a reload.
    expect(projector.locator("#participants")).to_have_text("0")
    expect(projector.locator("#respondents")).to_have_text("0")
    assert Participant.objects.get().withdrawn_at is not None
    # The exports: no participant row and no answer of it.
    organiser = Client()
    organiser.force_login(get_user_model().objects.create_user(f"organiser-{language}"))
    response = organiser.get(f"/s/{workshop.code}/export.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert participant.seat_label not in row, sheet.title
    assert 403 not in statuses and not any(s >= 500 for s in statuses)
