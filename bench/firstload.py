"""What a phone downloads on its first visit, as Chromium downloads it: the join page, the
join (its reachability check and the POST with its redirect), the first survey page, and
every stylesheet, script, font and image the two pages load, in a fresh browser context
(empty cache, so each file once), once per language. Bytes are Chromium's own count of what
crossed the wire for each response (CDP `Network.loadingFinished.encodedDataLength`: status
line, headers and the body as sent, compressed or not; a redirect's from its
`redirectResponse`).

What the survey page fetches by itself once it is shown (the copy of every element's page for
going on offline, `pages.js`) and its websocket are listed apart, as `later`: not part of the
budget, which is what the phone needs to show the two pages.

Standalone, against a server with the static files collected as deployed:

    BENCH_DATABASE_URL=... BENCH_REDIS_URL=... .venv/bin/python bench/firstload.py

writes bench/results/firstload.json. `bench/load.py` measures it too, before its stages.
"""

import json
import sys
import time
from pathlib import Path
from typing import Any

if __name__ == "__main__" and __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_BYTES = 30_000
LANGUAGES = ("nl", "en")
RESULT = Path(__file__).resolve().parent / "results" / "firstload.json"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
LOCALES = {"nl": "nl-NL", "en": "en-GB"}
# Requests the survey page makes by itself after it is shown: not needed to show it.
LATER_TYPES = {"Fetch", "XHR", "WebSocket", "EventSource"}


class _Wire:
    """The responses of one page, from Chromium's network events (CDP)."""

    def __init__(self) -> None:
        self.requests: dict[str, dict[str, Any]] = {}
        self.order: list[dict[str, Any]] = []
        self.stage = "join"

    def sent(self, event: dict) -> None:
        rid = event["requestId"]
        redirect = event.get("redirectResponse")
        if redirect and rid in self.requests:
            # The same id carries on after a redirect: the redirect's response is its own row.
            earlier = self.requests.pop(rid)
            earlier.update(
                status=redirect["status"],
                bytes=int(redirect.get("encodedDataLength") or 0),
                encoding="",
                done=True,
            )
        row = {
            "url": event["request"]["url"],
            "method": event["request"]["method"],
            "type": event.get("type", "Other"),
            "stage": self.stage,
            "status": 0,
            "bytes": 0,
            "encoding": "",
            "done": False,
        }
        self.requests[rid] = row
        self.order.append(row)

    def received(self, event: dict) -> None:
        row = self.requests.get(event["requestId"])
        if row is None:
            return
        response = event["response"]
        row["status"] = response["status"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        row["encoding"] = headers.get("content-encoding", "")
        row["bytes"] = int(response.get("encodedDataLength") or 0)

    def finished(self, event: dict) -> None:
        row = self.requests.get(event["requestId"])
        if row is not None:
            row["bytes"] = int(event["encodedDataLength"])
            row["done"] = True

    def cached(self, event: dict) -> None:
        row = self.requests.get(event["requestId"])
        if row is not None:
            row["cached"] = True

    def failed(self, event: dict) -> None:
        row = self.requests.get(event["requestId"])
        if row is not None:
            # A response cut off after its headers counts what came (the join's reachability
            # check, a HEAD, is ended by the POST's navigation once its answer is in).
            if not row["status"]:
                row["failed"] = event.get("errorText", "failed")
            row["done"] = True

    def pending(self) -> list[dict[str, Any]]:
        return [row for row in self.order if not row["done"] and row["type"] != "WebSocket"]


def _path(url: str, base: str) -> str:
    return url[len(base) :] if url.startswith(base) else url


def measure(browser: Any, base_url: str, code: str, language: str) -> dict:
    """One phone's first load in one language, in a fresh context of `browser` (sync
    Playwright): join, agree, start, and the first survey page with everything it loads."""
    context = browser.new_context(**PHONE, locale=LOCALES[language], service_workers="block")
    try:
        page = context.new_page()
        wire = _Wire()
        cdp = context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", wire.sent)
        cdp.on("Network.responseReceived", wire.received)
        cdp.on("Network.loadingFinished", wire.finished)
        cdp.on("Network.loadingFailed", wire.failed)
        cdp.on("Network.requestServedFromCache", wire.cached)
        cdp.send("Network.enable")
        page.goto(f"{base_url}/j/{code}/", wait_until="load")
        page.locator("input[name=consent]").check()
        wire.stage = "join"  # the reachability check and the POST are the join's
        with page.expect_navigation(url=f"**/s/{code}/survey/1/", wait_until="load"):
            page.locator("form button[type=submit].primary").click()
        # Everything the survey page set off: its files, its copy of the other pages
        # (pages.js, after half a second to two) and its websocket.
        page.wait_for_function(
            "() => document.querySelector('.survey[data-pages-kept]') !== null"
            " && window.scentissPhone && window.scentissPhone.isOpen()",
            timeout=15_000,
        )
        page.wait_for_load_state("networkidle")  # no request for half a second
        if wire.pending():
            raise RuntimeError(f"still loading: {wire.pending()}")
        lang = page.evaluate("document.documentElement.lang")
        htmx = page.evaluate("typeof window.htmx !== 'undefined'")
    finally:
        context.close()
    survey_started = False
    rows = []
    for row in wire.order:
        if row["type"] == "Document" and "/survey/" in row["url"]:
            survey_started = True
        later = survey_started and row["type"] in LATER_TYPES
        rows.append(
            {
                "path": ("" if row["method"] == "GET" else row["method"] + " ")
                + _path(row["url"], base_url),
                "type": row["type"],
                "status": row["status"],
                "bytes": row["bytes"],
                "encoding": row["encoding"],
                "later": later,
                # From the memory cache (the join page's files on the survey page) Chromium
                # reports a response of 0 bytes and no requestServedFromCache.
                "cached": bool(row.get("cached")) or (row["bytes"] == 0 and row["status"] == 200),
                **({"failed": row["failed"]} if "failed" in row else {}),
            }
        )
    files = [r for r in rows if not r["later"] and not r["cached"]]
    return {
        "language": language,
        "page_language": lang,
        "htmx_loaded": htmx,
        "total_bytes": sum(r["bytes"] for r in files),
        "requests": len(files),
        "ok": all(200 <= r["status"] < 400 and "failed" not in r for r in files),
        "files": files,
        "later": [r for r in rows if r["later"]],
        # The join page's files the survey page takes from the cache, without a request.
        "from_cache": [r["path"] for r in rows if r["cached"]],
    }


def first_load(port: int, code: str, *, browser: Any = None) -> dict:
    """Both languages against the server on `port` (session `code` in its survey phase). The
    budget holds for each; `total_bytes` and `files` are the larger language's."""
    base_url = f"http://127.0.0.1:{port}"
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            own = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                return first_load(port, code, browser=own)
            finally:
                own.close()
    languages = {lang: measure(browser, base_url, code, lang) for lang in LANGUAGES}
    largest = max(languages.values(), key=lambda m: m["total_bytes"])
    return {
        "total_bytes": largest["total_bytes"],
        "target_bytes": TARGET_BYTES,
        "ok": all(m["ok"] for m in languages.values()),
        "files": largest["files"],
        "languages": languages,
        "how": "Chromium (Playwright, CDP encodedDataLength), fresh context per language",
    }


def table(result: dict) -> str:
    """The measurement as Markdown: per file, the bytes in each language."""
    langs = list(result["languages"])
    by_path: dict[str, dict[str, dict]] = {}
    for lang in langs:
        for row in result["languages"][lang]["files"]:
            by_path.setdefault(row["path"], {})[lang] = row
    lines = [
        "| file | type | encoding | " + " | ".join(langs) + " |",
        "|---|---|---|" + "---:|" * len(langs),
    ]
    for path, rows in by_path.items():
        first = next(iter(rows.values()))
        cells = " | ".join(f"{rows[lang]['bytes']:,}" if lang in rows else "" for lang in langs)
        lines.append(f"| {path} | {first['type']} | {first['encoding'] or '-'} | {cells} |")
    totals = " | ".join(f"**{result['languages'][lang]['total_bytes']:,}**" for lang in langs)
    lines.append(f"| **total** | | | {totals} |")
    for lang in langs:
        for row in result["languages"][lang]["later"]:
            lines.append(f"| (later, {lang}) {row['path']} | {row['type']} | "
                         f"{row['encoding'] or '-'} | {row['bytes']:,} |")  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    from bench import fixtures
    from bench.servers import start_server

    port = 8208
    fixtures.ensure_database()  # migrates and collects the static files (compressed copies)
    fixtures.setup_django()
    fixtures.delete_bench_sessions()
    [session] = fixtures.create_sessions([1], "first load")
    server = start_server("uvicorn", port)
    try:
        result = first_load(port, session.code)
    finally:
        server.stop()
    result["when"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=1) + "\n")
    print(table(result))
    largest = result["total_bytes"]
    print(f"\nlargest language: {largest:,} bytes (budget {TARGET_BYTES:,}); written to {RESULT}")
    return 0 if result["ok"] and result["total_bytes"] <= TARGET_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
