"""The HTTP path crosses into a thread once per request (scentiss/handler.py).

Django's own ASGI handler ran this project's middleware chain with 20 thread hops for one GET;
the chain built as under WSGI takes 3 (request_started, the chain with the view, the
response's close). Pinned like a query count: a middleware that brings the hops back shows
here, not only as CPU in bench/join_path.py.
"""

import concurrent.futures

import pytest

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
    assert len(counted_submits) <= 3


@pytest.mark.django_db(transaction=True)
async def test_static_files_still_served_with_their_headers():
    status, headers, body = await asgi_get(application, "/static/js/live.js")

    assert status == 200
    assert headers[b"content-type"].startswith(b"text/javascript")
    assert b"WebSocket" in body
    assert headers[b"x-content-type-options"] == b"nosniff"
