"""A session's workbook takes seconds to build for a conference (bench/bench_export.py): the
process's other requests go on meanwhile.

Each HTTP request runs its middleware chain and view in a thread of its own
(scentiss/handler.py: thread_sensitive inside Django's per-request ThreadSensitiveContext), so
the organiser's export holds one of the process's HTTP_CONCURRENCY slots, not the process.
"""

import asyncio
import io
import threading

import pytest
from django.conf import settings
from openpyxl import load_workbook

from exports import views
from scentiss.asgi import application
from tests.asgi_helpers import asgi_get


@pytest.mark.django_db(transaction=True)
async def test_a_phone_joins_while_the_organiser_s_workbook_is_being_built(
    workshop, organiser, monkeypatch
):
    building = threading.Event()
    phone_served = threading.Event()
    waited: list[bool] = []
    build = views.session_workbook

    def slow_build(**kwargs):
        building.set()
        # The workbook is not done before the phone has its page: had the two requests run
        # one after the other, this would wait in vain (and the phone's request time out).
        waited.append(phone_served.wait(timeout=30))
        return build(**kwargs)

    monkeypatch.setattr(views, "session_workbook", slow_build)
    cookie = (
        f"{settings.SESSION_COOKIE_NAME}={organiser.cookies[settings.SESSION_COOKIE_NAME].value}"
    )
    export = asyncio.create_task(
        asgi_get(application, f"/s/{workshop.code}/export.xlsx", [(b"cookie", cookie.encode())])
    )
    assert await asyncio.to_thread(building.wait, 30), "the export never started"

    status, _, page = await asyncio.wait_for(
        asgi_get(application, f"/j/{workshop.code}/"), timeout=20
    )
    phone_served.set()

    assert status == 200
    assert b"csrfmiddlewaretoken" in page  # the phone's whole join page
    status, headers, content = await asyncio.wait_for(export, timeout=60)
    assert waited == [True]
    assert status == 200
    assert headers[b"content-type"].startswith(b"application/vnd.openxmlformats")
    assert "antwoorden" in load_workbook(io.BytesIO(content), read_only=True).sheetnames
