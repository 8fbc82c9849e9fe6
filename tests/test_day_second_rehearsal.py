"""What broke in the facilitator's second rehearsal, replayed in Debian's Chromium against the
app under uvicorn: a person without a phone counted twice, an archive that changed nothing,
a chair moving the wrong person with one tap, a results phase that showed no results."""

import datetime
import io
import re

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from instrument.models import Statement
from notes.models import ExtraSeat, Note
from sessions.models import Participant, Phase, Source, Table, Workshop
from survey.models import Answer
from tests.browser_helpers import PHONE, PROJECTOR, TABLET, desk_page, phone_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workshop(transactional_db, make_workshop) -> Workshop:
    return make_workshop(
        city="Deventer", date=datetime.date(2026, 12, 3), tables=2, phase=Phase.SURVEY
    )


def chair_url(server, table: Table) -> str:
    return f"{server.url}/s/{table.workshop.code}/chair/{table.chair_key}/"


def add_seat(tablet: Page, initials: str, label: str) -> None:
    tablet.get_by_text("Plek toevoegen voor iemand zonder telefoon").click()
    tablet.get_by_label("Initialen (optioneel)").fill(initials)
    tablet.get_by_role("button", name="Plek toevoegen").click()
    expect(tablet.get_by_text(f"Plek {label} toegevoegd.")).to_be_visible()


def join_phone(browser, server, workshop: Workshop, table: str) -> Page:
    phone = phone_page(browser)
    phone.goto(f"{server.url}/j/{workshop.code}/")
    phone.locator("select[name=table]").select_option(table)
    phone.locator("input[name=consent]").check()
    phone.get_by_role("button", name="Starten").click()
    expect(phone).to_have_url(re.compile(r"/survey/1/$"))
    return phone


def test_a_paper_form_fills_the_seat_of_the_person_without_a_phone(browser, server, workshop):
    t1 = Table.objects.get(workshop=workshop, number=1)
    statements = list(
        Statement.objects.filter(element__instrument=workshop.instrument).order_by(
            "element__order", "order"
        )[:3]
    )
    # Four phones at table 1 (T1·P1-P4) that answer nothing yet; the chair adds JV and KL.
    for _ in range(4):
        join_phone(browser, server, workshop, "1")
    tablet = browser.new_context(**TABLET).new_page()
    tablet.set_default_timeout(20_000)
    tablet.goto(chair_url(server, t1))
    add_seat(tablet, "JV", "T1·P5")
    add_seat(tablet, "KL", "T1·P6")
    jv = Participant.objects.get(extra_seat__initials="JV")
    kl = Participant.objects.get(extra_seat__initials="KL")
    box = tablet.locator(".panel:not([hidden])").get_by_role("textbox", name="T1·P5 + …")
    box.fill("Kent de haven goed")
    box.press("Enter")
    expect(tablet.get_by_text("Alle notities verzonden")).to_be_visible()

    # The seat list offers JV's paper form; it fills JV's seat, not a new participant.
    row = tablet.locator(".panel:not([hidden]) .board-row", has_text="T1·P5")
    screenshot(tablet, "second-rehearsal-chair-seat-paper-link-768x1024")
    row.get_by_role("link", name="papieren formulier invullen").click()
    expect(
        tablet.get_by_role("heading", name=re.compile("Papieren formulier van T1·P5"))
    ).to_be_visible()
    for statement, score in zip(statements, ["4", "2", "dk"], strict=True):
        tablet.locator(f"input[name=s{statement.pk}][value='{score}']").check(force=True)
    tablet.get_by_role("button", name="Dit papieren formulier opslaan").click()
    expect(tablet.locator(".messages")).to_contain_text(
        "Papieren formulier van T1·P5 opgeslagen: 3 antwoorden"
    )
    assert Participant.objects.filter(workshop=workshop).count() == 6  # nobody new
    jv.refresh_from_db()
    assert jv.source == Source.PAPER and jv.seat_label == "T1·P5"
    assert ExtraSeat.objects.get(participant=jv).initials == "JV"
    assert Note.objects.get().participant_id == jv.pk  # the note stays with the person
    assert Answer.objects.filter(participant=jv).count() == 3

    # The organiser opens the chair's other seat by its paper URL (no 404), and the new
    # form points at it.
    desk = desk_page(browser, server, workshop)
    desk.goto(f"{server.url}/s/{workshop.code}/paper/")
    seats = desk.locator("#paper-seats")
    expect(seats).to_contain_text("T1·P6 · KL")
    expect(seats).not_to_contain_text("T1·P5")  # JV's form is in
    screenshot(desk, "second-rehearsal-paper-new-lists-seats-1366x768")
    seats.get_by_role("link", name="T1·P6 · KL").click()
    expect(desk).to_have_url(re.compile(rf"/s/{workshop.code}/paper/{kl.pk}/$"))
    expect(
        desk.get_by_role("heading", name=re.compile("Papieren formulier van T1·P6"))
    ).to_be_visible()

    # KL has no answers and no phone: not unfinished, not "aangemeld" on console or projector.
    desk.goto(f"{server.url}/s/{workshop.code}/organiser/")
    dashboard = desk.locator("#dashboard")
    expect(dashboard.locator("#dash-joined")).to_have_text("5")  # 4 phones + JV's paper form
    nudge = dashboard.locator(".nudge")
    expect(nudge).to_contain_text("T1·P1")
    expect(nudge).not_to_contain_text("T1·P6")
    expect(nudge).not_to_contain_text("T1·P5")  # a paper form is not nudged either
    screenshot(desk, "second-rehearsal-console-dashboard-1366x768")
    projector = browser.new_context(**PROJECTOR).new_page()
    projector.goto(
        f"{server.url}/s/{workshop.code}/projector/?key={workshop.projector_key}",
        wait_until="domcontentloaded",
    )
    expect(projector.locator(".js-participants").first).to_have_text("5")

    # ... and the workbook says KL's seat has no phone.
    response = desk.request.get(f"{server.url}/s/{workshop.code}/export.xlsx")
    assert response.status == 200
    book = openpyxl.load_workbook(io.BytesIO(response.body()))
    rows = {r[0]: r for r in list(book["deelnemers"].iter_rows(values_only=True))[1:]}
    assert rows["T1·P6"][4] == "zonder telefoon"
    assert rows["T1·P5"][4] == "papier"
    assert rows["T1·P1"][4] == "telefoon"


def test_the_results_phase_shows_the_results_on_projector_and_phones(browser, server, workshop):
    statement = Statement.objects.filter(element__instrument=workshop.instrument).order_by(
        "element__order", "order"
    )[0]
    phone = join_phone(browser, server, workshop, "1")
    group = phone.get_by_role("radiogroup", name=statement.text_nl)
    group.locator("label", has=phone.get_by_role("radio", name="4")).tap()
    expect(group.get_by_role("status")).to_contain_text("✓")
    desk = desk_page(browser, server, workshop)
    desk.get_by_role("button", name="3. Gesprek").click()
    desk.get_by_role("button", name="Toch sluiten: Gesprek").click()
    desk.get_by_role("button", name="Discussievragen").click()
    expect(desk.get_by_role("button", name="Discussievragen")).to_have_attribute(
        "aria-current", "true"
    )
    projector = browser.new_context(**PROJECTOR).new_page()
    projector.set_default_timeout(20_000)
    projector.goto(
        f"{server.url}/s/{workshop.code}/projector/?key={workshop.projector_key}",
        wait_until="domcontentloaded",
    )
    expect(projector.locator("#beamer")).to_have_attribute("data-mode", "discussion")
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(phone.get_by_role("heading", name="De resultaten van Deventer")).to_have_count(0)

    # One step: "4. Resultaten" shows the results everywhere.
    desk.get_by_role("button", name="4. Resultaten").click()
    expect(desk.get_by_role("button", name="4. Resultaten")).to_have_attribute(
        "aria-current", "step"
    )
    expect(desk.get_by_role("button", name="Spiderdiagram")).to_have_attribute(
        "aria-current", "true"
    )
    expect(desk.get_by_text("Telefoons tonen de resultaten.")).to_be_visible()
    expect(projector.locator("#beamer")).to_have_attribute("data-mode", "chart")
    expect(projector.locator("#chart")).to_be_visible()
    expect(projector.locator("#chart .main-svg").first).to_be_visible()
    expect(phone.get_by_role("heading", name="De resultaten van Deventer")).to_be_visible()
    screenshot(projector, "second-rehearsal-results-projector-1920x1080")
    screenshot(phone, "second-rehearsal-results-phone-390x844")


def open_seat_move(tablet: Page) -> None:
    """Open the chair's "seat someone here" form (open by itself at an empty table)."""
    if tablet.locator("#seat-move").get_attribute("open") is None:
        tablet.get_by_text("Iemand met een telefoon aan deze tafel plaatsen").click()


def test_the_chair_sees_the_unseated_first_and_confirms_moving_someone(browser, server, workshop):
    import uuid

    from notes.services import note_create
    from tests.browser_helpers import off_the_loop

    t1 = Table.objects.get(workshop=workshop, number=1)
    t2 = Table.objects.get(workshop=workshop, number=2)
    join_phone(browser, server, workshop, "2")  # T2·P1
    join_phone(browser, server, workshop, "2")  # T2·P2
    join_phone(browser, server, workshop, "")  # P1, no table
    at_two = Participant.objects.get(table=t2, seat=1)
    unseated = Participant.objects.get(workshop=workshop, table__isnull=True)
    element = workshop.instrument.elements.order_by("order").first()
    for text in ["Kent de haven", "Twijfelt over geld"]:
        off_the_loop(
            note_create, table=t2, element_id=element.pk, kind="plus", text=text,
            client_id=uuid.uuid4(), participant_id=at_two.pk, is_quote=False,
        )  # fmt: skip

    tablet = browser.new_context(**TABLET).new_page()
    tablet.set_default_timeout(20_000)
    tablet.goto(chair_url(server, t1))
    open_seat_move(tablet)
    choice = tablet.locator("#seat-move select[name=participant]")
    # The unseated come first, in a group of their own; the others are named with their table.
    groups = choice.locator("optgroup")
    expect(groups).to_have_count(2)
    expect(groups.nth(0)).to_have_attribute("label", "Zonder tafel")
    expect(groups.nth(1)).to_have_attribute("label", "Aan een andere tafel")
    expect(choice.locator("option").nth(1)).to_have_text(re.compile(r"^P1 \(geen tafel\)"))
    screenshot(tablet, "second-rehearsal-chair-seat-choices-768x1024")

    # Someone from table 2: the chair is asked first, and may say no.
    choice.select_option(str(at_two.pk))
    tablet.get_by_role("button", name="Hier plaatsen").click()
    heading = tablet.get_by_role(
        "heading", name="T2·P1 zit nu aan tafel 2. Verplaatsen naar tafel 1?"
    )
    expect(heading).to_be_visible()
    expect(tablet.locator("#confirm-move")).to_contain_text("de 2 notities over hen gaan mee")
    screenshot(tablet, "second-rehearsal-chair-confirm-move-768x1024")
    assert Participant.objects.get(pk=at_two.pk).table_id == t2.pk  # nothing moved yet
    tablet.get_by_role("link", name="Nee, terug naar mijn tafel").click()
    expect(tablet.get_by_role("heading", name="Tafel 1 · Deventer")).to_be_visible()
    assert Participant.objects.get(pk=at_two.pk).table_id == t2.pk

    # Asked again and confirmed: the person and their notes move.
    open_seat_move(tablet)
    tablet.locator("#seat-move select[name=participant]").select_option(str(at_two.pk))
    tablet.get_by_role("button", name="Hier plaatsen").click()
    tablet.get_by_role("button", name="Verplaatsen naar tafel 1").click()
    expect(tablet.get_by_text("T1·P1 is nu aan deze tafel geplaatst.")).to_be_visible()
    moved = Participant.objects.get(pk=at_two.pk)
    assert moved.table_id == t1.pk
    assert set(Note.objects.values_list("table_id", flat=True)) == {t1.pk}

    # Someone without a table is seated at once: nobody is taken from another table.
    open_seat_move(tablet)
    tablet.locator("#seat-move select[name=participant]").select_option(str(unseated.pk))
    tablet.get_by_role("button", name="Hier plaatsen").click()
    expect(tablet.get_by_text("T1·P2 is nu aan deze tafel geplaatst.")).to_be_visible()
    assert Participant.objects.get(pk=unseated.pk).table_id == t1.pk


def test_an_archived_session_is_read_only_hidden_and_can_be_restored(browser, server, workshop):
    Workshop.objects.create(  # another session, to see the list filter
        city="Zutphen", date=datetime.date(2026, 12, 1), instrument=workshop.instrument
    )
    t1 = Table.objects.get(workshop=workshop, number=1)
    statement = Statement.objects.filter(element__instrument=workshop.instrument).order_by(
        "element__order", "order"
    )[0]
    phone = join_phone(browser, server, workshop, "1")
    tablet = browser.new_context(**TABLET).new_page()
    tablet.set_default_timeout(20_000)
    desk = desk_page(browser, server, workshop)

    desk.get_by_role("button", name="Archiveren").click()
    expect(desk.locator(".messages")).to_contain_text("Sessie gearchiveerd: alleen-lezen")
    notice = desk.locator("#archived-notice")
    expect(notice).to_contain_text("Telefoons kunnen zich niet aanmelden of antwoorden")
    screenshot(desk, "second-rehearsal-archived-console-1366x768")

    # Hidden from the list, the comparison and the programmes; shown on request, with a tag.
    desk.goto(f"{server.url}/organiser/")
    sessions = desk.locator("table.list")
    expect(sessions).to_contain_text("Zutphen")
    expect(sessions).not_to_contain_text("Deventer")
    desk.get_by_role("link", name="Toon gearchiveerde (1)").click()
    row = desk.locator("table.list tr", has_text="Deventer")
    expect(row.locator(".tag")).to_have_text("gearchiveerd")
    screenshot(desk, "second-rehearsal-archived-list-1366x768")
    desk.get_by_role("link", name="Verberg gearchiveerde").click()
    expect(desk.locator("table.list")).not_to_contain_text("Deventer")
    desk.goto(f"{server.url}/organiser/compare/")
    expect(desk.locator("main")).to_contain_text("Zutphen")
    expect(desk.locator("main")).not_to_contain_text("Deventer")
    desk.goto(f"{server.url}/organiser/programmes/")
    expect(desk.locator("main")).to_contain_text("Zutphen")
    expect(desk.locator("main")).not_to_contain_text("Deventer")

    # Read-only: no joins, no answers, no notes, each with a clear message.
    late = browser.new_context(**PHONE).new_page()
    late.goto(f"{server.url}/j/{workshop.code}/")
    expect(late.locator("main")).to_contain_text("Deze sessie is gearchiveerd")
    expect(late.get_by_role("button", name="Starten")).to_have_count(0)
    screenshot(late, "second-rehearsal-archived-join-390x844")
    group = phone.get_by_role("radiogroup", name=statement.text_nl)
    group.locator("label", has=phone.get_by_role("radio", name="4")).tap()
    expect(group.get_by_role("status")).to_contain_text("gearchiveerd")
    assert not Answer.objects.exists()
    tablet.goto(chair_url(server, t1))
    expect(tablet.locator("#chair-alert")).to_contain_text("Deze sessie is gearchiveerd")
    box = tablet.locator(".panel:not([hidden])").get_by_role("textbox", name="T1·P1 + …")
    box.fill("Kent de haven goed")
    box.press("Enter")
    expect(tablet.locator(".panel:not([hidden])")).to_contain_text(
        "niet bewaard: Deze sessie is gearchiveerd"
    )
    screenshot(tablet, "second-rehearsal-archived-chair-768x1024")
    assert not Note.objects.exists()
    assert Participant.objects.filter(workshop=workshop).count() == 1

    # Restored ("Terugzetten"): in the list again, and phones join and answer.
    desk.goto(f"{server.url}/s/{workshop.code}/organiser/")
    desk.locator("#archived-notice").get_by_role("button", name="Terugzetten").click()
    expect(desk.locator(".messages")).to_contain_text("Sessie teruggezet")
    expect(desk.locator("#archived-notice")).to_have_count(0)
    desk.goto(f"{server.url}/organiser/")
    expect(desk.locator("table.list")).to_contain_text("Deventer")
    join_phone(browser, server, workshop, "2")
    phone.reload()
    group = phone.get_by_role("radiogroup", name=statement.text_nl)
    group.locator("label", has=phone.get_by_role("radio", name="5")).tap()
    expect(group.get_by_role("status")).to_contain_text("✓")
    assert Answer.objects.get().score == 5


def test_the_smaller_things_the_organiser_and_chair_met(browser, server, workshop):
    from profiles.services import programme_create
    from tests.browser_helpers import off_the_loop

    programme = off_the_loop(programme_create, name="Overijssel", suggest_themes=False)
    desk = desk_page(browser, server, workshop)
    # Nobody has joined: the console does not say that everyone finished.
    dashboard = desk.locator("#dashboard")
    expect(dashboard).to_contain_text("Nog niemand aangemeld.")
    expect(dashboard).not_to_contain_text("Iedereen die zich aanmeldde")

    # A form's address opened as a page: a page that says so, with the way back.
    code = workshop.code
    for path, back in [
        (f"/s/{code}/state/", "Terug naar de sessie"),
        (f"/s/{code}/duplicate/", "Terug naar de sessie"),
        (f"/s/{code}/archive/", "Terug naar de sessie"),
        ("/organiser/programmes/new/", "Naar de programma's"),
        (f"/organiser/programmes/{programme.pk}/delete/", "Terug naar het programma"),
    ]:
        response = desk.goto(f"{server.url}{path}")
        assert response is not None and response.status == 405, path
        assert "POST" in (response.headers.get("allow") or "")
        expect(desk.get_by_role("heading", name="Hier valt niets te zien")).to_be_visible()
        expect(desk.get_by_role("link", name=back)).to_be_visible()
    screenshot(desk, "second-rehearsal-405-1366x768")
    desk.goto(f"{server.url}/s/{code}/state/")
    desk.get_by_role("link", name="Terug naar de sessie").click()
    expect(desk).to_have_url(re.compile(rf"/s/{code}/organiser/$"))
    assert workshop.archived is False and not Workshop.objects.get(pk=workshop.pk).archived

    # The organiser's 404 does not send them to a QR code.
    response = desk.goto(f"{server.url}/s/ZZZZZZ/organiser/")
    assert response is not None and response.status == 404
    expect(desk.locator("main")).to_contain_text("zoek de sessie op in de lijst")
    expect(desk.locator("main")).not_to_contain_text("QR")
    screenshot(desk, "second-rehearsal-organiser-404-1366x768")

    # Numbers in Dutch: 5.000, not 5,000.
    desk.goto(f"{server.url}/organiser/")
    expect(desk.locator("main")).to_contain_text("(hoogstens 5.000)")

    # The English chair page names its own notes in English.
    t3_workshop_table = Table.objects.create(workshop=workshop, number=3)
    tablet = browser.new_context(**{**TABLET, "locale": "en-GB"}).new_page()
    tablet.set_default_timeout(20_000)
    tablet.goto(chair_url(server, t3_workshop_table))
    box = tablet.locator(".panel:not([hidden])").get_by_role("textbox", name="agreement …")
    box.fill("Everyone wants a port")
    box.press("Enter")
    expect(tablet.get_by_text("All notes sent")).to_be_visible()
    expect(tablet.locator(".panel:not([hidden]) .note .author")).to_have_text("Table chair T3")
    tablet.reload()
    expect(tablet.locator(".panel:not([hidden]) .note .author")).to_have_text("Table chair T3")
    screenshot(tablet, "second-rehearsal-chair-english-768x1024")
    assert Note.objects.get().author == "Tafelvoorzitter T3"  # data stays as it was


def test_the_new_pages_have_no_serious_accessibility_problems(browser, server, workshop):
    from notes.services import extra_seat_create
    from sessions.services import participant_join
    from tests.browser_helpers import off_the_loop
    from tests.test_a11y import axe_problems

    t1 = Table.objects.get(workshop=workshop, number=1)
    t2 = Table.objects.get(workshop=workshop, number=2)
    off_the_loop(extra_seat_create, table=t1, initials="JV")
    elsewhere = off_the_loop(participant_join, workshop=workshop, table=t2, role="")
    problems: list[str] = []
    tablet = browser.new_context(**TABLET, bypass_csp=True).new_page()
    tablet.goto(chair_url(server, t1))
    problems += axe_problems(tablet, "chair-with-paper-link")
    open_seat_move(tablet)
    tablet.locator("#seat-move select[name=participant]").select_option(str(elsewhere.pk))
    tablet.get_by_role("button", name="Hier plaatsen").click()
    tablet.locator("#confirm-move").wait_for()
    problems += axe_problems(tablet, "chair-confirm-move")
    desk = desk_page(browser, server, workshop, bypass_csp=True)
    desk.goto(f"{server.url}/s/{workshop.code}/paper/")
    problems += axe_problems(desk, "paper-form-with-seats")
    desk.goto(f"{server.url}/s/{workshop.code}/organiser/")
    desk.get_by_role("button", name="Archiveren").click()
    desk.locator("#archived-notice").wait_for()
    problems += axe_problems(desk, "console-archived")
    desk.goto(f"{server.url}/organiser/?archived=1")
    problems += axe_problems(desk, "sessions-with-archived")
    desk.goto(f"{server.url}/s/{workshop.code}/state/")
    problems += axe_problems(desk, "method-not-allowed")
    assert problems == [], "\n".join(problems)
