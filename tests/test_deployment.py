"""The deployment's start commands (docker-compose.yml's app service), run outside Docker."""

import asyncio
import json
import os
import subprocess
import sys

import httpx
import pytest
import websockets
from django.conf import settings

from scentiss.transport import UVICORN_ARGS
from sessions.models import Phase
from sessions.services import workshop_create
from tests.conftest import BASE_DIR, HTTPX_TLS, _database_url, ensure_instrument, free_port

pytestmark = pytest.mark.django_db(transaction=True)


# collectstatic's output is kept between runs, as on a server that is deployed again: the
# command runs in full every time, and compresses only what changed (brotli over plotly.min.js
# is 9 s of CPU the first time).
STATIC_ROOT = BASE_DIR / ".test-static" / "deployment"


def _env() -> dict:
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "false",
        "STATIC_ROOT": str(STATIC_ROOT),
    }


def _manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def test_the_containers_start_commands_serve_the_app_with_two_workers():
    assert settings.REDIS_URL, "two workers share their events through Redis (REDIS_URL)"
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    env = _env()
    _manage(env, "compilemo")
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "collectstatic", "--noinput", "-v0")
    workshop = workshop_create(
        city="Zwolle", date="2026-11-26", tables=2, instrument=ensure_instrument(),
        phase=Phase.SURVEY,
    )  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "scentiss.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "2", "--ws-per-message-deflate", "false",
         "--proxy-headers", "--log-level", "info", *UVICORN_ARGS],
        cwd=BASE_DIR, env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        started = 0
        for line in server.stderr:  # each worker says so when it is ready
            started += "Application startup complete" in line
            if started == 2:
                break
        assert started == 2, "uvicorn did not start two workers"
        statement = workshop.instrument.elements.get(order=1).statements.get(order=1)
        asyncio.run(_serve_a_session(f"127.0.0.1:{port}", workshop, statement.pk))
    finally:
        server.terminate()
        server.wait(timeout=20)


async def _serve_a_session(host: str, workshop, statement_id: int) -> None:
    base = f"http://{host}"
    async with httpx.AsyncClient(verify=HTTPX_TLS, base_url=base, timeout=10) as client:
        assert (await client.get("/healthz")).text == "ok"
        plotly = await client.get(
            "/static/plotly/plotly.min.js", headers={"Accept-Encoding": "gzip"}
        )
        assert plotly.status_code == 200 and plotly.headers.get("content-encoding") == "gzip"
        # Projectors on several connections land on both workers; all follow one answer.
        live = f"ws://{host}/ws/s/{workshop.code}/live/?key={workshop.projector_key}"
        projectors = [await websockets.connect(live, origin=base) for _ in range(4)]
        for p in projectors:
            json.loads(await asyncio.wait_for(p.recv(), 5))
        await client.get(f"/j/{workshop.code}/")
        csrf = client.cookies["csrftoken"]
        joined = await client.post(
            f"/j/{workshop.code}/", data={"csrfmiddlewaretoken": csrf, "consent": "on"},
            headers={"Referer": base + "/"}, follow_redirects=True,
        )  # fmt: skip
        assert joined.status_code == 200
        saved = await client.post(
            f"/s/{workshop.code}/answer/", data={"statement": statement_id, "score": "4"},
            headers={"X-CSRFToken": csrf, "HX-Request": "true"},
        )  # fmt: skip
        version = int(saved.headers["X-Results-Version"])
        for p in projectors:
            while (snapshot := json.loads(await asyncio.wait_for(p.recv(), 5)))[
                "version"
            ] < version:
                pass
            assert snapshot["elements"][0]["score"] == 4.0
            await p.close()
