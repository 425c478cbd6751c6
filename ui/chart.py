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

from core.figures import Chart

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
    html='<div class="explorer-chart"></div>',
    css=".explorer-chart { width: 100%; min-height: 2rem; }",
    js=(Path(__file__).with_name("chart.js")).read_text(encoding="utf-8"),
    isolate_styles=False,  # Plotly styles its toolbar and hover labels from document.head
)


def chart(c: Chart, key: str) -> None:
    """Show ``c`` under ``key``; later calls with the same key update it in place."""
    _chart(key=key, data={"spec": c.spec, "alt": c.alt, "config": CONFIG}, height=int(c.spec["layout"]["height"]))
