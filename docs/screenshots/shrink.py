"""The small copies of the tests' screenshots that docs/day.md shows (`make docs-screenshots`).

The browser tests save full-size screenshots in test-artifacts/; this draws each at the width
given here in Chromium (the tests' browser, no image library needed) and saves it beside this
file, where each stays under 150 KB."""

import base64
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent.parent / "test-artifacts"
LIMIT = 150_000
# docs name: (the test's screenshot, the width to draw it at, the height to keep at most)
SHOTS = {
    "facilitator-table-tents": ("facilitator-table-tents-print", 420, 600),
    "facilitator-round-timer": ("facilitator-round-timer-projector-1920x1080", 640, 360),
    "facilitator-rehearsal": ("facilitator-rehearsal-console-1366x768", 640, 360),
    "facilitator-nudge": ("facilitator-nudge-phone-390x844", 300, 650),
    "facilitator-table-results": ("facilitator-table-results-chair-768x1024", 420, 560),
    "facilitator-projector-table": ("facilitator-projector-table-1920x1080", 640, 360),
}


def main() -> int:
    missing = [src for src, _w, _h in SHOTS.values() if not (ARTIFACTS / f"{src}.png").exists()]
    if missing:
        print("Run the browser tests first; missing in test-artifacts/:", *missing, sep="\n  ")
        return 1
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        for name, (src, width, height) in SHOTS.items():
            data = base64.b64encode((ARTIFACTS / f"{src}.png").read_bytes()).decode()
            page.set_viewport_size({"width": width, "height": height})
            page.set_content(
                '<body style="margin:0;overflow:hidden">'
                f'<img style="display:block;width:{width}px" src="data:image/png;base64,{data}">'
            )
            page.wait_for_function("document.images[0].complete")
            out = HERE / f"{name}.png"
            page.screenshot(path=str(out))
            size = out.stat().st_size
            print(f"{out.name}: {size // 1000} KB")
            if size > LIMIT:
                print(f"  more than {LIMIT // 1000} KB: draw it smaller")
                return 1
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
