"""The Playground's Export menu: CSV, JSON and a Python script of the current example.

The downloads are built when clicked (``st.download_button`` with a callable), from
the Scenario the page last drew, so they are current even after a drag, which
reruns only the Playground's fragment and not this menu. Charts export as PNG
from each chart's own toolbar (Plotly's camera button), in the browser.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.export import python_script, to_csv, to_json
from core.scenario import Scenario
from ui.session import Key

HOLDER: Key[dict[str, Scenario]] = Key("pg_export", {})
"""``{"scenario": the Scenario on screen}``: one dict per session, which the download callbacks read when clicked."""


def _holder() -> dict[str, Scenario]:
    return HOLDER.setdefault({})  # a fresh dict per session, never the shared default


def remember(sc: Scenario) -> None:
    """Note the Scenario on screen (called by the fragment on every rerun: one dict write)."""
    _holder()["scenario"] = sc


def _deferred(build: Callable[[Scenario], str]) -> Callable[[], str]:
    holder = _holder()
    return lambda: build(holder["scenario"])


def menu(sc: Scenario) -> None:
    remember(sc)
    with st.popover("Export", icon=":material/download:"):
        st.markdown("**This example and its results**")
        for label, build, name, mime in (
            ("CSV (one row per class)", to_csv, "softmax-example.csv", "text/csv"),
            ("JSON (example, URL query, results)", to_json, "softmax-example.json", "application/json"),
            ("Python script (NumPy, recomputes the numbers)", python_script, "softmax_example.py", "text/x-python"),
        ):
            st.download_button(
                label,
                data=_deferred(build),
                file_name=name,
                mime=mime,
                on_click="ignore",
                icon=":material/download:",
                key=f"{HOLDER.name}_{name}",
                width="stretch",
            )
        st.caption(
            "Charts: hover one and use the camera button in its toolbar for a PNG. "
            "The Cross-entropy page shows the same example in PyTorch, Keras and NumPy."
        )
