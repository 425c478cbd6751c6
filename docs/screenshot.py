"""Render the README's screenshot: `make screenshot`.

Starts its own server of the app on a free loopback port (harness.server, as the
browser tests do; an app already running on 8501 is not used), opens a URL in
headless Chromium and saves a PNG. Usage: python docs/screenshot.py [QUERY] [OUT.png]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.browser import LAUNCH_ARGS, find_chromium
from harness.server import IDLE, start_app


def main() -> None:
    query = sys.argv[1] if len(sys.argv) > 1 else ""
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/playground.png")
    with start_app() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(url + "/" + query)
        page.wait_for_selector(".lp-metric .lp-value")
        page.wait_for_selector(IDLE)
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3")
        page.screenshot(path=str(out))
        browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
