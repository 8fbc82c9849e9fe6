"""Rate limits on the open doors: joining a session and logging in.

A venue's phones come from ONE public address behind its NAT: the per-address limits must let
a full room in, the per-browser limit stops one client making participants in a loop, and a
few wrong passwords lock that name for that address (with a message in the user's language).
"""

import asyncio

import httpx
import pytest
from django.test import Client, override_settings

from sessions.models import Participant
from sessions.selectors import participant_cookie_name
from tests.conftest import HTTPX_TLS, start_server, stop_server

PASSWORD = "a-long-organiser-password"


def _browser(n: int, address: str = "203.0.113.7") -> Client:
    """Phone n behind the venue's NAT: its own CSRF cookie, the venue's one address."""
    client = Client(REMOTE_ADDR=address)
    client.cookies["csrftoken"] = f"phone{n:027d}"
    return client


def _join(client: Client, workshop, **headers):
    return client.post(f"/j/{workshop.code}/", {"consent": "on"}, **headers)


@pytest.mark.django_db
def test_one_client_cannot_make_participants_in_a_loop(workshop, settings):
    attacker = _browser(0)
    statuses = []
    for _ in range(30):  # drops its participant cookie each time, keeps its browser
        attacker.cookies.pop(participant_cookie_name(workshop), None)
        statuses.append(_join(attacker, workshop).status_code)
    allowed = int(settings.JOIN_RATE_PER_CLIENT.split("/")[0])
    assert statuses == [302] * allowed + [429] * (30 - allowed)
    assert Participant.objects.filter(workshop=workshop).count() == allowed
    refused = _join(attacker, workshop)
    assert "Te veel pogingen vanaf dit apparaat of netwerk" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    english = _join(attacker, workshop, HTTP_ACCEPT_LANGUAGE="en")
    assert "Too many attempts from this device or network" in english.content.decode()


@pytest.mark.django_db
def test_a_room_of_300_phones_behind_one_nat_all_get_in(workshop):
    statuses = [_join(_browser(n), workshop).status_code for n in range(300)]
    assert statuses.count(302) == 300
    assert Participant.objects.filter(workshop=workshop).count() == 300


@pytest.mark.django_db
@override_settings(JOIN_RATE_PER_IP="5/10 minutes")
def test_one_address_is_bounded_too(workshop):
    statuses = [_join(_browser(n), workshop).status_code for n in range(7)]
    assert statuses == [302] * 5 + [429] * 2
    # Another network is not affected.
    assert _join(_browser(99, address="198.51.100.1"), workshop).status_code == 302


@pytest.mark.django_db
@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_joins_go_on_when_the_counter_cannot_be_reached(workshop):
    assert all(_join(_browser(n), workshop).status_code == 302 for n in range(3))


@pytest.fixture
def organiser(django_user_model):
    return django_user_model.objects.create_user("organiser", password=PASSWORD)


def _login(client: Client, password: str, **headers):
    return client.post(
        "/accounts/login/", {"username": "organiser", "password": password}, **headers
    )


@pytest.mark.django_db
def test_wrong_passwords_lock_that_name_for_that_address(organiser, settings):
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(guesser, f"guess-{attempt}").status_code == 200  # the form, again
    locked = _login(guesser, "last-guess")
    assert locked.status_code == 429
    assert "Te veel mislukte aanmeldingen met deze naam vanaf dit netwerk" in (
        locked.content.decode()
    )
    assert "15 minuten" in locked.content.decode()
    # Now even the right password is refused from there ...
    assert _login(guesser, PASSWORD).status_code == 429
    english = _login(guesser, PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert "Too many failed logins with this name from this network" in english.content.decode()
    # ... but the organiser elsewhere logs in.
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    assert _login(elsewhere, PASSWORD).status_code == 302


@pytest.mark.django_db
@override_settings(LOGIN_RATE_PER_IP="3/10 minutes")
def test_logins_from_one_address_are_rate_limited(organiser):
    client = Client(REMOTE_ADDR="203.0.113.10")
    names = ["a", "b", "c", "d"]  # spraying names: no single one gets locked
    statuses = [
        client.post("/accounts/login/", {"username": n, "password": "x"}).status_code for n in names
    ]
    assert statuses == [200, 200, 200, 429]


def test_the_limits_hold_across_two_server_processes(transactional_db, workshop, settings):
    assert settings.REDIS_URL, "the processes share their counts through Redis"
    env = {"JOIN_RATE_PER_CLIENT": "4/10 minutes"}
    servers = [start_server(extra_env=env), start_server(extra_env=env)]
    try:
        statuses = asyncio.run(_join_alternating(servers, workshop, times=6))
    finally:
        for server in servers:
            stop_server(server)
    assert statuses == [302, 302, 302, 302, 429, 429]


async def _join_alternating(servers, workshop, *, times: int) -> list[int]:
    statuses = []
    async with httpx.AsyncClient(verify=HTTPX_TLS, timeout=5) as phone:
        await phone.get(f"{servers[0].url}/j/{workshop.code}/")
        csrf = phone.cookies["csrftoken"]
        for n in range(times):
            base = servers[n % 2].url
            phone.cookies.delete(participant_cookie_name(workshop))
            response = await phone.post(
                f"{base}/j/{workshop.code}/",
                data={"csrfmiddlewaretoken": csrf, "consent": "on"},
                headers={"Referer": base + "/"},
            )
            statuses.append(response.status_code)
    return statuses


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["y" * 300, "AB\x00C", "\u202eRTL", ""])
def test_a_hostile_user_name_is_a_failed_login_not_a_500(organiser, name):
    for path in ("/accounts/login/", "/admin/login/"):
        response = Client(REMOTE_ADDR="203.0.113.11").post(
            path, {"username": name, "password": "x"}
        )
        assert response.status_code == 200, (path, response.status_code)
