"""A phone's join counted in CPU instructions, in one process, without sockets: the numbers a
shared machine does not disturb (wall-clock and CPU-time runs move with whatever else runs).

N phones join as `bench/join_path.py --ws` makes them: GET /j/<code>/, POST it, GET the first
survey page, open /ws/s/<code>/phone/ and read the phase; each request is sent to the ASGI
application the server runs (scentiss.asgi:application: the body's limits, the concurrency
limit, the one-hop handler, every middleware) on the benchmark's database and Redis
(bench/servers.py: BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_CHANNEL_PREFIX). The sockets
stay open to the end, as a phone's do.

    .venv/bin/python bench/join_instructions.py --joins 40          # queries per request
    .venv/bin/python bench/join_instructions.py --callgrind         # instructions per join

`--callgrind` runs the joins twice under valgrind's callgrind (--warm and --warm + --joins
phones after the same start-up) and reports the difference divided by --joins: the
instructions of one join, with the process's start-up, Django's set-up and the first
requests' caches taken out. `--save-html DIR` writes the join page and the first survey page
of one join in both languages, for comparing the bytes before and after a change.
"""

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import BASE_DIR, server_env

ORIGIN = "http://127.0.0.1:8209"


def _setup() -> None:
    os.environ.update(server_env())
    # Under valgrind the pool's thread opens its connections some fifty times slower than the
    # request waits for one by default (DB_POOL_TIMEOUT, 3 s).
    os.environ["DB_POOL_TIMEOUT"] = "300"
    if not os.environ.get("JOIN_INSTRUCTIONS_SNAPSHOTS"):
        # The results snapshot a join announces runs at most once per interval, so how many
        # fall in a run depends on the clock (under valgrind: one per join, at full speed a
        # few): left out, the count is the requests' own and repeatable.
        os.environ["RESULTS_BROADCAST_INTERVAL"] = "3600"
        os.environ["RESULTS_BROADCAST_MIN_INTERVAL"] = "3600"
    os.environ["DJANGO_SETTINGS_MODULE"] = "scentiss.settings"
    import django

    django.setup()


class Counter:
    """SQL statements per request, from every thread's connection (the one-hop handler runs
    the view in a thread of its own, whose connection CaptureQueriesContext would not see)."""

    def __init__(self) -> None:
        self.count = 0
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        self.sql.append(sql[:90])
        return execute(sql, params, many, context)


def _install(counter: Counter) -> None:
    from django.db.backends.signals import connection_created

    def add(sender, connection, **kwargs) -> None:
        if counter not in connection.execute_wrappers:
            connection.execute_wrappers.append(counter)

    connection_created.connect(add, weak=False)


async def _http(app, method: str, path: str, headers: dict[str, str], body: bytes = b""):
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [
            (b"host", b"127.0.0.1:8209"),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
            *([(b"content-length", str(len(body)).encode())] if method == "POST" else []),
        ],
        "server": ("127.0.0.1", 8209),
        "client": ("127.0.0.1", 40000),
    }
    pending = [{"type": "http.request", "body": body, "more_body": False}]
    done = asyncio.Event()
    sent: list[dict] = []

    async def receive():
        if pending:
            return pending.pop()
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    await app(scope, receive, send)
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], [(k.decode().lower(), v.decode()) for k, v in start["headers"]], body


def _set_cookies(headers: list[tuple[str, str]]) -> dict[str, str]:
    out = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            out[key.strip()] = rest.split(";", 1)[0]
    return out


def _header_text(headers: list[tuple[str, str]]) -> bytes:
    """The response's headers, one a line, cookies' values left out (they differ per phone)."""
    lines = sorted(
        f"{name}: {value.split('=', 1)[0] if name == 'set-cookie' else value}"
        for name, value in headers
    )
    return "\n".join(lines).encode()


async def _join(
    app, code: str, language: str, counter: Counter | None, sockets: list, close: bool = False
) -> dict:
    """One phone's join; the SQL statements of each step (with a counter)."""
    from channels.testing import WebsocketCommunicator

    counts: dict[str, int] = {}
    pages: dict[str, bytes] = {}

    def note(step: str) -> None:
        if counter is not None:
            counts[step] = counter.count
            counter.count = 0

    base = {"accept-language": language, "origin": ORIGIN}
    if counter is not None:
        counter.count = 0
    status, headers, body = await _http(app, "GET", f"/j/{code}/", base)
    assert status == 200, (status, body[:300])
    pages["join"] = body
    pages["join-headers"] = _header_text(headers)
    note("join page")
    csrf = _set_cookies(headers)["csrftoken"]
    version = re.search(rb'name="consent_version" value="(\d+)"', body)
    form = f"csrfmiddlewaretoken={csrf}&table=&role=&consent=on"
    if version:
        form += f"&consent_version={version.group(1).decode()}"
    status, headers, body = await _http(
        app,
        "POST",
        f"/j/{code}/",
        {
            **base,
            "cookie": f"csrftoken={csrf}",
            "content-type": "application/x-www-form-urlencoded",
        },
        form.encode(),
    )
    assert status == 302, (status, body[:300])
    note("join POST")
    name = f"scentiss_p_{code}"
    cookie = f"csrftoken={csrf}; {name}={_set_cookies(headers)[name]}"
    location = dict(headers)["location"]
    status, headers, body = await _http(app, "GET", location, {**base, "cookie": cookie})
    assert status == 200, (status, body[:300])
    pages["survey"] = body
    pages["survey-headers"] = _header_text(headers)
    note("first survey page")
    socket = WebsocketCommunicator(
        app,
        f"/ws/s/{code}/phone/",
        headers=[
            (b"host", b"127.0.0.1:8209"),
            (b"origin", ORIGIN.encode()),
            (b"cookie", cookie.encode()),
            (b"accept-language", language.encode()),
        ],
    )
    socket.scope["client"] = ("127.0.0.1", 40001)
    connected, _ = await socket.connect(timeout=30)
    assert connected
    state = await socket.receive_json_from(timeout=30)
    assert "phase" in state, state
    note("websocket")
    if close:
        await socket.disconnect()
    else:
        sockets.append(socket)
    return {"counts": counts, "pages": pages}


def _session(tables: int) -> str:
    from bench import fixtures
    from sessions.models import SEAT_MAX, Workshop

    [info] = fixtures.create_sessions([8 * tables], "join-instructions")
    Workshop.objects.filter(code=info.code).update(participant_cap=SEAT_MAX)
    return info.code


def run(args: argparse.Namespace) -> None:
    _setup()
    from scentiss.asgi import application

    counter = Counter() if args.queries else None
    if counter is not None:
        _install(counter)
    code = _session(args.tables)

    async def main() -> list[dict]:
        sockets: list = []
        results = []
        for i in range(args.warm + args.joins):
            language = "en" if args.english and i % 2 else "nl"
            results.append(await _join(application, code, language, counter, sockets, args.close))
        if args.save_html:
            out = Path(args.save_html)
            out.mkdir(parents=True, exist_ok=True)
            for language in ("nl", "en"):
                joined = await _join(application, code, language, None, sockets)
                for page, body in joined["pages"].items():
                    suffix = "txt" if "headers" in page else "html"
                    (out / f"{page}-{language}.{suffix}").write_bytes(body)
        return results

    started = time.monotonic()
    results = asyncio.run(main())
    elapsed = time.monotonic() - started
    if counter is not None:
        last = results[-1]["counts"]
        print(json.dumps({"queries per step": last, "per join": sum(last.values())}))
    print(json.dumps({"joins": len(results), "seconds": round(elapsed, 2)}), flush=True)
    sys.stdout.flush()
    os._exit(0)  # the open sockets' tasks are not waited for


def _callgrind_total(
    warm: int, joins: int, tables: int, keep: Path | None, close: bool = False
) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        command = [
            "env",
            "PYTHONHASHSEED=0",  # the same dicts and sets in every run
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            "--dump-instr=no",
            sys.executable,
            str(Path(__file__).resolve()),
            "--warm",
            str(warm),
            "--joins",
            str(joins),
            "--tables",
            str(tables),
            *(["--close"] if close else []),
        ]
        result = subprocess.run(command, cwd=BASE_DIR, capture_output=True, text=True, check=False)
        found = re.search(r"Collected : (\d+)", result.stderr)
        if result.returncode != 0 or not found:
            sys.exit(f"callgrind failed:\n{result.stdout}\n{result.stderr[-3000:]}")
        if keep is not None:
            keep.write_bytes(out.read_bytes())
        return int(found.group(1))


def callgrind(args: argparse.Namespace) -> None:
    from concurrent.futures import ThreadPoolExecutor

    keep = Path(args.keep) if args.keep else None
    with ThreadPoolExecutor(2) as pool:  # the two runs side by side: counts do not mind
        base_run = pool.submit(_callgrind_total, args.warm, 0, args.tables, None, args.close)
        total_run = pool.submit(
            _callgrind_total, args.warm, args.joins, args.tables, keep, args.close
        )
        base, total = base_run.result(), total_run.result()
    per_join = (total - base) / args.joins
    print(
        json.dumps(
            {
                "warm": args.warm,
                "joins": args.joins,
                "instructions_base": base,
                "instructions_total": total,
                "instructions_per_join": round(per_join),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--joins", type=int, default=40)
    parser.add_argument("--warm", type=int, default=10, help="joins before the counted ones")
    parser.add_argument("--tables", type=int, default=30)
    parser.add_argument("--queries", action="store_true", help="count SQL per request")
    parser.add_argument("--english", action="store_true", help="every other phone in English")
    parser.add_argument("--save-html", default="", help="write one join's pages here")
    parser.add_argument(
        "--close",
        action="store_true",
        help="close each socket after its first message: open sockets wake up with the clock "
        "(channels' 5 s receive), so under valgrind their share of a run follows its duration",
    )
    parser.add_argument("--callgrind", action="store_true")
    parser.add_argument("--keep", default="", help="with --callgrind: keep the larger run's file")
    args = parser.parse_args()
    if args.callgrind:
        callgrind(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
