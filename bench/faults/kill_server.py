"""Fault (a): kill -9 one of two server processes in the middle of a load of answers.

Two uvicorn processes (ports 8301 and 8302) share PostgreSQL (`faults`) and Redis (own, 6391).
Phones tap their answers through both, alternately, as behind a load balancer; some change an
earlier answer. When 40 % of the answers are acknowledged, the process on 8302 is killed with
SIGKILL. A phone whose request fails (connection refused or cut, or a 5xx) keeps the answer and
sends it again, to the other process, after a short backoff, as static/js/survey.js does.

PASS when every acknowledged answer (HTTP 200) is in the database with the value last
acknowledged for it, no answer is stored twice, and the survivor serves the room's results.

    .venv/bin/python bench/faults/kill_server.py
"""

import asyncio
import random
import time

import httpx
from _common import (
    REDIS_URL,
    Phone,
    Report,
    Server,
    create_session,
    db,
    ensure_database,
    log,
    port,
    run,
    start_redis,
    statement_ids,
    stop_redis,
    stored_answers,
    tables,
)

PHONES = 30
CHANGES = 0.15  # share of taps that change an earlier answer
KILL_AT = 0.4
SCORES = ["1", "2", "3", "4", "5", "dk"]
VALUE = {"dk": None, **{s: int(s) for s in SCORES[:5]}}


async def main() -> Report:
    report = Report("fault (a): kill -9 one of two server processes under load")
    ensure_database()
    start_redis()
    env = {"REDIS_URL": REDIS_URL, "CHANNEL_PREFIX": "faults-kill"}
    servers = [Server(port(1), env).start(), Server(port(2), env).start()]
    a, b = servers
    phones: list[Phone] = []
    try:
        session = create_session(base_url=a.url)
        code = session["code"]
        statements = statement_ids(code)
        rnd = random.Random(7)
        plans = []
        for _ in range(PHONES):
            taps = [(s, rnd.choice(SCORES)) for s in statements]
            for _ in range(int(len(statements) * CHANGES)):
                taps.insert(
                    rnd.randrange(1, len(taps)), (rnd.choice(statements), rnd.choice(SCORES))
                )
            plans.append(taps)
        planned = sum(len(p) for p in plans)
        acked: dict[tuple[str, int], str] = {}
        figures = {
            "requests": 0,
            "acknowledged": 0,
            "connection errors": 0,
            "server errors (5xx)": 0,
            "refused (4xx)": 0,
            "retried": 0,
        }
        killed = asyncio.Event()
        kill_time: list[float] = []
        alive = [a, b]

        async def phone_run(index: int, taps) -> None:
            phone = Phone(code)
            phones.append(phone)
            await phone.join(servers[index % 2].url, table=index % 4 + 1)
            for n, (statement, score) in enumerate(taps):
                target = alive[(index + n) % len(alive)]
                attempt = 0
                while True:
                    figures["requests"] += 1
                    try:
                        response = await phone.answer(target.url, statement, score)
                    except Exception:  # refused, reset, timed out: not acknowledged
                        figures["connection errors"] += 1
                        status = None
                    else:
                        status = response.status_code
                    if status == 200:
                        acked[(phone.token, statement)] = score
                        figures["acknowledged"] += 1
                        if not killed.is_set() and figures["acknowledged"] >= planned * KILL_AT:
                            killed.set()
                        break
                    if status is not None and 400 <= status < 500:
                        figures["refused (4xx)"] += 1
                        break  # refused with a message: retrying cannot help (survey.js)
                    if status is not None:
                        figures["server errors (5xx)"] += 1
                    figures["retried"] += 1
                    attempt += 1
                    await asyncio.sleep(min(0.05 * 2**attempt, 1.0))
                    target = alive[(index + n + attempt) % len(alive)]

        async def killer() -> None:
            await killed.wait()
            log(f"kill -9 the server on {b.port} (pid {b.process.pid})")
            b.kill()
            kill_time.append(time.monotonic())
            alive.remove(b)  # the load balancer notices; requests already sent to it fail

        started = time.monotonic()
        kill_task = asyncio.create_task(killer())
        await asyncio.gather(*(phone_run(i, plan) for i, plan in enumerate(plans)))
        await kill_task
        elapsed = time.monotonic() - started

        stored = stored_answers(code)
        missing = [k for k in acked if k not in stored]
        wrong = [k for k, v in acked.items() if k in stored and stored[k] != VALUE[v]]
        answers = tables()["answer"]
        with db() as conn:
            duplicates = conn.execute(
                f"SELECT count(*) FROM (SELECT participant_id, statement_id FROM {answers} "  # noqa: S608
                "GROUP BY participant_id, statement_id HAVING count(*) > 1) d"
            ).fetchone()[0]
        figures.update(
            {
                "phones": PHONES,
                "answers planned (taps incl. changes)": planned,
                "distinct answers acknowledged": len(acked),
                "rows stored": len(stored),
                "acknowledged but missing": len(missing),
                "acknowledged but other value stored": len(wrong),
                "killed after (s)": round(kill_time[0] - started, 2) if kill_time else None,
                "load took (s)": round(elapsed, 2),
            }
        )
        report.figures = figures
        report.check(
            f"the server on {b.port} was killed mid-load",
            bool(kill_time) and b.process.poll() is not None,
        )
        report.check(
            "requests failed at the kill (the fault happened under load)",
            figures["connection errors"] + figures["server errors (5xx)"] > 0,
            f"{figures['connection errors']} connection errors, "
            f"{figures['server errors (5xx)']} 5xx",
        )
        report.check(
            "every tap was eventually acknowledged",
            figures["acknowledged"] == planned,
            f"{figures['acknowledged']}/{planned}",
        )
        report.check("every acknowledged answer is stored", not missing, f"missing {missing[:3]}")
        report.check("with the value last acknowledged", not wrong, f"wrong {wrong[:3]}")
        report.check("no answer stored twice", duplicates == 0, f"{duplicates} duplicates")
        report.check(
            "nothing stored that was never sent",
            set(stored) <= set(acked),
            f"{len(set(stored) - set(acked))} extra",
        )
        key = session["results_url"].split("key=", 1)[1]
        results = httpx.get(f"{a.url}/s/{code}/results.json", params={"key": key}, timeout=5)
        report.check(
            "the survivor serves the room's results",
            results.status_code == 200 and results.json()["respondents"] == PHONES,
            f"status {results.status_code}",
        )
        report.check(
            "the survivor logged no server error", not a.errors(), "; ".join(a.errors()[:3])
        )
        return report
    finally:
        for phone in phones:
            await phone.close()
        for server in servers:
            server.stop()
        stop_redis()


if __name__ == "__main__":
    run(main, limit=180)
