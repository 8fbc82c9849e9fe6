"""Load benchmark: phones answering, projectors watching, on the real deployment.

Plays N participants who join (GET then POST /j/<code>/) and answer statement after statement
through POST /s/<code>/answer/, holding their phone websocket (/ws/s/<code>/phone/) open, and
M projectors on live_url, against uvicorn (or daphne) with PostgreSQL and the Redis channel
layer: first one server process, then two (the generator spreads the phones over both ports
and puts a projector of every session on each, so half the answers cross processes).

    .venv/bin/python bench/load.py                  # short: under 3 minutes
    .venv/bin/python bench/load.py --mode full      # the 2-minute sustained stage
    .venv/bin/python bench/load.py --mode conference   # 10,000 phones held (bench/conference.py)
    .venv/bin/python bench/load.py --mode compare   # uvicorn vs daphne, one process, briefly

Writes bench/results/load-<mode>.json and the table in bench/results/README.md. Uses its own
database (bench_load, created and migrated if missing), Redis prefix bench-load and ports
8201-8209; it never flushes Redis. Every loop is bounded by the plan's durations.
"""

import argparse
import asyncio
import bisect
import contextlib
import dataclasses
import hashlib
import itertools
import json
import os
import platform
import random
import re
import resource
import signal
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import websockets
from websockets.asyncio.client import ClientConnection, connect

from bench import fixtures, leanhttp, report
from bench.firstload import first_load
from bench.floor import FLOOR_PORT, run_floor
from bench.servers import (
    BASE_DIR,
    PORTS,
    ServerProcess,
    cpu_by_command,
    machine_cpu,
    port_free,
    proc_cpu_seconds,
    pyspy_command,
    start_server,
    stop_all,
)
from bench.stats import summary_ms

RESULTS = BASE_DIR / "bench" / "results"
APP_PORTS = (PORTS[0], PORTS[1])  # 8201, 8202 (+ BENCH_PORT_OFFSET)
FIRST_LOAD_PORT = PORTS[7]  # 8208
# Every in-flight request holds a thread and a PostgreSQL connection of its own in the server
# (the app has no connection pool), and the shared PostgreSQL allows 100 connections in all:
# like a proxy's upstream pool, the generator keeps at most this many requests open per
# server process and queues the rest, the queueing counted in the latency.
CONNECTIONS_PER_SERVER = 24
REQUEST_TIMEOUT = 30.0
DONT_KNOW_SHARE = 0.08
SCORE_WEIGHTS = (0.08, 0.17, 0.30, 0.30, 0.15)
CHANGE_SHARE = 0.05  # taps that change an earlier answer
RECONNECT_DELAY = 0.5  # projector.js backs off from 0.5 s
QUIET_SECONDS = 7.0  # longer than channels-redis's 5 s blocking read
SETTLE_SECONDS = 30.0  # at most this long for the previous phase's taps before the next
WS_ERROR = websockets.WebSocketException
VERSION_RE = re.compile(r'"version":\s*(\d+)')


@dataclass(frozen=True)
class Phase:
    label: str
    rate: float  # offered answers per second (Poisson arrivals)
    seconds: float
    # How the phones send their taps: "ws" over the phone's websocket (acknowledged there),
    # "http" by the answer POST (the fallback). Phases that differ only in this are compared
    # side by side, in the same run.
    transport: str = "http"


def both(label: str, rate: float, seconds: float) -> tuple[Phase, Phase]:
    """The same phase over the websocket, then by HTTP (same run, same phones)."""
    return (Phase(label, rate, seconds, "ws"), Phase(label, rate, seconds, "http"))


@dataclass(frozen=True)
class Stage:
    name: str
    processes: int
    sessions: tuple[int, ...]  # participants per session
    phases: tuple[Phase, ...]
    drain_seconds: float = 20.0
    # Each phone joins and opens its websocket at once, as a real one does; otherwise all
    # join first and then all connect, which isolates the memory the websockets take.
    pipelined: bool = False
    connect_deadline: float | None = None  # stop joining after this long (short mode)
    quiet_check: bool = True


@dataclass(frozen=True)
class Options:
    server: str = "uvicorn"
    seed: int = 1
    ws_deflate: bool = False  # as deployed (make run, docker-compose)
    app_dir: Path = BASE_DIR  # another checkout, to measure a proposed change side by side
    extra_env: tuple[tuple[str, str], ...] = ()
    profile_phase: str = ""  # py-spy records every server during the phase of this label
    profile_dir: Path = RESULTS
    profile_prefix: str = "profile"
    # Each joining phone then fetches every element's page to keep (static/js/pages.js does
    # once the survey has loaded); counted in the joining's CPU, not in its latency.
    offline_pages: bool = False


# py-spy records the joining (--profile-phase join) for this long: within the joins of 2,000
# phones at the rates measured (60-150/s).
PROFILE_JOIN_SECONDS = 12
ROOM = 300  # a room of 300 scanning the QR code at once (the join target: in within 3 s)


def conference_mix(total: int, big: int, small: int) -> tuple[int, ...]:
    """One conference-sized session of `big` phones plus sessions of `small` up to `total`."""
    rest = total - big
    return (big, *([small] * (rest // small)))


PLANS: dict[str, tuple[Stage, ...]] = {
    "short": (
        Stage(
            "one process",
            1,
            conference_mix(200, 100, 25),
            both("1p 200/s", 200, 8),
            drain_seconds=5,
            quiet_check=False,
        ),
        Stage(
            "two processes",
            2,
            conference_mix(2000, 1000, 40),
            (
                *both("2p 200/s", 200, 8),
                *both("2p 300/s", 300, 8),
                *both("2p 500/s burst", 500, 5),
            ),
            drain_seconds=8,
            pipelined=True,
            # The whole short run must stay under about 3 minutes, joining included.
            connect_deadline=70,
        ),
    ),
    "full": (
        Stage(
            "one process",
            1,
            conference_mix(1000, 500, 40),
            (*both("1p 200/s", 200, 20), *both("1p 300/s", 300, 20)),
        ),
        Stage(
            "two processes",
            2,
            conference_mix(2000, 1000, 40),
            (
                *both("2p 200/s", 200, 30),
                *both("2p 300/s", 300, 60),
                Phase("2p 500/s burst", 500, 10, "ws"),
                Phase("2p 300/s between bursts", 300, 10, "ws"),
                Phase("2p 500/s burst", 500, 10, "ws"),
                Phase("2p 500/s burst", 500, 10, "http"),
                Phase("2p 300/s between bursts", 300, 10, "http"),
                Phase("2p 500/s burst", 500, 10, "http"),
            ),
            drain_seconds=30,
            pipelined=True,
        ),
    ),
    # For comparing a change with the app as it is: two processes only, half the phones.
    "dev": (
        Stage(
            "two processes",
            2,
            conference_mix(1000, 500, 40),
            (*both("2p 200/s", 200, 10), *both("2p 300/s", 300, 10)),
            drain_seconds=10,
            pipelined=True,
        ),
    ),
    # The snapshot interval's trade-off (--env RESULTS_BROADCAST_INTERVAL=...): 600 phones on
    # two processes at 200 taps/s, over the websocket and by HTTP.
    "interval": (
        Stage(
            "two processes",
            2,
            conference_mix(600, 300, 30),
            both("2p 200/s", 200, 8),
            drain_seconds=8,
            pipelined=True,
            quiet_check=False,
        ),
    ),
    # The projector's latency alone, as `short`'s first two-process phases play it (2,000
    # phones, 26 sessions, 200 taps/s by websocket then by HTTP), without the 300/s and 500/s
    # phases: about a minute. For comparing the snapshot path's changes back to back.
    "projector": (
        Stage(
            "two processes",
            2,
            conference_mix(2000, 1000, 40),
            both("2p 200/s", 200, 8),
            drain_seconds=8,
            pipelined=True,
            connect_deadline=70,
            quiet_check=False,
        ),
    ),
    # Joins alone, as `short`'s two-process stage joins (each phone: join page, POST, first
    # survey page, its websocket, 48 at a time per process), without the answering: about 30 s,
    # no floor, no first load. `--profile-phase join` records every server with py-spy while
    # the phones join.
    "joins": (
        Stage(
            "two processes",
            2,
            conference_mix(2000, 1000, 40),
            (),
            drain_seconds=1,
            pipelined=True,
            connect_deadline=70,
            quiet_check=False,
        ),
    ),
    # A quick check of the harness itself, not a measurement.
    "smoke": (
        Stage("one process", 1, (40, 20), both("1p 20/s", 20, 4), drain_seconds=5),
        Stage(
            "two processes",
            2,
            (60, 20, 20),
            both("2p 30/s", 30, 4),
            drain_seconds=5,
            pipelined=True,
        ),
    ),
    # Memory per idle websocket: 1,000 phones on one process, no answering.
    "wsmem": (Stage("one process", 1, (500, 500), (), drain_seconds=1, quiet_check=False),),
    # uvicorn against daphne: the same one-process stage on each.
    "compare": (
        Stage(
            "one process",
            1,
            conference_mix(300, 150, 30),
            (Phase("1p 100/s", 100, 20),),
            drain_seconds=10,
            quiet_check=False,
        ),
    ),
}


# --- the generator's model of a phone ------------------------------------------------------


@dataclass
class Attempt:
    token: str
    statement: int
    score: int | None
    acked: bool


@dataclass
class Phone:
    index: int
    session: fixtures.SessionInfo
    port: int
    rng: random.Random
    csrf: str = ""
    cookie_name: str = ""
    cookie_value: str = ""
    token: str = ""
    position: int = 0  # index into session.statements of the next new answer
    page: int = 0  # the survey page (element number) last loaded
    answered: dict[int, int | None] = field(default_factory=dict)
    tainted: bool = False  # a request of unknown outcome: stop, like a phone that lost signal
    ws: ClientConnection | None = None
    ws_open: bool = False
    # The tap on its way over the websocket: its client id and the reply's future.
    tap_id: str = ""
    tap_reply: asyncio.Future | None = None
    taps: int = 0

    @property
    def cookie(self) -> str:
        return f"csrftoken={self.csrf}; {self.cookie_name}={self.cookie_value}"

    @property
    def has_work(self) -> bool:
        return not self.tainted and (
            self.position < len(self.session.statements) or bool(self.answered)
        )

    def next_answer(self) -> tuple[int, int | None, int]:
        """(statement, score, element) of the next tap: mostly the next statement in order,
        sometimes a change of an earlier answer (which must then differ)."""
        rng = self.rng
        change = self.answered and (
            self.position >= len(self.session.statements) or rng.random() < CHANGE_SHARE
        )
        if change:
            statement = rng.choice(list(self.answered))
            element = dict(self.session.statements)[statement]
            old = self.answered[statement]
            score = old
            while score == old:
                score = draw_score(rng)
            return statement, score, element
        statement, element = self.session.statements[self.position]
        self.position += 1
        return statement, draw_score(rng), element


def draw_score(rng: random.Random) -> int | None:
    if rng.random() < DONT_KNOW_SHARE:
        return None
    return rng.choices((1, 2, 3, 4, 5), weights=SCORE_WEIGHTS)[0]


@dataclass
class Projector:
    session: str
    key: str
    port: int
    reconnects: int = 0
    versions: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    closed_early: bool = False


@dataclass
class Ack:
    phase: str
    session: str
    port: int
    version: int
    t_ack: float


@dataclass
class PhaseRecord:
    phase: Phase
    started: float = 0.0
    ended: float = 0.0
    scheduled: int = 0
    sent: int = 0
    acked: int = 0
    starved: int = 0  # arrivals with no idle phone: the offered rate was not reached
    save_latency: list[float] = field(default_factory=list)
    sched_latency: list[float] = field(default_factory=list)
    page_latency: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    acks: list[Ack] = field(default_factory=list)
    fallbacks: int = 0  # ws taps sent by HTTP because the phone's socket was not open


class Http:
    """One keep-alive pool per server process, used without a cookie jar: every phone sends
    its own cookies, as a browser does. The lean client (bench/leanhttp.py) keeps the
    generator's CPU per request low: it shares the cores with the servers it measures."""

    def __init__(self, ports: tuple[int, ...]) -> None:
        self.pools = {port: leanhttp.Pool(port, CONNECTIONS_PER_SERVER) for port in ports}

    async def request(
        self,
        port: int,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
    ) -> leanhttp.Response:
        return await self.pools[port].request(
            method,
            path,
            headers={"Accept-Language": "nl", **(headers or {})},
            form=form,
            timeout=REQUEST_TIMEOUT,
        )

    async def close(self) -> None:
        for pool in self.pools.values():
            pool.close()


def set_cookies(response: leanhttp.Response) -> dict[str, str]:
    cookies = {}
    for header in response.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return cookies


# --- sampling --------------------------------------------------------------------------------


@dataclass
class Sample:
    t: float
    servers: dict[int, tuple[int, float]]  # port -> (rss KiB, cpu s)
    machine: tuple[float, float]
    services: dict[str, float]  # CPU seconds of PostgreSQL and Redis (all their users)
    generator_cpu: float
    loop_lag: float


class Sampler:
    """Once a second: each server's RSS and CPU, the machine's CPU, and the generator's own CPU
    and event-loop lag (a generator that falls behind would inflate every latency)."""

    def __init__(self, servers: list[ServerProcess]) -> None:
        self.servers = servers
        self.samples: list[Sample] = []
        self._task: asyncio.Task | None = None
        self._stop = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self._stop = True
        if self._task:
            await self._task

    def take(self, lag: float = 0.0) -> Sample:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        sample = Sample(
            t=time.monotonic(),
            servers={s.port: (s.rss_kib(), s.cpu_seconds()) for s in self.servers},
            machine=machine_cpu(),
            services=cpu_by_command(),
            generator_cpu=usage.ru_utime + usage.ru_stime,
            loop_lag=lag,
        )
        self.samples.append(sample)
        return sample

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stop:
            due = loop.time() + 1.0
            await asyncio.sleep(1.0)
            self.take(max(0.0, loop.time() - due))

    def window(self, start: float, end: float) -> dict:
        inside = [s for s in self.samples if start <= s.t <= end]
        before = [s for s in self.samples if s.t <= start]
        first = before[-1] if before else (inside[0] if inside else None)
        last = inside[-1] if inside else None
        if first is None or last is None or last.t <= first.t:
            return {}
        span = last.t - first.t
        busy = (last.machine[0] - first.machine[0]) / max(1, last.machine[1] - first.machine[1])
        ncpu = os.cpu_count() or 1
        servers = sum(last.servers[p][1] - first.servers[p][1] for p in last.servers)
        services = {k: last.services[k] - first.services[k] for k in last.services}
        generator = last.generator_cpu - first.generator_cpu
        # What the rest of the machine (other jobs) took: the benchmark does not own it.
        others = busy * ncpu * span - servers - sum(services.values()) - generator
        return {
            "server_cpu_percent": {
                str(port): round(100 * (last.servers[port][1] - first.servers[port][1]) / span)
                for port in last.servers
                if port in first.servers
            },
            "server_rss_max_mib": {
                str(port): round(
                    max(s.servers[port][0] for s in inside if port in s.servers) / 1024
                )
                for port in last.servers
            },
            "machine_busy_percent": round(100 * busy),
            "generator_cpu_percent": round(100 * generator / span),
            "postgres_cpu_percent": round(100 * services["postgres"] / span),
            "redis_cpu_percent": round(100 * services["redis-server"] / span),
            "other_processes_cpu_percent": max(0, round(100 * others / span)),
            "generator_loop_lag_max_ms": round(1000 * max(s.loop_lag for s in inside), 1),
        }


# --- a stage ---------------------------------------------------------------------------------


class StageRun:
    def __init__(self, stage: Stage, servers: list[ServerProcess], options: Options) -> None:
        self.stage = stage
        self.options = options
        self.profiles: list[str] = []
        self.servers = servers
        self.ports = tuple(s.port for s in servers)
        self.http = Http(self.ports)
        self.rng = random.Random(options.seed)
        self.sessions: list[fixtures.SessionInfo] = []
        self.phones: list[Phone] = []
        self.projectors: list[Projector] = []
        self.attempts: list[Attempt] = []
        self.join_latency: list[float] = []
        self.joined_at: list[float] = []  # monotonic time each join completed
        self.join_errors: Counter = Counter()
        self.ws_errors: Counter = Counter()
        self.tasks: set[asyncio.Task] = set()  # websocket readers
        self.answer_tasks: set[asyncio.Task] = set()
        self.idle: list[Phone] = []
        self.idle_event = asyncio.Event()
        self.records: list[PhaseRecord] = []
        self.sampler = Sampler(servers)
        self.phone_ws_open = 0
        self.phone_ws_min_during_load: int | None = None
        self.phone_messages = 0
        self.phone_ws_closed_at: list[float] = []
        self.ack_times: list[float] = []
        self.projector_closed_at: list[float] = []
        self.closing = False
        self.result: dict = {}

    # joining

    async def join(self, phone: Phone) -> None:
        code = phone.session.code
        started = time.monotonic()
        try:
            page = await self.http.request(phone.port, "GET", f"/j/{code}/")
            if page.status_code != 200:
                self.join_errors[f"join page {page.status_code}"] += 1
                phone.tainted = True
                return
            phone.csrf = set_cookies(page)["csrftoken"]
            table = phone.rng.choice(["", *map(str, range(1, phone.session.tables + 1))])
            joined = await self.http.request(
                phone.port,
                "POST",
                f"/j/{code}/",
                headers={
                    "Cookie": f"csrftoken={phone.csrf}",
                    "Origin": f"http://127.0.0.1:{phone.port}",
                },
                form={
                    "csrfmiddlewaretoken": phone.csrf,
                    "table": table,
                    "role": "",
                    "consent": "on",
                },
            )
            cookies = set_cookies(joined)
            phone.cookie_name = f"scentiss_p_{code}"
            if joined.status_code != 302 or phone.cookie_name not in cookies:
                self.join_errors[f"join {joined.status_code}"] += 1
                phone.tainted = True
                return
            phone.cookie_value = cookies[phone.cookie_name]
            phone.token = phone.cookie_value.split(":", 1)[0]
            # The browser follows the redirect to the first survey page.
            first = await self.http.request(
                phone.port, "GET", joined.headers["location"], headers={"Cookie": phone.cookie}
            )
            if first.status_code != 200:
                self.join_errors[f"first page {first.status_code}"] += 1
            else:
                phone.page = 1
            self.join_latency.append(time.monotonic() - started)
            self.joined_at.append(time.monotonic())
        except (TimeoutError, OSError, ValueError, EOFError) as error:
            self.join_errors[f"join {type(error).__name__}"] += 1
            phone.tainted = True

    async def fetch_offline_pages(self, phone: Phone) -> None:
        """What pages.js fetches once the survey has loaded: every element's page."""
        if phone.tainted or not phone.token:
            return
        try:
            pages = await self.http.request(
                phone.port,
                "GET",
                f"/s/{phone.session.code}/survey/offline/",
                headers={"Cookie": phone.cookie, "X-Requested-With": "fetch"},
            )
            if pages.status_code != 200:
                self.join_errors[f"offline pages {pages.status_code}"] += 1
        except (TimeoutError, OSError, ValueError, EOFError) as error:
            self.join_errors[f"offline pages {type(error).__name__}"] += 1

    async def _connect_phone(self, phone: Phone) -> ClientConnection:
        return await connect(
            f"ws://127.0.0.1:{phone.port}/ws/s/{phone.session.code}/phone/",
            origin=f"http://127.0.0.1:{phone.port}",
            additional_headers={"Cookie": phone.cookie},
            proxy=None,
            open_timeout=30,
        )

    async def _connect_projector(self, projector: Projector) -> ClientConnection:
        return await connect(
            f"ws://127.0.0.1:{projector.port}/ws/s/{projector.session}/live/?key={projector.key}",
            origin=f"http://127.0.0.1:{projector.port}",
            proxy=None,
            max_size=None,
            open_timeout=30,
        )

    async def open_phone_ws(self, phone: Phone) -> None:
        if phone.tainted:
            return
        try:
            phone.ws = await self._connect_phone(phone)
        except (OSError, TimeoutError, websockets.WebSocketException) as error:
            self.ws_errors[f"phone ws {type(error).__name__}"] += 1
            return
        self._spawn(self._phone_reader(phone))

    async def _phone_reader(self, phone: Phone) -> None:
        """Drain the phone's websocket; when the server closes it, reconnect as the page does
        (after 0.5 s), counting the close."""
        while phone.ws is not None:
            self.phone_ws_open += 1
            phone.ws_open = True
            try:
                async for raw in phone.ws:
                    self.phone_messages += 1
                    if raw[:9] == '{"type": ' and phone.tap_reply is not None:
                        reply = json.loads(raw)
                        if reply.get("id") == phone.tap_id and not phone.tap_reply.done():
                            phone.tap_reply.set_result((time.monotonic(), reply))
            except websockets.ConnectionClosed:
                pass
            finally:
                self.phone_ws_open -= 1
                phone.ws_open = False
                if phone.tap_reply is not None and not phone.tap_reply.done():
                    phone.tap_reply.set_exception(ConnectionError("phone socket closed"))
            if self.closing:
                return
            self.phone_ws_closed_at.append(time.monotonic())
            await asyncio.sleep(RECONNECT_DELAY)
            try:
                phone.ws = await self._connect_phone(phone)
            except (OSError, TimeoutError, websockets.WebSocketException) as error:
                self.ws_errors[f"phone ws reconnect {type(error).__name__}"] += 1
                return

    async def open_projector(self, session: fixtures.SessionInfo, port: int) -> None:
        projector = Projector(session=session.code, key=session.projector_key, port=port)
        try:
            ws = await self._connect_projector(projector)
        except (OSError, TimeoutError, websockets.WebSocketException) as error:
            self.ws_errors[f"projector ws {type(error).__name__}"] += 1
            return
        self.projectors.append(projector)
        self._spawn(self._projector_reader(projector, ws))

    async def _projector_reader(self, projector: Projector, ws: ClientConnection) -> None:
        """Record every snapshot's version and arrival; reconnect like projector.js if the
        server closes the socket (the snapshot on reconnect carries the current version)."""
        while True:
            self.projector_ws.append(ws)
            try:
                async for raw in ws:
                    now = time.monotonic()
                    # The top-level "version" comes before "elements", the only nesting.
                    text = raw if isinstance(raw, str) else raw.decode()
                    match = VERSION_RE.search(text[:400])
                    version = int(match.group(1)) if match else json.loads(text)["version"]
                    if not projector.versions or version > projector.versions[-1]:
                        projector.versions.append(version)
                        projector.times.append(now)
            except websockets.ConnectionClosed:
                pass
            if self.closing:
                return
            projector.reconnects += 1
            self.projector_closed_at.append(time.monotonic())
            await asyncio.sleep(RECONNECT_DELAY)
            try:
                ws = await self._connect_projector(projector)
            except (OSError, TimeoutError, websockets.WebSocketException) as error:
                self.ws_errors[f"projector ws reconnect {type(error).__name__}"] += 1
                projector.closed_early = True
                return

    # answering

    def _spawn(self, coro: object, tasks: set[asyncio.Task] | None = None) -> None:
        tasks = self.tasks if tasks is None else tasks
        task = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    def _release(self, phone: Phone) -> None:
        if phone.has_work:
            self.idle.append(phone)
            self.idle_event.set()

    async def answer(self, phone: Phone, record: PhaseRecord, scheduled: float) -> None:
        statement, score, element = phone.next_answer()
        code = phone.session.code
        headers = {
            "Cookie": phone.cookie,
            "X-CSRFToken": phone.csrf,
            "HX-Request": "true",
            "Origin": f"http://127.0.0.1:{phone.port}",
        }
        attempt = Attempt(phone.token, statement, score, acked=False)
        self.attempts.append(attempt)
        try:
            if element != phone.page:
                # A phone loads each element's page before tapping its first statement.
                t = time.monotonic()
                page = await self.http.request(
                    phone.port, "GET", f"/s/{code}/survey/{element}/", headers=headers
                )
                if page.status_code != 200:
                    record.errors[f"page {page.status_code}"] += 1
                else:
                    record.page_latency.append(time.monotonic() - t)
                    phone.page = element
            sent = time.monotonic()
            record.sent += 1
            form = {"statement": str(statement), "score": "dk" if score is None else str(score)}
            if record.phase.transport == "ws" and phone.ws_open and phone.ws is not None:
                t_ack, version, status = await self._tap_over_ws(phone, form)
            else:
                if record.phase.transport == "ws":
                    record.fallbacks += 1  # as the page does: the socket is down, so HTTP
                t_ack, version, status = await self._tap_over_http(phone, form, headers)
        except (TimeoutError, OSError, ValueError, EOFError, WS_ERROR) as error:
            record.errors[f"answer {type(error).__name__}"] += 1
            phone.tainted = True
            return
        except asyncio.CancelledError:
            record.errors["answer cancelled at drain deadline"] += 1
            phone.tainted = True
            raise
        if status != 200 or version is None:
            record.errors[f"answer {status}"] += 1
            phone.tainted = True  # its outcome is known (not stored) but keep the rule simple
            return
        attempt.acked = True
        phone.answered[statement] = score
        record.acked += 1
        self.ack_times.append(t_ack)
        record.save_latency.append(t_ack - sent)
        record.sched_latency.append(t_ack - scheduled)
        record.acks.append(Ack(record.phase.label, code, phone.port, version, t_ack))
        self._release(phone)

    async def _tap_over_http(
        self, phone: Phone, form: dict[str, str], headers: dict[str, str]
    ) -> tuple[float, int | None, int]:
        code = phone.session.code
        response = await self.http.request(
            phone.port, "POST", f"/s/{code}/answer/", headers=headers, form=form
        )
        t_ack = time.monotonic()
        version = response.headers.get("x-results-version")
        return t_ack, int(version) if version else None, response.status_code

    async def _tap_over_ws(
        self, phone: Phone, form: dict[str, str]
    ) -> tuple[float, int | None, int]:
        """One tap as the page sends it over the phone's websocket, and its acknowledgement
        (matched by the tap's client id) on the same socket."""
        phone.taps += 1
        phone.tap_id = f"{phone.index}-{phone.taps}"
        phone.tap_reply = asyncio.get_running_loop().create_future()
        message = {
            "type": "answer",
            "id": phone.tap_id,
            "statement": int(form["statement"]),
            "score": form["score"],
        }
        try:
            await phone.ws.send(json.dumps(message))
            async with asyncio.timeout(REQUEST_TIMEOUT):
                t_ack, reply = await phone.tap_reply
        except ConnectionError as error:
            raise OSError(str(error)) from error
        finally:
            phone.tap_reply = None
        if reply["type"] != "ack":
            return t_ack, None, int(reply.get("status") or 0)
        return t_ack, int(reply["version"]), 200

    async def _profile(self, server: ServerProcess, seconds: float, out: Path) -> None:
        if await record_profile(server, seconds, out):
            self.profiles.append(str(out))

    async def _answer_task(self, phone: Phone, record: PhaseRecord, scheduled: float) -> None:
        # Cancelled at the drain deadline: counted in answer(), nothing left to do.
        with contextlib.suppress(asyncio.CancelledError):
            await self.answer(phone, record, scheduled)

    async def drive(self, phase: Phase) -> PhaseRecord:
        """Poisson arrivals at the phase's rate; each goes to a random idle phone (a phone has
        at most one tap in flight, so the last acknowledged value per statement is the one
        the database must hold)."""
        # The previous phase's taps still on their way (an overloaded server queues them) finish
        # first, bounded, so that each transport is measured on its own.
        pending = [t for t in self.answer_tasks if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=SETTLE_SECONDS)
        record = PhaseRecord(phase)
        self.records.append(record)
        loop = asyncio.get_running_loop()
        record.started = time.monotonic()
        if self.options.profile_phase in (phase.label, f"{phase.label} {phase.transport}"):
            slug = re.sub(r"[^a-z0-9]+", "-", f"{phase.label} {phase.transport}".lower()).strip("-")
            for server in self.servers:
                out = self.options.profile_dir / (
                    f"{self.options.profile_prefix}-{slug}-{server.port}.txt"
                )
                self._spawn(self._profile(server, phase.seconds, out), self.answer_tasks)
        start = loop.time()
        end = start + phase.seconds
        due = start
        while True:
            due += self.rng.expovariate(phase.rate)
            if due >= end:
                break
            delay = due - loop.time()
            if delay > 0.0005:
                await asyncio.sleep(delay)
            record.scheduled += 1
            if not self.idle:
                record.starved += 1
                continue
            i = self.rng.randrange(len(self.idle))
            phone = self.idle[i]
            self.idle[i] = self.idle[-1]
            self.idle.pop()
            scheduled = time.monotonic() - max(0.0, loop.time() - due)
            self._spawn(self._answer_task(phone, record, scheduled), self.answer_tasks)
            if self.phone_ws_min_during_load is None or self.phone_ws_open < (
                self.phone_ws_min_during_load
            ):
                self.phone_ws_min_during_load = self.phone_ws_open
        await asyncio.sleep(max(0.0, end - loop.time()))
        record.ended = time.monotonic()
        return record

    async def run(self) -> dict:
        stage = self.stage
        self.projector_ws: list[ClientConnection] = []
        self.sampler.start()
        self.sampler.take()
        t0 = time.monotonic()
        index = 0
        for session in self.sessions:
            for _ in range(session.participants):
                port = self.ports[index % len(self.ports)]
                self.phones.append(
                    Phone(index, session, port, random.Random(self.rng.getrandbits(32)))
                )
                index += 1
        # Projectors first: they then see every join as a new version too.
        for session in self.sessions:
            for port in self.ports:
                await self.open_projector(session, port)
        join_started = time.monotonic()
        cpu_before = {s.port: proc_cpu_seconds(s.pid) for s in self.servers}
        if self.options.profile_phase == "join":
            for server in self.servers:
                out = self.options.profile_dir / (
                    f"{self.options.profile_prefix}-join-{server.port}.txt"
                )
                self._spawn(self._profile(server, PROFILE_JOIN_SECONDS, out), self.answer_tasks)
        limit = CONNECTIONS_PER_SERVER * len(self.ports)
        deadline_hit = False
        if stage.pipelined:
            rss_before_ws = {s.port: s.rss_kib() for s in self.servers}

            async def join_and_connect(phone: Phone) -> None:
                await self.join(phone)
                await self.open_phone_ws(phone)
                if self.options.offline_pages:
                    await self.fetch_offline_pages(phone)

            try:
                async with asyncio.timeout(stage.connect_deadline):
                    await bounded_gather([join_and_connect(p) for p in self.phones], limit)
            except TimeoutError:
                deadline_hit = True
            join_seconds = ws_seconds = time.monotonic() - join_started
        else:
            await bounded_gather([self.join(p) for p in self.phones], limit)
            join_seconds = time.monotonic() - join_started
            rss_before_ws = {s.port: s.rss_kib() for s in self.servers}
            ws_started = time.monotonic()
            await bounded_gather([self.open_phone_ws(p) for p in self.phones], limit=64)
            ws_seconds = time.monotonic() - ws_started
        join_ended = time.monotonic()
        join_cpu = sum(proc_cpu_seconds(s.pid) - cpu_before[s.port] for s in self.servers)
        await asyncio.sleep(2)  # let the servers settle before reading memory
        await asyncio.to_thread(fixtures.analyze, joined_only=True)
        rss_after_ws = {s.port: s.rss_kib() for s in self.servers}
        ws_per_port = Counter(p.port for p in self.phones if p.ws is not None)
        # A phone whose join did not finish (deadline) is not in the room.
        self.idle = [p for p in self.phones if p.token and p.has_work]
        self.rng.shuffle(self.idle)
        for number, phase in enumerate(stage.phases):
            await self.drive(phase)
            if number == 0:
                # The tallies exist now: their statistics too, as autovacuum would have them a
                # minute into the answering (before, the snapshot was planned for none).
                await asyncio.to_thread(fixtures.analyze)
        load_started = self.records[0].started if self.records else time.monotonic()
        load_ended = time.monotonic()
        connected_after_load = self.phone_ws_open
        drain_started = time.monotonic()
        pending = [t for t in self.answer_tasks if not t.done()]
        if pending:
            _done, still = await asyncio.wait(pending, timeout=stage.drain_seconds)
            for task in still:
                task.cancel()
            if still:
                await asyncio.wait(still, timeout=5)
        drain_seconds = time.monotonic() - drain_started
        await asyncio.sleep(2)  # the last coalesced snapshots
        self.sampler.take()
        # Quiet, as a room is during a discussion: every websocket should stay open.
        quiet_seconds = QUIET_SECONDS if stage.quiet_check else 0.0
        quiet_started = time.monotonic()
        quiet_open = self.phone_ws_open
        await asyncio.sleep(quiet_seconds)
        quiet = {
            "seconds": quiet_seconds,
            "phone_ws_open_before": quiet_open,
            "phone_ws_closed_by_server": sum(
                1 for t in self.phone_ws_closed_at if t >= quiet_started
            ),
            "projectors": len(self.projectors),
            "projectors_closed_by_server": sum(
                1 for t in self.projector_closed_at if t >= quiet_started
            ),
        }
        self.closing = True
        await bounded_gather([p.ws.close() for p in self.phones if p.ws is not None], limit=200)
        for ws in self.projector_ws:
            await ws.close()
        await self.http.close()
        await self.sampler.stop()
        self.result = {
            "name": stage.name,
            "processes": stage.processes,
            "server": self.servers[0].kind,
            "sessions": list(stage.sessions),
            "participants": len(self.phones),
            "projectors": len(self.projectors),
            "join": {
                "pipelined_with_websocket": stage.pipelined,
                "deadline_hit": deadline_hit,
                "seconds": round(join_seconds, 1),
                "joined": sum(1 for p in self.phones if p.token),
                "rate_per_s": round(sum(1 for p in self.phones if p.token) / join_seconds, 1),
                "latency": summary_ms(self.join_latency),
                # A room scanning the QR code at once: how long until its first 300 phones
                # were in (first survey page shown), the phones arriving as fast as the
                # generator's connections allow.
                "first_300_in_s": (
                    round(sorted(self.joined_at)[ROOM - 1] - join_started, 2)
                    if len(self.joined_at) >= ROOM
                    else None
                ),
                "errors": dict(self.join_errors),
                # Server CPU over the joining (with the phones' websockets opening, when
                # pipelined) per phone joined: the join page, the POST, the first survey page.
                "resources": (join_resources := self.sampler.window(join_started, join_ended)),
                "server_cpu_ms_per_join": round(
                    10
                    * sum(join_resources.get("server_cpu_percent", {}).values())
                    * (join_ended - join_started)
                    / max(1, sum(1 for p in self.phones if p.token)),
                    1,
                )
                if join_resources
                else None,
                # The same from the servers' own CPU clocks (/proc: user + system, to the
                # 10 ms tick) read at the start and the end of the joining; the figure above
                # is from the sampler's whole percentages.
                "server_cpu_ms_per_join_exact": round(
                    1000 * join_cpu / max(1, sum(1 for p in self.phones if p.token)), 1
                ),
            },
            "phone_ws": {
                "opened": sum(ws_per_port.values()),
                "per_process": {str(k): v for k, v in ws_per_port.items()},
                "open_seconds": round(ws_seconds, 1),
                "min_open_during_load": self.phone_ws_min_during_load,
                "open_after_load": connected_after_load,
                "closed_by_server_during_load": sum(
                    1 for t in self.phone_ws_closed_at if load_started <= t <= load_ended
                ),
                "closed_by_server_in_all": len(self.phone_ws_closed_at),
                "messages_received": self.phone_messages,
                "rss_before_mib": {str(k): round(v / 1024) for k, v in rss_before_ws.items()},
                "rss_after_mib": {str(k): round(v / 1024) for k, v in rss_after_ws.items()},
                "kib_per_connection": {
                    str(port): round(
                        (rss_after_ws[port] - rss_before_ws[port]) / ws_per_port[port], 1
                    )
                    for port in self.ports
                    if ws_per_port[port]
                },
            },
            "ws_errors": dict(self.ws_errors),
            "projectors_closed_by_server_during_load": sum(
                1 for t in self.projector_closed_at if load_started <= t <= load_ended
            ),
            "projectors_closed_by_server_in_all": len(self.projector_closed_at),
            "reconnect_delay_s": RECONNECT_DELAY,
            "server_logs": [str(s.log_path) for s in self.servers],
            "server_log_errors": {
                str(s.port): s.log_path.read_text().count("Traceback") for s in self.servers
            },
            "quiet": quiet,
            "phases": [self.phase_result(r) for r in self.records],
            "drain_seconds": round(drain_seconds, 1),
            "seconds": round(time.monotonic() - t0, 1),
        }
        return self.result

    def projector_latencies(self, acks: list[Ack]) -> tuple[list[float], list[float], int]:
        """(same-process, cross-process) delays from each acknowledgement to each of its
        session's projectors' first message holding that version, and how many never came."""
        by_session: dict[str, list[Projector]] = defaultdict(list)
        for projector in self.projectors:
            by_session[projector.session].append(projector)
        same: list[float] = []
        cross: list[float] = []
        missing = 0
        for ack in acks:
            for projector in by_session[ack.session]:
                i = bisect.bisect_left(projector.versions, ack.version)
                if i == len(projector.versions):
                    missing += 1
                    continue
                # A snapshot that arrived before the HTTP response counts as immediate.
                delay = max(0.0, projector.times[i] - ack.t_ack)
                (same if projector.port == ack.port else cross).append(delay)
        return same, cross, missing

    def phase_result(self, record: PhaseRecord) -> dict:
        same, cross, missing = self.projector_latencies(record.acks)
        seconds = record.ended - record.started
        resources = self.sampler.window(record.started, record.ended)
        done = sum(1 for t in self.ack_times if record.started <= t < record.ended)
        return {
            "label": record.phase.label,
            "transport": record.phase.transport,
            "ws_fallbacks_to_http": record.fallbacks,
            "offered_per_s": record.phase.rate,
            "seconds": round(seconds, 1),
            "scheduled": record.scheduled,
            "starved": record.starved,
            "sent": record.sent,
            "acked": record.acked,
            # Answers acknowledged while the phase ran, whenever they were sent: the servers'
            # throughput (under overload, answers sent in a phase finish in later ones).
            "acked_per_s": round(done / seconds, 1) if seconds else None,
            "acked_of_sent_in_phase_per_s": round(record.acked / seconds, 1) if seconds else None,
            "errors": dict(record.errors),
            "error_count": sum(record.errors.values()),
            "save_latency": summary_ms(record.save_latency),
            "scheduled_to_ack_latency": summary_ms(record.sched_latency),
            "page_latency": summary_ms(record.page_latency),
            "projector_latency": summary_ms(same + cross),
            "projector_latency_same_process": summary_ms(same),
            "projector_latency_cross_process": summary_ms(cross),
            "projector_updates_missing": missing,
            "resources": resources,
            # CPU per acknowledged answer: what the app costs, whatever else ran beside it.
            "server_cpu_ms_per_answer": round(
                10 * sum(resources.get("server_cpu_percent", {}).values()) * seconds / done, 1
            )
            if done and resources
            else None,
            "postgres_cpu_ms_per_answer": round(
                10 * resources["postgres_cpu_percent"] * seconds / done, 1
            )
            if done and resources
            else None,
        }


async def bounded_gather(coros: list, limit: int) -> list:
    """gather, at most `limit` at a time."""
    semaphore = asyncio.Semaphore(limit)

    async def one(coro: Coroutine) -> object:
        try:
            async with semaphore:
                return await coro
        finally:
            coro.close()  # one cancelled before it started must not warn "never awaited"

    return await asyncio.gather(*(one(c) for c in coros))


# --- verification ----------------------------------------------------------------------------


def verify(runs: list[StageRun]) -> dict:
    """The database must hold exactly the acknowledged answers: per participant and statement
    the last acknowledged score; a failed request's answer may or may not be there."""
    codes = [s.code for run in runs for s in run.sessions]
    stored, rows, participants = fixtures.stored_answers(codes)
    expected: dict[tuple[str, int], int | None] = {}
    maybe: dict[tuple[str, int], set] = defaultdict(set)
    for run in runs:
        for attempt in run.attempts:
            key = (attempt.token, attempt.statement)
            if attempt.acked:
                expected[key] = attempt.score
                maybe.pop(key, None)
            else:
                maybe[key].add(attempt.score)
    lost = wrong = unexplained = unacked_stored = 0
    for key, score in expected.items():
        if key not in stored:
            lost += 1
        elif stored[key] != score and stored[key] not in maybe.get(key, ()):
            wrong += 1
    for key, score in stored.items():
        if key in expected:
            continue
        if score in maybe.get(key, ()):
            unacked_stored += 1
        else:
            unexplained += 1
    joined = sum(1 for run in runs for p in run.phones if p.token)
    return {
        "acknowledged_pairs": len(expected),
        "stored_rows": rows,
        "stored_pairs": len(stored),
        "lost": lost,
        "wrong_value": wrong,
        "duplicated": rows - len(stored) + unexplained,
        "stored_without_ack": unacked_stored,
        "participants_joined": joined,
        "participants_stored": participants,
        "ok": lost == 0 and wrong == 0 and rows == len(stored) and unexplained == 0,
    }


# --- orchestration ---------------------------------------------------------------------------


def raise_fd_limit() -> int:
    """Thousands of websockets and HTTP connections: lift the soft limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def app_fingerprint(app_dir: Path) -> str:
    """A short hash of the app's Python source: which version of the code was measured."""
    digest = hashlib.sha256()
    for package in ("scentiss", "sessions", "survey", "notes", "profiles"):
        for path in sorted((app_dir / package).rglob("*.py")):
            digest.update(str(path.relative_to(app_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(int(meminfo[1]) / 1024 / 1024, 1),
        "cpu": model,
        "python": platform.python_version(),
        "loadavg_at_start": os.getloadavg()[0],
    }


def run_stage(stage: Stage, options: Options) -> StageRun:
    servers: list[ServerProcess] = []
    try:
        for port in APP_PORTS[: stage.processes]:
            servers.append(
                start_server(
                    options.server,
                    port,
                    ws_deflate=options.ws_deflate,
                    cwd=options.app_dir,
                    extra_env=dict(options.extra_env),
                )
            )
        sessions = fixtures.create_sessions(list(stage.sessions), stage.name)

        async def go() -> StageRun:
            run = StageRun(stage, servers, options)  # its asyncio objects belong to this loop
            run.sessions = sessions
            await run.run()
            return run

        print(f"  {stage.name}: {len(stage.sessions)} sessions, {sum(stage.sessions)} phones")
        return asyncio.run(go())
    finally:
        for s in servers:
            s.stop()


async def record_profile(server: ServerProcess, seconds: float, out: Path) -> Path | None:
    """py-spy (if installed) samples the server without pausing it, as collapsed stacks."""
    command = pyspy_command(server.pid, seconds, out, rate=50)
    if not Path(command[0]).exists():
        print("    (py-spy is not installed in the venv: no profile)")
        return None
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await process.wait()
    return out if out.exists() else None


def _interrupted(signum: int, frame: object) -> None:
    # Stop the servers at once; waiting for the event loop to unwind can take a minute.
    stop_all()
    print(f"interrupted by signal {signum}; servers stopped", file=sys.stderr)
    os._exit(128 + signum)


def measure_first_load(options: Options) -> dict:
    """The phone's first load against one server of the deployment (bench/firstload.py)."""
    [session] = fixtures.create_sessions([1], "first load")
    server = start_server(
        options.server,
        FIRST_LOAD_PORT,
        ws_deflate=options.ws_deflate,
        cwd=options.app_dir,
        extra_env=dict(options.extra_env),
    )
    try:
        return first_load(FIRST_LOAD_PORT, session.code)
    finally:
        server.stop()


def main() -> int:
    argv = sys.argv[1:]
    if "--mode=conference" in argv or any(
        a == "--mode" and b == "conference" for a, b in itertools.pairwise(argv)
    ):
        # 10,000 phones held on two processes: a stage of its own (bench/conference.py).
        from bench import conference

        return conference.main(sys.argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=[*sorted(PLANS), "conference"], default="short")
    parser.add_argument("--server", choices=["uvicorn", "daphne"], default="uvicorn")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--ws-deflate", action="store_true", help="uvicorn only: per-message deflate on"
    )
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--out", default="", help="result file (default by mode)")
    parser.add_argument("--app-dir", default=str(BASE_DIR), help="run the servers from here")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the servers")
    parser.add_argument("--profile-phase", default="", help='e.g. "2p 300/s": py-spy it')
    parser.add_argument(
        "--no-first-load", action="store_true", help="skip the phone's first load (Chromium)"
    )
    parser.add_argument("--label", default="", help="what this run measures, for the report")
    parser.add_argument(
        "--offline-pages",
        action="store_true",
        help="each joining phone also fetches every element's page, as pages.js does",
    )
    args = parser.parse_args()
    started = time.monotonic()
    busy = [p for p in (*APP_PORTS, FLOOR_PORT) if not port_free(p)]
    if busy:
        # Before touching the database: another run's sessions must not be deleted under it.
        print(f"ports {busy} are in use: is another benchmark running?", file=sys.stderr)
        return 2
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupted)
    fd_limit = raise_fd_limit()
    fixtures.ensure_database()
    fixtures.setup_django()
    removed = fixtures.delete_bench_sessions()
    print(f"load benchmark, mode {args.mode}: database ready ({removed} old sessions removed)")
    extra_env = tuple(tuple(kv.split("=", 1)) for kv in args.env)
    options = Options(
        server=args.server,
        seed=args.seed,
        ws_deflate=args.ws_deflate,
        app_dir=Path(args.app_dir).resolve(),
        extra_env=extra_env,  # type: ignore[arg-type]
        profile_phase=args.profile_phase,
        # Profiles stay beside the result file and are named after it.
        profile_dir=RESULTS if not args.out else Path(args.out).resolve().parent,
        profile_prefix="profile-" + (Path(args.out).stem if args.out else f"load-{args.mode}"),
        offline_pages=args.offline_pages,
    )
    result: dict = {
        "benchmark": "load",
        "mode": args.mode,
        "label": args.label or ("the app as it is" if options.app_dir == BASE_DIR else ""),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(),
        "fd_limit": fd_limit,
        "config": {
            "server": args.server,
            "app_dir": str(options.app_dir),
            "app_fingerprint": app_fingerprint(options.app_dir),
            "server_env": dict(extra_env),
            "ws_per_message_deflate": options.ws_deflate,
            "connections_per_server": CONNECTIONS_PER_SERVER,
            "request_timeout_s": REQUEST_TIMEOUT,
            "two_processes_how": "the generator spreads phones over two ports (no proxy)",
            "offline_pages_fetched": options.offline_pages,
        },
    }
    joins_only = args.mode == "joins"
    if not args.no_floor and not joins_only:
        print("  floor: bare channels-redis group_send to websockets")
        seconds = 6 if args.mode == "short" else 10
        result["floor"] = run_floor(
            server=args.server, ws_deflate=options.ws_deflate, seconds=seconds
        )
    if not joins_only and not args.no_first_load:
        result["first_load"] = measure_first_load(options)
        print(f"  phone's first load: {result['first_load']['total_bytes']:,} bytes")
    servers = ["uvicorn", "daphne"] if args.mode == "compare" else [args.server]
    runs: list[StageRun] = []
    result["stages"] = []
    for server in servers:
        for stage in PLANS[args.mode]:
            run = run_stage(stage, dataclasses.replace(options, server=server))
            runs.append(run)
            result["stages"].append(run.result)
            report.print_stage(run.result)
    result["profiles"] = [p for run in runs for p in run.profiles]
    result["verification"] = verify(runs)
    result["seconds"] = round(time.monotonic() - started, 1)
    result["targets"] = report.targets(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = Path(args.out) if args.out else RESULTS / f"load-{args.mode}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    report.write_markdown(RESULTS)
    print(json.dumps(result["verification"]))
    for target in result["targets"]:
        print(f"  {'PASS' if target['pass'] else 'FAIL'}  {target['target']}: {target['measured']}")
    print(f"wrote {out} and {RESULTS / 'README.md'} in {result['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
