"""Joins alone, in a closed loop: what one server process spends per phone that joins.

A join as a browser makes it: GET /j/<code>/ (the page and its CSRF cookie), POST it, follow
the redirect to the first survey page. C workers join new phones one after another for D
seconds against one uvicorn process of the real deployment; then the same for the join page
alone and for the first survey page alone, so that the CPU per join can be split by request.
Optionally records the server with py-spy during the full joins.

    .venv/bin/python bench/join_path.py [--seconds 10] [--concurrency 8] [--profile]
    .venv/bin/python bench/join_path.py --against ../other-checkout [--ws] [--tables 30]

`--against` starts that checkout's server beside this one's and joins both at the same time
(the same generator, the same load from anything else on the machine): on a shared machine
the CPU per join of the two is comparable where runs one after the other are not.

Appends to bench/results/join-path.json (and, with --profile, writes profile-join-path.txt).
"""

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import websockets

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import fixtures, leanhttp
from bench.servers import BASE_DIR, PORTS, proc_cpu_seconds, pyspy_command, start_server, stop_all
from bench.stats import summary_ms

RESULTS = Path(__file__).resolve().parent / "results"
PORT = PORTS[8]  # 8209 (+ BENCH_PORT_OFFSET)


def _cookies(response: leanhttp.Response) -> dict[str, str]:
    out = {}
    for header in response.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out


async def loop(
    code: str,
    what: str,
    concurrency: int,
    seconds: float,
    port: int = PORT,
    ws: bool = False,
    offline: bool = False,
) -> dict:
    """Closed loop of `what`: "join" (GET, POST, first page; with `ws`, then the phone's
    websocket, kept open to the end; with `offline`, then every element's page as
    static/js/pages.js fetches them once the survey has loaded), "page" (GET /j/ only), or
    "survey" (the first survey page of an already joined phone)."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.monotonic() + seconds
    base = {"Accept-Language": "nl", "Origin": f"http://127.0.0.1:{port}"}
    sockets: list = []

    async def worker() -> None:
        pool = leanhttp.Pool(port, 1)
        survey_cookie = ""
        while time.monotonic() < deadline:
            t = time.monotonic()
            if what == "survey" and survey_cookie:
                r = await pool.request(
                    "GET", f"/s/{code}/survey/1/", headers={**base, "Cookie": survey_cookie}
                )
                ok = r.status_code == 200
            else:
                page = await pool.request("GET", f"/j/{code}/", headers=base)
                ok = page.status_code == 200
                if ok and what in ("join", "survey"):
                    csrf = _cookies(page)["csrftoken"]
                    joined = await pool.request(
                        "POST",
                        f"/j/{code}/",
                        headers={**base, "Cookie": f"csrftoken={csrf}"},
                        form={
                            "csrfmiddlewaretoken": csrf,
                            "table": "",
                            "role": "",
                            "consent": "on",
                        },
                    )
                    name = f"scentiss_p_{code}"
                    ok = joined.status_code == 302 and name in _cookies(joined)
                    if ok:
                        cookie = f"csrftoken={csrf}; {name}={_cookies(joined)[name]}"
                        if what == "survey":
                            survey_cookie = cookie
                            continue  # the survey page is what is timed, from the next round
                        first = await pool.request(
                            "GET", joined.headers["location"], headers={**base, "Cookie": cookie}
                        )
                        ok = first.status_code == 200
                        if ok and offline:
                            pages = await pool.request(
                                "GET",
                                f"/s/{code}/survey/offline/",
                                headers={**base, "Cookie": cookie, "X-Requested-With": "fetch"},
                            )
                            ok = pages.status_code == 200 and b"<template" in pages.content
                        if ok and ws:
                            socket = await websockets.connect(
                                f"ws://127.0.0.1:{port}/ws/s/{code}/phone/",
                                origin=base["Origin"],
                                additional_headers={"Cookie": cookie},
                                proxy=None,
                                open_timeout=30,
                            )
                            await socket.recv()  # the phase: the socket is in
                            sockets.append(socket)
                    else:
                        errors[f"join {joined.status_code}"] = errors.get("join", 0) + 1
            if ok:
                latencies.append(time.monotonic() - t)
            else:
                errors["failed"] = errors.get("failed", 0) + 1
        pool.close()

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.monotonic() - started
    for socket in sockets:
        await socket.close()
    return {"elapsed": elapsed, "latencies": latencies, "errors": errors}


def measure(
    server,
    code: str,
    what: str,
    concurrency: int,
    seconds: float,
    spy_out: Path | None,
    *,
    ws: bool = False,
    offline: bool = False,
):
    cpu_before = proc_cpu_seconds(server.process.pid)
    spy = None
    if spy_out is not None:
        spy = subprocess.Popen(
            pyspy_command(server.process.pid, seconds, spy_out),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    run = asyncio.run(loop(code, what, concurrency, seconds, ws=ws, offline=offline))
    cpu = proc_cpu_seconds(server.process.pid) - cpu_before
    if spy is not None:
        spy.wait(timeout=60)
    done = len(run["latencies"])
    return {
        "what": what,
        "done": done,
        "per_s": round(done / run["elapsed"], 1),
        "errors": run["errors"],
        "latency_ms": summary_ms(run["latencies"]),
        "server_cpu_ms_each": round(1000 * cpu / max(done, 1), 2),
    }


def side_by_side(args: argparse.Namespace) -> int:
    """This checkout's server (port 8209 + BENCH_PORT_OFFSET) and another's (8208), each with
    a session of its own, joined at the same time by the same generator, so that a machine
    shared with other work slows both alike: the CPU each server spent per join is the
    comparison."""
    fixtures.ensure_database()
    fixtures.setup_django()
    fixtures.delete_bench_sessions()
    from sessions.models import SEAT_MAX, Workshop

    sides = {"this": (PORT, BASE_DIR), "against": (PORT - 1, Path(args.against).resolve())}
    servers, codes = {}, {}
    for name in sides:
        [info] = fixtures.create_sessions([8 * args.tables], f"join-path {name}")
        Workshop.objects.filter(code=info.code).update(participant_cap=SEAT_MAX)
        codes[name] = info.code

    async def both(seconds: float) -> dict:
        runs = await asyncio.gather(
            *(
                loop(
                    codes[n], "join", args.concurrency, seconds, sides[n][0], args.ws, args.offline
                )
                for n in sides
            )
        )
        return dict(zip(sides, runs, strict=True))

    try:
        for name, (port, app_dir) in sides.items():  # inside: one that fails stops the other
            servers[name] = start_server("uvicorn", port, ws_deflate=False, cwd=app_dir)
        asyncio.run(both(2))  # warm up
        before = {n: proc_cpu_seconds(servers[n].process.pid) for n in sides}
        runs = asyncio.run(both(args.seconds))
        cpu = {n: proc_cpu_seconds(servers[n].process.pid) - before[n] for n in sides}
    finally:
        stop_all()
    result = {
        "label": args.label,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "side_by_side": {n: str(sides[n][1]) for n in sides},
        "tables": args.tables,
        "with_websocket": args.ws,
        "with_offline_pages": args.offline,
        "load_average_at_end": os.getloadavg()[0],
        "concurrency": args.concurrency,
        "runs": {
            n: {
                "done": len(runs[n]["latencies"]),
                "per_s": round(len(runs[n]["latencies"]) / runs[n]["elapsed"], 1),
                "errors": runs[n]["errors"],
                "latency_ms": summary_ms(runs[n]["latencies"]),
                "server_cpu_ms_each": round(1000 * cpu[n] / max(len(runs[n]["latencies"]), 1), 2),
            }
            for n in sides
        },
    }
    out = RESULTS / "join-path.json"
    history = json.loads(out.read_text()) if out.exists() else []
    history.append(result)
    out.write_text(json.dumps(history, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--profile", action="store_true", help="record the server with py-spy")
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--against",
        default="",
        help="another checkout: its server and this one's join at the same time, side by side",
    )
    parser.add_argument("--ws", action="store_true", help="each join also opens its websocket")
    parser.add_argument(
        "--offline",
        action="store_true",
        help="each join also fetches every element's page, as the phone does after the first",
    )
    parser.add_argument("--tables", type=int, default=1, help="tables of the session joined")
    args = parser.parse_args()
    if args.against:
        return side_by_side(args)

    fixtures.ensure_database()
    fixtures.setup_django()
    fixtures.delete_bench_sessions()
    [info] = fixtures.create_sessions([1], "join-path")
    from sessions.models import SEAT_MAX, Workshop

    # Room for every phone the loops join (a few thousand): a refused join is not a join.
    Workshop.objects.filter(code=info.code).update(participant_cap=SEAT_MAX)
    server = start_server("uvicorn", PORT, ws_deflate=False)
    try:
        asyncio.run(loop(info.code, "join", args.concurrency, 2))  # warm up
        runs = [
            measure(
                server,
                info.code,
                "join",
                args.concurrency,
                args.seconds,
                RESULTS / "profile-join-path.txt" if args.profile else None,
                ws=args.ws,
                offline=args.offline,
            ),
            measure(server, info.code, "page", args.concurrency, args.seconds, None),
            measure(server, info.code, "survey", args.concurrency, args.seconds, None),
        ]
    finally:
        stop_all()
    result = {
        "label": args.label,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average_at_end": os.getloadavg()[0],
        "concurrency": args.concurrency,
        "with_websocket": args.ws,
        "with_offline_pages": args.offline,
        "runs": runs,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "join-path.json"
    history = json.loads(out.read_text()) if out.exists() else []
    history.append(result)
    out.write_text(json.dumps(history, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
