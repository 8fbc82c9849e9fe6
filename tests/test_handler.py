"""The HTTP path crosses into a thread once per request (scentiss/handler.py).

Django's own ASGI handler ran this project's middleware chain with 20 thread hops for one GET;
the chain built as under WSGI took 3 (request_started, the chain with the view, the
response's close), and a response that is not streamed now takes 1: the signals, the chain
and the view together. Pinned like a query count: a middleware that brings the hops back shows
here, not only as CPU in bench/join_path.py.
"""

import concurrent.futures
import threading

import pytest
from django.core import signals
from django.test.signals import template_rendered

from scentiss.asgi import application, django_asgi_app
from tests.asgi_helpers import asgi_get


@pytest.fixture
def counted_submits(monkeypatch):
    calls: list[int] = []
    submit = concurrent.futures.ThreadPoolExecutor.submit

    def counting(self, *args, **kwargs):
        calls.append(1)
        return submit(self, *args, **kwargs)

    monkeypatch.setattr(concurrent.futures.ThreadPoolExecutor, "submit", counting)
    return calls


@pytest.mark.django_db(transaction=True)
async def test_join_page_runs_its_chain_and_view_in_one_thread_hop(workshop, counted_submits):
    await asgi_get(django_asgi_app, f"/j/{workshop.code}/")  # warm: URL resolver, templates
    counted_submits.clear()

    status, headers, body = await asgi_get(django_asgi_app, f"/j/{workshop.code}/")

    assert status == 200
    assert b"csrfmiddlewaretoken" in body  # the whole chain ran: CSRF, locale, the view
    assert b"content-security-policy" in headers
    assert len(counted_submits) == 1


@pytest.fixture
def threads_of():
    """The threads request_started, a template's rendering and request_finished ran in."""
    seen: dict[str, list[int]] = {"started": [], "rendered": [], "finished": []}

    def note(what):
        def receiver(**kwargs):
            seen[what].append(threading.get_ident())

        return receiver

    receivers = {
        signals.request_started: note("started"),
        template_rendered: note("rendered"),
        signals.request_finished: note("finished"),
    }
    for signal, receiver in receivers.items():
        signal.connect(receiver)
    yield seen
    for signal, receiver in receivers.items():
        signal.disconnect(receiver)


@pytest.mark.django_db(transaction=True)
async def test_a_page_is_made_in_one_thread_from_request_started_to_request_finished(
    workshop, threads_of
):
    """The database connection Django opens for a request is the thread's: request_started
    (close_old_connections), the view and request_finished (which gives the connection back
    to the pool) run in the same thread, not on the event loop."""
    status, _headers, _body = await asgi_get(django_asgi_app, f"/j/{workshop.code}/")

    assert status == 200
    [started] = threads_of["started"]
    [finished] = threads_of["finished"]
    assert started == finished != threading.get_ident()
    assert threads_of["rendered"] and set(threads_of["rendered"]) == {started}


@pytest.mark.django_db(transaction=True)
async def test_static_files_still_served_with_their_headers():
    status, headers, body = await asgi_get(application, "/static/js/live.js")

    assert status == 200
    assert headers[b"content-type"].startswith(b"text/javascript")
    assert b"WebSocket" in body
    assert headers[b"x-content-type-options"] == b"nosniff"


@pytest.mark.django_db(transaction=True)
async def test_a_streamed_response_is_closed_once_after_it_was_sent(threads_of):
    """A static file is streamed: its request_finished comes after its body, in the thread
    its request started in, once."""
    status, _headers, body = await asgi_get(application, "/static/js/live.js")

    assert status == 200 and body
    assert len(threads_of["finished"]) == 1
    assert threads_of["finished"] == threads_of["started"]
