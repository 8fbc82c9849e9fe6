"""Fault (b): restart Redis under live projectors.

Our own Redis (port 6391, no persistence: a restart forgets every group) behind two uvicorn
processes (8303, 8304). Ten projectors follow the session (five on each process) with the
reconnect logic of static/js/projector.js. Redis is shut down; a phone answers during the
outage; Redis comes back; a phone answers again.

PASS when every projector shows the session's current snapshot (the version in the database,
so including the answer given during the outage) within 2 s of Redis being back, and every
answer a phone sent is stored.

    .venv/bin/python bench/faults/restart_redis.py [--outage SECONDS]
"""

import argparse
import asyncio
import time

from _common import (
    REDIS_PORT,
    REDIS_URL,
    Phone,
    Projector,
    Report,
    Server,
    create_session,
    ensure_database,
    log,
    port,
    projector_backoff,
    redis_up,
    results_version,
    run,
    start_redis,
    statement_ids,
    stop_redis,
    stored_answers,
)

PROJECTORS = 10
OUTAGE = 1.5  # seconds Redis is down (--outage)
WITHIN = 2.0  # seconds after Redis is back


async def wait_all_at(projectors: list[Projector], version: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(p.version >= version for p in projectors):
            return True
        await asyncio.sleep(0.02)
    return False


async def answer_until_stored(phone: Phone, base: str, statement: int, score: str) -> list[int]:
    """The phone's behaviour (survey.js): send until a 2xx, backing off; returns the statuses."""
    statuses = []
    delay = 0.5
    while not statuses or statuses[-1] != 200:
        try:
            statuses.append((await phone.answer(base, statement, score)).status_code)
        except Exception:
            statuses.append(0)
        if statuses[-1] != 200:
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5)
    return statuses


async def main() -> Report:
    report = Report(f"fault (b): restart Redis under live projectors (down {outage} s)")
    ensure_database()
    start_redis()
    env = {"REDIS_URL": REDIS_URL, "CHANNEL_PREFIX": "faults-redis"}
    servers = [Server(port(3), env).start(), Server(port(4), env).start()]
    projectors: list[Projector] = []
    phone = None
    try:
        session = create_session(base_url=servers[0].url)
        code = session["code"]
        key = session["projector_url"].split("key=", 1)[1]
        statements = statement_ids(code)
        projectors = [Projector(f"P{i}", servers[i % 2].url, code, key) for i in range(PROJECTORS)]
        for p in projectors:
            p.start()
        phone = Phone(code)
        await phone.join(servers[0].url, table=1)
        report.check(
            "all projectors show the first snapshot",
            await wait_all_at(projectors, results_version(code), 5),
        )
        saved = await phone.answer(servers[0].url, statements[0], "4")
        version = int(saved.headers["X-Results-Version"])
        report.check(
            "before the fault, an answer reaches every projector",
            await wait_all_at(projectors, version, 2),
        )

        log(f"shutting Redis on {REDIS_PORT} down")
        down_at = time.monotonic()
        stop_redis()
        outage_answer = asyncio.create_task(
            answer_until_stored(phone, servers[1].url, statements[1], "2")
        )
        await asyncio.sleep(outage)
        log("starting Redis again")
        start_redis()
        up_at = time.monotonic()
        statuses = await asyncio.wait_for(outage_answer, 15)
        after = await phone.answer(servers[0].url, statements[2], "5")
        target = results_version(code)
        all_current = await wait_all_at(projectors, target, WITHIN + 10)
        delays = {
            p.name: (
                round(t - up_at, 3)
                if (t := p.first_time_at_least(target, since=up_at)) is not None
                else None
            )
            for p in projectors
        }
        slowest = max((d for d in delays.values() if d is not None), default=None)
        reconnects = {p.name: len(p.opens) - 1 for p in projectors}
        stored = stored_answers(code)

        report.figures = {
            "projectors": PROJECTORS,
            "projector reconnect backoff (first, longest; s)": projector_backoff(),
            "Redis down for (s)": round(up_at - down_at, 2),
            "answer during the outage: statuses until stored": statuses,
            "answer after the restart: status": after.status_code,
            "current version (database)": target,
            "seconds from Redis back to the current snapshot, per projector": delays,
            "reconnects per projector": reconnects,
            "close codes seen": sorted({c for p in projectors for _, c in p.closes}, key=str),
        }
        report.check("Redis was really down", up_at - down_at >= outage and redis_up())
        report.check(
            "every projector shows the current snapshot",
            all_current,
            f"versions {[p.version for p in projectors]} vs {target}",
        )
        report.check(
            f"every projector within {WITHIN} s of Redis being back",
            slowest is not None and all(d is not None and d <= WITHIN for d in delays.values()),
            f"slowest {slowest} s",
        )
        report.check(
            "the answer given during the outage is stored",
            stored.get((phone.token, statements[1])) == 2,
        )
        report.check(
            "a stored answer is acknowledged as stored (no 5xx after the commit)",
            statuses == [200],
            f"statuses {statuses}",
        )
        report.check(
            "the answer after the restart is acknowledged and stored",
            after.status_code == 200 and stored.get((phone.token, statements[2])) == 5,
        )
        return report
    finally:
        for p in projectors:
            await p.stop()
        if phone:
            await phone.close()
        for server in servers:
            server.stop()
        stop_redis()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outage", type=float, default=OUTAGE, help="seconds Redis is down")
    outage = parser.parse_args().outage
    run(main, limit=int(120 + outage))
