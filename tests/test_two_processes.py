"""Scale-out: two server processes sharing PostgreSQL and Redis behave as one."""

import asyncio
import json
import re

import httpx
import pytest
import websockets

from tests.conftest import HTTPX_TLS

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_answer_saved_through_one_process_reaches_a_projector_on_the_other(
    two_servers, workshop
):
    a, b = two_servers
    asyncio.run(_answer_on_a_watch_on_b(a, b, workshop))


async def _answer_on_a_watch_on_b(a, b, workshop):
    live = f"ws://{b.host}/ws/s/{workshop.code}/live/?key={workshop.projector_key}"
    async with websockets.connect(live, origin=b.url) as projector:
        first = json.loads(await asyncio.wait_for(projector.recv(), 5))
        assert first["respondents"] == 0
        async with httpx.AsyncClient(verify=HTTPX_TLS, base_url=a.url, timeout=5) as phone:
            page = await phone.get(f"/j/{workshop.code}/")
            csrf = phone.cookies["csrftoken"]
            joined = await phone.post(
                f"/j/{workshop.code}/",
                data={"table": "1", "csrfmiddlewaretoken": csrf, "consent": "on"},
                headers={"Referer": a.url + "/"},
                follow_redirects=True,
            )
            assert joined.status_code == 200, page.text
            statement = re.search(r'name="statement" value="(\d+)"', joined.text).group(1)
            saved = await phone.post(
                f"/s/{workshop.code}/answer/",
                data={"statement": statement, "score": "5"},
                headers={"X-CSRFToken": csrf, "HX-Request": "true"},
            )
            assert saved.status_code == 200
            version = int(saved.headers["X-Results-Version"])
        while True:
            snapshot = json.loads(await asyncio.wait_for(projector.recv(), 5))
            if snapshot["version"] >= version:
                break
    assert snapshot["respondents"] == 1
    assert snapshot["elements"][0]["items"][0]["counts"] == [0, 0, 0, 0, 1]
