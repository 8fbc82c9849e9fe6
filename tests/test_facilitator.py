"""The facilitator's tools without a browser: the table a tent's link chooses, the round
timer, the rehearsal's clearing, the nudge, a table's own results."""

import pytest
from django.test import Client

from sessions.models import Participant, Phase
from survey.selectors import results_snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "raw", ["9", "0", "²", "\uff17", "1_0", "99999999999999999999", "\uffff", ""]
)
def test_a_join_link_with_an_odd_table_chooses_no_table(workshop, raw):
    page = Client().get(f"/j/{workshop.code}/", {"table": raw})
    assert page.status_code == 200
    assert b'<option value="" selected>' in page.content


def test_a_join_link_with_a_table_chooses_it(workshop):
    page = Client().get(f"/j/{workshop.code}/?table=3").content.decode()
    assert '<option value="3" selected>' in page


def test_the_table_tents_page_is_the_organisers(workshop, organiser):
    assert Client().get(f"/s/{workshop.code}/tents/").status_code == 302  # to the login
    page = organiser.get(f"/s/{workshop.code}/tents/").content.decode()
    assert page.count('class="tent"') == 3
    assert f"/j/{workshop.code}/?table=3" in page


def test_a_round_refuses_odd_minutes_and_a_next_past_the_last_element(workshop, organiser):
    url = f"/s/{workshop.code}/round/"
    for raw in ["0", "121", "²", "\uff17", "1_0", "9" * 30, "\uffff"]:
        page = organiser.post(url, {"action": "start", "minutes": raw}, follow=True)
        assert "Een ronde duurt 1 tot 120 minuten." in page.content.decode(), raw
    workshop.refresh_from_db()
    assert workshop.round_ends_at is None
    organiser.post(url, {"action": "start", "minutes": "10"})
    organiser.post(url, {"action": "start", "minutes": "10"})  # twice: one round
    workshop.refresh_from_db()
    assert workshop.round_minutes == 10 and workshop.round_ends_at is not None
    workshop.projector_element = 6
    workshop.save()
    page = organiser.post(url, {"action": "next"}, follow=True).content.decode()
    assert "Dit is het laatste element" in page
    assert organiser.get(url).status_code == 405


def test_a_rehearsal_cannot_be_cleared_once_the_survey_started(workshop, organiser):
    from sessions.services import participant_join
    from survey.models import Answer

    participant = participant_join(workshop=workshop, table=None, role="")
    assert workshop.phase == "survey"
    url = f"/s/{workshop.code}/rehearsal/clear/"
    page = organiser.post(url, {"confirm": "1"}, follow=True).content.decode()
    assert "de proefronde kan niet meer gewist worden" in page
    assert organiser.post(f"/s/{workshop.code}/rehearsal/", {"rehearsing": "1"}, follow=True)
    assert Participant.objects.filter(pk=participant.pk).exists()
    workshop.refresh_from_db()
    assert workshop.rehearsing is False
    assert Answer.objects.count() == 0


def test_clearing_a_rehearsal_twice_clears_once(make_workshop, organiser):
    from sessions.services import participant_join

    workshop = make_workshop(phase="join")
    participant_join(workshop=workshop, table=None, role="")
    url = f"/s/{workshop.code}/rehearsal/clear/"
    first = organiser.post(url, {"confirm": "1"}, follow=True).content.decode()
    second = organiser.post(url, {"confirm": "1"}, follow=True).content.decode()
    assert "1 deelnemer en de antwoorden verwijderd" in first
    assert "0 deelnemers en hun antwoorden verwijderd" in second
    assert organiser.post(url, {"confirm": "²"}).status_code == 200  # asks again
    assert not Participant.objects.filter(workshop=workshop).exists()


def test_a_nudge_is_refused_outside_the_survey_and_when_everyone_finished(make_workshop, organiser):
    from sessions.services import participant_join

    closed = make_workshop(phase="discussion")
    participant_join(workshop=closed, table=None, role="")
    page = organiser.post(f"/s/{closed.code}/nudge/", follow=True).content.decode()
    assert "alleen worden verstuurd terwijl de vragenlijst open is" in page
    empty = make_workshop()
    page = organiser.post(f"/s/{empty.code}/nudge/", follow=True).content.decode()
    assert "niemand om te herinneren" in page
    participant_join(workshop=empty, table=None, role="")
    for _ in range(2):  # twice: two reminders, each said
        page = organiser.post(f"/s/{empty.code}/nudge/", follow=True).content.decode()
        assert "Herinnering verstuurd naar 1 telefoon." in page


def test_the_projector_table_refuses_odd_tables_and_keeps_its_mode(workshop, organiser):
    url = f"/s/{workshop.code}/state/"
    for raw in ["9", "0", "²", "\uff17", "1_0", "9" * 30, "\uffff", "\u200b2"]:
        page = organiser.post(url, {"projector_table": raw}, follow=True)
        assert page.status_code == 200
        assert "Die wijziging kan niet; er is niets veranderd." in page.content.decode()
    # The table mode without a table chosen is refused too.
    organiser.post(url, {"projector_mode": "table"})
    workshop.refresh_from_db()
    assert (workshop.projector_mode, workshop.projector_table) == ("join", None)
    for _ in range(2):  # twice: one change
        organiser.post(url, {"projector_table": "2"})
    workshop.refresh_from_db()
    assert (workshop.projector_mode, workshop.projector_table) == ("table", 2)
    feed = Client().get(f"/s/{workshop.code}/results.json?key={workshop.projector_key}").json()
    assert feed["projector"]["table"]["number"] == 2
    assert feed["projector"]["table"]["elements"][0]["key"] == "kennis"


def _new_session(instrument, **extra) -> dict:
    return {
        "city": "Zwolle",
        "date": "2026-12-10",
        "tables": "3",
        "instrument": str(instrument.pk),
        **extra,
    }


def test_a_new_session_takes_its_tables_focus_one_line_a_table(organiser, instrument):
    from sessions.models import Table, Workshop

    refused = {
        "Haven\n\nZorg\nNoord": "Er zijn meer regels dan tafels (3)",
        "Haven\n\uffff": "Tafel 2: ",
        "\u200b\u200f": "Tafel 1: ",
        "x" * 200: "Tafel 1: ",
    }
    for text, message in refused.items():
        page = organiser.post("/organiser/new/", _new_session(instrument, focus=text))
        assert page.status_code == 400, text
        assert message in page.content.decode(), text
    assert not Workshop.objects.exists()
    page = organiser.post(
        "/organiser/new/", _new_session(instrument, focus="  Haven \r\n\r\n Zorg  en  Welzijn")
    )
    assert page.status_code == 302
    tables = Table.objects.order_by("number")
    assert [t.focus for t in tables] == ["Haven", "", "Zorg en Welzijn"]
    # Without the field (an old form) the tables have none.
    assert organiser.post("/organiser/new/", _new_session(instrument)).status_code == 302
    assert Table.objects.exclude(focus="").count() == 2


def test_duplicating_keeps_the_tables_focus_unless_unticked(workshop, organiser):
    from sessions.models import Table, Workshop

    Table.objects.filter(workshop=workshop, number=2).update(focus="Haven")
    page = organiser.get(f"/s/{workshop.code}/organiser/").content.decode()
    assert 'name="keep_focus" id="id_keep_focus" checked' in page
    url = f"/s/{workshop.code}/duplicate/"
    organiser.post(url, {"city": "Utrecht", "date": "2026-12-11", "keep_focus": "on"})
    organiser.post(url, {"city": "Deventer", "date": "2026-12-12"})  # unticked: not sent
    utrecht, deventer = (Workshop.objects.get(city=c) for c in ("Utrecht", "Deventer"))
    assert [t.focus for t in utrecht.tables.order_by("number")] == ["", "Haven", ""]
    assert [t.focus for t in deventer.tables.order_by("number")] == ["", "", ""]


@pytest.mark.parametrize("phase", [Phase.RESULTS, Phase.CLOSED])
def test_the_round_timer_stops_when_the_discussion_is_over(workshop, organiser, phase):
    organiser.post(f"/s/{workshop.code}/state/", {"phase": Phase.DISCUSSION})
    organiser.post(f"/s/{workshop.code}/round/", {"action": "start", "minutes": "10"})
    assert results_snapshot(workshop_id=workshop.pk)["round"]["ends_at"] is not None
    organiser.post(f"/s/{workshop.code}/state/", {"phase": phase})
    workshop.refresh_from_db()
    assert workshop.phase == phase and workshop.round_ends_at is None
    assert results_snapshot(workshop_id=workshop.pk)["round"]["ends_at"] is None
