"""The live panel: one component that draws a page's panel (``core.panels``), on a rerun and during a drag.

A page computes its panel with its core function and calls :func:`show` for
each slot of its layout. The same component (``live_panel.js``) also draws the
answers of the live route while a logit is dragged, so what the drag shows and
what the rerun at its end shows are drawn by one piece of code from one
function's numbers. :func:`context` is what the logit control sends with each
value: the page's name, the example without its logits, and the page's settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st

from core.panels import Panel
from core.scenario import Scenario
from ui import logit_pad, present
from ui.chart import CHART_CSS, CONFIG, DRAW_JS, finite

_HERE = Path(__file__).parent

CSS = (
    CHART_CSS
    + """
.live-panel { display: flex; flex-direction: column; gap: 0.75rem; }
.lp-row { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 17rem), 1fr)); gap: 1rem; }
.lp-metrics { display: flex; flex-wrap: wrap; gap: 0.5rem; }
.lp-metric { flex: 1 1 10rem; min-width: 0; border: 1px solid rgba(128, 128, 128, 0.35); border-radius: 0.5rem;
  padding: 0.6rem 0.9rem; }
.lp-label { font-size: 0.875rem; overflow-wrap: break-word; }
.lp-value { font-size: 2rem; line-height: 1.25; font-variant-numeric: tabular-nums; overflow-wrap: break-word; }
.lp-delta { display: inline-block; margin-top: 0.2rem; padding: 0.05rem 0.5rem; border-radius: 1rem;
  font-size: 0.875rem; font-weight: 600; }
.lp-delta.good { background: rgba(0, 114, 178, 0.14); }
.lp-delta.bad { background: rgba(213, 94, 0, 0.16); }
.lp-html .scroll-x { overflow-x: auto; max-width: 100%; }
.lp-html .scroll-x:focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }
.lp-html ul.probs { margin: 0; padding-left: 1.2rem; }
.lp-html .note { border-left: 4px solid #56B4E9; padding: 0.5rem 0.75rem; background: rgba(86, 180, 233, 0.12);
  border-radius: 0.25rem; }
table.readout { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.readout caption { text-align: left; font-size: 0.875rem; padding-bottom: 0.25rem; }
table.readout th, table.readout td { padding: 0.15rem 0.4rem; text-align: left; font-weight: 400; white-space: nowrap; }
table.readout thead th { font-size: 0.8rem; font-weight: 600; }
table.readout td.bar { width: 45%; min-width: 3rem; }
table.readout td.bar span { display: block; height: 0.9rem; min-width: 1px; background: #0072B2; }
table.readout tr.true td.bar span { background: repeating-linear-gradient(45deg, #E69F00 0 5px, #9a5f00 5px 8px); }
"""
)

PARTS_JS = DRAW_JS + (_HERE / "panel_parts.js").read_text(encoding="utf-8")
"""``drawChart`` and the parts' ``makePart``/``fill``/``draw``: prepended by every component that draws parts
(this live panel and the class projector), so one piece of code draws them everywhere; :data:`CSS` styles them."""

_panel = st.components.v2.component(
    "softmax_explorer.live_panel",
    html='<div class="live-panel" aria-live="off"></div>',
    css=CSS,
    js=PARTS_JS
    + (_HERE / "live_client.js").read_text(encoding="utf-8")
    + (_HERE / "live_panel.js").read_text(encoding="utf-8"),
    isolate_styles=False,  # Plotly styles its toolbar from document.head; the page's table styles apply
)


KEY_PREFIX = {"playground": "pg", "simplex": "sx", "readout": "readout", "next_token": "nt"}
"""Each panel's widget-key prefix (the page's; the readout is on several pages, one per page)."""


def panel_key(page: str, slot: str) -> str:
    """The widget key of a panel's slot; Streamlit gives its element the class ``st-key-<key>``
    (ui/theme.py styles the phone's sticky readout by it)."""
    return f"{KEY_PREFIX[page]}_panel_{slot}"


def show(panel: Panel, slot: str, live_key: str | None = None) -> None:
    """Draw ``slot`` of ``panel``; the same slot of the live route's answers is drawn here during a drag.

    ``live_key`` is for a panel whose live values come from Streamlit's own widgets (the Next-token page's
    settings), not the logit pad: the values this rerun was computed for, as the browser writes them. While the
    browser shows a newer live answer than this rerun's values, the rerun is not drawn (its own rerun follows).
    """
    page = panel["page"]
    _panel(
        key=panel_key(page, slot),
        data={
            "page": page,
            "slot": slot,
            "parts": finite(panel["slots"][slot]),
            "config": CONFIG,
            "epoch": logit_pad.epoch(),
            "ack": logit_pad.ACK.get(),
            "liveKey": live_key,
        },
    )


def context(page: str, sc: Scenario, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What the logit control sends with each value (the live route's message without ``seq`` and ``logits``)."""
    return {
        "page": page,
        "classes": list(sc.classes),
        "target": sc.target,
        "temperature": sc.temperature,
        "unit": sc.unit,
        "present": present.active(),
        "extra": dict(extra or {}),
    }
