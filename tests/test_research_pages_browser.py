"""The organiser's pages of the research data in Chromium: the results with their spread, the
export panel with every download, the import page that takes several files, and the
programme's research data, on a phone, a tablet both ways and a projector, in Dutch and English:
nothing wider than the screen, every link there."""

import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.urls import reverse

from profiles.models import Programme
from sessions.services import workshop_update
from tests.browser_helpers import log_in, off_the_loop
from tests.test_a11y import axe_problems
from tests.test_export import fill

SCREENS = {
    "phone": {"width": 390, "height": 844},
    "tablet": {"width": 768, "height": 1024},
    "tablet-landscape": {"width": 1024, "height": 768},
    "projector": {"width": 1920, "height": 1080},
}
SHOTS = Path(os.environ.get("RESEARCH_SHOTS", "test-artifacts"))


def _session(make_workshop):
    workshop = make_workshop(city="Zwolle")
    fill(workshop, participants=8)
    workshop_update(
        workshop=workshop,
        city="Zwolle",
        title="",
        date=workshop.date,
        tables=3,
        focus={1: "Haven", 3: "Zorg & welzijn"},
    )
    programme = Programme.objects.create(name="Vijf steden")
    programme.workshops.set([workshop])
    get_user_model().objects.create_user("researcher", password="a-long-password-1")
    return workshop, programme


def test_the_research_pages_fit_every_screen_in_both_languages(server, browser, make_workshop):
    workshop, programme = off_the_loop(_session, make_workshop=make_workshop)
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "breakdowns": f"/s/{workshop.code}/breakdowns/",
        "console": reverse("organiser-session", args=[workshop.code]),
        "import": f"/s/{workshop.code}/import/",
        "programme": f"/organiser/programmes/{programme.pk}/",
    }
    problems: list[str] = []
    for lang in ("nl", "en"):
        # bypass_csp: axe-core is injected as a script (tests.test_a11y).
        context = browser.new_context(
            locale=f"{lang}-NL" if lang == "nl" else "en-GB", bypass_csp=True
        )
        page = context.new_page()
        log_in(page, f"{server.url}/accounts/login/?next=/organiser/", "researcher",
               "a-long-password-1", lands_on="**/organiser/")  # fmt: skip
        for screen, viewport in SCREENS.items():
            page.set_viewport_size(viewport)
            for name, path in pages.items():
                if name != "breakdowns" and screen.startswith("tablet"):
                    continue  # the pages around it: the phone and the projector suffice
                response = page.goto(server.url + path)
                assert response is not None and response.status == 200, (name, lang)
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, (name, screen, lang, overflow)
                if name == "breakdowns":
                    assert page.locator("#breakdown-focus table").is_visible()
                    if screen == "tablet-landscape":
                        problems += axe_problems(page, f"breakdowns-{lang}")
                    heading = "Resultaten met hun spreiding" if lang == "nl" else "Results with"
                    assert heading in page.locator("h1").inner_text()
                if name == "console":
                    for link in ("breakdowns/", "breakdowns.csv", "session.json", "long.dta",
                                 "dictionary.csv"):  # fmt: skip
                        assert page.locator(f'a[href$="{link}"]').count() == 1, link
                if name == "programme":
                    assert page.locator("#programme-data a").count() == 5
                page.screenshot(path=str(SHOTS / f"{name}-{screen}-{lang}.png"), full_page=True)
        context.close()
    assert problems == []
    assert server.errors() == []
