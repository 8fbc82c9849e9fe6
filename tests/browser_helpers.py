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
# The organiser's laptop and a table chair's tablet (portrait).
DESK = {"viewport": {"width": 1366, "height": 768}, "locale": "nl-NL"}
TABLET = {"viewport": {"width": 768, "height": 1024}, "locale": "nl-NL", "has_touch": True}
# The password of the user "organiser" that desk_page makes.
ORGANISER_PASSWORD = "a-long-password-1"


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


def desk_page(browser, server, workshop, **options):
    """The organiser's console of `workshop` on a laptop (DESK, overridden by `options`), logged
    in as the user "organiser" (made here the first time a test asks)."""
    from django.contrib.auth import get_user_model

    if not get_user_model().objects.filter(username="organiser").exists():
        get_user_model().objects.create_user("organiser", password=ORGANISER_PASSWORD)
    page = browser.new_context(**{**DESK, **options}).new_page()
    page.set_default_timeout(20_000)
    log_in(
        page,
        f"{server.url}/accounts/login/?next=/s/{workshop.code}/organiser/",
        "organiser",
        ORGANISER_PASSWORD,
        lands_on=f"**/s/{workshop.code}/organiser/",
    )
    return page


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
