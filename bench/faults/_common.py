"""Shared pieces of the fault scripts (a server killed, Redis restarted, the database cut): real
uvicorn processes, PostgreSQL database `faults`, an own Redis on port 6391, phones and projectors
as asyncio clients.

Nothing here touches the shared Redis on 6379 or a database other than `faults`; servers use
ports 8301-8309 only. Two people running the scripts at once on one machine give each their own
with FAULTS_DB (database name), FAULTS_REDIS_PORT and FAULTS_PORT_BASE (the first of nine
ports); FAULTS_PG_PORT points at another PostgreSQL. A port that is already taken is refused,
so a script never loads someone else's server for its own.
"""

import asyncio
import contextlib
import functools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import websockets

from scentiss.transport import UVICORN_ARGS

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG_HOST, PG_USER = "127.0.0.1", "postgres"
PG_PORT = int(os.environ.get("FAULTS_PG_PORT", "5432"))
DB_NAME = os.environ.get("FAULTS_DB", "faults")
DB_URL = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}"
REDIS_PORT = int(os.environ.get("FAULTS_REDIS_PORT", "6391"))
if REDIS_PORT == 6379:
    raise SystemExit("FAULTS_REDIS_PORT must not be the shared Redis (6379): a script stops it")
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
SECRET_KEY = "fault-scripts-only-" + "k" * 40
PORT_BASE = int(os.environ.get("FAULTS_PORT_BASE", "8301"))
PORTS = range(PORT_BASE, PORT_BASE + 9)


def port(n: int) -> int:
    """The script's n-th port (1-9): 8301-8309 unless FAULTS_PORT_BASE says otherwise."""
    return PORTS[n - 1]


def port_free(number: int) -> bool:
    with socket.socket() as s:
        # As uvicorn does: connections of an earlier run in TIME_WAIT must not count.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", number))
        except OSError:
            return False
    return True


def claim_port(number: int) -> None:
    """Refuse a port something else listens on: its /healthz would pass for ours."""
    if not port_free(number):
        raise RuntimeError(
            f"port {number} is taken (another server?); set FAULTS_PORT_BASE to use other ports"
        )


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def hard_limit(seconds: int) -> None:
    """Whatever happens, the script ends: SIGALRM raises in the main thread."""

    def expired(signum, frame):
        raise TimeoutError(f"the script ran longer than {seconds} s")

    signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)


# --- PostgreSQL -------------------------------------------------------------------------------


def ensure_database() -> None:
    """Create the database `faults` if it is missing, and migrate it."""
    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
            log(f"created database {DB_NAME}")
    manage("migrate", "--noinput", "-v0")


def manage(*args: str, db_url: str = DB_URL) -> str:
    env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": SECRET_KEY}
    env.pop("REDIS_URL", None)  # management commands need no channel layer
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def db() -> psycopg.Connection:
    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=DB_NAME)


@functools.cache
def tables() -> dict[str, str]:
    """The models' table names (their db_table) for the SQL below, from Django's app registry
    (loaded once in this process; no database is opened for it)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scentiss.settings")
    import django
    from django.apps import apps

    django.setup()
    models = {
        "answer": "survey.Answer",
        "participant": "workshops.Participant",
        "workshop": "workshops.Workshop",
        "statement": "instrument.Statement",
        "element": "instrument.Element",
    }
    return {name: apps.get_model(label)._meta.db_table for name, label in models.items()}


def create_session(*, base_url: str, tables: int = 4) -> dict:
    out = manage(
        "createsession", "--city", "Faultstad", "--tables", str(tables), "--phase", "survey",
        "--json", "--base-url", base_url,
    )  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def statement_ids(code: str) -> list[int]:
    with db() as conn:
        rows = conn.execute(
            """SELECT s.id FROM {statement} s
               JOIN {element} e ON e.id = s.element_id
               JOIN {workshop} w ON w.instrument_id = e.instrument_id
               WHERE w.code = %s ORDER BY e."order", s."order" """.format(**tables()),  # noqa: S608
            [code],
        ).fetchall()
    return [r[0] for r in rows]


def stored_answers(code: str) -> dict[tuple[str, int], int | None]:
    """(participant token, statement id) -> score, as stored."""
    with db() as conn:
        rows = conn.execute(
            """SELECT p.token::text, a.statement_id, a.score FROM {answer} a
               JOIN {participant} p ON p.id = a.participant_id
               JOIN {workshop} w ON w.id = p.workshop_id
               WHERE w.code = %s""".format(**tables()),  # noqa: S608
            [code],
        ).fetchall()
    return {(token, sid): score for token, sid, score in rows}


def results_version(code: str) -> int:
    with db() as conn:
        return conn.execute(
            f"SELECT results_version FROM {tables()['workshop']} WHERE code = %s",  # noqa: S608
            [code],
        ).fetchone()[0]


# --- Redis (our own, on 6391 or FAULTS_REDIS_PORT) ---------------------------------------------


def redis_up() -> bool:
    done = subprocess.run(
        ["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True, text=True, timeout=5
    )
    return done.stdout.strip() == "PONG"


def start_redis() -> None:
    if redis_up():
        return
    subprocess.run(
        ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--daemonize", "yes"],
        check=True, timeout=10, capture_output=True,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while not redis_up():
        if time.monotonic() > deadline:
            raise RuntimeError(f"redis on {REDIS_PORT} did not come up")
        time.sleep(0.05)


def stop_redis() -> None:
    subprocess.run(
        ["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"],
        capture_output=True, timeout=10,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while redis_up():
        if time.monotonic() > deadline:
            raise RuntimeError(f"redis on {REDIS_PORT} did not stop")
        time.sleep(0.05)


# --- servers ------------------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    env: dict
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> "Server":
        assert self.port in PORTS, self.port
        claim_port(self.port)
        self.log_path = Path(f"/tmp/scentiss-fault-{self.port}.log")  # noqa: S108
        env = {
            **os.environ,
            "DATABASE_URL": DB_URL,
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "ERROR",
            **self.env,
        }
        for key in [k for k, v in env.items() if v is None]:
            env.pop(key)
        with self.log_path.open("w") as out:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "uvicorn", "scentiss.asgi:application", "--host", "127.0.0.1",
                 "--port", str(self.port), "--log-level", "warning", "--no-access-log",
                 *UVICORN_ARGS],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server {self.port} exited:\n{self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server {self.port} did not come up")

    def kill(self) -> None:
        """kill -9: no shutdown, no goodbye to its connections."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def errors(self) -> list[str]:
        text = self.log_path.read_text() if self.log_path and self.log_path.exists() else ""
        return [line for line in text.splitlines() if "Error" in line or "Traceback" in line]


# --- phones and projectors ------------------------------------------------------------------------


@dataclass
class Phone:
    """A participant's phone: joins, then taps answers (form POST with the CSRF token, as htmx
    sends it). Its cookies hold for every server process (same host, same SECRET_KEY)."""

    code: str
    client: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=5))
    csrf: str = ""
    token: str = ""

    async def join(self, base: str, table: int | None = None) -> None:
        await self.client.get(f"{base}/j/{self.code}/")
        self.csrf = self.client.cookies["csrftoken"]
        data = {"csrfmiddlewaretoken": self.csrf, "consent": "on"}
        if table:
            data["table"] = str(table)
        response = await self.client.post(
            f"{base}/j/{self.code}/", data=data, headers={"Referer": base + "/"}
        )
        assert response.status_code == 302, (response.status_code, response.text[:300])
        signed = self.client.cookies[f"scentiss_p_{self.code}"].strip('"')
        self.token = signed.split(":", 1)[0]

    async def answer(self, base: str, statement: int, score: str) -> httpx.Response:
        return await self.client.post(
            f"{base}/s/{self.code}/answer/",
            data={"statement": str(statement), "score": score},
            headers={"X-CSRFToken": self.csrf, "HX-Request": "true", "Referer": base + "/"},
        )

    async def close(self) -> None:
        await self.client.aclose()


def projector_backoff() -> tuple[float, float]:
    """The first and the longest wait between reconnects, read from the scripts (the projector
    gives static/js/live.js its longest wait; the first is live.js's default unless it gives
    one too), so the fault scripts test the delays the projectors really use."""
    projector = (ROOT / "static" / "js" / "projector.js").read_text()
    live = (ROOT / "static" / "js" / "live.js").read_text()
    own_first = re.search(r"minDelay: (\d+)", projector)
    first = int(
        own_first.group(1)
        if own_first
        else re.search(r"options.minDelay \|\| (\d+)", live).group(1)
    )
    longest = int(re.search(r"var MAX_DELAY = (\d+);", projector).group(1))
    return first / 1000, longest / 1000


@dataclass
class Projector:
    """The projector page's websocket logic (static/js/projector.js): a full snapshot on every
    (re)connect, only newer versions shown, reconnects backing off as the script does."""

    name: str
    base: str
    code: str
    key: str
    version: int = -1
    shown_at: list[tuple[float, int]] = field(default_factory=list)
    opens: list[float] = field(default_factory=list)
    closes: list[tuple[float, int | None]] = field(default_factory=list)
    task: asyncio.Task | None = None
    stopping: bool = False

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        url = f"ws://{self.base.split('//', 1)[1]}/ws/s/{self.code}/live/?key={self.key}"
        first, longest = projector_backoff()
        delay = first
        while not self.stopping:
            try:
                async with websockets.connect(url, origin=self.base, open_timeout=3) as ws:
                    self.opens.append(time.monotonic())
                    delay = first
                    self.version = -1  # projector.js: a new connection starts from its snapshot
                    async for message in ws:
                        snapshot = json.loads(message)
                        if snapshot["version"] > self.version:
                            self.version = snapshot["version"]
                            self.shown_at.append((time.monotonic(), self.version))
                close_code = ws.close_code
            except (TimeoutError, OSError, websockets.WebSocketException) as error:
                rcvd = getattr(error, "rcvd", None)
                close_code = rcvd.code if rcvd else f"no close frame ({type(error).__name__})"
            self.closes.append((time.monotonic(), close_code))
            if close_code == 4403 or self.stopping:
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, longest)

    def shown_version_since(self, since: float) -> int:
        versions = [v for t, v in self.shown_at if t >= since]
        return max(versions) if versions else -1

    def first_time_at_least(self, version: int, since: float) -> float | None:
        for t, v in self.shown_at:
            if t >= since and v >= version:
                return t
        return None

    async def stop(self) -> None:
        self.stopping = True
        if self.task:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task


def parse_statement_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'name="statement" value="(\d+)"', html)]


# --- the verdict ----------------------------------------------------------------------------


@dataclass
class Report:
    name: str
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    figures: dict = field(default_factory=dict)

    def check(self, label: str, ok: bool, detail: str = "") -> bool:
        self.checks.append((label, bool(ok), detail))
        log(f"{'ok  ' if ok else 'FAIL'} {label}{f' ({detail})' if detail else ''}")
        return ok

    def finish(self) -> int:
        print()
        print(f"=== {self.name} ===")
        for key, value in self.figures.items():
            print(f"  {key}: {value}")
        failed = [c for c in self.checks if not c[1]]
        for label, ok, detail in self.checks:
            print(f"  [{'PASS' if ok else 'FAIL'}] {label}{f' - {detail}' if detail else ''}")
        verdict = "PASS" if self.checks and not failed else "FAIL"
        print(
            f"{verdict}: {self.name} ({len(self.checks) - len(failed)}/{len(self.checks)} checks)"
        )
        return 0 if verdict == "PASS" else 1


def run(main, *, limit: int) -> None:
    """Run `main()` (async, returns a Report) within `limit` seconds; exit 0 on PASS."""
    hard_limit(limit + 30)
    try:
        report = asyncio.run(asyncio.wait_for(main(), timeout=limit))
    except Exception as error:  # a crash or the time limit is a failure, said plainly
        print(f"FAIL: {type(error).__name__}: {error}", flush=True)
        sys.exit(2)
    sys.exit(report.finish())
