"""Helpers for the browser tests: Debian's Chromium, the devices' screens, screenshots and app
calls made beside sync Playwright. The fixtures (browser, server) are in conftest.py."""

import contextlib
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connections
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from tests.conftest import ARTIFACTS

# Playwright cannot download its own browser here; Debian's packages are used instead. Its
# headless shell (chromium-headless-shell: the same Blink and V8 as chromium, without the
# browser's windows) is what Playwright itself runs for headless tests. The full browser's
# headless mode draws every frame through a software GPU process and keeps its own UI pages:
# a browser test's CPU, the server's and pytest's included, was twice the shell's
# (docs/development.md, "What the slow tier costs").
# Debian's chromium is the fallback where only it is installed; TEST_CHROMIUM=/usr/bin/chromium
# runs the tests in the full browser.
HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
CHROMIUM = os.environ.get("TEST_CHROMIUM") or (
    str(HEADLESS_SHELL) if HEADLESS_SHELL.exists() else "/usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "nl-NL",
}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}, "locale": "nl-NL"}
TABLET = {"viewport": {"width": 768, "height": 1024}, "locale": "nl-NL", "has_touch": True}
TABLET_LANDSCAPE = {
    "viewport": {"width": 1024, "height": 768},
    "locale": "nl-NL",
    "has_touch": True,
}
DESK = {"viewport": {"width": 1366, "height": 768}, "locale": "nl-NL"}  # the organiser's laptop
PASSWORD = "a-long-password-1"  # the organiser's, in desk_page

# The websockets of a phone and of a chair's tablet (Network).
PHONE_SOCKET = re.compile(r"/ws/s/[^/]+/phone/$")
CHAIR_SOCKET = re.compile(r"/ws/s/[^/]+/chair/[^/]+/$")


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    """Save what the page shows as test-artifacts/<name>.png (gitignored), for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    try:
        page.screenshot(path=str(path), full_page=full_page)
    except PlaywrightError as error:
        # The headless shell cannot capture a page while a navigation is under way (a tap on a
        # link just before): once the new page has loaded it can.
        if "Unable to capture screenshot" not in str(error):
            raise
        page.wait_for_load_state()
        page.screenshot(path=str(path), full_page=full_page)
    return path


def log_in(page, url: str, username: str, password: str, *, lands_on: str) -> None:
    """Log in on the login page at url (perhaps with ?next=) and wait for the page it leads to
    (a glob of its URL)."""
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form.stack button.primary[type=submit]").click()
    page.wait_for_url(lands_on)


@contextlib.contextmanager
def printer_page(server_url: str, path: str) -> Iterator[Page]:
    """`path` in a browser of the test's own, logged in as "printer" (an account the caller made
    with the password "a-long-password-9"), for a test in a module whose other tests use
    asyncio: the shared browser (conftest's `browser`) would keep sync Playwright's loop running
    for the rest of the module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(locale="nl-NL").new_page()
        page.set_default_timeout(20_000)
        log_in(
            page,
            f"{server_url}/accounts/login/?next={path}",
            "printer",
            "a-long-password-9",
            lands_on=f"**{path}",
        )
        yield page
        browser.close()


def phone_page(browser, **options):
    """A new phone (PHONE, overridden by `options`) with nothing open yet."""
    page = browser.new_context(**{**PHONE, **options}).new_page()
    page.set_default_timeout(20_000)
    return page


def off_the_loop(function, /, **kwargs):
    """Run app code (a service, a query) in a thread of its own and return its result.

    Sync Playwright keeps an asyncio loop running in the test's thread while a browser is open:
    Django refuses ORM calls there (SynchronousOnlyOperation) and the broadcast after a change
    cannot use async_to_sync. A worker thread has neither problem, and needs no
    DJANGO_ALLOW_ASYNC_UNSAFE (which the server subprocess would inherit).
    """

    def call():
        try:
            return function(**kwargs)
        finally:
            connections.close_all()  # the thread's own connection, before the test db goes

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result(timeout=30)


def desk_page(browser, server, workshop, *, username: str = "organiser", **options):
    """The organiser's console of `workshop` on a laptop (DESK), logged in as `username` (an
    account with PASSWORD, made if missing)."""
    users = get_user_model().objects
    if not users.filter(username=username).exists():
        users.create_user(username, password=PASSWORD)
    page = browser.new_context(**{**DESK, **options}).new_page()
    page.set_default_timeout(20_000)
    log_in(
        page,
        f"{server.url}/accounts/login/?next=/s/{workshop.code}/organiser/",
        username,
        PASSWORD,
        lands_on=f"**/s/{workshop.code}/organiser/",
    )
    return page


class Network:
    """A context's network, cut and restored: Chromium's offline emulation leaves open
    websockets alone, so the route closes them (and refuses new ones) while offline."""

    def __init__(self, context, socket: re.Pattern) -> None:
        self.context = context
        self.offline = False
        self.sockets: list = []
        context.route_web_socket(socket, self._socket)

    def _socket(self, ws) -> None:
        if self.offline:
            ws.close()
        else:
            ws.connect_to_server()
            self.sockets.append(ws)

    def cut(self) -> None:
        self.offline = True
        self.context.set_offline(True)
        for ws in self.sockets:
            ws.close()
        self.sockets.clear()

    def restore(self) -> None:
        self.offline = False
        self.context.set_offline(False)
