"""Nothing typed offline is lost: in Chromium, each form of the phone and of the chair's tablet
with the network cut (Playwright's offline emulation; the websockets closed by a route, as a
phone that loses the wifi loses them). A form either keeps what was typed on the device and
sends it when the network is back (once, by its client id), or says plainly that it was not
saved and keeps what was typed on the screen.

The screens are saved to test-artifacts/offline-*.png.
"""

import datetime
import json
import re
import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError

from instrument.models import Statement
from notes.models import Note, Observation
from notes.services import note_create
from sessions.models import Phase, Workshop
from sessions.services import participant_join, workshop_create
from sessions.urls_helpers import session_urls
from survey.models import Answer
from tests.browser_helpers import (
    CHAIR_SOCKET,
    PHONE,
    PHONE_SOCKET,
    TABLET,
    TABLET_LANDSCAPE,
    Network,
    off_the_loop,
    screenshot,
)
from tests.conftest import ensure_instrument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


WORDS = {
    "nl": {
        "locale": "nl-NL",
        "start": "Starten",
        "next": "Volgende",
        "previous": "Vorige",
        "finish": "Afronden",
        "dont_know": "Weet ik niet / geen mening",
        "saved": "✓ Opgeslagen",
        "kept": "Bewaard op deze telefoon; wordt verstuurd zodra er verbinding is.",
        "kept_all": "Geen verbinding: 46 antwoorden staan op deze telefoon",
        "no_done": "Geen verbinding: je kunt afronden zodra er weer verbinding is.",
        "element": "Element {n} van 6",
        "not_joined": "Geen verbinding: je bent nog niet aangemeld.",
        "not_saved": "Geen verbinding: dit is niet opgeslagen.",
        "other_language": "English",
        "answered": "{n} van 46 beantwoord",
    },
    "en": {
        "locale": "en-GB",
        "start": "Start",
        "next": "Next",
        "previous": "Previous",
        "finish": "Finish",
        "dont_know": "Don't know / no opinion",
        "saved": "✓ Saved",
        "kept": "Kept on this phone; sent as soon as there is a connection.",
        "kept_all": "No connection: 46 answers are kept on this phone",
        "no_done": "No connection: you can finish once there is a connection again.",
        "element": "Element {n} of 6",
        "not_joined": "No connection: you have not joined yet.",
        "not_saved": "No connection: this was not saved.",
        "other_language": "Nederlands",
        "answered": "{n} of 46 answered",
    },
}


@pytest.fixture
def new_context(browser) -> Iterator:
    contexts: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def survey(transactional_db) -> Workshop:
    assert settings.REDIS_URL, "the browser tests need REDIS_URL (make test sets it)"
    return workshop_create(
        city="Zwolle",
        date=datetime.date(2026, 11, 26),
        tables=2,
        title="Impact in de regio",
        instrument=ensure_instrument(),
        phase=Phase.SURVEY,
    )


def statements_of(workshop: Workshop) -> list[list[Statement]]:
    return [
        list(element.statements.order_by("order"))
        for element in workshop.instrument.elements.order_by("order")
    ]


def stored_answers(workshop: Workshop) -> dict[int, int | None]:
    return dict(
        Answer.objects.filter(participant__workshop=workshop).values_list("statement_id", "score")
    )


def kept_on(page: Page, prefix: str) -> int:
    return page.evaluate(
        "p => Object.keys(localStorage).filter(k => k.startsWith(p)).length", prefix
    )


def text_of(statement: Statement, language: str) -> str:
    return statement.text_nl if language == "nl" else statement.text_en


# What the phone taps, statement after statement.
TAPS = ["4", "2", "5", "1", "3", "dk", "4", "5"]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_phone_without_network_answers_every_statement_and_sends_them_when_it_is_back(
    live_server_url, survey, new_context, language
):
    """Once the survey has loaded, the phone loses the network: the participant answers all
    46 statements, moving between the six elements, sees that the answers are kept on the
    phone, and reloads the page (the browser's offline page). Back online, the join link sends
    them, each stored once."""
    w = WORDS[language]
    context = new_context(**{**PHONE, "locale": w["locale"]})
    network = Network(context, PHONE_SOCKET)
    page = context.new_page()
    page.goto(f"{live_server_url}/j/{survey.code}/")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name=w["start"]).tap()
    expect(page).to_have_url(re.compile(rf"/s/{survey.code}/survey/1/$"))
    page.wait_for_function("() => window.scentissPhone && window.scentissPhone.isOpen()")
    # The copy of every element's page is on the phone a moment after the survey opened.
    expect(page.locator(".survey")).to_have_attribute("data-pages-kept", "6")
    elements = statements_of(survey)
    # Online, one tap, and "Next" and back: shown in place, from the server.
    first = elements[0][0]
    group = page.get_by_role("radiogroup", name=text_of(first, language))
    group.locator("label", has=page.get_by_role("radio", name="3")).tap()
    expect(group.get_by_role("status")).to_have_text(w["saved"])
    page.get_by_role("link", name=w["next"]).tap()
    expect(page.get_by_text(w["element"].format(n=2))).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/s/{survey.code}/survey/2/$"))
    expect(page.locator(".survey")).to_have_attribute("data-shown", "2")
    page.go_back()
    expect(page.get_by_text(w["element"].format(n=1))).to_be_visible()
    expect(group.get_by_role("radio", name="3")).to_be_checked()

    network.cut()
    page.wait_for_function("() => !window.scentissPhone.isOpen()")
    expected: dict[int, int | None] = {}
    taps = 0
    for number, statements in enumerate(elements, start=1):
        expect(page.get_by_text(w["element"].format(n=number))).to_be_visible()
        for statement in statements:
            answer = TAPS[taps % len(TAPS)]
            taps += 1
            name = w["dont_know"] if answer == "dk" else answer
            group = page.get_by_role("radiogroup", name=text_of(statement, language))
            group.locator("label", has=page.get_by_role("radio", name=name)).tap()
            expect(group.get_by_role("radio", name=name)).to_be_checked()
            expected[statement.pk] = None if answer == "dk" else int(answer)
        expect(group.get_by_role("status")).to_have_text(w["kept"])
        expect(page.locator("#kept")).to_be_visible()
        if number == 1:
            screenshot(page, f"offline-phone-{language}-01-kept")
        if number < len(elements):
            page.get_by_role("link", name=w["next"]).tap()
            expect(page).to_have_url(re.compile(rf"/s/{survey.code}/survey/{number + 1}/$"))
    expect(page.locator("#kept")).to_contain_text(w["kept_all"])
    expect(page.locator("#progress")).to_contain_text(w["answered"].format(n=46))
    screenshot(page, f"offline-phone-{language}-02-all-kept")
    # Back to the first element: its answers are there, kept on the phone.
    for number in range(5, 0, -1):
        page.get_by_role("link", name=w["previous"]).tap()
        expect(page.get_by_text(w["element"].format(n=number))).to_be_visible()
    first_answer = TAPS[0]
    expect(
        page.get_by_role("radiogroup", name=text_of(first, language)).get_by_role(
            "radio", name=first_answer
        )
    ).to_be_checked()
    expect(
        page.get_by_role("radiogroup", name=text_of(first, language)).get_by_role("status")
    ).to_have_text(w["kept"])
    screenshot(page, f"offline-phone-{language}-03-back-at-the-first")
    # "Finish" cannot open offline: it says so and stays.
    for _ in range(5):
        page.get_by_role("link", name=w["next"]).tap()
    expect(page.get_by_text(w["element"].format(n=6))).to_be_visible()
    page.get_by_role("link", name=w["finish"]).tap()
    expect(page.locator(".nav-offline")).to_have_text(re.compile(re.escape(w["no_done"])))
    expect(page).to_have_url(re.compile(rf"/s/{survey.code}/survey/6/$"))
    screenshot(page, f"offline-phone-{language}-04-finish-offline")
    # The language cannot change offline: it says so, and the page stays.
    page.get_by_role("button", name=w["other_language"]).tap()
    expect(page.locator(".offline-refusal")).to_contain_text(w["not_saved"])
    expect(page).to_have_url(re.compile(rf"/s/{survey.code}/survey/6/$"))
    assert stored_answers(survey) == {first.pk: 3}
    assert kept_on(page, "scentiss.tap.") == 46
    # A reload without a network: the browser's own offline page; the taps stay on the phone.
    # (Chromium's offline emulation lapses while the reload fails: the page's last retries
    # can reach the server then, and their replies are lost with the page. Whatever arrived
    # is what was tapped; every tap is still kept on the phone.)
    with pytest.raises(PlaywrightError):
        page.reload()
    assert nothing_lost(
        expected, kept_taps(context, live_server_url, survey), stored_answers(survey)
    )
    assert all(
        score == expected[statement] or (statement, score) == (first.pk, 3)
        for statement, score in stored_answers(survey).items()
    )

    network.restore()
    page.goto(f"{live_server_url}/j/{survey.code}/")
    expect(page.locator("#progress")).to_contain_text(w["answered"].format(n=46))
    page.wait_for_function(
        "() => !Object.keys(localStorage).some(k => k.startsWith('scentiss.tap.'))"
    )
    assert stored_answers(survey) == expected
    assert Answer.objects.filter(participant__workshop=survey).count() == 46
    expect(page.locator("#kept")).to_be_hidden()
    screenshot(page, f"offline-phone-{language}-05-sent")


@pytest.fixture
def live_server_url(server) -> str:
    return server.url


def chair_url(workshop: Workshop, base: str, number: int = 1) -> str:
    return session_urls(workshop=workshop, base_url=base)["chair_urls"][number - 1]


CHAIR_WORDS = {
    "nl": {
        "locale": "nl-NL",
        "record": "Observatie vastleggen",
        "theme": "Thema",
        "text": "Observatie",
        "save_observation": "Observatie opslaan",
        "unsent_state": "nog niet verzonden",
        "obs_unsent": "1 observatie nog niet verzonden: bewaard op deze tablet",
        "obs_saved": "✓ Observatie opgeslagen.",
        "not_saved": "Geen verbinding: dit is niet opgeslagen.",
        "edit_not_saved": "Geen verbinding: niet opgeslagen.",
        "add_seat": "Plek toevoegen voor iemand zonder telefoon",
        "add_seat_button": "Plek toevoegen",
        "seat_someone": "Iemand met een telefoon aan deze tafel plaatsen",
        "seat_here": "Hier plaatsen",
        "save": "Opslaan",
        "all_sent": "✓ Alle notities verzonden",
        "paper": "Papieren formulier invoeren",
        "save_paper": "Dit papieren formulier opslaan",
        "other_language": "English",
    },
    "en": {
        "locale": "en-GB",
        "record": "Record an observation",
        "theme": "Theme",
        "text": "Observation",
        "save_observation": "Save observation",
        "unsent_state": "not sent yet",
        "obs_unsent": "1 observation not sent yet: kept on this tablet",
        "obs_saved": "✓ Observation saved.",
        "not_saved": "No connection: this was not saved.",
        "edit_not_saved": "No connection: not saved.",
        "add_seat": "Add a seat for someone without a phone",
        "add_seat_button": "Add seat",
        "seat_someone": "Seat someone here who joined with their phone",
        "seat_here": "Seat here",
        "save": "Save",
        "all_sent": "✓ All notes sent",
        "paper": "Type in a paper form",
        "save_paper": "Save this paper form",
        "other_language": "Nederlands",
    },
}


@pytest.mark.parametrize(
    ("language", "device"),
    [("nl", TABLET), ("en", TABLET_LANDSCAPE)],
    ids=["nl-portrait", "en-landscape"],
)
def test_every_form_of_the_chairs_tablet_keeps_what_was_typed_without_network(
    live_server_url, survey, new_context, language, device
):
    """The chair's tablet loses the network. An observation is kept on the tablet and sent
    once when the network is back; a note edit, a new seat, seating someone, a paper form and
    the language say plainly that they were not saved and keep what was typed."""
    w = CHAIR_WORDS[language]
    table = survey.tables.get(number=1)

    def people_and_notes():
        seated = participant_join(workshop=survey, table=table, role="")
        participant_join(workshop=survey, table=None, role="")  # someone to seat
        return [
            note_create(
                table=table,
                element_id=survey.instrument.elements.order_by("order").first().pk,
                kind="plus",
                text=text,
                client_id=uuid.uuid4(),
                participant_id=seated.pk,
            ).note
            for text in ("Eerste notitie", "Tweede notitie")
        ]

    note, other = off_the_loop(people_and_notes)
    context = new_context(**{**device, "locale": w["locale"]})
    network = Network(context, CHAIR_SOCKET)
    page = context.new_page()
    url = chair_url(survey, live_server_url)
    page.goto(url)
    expect(page.locator("#sync-status")).to_have_text(w["all_sent"])
    # A note's edit form open before the network goes.
    page.locator(f"#note-{note.pk} .note-actions button").first.click()
    edit = page.locator(f"#note-{note.pk} textarea")
    expect(edit).to_be_visible()

    network.cut()
    # The observation: kept on the tablet, shown as not sent.
    page.get_by_text(w["record"]).click()
    observations = page.locator("#chair-observations")
    observations.get_by_label(w["theme"]).check()
    observations.get_by_label(w["text"], exact=True).fill("Iedereen noemt de haven")
    observations.get_by_role("button", name=w["save_observation"]).click()
    kept = observations.locator("li.observation.pending")
    expect(kept).to_contain_text("Iedereen noemt de haven")
    expect(kept).to_contain_text(w["unsent_state"])
    expect(page.locator("#observation-status")).to_contain_text(w["obs_unsent"])
    assert page.url == url
    assert kept_on(page, "scentiss.observation.") == 1
    observations.scroll_into_view_if_needed()
    screenshot(page, f"offline-tablet-{language}-01-observation-kept")

    # The note's edit: not saved, the text stays in the form.
    edit.fill("Eerste notitie, aangevuld")
    page.locator(f"#note-{note.pk}").get_by_role("button", name=w["save"]).click()
    expect(page.locator("#chair-alert")).to_contain_text(w["edit_not_saved"])
    expect(edit).to_have_value("Eerste notitie, aangevuld")
    # A new note: kept on the tablet, as ever.
    box = page.locator(".panel:not([hidden]) .table-board textarea").first
    box.fill("Iedereen is het eens")
    box.press("Enter")
    expect(page.locator("li.note.pending")).to_contain_text(w["unsent_state"])
    # Deleting a note: not done, said so, the note stays.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#note-{other.pk} .note-actions button").last.click()
    expect(page.locator("#chair-alert")).to_contain_text(w["edit_not_saved"])
    expect(page.locator(f"#note-{other.pk}")).to_be_visible()

    # A seat for someone without a phone: not saved, the initials stay.
    page.get_by_text(w["add_seat"]).click()
    initials = page.locator('input[name="initials"]')
    initials.fill("JV")
    page.get_by_role("button", name=w["add_seat_button"], exact=True).click()
    refusal = page.locator(".offline-refusal")
    expect(refusal).to_contain_text(w["not_saved"])
    expect(initials).to_have_value("JV")
    assert page.url == url
    screenshot(page, f"offline-tablet-{language}-02-seat-not-saved")
    refusal.click()  # dismissed
    expect(refusal).to_be_hidden()

    # Seating someone with a phone: not saved, the choice stays.
    page.get_by_text(w["seat_someone"]).click()
    choice = page.locator("#seat-move select")
    choice.select_option(index=1)
    chosen = choice.input_value()
    page.get_by_role("button", name=w["seat_here"]).click()
    expect(refusal).to_contain_text(w["not_saved"])
    expect(choice).to_have_value(chosen)
    assert page.url == url
    # The language: not changed, said so.
    page.get_by_role("button", name=w["other_language"]).click()
    expect(refusal).to_contain_text(w["not_saved"])
    assert page.url == url
    assert Observation.objects.count() == 0
    assert survey.participants.count() == 2
    assert Note.objects.filter(table=table).count() == 2

    network.restore()
    expect(page.locator("#observation-status")).to_have_text(w["obs_saved"], timeout=15_000)
    expect(observations.locator("li.observation")).to_have_count(1)
    expect(observations.locator("li.observation.pending")).to_have_count(0)
    stored = Observation.objects.get()
    assert (stored.text, stored.kind, stored.table_id) == (
        "Iedereen noemt de haven",
        "theme",
        table.pk,
    )
    assert kept_on(page, "scentiss.observation.") == 0
    expect(page.locator("#sync-status")).to_have_text(w["all_sent"])
    assert Note.objects.filter(table=table, text="Iedereen is het eens").count() == 1
    screenshot(page, f"offline-tablet-{language}-03-observation-sent")
    # Online again, the same forms go through: what was typed was kept for it.
    page.locator(f"#note-{note.pk}").get_by_role("button", name=w["save"]).click()
    expect(page.locator(f"#note-{note.pk}")).to_contain_text("Eerste notitie, aangevuld")
    page.get_by_role("button", name=w["add_seat_button"], exact=True).click()  # still open
    expect(page.locator(".board-row", has_text="JV").first).to_be_visible()
    page.reload()
    page.get_by_text(w["record"]).click()
    expect(page.locator("#chair-observations li.observation")).to_have_count(1)
    assert Observation.objects.count() == 1

    # The paper form, opened online and filled in offline: not saved, the answers stay.
    page.get_by_role("link", name=w["paper"]).click()
    first = page.locator(".paper-item").first
    first.locator('input[value="4"]').check()
    network.cut()
    page.get_by_role("button", name=w["save_paper"]).click()
    expect(page.locator(".offline-refusal")).to_contain_text(w["not_saved"])
    expect(first.locator('input[value="4"]')).to_be_checked()
    expect(page.get_by_role("button", name=w["save_paper"])).to_be_enabled()
    screenshot(page, f"offline-tablet-{language}-04-paper-not-saved")
    network.restore()
    page.get_by_role("button", name=w["save_paper"]).click()
    page.wait_for_load_state()
    expect(page.locator(".offline-refusal")).to_have_count(0)
    assert Answer.objects.filter(participant__workshop=survey).count() == 1


@pytest.mark.parametrize("language", ["nl", "en"])
def test_joining_without_network_says_so_and_keeps_the_choice(
    live_server_url, survey, new_context, language
):
    w = WORDS[language]
    context = new_context(**{**PHONE, "locale": w["locale"]})
    Network(context, PHONE_SOCKET)
    page = context.new_page()
    page.goto(f"{live_server_url}/j/{survey.code}/")
    page.locator("select").first.select_option("2")
    page.locator("input[name=consent]").check()
    context.set_offline(True)
    page.get_by_role("button", name=w["start"]).tap()
    expect(page.locator(".offline-refusal")).to_contain_text(w["not_joined"])
    expect(page.locator("select").first).to_have_value("2")
    assert page.url.endswith(f"/j/{survey.code}/")
    screenshot(page, f"offline-phone-{language}-06-join-offline")
    assert survey.participants.count() == 0
    context.set_offline(False)
    page.get_by_role("button", name=w["start"]).tap()
    expect(page).to_have_url(re.compile(rf"/s/{survey.code}/survey/1/$"))
    assert survey.participants.count() == 1


def kept_taps(context: BrowserContext, origin: str, workshop: Workshop) -> dict[int, int | None]:
    """The taps kept in the phone's storage (statement -> score), read from the context while
    its page shows the browser's offline page."""
    prefix = f"scentiss.tap.{workshop.code}."
    taps: dict[int, int | None] = {}
    for entry in context.storage_state()["origins"]:
        if entry["origin"] != origin:
            continue
        for item in entry["localStorage"]:
            if item["name"].startswith(prefix):
                rec = json.loads(item["value"])
                taps[int(rec["statement"])] = None if rec["score"] == "dk" else int(rec["score"])
    return taps


def nothing_lost(
    expected: dict[int, int | None],
    kept: dict[int, int | None],
    stored: dict[int, int | None],
) -> bool:
    """Every tap is kept on the phone (its latest) or, once acknowledged, stored."""
    return all(s in kept or s in stored for s in expected) and all(
        (kept[s] if s in kept else stored[s]) == score for s, score in expected.items()
    )
