"""End to end in a real browser: phones answer by tapping, the projector follows live.

Debian's Chromium, driven by Playwright's sync API, against the app served by uvicorn on the
test database (as deployed). Every screen is saved to test-artifacts/ for people to look at.
"""

import datetime
import re
from collections.abc import Iterator

import httpx
import pytest
from django.conf import settings
from playwright.sync_api import (
    BrowserContext,
    Page,
    expect,
)

from instrument.models import Statement
from sessions.models import Participant, Phase, ProjectorMode, Role, Workshop
from sessions.services import workshop_create, workshop_update_state
from sessions.urls_helpers import session_urls
from survey.models import Answer
from tests.browser_helpers import PHONE, PROJECTOR, off_the_loop, screenshot
from tests.conftest import HTTPX_TLS, Servers, ensure_instrument, shared_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "Opgeslagen"
DONT_KNOW = "Weet ik niet / geen mening"
LIVE = "● live"
RECONNECTING = "verbinding verbroken, opnieuw verbinden…"
# What the phone taps, statement after statement, cycled over the survey.
TAPS = ["4", "2", "5", "1", "3", DONT_KNOW, "4", "5", "3"]
# An answer must be on the projector this soon after the phone showed "Opgeslagen".
LIVE_WITHIN_MS = 1000


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
def servers(request, transactional_db, module_servers) -> Servers:
    """The module's app server (tests/conftest.py), which the test may stop and start again."""
    # The organiser's changes made here reach the server's projectors through Redis.
    assert settings.REDIS_URL, "the browser tests need REDIS_URL (make test sets it)"
    shared_server(request, module_servers.running())
    return module_servers


@pytest.fixture
def workshop(transactional_db) -> Workshop:
    return workshop_create(
        city="Zwolle",
        date=datetime.date(2026, 11, 26),
        tables=3,
        title="Impact in de regio",
        instrument=ensure_instrument(),
        phase=Phase.SURVEY,
    )


def statements_of(workshop: Workshop) -> list[list[Statement]]:
    """The session's statements, element by element, in the order the phone shows them."""
    return [
        list(element.statements.order_by("order"))
        for element in workshop.instrument.elements.order_by("order")
    ]


def test_a_tap_made_while_the_scripts_still_load_is_saved(servers, workshop, new_context):
    """On a slow network the survey page shows (and takes taps) before survey.js has run: such a
    tap is sent as soon as the script runs, not left checked on the screen and never saved."""
    context = new_context(**PHONE)
    held = []
    context.route("**/static/js/survey.js", lambda route: held.append(route))
    page = context.new_page()
    page.goto(f"{servers.url}/j/{workshop.code}/")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Starten").tap()
    expect(page).to_have_url(re.compile(rf"/s/{workshop.code}/survey/1/$"))
    statement = statements_of(workshop)[0][0]
    group = page.get_by_role("radiogroup", name=statement.text_nl)
    group.locator("label", has=page.get_by_role("radio", name="4")).tap()
    expect(group.get_by_role("radio", name="4")).to_be_checked()
    assert held and stored_answers(workshop) == {}  # the script has not run yet

    held.pop().continue_()

    expect(group.get_by_role("status")).to_have_text(f"✓ {SAVED}")
    assert stored_answers(workshop) == {statement.pk: 4}


def join(page: Page, url: str, workshop: Workshop) -> None:
    """Open the join URL and start without choosing anything (as most people will)."""
    page.goto(f"{url}/j/{workshop.code}/")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Starten").tap()
    expect(page).to_have_url(re.compile(rf"/s/{workshop.code}/survey/1/$"))


def tap_answer(page: Page, statement: Statement, answer: str) -> int:
    """Tap an answer to a statement (on the box the phone shows) and wait until the phone says
    it is saved (over its websocket, or by HTTP when that is down). Returns the results version
    the server acknowledged the tap with."""
    group = page.get_by_role("radiogroup", name=statement.text_nl)
    radio = group.get_by_role("radio", name=answer)
    group.locator("label", has=page.get_by_role("radio", name=answer)).tap()
    expect(radio).to_be_checked()
    expect(group.get_by_role("status")).to_have_text(f"✓ {SAVED}")
    return int(tap_form(page, statement).get_attribute("data-version"))


def tap_form(page: Page, statement: Statement):
    return page.locator(f'form.statement[data-statement="{statement.pk}"]')


def expect_checked(page: Page, statement: Statement, answer: str) -> None:
    group = page.get_by_role("radiogroup", name=statement.text_nl)
    expect(group.get_by_role("radio", name=answer)).to_be_checked()


def score_of(answer: str) -> int | None:
    return None if answer == DONT_KNOW else int(answer)


def chart(projector: Page) -> dict:
    """What the projector's chart shows: plotly's own data and the snapshot version drawn."""
    return projector.evaluate(
        """() => {
            const chart = document.getElementById("chart");
            return {
                r: chart.data[0].r,
                theta: chart.data[0].theta,
                version: Number(chart.dataset.version),
                respondents: document.getElementById("respondents").textContent.trim(),
                participants: document.getElementById("participants").textContent.trim(),
            };
        }"""
    )


def answer_reaches_projector(
    phone: Page, projector: Page, statement: Statement, answer: str
) -> dict:
    """Tap an answer on the phone; the projector must draw it within LIVE_WITHIN_MS of the
    phone's "Opgeslagen". Returns what the projector shows then."""
    version = tap_answer(phone, statement, answer)
    # The clock starts now, once "Opgeslagen" shows: the chart must draw that version in time.
    projector.wait_for_function(
        "v => Number(document.getElementById('chart').dataset.version) >= v",
        arg=version,
        timeout=LIVE_WITHIN_MS,
    )
    return chart(projector)


def assert_projector_shows_results_json(projector: Page, workshop: Workshop, url: str) -> dict:
    """The projector's chart is exactly the results_url snapshot of the same version."""
    snapshot = httpx.get(
        session_urls(workshop=workshop, base_url=url)["results_url"], verify=HTTPX_TLS
    ).json()
    shown = chart(projector)
    assert shown["version"] == snapshot["version"]
    scores = [element["score"] for element in snapshot["elements"]]
    names = [element["name"] for element in snapshot["elements"]]
    assert shown["r"] == scores + scores[:1]  # the polygon is closed by repeating the first
    assert shown["theta"] == names + names[:1]
    assert shown["respondents"] == str(snapshot["respondents"])
    assert shown["participants"] == str(snapshot["participants"])
    return snapshot


def open_projector(new_context, url: str, workshop: Workshop) -> Page:
    projector = new_context(**PROJECTOR).new_page()
    projector.goto(session_urls(workshop=workshop, base_url=url)["projector_url"])
    expect(projector.locator("#live-status")).to_have_text(LIVE)
    return projector


def show_chart(projector: Page, workshop: Workshop) -> None:
    """The organiser puts the projector on the spider chart; it follows without a reload."""
    off_the_loop(workshop_update_state, workshop=workshop, projector_mode=ProjectorMode.CHART)
    expect(projector.locator("#chart .main-svg").first).to_be_visible()


def test_a_phone_answers_the_whole_survey_by_tapping(servers, workshop, new_context):
    page = new_context(**PHONE).new_page()
    page.goto(f"{servers.url}/j/{workshop.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Welkom bij de ecosysteemdialoog Zwolle"
    )
    screenshot(page, "phone-01-join", full_page=True)

    page.get_by_label("Ik ben hier als").select_option(label="Impactondernemer")
    page.get_by_label("Mijn tafelnummer").select_option("2")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Starten").tap()
    expect(page).to_have_url(re.compile(rf"/s/{workshop.code}/survey/1/$"))
    expect(page.get_by_text("Je bent T2·P1")).to_be_visible()

    elements = statements_of(workshop)
    assert [len(statements) for statements in elements] == [8, 9, 7, 6, 5, 11]
    tapped: dict[Statement, str] = {}
    for number, statements in enumerate(elements, start=1):
        expect(page.get_by_text(f"Element {number} van 6")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_have_text(statements[0].element.name_nl)
        if number == 1:
            screenshot(page, "phone-02-element-1-first-screen")
        for statement in statements:
            answer = TAPS[len(tapped) % len(TAPS)]
            tap_answer(page, statement, answer)
            tapped[statement] = answer
        expect(page.locator("#progress")).to_contain_text(f"{len(tapped)} van 46 beantwoord")
        screenshot(page, f"phone-03-element-{number}-answered", full_page=True)

        if number in (1, 6):  # a reload (or a phone that slept) shows the taps it had
            page.reload()
            for statement in statements:
                expect_checked(page, statement, tapped[statement])
            expect(page.locator("#progress")).to_contain_text(f"{len(tapped)} van 46 beantwoord")

        page.get_by_role("link", name="Volgende" if number < 6 else "Afronden").tap()

    expect(page).to_have_url(re.compile(rf"/s/{workshop.code}/survey/done/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt!")
    expect(page.locator("#progress")).to_contain_text("46 van 46 beantwoord")
    expect(page.get_by_text("Je hebt alle stellingen beantwoord.")).to_be_visible()
    screenshot(page, "phone-04-done", full_page=True)

    participant = Participant.objects.select_related("table").get(workshop=workshop)
    assert (participant.role, participant.table.number) == (Role.ENTREPRENEUR, 2)
    saved = dict(
        Answer.objects.filter(participant=participant).values_list("statement_id", "score")
    )
    assert len(saved) == 46
    assert saved == {statement.pk: score_of(answer) for statement, answer in tapped.items()}
    assert list(saved.values()).count(None) == 5  # the "weet ik niet" taps, stored as no score

    # "Review my answers" goes back to the first element, with every tap still shown.
    page.get_by_role("link", name="Mijn antwoorden bekijken").tap()
    for statement in elements[0]:
        expect_checked(page, statement, tapped[statement])


def test_the_projector_draws_an_answer_within_a_second(servers, workshop, new_context):
    projector = open_projector(new_context, servers.url, workshop)
    join_url = session_urls(workshop=workshop, base_url=servers.url)["join_url"]
    # A new session's projector shows how to join: the QR code and the short URL, big.
    qr = projector.get_by_role("img", name="QR-code om mee te doen").filter(visible=True)
    expect(qr.locator("svg")).to_be_visible()
    assert qr.bounding_box()["width"] >= 500
    expect(projector.get_by_text(join_url, exact=True).filter(visible=True)).to_be_visible()
    expect(projector.locator("#chart")).not_to_be_in_viewport()
    screenshot(projector, "projector-01-join-screen")

    show_chart(projector, workshop)
    expect(qr.locator("svg")).to_be_visible()  # the QR code stays, smaller, beside the chart
    expect(projector.get_by_text(join_url, exact=True).filter(visible=True)).to_be_visible()
    before = chart(projector)
    assert before["r"] == [None] * 7
    assert (before["participants"], before["respondents"]) == ("0", "0")
    assert_projector_shows_results_json(projector, workshop, servers.url)
    screenshot(projector, "projector-02-chart-before-answers")

    phone = new_context(**PHONE).new_page()
    join(phone, servers.url, workshop)
    expect(projector.locator("#participants")).to_have_text("1")
    elements = statements_of(workshop)

    shown = answer_reaches_projector(phone, projector, elements[0][0], "4")
    assert shown["r"][:2] == [4, None]
    assert shown["respondents"] == "1"
    # The participant's mean over the element: (4 + 2) / 2.
    shown = answer_reaches_projector(phone, projector, elements[0][1], "2")
    assert shown["r"][0] == 3
    # In the page's language (nl): a decimal comma, as the phone and the profile write it.
    expect(projector.locator("#chart")).to_contain_text("3,0")
    assert_projector_shows_results_json(projector, workshop, servers.url)

    # One answer in each further element: the spider closes, each answer live on its own.
    for number, (statements, answer) in enumerate(
        zip(elements[1:], ["5", "2", "4", "1", "3"], strict=True), start=2
    ):
        phone.get_by_role("link", name="Volgende").tap()
        expect(phone.get_by_text(f"Element {number} van 6")).to_be_visible()
        shown = answer_reaches_projector(phone, projector, statements[0], answer)
        assert shown["r"][number - 1] == int(answer)
    # A changed tap replaces the answer, on the projector too.
    shown = answer_reaches_projector(phone, projector, elements[-1][0], "5")
    assert shown["r"] == [3, 5, 2, 4, 1, 5, 3]
    snapshot = assert_projector_shows_results_json(projector, workshop, servers.url)
    assert snapshot["respondents"] == 1
    screenshot(projector, "projector-03-chart-after-answers")


def test_the_projector_reconnects_after_the_server_went_away(servers, workshop, new_context):
    projector = open_projector(new_context, servers.url, workshop)
    show_chart(projector, workshop)
    status = projector.locator("#live-status")
    phone = new_context(**PHONE).new_page()
    join(phone, servers.url, workshop)
    first, second = statements_of(workshop)[0][:2]

    servers.stop()
    expect(status).to_have_text(RECONNECTING)
    screenshot(projector, "projector-04-reconnecting")
    # A tap while the server is away is kept on the phone and retried; the phone says it is
    # kept (its storage holds it), not that it failed.
    group = phone.get_by_role("radiogroup", name=first.text_nl)
    group.locator("label", has=phone.get_by_role("radio", name="5")).tap()
    expect(group.get_by_role("radio", name="5")).to_be_checked()
    expect(group.get_by_role("status")).to_have_text(OFFLINE)
    expect(phone.locator("#kept")).to_have_text(KEPT_ONE)
    screenshot(phone, "phone-05-not-saved-yet")

    servers.start_again()
    expect(status).to_have_text(LIVE)
    # The retries back off (0.5 s doubling to 5 s), so the save may come a few seconds later.
    expect(group.get_by_role("status")).to_have_text(f"✓ {SAVED}", timeout=15_000)
    projector.wait_for_function("() => document.getElementById('chart').data[0].r[0] === 5")

    # An answer given after the restart reaches the reconnected projector live.
    shown = answer_reaches_projector(phone, projector, second, "3")
    assert shown["r"][0] == 4
    assert_projector_shows_results_json(projector, workshop, servers.url)
    screenshot(projector, "projector-05-live-again")
    assert dict(
        Answer.objects.filter(participant__workshop=workshop).values_list("statement_id", "score")
    ) == {first.pk: 5, second.pk: 3}


PHONE_SOCKET = re.compile(r"/ws/s/[^/]+/phone/$")
OFFLINE = "Bewaard op deze telefoon; wordt verstuurd zodra er verbinding is."
KEPT_ONE = (
    "Geen verbinding: 1 antwoord staat op deze telefoon en wordt verstuurd zodra er verbinding is."
)


def socket_open(page: Page) -> None:
    page.wait_for_function("() => window.scentissPhone && window.scentissPhone.isOpen()")


def stored_answers(workshop: Workshop) -> dict[int, int | None]:
    return dict(
        Answer.objects.filter(participant__workshop=workshop).values_list("statement_id", "score")
    )


def test_a_phone_answers_over_its_socket_then_over_http_when_it_is_lost(
    servers, workshop, new_context
):
    """Taps travel over the phone's websocket; when the socket is lost (a server restart) the
    next tap goes by HTTP; both reach the projector at once, and the socket takes over again."""
    projector = open_projector(new_context, servers.url, workshop)
    show_chart(projector, workshop)
    phone = new_context(**PHONE).new_page()
    join(phone, servers.url, workshop)
    socket_open(phone)
    first, second, third = statements_of(workshop)[0][:3]

    shown = answer_reaches_projector(phone, projector, first, "4")
    assert tap_form(phone, first).get_attribute("data-via") == "ws"
    assert shown["r"][0] == 4

    # The server restarts: the socket is lost. Its reconnection is held off here (the route
    # closes every new phone socket) so that the next tap surely finds it down.
    held = True

    def phone_socket(ws) -> None:
        if held:
            ws.close()
        else:
            ws.connect_to_server()

    phone.route_web_socket(PHONE_SOCKET, phone_socket)
    servers.stop()
    phone.wait_for_function("() => !window.scentissPhone.isOpen()")
    servers.start_again()
    expect(projector.locator("#live-status")).to_have_text(LIVE)
    shown = answer_reaches_projector(phone, projector, second, "2")
    assert tap_form(phone, second).get_attribute("data-via") == "http"
    assert shown["r"][0] == 3  # (4 + 2) / 2

    # The socket comes back and carries the taps again.
    held = False
    socket_open(phone)
    shown = answer_reaches_projector(phone, projector, third, "5")
    assert tap_form(phone, third).get_attribute("data-via") == "ws"
    assert shown["r"][0] == 11 / 3
    assert_projector_shows_results_json(projector, workshop, servers.url)
    screenshot(phone, "phone-06-answered-by-socket-and-http")
    assert stored_answers(workshop) == {first.pk: 4, second.pk: 2, third.pk: 5}


def test_taps_made_offline_outlive_the_tab_and_are_sent_when_it_opens_again(
    servers, workshop, new_context
):
    """Offline, two taps, the tab closed; the join link opened again online
    sends them (kept in the phone's localStorage) and shows them."""
    context = new_context(**PHONE)
    # Chromium's offline emulation leaves open websockets alone, where a phone that lost the
    # wifi loses them too: the route closes the phone's socket (and refuses new ones) offline.
    sockets = []
    offline = False

    def phone_socket(ws) -> None:
        if offline:
            ws.close()
        else:
            ws.connect_to_server()
            sockets.append(ws)

    context.route_web_socket(PHONE_SOCKET, phone_socket)
    page = context.new_page()
    join(page, servers.url, workshop)
    socket_open(page)
    first, second = statements_of(workshop)[0][:2]

    offline = True
    context.set_offline(True)
    # Chromium's offline emulation lapses now and then: a retry of a tap reached the server
    # (once in the dozen runs of a day). A phone without wifi reaches nothing: neither do they.
    answers = f"**/s/{workshop.code}/answer/"
    context.route(answers, lambda route: route.abort("internetdisconnected"))
    for ws in sockets:
        ws.close()
    page.wait_for_function("() => !window.scentissPhone.isOpen()")
    for statement, answer in ((first, "5"), (second, DONT_KNOW)):
        group = page.get_by_role("radiogroup", name=statement.text_nl)
        group.locator("label", has=page.get_by_role("radio", name=answer)).tap()
        expect(group.get_by_role("radio", name=answer)).to_be_checked()
        expect(group.get_by_role("status")).to_have_text(OFFLINE)
    screenshot(page, "phone-07-offline-taps-kept")
    assert stored_answers(workshop) == {}
    page.close()  # as a phone drops a background tab: no unload prompt, nothing sent
    assert stored_answers(workshop) == {}

    offline = False
    context.unroute(answers)
    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{servers.url}/j/{workshop.code}/")
    expect(page).to_have_url(re.compile(rf"/s/{workshop.code}/survey/1/$"))
    for statement, answer in ((first, "5"), (second, DONT_KNOW)):
        group = page.get_by_role("radiogroup", name=statement.text_nl)
        expect(group.get_by_role("radio", name=answer)).to_be_checked()
        expect(group.get_by_role("status")).to_have_text(f"✓ {SAVED}")
    expect(page.locator("#progress")).to_contain_text("2 van 46 beantwoord")
    assert stored_answers(workshop) == {first.pk: 5, second.pk: None}
    # Nothing is left on the phone to send again, and a reload shows the stored answers.
    assert (
        page.evaluate(
            "() => Object.keys(localStorage).filter(k => k.startsWith('scentiss.tap.')).length"
        )
        == 0
    )
    page.reload()
    expect_checked(page, first, "5")
    expect_checked(page, second, DONT_KNOW)
    screenshot(page, "phone-08-offline-taps-sent")
