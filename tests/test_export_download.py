"""The organiser sees that the workbook is being made (a conference session's takes seconds),
and gets the file when it is done; a second click meanwhile starts no second export."""

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from openpyxl import load_workbook
from playwright.sync_api import Route, expect

from tests import test_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

new_context = test_browser.new_context
servers = test_browser.servers
workshop = test_browser.workshop

SHOTS = Path(os.environ.get("SHOTS_DIR") or Path(tempfile.gettempdir()) / "shots-exportperf")
VIEWPORTS = {
    "phone": (390, 844),
    "tablet": (768, 1024),
    "tablet-landscape": (1024, 768),
    "projector": (1920, 1080),
}
BUSY = {"nl": "De werkmap wordt gemaakt", "en": "Making the workbook"}
DONE = {"nl": "De werkmap is klaar", "en": "The workbook is ready"}
LINK = {"nl": "Werkmap (Excel)", "en": "Workbook (Excel)"}


def holding(held: list[Route]) -> Callable[[Route], None]:
    """A route handler that keeps each request it is given, unanswered."""

    def hold(route: Route) -> None:
        held.append(route)

    return hold


def test_the_workbook_link_says_it_is_busy_then_saves_the_file(servers, workshop, new_context):
    client = Client()
    client.force_login(User.objects.create_user("organiser", password="a-long-password-1"))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    SHOTS.mkdir(parents=True, exist_ok=True)
    for lang in ("nl", "en"):
        for name, (width, height) in VIEWPORTS.items():
            context = new_context(
                viewport={"width": width, "height": height}, accept_downloads=True
            )
            context.add_cookies(
                [
                    {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": servers.url},
                    {"name": "django_language", "value": lang, "url": servers.url},
                ]
            )
            page = context.new_page()
            held: list[Route] = []

            # The export is held until the page has been looked at: the state a conference
            # session's organiser sees for seconds.
            page.route("**/export.xlsx", holding(held))
            response = page.goto(f"{servers.url}/s/{workshop.code}/organiser/")
            assert response is not None and response.status == 200
            link = page.get_by_role("link", name=LINK[lang], exact=True)
            link.scroll_into_view_if_needed()
            link.click()
            status = page.locator("#workbook-status")
            expect(status).to_contain_text(BUSY[lang])
            expect(link).to_have_attribute("aria-busy", "true")
            link.click()  # impatient: the same click again
            page.screenshot(path=str(SHOTS / f"export-busy-{lang}-{name}.png"))
            assert len(held) == 1, "a second click started a second export"

            with page.expect_download() as download:
                held[0].continue_()
            assert download.value.suggested_filename.endswith(f"-{workshop.code}.xlsx")
            expect(status).to_contain_text(DONE[lang])
            expect(link).not_to_have_attribute("aria-busy", "true")
            saved = Path(download.value.path()).read_bytes()
            sheets = load_workbook(io.BytesIO(saved), read_only=True).sheetnames
            assert ("antwoorden" if lang == "nl" else "answers") in sheets
            page.screenshot(path=str(SHOTS / f"export-done-{lang}-{name}.png"))
            context.close()
