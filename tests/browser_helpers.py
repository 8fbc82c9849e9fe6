"""Helpers for the browser tests (tests/test_browser.py): Debian's Chromium and a server that
can be restarted on the port it had, so an open page sees its server go away and come back."""

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings

from scentiss.transport import UVICORN_ARGS
from tests.conftest import ARTIFACTS, BASE_DIR, Server, _database_url, free_port

# Playwright cannot download its own browser here; Debian's chromium package is used instead.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "nl-NL",
}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}, "locale": "nl-NL"}


def start_server(
    *, port: int | None = None, extra_env: dict | None = None, timeout: float = 30
) -> Server:
    """tests.conftest.start_server, with an optional fixed port (to restart a server where its
    clients expect it). Returns once uvicorn reports that it listens."""
    port = port or free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": settings.SECRET_KEY,
        **(extra_env or {}),
    }
    # The tests allow the ORM next to sync Playwright (see test_browser.py); the app must not.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "scentiss.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "info",
            "--no-access-log",
            *UVICORN_ARGS,
        ],
        cwd=BASE_DIR,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:  # keeps the pipe drained for the server's whole life
        for line in process.stderr:
            lines.put(line)
            sys.stderr.write(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            raise RuntimeError(f"server exited with {process.wait()}")
        if "Uvicorn running on" in line:
            return Server(url=f"http://127.0.0.1:{port}", process=process)
    process.kill()
    raise RuntimeError("server did not come up")


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    """Save what the page shows as test-artifacts/<name>.png (gitignored), for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
