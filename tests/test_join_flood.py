"""One anonymous client against a session whose join code is on the projector: a loop of
cookieless joins must not keep the room's phones out, and participants the organiser takes out
of the results (a burst of joins) vanish from the live results, the projector's snapshot and
the exports, their phones' taps are refused, and they come back on undo.
"""

import asyncio
import datetime
import io
import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import openpyxl
import pytest
from django.utils import timezone

from sessions.models import Exclusion, Participant, Phase, Workshop
from sessions.services import participant_join
from survey.selectors import results_snapshot
from survey.services import answer_save
from tests.browser_helpers import PHONE
from tests.conftest import HTTPX_TLS, participant_cookie, start_server, stop_server

HOLD = 3  # seconds a join that has not answered holds its place on the flooded server


async def _flood(url: str, code: str, joins: int, parallel: int = 20) -> list[int]:
    """`joins` joins, each with a fresh cookie jar (a GET for the CSRF cookie, then the
    POST), `parallel` at a time, as a script would. Returns the POSTs' status codes."""
    statuses: list[int] = []
    queue = list(range(joins))

    async def worker() -> None:
        while queue:
            queue.pop()
            async with httpx.AsyncClient(verify=HTTPX_TLS, base_url=url, timeout=180) as client:
                await client.get(f"/j/{code}/")
                response = await client.post(
                    f"/j/{code}/",
                    data={
                        "table": "",
                        "csrfmiddlewaretoken": client.cookies["csrftoken"],
                        "consent": "on",
                    },
                    headers={"Referer": f"{url}/"},
                )
                statuses.append(response.status_code)

    await asyncio.gather(*(worker() for _ in range(parallel)))
    return statuses


@pytest.fixture
def flooded_server(transactional_db):
    server = start_server(extra_env={"JOIN_HOLD_SECONDS": str(HOLD)})
    yield server
    stop_server(server)


@pytest.mark.django_db(transaction=True)
def test_a_flood_of_cookieless_joins_does_not_keep_a_real_phone_out(
    browser, flooded_server, make_workshop
):
    workshop = make_workshop(phase=Phase.SURVEY)  # the default cap: 300
    # In a thread of its own: sync Playwright keeps a loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        statuses = pool.submit(asyncio.run, _flood(flooded_server.url, workshop.code, 300)).result(
            timeout=600
        )
    assert statuses.count(302) >= 290  # the script got its participants...
    flood = Participant.objects.filter(workshop=workshop).count()
    assert flood >= workshop.participant_cap - 10

    # ...but a phone in the room gets in once those joins' hold has passed (they never
    # answered), where the session used to stay full for good.
    context = browser.new_context(**PHONE)
    page = context.new_page()
    # Waits for events, generous for a loaded CI machine (where the defaults once ran out).
    page.set_default_timeout(90_000)
    started = time.monotonic()
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=HOLD + 120)
    while True:
        page.goto(f"{flooded_server.url}/j/{workshop.code}/")
        if page.locator("main button.primary[type=submit]").count():
            break
        assert "vol" in page.locator("main").inner_text()
        assert datetime.datetime.now() < deadline, "the flood kept the phone out"
        page.wait_for_timeout(500)
    print(f"a real phone got in {time.monotonic() - started:.1f} s after the flood")
    page.locator("input[name=consent]").check()
    page.locator("main button.primary[type=submit]").click()
    page.wait_for_url(re.compile(r"/survey/1/"))
    page.locator("form.statement").first.locator("label").first.click()
    page.locator("form.statement.answered").first.wait_for()
    context.close()
    real = Participant.objects.filter(workshop=workshop).order_by("-pk").first()
    assert real.answers.count() == 1


def _burst(workshop: Workshop, count: int, at: datetime.datetime) -> list[Participant]:
    people = [participant_join(workshop=workshop, table=None, role="") for _ in range(count)]
    for n, p in enumerate(people):  # all within a second or so, as a script joins
        Participant.objects.filter(pk=p.pk).update(
            joined_at=at + datetime.timedelta(milliseconds=50 * n)
        )
    return people


def _workbook_counts(organiser, workshop: Workshop) -> tuple[int, int]:
    """(participants, answers) as the session's workbook lists them."""
    response = organiser.get(f"/s/{workshop.code}/export.xlsx")
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    participants, answers = wb.worksheets[1], wb.worksheets[2]
    return participants.max_row - 1, answers.max_row - 1


@pytest.mark.django_db(transaction=True)
def test_an_excluded_burst_vanishes_from_every_result_and_returns_on_undo(
    server, organiser, make_workshop
):
    workshop = make_workshop(phase=Phase.SURVEY)
    statement = workshop.instrument.elements.order_by("order").first().statements.first()
    room = _burst(workshop, 3, timezone.now() - datetime.timedelta(minutes=10))
    Participant.objects.filter(pk=room[1].pk).update(
        joined_at=timezone.now() - datetime.timedelta(minutes=8)
    )
    Participant.objects.filter(pk=room[2].pk).update(
        joined_at=timezone.now() - datetime.timedelta(minutes=6)
    )
    script = _burst(workshop, 25, timezone.now() - datetime.timedelta(minutes=2))
    for p in room:
        p.workshop = workshop
        answer_save(participant=p, statement_id=statement.pk, score=5)
    for p in script:
        p.workshop = workshop
        answer_save(participant=p, statement_id=statement.pk, score=1)

    def results() -> dict:
        with httpx.Client(verify=HTTPX_TLS, base_url=server.url) as client:
            response = client.get(
                f"/s/{workshop.code}/results.json", params={"key": workshop.projector_key}
            )
        assert response.status_code == 200
        data = response.json()
        assert data == {**results_snapshot(workshop_id=workshop.pk), "version": data["version"]}
        return data

    def item(data: dict) -> dict:
        first = data["elements"][0]
        return next(i for i in first["items"] if i["key"] == statement.key)

    before = results()
    assert (before["participants"], before["respondents"]) == (28, 28)
    assert item(before)["counts"] == [25, 0, 0, 0, 3]
    assert _workbook_counts(organiser, workshop) == (28, 28)

    # The console flags the burst, with a button that takes exactly those out.
    page = organiser.get(f"/s/{workshop.code}/organiser/").content.decode()
    assert "25 aanmeldingen binnen" in page
    form = re.search(
        r'action="(/s/\w+/exclude/)".*?name="joined_from" value="([^"]+)".*?'
        r'name="joined_to" value="([^"]+)"',
        page,
        re.S,
    )
    assert form is not None
    response = organiser.post(
        form.group(1), {"joined_from": form.group(2), "joined_to": form.group(3)}
    )
    assert response.status_code == 302
    exclusion = Exclusion.objects.get(workshop=workshop)
    assert exclusion.count == 25 and exclusion.created_by.username == "organiser"

    after = results()
    assert (after["participants"], after["respondents"]) == (3, 3)
    assert item(after)["counts"] == [0, 0, 0, 0, 3]
    assert after["elements"][0]["score"] == 5
    assert after["version"] > before["version"]
    assert _workbook_counts(organiser, workshop) == (3, 3)
    page = organiser.get(f"/s/{workshop.code}/organiser/").content.decode()
    assert "25 aanmeldingen binnen" not in page  # no longer flagged
    assert "Ongedaan maken" in page

    # An excluded phone's taps are refused, over HTTP as over the websocket (one service).
    name, value = participant_cookie(workshop, str(script[0].token))
    with httpx.Client(verify=HTTPX_TLS, base_url=server.url, cookies={name: value}) as phone:
        phone.get(f"/s/{workshop.code}/survey/1/")
        tap = phone.post(
            f"/s/{workshop.code}/answer/",
            data={
                "statement": str(statement.pk),
                "score": "2",
                "csrfmiddlewaretoken": phone.cookies.get("csrftoken", ""),
            },
            headers={
                "Referer": f"{server.url}/",
                "X-CSRFToken": phone.cookies.get("csrftoken", ""),
            },
        )
    assert tap.status_code == 403
    assert script[0].answers.get().score == 1  # unchanged

    # Undo: one action, and everything is back.
    response = organiser.post(f"/s/{workshop.code}/exclude/{exclusion.pk}/undo/")
    assert response.status_code == 302
    back = results()
    assert (back["participants"], back["respondents"]) == (28, 28)
    assert item(back)["counts"] == [25, 0, 0, 0, 3]
    assert _workbook_counts(organiser, workshop) == (28, 28)
    exclusion.refresh_from_db()
    assert exclusion.undone_at is not None and exclusion.undone_by.username == "organiser"
    # The same undo twice changes nothing.
    organiser.post(f"/s/{workshop.code}/exclude/{exclusion.pk}/undo/")
    assert results()["respondents"] == 28


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"joined_from": "2026-12-06T14:00:00+00:00"},
        {
            "joined_from": "\uff12\uff10\uff12\uff16-12-06T14:00:00",
            "joined_to": "2026-12-06T14:00:10",
        },
        {"joined_from": "2026-12-06T14:00:10+00:00", "joined_to": "2026-12-06T14:00:00+00:00"},
        {"joined_from": "2026-12-06T14:00:00\x00", "joined_to": "2026-12-06T14:00:10"},
        {"joined_from": "9" * 40, "joined_to": "1_0"},
        {"joined_from": "2026-12-06\u200bT14:00:00", "joined_to": "\u202e2026-12-06T14:00:10"},
        # A valid span in which nobody joined.
        {"joined_from": "2001-01-01T00:00:00+00:00", "joined_to": "2001-01-01T00:00:10+00:00"},
    ],
)
def test_an_odd_exclusion_request_changes_nothing_and_says_why(organiser, make_workshop, data):
    workshop = make_workshop(phase=Phase.SURVEY)
    participant_join(workshop=workshop, table=None, role="")
    response = organiser.post(f"/s/{workshop.code}/exclude/", data, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages and "niets veranderd" in messages[0]
    assert not Exclusion.objects.exists()
    assert not Participant.objects.filter(exclusion__isnull=False).exists()


def test_an_exclusion_is_undone_only_in_its_own_session_and_by_an_organiser(
    client, organiser, make_workshop
):
    one, other = make_workshop(), make_workshop()
    joined = [participant_join(workshop=one, table=None, role="") for _ in range(2)]
    span = {"joined_from": joined[0].joined_at.isoformat(), "joined_to": timezone.now().isoformat()}
    assert client.post(f"/s/{one.code}/exclude/", span).status_code == 302  # to the login
    assert not Exclusion.objects.exists()
    organiser.post(f"/s/{one.code}/exclude/", span)
    exclusion = Exclusion.objects.get()
    assert exclusion.count == 2
    assert client.post(f"/s/{one.code}/exclude/{exclusion.pk}/undo/").status_code == 302
    assert organiser.post(f"/s/{other.code}/exclude/{exclusion.pk}/undo/").status_code == 404
    assert organiser.post(f"/s/{one.code}/exclude/{'9' * 25}/undo/").status_code == 404
    assert organiser.get(f"/s/{one.code}/exclude/{exclusion.pk}/undo/").status_code == 405
    exclusion.refresh_from_db()
    assert exclusion.undone_at is None
    assert Participant.objects.filter(exclusion=exclusion).count() == 2


def test_a_burst_that_answered_holds_its_places_until_it_is_taken_out(
    client, organiser, make_workshop, settings
):
    """Joins that answered keep their places (a script can answer too); taking the burst out
    of the results frees them, and undoing it takes them again."""
    settings.JOIN_HOLD_SECONDS = 0  # no join holds a place for being recent
    workshop = make_workshop(phase=Phase.SURVEY, participant_cap=5)
    statement = workshop.instrument.elements.order_by("order").first().statements.first()
    script = _burst(workshop, 5, timezone.now() - datetime.timedelta(minutes=1))
    for p in script:
        p.workshop = workshop
        answer_save(participant=p, statement_id=statement.pk, score=1)
    assert client.post(f"/j/{workshop.code}/", {"consent": "on"}).status_code == 409
    exclusion = participants_exclude_span(organiser, workshop, script)
    assert client.post(f"/j/{workshop.code}/", {"consent": "on"}).status_code == 302
    client.cookies.clear()
    assert (
        client.post(f"/j/{workshop.code}/", {"consent": "on"}).status_code == 302
    )  # never answered: no place
    client.cookies.clear()
    organiser.post(f"/s/{workshop.code}/exclude/{exclusion.pk}/undo/")
    assert client.post(f"/j/{workshop.code}/", {"consent": "on"}).status_code == 409


def participants_exclude_span(organiser, workshop, people) -> Exclusion:
    first = min(
        Participant.objects.filter(pk__in=[p.pk for p in people]).values_list(
            "joined_at", flat=True
        )
    )
    last = max(
        Participant.objects.filter(pk__in=[p.pk for p in people]).values_list(
            "joined_at", flat=True
        )
    )
    response = organiser.post(
        f"/s/{workshop.code}/exclude/",
        {"joined_from": first.isoformat(), "joined_to": last.isoformat()},
    )
    assert response.status_code == 302
    return Exclusion.objects.get(workshop=workshop, undone_at__isnull=True)
