"""In-browser benchmarks, live pad against the plain st.slider reference in the same run.

1. key press -> Cross-entropy updated on screen (p50/p95 over PRESSES presses);
2. Cross-entropy updates per second while dragging a logit;
4. cold start: server ready, and first chart painted.

Times are taken inside the page (performance.now()): a capture-phase keydown
listener stamps the press, a MutationObserver stamps the moment the
Cross-entropy text changes.
"""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page, sync_playwright

from bench.common import drag_cat, pct, table
from harness.browser import LAUNCH_ARGS, find_chromium
from harness.server import IDLE, serve

PRESSES = 40
DRAG_SECONDS = 4.0
VARIANTS = [("live pad (ui/logit_pad)", {}), ("st.slider reference", {"EXPLORER_CONTROLS": "slider"})]

PROBE = """
() => {
  // Cheap on purpose: it runs on every DOM mutation, so it must not force a layout
  // (textContent, not innerText) nor search the whole page each time.
  let el = null;
  const find = () => document.querySelector('.lp-metric[data-key="ce"] .lp-value');
  const value = () => {
    if (!el || !el.isConnected) el = find();
    return el ? el.textContent : null;
  };
  window.__ce = value(); window.__t0 = 0; window.__t1 = 0; window.__changes = [];
  document.addEventListener('keydown', () => { window.__t0 = performance.now(); }, true);
  new MutationObserver(() => {
    const v = value();
    if (v !== null && v !== window.__ce) {
      window.__ce = v; window.__t1 = performance.now(); window.__changes.push(window.__t1);
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}
"""


def _open(page: Page, url: str) -> float:
    """Load the page; return when the first chart was painted (ms since navigation start)."""
    page.goto(url)
    painted = page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot .main-svg') ? performance.now() : null", timeout=60_000
    ).json_value()
    page.wait_for_selector(IDLE)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3", timeout=60_000)
    page.evaluate(PROBE)
    return float(painted)


def _key_presses(page: Page) -> list[float]:
    cat = page.get_by_role("slider", name="Logit of cat")
    cat.focus()
    latencies = []
    for i in range(PRESSES):
        old = page.evaluate("() => window.__ce")
        page.keyboard.press("ArrowRight" if (i // 10) % 2 == 0 else "ArrowLeft")
        page.wait_for_function("(old) => window.__ce !== old && window.__t1 > window.__t0", arg=old, timeout=30_000)
        latencies.append(page.evaluate("() => window.__t1 - window.__t0"))
        page.wait_for_selector(IDLE)
    return latencies


def _drag(page: Page) -> tuple[int, float, int]:
    """Drag the cat slider back and forth for DRAG_SECONDS; count loss updates while held."""
    result = drag_cat(page, DRAG_SECONDS)
    page.mouse.up()
    page.wait_for_selector(IDLE)
    return result


def run() -> str:
    lat_rows: list[list[Any]] = []
    drag_rows: list[list[Any]] = []
    cold_rows: list[list[Any]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)
        for name, env in VARIANTS:
            t0 = time.perf_counter()
            with serve(env) as (url, _proc):
                ready_ms = (time.perf_counter() - t0) * 1000
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                painted = _open(page, url)
                cold_rows.append([name, ready_ms, painted])
                lat = _key_presses(page)
                lat_rows.append([name, len(lat), pct(lat, 50), pct(lat, 95), max(lat)])
                during, held, moves = _drag(page)
                drag_rows.append([name, f"{held:.1f}", moves, during, during / held])
                page.close()
        browser.close()
    return "\n".join(
        [
            table(
                "1. Key press -> Cross-entropy updated on screen (headless Chromium), ms",
                ["controls", "presses", "p50", "p95", "max"],
                lat_rows,
                "Target for the live pad: p50 <= 40 ms, p95 <= 80 ms.",
            ),
            table(
                "2. Cross-entropy updates while dragging a logit (button held down)",
                ["controls", "seconds held", "pointer moves", "updates seen", "updates/s"],
                drag_rows,
                "Target: >= 20 updates/s. st.slider sends its value only on release.",
            ),
            table(
                "4. Cold start",
                ["controls", "server ready, ms", "first chart painted, ms after navigation"],
                cold_rows,
            ),
        ]
    )


if __name__ == "__main__":
    print(run())
