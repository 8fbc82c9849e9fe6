"""Fault (c): the database is unreachable for a moment.

A small TCP proxy (port 8309) stands between the app (uvicorn on 8305, DATABASE_URL pointing
at the proxy) and PostgreSQL (5432, database `faults`). The phone answers; the proxy is cut
(open connections dropped, new ones refused); the phone answers again and keeps sending as
static/js/survey.js does (backing off); the proxy is restored.

PASS when, while the database is away, every attempt gets a non-2xx answer (the phone then
shows "not saved yet, trying again") and nothing is stored or acknowledged; and once it is
back, the next attempt is acknowledged and the answer is in the database, stored once.

    .venv/bin/python bench/faults/db_outage.py
"""

import asyncio
import threading
import time

import httpx
from _common import (
    DB_NAME,
    PG_HOST,
    PG_PORT,
    Phone,
    Report,
    Server,
    claim_port,
    create_session,
    ensure_database,
    log,
    port,
    run,
    statement_ids,
    stored_answers,
)

PROXY_PORT = port(9)
OUTAGE = 3.0  # seconds the database is unreachable


class Proxy:
    """A TCP proxy in a thread of its own (the server's health check must pass through it
    while the script's own loop waits): forwards to PostgreSQL until cut."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port, self.target = port, target
        self.loop = asyncio.new_event_loop()
        self.open = True
        self.pipes: set[asyncio.StreamWriter] = set()
        self.refused = 0
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def start(self) -> "Proxy":
        self.thread.start()
        if not self.ready.wait(10):
            raise RuntimeError("the proxy did not start")
        return self

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", self.port)
        )
        self.ready.set()
        self.loop.run_forever()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.open:
            self.refused += 1
            writer.transport.abort()  # like a host that is gone: the connection drops
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.pipes.update({writer, up_writer})

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                dst.transport.abort()
                self.pipes.discard(dst)

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))

    def _cut(self) -> None:
        self.open = False
        for pipe in list(self.pipes):
            pipe.transport.abort()
        self.pipes.clear()

    def cut(self) -> None:
        self.loop.call_soon_threadsafe(self._cut)

    def restore(self) -> None:
        self.loop.call_soon_threadsafe(setattr, self, "open", True)

    def stop(self) -> None:
        def shutdown() -> None:
            self._cut()
            self.server.close()
            self.loop.stop()

        self.loop.call_soon_threadsafe(shutdown)
        self.thread.join(10)


async def main() -> Report:
    report = Report("fault (c): the database unreachable for a moment")
    ensure_database()
    claim_port(PROXY_PORT)
    proxy = Proxy(PROXY_PORT, (PG_HOST, PG_PORT)).start()
    proxied = f"postgres://postgres@127.0.0.1:{PROXY_PORT}/{DB_NAME}"
    # One process, the in-memory channel layer: this fault is about the database only.
    server = Server(port(5), {"DATABASE_URL": proxied, "REDIS_URL": None}).start()
    phone = None
    try:
        session = create_session(base_url=server.url)
        code = session["code"]
        first, second = statement_ids(code)[:2]
        phone = Phone(code)
        await phone.join(server.url, table=1)
        before = await phone.answer(server.url, first, "3")
        report.check("before the fault an answer is acknowledged", before.status_code == 200)

        log(f"cutting the database proxy on {PROXY_PORT}")
        proxy.cut()
        cut_at = time.monotonic()
        attempts: list[tuple[float, int | str]] = []
        delay = 0.5
        restored_at = None
        outage_body = ""
        while True:
            try:
                response = await phone.answer(server.url, second, "4")
                outcome: int | str = response.status_code
                body = response.text
            except httpx.HTTPError as error:
                outcome, body = type(error).__name__, ""
            attempts.append((round(time.monotonic() - cut_at, 2), outcome))
            if restored_at is None:
                during = stored_answers(code)  # read on 5432 directly, not through the proxy
                if outcome == 200 or (phone.token, second) in during:
                    break  # acknowledged or stored while the database was away: a failure
                if time.monotonic() - cut_at >= OUTAGE:
                    log("restoring the database proxy")
                    proxy.restore()
                    restored_at = time.monotonic()
                    outage_body = body
            elif outcome == 200:
                break
            if time.monotonic() - cut_at > OUTAGE + 20:
                break
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)  # survey.js: 0.5 s doubling, at most 5 s

        stored = stored_answers(code)
        during_outage = [o for t, o in attempts if restored_at is None or t < restored_at - cut_at]
        report.figures = {
            "database unreachable for (s)": round((restored_at or time.monotonic()) - cut_at, 2),
            "attempts (seconds after the cut, outcome)": attempts,
            "connections refused by the proxy": proxy.refused,
            "acknowledged after the restore (s)": (
                round(time.monotonic() - restored_at, 2) if restored_at else None
            ),
        }
        report.check(
            "while the database is away, every attempt gets a non-2xx answer",
            bool(during_outage)
            and all(not (isinstance(o, int) and 200 <= o < 300) for o in during_outage),
            f"{during_outage}",
        )
        report.check(
            "the refusal is a 5xx, which the phone retries (not a 4xx it would give up on)",
            all(isinstance(o, int) and o >= 500 for o in during_outage),
        )
        report.check(
            "the error page is the friendly one, not a stack trace",
            restored_at is not None and "Traceback" not in outage_body and "<html" in outage_body,
        )
        report.check(
            "after the restore the answer is acknowledged",
            restored_at is not None and attempts[-1][1] == 200,
        )
        report.check("and stored, once, with its value", stored.get((phone.token, second)) == 4)
        report.check("the earlier answer is untouched", stored.get((phone.token, first)) == 3)
        health = httpx.get(f"{server.url}/healthz", timeout=5)
        report.check("the server is healthy again", health.status_code == 200)
        return report
    finally:
        if phone:
            await phone.close()
        server.stop()
        proxy.stop()


if __name__ == "__main__":
    run(main, limit=120)
