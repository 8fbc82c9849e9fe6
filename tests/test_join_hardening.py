"""Joining under a hostile or busy room: many phones at once, the participant cap, a closed
session, seat numbers, the age of the phone's cookie.

The concurrency tests run the app as deployed: real uvicorn processes sharing PostgreSQL.
"""

import asyncio
import time

import httpx
import pytest
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import translation

from core.errors import Rejected
from sessions.models import SEAT_MAX, Participant, Phase, Workshop
from sessions.selectors import PARTICIPANT_COOKIE_SALT, participant_cookie_name
from sessions.services import participant_join, workshop_update_state
from tests.conftest import HTTPX_TLS


async def _join_all(urls: list[str], code: str, phones: int, table: str = "1") -> list[int]:
    """`phones` phones spread over the servers at `urls` open the join page, then all post
    the form at the same moment. Returns the status codes of the posts."""
    clients = [
        httpx.AsyncClient(verify=HTTPX_TLS, base_url=urls[i % len(urls)], timeout=60)
        for i in range(phones)
    ]
    try:
        await asyncio.gather(*(c.get(f"/j/{code}/") for c in clients))
        go = asyncio.Event()

        async def post(client: httpx.AsyncClient) -> int:
            await go.wait()
            response = await client.post(
                f"/j/{code}/",
                data={
                    "table": table,
                    "csrfmiddlewaretoken": client.cookies["csrftoken"],
                    "consent": "on",
                },
                headers={"Referer": str(client.base_url) + "/"},
            )
            return response.status_code

        tasks = [asyncio.create_task(post(c)) for c in clients]
        go.set()
        return await asyncio.gather(*tasks)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


@pytest.mark.django_db(transaction=True)
def test_thirty_phones_join_one_table_at_once_over_two_processes(two_servers, make_workshop):
    workshop = make_workshop(phase=Phase.JOIN)
    for _round in range(2):  # 60 joins in two bursts of 30
        codes = asyncio.run(_join_all([s.url for s in two_servers], workshop.code, 30))
        assert codes == [302] * 30
    seats = sorted(
        Participant.objects.filter(workshop=workshop, table__number=1).values_list(
            "seat", flat=True
        )
    )
    assert seats == list(range(1, 61))


@pytest.mark.django_db(transaction=True)
def test_thirty_phones_join_at_once_on_one_process(server, make_workshop):
    workshop = make_workshop(phase=Phase.JOIN)
    codes = asyncio.run(_join_all([server.url], workshop.code, 30, table=""))
    assert codes == [302] * 30
    seats = sorted(
        Participant.objects.filter(workshop=workshop, table=None).values_list("seat", flat=True)
    )
    assert seats == list(range(1, 31))


@pytest.mark.django_db(transaction=True)
def test_the_cap_holds_under_concurrent_joins_over_two_processes(two_servers, make_workshop):
    workshop = make_workshop(phase=Phase.JOIN, participant_cap=10)
    codes = asyncio.run(_join_all([s.url for s in two_servers], workshop.code, 30))
    assert sorted(codes) == [302] * 10 + [409] * 20
    assert Participant.objects.filter(workshop=workshop).count() == 10


def test_a_full_session_says_so_on_the_phone_and_stores_nothing(client, make_workshop):
    workshop = make_workshop(phase=Phase.JOIN, participant_cap=2)
    assert client.post(f"/j/{workshop.code}/", {"table": "1", "consent": "on"}).status_code == 302
    client.cookies.clear()
    assert client.post(f"/j/{workshop.code}/", {"consent": "on"}).status_code == 302
    client.cookies.clear()
    refused = client.post(
        f"/j/{workshop.code}/", {"table": "1", "consent": "on"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 409
    assert "This session is full: it admits at most 2 participants" in refused.text
    assert 'name="role"' not in refused.text  # no form to fill in for nothing
    page = client.get(f"/j/{workshop.code}/")
    assert page.status_code == 200
    assert "Deze sessie is vol" in page.text  # Dutch first
    assert Participant.objects.filter(workshop=workshop).count() == 2


def test_a_closed_session_admits_no_new_phone(client, make_workshop):
    workshop = make_workshop(phase=Phase.SURVEY)
    client.post(f"/j/{workshop.code}/", {"consent": "on"})  # this phone joined before the close
    workshop_update_state(workshop=workshop, phase=Phase.CLOSED)
    assert client.get(f"/j/{workshop.code}/").status_code == 302  # it still resumes
    stranger = client.__class__()
    page = stranger.get(f"/j/{workshop.code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "The session has ended" in page.text  # the closed page
    assert 'name="role"' not in page.text
    refused = stranger.post(f"/j/{workshop.code}/", {"table": "1", "consent": "on"})
    assert refused.status_code == 409
    assert Participant.objects.filter(workshop=workshop).count() == 1


def test_a_chair_may_still_add_a_seat_after_the_close(make_workshop):
    workshop = make_workshop(phase=Phase.CLOSED)
    table = workshop.tables.get(number=1)
    with pytest.raises(Rejected):
        participant_join(workshop=workshop, table=table, role="")
    assert participant_join(workshop=workshop, table=table, role="", closed_ok=True).seat == 1


def test_seat_numbers_cannot_overflow(client, make_workshop):
    """A table whose highest seat is the maximum: the next phone takes the lowest free seat
    (was: a 500 "smallint out of range" on every join once seat 32767 existed)."""
    workshop = make_workshop(phase=Phase.JOIN)
    table = workshop.tables.get(number=1)
    Participant.objects.create(workshop=workshop, table=table, seat=1)
    Participant.objects.create(workshop=workshop, table=table, seat=SEAT_MAX)
    assert client.post(f"/j/{workshop.code}/", {"table": "1", "consent": "on"}).status_code == 302
    assert Participant.objects.filter(table=table).order_by("-pk").first().seat == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(workshop=workshop, table=table, seat=SEAT_MAX + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(workshop=workshop, table=table, seat=2)  # unique per table


def test_the_cap_is_bounded_in_the_database(workshop):
    with pytest.raises(IntegrityError), transaction.atomic():
        Workshop.objects.filter(pk=workshop.pk).update(participant_cap=0)


def test_the_organiser_sets_the_cap_when_creating_a_session(admin_client, instrument):
    form = {
        "city": "Deventer",
        "date": "2026-12-01",
        "tables": "4",
        "participant_cap": "1000",
        "instrument": str(instrument.pk),
    }
    with translation.override("en"):
        page = admin_client.get("/organiser/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'name="participant_cap"' in page.text and 'value="300"' in page.text
    assert admin_client.post("/organiser/new/", form).status_code == 302
    assert Workshop.objects.get(city="Deventer").participant_cap == 1000
    for bad in ("0", "5001", "\uff11\uff10", "1_000", "+5", "99999999999999999999"):
        response = admin_client.post("/organiser/new/", {**form, "participant_cap": bad})
        assert response.status_code == 400, bad
    assert Workshop.objects.filter(city="Deventer").count() == 1
    del form["participant_cap"]  # left out: the default
    assert admin_client.post("/organiser/new/", {**form, "city": "Ede"}).status_code == 302
    assert Workshop.objects.get(city="Ede").participant_cap == 300


def test_an_old_participant_cookie_no_longer_opens_the_survey(client, workshop):
    participant = participant_join(workshop=workshop, table=None, role="")
    name = participant_cookie_name(workshop)
    signer = signing.get_cookie_signer(salt=name + PARTICIPANT_COOKIE_SALT)
    age = settings.PARTICIPANT_COOKIE_MAX_AGE + 60
    signer.timestamp = lambda: signing.b62_encode(int(time.time()) - age)
    client.cookies[name] = signer.sign(str(participant.token))
    assert client.get(f"/s/{workshop.code}/survey/1/").status_code == 302  # back to join
    fresh = signing.get_cookie_signer(salt=name + PARTICIPANT_COOKIE_SALT)
    client.cookies[name] = fresh.sign(str(participant.token))
    assert client.get(f"/s/{workshop.code}/survey/1/").status_code == 200
    assert settings.PARTICIPANT_COOKIE_MAX_AGE <= 7 * 24 * 3600


@pytest.mark.both_databases
def test_a_join_stores_the_row_the_orm_would_and_returns_it(make_workshop):
    """participant_join writes its row in plain SQL: every field as stored (read back through
    the ORM) equals the instance it returns, with and without a table, role and consent; the
    session's version moves by one per join."""
    from sessions.selectors import session_consent

    workshop = make_workshop(tables=3)
    consent = session_consent(workshop=workshop).text
    table = workshop.tables.get(number=2)
    before = Workshop.objects.get(pk=workshop.pk).results_version
    joined = [
        participant_join(workshop=workshop, table=table, role="finance", consent=consent),
        participant_join(workshop=workshop, table=None, role=""),
        participant_join(workshop=workshop, table=table, role="", source="paper"),
    ]
    assert Workshop.objects.get(pk=workshop.pk).results_version == before + 3
    for participant in joined:
        stored = Participant.objects.get(pk=participant.pk)
        for field in Participant._meta.concrete_fields:
            assert getattr(participant, field.attname) == getattr(stored, field.attname), field
        assert participant._state.adding is False
        assert participant.seat_label == stored.seat_label
    assert [p.seat_label for p in joined] == ["T2·P1", "P1", "T2·P2"]
    assert joined[0].consented_at == joined[0].joined_at and joined[0].consent == consent
    assert joined[1].consent is None and joined[1].consented_at is None
    assert joined[2].source == "paper" and joined[0].last_element == 1
    assert len({p.token for p in joined}) == 3
