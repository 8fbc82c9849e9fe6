"""Start and watch the ASGI server processes the benchmarks run against.

Each server is a real deployment process (uvicorn or daphne) on 127.0.0.1 with the app's
production settings; nothing here imports Django, so the load generator stays lean.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from scentiss.transport import UVICORN_ARGS

BASE_DIR = Path(__file__).resolve().parent.parent
# On a machine where several people run benchmarks, BENCH_PORT_OFFSET moves every port of a
# run (8201-8209 + offset), so that two runs do not take each other's servers' ports.
PORT_OFFSET = int(os.environ.get("BENCH_PORT_OFFSET", "0"))
PORTS = range(8201 + PORT_OFFSET, 8210 + PORT_OFFSET)  # the ports a run may use, and no others
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_load")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
CHANNEL_PREFIX = os.environ.get("BENCH_CHANNEL_PREFIX", "bench-load")
# Fixed so that participant cookies stay valid across the server processes of a run.
# collectstatic goes here, so the servers send compressed, cacheable files as deployed.
STATIC_ROOT = BASE_DIR / ".bench-static"
SECRET_KEY = "bench-load-secret-key-not-for-production-0123456789abcdefghijklmnop"  # noqa: S105
CLK_TCK = os.sysconf("SC_CLK_TCK")


def server_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a server process: the benchmark's own database and Redis prefix."""
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CHANNEL_PREFIX": CHANNEL_PREFIX,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": SECRET_KEY,
        "LOG_LEVEL": "WARNING",
        "DEBUG": "false",
        # Every phone of the benchmark joins from 127.0.0.1, as a venue's phones from its NAT
        # address, but 2,000 of them in a minute: above the per-address join limit.
        "JOIN_RATE_PER_IP": "100000/minute",
        "STATIC_ROOT": str(STATIC_ROOT),
        **(extra or {}),
    }


def server_command(kind: str, port: int, *, ws_deflate: bool = True, app: str = "") -> list[str]:
    app = app or "scentiss.asgi:application"
    if kind in ("uvicorn", "uvicorn-traced"):
        # uvicorn-traced: the same server with tracemalloc on (bench/traced_server.py).
        start = (
            ["-m", "uvicorn"]
            if kind == "uvicorn"
            else [str(BASE_DIR / "bench" / "traced_server.py")]
        )
        return [
            sys.executable,
            *start,
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--ws-per-message-deflate",
            "true" if ws_deflate else "false",
            "--backlog",
            "4096",
            # The app's limits on slow clients (scentiss/transport.py); the floor's bare app
            # has no Django settings to read them from.
            *(UVICORN_ARGS if app == "scentiss.asgi:application" else []),
        ]
    if kind == "daphne":
        return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "-v", "0", app]
    raise ValueError(f"unknown server {kind!r}")


_running: list["ServerProcess"] = []


def stop_all() -> None:
    """Stop every server this process started (on an interrupt, before exiting)."""
    for server in list(_running):
        server.stop()


@dataclass
class ServerProcess:
    kind: str
    port: int
    process: subprocess.Popen
    log_path: Path
    samples: list[tuple[float, int, float]] = field(default_factory=list)  # (t, rss KiB, cpu s)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_kib(self) -> int:
        return proc_rss_kib(self.pid)

    def cpu_seconds(self) -> float:
        return proc_cpu_seconds(self.pid)

    def sample(self) -> None:
        if self.process.poll() is None:
            self.samples.append((time.monotonic(), self.rss_kib(), self.cpu_seconds()))

    def stop(self) -> None:
        if self in _running:
            _running.remove(self)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def pyspy_command(pid: int, seconds: float, out: Path, *, rate: int = 100) -> list[str]:
    """py-spy recording a server without pausing it, only the thread holding the GIL (where
    the CPU goes, not who waits), as collapsed stacks (bench/pyspy_top.py sums them)."""
    return [
        str(Path(sys.executable).parent / "py-spy"),
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(int(seconds)),
        "--rate",
        str(rate),
        "--nonblocking",
        "--gil",
        "--format",
        "raw",
        "--output",
        str(out),
    ]


def proc_rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (no psutil needed)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return 0.0
    # The command name may hold spaces; the fields after it are fixed.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def cpu_by_command(names: tuple[str, ...] = ("postgres", "redis-server")) -> dict[str, float]:
    """CPU seconds used so far by every process with one of these command names (PostgreSQL
    runs a process per connection), to tell the services' share of a busy machine."""
    totals = dict.fromkeys(names, 0.0)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.find("(") + 1 : stat.rfind(")")]
        if comm in totals:
            fields = stat.rsplit(")", 1)[1].split()
            used = int(fields[11]) + int(fields[12])
            parent = Path(f"/proc/{fields[1]}/comm")
            with contextlib.suppress(OSError):
                if parent.read_text().strip() != comm:
                    # The root process (PostgreSQL's postmaster) also carries the CPU of its
                    # children that already exited: one backend per closed connection.
                    used += int(fields[13]) + int(fields[14])
            totals[comm] += used / CLK_TCK
    return totals


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, for utilisation between two readings."""
    parts = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = parts[3] + parts[4]
    total = sum(parts[:8])
    return total - idle, total


def port_free(port: int) -> bool:
    with socket.socket() as s:
        # As the servers do: connections of an earlier run in TIME_WAIT must not count.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_http(port: int, path: str, timeout: float) -> None:
    """Until GET path answers 200: the server is up and reaches its database."""
    deadline = time.monotonic() + timeout
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(request.encode())
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not answer {path} within {timeout} s")


def start_server(
    kind: str,
    port: int,
    *,
    ws_deflate: bool = True,
    app: str = "",
    cwd: Path = BASE_DIR,
    extra_env: dict[str, str] | None = None,
    health_path: str = "/healthz",
    log_dir: Path | None = None,
    start_timeout: float = 30,
) -> ServerProcess:
    if port not in PORTS:
        raise ValueError(f"port {port} is outside the benchmark's ports {PORTS}")
    if not port_free(port):
        raise RuntimeError(f"port {port} is taken: is an earlier benchmark still running?")
    log_dir = log_dir or Path("/tmp/bench-load-logs")  # noqa: S108
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{time.strftime('%H%M%S')}-{kind}-{port}.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        server_command(kind, port, ws_deflate=ws_deflate, app=app),
        cwd=cwd,
        env=server_env(extra_env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a Ctrl-C of the benchmark must not hit the servers first
    )
    server = ServerProcess(kind=kind, port=port, process=process, log_path=log_path)
    _running.append(server)
    try:
        wait_http(port, health_path, timeout=start_timeout)
    except RuntimeError as error:
        server.stop()
        tail = "".join(log_path.read_text().splitlines(keepends=True)[-5:])
        raise RuntimeError(f"{error}; its log ends:\n{tail}") from None
    return server
