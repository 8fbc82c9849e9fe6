"""What a phone downloads on its first visit: the join page, the first survey page after
joining, and every stylesheet, script and image they reference, as a browser with an empty
cache fetches them (gzip accepted; each file once). Bytes are counted as they cross the wire:
status line, headers and (compressed) body.
"""

import asyncio
import gzip
import re
from html.parser import HTMLParser

from bench import leanhttp

TARGET_BYTES = 60_000


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif (
            tag == "link"
            and a.get("href")
            and (a.get("rel") or "")
            in (
                "stylesheet",
                "icon",
                "manifest",
                "preload",
                "modulepreload",
            )
        ):
            self.urls.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.urls.append(a["src"])


def _wire_bytes(response: leanhttp.Response) -> int:
    head = sum(len(name) + len(value) + 4 for name, value in response.header_list)
    return len("HTTP/1.1 200 OK\r\n") + head + 2 + len(response.content)


def _text(response: leanhttp.Response) -> str:
    body = response.content
    if response.headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode("utf-8", "replace")


async def first_load(port: int, code: str) -> dict:
    pool = leanhttp.Pool(port, 4)
    headers = {"Accept-Encoding": "gzip", "Accept-Language": "nl"}
    files: list[dict] = []
    seen: set[str] = set()

    async def get(path: str, cookie: str = "") -> leanhttp.Response:
        extra = {"Cookie": cookie} if cookie else {}
        response = await pool.request("GET", path, headers={**headers, **extra})
        files.append(
            {
                "path": path,
                "status": response.status_code,
                "bytes": _wire_bytes(response),
                "encoding": response.headers.get("content-encoding", ""),
            }
        )
        return response

    async def assets(page: leanhttp.Response) -> None:
        parser = _Assets()
        parser.feed(_text(page))
        new = [u for u in parser.urls if u.startswith("/") and u not in seen]
        seen.update(new)
        await asyncio.gather(*(get(u) for u in new))

    join = await get(f"/j/{code}/")
    cookies = {
        c.split("=", 1)[0]: c.split("=", 1)[1].split(";", 1)[0] for c in join.get_list("set-cookie")
    }
    await assets(join)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', _text(join)).group(1)
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    joined = await pool.request(
        "POST",
        f"/j/{code}/",
        headers={**headers, "Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"},
        form={"csrfmiddlewaretoken": token, "table": "", "role": "", "consent": "on"},
    )
    files.append({"path": f"POST /j/{code}/", "status": joined.status_code,
                  "bytes": _wire_bytes(joined), "encoding": ""})  # fmt: skip
    for c in joined.get_list("set-cookie"):
        cookies[c.split("=", 1)[0]] = c.split("=", 1)[1].split(";", 1)[0]
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    survey = await get(joined.headers["location"], cookie)
    await assets(survey)
    pool.close()
    total = sum(f["bytes"] for f in files)
    return {
        "total_bytes": total,
        "target_bytes": TARGET_BYTES,
        "ok": all(f["status"] in (200, 302) for f in files),
        "files": files,
    }
