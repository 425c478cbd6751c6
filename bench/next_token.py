"""The Next-token page in Chromium: a change of temperature, top-k, top-p or min-p -> the new pipeline chart on screen.

Each change is one key press (ArrowRight/ArrowLeft on the focused slider; in the top-k box, its number selected
and the other one typed),
alternating between two values so that every press changes the chart. Times are taken inside the page with
performance.now():

- a capture-phase keydown listener stamps the input (as bench/browser.py's PROBE does);
- Plotly's ``plotly_afterplot`` event on the chart's element stamps the draw, counted only when the chart's data
  differ from the last drawn (a resize redraws the same data) and only when the chart's alt text names the new
  setting (so the draw seen is the new chart, not an earlier rerun's);
- the next ``requestAnimationFrame`` after that draw stamps the frame that paints it: "on screen".

The page's settings go over the live route while they change (ui/next_token_live.js); the reference, in the same
run on the same server, is the same key press on the Softmax page's "Add c to every logit" slider (``sm_shift``),
whose chart updates by a Streamlit rerun. Where the time goes: the press to ``Plotly.react`` (the path), then
Plotly, then the frame.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page, sync_playwright

from bench.common import pct, table
from harness.browser import LAUNCH_ARGS, find_chromium
from harness.server import IDLE, serve

CHANGES = 40
"""Measured changes per control (after WARMUP unmeasured ones)."""
WARMUP = 3
TARGET_MS = 100.0
FIRST_DRAW_MS = 60_000
WAIT_MS = 30_000

WEBSOCKET_PROBE = """
(() => {
  // Stamps, with performance.now(), what the page sends on Streamlit's websocket and what it receives, and flags
  // each received message that carries the watched chart's element: one naming the chart's element id
  // ("$$ID-<hash>-<key>"), or a reference to one already received. (Streamlit sends a large message it has
  // sent before as a reference to its hash, "Z" + 32 hex digits, and the browser takes it from its cache:
  // alternating values gives such repeats.)
  const key = __KEY__;
  const names = new RegExp('-' + key + '(?![A-Za-z0-9_])');
  const refers = /Z ([0-9a-f]{32})/;
  const Native = window.WebSocket;
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const chartHashes = new Set();
  window.__ws = { sent: [], recv: [] };
  class Stamped extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      if (!String(url).endsWith('/_stcore/stream')) return;
      this.addEventListener('message', (e) => {
        const t = performance.now();
        const text = e.data instanceof ArrayBuffer ? decoder.decode(e.data) : '';
        let hit = names.test(text);
        if (hit && text.charCodeAt(0) === 10 && text.charCodeAt(1) === 32) chartHashes.add(text.slice(2, 34));
        if (!hit && text.length < 200) {
          const m = text.match(refers);
          hit = !!m && chartHashes.has(m[1]);
        }
        window.__ws.recv.push([t, hit]);
      });
      const send = this.send.bind(this);
      this.send = (data) => { window.__ws.sent.push(performance.now()); return send(data); };
    }
  }
  window.WebSocket = Stamped;
})();
"""

CHART_PROBE = """
(selector) => {
  const el = document.querySelector(selector + ' .explorer-chart');
  const signature = () => JSON.stringify(el.data.map((t) => [t.name, t.x]));
  window.__p = { t0: 0, react: 0, signature: signature(), draws: [] };
  document.addEventListener('keydown', () => {
    window.__p.t0 = performance.now();
    window.__ws.sent = [];
    window.__ws.recv = [];
  }, true);
  const react = window.Plotly.react;
  window.Plotly.react = function (gd, ...rest) {
    if (gd === el) window.__p.react = performance.now();
    return react.call(this, gd, ...rest);
  };
  el.on('plotly_afterplot', () => {
    const s = signature();
    if (s === window.__p.signature) return;  // the same data drawn again (a resize), not a change
    window.__p.signature = s;
    const drawn = performance.now();
    const { t0, react } = window.__p;
    const alt = el.getAttribute('aria-label') || '';
    const sent = window.__ws.sent.slice();
    const recv = window.__ws.recv.slice();
    requestAnimationFrame(() => {
      window.__p.draws.push({ t0, react, drawn, frame: performance.now(), alt, sent, recv });
    });
  });
}
"""


@dataclass
class Control:
    """One control: how to make a change to either of its two values, and what the chart's alt text then says."""

    name: str
    path: str
    chart: str  # the chart's key
    focus: Callable[[Page], None]
    change: Callable[[Page, int], None]  # the i-th change (even: to the second value, odd: back)
    alt: Callable[[int], str]  # what the alt text contains after the i-th change
    tab: str | None = None
    samples: list[dict[str, float]] = field(default_factory=list)


def _slider(label: str) -> Callable[[Page], None]:
    return lambda page: page.get_by_role("slider", name=label).focus()


def _arrows(up_first: bool) -> Callable[[Page, int], None]:
    keys = ("ArrowRight", "ArrowLeft") if up_first else ("ArrowLeft", "ArrowRight")
    return lambda page, i: page.keyboard.press(keys[i % 2])


def _type_top_k(page: Page, i: int) -> None:
    """Select the box's number and type the other one: the digit's keydown is the stamp, its input event goes over
    the live route (Enter would commit, and its own keydown would restart the clock before the chart is drawn)."""
    box = page.get_by_role("spinbutton", name="Top-k (0 = off)")
    box.select_text()
    page.keyboard.press("6" if i % 2 == 0 else "5")


def _set_top_k(page: Page) -> None:
    box = page.get_by_role("spinbutton", name="Top-k (0 = off)")
    box.fill("5")
    box.press("Enter")
    page.wait_for_function("() => window.__p.draws.some((d) => d.alt.includes('top-k = 5,'))", timeout=WAIT_MS)
    page.wait_for_selector(IDLE)
    box.focus()


def _two(first: str, second: str) -> Callable[[int], str]:
    return lambda i: first if i % 2 == 0 else second


CONTROLS = [
    Control(
        "temperature (slider, ← →)",
        "/next-token",
        "nt_panel_pipeline",
        _slider("Temperature T"),
        _arrows(True),
        _two("T = 1.0500,", "T = 1.0000,"),
    ),
    Control(
        "top-k (number box, typed)",
        "/next-token",
        "nt_panel_pipeline",
        _set_top_k,
        _type_top_k,
        _two("top-k = 6,", "top-k = 5,"),
    ),
    Control(
        "top-p (slider, ← →)",
        "/next-token",
        "nt_panel_pipeline",
        _slider("Top-p (1 = off)"),
        _arrows(False),
        _two("top-p = 0.9900,", "top-p = 1.0000,"),
    ),
    Control(
        "min-p (slider, ← →)",
        "/next-token",
        "nt_panel_pipeline",
        _slider("Min-p (0 = off)"),
        _arrows(True),
        _two("min-p = 0.0100)", "min-p = 0)"),
    ),
]
SWEEP = Control(
    "temperature rising 1.05, 1.10, ... (slider, →)",
    "/next-token",
    "nt_panel_pipeline",
    _slider("Temperature T"),
    lambda page, i: page.keyboard.press("ArrowRight"),
    lambda i: f"T = {1 + 0.05 * (i + 1):.4f},",
)
REFERENCE = Control(
    'reference: Softmax "Add c to every logit" (sm_shift)',
    "/softmax",
    "sm_shift_chart",
    _slider("Add c to every logit"),
    _arrows(True),
    _two("softmax(z + 5.5)", "softmax(z + 5)"),
    tab="Shift and scale",
)


def _open(page: Page, url: str, control: Control) -> None:
    page.goto(url + control.path)
    page.wait_for_selector(IDLE, timeout=FIRST_DRAW_MS)
    if control.tab:
        page.get_by_role("tab", name=control.tab).click()
    selector = f".st-key-{control.chart}"
    page.wait_for_selector(f"{selector} .js-plotly-plot .main-svg", state="attached", timeout=FIRST_DRAW_MS)
    page.evaluate(CHART_PROBE, selector)


def _one_change(page: Page, control: Control, i: int) -> dict[str, float]:
    n = int(page.evaluate("() => window.__p.draws.length"))
    control.change(page, i)
    page.wait_for_function("(n) => window.__p.draws.length > n", arg=n, timeout=WAIT_MS)
    page.wait_for_selector(IDLE, timeout=WAIT_MS)
    draws = page.evaluate("(n) => window.__p.draws.slice(n)", n)
    d = draws[0]
    want = control.alt(i)
    if want not in d["alt"]:
        raise RuntimeError(f"{control.name}, change {i}: the chart drawn is not the new one ({want!r} not in its alt)")
    if len(draws) != 1:
        raise RuntimeError(f"{control.name}, change {i}: {len(draws)} new charts for one change")
    recv: list[list[Any]] = page.evaluate("() => window.__ws.recv")  # the whole rerun, up to its last message
    sent = d["sent"][0] if d["sent"] else float("nan")
    delta = max((t for t, hit in d["recv"] if hit), default=float("nan"))  # the last before the draw
    return {
        "key_react": d["react"] - d["t0"],
        "total": d["frame"] - d["t0"],
        "input_sent": sent - d["t0"],
        "sent_delta": delta - sent,
        "delta_react": d["react"] - delta,
        "react_drawn": d["drawn"] - d["react"],
        "drawn_frame": d["frame"] - d["drawn"],
        "rerun": (recv[-1][0] - sent) if recv else float("nan"),
    }


def _measure(page: Page, url: str, control: Control) -> None:
    _open(page, url, control)
    control.focus(page)
    for i in range(WARMUP + CHANGES):
        sample = _one_change(page, control, i)
        if i >= WARMUP:
            control.samples.append(sample)


def _col(control: Control, key: str) -> list[float]:
    return [s[key] for s in control.samples]


def _p50_p95(values: list[float]) -> str:
    return f"{pct(values, 50):.1f} / {pct(values, 95):.1f}"


def run() -> str:
    load_before = os.getloadavg()[0]
    with sync_playwright() as p, serve() as (url, _proc):
        browser = p.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)
        for control in [*CONTROLS, SWEEP, REFERENCE]:
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            context.add_init_script(WEBSOCKET_PROBE.replace("__KEY__", json.dumps(control.chart)))
            page = context.new_page()
            _measure(page, url, control)
            context.close()
        browser.close()
    load = f"Load average (1 min) {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end."
    rows: list[list[Any]] = []
    for control in CONTROLS:
        total = _col(control, "total")
        rows.append([control.name, len(total), pct(total, 50), pct(total, 95), max(total)])
    every = [v for c in CONTROLS for v in _col(c, "total")]
    verdict = "meets" if pct(every, 95) <= TARGET_MS else "misses"
    rows.append(["all four Next-token controls", len(every), pct(every, 50), pct(every, 95), max(every)])
    ref = _col(REFERENCE, "total")
    rows.append([REFERENCE.name, len(ref), pct(ref, 50), pct(ref, 95), max(ref)])
    parts = []
    for control in [*CONTROLS, SWEEP, REFERENCE]:
        parts.append(
            [
                control.name,
                *(_p50_p95(_col(control, key)) for key in ("key_react", "react_drawn", "drawn_frame")),
            ]
        )
    sweep = _col(SWEEP, "total")
    return "\n".join(
        [
            table(
                "Next token: key press -> new pipeline chart on screen (headless Chromium), ms",
                ["control", "changes", "p50", "p95", "max"],
                rows,
                f"Target: p95 <= {TARGET_MS:.0f} ms for the four controls; this run {verdict} it "
                f"(p95 {pct(every, 95):.1f} ms). On screen: the animation frame after Plotly's plotly_afterplot. "
                f"Each control alternates between two values, so from the third change on Streamlit sends the "
                f"chart's data as a reference to a message the browser already holds; {SWEEP.name}, where every "
                f"chart is new: p50 {pct(sweep, 50):.1f}, p95 {pct(sweep, 95):.1f}, max {max(sweep):.1f} ms. {load}",
            ),
            table(
                "Where the time goes, p50 / p95 ms",
                [
                    "control",
                    "key -> Plotly.react called",
                    "Plotly.react -> drawn",
                    "drawn -> next frame",
                ],
                parts,
                "Key -> Plotly.react: on the Next-token page the live route (the settings sent over /api/live, "
                "the page's panel computed, the answer drawn in the next animation frame); on the reference page "
                "a Streamlit rerun (the request, the rerun, the browser's Streamlit client). Plotly.react -> "
                "drawn: Plotly.",
            ),
        ]
    )


if __name__ == "__main__":
    print(run())
