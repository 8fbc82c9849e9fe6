"""Every screen fits its device and the projector is readable from the back.

Every page of every role in Chromium at the five device sizes (phone 390x844, tablet portrait
768x1024 and landscape 1024x768, laptop 1366x768, projector 1920x1080), Dutch; each is saved
to test-artifacts/devices/ for people to look at. No page scrolls sideways; on the projector
pages every text is at least 24 px at 1920x1080 and no label runs off its chart.
"""

import datetime
import uuid

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import BrowserContext, Page

from instrument.models import Statement
from notes.services import extra_seat_create, note_create, observation_create
from sessions.models import Phase, ProjectorMode, Table, Workshop
from sessions.services import participant_join, workshop_create, workshop_update_state
from survey.services import answer_save
from tests import test_browser
from tests.browser_helpers import screenshot
from tests.conftest import ensure_instrument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

new_context = test_browser.new_context
servers = test_browser.servers

SIZES = {
    "phone": {"width": 390, "height": 844},
    "tablet-portrait": {"width": 768, "height": 1024},
    "tablet-landscape": {"width": 1024, "height": 768},
    "laptop": {"width": 1366, "height": 768},
    "projector": {"width": 1920, "height": 1080},
}
MIN_PROJECTOR_PX = 24

# Visible text nodes whose font is smaller than the minimum (HTML and SVG text alike).
SMALL_TEXT = """min => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right < 0 || box.bottom < 0) continue;
    if (box.left > innerWidth || box.top > innerHeight) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    let size = parseFloat(style.fontSize);
    if (el instanceof SVGElement) {
      // plotly scales no text; its font-size is in the style attribute, in px.
      size = parseFloat(el.style.fontSize || style.fontSize);
    }
    if (size < min) small.push(node.textContent.trim().slice(0, 40) + " (" + size + "px)");
  }
  return small;
}"""
# Text of the charts that runs off its chart (a label cut at the edge: "oederenvervoer").
CUT_TEXT = """() => {
  const cut = [];
  document.querySelectorAll(".js-plotly-plot").forEach(plot => {
    const frame = plot.getBoundingClientRect();
    if (frame.width === 0) return;
    plot.querySelectorAll("text").forEach(t => {
      if (!t.textContent.trim()) return;
      const b = t.getBoundingClientRect();
      if (b.width === 0) return;
      if (b.left < frame.left - 1 || b.right > frame.right + 1 || b.top < frame.top - 1 || b.bottom > frame.bottom + 1)
        cut.push(t.textContent.trim());
    });
  });
  return cut;
}"""
# Tabs cut or running off the screen.
TABS_OFF = """() => [...document.querySelectorAll('[role=tab]')]
  .filter(t => t.getBoundingClientRect().right > innerWidth || t.scrollWidth > t.clientWidth + 1)
  .map(t => t.textContent.trim())"""
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
BELOW_FOLD = "sel => document.querySelector(sel).getBoundingClientRect().bottom - innerHeight"
# Names broken inside a word ("Ondersteunin|g"): the widest word of a tab's name wider than the
# room the tab gives it.
BROKEN_WORDS = """() => [...document.querySelectorAll('.tab-name')].filter(el => {
  const probe = document.createElement('span');
  probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap';
  el.appendChild(probe);
  const widest = Math.max(...el.firstChild.textContent.trim().split(/\\s+/).map(word => {
    probe.textContent = word;
    return probe.getBoundingClientRect().width;
  }));
  probe.remove();
  return widest > el.clientWidth + 0.5;
}).map(el => el.textContent.trim())"""


@pytest.fixture
def day(transactional_db) -> dict:
    """A Groningen session in the middle of its day and a Utrecht one to compare it with."""
    instrument = ensure_instrument()
    groningen = workshop_create(
        city="Groningen",
        date=datetime.date(2026, 11, 27),
        tables=3,
        title="Ecosysteemdialoog Groningen",
        instrument=instrument,
        phase=Phase.SURVEY,
    )
    Table.objects.filter(workshop=groningen, number=1).update(focus="Goederenvervoer en haven")
    utrecht = workshop_create(
        city="Utrecht",
        date=datetime.date(2026, 12, 3),
        tables=2,
        title="Ecosysteemdialoog Utrecht",
        instrument=instrument,
        phase=Phase.SURVEY,
    )
    statements = list(
        Statement.objects.filter(element__instrument=instrument).order_by("element__order", "order")
    )
    for workshop, people in ((groningen, 9), (utrecht, 5)):
        tables = list(workshop.tables.order_by("number"))
        for i in range(people):
            p = participant_join(workshop=workshop, table=tables[i % len(tables)], role="policy")
            for j, s in enumerate(statements[: 46 - 3 * i]):
                answer_save(participant=p, statement_id=s.pk, score=(i + j) % 5 + 1)
    t1 = Table.objects.get(workshop=groningen, number=1)
    extra_seat_create(table=t1, initials="JB")
    participant_join(workshop=groningen, table=None, role="")
    first = t1.participants.order_by("seat").first()
    element = instrument.elements.get(order=1)
    note_create(
        table=t1,
        element_id=element.pk,
        kind="plus",
        text="Kent iedereen in de haven",
        client_id=uuid.uuid4(),
        participant_id=first.pk,
    )
    note_create(
        table=t1,
        element_id=element.pk,
        kind="agree",
        text="Te weinig technici",
        client_id=uuid.uuid4(),
    )
    observation_create(
        workshop=groningen, kind="theme", text="Regie ontbreekt", author=None, table=t1
    )
    user = User.objects.create_user("organiser", password="geheim-wachtwoord")
    client = Client()
    client.force_login(user)
    return {
        "groningen": groningen,
        "utrecht": utrecht,
        "t1": t1,
        "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }


def _open(new_context, url: str, size: str, session: str | None = None) -> Page:
    context = new_context(viewport=SIZES[size], locale="nl-NL")
    # plotly.min.js is 4.8 MB: on two cores shared with other test runs, give the load time.
    context.set_default_timeout(30_000)
    if session:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": url}])
    return context.new_page()


def test_every_page_fits_every_device(servers, day, new_context):
    g: Workshop = day["groningen"]
    u: Workshop = day["utrecht"]
    url = servers.url
    organiser_pages = {
        "organiser-home": "/organiser/",
        "console": f"/s/{g.code}/organiser/",
        "edit": f"/s/{g.code}/edit/",
        "observations": f"/s/{g.code}/observations/",
        "compare": f"/organiser/compare/?code={g.code}&code={u.code}",
        "table-cards": f"/s/{g.code}/tables/cards/",
        "profile": f"/s/{g.code}/profile/",
        "programmes": "/organiser/programmes/",
    }
    public_pages = {
        "home": "/",
        "join": f"/j/{g.code}/",
        "chair": f"/s/{g.code}/chair/{day['t1'].chair_key}/",
    }
    problems = []
    # Each page new, at its size before it loads, in one context per login: the pages share
    # its HTTP cache, so plotly.min.js (4.8 MB) is fetched once and compiled from Chromium's
    # code cache after that, not once per size.
    contexts: dict[str | None, BrowserContext] = {}
    for size in SIZES:
        for name, path in {**public_pages, **organiser_pages}.items():
            session = day["session"] if name in organiser_pages else None
            if session in contexts:
                page = contexts[session].new_page()
                page.set_viewport_size(SIZES[size])
            else:
                page = _open(new_context, url, size, session)
                contexts[session] = page.context
            response = page.goto(url + path)
            assert response.status == 200, (name, size, response.status)
            page.wait_for_load_state("networkidle")
            screenshot(page, f"devices/{name}-{size}")
            if (over := page.evaluate(SIDEWAYS)) > 0:
                problems.append(f"{name} at {size} scrolls sideways by {over}px")
            if broken := page.evaluate(BROKEN_WORDS):
                problems.append(f"{name} at {size} breaks words in its tabs: {broken}")
            # The chair's element tabs fit the tablet in portrait: none cut, none off it.
            if (name, size) == ("chair", "tablet-portrait") and (off := page.evaluate(TABS_OFF)):
                problems.append(f"chair tabs off the tablet: {off}")
            page.close()
        # A phone's survey page.
        phone = _open(new_context, url, size)
        phone.goto(f"{url}/j/{g.code}/")
        if size == "phone":
            assert phone.evaluate(BELOW_FOLD, "button[type=submit].primary") <= 0, (
                "Starten below the fold"
            )
        phone.locator("input[name=consent]").check()
        phone.get_by_role("button", name="Starten").click()
        phone.wait_for_url("**/survey/1/")
        screenshot(phone, f"devices/survey-{size}")
        if (over := phone.evaluate(SIDEWAYS)) > 0:
            problems.append(f"survey at {size} scrolls sideways by {over}px")
        phone.context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("mode", ["join", "chart", "element", "discussion", "closed", "compare"])
def test_the_projector_is_readable_from_the_back(servers, day, new_context, mode):
    g: Workshop = day["groningen"]
    u: Workshop = day["utrecht"]
    if mode == "closed":
        workshop_update_state(workshop=g, phase=Phase.CLOSED)
    elif mode != "compare":
        workshop_update_state(
            workshop=g,
            projector_mode=ProjectorMode(mode),
            projector_element=6 if mode == "element" else 1,
        )
    session = day["session"] if mode == "compare" else None
    page = _open(new_context, servers.url, "projector", session)
    path = (
        f"/organiser/compare/?code={g.code}&code={u.code}&projector=1"
        if mode == "compare"
        else f"/s/{g.code}/projector/?key={g.projector_key}"
    )
    page.goto(servers.url + path, wait_until="domcontentloaded")
    if mode != "compare":
        page.wait_for_function(
            "m => document.getElementById('beamer').dataset.mode === m", arg=mode
        )
        page.wait_for_function(
            "() => document.getElementById('live-status').dataset.state === 'live'"
        )
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # plotly's own resize after a mode change (one frame or two)
    screenshot(page, f"devices/projector-{mode}-1920x1080")
    assert page.evaluate(SMALL_TEXT, MIN_PROJECTOR_PX) == []
    assert page.evaluate(CUT_TEXT) == []
    assert page.evaluate(SIDEWAYS) <= 0
    # Nothing below the screen either: a projector cannot scroll.
    assert page.evaluate("() => document.documentElement.scrollHeight - innerHeight") <= 0
    if mode == "closed":
        assert page.locator(".qr").filter(visible=True).count() == 0
        assert page.get_by_text("Bedankt!").is_visible()
    if mode in ("chart", "element"):
        assert "," in page.locator("#chart" if mode == "chart" else "#element-title").inner_text()
