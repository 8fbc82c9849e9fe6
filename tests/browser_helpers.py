"""Helpers for the browser tests: Debian's Chromium, the devices' screens, screenshots and app
calls made beside sync Playwright. The fixtures (browser, server) are in conftest.py."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.db import connections

from tests.conftest import ARTIFACTS

# Playwright cannot download its own browser here; Debian's chromium package is used instead.
CHROMIUM = "/usr/bin/chromium"
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


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    """Save what the page shows as test-artifacts/<name>.png (gitignored), for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
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
