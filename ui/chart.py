"""Plotly charts that update in place while a logit is dragged.

``st.plotly_chart`` hashes each spec into its element id, so every update
re-creates the chart (and re-validates the dict through ``plotly.graph_objects``,
about 7 ms a chart). This component keeps one element per ``key`` and calls
``Plotly.react``, which only redraws what changed. Specs come from
:mod:`core.figures` as plain dicts and are validated by the tests, not per rerun.

Plotly.js is the ``plotly.min.js`` shipped inside the installed ``plotly``
package, served from there: the package's ``package_data`` folder is declared as
a (never drawn) v1 component's folder, so Streamlit's component route serves its
files, and ``chart.js`` loads the script from that address. Nothing is fetched
from a CDN, nothing is copied, and the app never writes into its source tree
(a read-only image works; an upgraded ``plotly`` is served as installed).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import plotly
import streamlit as st
from streamlit.components.v1 import declare_component

from core.figures.style import Chart

PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
"""The installed plotly package's data folder, which holds ``plotly.min.js``."""
_plotly_files = declare_component("plotly_js", path=PLOTLY_DIR)  # only its route is used: component/<name>/<file>
PLOTLY_SRC = f"component/{_plotly_files.name}/plotly.min.js"
"""Where ``chart.js`` loads Plotly.js from (relative to the page's base URL)."""
CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "showSendToCloud": False,  # nothing leaves the page: no "share to Plotly's cloud" button
    "showEditInChartStudio": False,
    "responsive": True,
    # the axes are fixed (fixedrange), so zoom and pan buttons did nothing: the toolbar keeps only
    # "download as PNG", shown on hover in the corner the title leaves free, and not on touch screens
    # (plotly_draw.js), where it sat over the title
    "modeBarButtons": [["toImage"]],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


CHART_CSS = (
    ".explorer-chart { width: 100%; min-height: 2rem; }"
    ".explorer-numbers { font-size: 0.85rem; margin: 0.1rem 0 0.4rem; }"
    ".explorer-numbers summary { cursor: pointer; width: fit-content; }"
    ".explorer-numbers summary:focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }"
    ".explorer-numbers .tables { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; margin-top: 0.4rem; }"
    ".explorer-numbers table { border-collapse: collapse; font-variant-numeric: tabular-nums; }"
    ".explorer-numbers caption { text-align: left; font-weight: 600; }"
    ".explorer-numbers th, .explorer-numbers td { padding: 0.1rem 0.6rem; text-align: right;"
    " border-bottom: 1px solid rgba(128,128,128,0.3); }"
    ".explorer-numbers th:first-child, .explorer-numbers td:first-child { text-align: left; }"
)
"""The chart and its "Show the numbers" (shared with :mod:`ui.live_panel`, which draws charts too; the
elements themselves are made by ``plotly_draw.js``)."""
DRAW_JS = f"window.__explorerPlotlySrc = {json.dumps(PLOTLY_SRC)};\n" + (
    Path(__file__).with_name("plotly_draw.js")
).read_text(encoding="utf-8")
"""``drawChart(holder, data, config)`` and Plotly's loader, prepended to every component that draws charts."""

_chart = st.components.v2.component(
    "softmax_explorer.chart",
    html='<div class="explorer-chart-holder"></div>',
    css=CHART_CSS,
    js=DRAW_JS + (Path(__file__).with_name("chart.js")).read_text(encoding="utf-8"),
    isolate_styles=False,  # Plotly styles its toolbar and hover labels from document.head
)


def chart(c: Chart, key: str) -> None:
    """Show ``c`` under ``key``; later calls with the same key update it in place.

    Below the chart, "Show the numbers" opens the numbers it draws as tables
    (``c.tables``, built by the chart's builder from its numbers); the chart itself is a figure labelled by
    ``c.alt``.
    """
    tables = [t.as_dict() for t in c.tables]
    _chart(key=key, data={"spec": finite(c.spec), "alt": c.alt, "config": CONFIG, "tables": tables})


def finite(value: Any) -> Any:
    """``value`` with every non-finite number (±inf, nan: a loss of e^310 at the edge of float64) as None,
    which Plotly draws as a gap. Streamlit sends a component's data as JSON text, and the browser's
    JSON.parse refuses ``Infinity``; the live route's orjson writes such numbers as null already."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value
