"""Plotly charts that update in place while a logit is dragged.

``st.plotly_chart`` hashes each spec into its element id, so every update
re-creates the chart (and re-validates the dict through ``plotly.graph_objects``,
about 7 ms a chart). This component keeps one element per ``key`` and calls
``Plotly.react``, which only redraws what changed. Specs come from
:mod:`core.figures` as plain dicts and are validated by the tests, not per rerun.

Plotly.js is the ``plotly.min.js`` shipped inside the installed ``plotly``
package, copied once into ``static/`` and served by Streamlit's static file
serving (``server.enableStaticServing``): nothing is fetched from a CDN.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import plotly
import streamlit as st

from core.figures.style import Chart
from core.figures.tables import chart_tables

STATIC = Path(__file__).resolve().parents[1] / "static"
PLOTLY_JS = STATIC / "plotly.min.js"
CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "zoom2d", "pan2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def ensure_plotly_js() -> Path:
    """Copy the installed package's plotly.min.js into ``static/`` (once per version)."""
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not PLOTLY_JS.exists() or PLOTLY_JS.stat().st_size != source.stat().st_size:
        STATIC.mkdir(exist_ok=True)
        tmp = PLOTLY_JS.with_suffix(f".{os.getpid()}.tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(PLOTLY_JS)  # atomic, and a temporary file per process: replicas may start at once
    return PLOTLY_JS


ensure_plotly_js()

_chart = st.components.v2.component(
    "softmax_explorer.chart",
    html=(
        '<div class="explorer-chart"></div>'
        '<details class="explorer-numbers"><summary>Show the numbers</summary><div class="tables"></div></details>'
    ),
    css=(
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
    ),
    js=(Path(__file__).with_name("chart.js")).read_text(encoding="utf-8"),
    isolate_styles=False,  # Plotly styles its toolbar and hover labels from document.head
)


def chart(c: Chart, key: str) -> None:
    """Show ``c`` under ``key``; later calls with the same key update it in place.

    Below the chart, "Show the numbers" opens the numbers it draws as tables
    (:func:`core.figures.chart_tables`); the chart itself is a figure labelled by
    ``c.alt``.
    """
    _chart(
        key=key, data={"spec": c.spec, "alt": c.alt, "config": CONFIG, "tables": [t.as_dict() for t in chart_tables(c)]}
    )
