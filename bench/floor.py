"""The floor: what a bare channels-redis group_send to a websocket costs on this machine.

Starts bench/floor_app.py (no Django) under the same server as the app, opens `listeners`
websockets on each of `groups` groups, and group_sends a results-sized snapshot to every group
`rate` times a second (the app's coalescing cap is 10 per session and process). The latency is
from just before group_send to the websocket client's receipt, both clocks in this process.

    .venv/bin/python bench/floor.py [--groups 26] [--listeners 2] [--rate 10] [--seconds 8]
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import websockets
from websockets.asyncio.client import connect

from bench.floor_app import floor_layer
from bench.servers import CHANNEL_PREFIX, PORTS, REDIS_URL, start_server
from bench.stats import summary_ms

FLOOR_PORT = PORTS[8]  # 8209 (+ BENCH_PORT_OFFSET)


def synthetic_snapshot(elements: int = 6, items: int = 8) -> dict:
    """A snapshot of the app's shape and size (46-ish items with labels and counts)."""
    rng = random.Random(1)
    return {
        "session": "FLOOR1",
        "city": "Floor",
        "version": 0,
        "phase": "survey",
        "revealed": False,
        "projector": {"mode": "results", "element": "kennis"},
        "respondents": 30,
        "participants": 31,
        "elements": [
            {
                "key": f"element-{e}",
                "name": f"Element nummer {e} met een naam",
                "score": round(rng.uniform(1, 5), 2),
                "n": 28,
                "dont_know": 3,
                "items": [
                    {
                        "key": f"element-{e}-{i}",
                        "label": f"Een kort label voor stelling {i}",
                        "mean": round(rng.uniform(1, 5), 2),
                        "n": 27,
                        "dont_know": 2,
                        "counts": [rng.randint(0, 9) for _ in range(5)],
                    }
                    for i in range(items)
                ],
            }
            for e in range(elements)
        ],
    }


async def _measure(
    port: int, groups: int, listeners: int, rate: float, seconds: float, compression: str | None
) -> dict:
    # The server's Redis and prefix (BENCH_REDIS_URL, BENCH_CHANNEL_PREFIX), not this
    # process's environment: with those overridden, the two sides missed each other.
    with _environ(REDIS_URL=REDIS_URL, CHANNEL_PREFIX=CHANNEL_PREFIX):
        layer = floor_layer()
    latencies: list[float] = []
    received = 0
    sockets = []
    for g in range(groups):
        for _ in range(listeners):
            sockets.append(
                (
                    g,
                    await connect(
                        f"ws://127.0.0.1:{port}/floor/g{g}",
                        compression=compression,
                        max_size=None,
                        open_timeout=10,
                    ),
                )
            )
    await asyncio.sleep(0.5)  # let every group_add land before the first send

    async def listen(ws: websockets.ClientConnection) -> None:
        nonlocal received
        try:
            async for raw in ws:
                now = time.monotonic()
                latencies.append(now - json.loads(raw)["t"])
                received += 1
        except websockets.ConnectionClosed:
            pass

    readers = [asyncio.create_task(listen(ws)) for _, ws in sockets]
    base = synthetic_snapshot()
    sent = 0

    async def publish(g: int) -> None:
        nonlocal sent
        loop = asyncio.get_running_loop()
        start = loop.time() + random.random() / rate  # groups out of phase, like sessions
        n = 0
        while (due := start + n / rate) < start + seconds:
            await asyncio.sleep(max(0.0, due - loop.time()))
            n += 1
            snapshot = {**base, "version": n, "t": time.monotonic()}
            await layer.group_send(f"g{g}", {"type": "floor.snapshot", "snapshot": snapshot})
            sent += 1

    started = time.monotonic()
    await asyncio.gather(*(publish(g) for g in range(groups)))
    elapsed = time.monotonic() - started
    await asyncio.sleep(1.0)  # the last messages in flight
    for _, ws in sockets:
        await ws.close()
    await asyncio.gather(*readers, return_exceptions=True)
    await layer.close_pools()
    expected = sent * listeners
    return {
        "groups": groups,
        "listeners_per_group": listeners,
        "rate_per_group": rate,
        "seconds": round(elapsed, 1),
        "group_sends": sent,
        "messages_expected": expected,
        "messages_received": received,
        "lost": expected - received,
        "payload_bytes": len(json.dumps({**base, "t": time.monotonic()})),
        "latency": summary_ms(latencies),
    }


@contextlib.contextmanager
def _environ(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_floor(
    *,
    server: str = "uvicorn",
    groups: int = 26,
    listeners: int = 2,
    rate: float = 10.0,
    seconds: float = 8.0,
    ws_deflate: bool = True,
) -> dict:
    """Start the floor server, measure, stop it; returns the floor's numbers."""
    process = start_server(
        server, FLOOR_PORT, ws_deflate=ws_deflate, app="bench.floor_app:app", health_path="/"
    )
    try:
        result = asyncio.run(
            _measure(
                FLOOR_PORT,
                groups,
                listeners,
                rate,
                seconds,
                # Browsers always offer per-message deflate; the server decides.
                "deflate",
            )
        )
        result["server"] = server
        result["ws_deflate"] = ws_deflate
        result["server_rss_kib"] = process.rss_kib()
        return result
    finally:
        process.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=["uvicorn", "daphne"], default="uvicorn")
    parser.add_argument("--groups", type=int, default=26)
    parser.add_argument("--listeners", type=int, default=2)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--no-ws-deflate", action="store_true")
    args = parser.parse_args()
    result = run_floor(
        server=args.server,
        groups=args.groups,
        listeners=args.listeners,
        rate=args.rate,
        seconds=args.seconds,
        ws_deflate=not args.no_ws_deflate,
    )
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
