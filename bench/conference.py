"""The conference stage of the load benchmark: 10,000 phones held on two uvicorn processes.

    make bench BENCH=conference                                   # 10,000 phones, ~10 minutes
    .venv/bin/python bench/load.py --mode conference --phones 2000    # while developing
    .venv/bin/python bench/load.py --mode conference --phones 2000 --tracemalloc
        # one server under tracemalloc: where its memory per phone goes, by line

The deployment as README and docs/deployment.md run it: two uvicorn processes sharing
PostgreSQL and Redis (bench/servers.py: ports 8201 and 8202, no proxy, the phones spread over
both). What it plays, one step after the other:

1. **Sessions**: a conference of 10,000 is two sessions of 5,000 (a session holds at most
   `PARTICIPANT_CAP_MAX`, 5,000), each spread over both processes, with one projector of each
   session on each process.
2. **Joining**, the normal way, at a bounded rate (`--join-rate`, Poisson arrivals, at most
   `--join-inflight` joins under way per client process): the join page, the POST, the first
   survey page it redirects to, the copy of every element's page that pages.js fetches once the
   survey has loaded (`/survey/offline/`), then the phone's websocket. The join-flood defences
   stay as deployed: every phone has its own CSRF cookie (10 joins per browser), and the
   phones come from `--addresses` source addresses in 127.0.1.0/24 (Linux routes all of
   127/8 to the loopback), each joining at most 100 phones, well within the deployed 600 per
   10 minutes per address (the server runs with the app's `JOIN_RATE_PER_IP`, not the other
   stages' raised one). Holds and exclusions need nothing: a place held 60 s is a place, not a
   limit on rows below four times the cap, and nobody is excluded.
3. **Hold**: every phone keeps its socket open; a few tap (`--tap-rate` taps a second over the
   websocket, first element's statements, as survey.js sends them).
4. **Reminders**: the organiser (logged in as anyone logs in) sends each session's "not
   finished yet" reminder (POST /s/<code>/nudge/), which goes to every phone of the session:
   the fan-out time from the POST to each phone's receipt, and how many got it.
5. **Quiet**: 25 s without a message (uvicorn pings every 20 s): no socket may close.
6. **The phase change** survey → discussion, one session after the other: every phone hears
   it and reloads its page and reconnects, as follow.js does; the time until every phone has
   its new page and socket again.

The client: `--clients` processes (one per 2,500 phones), each an asyncio loop (uvloop) with
the benchmark's own HTTP client (bench/leanhttp.py) and the websockets library, as
bench/load.py. Its websockets do not ping (a browser only answers the server's pings).

What it measures: each server's RSS (VmRSS, RssAnon) and open file descriptors, classified
(phone sockets, Redis, PostgreSQL, the rest) from /proc/<pid>/fd and /proc/net/tcp, before the
phones, every 10% of them, and at the end; per phone: RSS growth / phones, and the slope
between 20% and 100% connected (without the first requests' one-off growth); Redis's
connections and memory; the fan-out times (p50, p99, max) and the phones reached within
`--broadcast-wait` seconds; sockets the server closed; `uptime` before and after, and the
machine's CPU split by process (other engineers share it).

Results: bench/results/conference-<when>.json (every run its own file) and a line per run in
bench/results/README.md. The file-descriptor limit: the benchmark lifts its soft
RLIMIT_NOFILE to the hard one, which the servers and client processes it starts inherit;
it stops at once, saying how to raise the hard limit, when even that is too low.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import random
import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import websockets
from websockets.asyncio.client import ClientConnection, connect

from bench import leanhttp
from bench.servers import (
    BASE_DIR,
    REDIS_URL,
    ServerProcess,
    cpu_by_command,
    machine_cpu,
    proc_cpu_seconds,
    proc_rss_kib,
    start_server,
    stop_all,
)
from bench.stats import summary_ms

RESULTS = BASE_DIR / "bench" / "results"
APP_PORTS = (8201, 8202)
SESSION_MAX = 5000  # sessions.models.PARTICIPANT_CAP_MAX
PHONES_PER_CLIENT = 2500
PHONES_PER_ADDRESS = 100  # the deployed per-address join limit is 600 per 10 minutes
QUIET_SECONDS = 25.0  # longer than uvicorn's ping interval (20 s)
HTTP_TIMEOUT = 60.0
RELOAD_TIMEOUT = 300.0  # a browser waits minutes for a page, not seconds
RECONNECT_MIN, RECONNECT_MAX = 0.5, 3.0  # live.js's backoff for the phone (follow.js: 3 s)
STALL_SECONDS = 60.0  # no progress for this long while joining: stop waiting


@dataclass(frozen=True)
class PhoneSpec:
    index: int
    code: str
    port: int
    address: str


@dataclass(frozen=True)
class WorkerPlan:
    number: int
    phones: tuple[PhoneSpec, ...]
    statements: dict[str, tuple[int, ...]]  # session code -> its first element's statements
    join_rate: float  # this worker's share, joins per second
    join_inflight: int
    offline_pages: bool
    seed: int


# --- the client processes --------------------------------------------------------------------


@dataclass(eq=False)
class Phone:
    spec: PhoneSpec
    cookie: str = ""
    path: str = ""  # the page it shows: what a reload loads again
    page_phase: str = ""  # the phase its page was drawn for (follow.js reloads on a change)
    ws: ClientConnection | None = None
    open: bool = False
    reloading: bool = False
    answered: int = 0
    tap_id: str = ""
    tap_reply: asyncio.Future | None = None
    join_started: float = 0.0
    joined: float = 0.0  # its first survey page arrived
    connected: float = 0.0  # the websocket's first message (the phase) arrived
    events: list[tuple[str, float]] = field(default_factory=list)
    closed_by_server: list[tuple[float, int]] = field(default_factory=list)
    error: str = ""


def set_cookies(response: leanhttp.Response) -> dict[str, str]:
    cookies = {}
    for header in response.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return cookies


class Worker:
    """One client process: its share of the phones, driven by the orchestrator's commands."""

    def __init__(self, conn: Connection, plan: WorkerPlan) -> None:
        self.conn = conn
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.phones = [Phone(spec) for spec in plan.phones]
        self.commands: asyncio.Queue = asyncio.Queue()
        self.tasks: set[asyncio.Task] = set()
        self.closing = False
        self.join_errors: Counter = Counter()
        self.ws_errors: Counter = Counter()
        self.tap_errors: Counter = Counter()
        self.tap_latency: list[float] = []
        self.taps_sent = 0
        self.join_waits = 0  # arrivals that waited for a free join slot
        self.loop_lag_max = 0.0
        self.tap_rate = 0.0

    def _spawn(self, coro: object) -> asyncio.Task:
        task = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def send(self, kind: str, body: object) -> None:
        self.conn.send((kind, self.plan.number, body))

    def progress(self) -> dict:
        by_port: Counter = Counter(p.spec.port for p in self.phones if p.open)
        by_code: Counter = Counter(p.spec.code for p in self.phones if p.open)
        return {
            "t": time.monotonic(),
            "joined": sum(1 for p in self.phones if p.joined),
            "connected_once": sum(1 for p in self.phones if p.connected),
            "open": sum(by_port.values()),
            "open_by_port": dict(by_port),
            "open_by_code": dict(by_code),
            "failed": sum(1 for p in self.phones if p.error),
            "nudges": sum(1 for p in self.phones for kind, _t in p.events if kind == "nudge"),
            "reloaded": sum(1 for p in self.phones for kind, _t in p.events if kind == "reloaded"),
            "closed_by_server": sum(len(p.closed_by_server) for p in self.phones),
            "join_errors": dict(self.join_errors),
            "ws_errors": dict(self.ws_errors),
            "taps_sent": self.taps_sent,
            "taps_acked": len(self.tap_latency),
            "tap_errors": dict(self.tap_errors),
            "loop_lag_max_ms": round(1000 * self.loop_lag_max, 1),
            "rss_kib": proc_rss_kib(os.getpid()),
            "fds": len(os.listdir("/proc/self/fd")),
            "cpu_s": round(proc_cpu_seconds(os.getpid()), 2),
        }

    def final(self) -> dict:
        return {
            "progress": self.progress(),
            "phones": [
                {
                    "index": p.spec.index,
                    "code": p.spec.code,
                    "port": p.spec.port,
                    "join_started": p.join_started,
                    "joined": p.joined,
                    "connected": p.connected,
                    "events": p.events,
                    "closed_by_server": p.closed_by_server,
                    "error": p.error,
                }
                for p in self.phones
            ],
            "tap_latency": self.tap_latency,
        }

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_reader(self.conn.fileno(), lambda: self.commands.put_nowait(self.conn.recv()))
        # The loop's reader made the pipe non-blocking: the final report (every phone's times,
        # far over the pipe's 64 KiB) stopped with EAGAIN and the parent never got it.
        os.set_blocking(self.conn.fileno(), True)
        self._spawn(self._report_progress())
        self._spawn(self._watch_lag())
        while True:
            command, *args = await self.commands.get()
            if command == "join":
                self._spawn(self._join_all())
            elif command == "taps":
                self.tap_rate = float(args[0])
                if self.tap_rate > 0:
                    self._spawn(self._tap_loop())
            elif command == "close":
                self.closing = True
                self.tap_rate = 0.0
                await self._close_all()
                self.send("final", self.final())
                return

    async def _report_progress(self) -> None:
        while not self.closing:
            self.send("progress", self.progress())
            await asyncio.sleep(1.0)

    async def _watch_lag(self) -> None:
        loop = asyncio.get_running_loop()
        while not self.closing:
            due = loop.time() + 0.25
            await asyncio.sleep(0.25)
            self.loop_lag_max = max(self.loop_lag_max, loop.time() - due)

    # joining

    async def _join_all(self) -> None:
        """Poisson arrivals at this worker's share of the join rate; at most join_inflight
        phones joining at once (an arrival beyond that waits, and is counted)."""
        slots = asyncio.Semaphore(self.plan.join_inflight)
        loop = asyncio.get_running_loop()
        due = loop.time()
        for phone in self.phones:
            due += self.rng.expovariate(self.plan.join_rate)
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if slots.locked():
                self.join_waits += 1
            await slots.acquire()
            task = self._spawn(self._join_and_connect(phone))
            task.add_done_callback(lambda _t: slots.release())

    async def _join_and_connect(self, phone: Phone) -> None:
        spec = phone.spec
        phone.join_started = time.monotonic()
        http = leanhttp.Pool(spec.port, 1, local_address=spec.address)
        origin = f"http://127.0.0.1:{spec.port}"
        try:
            page = await http.request(
                "GET", f"/j/{spec.code}/", headers={"Accept-Language": "nl"}, timeout=HTTP_TIMEOUT
            )
            if page.status_code != 200:
                return self._join_failed(phone, f"join page {page.status_code}")
            csrf = set_cookies(page)["csrftoken"]
            joined = await http.request(
                "POST",
                f"/j/{spec.code}/",
                headers={"Cookie": f"csrftoken={csrf}", "Origin": origin, "Accept-Language": "nl"},
                form={"csrfmiddlewaretoken": csrf, "table": "", "role": "", "consent": "on"},
                timeout=HTTP_TIMEOUT,
            )
            name = f"scentiss_p_{spec.code}"
            cookies = set_cookies(joined)
            if joined.status_code != 302 or name not in cookies:
                return self._join_failed(phone, f"join {joined.status_code}")
            phone.cookie = f"csrftoken={csrf}; {name}={cookies[name]}"
            phone.path = joined.headers["location"]
            first = await http.request(
                "GET",
                phone.path,
                headers={"Cookie": phone.cookie, "Accept-Language": "nl"},
                timeout=HTTP_TIMEOUT,
            )
            if first.status_code != 200:
                return self._join_failed(phone, f"first page {first.status_code}")
            phone.joined = time.monotonic()
            if self.plan.offline_pages:
                pages = await http.request(
                    "GET",
                    f"/s/{spec.code}/survey/offline/",
                    headers={
                        "Cookie": phone.cookie,
                        "Accept-Language": "nl",
                        "X-Requested-With": "fetch",
                    },
                    timeout=HTTP_TIMEOUT,
                )
                if pages.status_code != 200:
                    self.join_errors[f"offline pages {pages.status_code}"] += 1
        except (TimeoutError, OSError, ValueError, EOFError, KeyError) as error:
            return self._join_failed(phone, f"join {type(error).__name__}")
        finally:
            http.close()
        await self._open(phone)

    def _join_failed(self, phone: Phone, reason: str) -> None:
        self.join_errors[reason] += 1
        phone.error = reason

    async def _connect(self, phone: Phone) -> ClientConnection:
        spec = phone.spec
        return await connect(
            f"ws://127.0.0.1:{spec.port}/ws/s/{spec.code}/phone/",
            origin=f"http://127.0.0.1:{spec.port}",  # type: ignore[arg-type]
            additional_headers={"Cookie": phone.cookie, "Accept-Language": "nl"},
            proxy=None,
            open_timeout=HTTP_TIMEOUT,
            ping_interval=None,  # a browser does not ping; it answers the server's pings
            compression=None,  # as deployed: per-message deflate off
            max_queue=4,
            local_addr=(spec.address, 0),
        )

    async def _open(self, phone: Phone, *, attempts: int = 1) -> bool:
        """Open the phone's socket and read it; retried with live.js's backoff when the
        server refuses it (its socket is what this benchmark is about)."""
        delay = RECONNECT_MIN
        for attempt in range(attempts):
            try:
                phone.ws = await self._connect(phone)
            except (OSError, TimeoutError, websockets.WebSocketException) as error:
                self.ws_errors[f"connect {type(error).__name__}"] += 1
                if attempt + 1 == attempts or self.closing:
                    phone.error = phone.error or f"ws {type(error).__name__}"
                    return False
                await asyncio.sleep(delay / 2 + self.rng.random() * delay / 2)
                delay = min(2 * delay, RECONNECT_MAX)
                continue
            self._spawn(self._read(phone, phone.ws))
            return True
        return False

    async def _read(self, phone: Phone, ws: ClientConnection) -> None:
        """The phone's socket, as follow.js reads it: the phase on connect and on every change
        (a change reloads the page), reminders, and the replies to its taps."""
        first = True
        phone.open = True
        try:
            async for raw in ws:
                now = time.monotonic()
                if not isinstance(raw, str):
                    continue
                if raw.startswith('{"type": "nudge"'):
                    phone.events.append(("nudge", now))
                    continue
                message = json.loads(raw)
                if "phase" in message:
                    if first:
                        first = False
                        if not phone.connected:
                            phone.connected = now
                        if phone.reloading:
                            phone.reloading = False
                            phone.events.append(("reloaded", now))
                    else:
                        phone.events.append((f"phase:{message['phase']}", now))
                    if not phone.page_phase:
                        phone.page_phase = message["phase"]
                    elif message["phase"] != phone.page_phase and not phone.reloading:
                        phone.reloading = True
                        self._spawn(self._reload(phone, message["phase"]))
                elif (
                    phone.tap_reply is not None
                    and message.get("id") == phone.tap_id
                    and not phone.tap_reply.done()
                ):
                    phone.tap_reply.set_result((now, message))
        except websockets.ConnectionClosed:
            pass
        finally:
            phone.open = False
            if phone.tap_reply is not None and not phone.tap_reply.done():
                phone.tap_reply.set_exception(ConnectionError("socket closed"))
        if self.closing or phone.reloading or phone.ws is not ws:
            return
        code = ws.close_code or 1006
        phone.closed_by_server.append((time.monotonic(), code))
        # Closed by the server: live.js reconnects with backoff (4403 means "stop").
        if code != 4403:
            await asyncio.sleep(RECONNECT_MIN / 2 + self.rng.random() * RECONNECT_MIN / 2)
            await self._open(phone, attempts=8)

    async def _reload(self, phone: Phone, phase: str) -> None:
        """follow.js's location.reload(): the old socket goes, the page is loaded again (the
        server draws the page of the new phase), and its socket opens anew."""
        old = phone.ws
        phone.page_phase = phase
        if old is not None:
            with contextlib.suppress(Exception):
                await old.close()
        spec = phone.spec
        http = leanhttp.Pool(spec.port, 1, local_address=spec.address)
        try:
            for _ in range(3):  # follow redirects, as a browser does
                page = await http.request(
                    "GET",
                    phone.path,
                    headers={"Cookie": phone.cookie, "Accept-Language": "nl"},
                    timeout=RELOAD_TIMEOUT,
                )
                if page.status_code in (301, 302):
                    phone.path = page.headers["location"]
                    continue
                break
            if page.status_code != 200:
                self.ws_errors[f"reload {page.status_code}"] += 1
        except (TimeoutError, OSError, ValueError, EOFError) as error:
            self.ws_errors[f"reload {type(error).__name__}"] += 1
        finally:
            http.close()
        if not await self._open(phone, attempts=8):
            phone.reloading = False

    # taps

    async def _tap_loop(self) -> None:
        """Poisson taps at this worker's share of the rate, each by a random phone whose socket
        is open and that has no tap on its way, over its websocket as survey.js sends them."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        while self.tap_rate > 0 and not self.closing:
            due += self.rng.expovariate(self.tap_rate)
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            for _ in range(10):
                phone = self.rng.choice(self.phones)
                statements = self.plan.statements[phone.spec.code]
                if phone.open and phone.tap_reply is None and phone.answered < len(statements):
                    self._spawn(self._tap(phone, statements[phone.answered]))
                    break
            else:
                self.tap_errors["no idle phone"] += 1

    async def _tap(self, phone: Phone, statement: int) -> None:
        assert phone.ws is not None
        phone.tap_id = f"{phone.spec.index}-{phone.answered}"
        phone.tap_reply = asyncio.get_running_loop().create_future()
        message = {
            "type": "answer",
            "id": phone.tap_id,
            "statement": statement,
            "score": str(self.rng.randint(1, 5)),
        }
        sent = time.monotonic()
        self.taps_sent += 1
        try:
            await phone.ws.send(json.dumps(message))
            async with asyncio.timeout(HTTP_TIMEOUT):
                t_reply, reply = await phone.tap_reply
        except (TimeoutError, ConnectionError, websockets.WebSocketException) as error:
            self.tap_errors[type(error).__name__] += 1
            return
        finally:
            phone.tap_reply = None
        if reply.get("type") == "ack":
            phone.answered += 1
            self.tap_latency.append(t_reply - sent)
        else:
            self.tap_errors[f"refused {reply.get('status')}"] += 1

    async def _close_all(self) -> None:
        semaphore = asyncio.Semaphore(200)

        async def close(ws: ClientConnection) -> None:
            async with semaphore:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(ws.close(), 10)

        await asyncio.gather(*(close(p.ws) for p in self.phones if p.ws is not None))


def worker_main(conn: Connection, plan: WorkerPlan) -> None:
    """A client process's entry (multiprocessing, spawned: nothing of the orchestrator's
    Django is copied into it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the orchestrator stops it
    try:
        import uvloop

        runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    except ImportError:
        runner = asyncio.Runner()
    with runner:
        runner.run(Worker(conn, plan).run())


# --- the orchestrator: servers, /proc, the organiser ------------------------------------------


def raise_fd_limit() -> tuple[int, int]:
    """The soft RLIMIT_NOFILE lifted to the hard one, for this process and every process it
    starts (they inherit it): (soft, hard) after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


HOW_TO_RAISE = (
    "raise the hard limit on open files: `ulimit -Hn 65536` in a root shell (or "
    "/etc/security/limits.conf `* hard nofile 65536`), `LimitNOFILE=65536` in a systemd unit, "
    "`docker run --ulimit nofile=65536:65536` or docker-compose's `ulimits: nofile:`"
)


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS, RssAnon, VmHWM (KiB) and Threads of a process."""
    out: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "VmHWM", "Threads"):
                out[key] = int(value.split()[0])
    return out


def proc_nofile_limit(pid: int) -> str:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
            if line.startswith("Max open files"):
                soft, hard = line.split()[3:5]
                return f"{soft}/{hard}"
    return "?"


def count_fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def tcp_sockets() -> dict[int, tuple[int, int, str]]:
    """Every TCP socket of this network namespace: inode -> (local port, remote port, state)."""
    sockets: dict[int, tuple[int, int, str]] = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(name) as table:
            next(table)
            for line in table:
                fields = line.split()
                local = int(fields[1].rsplit(":", 1)[1], 16)
                remote = int(fields[2].rsplit(":", 1)[1], 16)
                sockets[int(fields[9])] = (local, remote, fields[3])
    return sockets


def classify_fds(pid: int, port: int, sockets: dict[int, tuple[int, int, str]]) -> dict[str, int]:
    """A server's open file descriptors: its phones' (and projectors') sockets, its Redis and
    PostgreSQL connections, its listening socket, and the rest (files, pipes, epoll, eventfd,
    Unix sockets)."""
    kinds: Counter = Counter()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return {}
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        kinds["total"] += 1
        if not target.startswith("socket:["):
            kinds["files, pipes and the like"] += 1
            continue
        tcp = sockets.get(int(target[8:-1]))
        if tcp is None:
            kinds["unix and other sockets"] += 1
        elif tcp[2] == "0A":
            kinds["listening"] += 1
        elif tcp[1] == 6379:
            kinds["redis"] += 1
        elif tcp[1] == 5432:
            kinds["postgresql"] += 1
        elif tcp[0] == port:
            kinds["clients (phones, projectors, HTTP)"] += 1
        else:
            kinds["other tcp"] += 1
    return dict(kinds)


def redis_info() -> dict[str, object]:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        clients = client.info("clients")
        memory = client.info("memory")
        return {
            "connected_clients": clients.get("connected_clients"),
            "maxclients": clients.get("maxclients"),
            "used_memory_mib": round(memory["used_memory"] / 2**20, 1),
            "keys_in_db": client.dbsize(),
        }
    except Exception as error:  # a report without Redis's figures, not a failed run
        return {"error": str(error)}
    finally:
        client.close()


def uptime() -> str:
    try:
        return subprocess.run(
            ["uptime"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


class Organiser:
    """The organiser's browser: logs in, then sends the reminder and the phase change."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.http = leanhttp.Pool(port, 1)
        self.cookies: dict[str, str] = {}

    @property
    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def request(self, method: str, path: str, form: dict | None = None) -> leanhttp.Response:
        headers = {"Cookie": self.cookie, "Accept-Language": "nl"}
        if method == "POST":
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
            form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **(form or {})}
        response = await self.http.request(
            method, path, headers=headers, form=form, timeout=HTTP_TIMEOUT
        )
        self.cookies.update(set_cookies(response))
        return response

    async def login(self, username: str, password: str) -> None:
        await self.request("GET", "/accounts/login/")
        response = await self.request(
            "POST", "/accounts/login/", {"username": username, "password": password}
        )
        if response.status_code != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"the organiser's login failed: {response.status_code}")


def server_snapshot(servers: list[ServerProcess], phones_by_port: dict[int, int]) -> dict:
    sockets = tcp_sockets()
    out = {}
    for server in servers:
        status = proc_status(server.pid)
        fds = classify_fds(server.pid, server.port, sockets)
        out[str(server.port)] = {
            "phones_open": phones_by_port.get(server.port, 0),
            "rss_kib": status.get("VmRSS"),
            "rss_anon_kib": status.get("RssAnon"),
            "hwm_kib": status.get("VmHWM"),
            "threads": status.get("Threads"),
            "fds": fds,
            "cpu_s": round(proc_cpu_seconds(server.pid), 2),
        }
    return out


@dataclass
class Broadcast:
    kind: str  # "nudge" or "phase"
    code: str
    t_sent: float
    t_response: float
    status: int
    seconds_waited: float = 0.0
    resources: dict = field(default_factory=dict)


class Conference:
    def __init__(
        self, args: argparse.Namespace, servers: list[ServerProcess], sessions: list
    ) -> None:
        self.args = args
        self.servers = servers
        self.sessions = sessions
        self.progress: dict[int, dict] = {}
        self.finals: dict[int, dict] = {}
        self.timeline: list[dict] = []
        self.checkpoints: list[dict] = []
        self.broadcasts: list[Broadcast] = []
        self.workers: list[tuple[multiprocessing.Process, Connection]] = []
        self.changed = asyncio.Event()
        self.t0 = time.monotonic()

    # the client processes

    def plans(self) -> list[WorkerPlan]:
        a = self.args
        phones = []
        for i in range(a.phones):
            session = self.sessions[i % len(self.sessions)]
            port = APP_PORTS[(i // len(self.sessions)) % len(APP_PORTS)]
            if a.tracemalloc:
                port = APP_PORTS[0]
            k = i % a.addresses
            address = f"127.0.{1 + k // 250}.{1 + k % 250}"
            phones.append(PhoneSpec(i, session.code, port, address))
        first_element = {
            s.code: tuple(sid for sid, element in s.statements if element == 1)
            for s in self.sessions
        }
        return [
            WorkerPlan(
                number=n,
                phones=tuple(phones[n :: a.clients]),
                statements=first_element,
                join_rate=a.join_rate / a.clients,
                join_inflight=max(4, a.join_inflight // a.clients),
                offline_pages=not a.no_offline_pages,
                seed=a.seed * 1000 + n,
            )
            for n in range(a.clients)
        ]

    def start_workers(self) -> None:
        context = multiprocessing.get_context("spawn")
        loop = asyncio.get_running_loop()
        for plan in self.plans():
            parent, child = context.Pipe()
            process = context.Process(target=worker_main, args=(child, plan), daemon=True)
            process.start()
            child.close()
            self.workers.append((process, parent))
            loop.add_reader(parent.fileno(), self._on_message, parent)
            os.set_blocking(parent.fileno(), True)  # a message is read whole once it starts

    def _on_message(self, conn: Connection) -> None:
        try:
            kind, number, body = conn.recv()
        except (EOFError, OSError):
            asyncio.get_running_loop().remove_reader(conn.fileno())
            return
        if kind == "progress":
            self.progress[number] = body
        elif kind == "final":
            self.finals[number] = body
        self.changed.set()

    def tell(self, *command: object) -> None:
        for _process, conn in self.workers:
            conn.send(command)

    def total(self, key: str) -> int:
        return sum(p.get(key, 0) for p in self.progress.values())

    def open_by_code(self) -> dict[str, int]:
        out: Counter = Counter()
        for p in self.progress.values():
            out.update(p.get("open_by_code", {}))
        return dict(out)

    def open_by_port(self) -> dict[int, int]:
        out: Counter = Counter()
        for p in self.progress.values():
            out.update({int(k): v for k, v in p.get("open_by_port", {}).items()})
        return dict(out)

    async def until(self, done: object, timeout: float, *, stall: float | None = None) -> bool:
        """Wait for a condition on the workers' progress, at most `timeout` seconds (or until
        nothing moved for `stall` seconds)."""
        deadline = time.monotonic() + timeout
        last_change, last_value = time.monotonic(), None
        while time.monotonic() < deadline:
            if done():  # type: ignore[operator]
                return True
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), 1.0)
            value = (self.total("joined"), self.total("open"), self.total("failed"))
            if value != last_value:
                last_change, last_value = time.monotonic(), value
            elif stall is not None and time.monotonic() - last_change > stall:
                return False
        return bool(done())  # type: ignore[operator]

    # sampling

    def sample(self) -> dict:
        row = {
            "t": round(time.monotonic() - self.t0, 2),
            "phones_open": self.total("open"),
            "joined": self.total("joined"),
            "servers": {
                str(s.port): {
                    "rss_kib": proc_status(s.pid).get("VmRSS"),
                    "fds": count_fds(s.pid),
                    "cpu_s": round(proc_cpu_seconds(s.pid), 2),
                }
                for s in self.servers
            },
            "machine": machine_cpu(),
            "services_cpu_s": cpu_by_command(),
            "clients_cpu_s": round(sum(p.get("cpu_s", 0) for p in self.progress.values()), 2),
            "loadavg": os.getloadavg(),
        }
        self.timeline.append(row)
        return row

    def checkpoint(self, label: str) -> dict:
        point = {
            "label": label,
            "t": round(time.monotonic() - self.t0, 2),
            "uptime": uptime(),
            "phones_open": self.total("open"),
            "servers": server_snapshot(self.servers, self.open_by_port()),
            "redis": redis_info(),
            "clients": {
                str(n): {
                    k: p.get(k) for k in ("open", "rss_kib", "fds", "cpu_s", "loop_lag_max_ms")
                }
                for n, p in sorted(self.progress.items())
            },
        }
        self.checkpoints.append(point)
        print(
            f"  [{point['t']:7.1f} s] {label}: {point['phones_open']} phones open; "
            + "; ".join(
                f":{port} RSS {s['rss_kib'] / 1024:.0f} MiB, fds {s['fds'].get('total')}"
                f" (redis {s['fds'].get('redis', 0)})"
                for port, s in point["servers"].items()
            )
            + f"; {point['uptime']}",
            flush=True,
        )
        return point

    def resources(self, start: dict, end: dict) -> dict:
        """The machine's CPU between two samples, split: servers, PostgreSQL, Redis, the client
        processes, and everything else (other people's jobs)."""
        span = end["t"] - start["t"]
        if span <= 0:
            return {}
        busy = (end["machine"][0] - start["machine"][0]) / max(
            1, end["machine"][1] - start["machine"][1]
        )
        ncpu = os.cpu_count() or 1
        servers = {
            port: (end["servers"][port]["cpu_s"] - start["servers"][port]["cpu_s"]) / span
            for port in end["servers"]
        }
        services = {
            k: (end["services_cpu_s"][k] - start["services_cpu_s"][k]) / span
            for k in end["services_cpu_s"]
        }
        clients = (end["clients_cpu_s"] - start["clients_cpu_s"]) / span
        others = busy * ncpu - sum(servers.values()) - sum(services.values()) - clients
        return {
            "seconds": round(span, 1),
            "machine_busy_percent": round(100 * busy),
            "server_cpu_percent": {k: round(100 * v) for k, v in servers.items()},
            "postgres_cpu_percent": round(100 * services["postgres"]),
            "redis_cpu_percent": round(100 * services["redis-server"]),
            "clients_cpu_percent": round(100 * clients),
            "other_processes_cpu_percent": max(0, round(100 * others)),
            "loadavg_end": [round(x, 2) for x in end["loadavg"]],
        }

    async def sampler(self, stop: asyncio.Event) -> None:
        next_mark = 0.1
        while not stop.is_set():
            row = self.sample()
            share = row["phones_open"] / self.args.phones
            if share >= next_mark - 1e-9 and next_mark <= 1.0:
                self.checkpoint(f"{round(100 * next_mark)}% connected")
                while next_mark <= share + 1e-9:
                    next_mark += 0.1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 2.0)

    # the steps

    async def join(self) -> dict:
        a = self.args
        started = self.sample()
        print(
            f"  joining {a.phones} phones at {a.join_rate:g}/s through {a.clients} client "
            f"processes, from {a.addresses} addresses",
            flush=True,
        )
        self.tell("join")
        stop = asyncio.Event()
        sampler = asyncio.create_task(self.sampler(stop))
        budget = a.phones / a.join_rate * 3 + 120

        def all_in() -> bool:
            return (
                len(self.progress) == a.clients
                and self.total("connected_once") + self.total("failed") >= a.phones
            )

        finished = await self.until(all_in, budget, stall=STALL_SECONDS)
        ended = self.sample()
        stop.set()
        await sampler
        return {
            "finished": finished,
            "seconds": round(ended["t"] - started["t"], 1),
            "joined": self.total("joined"),
            "connected": self.total("connected_once"),
            "failed": self.total("failed"),
            "rate_per_s": round(self.total("joined") / max(0.1, ended["t"] - started["t"]), 1),
            "errors": dict(
                sum((Counter(p["join_errors"]) for p in self.progress.values()), Counter())
            ),
            "ws_errors": dict(
                sum((Counter(p["ws_errors"]) for p in self.progress.values()), Counter())
            ),
            "resources": self.resources(started, ended),
            "server_cpu_ms_per_join": round(
                1000
                * sum(
                    ended["servers"][p]["cpu_s"] - started["servers"][p]["cpu_s"]
                    for p in ended["servers"]
                )
                / max(1, self.total("joined")),
                1,
            ),
        }

    async def hold(self) -> dict:
        a = self.args
        started = self.sample()
        self.tell("taps", a.tap_rate)
        await asyncio.sleep(a.hold)
        self.tell("taps", 0)
        await asyncio.sleep(2)
        ended = self.sample()
        errors = sum((Counter(p["tap_errors"]) for p in self.progress.values()), Counter())
        return {
            "seconds": a.hold,
            "tap_rate_offered": a.tap_rate,
            "taps_sent": self.total("taps_sent"),
            "taps_acked": self.total("taps_acked"),
            "tap_errors": dict(errors),
            "phones_open_end": self.total("open"),
            "resources": self.resources(started, ended),
        }

    async def broadcast(
        self, organiser: Organiser, kind: str, code: str, expected: int
    ) -> Broadcast:
        """One organiser action that every phone of the session must hear; wait until they
        all did (their count of receipts, from the workers' progress) or `broadcast_wait`."""
        key = "nudges" if kind == "nudge" else "reloaded"
        before = self.total(key)
        start = self.sample()
        t_sent = time.monotonic()
        if kind == "nudge":
            response = await organiser.request("POST", f"/s/{code}/nudge/")
        else:
            response = await organiser.request(
                "POST", f"/s/{code}/state/", {"phase": "discussion", "confirm": "1"}
            )
        record = Broadcast(kind, code, t_sent, time.monotonic(), response.status_code)
        wait = self.args.broadcast_wait if kind == "nudge" else RELOAD_TIMEOUT
        await self.until(lambda: self.total(key) - before >= expected, wait)
        await asyncio.sleep(1.5)  # the last progress reports
        record.seconds_waited = round(time.monotonic() - t_sent, 1)
        record.resources = self.resources(start, self.sample())
        self.broadcasts.append(record)
        print(
            f"  {kind} to {code}: {self.total(key) - before} of {expected} phones in "
            f"{record.seconds_waited} s (HTTP {response.status_code}); {uptime()}",
            flush=True,
        )
        return record

    async def quiet(self) -> dict:
        before = self.total("closed_by_server")
        open_before = self.total("open")
        start = self.sample()
        await asyncio.sleep(QUIET_SECONDS)
        await asyncio.sleep(1.5)
        return {
            "seconds": QUIET_SECONDS,
            "phones_open_before": open_before,
            "phones_open_after": self.total("open"),
            "closed_by_server": self.total("closed_by_server") - before,
            "resources": self.resources(start, self.sample()),
        }

    async def close_workers(self) -> None:
        self.tell("close")
        await self.until(lambda: len(self.finals) == len(self.workers), 120)
        for process, conn in self.workers:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(conn.fileno())
            conn.close()


# --- the run ---------------------------------------------------------------------------------


async def play(
    args: argparse.Namespace, servers: list[ServerProcess], sessions: list, login: tuple[str, str]
) -> dict:
    run = Conference(args, servers, sessions)
    organiser = Organiser(APP_PORTS[0])
    await organiser.login(*login)
    projectors = await open_projectors(sessions, [s.port for s in servers])
    run.checkpoint("before the phones")
    run.start_workers()
    await run.until(lambda: len(run.progress) == args.clients, 60)
    result: dict = {"steps": {}}
    try:
        result["steps"]["join"] = await run.join()
        await asyncio.sleep(5)  # settle before reading memory
        run.checkpoint("all connected")
        result["steps"]["hold"] = await run.hold()
        run.checkpoint("after the hold")
        for _ in range(args.nudges):
            for session in sessions:
                expected = run.open_by_code().get(session.code, 0)
                await run.broadcast(organiser, "nudge", session.code, expected)
                await asyncio.sleep(3)
        result["steps"]["quiet"] = await run.quiet()
        run.checkpoint("after the quiet")
        if not args.no_phase_change:
            for session in sessions:
                expected = run.open_by_code().get(session.code, 0)
                await run.broadcast(organiser, "phase", session.code, expected)
            await asyncio.sleep(5)
            run.checkpoint("after the phase change")
    finally:
        await run.close_workers()
        for ws in projectors:
            with contextlib.suppress(Exception):
                await ws.close()
    result["run"] = run
    return result


async def open_projectors(sessions: list, ports: list[int]) -> list[ClientConnection]:
    out = []
    for session in sessions:
        for port in ports:
            ws = await connect(
                f"ws://127.0.0.1:{port}/ws/s/{session.code}/live/?key={session.projector_key}",
                origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
                proxy=None,
                max_size=None,
                ping_interval=None,
                compression=None,
            )
            out.append(ws)
            _draining.add(asyncio.ensure_future(_drain(ws)))
    return out


_draining: set[asyncio.Future] = set()


async def _drain(ws: ClientConnection) -> None:
    with contextlib.suppress(websockets.ConnectionClosed):
        async for _ in ws:
            pass


# --- the figures -----------------------------------------------------------------------------


def fan_out(phones: list[dict], broadcasts: list[Broadcast], wait: float) -> list[dict]:
    """Per organiser action: how many of the session's phones heard it, and when, from the
    moment the organiser's POST was sent (it includes the request: the reminder's view reads
    the session's unfinished phones first)."""
    out = []
    for b in broadcasts:
        later = [
            x.t_sent
            for x in broadcasts
            if x.code == b.code and x.kind == b.kind and x.t_sent > b.t_sent
        ]
        end = min(later, default=math.inf)
        ours = [p for p in phones if p["code"] == b.code]
        expected = [p for p in ours if p["connected"]]
        kinds = ("nudge",) if b.kind == "nudge" else ("phase:discussion", "reloaded")
        entry: dict = {
            "kind": "reminder (nudge)"
            if b.kind == "nudge"
            else "phase change (survey → discussion)",
            "session": b.code,
            "http_status": b.status,
            "request_ms": round(1000 * (b.t_response - b.t_sent), 1),
            "phones_expected": len(expected),
            "seconds_waited": b.seconds_waited,
            "resources": b.resources,
        }
        for kind in kinds:
            delays = []
            for p in expected:
                times = [t for k, t in p["events"] if k == kind and b.t_sent <= t < end]
                if times:
                    delays.append(min(times) - b.t_sent)
            label = {"nudge": "heard", "phase:discussion": "heard", "reloaded": "reloaded"}[kind]
            entry[label] = {
                "phones": len(delays),
                "missing": len(expected) - len(delays),
                f"within_{wait:g}_s": sum(1 for d in delays if d <= wait),
                "latency": summary_ms(delays),
            }
        out.append(entry)
    return out


def per_phone(run: Conference) -> dict:
    """RSS and file descriptors per phone, per server: from before the phones to all connected
    (everything a phone brought: its join's requests and its socket), and the slope between
    20% and all connected (without the one-off growth of the first requests)."""
    points = {p["label"]: p for p in run.checkpoints}
    before = points.get("before the phones")
    after = points.get("all connected")
    early = points.get("20% connected")
    out: dict = {}
    if not before or not after:
        return out
    for port, server in after["servers"].items():
        phones = server["phones_open"]
        first = before["servers"][port]
        entry: dict = {
            "phones_open": phones,
            "rss_before_mib": round(first["rss_kib"] / 1024, 1),
            "rss_after_mib": round(server["rss_kib"] / 1024, 1),
            "rss_kib_per_phone": round((server["rss_kib"] - first["rss_kib"]) / phones, 1)
            if phones
            else None,
            "rss_anon_kib_per_phone": round(
                (server["rss_anon_kib"] - first["rss_anon_kib"]) / phones, 1
            )
            if phones
            else None,
            "fds_before": first["fds"],
            "fds_after": server["fds"],
            "fds_per_phone": round(
                (server["fds"].get("total", 0) - first["fds"].get("total", 0)) / phones, 3
            )
            if phones
            else None,
            "redis_connections": server["fds"].get("redis", 0),
            "postgresql_connections": server["fds"].get("postgresql", 0),
        }
        if early and port in early["servers"]:
            e = early["servers"][port]
            grown = phones - e["phones_open"]
            if grown > 0:
                entry["rss_kib_per_phone_20_to_100"] = round(
                    (server["rss_kib"] - e["rss_kib"]) / grown, 1
                )
        out[port] = entry
    return out


def client_figures(run: Conference) -> dict:
    out = {}
    for n, final in sorted(run.finals.items()):
        p = final["progress"]
        out[str(n)] = {
            "phones": len(final["phones"]),
            "rss_mib": round(p["rss_kib"] / 1024, 1),
            "fds": p["fds"],
            "cpu_s": p["cpu_s"],
            "loop_lag_max_ms": p["loop_lag_max_ms"],
        }
    return out


def summarise(args: argparse.Namespace, result: dict, run: Conference) -> dict:
    phones = [p for final in run.finals.values() for p in final["phones"]]
    taps = [t for final in run.finals.values() for t in final["tap_latency"]]
    closes = [c for p in phones for _t, c in p["closed_by_server"]]
    connect_times = [p["connected"] - p["joined"] for p in phones if p["connected"] and p["joined"]]
    join_times = [p["joined"] - p["join_started"] for p in phones if p["joined"]]
    result["phones"] = {
        "planned": args.phones,
        "joined": sum(1 for p in phones if p["joined"]),
        "connected": sum(1 for p in phones if p["connected"]),
        "failed": Counter(p["error"] for p in phones if p["error"]),
        "closed_by_server": len(closes),
        "closed_by_server_codes": Counter(closes),
        "phones_closed_by_server": sum(1 for p in phones if p["closed_by_server"]),
        "join_latency": summary_ms(join_times),
        "websocket_open_latency": summary_ms(connect_times),
    }
    result["per_phone"] = per_phone(run)
    result["clients"] = client_figures(run)
    result["broadcasts"] = fan_out(phones, run.broadcasts, args.broadcast_wait)
    if taps or "hold" in result["steps"]:
        result["steps"].setdefault("hold", {})["tap_latency"] = summary_ms(taps)
    result["checkpoints"] = run.checkpoints
    result["timeline"] = [
        {
            "t": row["t"],
            "phones_open": row["phones_open"],
            "servers": row["servers"],
            "loadavg": [round(x, 2) for x in row["loadavg"]],
        }
        for row in run.timeline
    ]
    return result


def tracemalloc_report(before: Path, after: Path, phones: int, out: Path) -> dict:
    """Where one server's Python memory went between two snapshots, per phone added."""
    import tracemalloc

    filters = [
        tracemalloc.Filter(False, tracemalloc.__file__),
        tracemalloc.Filter(False, "<frozen importlib._bootstrap*"),
        tracemalloc.Filter(False, "*/bench/traced_server.py"),
    ]
    a = tracemalloc.Snapshot.load(str(before)).filter_traces(filters)
    b = tracemalloc.Snapshot.load(str(after)).filter_traces(filters)
    lines = [f"tracemalloc: one uvicorn process, {phones} phones added between the snapshots", ""]
    summary: dict = {"phones_added": phones}
    total = sum(s.size for s in b.statistics("filename")) - sum(
        s.size for s in a.statistics("filename")
    )
    summary["traced_kib_per_phone"] = round(total / 1024 / phones, 2)
    lines.append(
        f"traced Python memory grown: {total / 2**20:.1f} MiB, "
        f"{total / 1024 / phones:.2f} KiB per phone"
    )
    for key, top in (("filename", 25), ("lineno", 40), ("traceback", 15)):
        stats = b.compare_to(a, key)
        stats = sorted(stats, key=lambda s: -s.size_diff)[:top]
        lines += ["", f"## by {key}: size grown (KiB per phone), blocks grown (per phone)", ""]
        rows = []
        for s in stats:
            per = s.size_diff / 1024 / phones
            blocks = s.count_diff / phones
            if key == "traceback":
                where = "\n      ".join(f"{_short(f.filename)}:{f.lineno}" for f in s.traceback)
            elif key == "lineno":
                where = f"{_short(s.traceback[0].filename)}:{s.traceback[0].lineno}"
            else:
                where = _short(s.traceback[0].filename)
            lines.append(f"{per:8.2f} KiB {blocks:7.1f} blocks  {where}")
            rows.append(
                {
                    "where": where.split("\n")[0],
                    "kib_per_phone": round(per, 2),
                    "blocks_per_phone": round(blocks, 1),
                }
            )
        summary[f"top_by_{key}"] = rows[:15]
    out.write_text("\n".join(lines) + "\n")
    return summary


def _short(filename: str) -> str:
    return filename.split("site-packages/")[-1].replace(str(BASE_DIR) + "/", "")


def snapshot_server(server: ServerProcess, base: Path) -> Path:
    """SIGUSR1 to the traced server; its snapshot, once written."""
    taken = sorted(base.parent.glob(base.name + ".*.done"))
    os.kill(server.pid, signal.SIGUSR1)
    expected = Path(f"{base}.{len(taken) + 1}")
    deadline = time.monotonic() + 300
    while not Path(f"{expected}.done").exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the traced server wrote no snapshot")
        time.sleep(0.2)
    return expected


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(int(meminfo[1]) / 1024 / 1024, 1),
        "cpu": model,
        "python": sys.version.split()[0],
    }


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", default="conference")
    parser.add_argument("--phones", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=0, help="client processes (0: 1 per 2,500)")
    parser.add_argument(
        "--join-rate", type=float, default=40.0, help="joins per second, all clients"
    )
    parser.add_argument(
        "--join-inflight", type=int, default=48, help="joins under way, all clients"
    )
    parser.add_argument(
        "--addresses", type=int, default=0, help="source addresses (0: 1 per 100 phones)"
    )
    parser.add_argument(
        "--tap-rate", type=float, default=20.0, help="taps per second during the hold"
    )
    parser.add_argument("--hold", type=float, default=30.0, help="seconds of holding, tapping")
    parser.add_argument("--nudges", type=int, default=2, help="reminders per session")
    parser.add_argument(
        "--broadcast-wait", type=float, default=30.0, help="N: seconds a reminder may take"
    )
    parser.add_argument(
        "--no-offline-pages", action="store_true", help="joins without pages.js's copy"
    )
    parser.add_argument("--no-phase-change", action="store_true")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="one traced server: where its memory goes"
    )
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the servers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--label", default="", help="what this run measures, for the report")
    parser.add_argument("--out", default="", help="result file (default: conference-<when>.json)")
    args = parser.parse_args(argv)
    args.clients = args.clients or max(1, math.ceil(args.phones / PHONES_PER_CLIENT))
    args.addresses = args.addresses or max(1, math.ceil(args.phones / PHONES_PER_ADDRESS))
    return args


def _interrupted(signum: int, frame: object) -> None:
    stop_all()
    print(f"interrupted by signal {signum}; servers stopped", file=sys.stderr)
    os._exit(128 + signum)


def main(argv: list[str]) -> int:
    from bench import fixtures, report

    args = parse(argv)
    started = time.monotonic()
    when = time.strftime("%Y%m%dT%H%M%S")
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupted)
    soft, hard = raise_fd_limit()
    # Each client process holds its phones' sockets; each server its share of them, plus a
    # few hundred of its own (Redis and PostgreSQL pools, files).
    servers_n = 1 if args.tracemalloc else len(APP_PORTS)
    need = max(math.ceil(args.phones / args.clients), math.ceil(args.phones / servers_n)) + 1000
    if soft < need:
        print(
            f"the file-descriptor limit is {soft} (hard {hard}); {args.phones} phones need about "
            f"{need} per process: {HOW_TO_RAISE}",
            file=sys.stderr,
        )
        return 2
    fixtures.ensure_database()
    fixtures.setup_django()
    removed = fixtures.delete_bench_sessions()
    sizes = [math.ceil(args.phones / math.ceil(args.phones / SESSION_MAX))] * math.ceil(
        args.phones / SESSION_MAX
    )
    sessions = fixtures.create_sessions(sizes, "conference")
    login = fixtures.ensure_organiser()
    join_limit = fixtures.default_setting("JOIN_RATE_PER_IP")
    extra_env = {"JOIN_RATE_PER_IP": join_limit, **dict(kv.split("=", 1) for kv in args.env)}
    result: dict = {
        "benchmark": "conference",
        "label": args.label,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(),
        "uptime_start": uptime(),
        "config": {
            "phones": args.phones,
            "sessions": sizes,
            "processes": servers_n,
            "client_processes": args.clients,
            "source_addresses": args.addresses,
            "join_rate_offered_per_s": args.join_rate,
            "join_inflight": args.join_inflight,
            "offline_pages_in_join": not args.no_offline_pages,
            "tap_rate_per_s": args.tap_rate,
            "hold_s": args.hold,
            "nudges_per_session": args.nudges,
            "broadcast_wait_s": args.broadcast_wait,
            "phase_change": not args.no_phase_change,
            "server_env": extra_env,
            "join_rate_per_ip": join_limit,
            "old_sessions_removed": removed,
        },
        "fd_limit": {"benchmark_soft": soft, "benchmark_hard": hard, "needed_per_process": need},
    }
    print(
        f"conference: {args.phones} phones in sessions of {sizes[0]} on {servers_n} processes; "
        f"fd limit {soft}/{hard}; {result['uptime_start']}",
        flush=True,
    )
    kind = "uvicorn-traced" if args.tracemalloc else "uvicorn"
    trace_base = Path(f"/tmp/bench-conference-trace-{os.getpid()}")  # noqa: S108
    if args.tracemalloc:
        extra_env |= {"BENCH_TRACEMALLOC_OUT": str(trace_base)}
    servers: list[ServerProcess] = []
    try:
        for port in APP_PORTS[:servers_n]:
            servers.append(
                start_server(
                    kind,
                    port,
                    ws_deflate=False,
                    extra_env=extra_env,
                    # tracemalloc makes Django's start several times slower
                    start_timeout=240 if args.tracemalloc else 30,
                )
            )
        result["fd_limit"]["servers"] = {str(s.port): proc_nofile_limit(s.pid) for s in servers}
        if args.tracemalloc:
            outcome = asyncio.run(play_traced(args, servers[0], sessions, login, trace_base, when))
        else:
            outcome = asyncio.run(play(args, servers, sessions, login))
        run = outcome.pop("run")
        result.update(outcome)
        result["server_log_tracebacks"] = {
            str(s.port): s.log_path.read_text().count("Traceback") for s in servers
        }
        result["server_logs"] = [str(s.log_path) for s in servers]
    finally:
        for server in servers:
            server.stop()
        for path in trace_base.parent.glob(trace_base.name + ".*"):
            path.unlink()
    summarise(args, result, run)
    result["uptime_end"] = uptime()
    result["seconds"] = round(time.monotonic() - started, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    prefix = "conference-tracemalloc" if args.tracemalloc else "conference"
    out = Path(args.out) if args.out else RESULTS / f"{prefix}-{when}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str) + "\n")
    report.write_markdown(RESULTS)
    print_summary(result)
    print(f"wrote {out} and {RESULTS / 'README.md'} in {result['seconds']} s")
    return 0


async def play_traced(
    args: argparse.Namespace,
    server: ServerProcess,
    sessions: list,
    login: tuple[str, str],
    base: Path,
    when: str,
) -> dict:
    """One traced server: snapshots at 10% and at all connected; the difference per phone."""
    run = Conference(args, [server], sessions)
    projectors = await open_projectors(sessions, [server.port])
    run.checkpoint("before the phones")
    run.start_workers()
    await run.until(lambda: len(run.progress) == args.clients, 60)
    run.tell("join")
    await run.until(lambda: run.total("open") >= args.phones // 10, 600)
    loop = asyncio.get_running_loop()
    first_open = run.total("open")
    first = await loop.run_in_executor(None, snapshot_server, server, base)
    await run.until(
        lambda: run.total("connected_once") + run.total("failed") >= args.phones,
        args.phones / args.join_rate * 3 + 120,
        stall=STALL_SECONDS,
    )
    await asyncio.sleep(5)
    last_open = run.total("open")
    run.checkpoint("all connected")
    second = await loop.run_in_executor(None, snapshot_server, server, base)
    out = RESULTS / f"tracemalloc-conference-{when}.txt"
    summary = tracemalloc_report(first, second, last_open - first_open, out)
    summary["report"] = str(out.relative_to(BASE_DIR))
    summary["phones_at_snapshots"] = [first_open, last_open]
    print(f"  tracemalloc: {summary['traced_kib_per_phone']} KiB traced per phone; {out}")
    await run.close_workers()
    for ws in projectors:
        with contextlib.suppress(Exception):
            await ws.close()
    return {"steps": {}, "tracemalloc": summary, "run": run}


def print_summary(result: dict) -> None:
    phones = result["phones"]
    print(
        f"  phones: {phones['connected']} of {phones['planned']} connected, "
        f"{phones['closed_by_server']} closed by the server "
        f"{dict(phones['closed_by_server_codes'])}"
    )
    for port, figures in result.get("per_phone", {}).items():
        print(
            f"  :{port}: {figures['phones_open']} phones, RSS {figures['rss_before_mib']} → "
            f"{figures['rss_after_mib']} MiB = {figures['rss_kib_per_phone']} KiB per phone "
            f"({figures.get('rss_kib_per_phone_20_to_100')} from 20%), "
            f"{figures['fds_per_phone']} fds per phone, {figures['redis_connections']} Redis "
            f"connections"
        )
    for b in result.get("broadcasts", []):
        heard = b.get("heard", {})
        lat = heard.get("latency", {})
        line = (
            f"  {b['kind']} {b['session']}: {heard.get('phones')} of {b['phones_expected']} "
            f"heard, p50 {lat.get('p50_ms')} p99 {lat.get('p99_ms')} max {lat.get('max_ms')} ms"
        )
        if "reloaded" in b:
            rl = b["reloaded"]["latency"]
            line += (
                f"; reloaded {b['reloaded']['phones']}: p50 {rl['p50_ms']} p99 {rl['p99_ms']} "
                f"max {rl['max_ms']} ms"
            )
        print(line)
