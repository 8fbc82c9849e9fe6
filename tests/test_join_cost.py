"""What a phone's join costs the server, pinned: the SQL queries and Redis calls of each step
(join page, POST, first survey page, the phone's socket claim), so that a change that adds
one to the path every phone of a room takes shows up here by name (bench/README.md: the
join benchmark, `load.py --mode joins`)."""

import asyncio

import pytest
import redis
from django import forms
from django.conf import settings
from django.test import Client
from django.test.signals import template_rendered
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from live import connection_caps
from live.connection_caps import ConnectionCap
from live.redis_client import redis_client
from sessions.fields import PlainSelect
from sessions.models import Participant
from sessions.selectors import session_consent
from survey.selectors import instrument_structure


class CaptureTemplates:
    """The names of the templates rendered inside the block (Django's test instrumentation)."""

    def __enter__(self) -> "CaptureTemplates":
        self.names: list[str] = []
        template_rendered.connect(self._note)
        return self

    def __exit__(self, *exc: object) -> None:
        template_rendered.disconnect(self._note)

    def _note(self, sender: object, template: object, **kwargs: object) -> None:
        self.names.append(str(getattr(template, "name", template)))


@pytest.fixture
def redis_calls(monkeypatch) -> list[str]:
    """The commands this process sends to Redis through redis-py's sync client (the rate
    limits), one entry per round trip."""
    calls: list[str] = []
    command, pipeline = redis.client.Redis.execute_command, redis.client.Pipeline.execute

    def counted(self, *args, **kwargs):
        calls.append(str(args[0]))
        return command(self, *args, **kwargs)

    def counted_pipeline(self, *args, **kwargs):
        calls.append(f"pipeline of {len(self.command_stack)}")
        return pipeline(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Redis, "execute_command", counted)
    monkeypatch.setattr(redis.client.Pipeline, "execute", counted_pipeline)
    return calls


def test_a_join_costs_a_fixed_number_of_queries_and_redis_calls(
    make_workshop, django_assert_num_queries, redis_calls
):
    workshop = make_workshop(tables=30)  # a conference room's tables
    instrument_structure(workshop.instrument_id)  # read once per process, as a server does
    session_consent(workshop=workshop)  # the built-in consent text is stored on first use
    phone = Client(enforce_csrf_checks=True)
    join = f"/j/{workshop.code}/"

    # The page: the session with whether it admits phones (one query), the consent text that
    # applies, the tables with how full they are.
    with django_assert_num_queries(3):
        page = phone.get(join)
    assert page.status_code == 200
    assert redis_calls == []  # a GET is not rate limited
    # The consent section is the same for every phone of the session in its language: drawn
    # for the first phone's page, not again for the next (the page around it is).
    with CaptureTemplates() as drawn:
        assert Client().get(join).status_code == 200
    assert "survey/join.html" in drawn.names and "survey/_consent.html" not in drawn.names

    # The POST: the same three, then the join under the session's lock (the version bump, the
    # admission again, the seat, the row); inside the test's transaction that is wrapped in a
    # savepoint (two more statements). The table comes from the list already read.
    token = phone.cookies["csrftoken"].value
    version = session_consent(workshop=workshop).text.version
    with django_assert_num_queries(9):
        joined = phone.post(
            join,
            {
                "csrfmiddlewaretoken": token,
                "table": "30",
                "role": "",
                "consent": "on",
                "consent_version": version,
            },
            HTTP_ORIGIN="http://testserver",
        )
    assert joined.status_code == 302
    # One counter per join limit (this browser, this address): one round trip each.
    assert redis_calls == ["EVALSHA", "EVALSHA"] if settings.REDIS_URL else redis_calls == []
    assert Participant.objects.get(workshop=workshop).table.number == 30

    # The first survey page: the participant with its session, instrument and table in one
    # query, then its answers.
    with django_assert_num_queries(2):
        first = phone.get(joined["Location"])
    assert first.status_code == 200

    # Then the page's script fetches every element's page to keep (static/js/pages.js): the
    # same two queries. Before any answer the pages are the same for every phone of the
    # session but the seat: drawn for the first phone, not drawn again for the next.
    offline = f"/s/{workshop.code}/survey/offline/"
    with django_assert_num_queries(2):
        assert phone.get(offline).status_code == 200
    second = Client()
    second.post(join, {"table": "", "consent": "on", "consent_version": version})
    with CaptureTemplates() as drawn, django_assert_num_queries(2):
        assert second.get(offline).status_code == 200
    assert drawn.names == []


def test_a_phone_that_has_not_joined_is_sent_to_join_and_an_unknown_session_is_404(workshop):
    phone = Client()
    assert phone.get(f"/s/{workshop.code}/survey/1/")["Location"] == f"/j/{workshop.code}/"
    assert phone.get(f"/s/{workshop.code.lower()}/survey/1/")["Location"] == (
        f"/j/{workshop.code}/"
    )
    assert phone.get("/s/NOSUCH/survey/1/").status_code == 404
    assert phone.get("/s/AB%00C/survey/1/").status_code == 404


@pytest.mark.parametrize("value", [None, "", 2, "2", "x", 0, ["2"]])
@pytest.mark.parametrize(
    "attrs",
    [
        {"id": "id_table"},
        {"id": "id_table", "required": True, "aria-invalid": "true", "off": False},
        {"id": "id_role", "data-x": '"<&>', "data-safe": mark_safe("<i>"), "data-n": None},
    ],
)
def test_the_join_forms_lists_are_the_html_djangos_select_writes(value, attrs):
    choices = [
        ("", "I don't know <yet>"),
        (1, "1 · Haven (0 of 7)"),
        (2, "2 (3 of 7)"),
        (2, "a second 2: only the first is selected"),
        ("\u202e", "zero\u200bwidth & RTL"),
        (3, mark_safe("<b>safe</b> &amp; kept")),
        (4, gettext_lazy("I don't know yet")),
    ]
    django_html = forms.Select(choices=choices).render("table", value, attrs)
    assert PlainSelect(choices=choices).render("table", value, attrs) == django_html
    grouped = [("Tafels", [(1, "1"), (2, "2")]), ("", "none")]
    django_html = forms.Select(choices=grouped).render("table", value, attrs)
    assert PlainSelect(choices=grouped).render("table", value, attrs) == django_html


def test_a_process_refreshes_all_its_socket_claims_with_one_task_and_one_round_trip(
    monkeypatch,
):
    """Each phone socket holds a claim (WS_PER_PARTICIPANT); their refreshes are one task
    and one pipelined Redis call per process, not one of each per socket."""
    assert settings.REDIS_URL, "the caps are counted in Redis (REDIS_URL)"
    sent: list[int] = []

    async def run() -> tuple[int, list[int], bool, bool]:
        pipeline_class = type(redis_client().pipeline())
        execute = pipeline_class.execute

        async def counted(self, *args, **kwargs):
            sent.append(len(self.command_stack))
            return await execute(self, *args, **kwargs)

        monkeypatch.setattr(pipeline_class, "execute", counted)
        before = len(asyncio.all_tasks())
        caps = [
            ConnectionCap(key=f"cost-test:{n}", member=f"socket-{n}", limit=1) for n in range(50)
        ]
        for cap in caps:
            assert await cap.claim()
        tasks = len(asyncio.all_tasks()) - before
        refresher = connection_caps._refresher()
        await refresher.refresh()
        # The claims still hold their places: a second socket on a key is refused.
        second = await ConnectionCap(key="cost-test:7", member="another", limit=1).claim()
        for cap in caps:
            await cap.release()
        freed = await ConnectionCap(key="cost-test:7", member="another", limit=1).claim()
        await ConnectionCap(key="cost-test:7", member="another", limit=1).release()
        return tasks, sent, second, freed

    tasks, calls, second, freed = asyncio.run(run())
    assert tasks == 1
    assert calls == [50]  # one round trip carried the 50 refreshes
    assert second is False
    assert freed is True


def test_the_phones_socket_reads_its_cookies_and_not_the_organisers_login():
    """Every phone of a room opens a socket: it is given its cookies (the participant's signed
    cookie), not the login session and user, which cost a thread hop per socket and which
    only the organiser's and the chair's sockets read."""
    from channels.auth import AuthMiddleware
    from channels.sessions import CookieMiddleware, SessionMiddleware

    from live.routing import websocket_urlpatterns
    from scentiss.asgi import _websocket_routes

    routes = {route.name: route.callback for route in _websocket_routes(websocket_urlpatterns)}
    assert set(routes) == {route.name for route in websocket_urlpatterns}
    phone = routes.pop("ws-phone")
    assert isinstance(phone, CookieMiddleware) and not isinstance(phone.inner, SessionMiddleware)
    for name, app in routes.items():
        assert isinstance(app.inner, SessionMiddleware), name
        assert isinstance(app.inner.inner, AuthMiddleware), name
