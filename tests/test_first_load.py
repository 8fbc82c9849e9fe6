"""A phone's first load: the join page and the first survey page, with everything Chromium
downloads for them, at most 30 KB in either language (bench/firstload.py measures it the same
way; docs/performance.md). What keeps it there: the phone's pages load no htmx (follow.js polls
the waiting page, survey.js draws the progress bar), the static files are collected as deployed
(the app's scripts and stylesheets minified, then gzip and brotli: scentiss/staticstorage.py),
and scripts and stylesheets come without a Content-Security-Policy header, which only documents
read.

The server of this module serves the collected files (not the finders' sources), so every phone
page is walked here on the minified scripts, in Dutch and English, with screenshots
(test-artifacts/firstload-*.png).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from bench.firstload import TARGET_BYTES, measure, table
from sessions.models import Phase, Workshop
from sessions.services import workshop_create, workshop_set_archived, workshop_update_state
from tests.browser_helpers import PHONE, off_the_loop, screenshot
from tests.conftest import BASE_DIR, Servers, ensure_instrument

PHONE_SOCKET = re.compile(r"/ws/s/[^/]+/phone/$")
WORDS = {
    "nl": {
        "locale": "nl-NL",
        "start": "Starten",
        "waiting": "Je bent binnen!",
        "saved": "✓ Opgeslagen",
        "answered": "1 van 46 beantwoord",
        "next": "Volgende",
        "closed": "De vragenlijst is gesloten",
        "results": "De resultaten van",
        "ended": "De sessie is afgelopen",
    },
    "en": {
        "locale": "en-GB",
        "start": "Start",
        "waiting": "You are in!",
        "saved": "✓ Saved",
        "answered": "1 of 46 answered",
        "next": "Next",
        "closed": "The survey is closed",
        "results": "The results of",
        "ended": "The session has ended",
    },
}


def collect_static(root: Path) -> None:
    """collectstatic as a deployment runs it, into root; without plotly.min.js and the admin's
    files (no phone loads them; brotli takes 9 s of CPU over plotly alone)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0",
         "--ignore", "plotly.min.js", "--ignore", "admin"],
        cwd=BASE_DIR,
        env={**os.environ, "STATIC_ROOT": str(root)},
        check=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("collected-static")
    collect_static(root)
    return root


@pytest.fixture(scope="module")
def module_servers(django_db_setup, collected):
    """The module's server (conftest's `server`) serves the collected static files."""
    servers = Servers(extra_env={"STATIC_ROOT": str(collected), "WHITENOISE_USE_FINDERS": "false"})
    yield servers
    servers.stop()


def session(phase: str = Phase.SURVEY, **kwargs) -> Workshop:
    return workshop_create(
        city="Zwolle", date="2026-11-26", tables=3, instrument=ensure_instrument(),
        phase=phase, **kwargs,
    )  # fmt: skip


# --- without a browser ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_phones_pages_load_no_htmx_and_the_organisers_keep_it(make_workshop, organiser):
    workshop = make_workshop()
    phone = Client()
    pages = {"home": phone.get("/"), "join": phone.get(f"/j/{workshop.code}/")}
    joined = phone.post(f"/j/{workshop.code}/", {"consent": "on"})
    assert joined.status_code == 302
    pages |= {
        "survey": phone.get(f"/s/{workshop.code}/survey/1/"),
        "done": phone.get(f"/s/{workshop.code}/survey/done/"),
        "offline pages": phone.get(f"/s/{workshop.code}/survey/offline/"),
        "withdraw": phone.get(f"/s/{workshop.code}/withdraw/"),
        "privacy": phone.get(f"/j/{workshop.code}/privacy/"),
    }
    for phase, name in ((Phase.JOIN, "waiting"), (Phase.DISCUSSION, "closed")):
        Workshop.objects.filter(pk=workshop.pk).update(phase=phase)
        pages[name] = phone.get(f"/s/{workshop.code}/survey/1/")
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.RESULTS, results_revealed=True)
    pages["results"] = phone.get(f"/s/{workshop.code}/results/")
    ended = make_workshop(phase=Phase.CLOSED)
    pages["join, session ended"] = Client().get(f"/j/{ended.code}/")
    archived = make_workshop()
    workshop_set_archived(workshop=archived, archived=True)
    pages["join, refused"] = Client().get(f"/j/{archived.code}/")
    # The error pages a phone may meet: a mistyped code, a form posted twice.
    pages["not found"] = Client().get("/j/NOSUCH/")
    pages["not allowed"] = Client().put(f"/j/{workshop.code}/")
    for name, response in pages.items():
        assert response.status_code == {"not found": 404, "not allowed": 405}.get(name, 200), name
        html = response.content.decode()
        assert "htmx" not in html.replace('hx-headers="', ""), name
        assert "hx-get" not in html and "hx-post" not in html and "hx-swap" not in html, name
    assert 'data-status-url="/s/' in pages["waiting"].content.decode()
    # The organiser's pages keep htmx and its settings.
    console = organiser.get(f"/s/{workshop.code}/organiser/").content.decode()
    assert "django_htmx/htmx-2.min.js" in console and 'name="htmx-config"' in console


@pytest.mark.django_db
def test_scripts_and_stylesheets_come_without_a_content_security_policy(make_workshop):
    """A policy governs the document it comes with: on a script it does nothing but cost 245
    bytes. The pages keep it, and so do static files a browser may open as a document."""
    client = Client()
    for path in (
        "/static/js/survey.js",
        "/static/css/app.css",
        "/static/django_htmx/htmx-2.min.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Content-Security-Policy" not in response, path
        assert response["X-Content-Type-Options"] == "nosniff", path
    svg = client.get("/static/admin/img/icon-alert.svg")
    assert svg.status_code == 200 and "script-src 'self'" in svg["Content-Security-Policy"]
    page = client.get(f"/j/{make_workshop().code}/")
    assert "script-src 'self'" in page["Content-Security-Policy"]


@pytest.mark.server
def test_the_collected_scripts_are_minified_compressed_and_pass_the_same_unit_tests(collected):
    """The scripts as collected (no comments, brotli and gzip copies) are the same programs:
    tests/js runs on them as on the sources."""
    for name in ("js/survey.js", "js/follow.js", "css/app.css"):
        source = (BASE_DIR / "static" / name).read_text()
        built = (collected / name).read_text()
        assert len(built) < 0.85 * len(source), name
        assert "//" not in built.replace("://", "") and "/*" not in built, name
        for suffix in (".gz", ".br"):
            copy = collected / (name + suffix)
            assert copy.exists() and copy.stat().st_size < len(built) / 2, copy
    assert (collected / "django_htmx" / "htmx-2.min.js").read_bytes() == (
        Path(__import__("django_htmx").__file__).parent / "static/django_htmx/htmx-2.min.js"
    ).read_bytes(), "a library's file is collected as it is"
    tests = sorted(str(p) for p in (BASE_DIR / "tests" / "js").glob("*.test.mjs"))
    run = subprocess.run(
        ["node", "--disable-warning=ExperimentalWarning", "--test", *tests],
        cwd=BASE_DIR,
        env={**os.environ, "SCENTISS_JS": str(collected / "js")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert re.search(r"^# fail 0$", run.stdout, re.M), run.stdout[-2000:]


# --- in Chromium ---------------------------------------------------------------------------


@pytest.mark.browser
def test_a_phones_first_load_stays_within_30_kb(browser, server):
    """Join page, join, first survey page and every file they load, over the wire as
    Chromium counts it (a fresh context: empty cache), in each language."""
    workshop = session()
    result = {lang: measure(browser, server.url, workshop.code, lang) for lang in ("nl", "en")}
    print(table({"languages": result}))
    for lang, load in result.items():
        assert load["ok"], load["files"]
        assert load["page_language"] == lang
        assert not load["htmx_loaded"]
        paths = [f["path"] for f in load["files"]]
        assert not [p for p in paths if "htmx" in p], paths
        static = [f for f in load["files"] if f["path"].startswith("/static/")]
        assert static and all(f["encoding"] in ("br", "gzip") for f in static), static
        assert load["total_bytes"] <= TARGET_BYTES, (lang, load["total_bytes"], load["files"])


def watch(page: Page) -> list[str]:
    """The page's script errors and CSP violations, as they come."""
    problems: list[str] = []

    def console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"{page.url}: {message.text}")

    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on("console", console)
    return problems


def without_htmx(page: Page, name: str) -> None:
    assert page.evaluate("typeof window.htmx") == "undefined", name
    assert page.locator("script[src*=htmx]").count() == 0, name


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_phone_page_works_without_htmx(browser, server, lang):
    """Join, wait (moved on by the poll alone: the phone's socket is refused), answer, the next
    element, done, withdraw, privacy, closed, results; a session that ended, one that is
    archived, a mistyped code. Screenshots: test-artifacts/firstload-<page>-<lang>.png."""
    w = WORDS[lang]
    workshop = session(Phase.JOIN)
    context = browser.new_context(**{**PHONE, "locale": w["locale"]})
    sockets = {"refused": True}

    def socket(ws) -> None:
        if sockets["refused"]:
            ws.close()
        else:
            ws.connect_to_server()

    context.route_web_socket(PHONE_SOCKET, socket)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = watch(page)

    def shot(name: str) -> None:
        without_htmx(page, name)
        screenshot(page, f"firstload-{name}-{lang}", full_page=True)

    page.goto(f"{server.url}/")
    shot("home")
    page.goto(f"{server.url}/j/{workshop.code}/")
    shot("join")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name=w["start"]).click()
    expect(page.locator("h1")).to_have_text(w["waiting"])
    shot("waiting")
    off_the_loop(workshop_update_state, workshop=workshop, phase=Phase.SURVEY)
    # No socket: the page's poll (every 5 s) finds the survey open and goes there.
    page.wait_for_url(f"**/s/{workshop.code}/survey/1/")
    sockets["refused"] = False
    page.wait_for_function("() => window.scentissPhone && window.scentissPhone.isOpen()")
    statement = page.locator("form.statement").first
    statement.locator("label.opt", has=page.locator('input[value="4"]')).click()
    expect(statement.locator(".status")).to_have_text(w["saved"])
    expect(page.locator("#progress p")).to_have_text(w["answered"])
    expect(page.locator("#progress rect")).to_have_attribute("width", "2")
    shot("survey")
    page.get_by_role("link", name=w["next"]).click()
    page.wait_for_url(f"**/s/{workshop.code}/survey/2/")
    expect(page.locator(".survey")).to_have_attribute("data-shown", "2")
    shot("survey-2")
    page.goto(f"{server.url}/s/{workshop.code}/survey/done/")
    shot("done")
    page.goto(f"{server.url}/s/{workshop.code}/withdraw/")
    shot("withdraw")
    page.goto(f"{server.url}/j/{workshop.code}/privacy/")
    shot("privacy")
    page.goto(f"{server.url}/s/{workshop.code}/survey/1/")
    page.wait_for_function("() => window.scentissPhone && window.scentissPhone.isOpen()")
    # The phase moves on: the socket loads the page that fits it.
    off_the_loop(workshop_update_state, workshop=workshop, phase=Phase.DISCUSSION)
    expect(page.locator("h1")).to_have_text(w["closed"])
    shot("closed")
    off_the_loop(
        workshop_update_state, workshop=workshop, phase=Phase.RESULTS, results_revealed=True
    )
    expect(page.locator("h1")).to_contain_text(w["results"])
    expect(page.locator(".spider svg")).to_be_visible()
    shot("results")
    ended = session(Phase.CLOSED)
    page.goto(f"{server.url}/j/{ended.code}/")
    expect(page.locator("h1")).to_have_text(w["ended"])
    shot("join-ended")
    archived = session()
    workshop_set_archived(workshop=archived, archived=True)
    page.goto(f"{server.url}/j/{archived.code}/")
    expect(page.locator("[role=alert]")).to_be_visible()
    shot("join-refused")
    page.goto(f"{server.url}/j/NOSUCH/")  # a mistyped code
    expect(page.locator(".error-page")).to_be_visible()
    shot("not-found")
    context.close()
    assert problems == []
    assert server.errors() == []
