"""Screenshots of every page and tab, at desktop, phone, projector and dark: `make screenshots`.

Starts its own server of the app (``harness.server``), drives Debian's Chromium
and writes ``OUT/{page}-{tab}-{view}.png`` for the views ``desktop`` (1440 x 900),
``phone`` (390 x 844, touch), ``present`` (1440 x 900, ``?present=1``) and
``dark`` (1440 x 900, dark colour scheme). Each picture is the whole scrolled
page. Slow (a few minutes), so it is not part of ``make test``; the pictures are
for people to look at. Usage::

    python -m harness.shots [OUT] [--only PAGE] [--views desktop,phone] [--query Q]

Exit code 1 if any picture failed (the others are still written).
"""

from __future__ import annotations

import argparse
import re
import sys
import traceback
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from harness.browser import LAUNCH_ARGS, find_chromium
from harness.server import IDLE, start_app

QUERY = "classes=cat,dog,rabbit&logits=2,1,0.1&target=dog&temperature=2"
PAGES = {
    "playground": "",
    "softmax": "softmax",
    "cross-entropy": "cross-entropy",
    "learning": "learning",
    "simplex": "simplex",
    "next-token": "next-token",
    "quiz": "quiz",
    "class": "class",
}
"""Every page, by its name and URL path ("" is the Playground): the one list the screenshots and the browser tests
that visit every page take."""
PATHS = list(PAGES.values())
DESKTOP = {"viewport": {"width": 1440, "height": 900}}
VIEWS: dict[str, tuple[dict[str, Any], str]] = {
    "desktop": (DESKTOP, ""),
    "phone": ({"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}, ""),
    "present": (DESKTOP, "&present=1"),
    "dark": ({**DESKTOP, "color_scheme": "dark"}, ""),
}
TIMEOUT_MS = 60_000

CHARTS_DRAWN = r"""() => [...document.querySelectorAll('.explorer-chart, .lp-chart')]
  .filter(e => e.getClientRects().length && e.offsetWidth > 0)
  .every(e => e.querySelector('.js-plotly-plot .main-svg'))"""
# Streamlit scrolls [data-testid=stMain], not the document: measure it for a whole-page picture.
PAGE_HEIGHT = r"""() => {
  let best = document.documentElement.scrollHeight;
  const main = document.querySelector('[data-testid="stMain"]');
  if (main && main.scrollHeight > main.clientHeight + 1)
    best = Math.max(best, window.innerHeight + main.scrollHeight - main.clientHeight);
  return Math.ceil(best);
}"""
TABS = '[data-testid="stMain"] [role="tab"]'


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "tab"


def settle(page: Page) -> None:
    page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=TIMEOUT_MS)
    page.wait_for_function(CHARTS_DRAWN, timeout=TIMEOUT_MS, polling=100)
    page.evaluate("() => document.fonts.ready")
    page.wait_for_timeout(300)  # Plotly's own transitions have no event to await
    page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)


def whole_page(page: Page, path: Path) -> None:
    base = page.viewport_size
    assert base is not None
    height = page.evaluate(PAGE_HEIGHT)
    if height > base["height"]:
        page.set_viewport_size({"width": base["width"], "height": height})
        page.wait_for_function(CHARTS_DRAWN, timeout=TIMEOUT_MS, polling=100)
        page.wait_for_timeout(300)
    try:
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    finally:
        page.set_viewport_size(base)


def select_tab(page: Page, i: int) -> None:
    """Click the page's ``i``-th tab and wait until the browser shows it selected (the run may still go on)."""
    tab = page.locator(TABS).nth(i)
    tab.scroll_into_view_if_needed()
    tab.click()
    page.wait_for_function(
        f"(i) => document.querySelectorAll('{TABS}')[i].getAttribute('aria-selected') === 'true'", arg=i
    )


def shoot_page(page: Page, url: str, name: str, view: str, out: Path) -> list[str]:
    """Every tab of one page; returns the failures."""
    failures = []
    page.goto(url, wait_until="domcontentloaded", timeout=TIMEOUT_MS)
    settle(page)
    tabs = page.locator(TABS)
    targets: list[tuple[int | None, str]] = [(i, slug(tabs.nth(i).inner_text())) for i in range(tabs.count())] or [
        (None, "main")
    ]
    for i, tab in targets:
        path = out / f"{name}-{tab}-{view}.png"
        try:
            if i is not None:
                select_tab(page, i)
                settle(page)
            whole_page(page, path)
            print(f"ok   {path.name}", flush=True)
        except Exception as e:  # every picture is tried; failures are listed at the end
            failures.append(f"{path.name}: {type(e).__name__}: {str(e).splitlines()[0]}")
            traceback.print_exc()
    return failures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default="screenshots")
    ap.add_argument("--only", help="one page: " + ", ".join(PAGES))
    ap.add_argument("--views", default=",".join(VIEWS), help="comma-separated: " + ", ".join(VIEWS))
    ap.add_argument("--query", default=QUERY, help="the example every page opens with")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pages = {args.only: PAGES[args.only]} if args.only else PAGES
    failures: list[str] = []
    with start_app(log=out / "server.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)
        for view in args.views.split(","):
            options, extra = VIEWS[view]
            ctx = browser.new_context(**options)
            ctx.set_default_timeout(TIMEOUT_MS)
            page = ctx.new_page()
            for name, path in pages.items():
                failures += shoot_page(page, f"{url}/{path}?{args.query}{extra}", name, view, out)
            ctx.close()
        browser.close()
    print(f"{out}: {len(failures)} failed", *failures, sep="\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
