"""Memory of one server process under stalled request bodies, and after they are gone.

N clients send a POST's headers, then 900,000 bytes of a 1,000,000-byte body, then nothing
(under the 1 MiB limit that any request gets); the script prints the process's RSS before,
while they are held, and after they are closed. No database is read: the bodies are refused
408 before they reach Django.

    .venv/bin/python bench/stalled_bodies.py [--clients 300] [--port 8209]

Set MALLOC_MMAP_THRESHOLD_=65536 in the environment to see the setting the container uses.
"""

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scentiss.transport import UVICORN_ARGS  # noqa: E402

HEAD = (
    b"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
)


def rss_mb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) // 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--port", type=int, default=8209)
    args = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": "sqlite:////tmp/stalled-bodies.sqlite3",
        "REDIS_URL": "",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "stalled-bodies-only-" + "k" * 40,
    }
    command = [sys.executable, "-m", "uvicorn", "scentiss.asgi:application"]
    command += ["--host", "127.0.0.1", "--port", str(args.port), "--log-level", "warning"]
    command += UVICORN_ARGS
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", args.port)).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        print(f"before: {rss_mb(server.pid)} MB")
        held = []
        for _ in range(args.clients):
            sock = socket.create_connection(("127.0.0.1", args.port))
            sock.sendall(HEAD)
            held.append(sock)
        time.sleep(1)  # the headers on their own, as a slow client sends them
        for sock in held:
            sock.sendall(b"a" * 900_000)
        time.sleep(3)
        print(f"{args.clients} stalled bodies: {rss_mb(server.pid)} MB")
        for sock in held:
            sock.close()
        time.sleep(3)
        print(f"after they closed: {rss_mb(server.pid)} MB")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
