"""The answer endpoint alone, in a closed loop: what one server process spends per answer.

One uvicorn process of the real deployment (PostgreSQL, Redis layer, no websockets), a few
sessions in the survey phase with participants joined in the database, and C workers that each
POST answers as a phone's htmx does, one after another, for D seconds. The lean HTTP/1.1
client of the load benchmark (bench/leanhttp.py) keeps the generator's own CPU small, so the
server's CPU per answer is what is measured. Optionally records the server with py-spy.

    .venv/bin/python bench/answer_path.py [--seconds 20] [--concurrency 8] [--profile]

Writes bench/results/answer-path.json (and, with --profile, profile-answer-path.txt).
"""

import argparse
import asyncio
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import fixtures, leanhttp
from bench.servers import PORTS, proc_cpu_seconds, pyspy_command, start_server, stop_all
from bench.stats import summary_ms

RESULTS = Path(__file__).resolve().parent / "results"
PORT = PORTS[8]  # 8209 (+ BENCH_PORT_OFFSET)


def proc_user_sys(pid: int) -> tuple[float, float]:
    """User and system CPU seconds of a process: thread hops show up as system time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def prepare(sessions: int, phones_per_session: int) -> list[tuple[str, str, list[int]]]:
    """Sessions in the survey phase and their phones: (code, cookie header, statement ids)."""
    fixtures.ensure_database()
    fixtures.setup_django()
    from django.http import HttpResponse
    from django.middleware.csrf import _get_new_csrf_string

    from sessions.models import Workshop
    from sessions.selectors import PARTICIPANT_COOKIE_SALT, participant_cookie_name
    from sessions.services import participant_join

    fixtures.delete_bench_sessions()
    phones = []
    for info in fixtures.create_sessions([phones_per_session] * sessions, "answer-path"):
        workshop = Workshop.objects.get(code=info.code)
        statements = [sid for sid, _element in info.statements]
        for _ in range(phones_per_session):
            participant = participant_join(workshop=workshop, table=None, role="")
            name = participant_cookie_name(workshop)
            response = HttpResponse()
            response.set_signed_cookie(name, str(participant.token), salt=PARTICIPANT_COOKIE_SALT)
            csrf = _get_new_csrf_string()
            cookie = f"csrftoken={csrf}; {name}={response.cookies[name].value}"
            phones.append((info.code, cookie, csrf, statements))
    return phones


async def loop(phones: list, concurrency: int, seconds: float) -> dict:
    rng = random.Random(1)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.monotonic() + seconds

    async def worker(index: int) -> None:
        pool = leanhttp.Pool(PORT, 1)
        mine = phones[index::concurrency]
        while time.monotonic() < deadline:
            code, cookie, csrf, statements = rng.choice(mine)
            headers = {
                "Cookie": cookie,
                "X-CSRFToken": csrf,
                "HX-Request": "true",
                "Origin": f"http://127.0.0.1:{PORT}",
                "Accept-Language": "nl",
            }
            score = rng.choice(["1", "2", "3", "4", "5", "dk"])
            form = {"statement": str(rng.choice(statements)), "score": score}
            t = time.monotonic()
            response = await pool.request("POST", f"/s/{code}/answer/", headers=headers, form=form)
            status = response.status_code
            if status == 200:
                latencies.append(time.monotonic() - t)
            else:
                errors[str(status)] = errors.get(str(status), 0) + 1

    started = time.monotonic()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return {"elapsed": time.monotonic() - started, "latencies": latencies, "errors": errors}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--phones", type=int, default=40, help="per session")
    parser.add_argument("--profile", action="store_true", help="record the server with py-spy")
    parser.add_argument("--label", default="")
    args = parser.parse_args()

    phones = prepare(args.sessions, args.phones)
    server = start_server("uvicorn", PORT, ws_deflate=False)
    spy = None
    try:
        asyncio.run(loop(phones, args.concurrency, 2))  # warm up: imports, pools, caches
        cpu_before = proc_cpu_seconds(server.process.pid)
        user_sys_before = proc_user_sys(server.process.pid)
        own_before = time.process_time()
        if args.profile:
            spy = subprocess.Popen(
                pyspy_command(
                    server.process.pid, args.seconds, RESULTS / "profile-answer-path.txt"
                ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        run = asyncio.run(loop(phones, args.concurrency, args.seconds))
        server_cpu = proc_cpu_seconds(server.process.pid) - cpu_before
        user, system = (
            after - before
            for after, before in zip(
                proc_user_sys(server.process.pid), user_sys_before, strict=True
            )
        )
        own_cpu = time.process_time() - own_before
        if spy is not None:
            spy.wait(timeout=60)
    finally:
        stop_all()
    answers = len(run["latencies"])
    result = {
        "label": args.label,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average_at_end": os.getloadavg()[0],
        "concurrency": args.concurrency,
        "sessions": args.sessions,
        "phones": len(phones),
        "answers": answers,
        "answers_per_s": round(answers / run["elapsed"], 1),
        "errors": run["errors"],
        "latency_ms": summary_ms(run["latencies"]),
        "server_cpu_ms_per_answer": round(1000 * server_cpu / max(answers, 1), 2),
        "server_user_sys_ms_per_answer": [
            round(1000 * user / max(answers, 1), 2),
            round(1000 * system / max(answers, 1), 2),
        ],
        "generator_cpu_ms_per_answer": round(1000 * own_cpu / max(answers, 1), 2),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "answer-path.json"
    history = json.loads(out.read_text()) if out.exists() else []
    history.append(result)
    out.write_text(json.dumps(history, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
