"""Every form of every page, submitted in a real browser in Dutch and in English,
ends on no 403 and no 500 (the chair's "Plek toevoegen" and language switch ended on a bare
CSRF 403 before). Each form is filled with something plausible and sent with its first
submit button, on a freshly loaded page; every response during the submission is checked
(htmx and the tablet's script post without a navigation)."""

import contextlib
import datetime
import uuid

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from notes.services import extra_seat_create, note_create
from sessions.models import Phase, Table, Workshop
from sessions.services import participant_join, workshop_create
from tests import test_browser
from tests.conftest import ensure_instrument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

new_context = test_browser.new_context
servers = test_browser.servers

# Fills every field of form number `index` with something plausible; returns how many forms
# the page has, and whether this one was filled (false: no such form, or no submit button).
FILL = """([index, stamp]) => {
  const forms = [...document.querySelectorAll("form")];
  const form = forms[index];
  if (!form) return [forms.length, false, ""];
  // The same forms on the tablet's other (hidden) tabs: the visible tab's stand for them.
  if (form.closest("[hidden]")) return [forms.length, false, ""];
  for (const el of form.elements) {
    if (el.disabled || el.type === "hidden") continue;
    if (el.tagName === "SELECT") {
      if (el.options.length > 1 && !el.value) el.selectedIndex = 1;
    } else if (el.type === "radio") {
      const group = form.querySelectorAll(`input[type=radio][name="${el.name}"]`);
      if (![...group].some(r => r.checked)) group[0].checked = true;
    } else if (el.type === "checkbox") {
      el.checked = true;
    } else if (el.type === "date") {
      if (!el.value) el.value = "2026-11-27";
    } else if (el.type === "number") {
      if (!el.value) el.value = el.min || "1";
    } else if (el.tagName === "TEXTAREA" || ["text", "search", "", "url"].includes(el.type)) {
      if (!el.value) el.value = el.name === "initials" ? "JB" : el.name === "confirm_code" ? "" : "Test " + stamp;
    } else if (el.type === "password") {
      el.value = "geheim-wachtwoord";
    } else if (el.type === "file") {
      continue;
    }
  }
  const submit = form.querySelector("button[type=submit], button:not([type]), input[type=submit]");
  const action = form.getAttribute("action") || form.getAttribute("hx-post") || location.pathname;
  return [forms.length, !!submit, action];
}"""


@pytest.fixture
def setup(transactional_db) -> dict:
    instrument = ensure_instrument()
    workshop = workshop_create(
        city="Groningen",
        date=datetime.date(2026, 11, 27),
        tables=3,
        title="Dialoog",
        instrument=instrument,
        phase=Phase.SURVEY,
    )
    other = workshop_create(
        city="Utrecht",
        date=datetime.date(2026, 12, 3),
        tables=2,
        instrument=instrument,
        phase=Phase.SURVEY,
    )
    t1 = Table.objects.get(workshop=workshop, number=1)
    p = participant_join(workshop=workshop, table=t1, role="policy")
    participant_join(workshop=workshop, table=None, role="")
    extra_seat_create(table=t1, initials="AB")
    note_create(
        table=t1,
        element_id=instrument.elements.get(order=1).pk,
        kind="plus",
        text="Kent de haven",
        client_id=uuid.uuid4(),
        participant_id=p.pk,
    )
    user = User.objects.create_user("organiser", password="geheim-wachtwoord")
    logins = {}
    for lang in ("nl", "en"):  # one login per language: each pass ends with the log-out form
        client = Client()
        client.force_login(user)
        logins[lang] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"workshop": workshop, "other": other, "sessions": logins}


# Each form's kind: its action with the numbers taken out, and its fields' names. The chair's
# board has the same note form for every person and element, the paper form one per statement:
# one of each kind stands for the rest (a page load per form made this test take 16 minutes).
KINDS = """() => [...document.querySelectorAll("form")].map(f =>
  f.closest("[hidden]") ? null :
  (f.getAttribute("action") || f.getAttribute("hx-post") || location.pathname).replace(/[0-9]+/g, "N")
  + " " + [...f.elements].map(e => e.name).sort().join(","))"""


def _submit_every_form(page: Page, url: str, lang: str, skip: tuple = ()) -> list[str]:
    """Load `url` afresh for each kind of form it has, fill and submit one; the failures."""
    failures: list[str] = []
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": url}])
    response = page.goto(url, wait_until="domcontentloaded")
    assert response.status < 400, f"{url} answered {response.status}"
    kinds = page.evaluate(KINDS)
    firsts = [i for i, kind in enumerate(kinds) if kind is not None and kinds.index(kind) == i]
    for n, index in enumerate(firsts):
        if n:  # the first form is sent from the load that listed the kinds, itself fresh
            page.context.add_cookies([{"name": "django_language", "value": lang, "url": url}])
            response = page.goto(url, wait_until="domcontentloaded")
            assert response.status < 400, f"{url} answered {response.status}"
        count, fillable, action = page.evaluate(FILL, [index, index])
        if index >= count:  # an earlier submit removed forms (a deleted note): done
            return failures
        index += 1
        if not fillable or any(s in action for s in skip):
            continue
        statuses: list[tuple[int, str]] = []

        def seen(response, statuses=statuses) -> None:
            statuses.append((response.status, response.url))

        page.on("response", seen)
        # A form that leaves the page is posted once offline.js has seen that the server can be
        # reached: after the click, not during it. The page it leads to is waited for below.
        navigated: list[bool] = []

        def went(frame, navigated=navigated) -> None:
            if frame == page.main_frame:
                navigated.append(True)

        page.on("framenavigated", went)
        form = page.locator("form").nth(index - 1)
        button = form.locator("button[type=submit], button:not([type]), input[type=submit]").first
        if not button.is_visible():
            # A form inside a closed <details>: open it as a person would.
            form.evaluate(
                "f => { for (let d = f.closest('details'); d; d = d.parentElement.closest('details')) d.open = true; }"
            )
        method = (form.get_attribute("method") or "get").lower()
        if not button.is_enabled() or not form.evaluate("f => f.checkValidity()"):
            # The browser itself refuses (a required confirmation left empty, a disabled
            # "move up" on the first point): nothing to send, nothing to assert.
            page.remove_listener("response", seen)
            page.remove_listener("framenavigated", went)
            continue
        try:
            if method == "post" or form.get_attribute("hx-post"):
                with page.expect_response(
                    lambda r: r.request.method == "POST", timeout=20_000
                ) as posted:
                    button.click()
                if posted.value.request.is_navigation_request() and not navigated:
                    page.wait_for_event("framenavigated", timeout=20_000)
            else:
                # A navigation, or a download (compare.xlsx), which aborts the navigation.
                with page.expect_response(
                    lambda r: r.request.is_navigation_request() and r.request.method == "GET",
                    timeout=20_000,
                ):
                    button.click()
        except PlaywrightTimeout:
            failures.append(f"{lang} {url} form {index} ({action}): nothing was sent")
        with contextlib.suppress(PlaywrightError):  # a download's aborted navigation
            page.wait_for_load_state("load")
        page.remove_listener("response", seen)
        page.remove_listener("framenavigated", went)
        for status, where in statuses:
            if status == 403 or status >= 500:
                failures.append(f"{lang} {url} form {index} ({action}): {status} at {where}")
    return failures


def test_every_form_of_every_page_in_dutch_and_english(servers, setup, new_context):
    w: Workshop = setup["workshop"]
    o: Workshop = setup["other"]
    url = servers.url
    failures: list[str] = []
    for lang in ("nl", "en"):
        # A phone: the join page, then the survey pages of the phone that joined.
        phone = new_context(viewport={"width": 390, "height": 844}).new_page()
        phone.on("dialog", lambda d: d.accept())
        failures += _submit_every_form(phone, f"{url}/", lang)
        failures += _submit_every_form(phone, f"{url}/j/{w.code}/", lang)
        failures += _submit_every_form(phone, f"{url}/s/{w.code}/survey/1/", lang)
        # The chair's tablet (its link read afresh: the console's "new link" rotates it).
        tablet = new_context(viewport={"width": 1024, "height": 768}).new_page()
        tablet.on("dialog", lambda d: d.accept())
        chair = Table.objects.get(workshop=w, number=1).chair_key
        failures += _submit_every_form(tablet, f"{url}/s/{w.code}/chair/{chair}/", lang)
        failures += _submit_every_form(tablet, f"{url}/s/{w.code}/chair/{chair}/paper/", lang)
        # The organiser, logged in (log-out last: it ends the login).
        desk = new_context(viewport={"width": 1366, "height": 768})
        desk.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": setup["sessions"][lang], "url": url}]
        )
        page = desk.new_page()
        page.on("dialog", lambda d: d.accept())
        for path in (
            f"/s/{w.code}/projector/",
            f"/s/{w.code}/organiser/",
            f"/s/{w.code}/edit/",
            f"/s/{w.code}/observations/",
            f"/s/{w.code}/tables/cards/",
            f"/s/{w.code}/paper/",
            f"/s/{w.code}/profile/",
            f"/s/{w.code}/profile/edit/",
            f"/organiser/compare/?code={w.code}&code={o.code}",
            "/organiser/programmes/",
            f"/s/{o.code}/delete/",
            "/organiser/",
        ):
            failures += _submit_every_form(page, url + path, lang, skip=("/accounts/logout/",))
        failures += _submit_every_form(page, f"{url}/organiser/", lang)  # log-out too
        desk.close()
    assert not failures, "\n".join(failures)
