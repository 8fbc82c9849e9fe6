"""The organiser's console: phases, projector modes, reveal, dashboard, comparison, housekeeping."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from instrument.models import Statement
from live.events import is_nudged, nudged_phones
from scentiss.asgi import application
from sessions.models import Participant, Phase, ProjectorMode, Table, Workshop
from sessions.services import participant_join, workshop_update_state
from survey.models import Answer
from survey.selectors import results_snapshot, sessions_comparison
from survey.services import answer_save, participants_nudge
from tests.conftest import participant_cookie

HTMX = {"HTTP_HX_REQUEST": "true"}


def answer_all(workshop: Workshop, participant: Participant, score_of) -> None:
    statements = Statement.objects.filter(element__instrument=workshop.instrument).order_by(
        "element__order", "order"
    )
    for i, s in enumerate(statements):
        answer_save(participant=participant, statement_id=s.pk, score=score_of(i, s))


def test_console_pages_need_the_organiser_login(client, workshop):
    for url in [
        f"/s/{workshop.code}/organiser/",
        f"/s/{workshop.code}/dashboard/",
        f"/s/{workshop.code}/delete/",
        "/organiser/",
        "/organiser/compare/",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(f"/s/{workshop.code}/state/", {"phase": "closed"})
    assert response.status_code == 302
    assert Workshop.objects.get(pk=workshop.pk).phase == Phase.SURVEY


def test_projector_key_does_not_open_the_console(client, workshop):
    response = client.get(f"/s/{workshop.code}/organiser/?key={workshop.projector_key}")
    assert response.status_code == 302
    response = client.post(
        f"/s/{workshop.code}/state/?key={workshop.projector_key}", {"phase": "closed"}
    )
    assert Workshop.objects.get(pk=workshop.pk).phase == Phase.SURVEY


def test_organiser_moves_phases_forward_and_back(organiser, workshop):
    for phase in ["discussion", "results", "closed", "survey"]:
        organiser.post(f"/s/{workshop.code}/state/", {"phase": phase})
        assert Workshop.objects.get(pk=workshop.pk).phase == phase
    page = organiser.get(f"/s/{workshop.code}/organiser/").content.decode()
    assert 'aria-current="step"' in page


def test_unknown_phase_changes_nothing(organiser, workshop):
    version = workshop.results_version
    response = organiser.post(f"/s/{workshop.code}/state/", {"phase": "party"}, follow=True)
    assert "niets veranderd" in response.content.decode()
    fresh = Workshop.objects.get(pk=workshop.pk)
    assert fresh.phase == Phase.SURVEY and fresh.results_version == version


def test_projector_mode_and_element_reach_the_snapshot(organiser, workshop):
    organiser.post(f"/s/{workshop.code}/state/", {"projector_mode": "element"})
    organiser.post(f"/s/{workshop.code}/state/", {"projector_element": "4"})
    snapshot = results_snapshot(workshop_id=workshop.pk)
    assert snapshot["projector"] == {"mode": "element", "element": "financiering"}
    organiser.post(f"/s/{workshop.code}/state/", {"projector_element": "9"})
    assert Workshop.objects.get(pk=workshop.pk).projector_element == 4


def test_phones_see_results_only_after_the_reveal(client, workshop):
    client.post(f"/j/{workshop.code}/", {"table": "1", "consent": "on"})
    participant = Participant.objects.get()
    answer_all(workshop, participant, lambda i, s: 5 if s.element.order == 1 else 2)
    other = participant_join(workshop=workshop, table=None, role="")
    answer_all(workshop, other, lambda i, s: 1)
    workshop_update_state(workshop=workshop, phase=Phase.DISCUSSION)
    page = client.get(f"/s/{workshop.code}/results/")
    assert page.status_code == 302  # not revealed yet: back to the (closed) survey
    assert "De vragenlijst is gesloten" in client.get(page["Location"]).content.decode()

    workshop_update_state(workshop=workshop, results_revealed=True)
    html = client.get(f"/s/{workshop.code}/survey/1/", follow=True).content.decode()
    assert "Kennis &amp; Vaardigheden" in html
    # Own score 5.0 beside the room's (5 + 1) / 2 = 3.0 for the first element.
    assert "5,0" in html and "3,0" in html


def test_no_answers_outside_the_survey_phase(workshop):
    participant = participant_join(workshop=workshop, table=None, role="")
    statement = Statement.objects.filter(element__instrument=workshop.instrument).first()
    for phase in [Phase.JOIN, Phase.DISCUSSION, Phase.RESULTS, Phase.CLOSED]:
        workshop_update_state(workshop=workshop, phase=phase)
        participant.workshop.refresh_from_db()
        with pytest.raises(Exception, match=r"gesloten|closed"):
            answer_save(participant=participant, statement_id=statement.pk, score=3)
    assert not Answer.objects.exists()


def test_dashboard_counts_and_nudges(organiser, workshop):
    a = participant_join(
        workshop=workshop, table=Table.objects.get(workshop=workshop, number=1), role=""
    )
    b = participant_join(
        workshop=workshop, table=Table.objects.get(workshop=workshop, number=2), role=""
    )
    participant_join(workshop=workshop, table=None, role="")
    answer_all(workshop, a, lambda i, s: 3)
    answer_save(
        participant=b,
        statement_id=Statement.objects.filter(element__instrument=workshop.instrument).first().pk,
        score=None,
    )
    html = organiser.get(f"/s/{workshop.code}/dashboard/", **HTMX).content.decode()
    assert '<dd id="dash-joined">3</dd>' in html
    assert '<dd id="dash-respondents">2</dd>' in html
    assert '<dd id="dash-finished">1</dd>' in html
    assert "<strong>T2·P1</strong> 1/46" in html
    assert "<strong>P1</strong> 0/46" in html
    assert "T1·P1" not in html  # finished: no nudge


def test_comparison_numbers_equal_each_sessions_own_results(make_workshop):
    zwolle, utrecht = make_workshop(city="Zwolle"), make_workshop(city="Utrecht")
    for workshop, score in [(zwolle, 4), (utrecht, 2)]:
        for _ in range(2):
            answer_all(workshop, participant_join(workshop=workshop, table=None, role=""),
                       lambda i, s, score=score: score if i % 3 else None)  # fmt: skip
    comparison = sessions_comparison(workshops=[zwolle, utrecht], base=zwolle.code)
    # One order everywhere (date, then city): Utrecht before Zwolle on the same day.
    assert [s["city"] for s in comparison["sessions"]] == ["Utrecht", "Zwolle"]
    own = [results_snapshot(workshop_id=w.pk) for w in (utrecht, zwolle)]
    for i, row in enumerate(comparison["rows"]):
        assert row["scores"] == [own[0]["elements"][i]["score"], own[1]["elements"][i]["score"]]
        assert row["diffs"][0] == pytest.approx(-2.0)  # Utrecht against the chosen Zwolle


def test_compare_page_overlays_the_chosen_cities(organiser, make_workshop):
    zwolle, utrecht = make_workshop(city="Zwolle"), make_workshop(city="Utrecht")
    html = organiser.get(f"/organiser/compare/?code={zwolle.code}&code={utrecht.code}").content
    html = html.decode()
    assert 'id="compare-chart"' in html and "plotly.min.js" in html
    assert html.count('"city": "Zwolle"') == 1 and html.count('"city": "Utrecht"') == 1


def test_delete_asks_first_and_leaves_nothing_behind(organiser, workshop, make_workshop):
    keep = make_workshop(city="Utrecht")
    participant = participant_join(workshop=workshop, table=None, role="")
    answer_all(workshop, participant, lambda i, s: 3)
    # Seat 1 at two tables and in the room: the seats must not collide while deleting.
    for number in (1, 2):
        participant_join(workshop=workshop, table=workshop.tables.get(number=number), role="")
    kept = participant_join(workshop=keep, table=None, role="")
    answer_all(keep, kept, lambda i, s: 3)
    page = organiser.get(f"/s/{workshop.code}/delete/").content.decode()
    assert "3 deelnemers" in page
    assert "46" in page
    wrong = organiser.post(f"/s/{workshop.code}/delete/", {"confirm_code": "XXXXXX"})
    assert wrong.status_code == 400
    assert Workshop.objects.filter(pk=workshop.pk).exists()
    organiser.post(f"/s/{workshop.code}/delete/", {"confirm_code": workshop.code.lower()})
    assert not Workshop.objects.filter(pk=workshop.pk).exists()
    assert not Participant.objects.filter(workshop_id=workshop.pk).exists()
    assert not Table.objects.filter(workshop_id=workshop.pk).exists()
    assert Answer.objects.count() == 46  # only the other session's
    assert Answer.objects.filter(participant=kept).count() == 46


def test_duplicate_and_archive(organiser, workshop):
    response = organiser.post(
        f"/s/{workshop.code}/duplicate/", {"city": "Groningen", "date": "2027-01-15"}
    )
    copy = Workshop.objects.get(city="Groningen")
    assert response["Location"] == f"/s/{copy.code}/organiser/"
    assert copy.tables.count() == workshop.tables.count()
    assert copy.instrument == workshop.instrument and copy.title == workshop.title
    assert copy.code != workshop.code and copy.projector_key != workshop.projector_key
    organiser.post(f"/s/{workshop.code}/archive/", {"archived": "1"})
    assert Workshop.objects.get(pk=workshop.pk).archived


@pytest.mark.django_db(transaction=True)
async def test_phones_follow_the_phase_over_the_websocket():
    workshop, participant = await database_sync_to_async(_session_with_phone)()
    phone = _phone_socket(workshop, participant)
    connected, _ = await phone.connect(timeout=3)
    assert connected
    assert await phone.receive_json_from(timeout=3) == {"phase": "join", "revealed": False}
    await database_sync_to_async(workshop_update_state)(workshop=workshop, phase=Phase.SURVEY)
    assert await phone.receive_json_from(timeout=3) == {"phase": "survey", "revealed": False}
    # Results of other phones' answers are not sent to phones.
    await database_sync_to_async(participant_join)(workshop=workshop, table=None, role="")
    assert await phone.receive_nothing(timeout=0.3)
    await phone.disconnect()

    stranger = WebsocketCommunicator(
        application,
        f"/ws/s/{workshop.code}/phone/",
        headers=[(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")],
    )
    connected, _ = await stranger.connect(timeout=3)
    assert not connected


@pytest.mark.django_db(transaction=True)
async def test_projector_follows_the_mode_and_a_reconnect_gets_a_snapshot():
    workshop, _ = await database_sync_to_async(_session_with_phone)()
    path = f"/ws/s/{workshop.code}/live/?key={workshop.projector_key}"
    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    projector = WebsocketCommunicator(application, path, headers=headers)
    await projector.connect(timeout=3)
    assert (await projector.receive_json_from(timeout=3))["projector"]["mode"] == "join"
    await database_sync_to_async(workshop_update_state)(
        workshop=workshop, projector_mode=ProjectorMode.DISCUSSION, projector_element=2
    )
    snapshot = await projector.receive_json_from(timeout=3)
    assert snapshot["projector"] == {"mode": "discussion", "element": "netwerk"}
    await projector.disconnect()
    # While it was away the organiser moved on; the reconnect starts with the truth.
    await database_sync_to_async(workshop_update_state)(
        workshop=workshop, projector_mode=ProjectorMode.CHART
    )
    again = WebsocketCommunicator(application, path, headers=headers)
    await again.connect(timeout=3)
    fresh = await again.receive_json_from(timeout=3)
    assert fresh["projector"]["mode"] == "chart"
    assert fresh["version"] > snapshot["version"]
    await again.disconnect()


def _session_with_phone():
    from sessions.services import workshop_create
    from tests.conftest import ensure_instrument

    workshop = workshop_create(
        city="Zwolle", date="2026-11-26", tables=2, instrument=ensure_instrument(), phase=Phase.JOIN
    )
    return workshop, participant_join(workshop=workshop, table=None, role="")


@pytest.mark.parametrize(
    ("title", "shown"),
    [("Ecosysteemdialoog Zwolle", False), ("Impact in de regio", True), ("", False)],
)
def test_the_projectors_join_screen_names_the_session_once(client, workshop, title, shown):
    """The join screen's heading is "Ecosysteemdialoog <city>"; the title beneath it, unless
    it says the same again (a copied setup's title does)."""
    Workshop.objects.filter(pk=workshop.pk).update(title=title)
    html = client.get(f"/s/{workshop.code}/projector/?key={workshop.projector_key}")
    join_screen = html.content.decode().split('class="screen join-screen"')[1]
    join_screen = join_screen.split("</section>")[0]
    assert "<h1>Ecosysteemdialoog Zwolle</h1>" in join_screen
    assert ('class="subtitle"' in join_screen) is shown
    if shown:
        assert f'<p class="subtitle">{title}</p>' in join_screen


def _phone_socket(workshop: Workshop, participant: Participant) -> WebsocketCommunicator:
    name, value = participant_cookie(workshop, str(participant.token))
    return WebsocketCommunicator(
        application,
        f"/ws/s/{workshop.code}/phone/",
        headers=[
            (b"origin", b"http://127.0.0.1"),
            (b"host", b"127.0.0.1"),
            (b"cookie", f"{name}={value}".encode()),
        ],
    )


@pytest.mark.django_db(transaction=True)
async def test_a_nudge_reaches_only_the_phones_that_have_not_finished():
    workshop, first = await database_sync_to_async(_session_with_phone)()
    await database_sync_to_async(workshop_update_state)(workshop=workshop, phase=Phase.SURVEY)

    def more_phones() -> tuple[Participant, Participant]:
        finished = participant_join(workshop=workshop, table=None, role="")
        for statement in Statement.objects.filter(element__instrument_id=workshop.instrument_id):
            answer_save(participant=finished, statement_id=statement.pk, score=4)
        return finished, participant_join(workshop=workshop, table=None, role="")

    finished, last = await database_sync_to_async(more_phones)()
    phones = {p.pk: _phone_socket(workshop, p) for p in (first, finished, last)}
    for phone in phones.values():
        assert (await phone.connect(timeout=3))[0]
        assert (await phone.receive_json_from(timeout=3))["phase"] == "survey"
    reminded = await database_sync_to_async(participants_nudge)(workshop=workshop)
    assert reminded == 2
    assert await phones[first.pk].receive_json_from(timeout=3) == {"type": "nudge"}
    assert await phones[last.pk].receive_json_from(timeout=3) == {"type": "nudge"}
    assert await phones[finished.pk].receive_nothing(timeout=0.3)
    for phone in phones.values():
        await phone.disconnect()


def test_a_nudge_for_ten_thousand_phones_is_a_few_kilobytes():
    ids = list(range(50_001, 70_001, 2))  # every other id: another session joined between
    phones = nudged_phones(ids)
    assert len(phones["bits"]) <= 2_500
    assert all(is_nudged(phones, pid) for pid in ids)
    assert not any(is_nudged(phones, pid) for pid in (50_000, 50_002, 70_000, 70_001, 0, -3))
    assert not is_nudged(nudged_phones([]), 1)
    assert not is_nudged({"base": "x", "bits": b"\xff"}, 1) and not is_nudged(None, 1)
